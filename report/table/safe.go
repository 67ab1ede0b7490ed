package table

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"
)

// Text from inputs must not drive the terminal that shows it, nor the
// spreadsheet that opens it.
//
// A label can hold ESC sequences (ESC[31m colours, OSC 0 sets the window
// title, OSC 8 makes a hyperlink), C1 controls (U+009B is CSI on its
// own) and bidirectional overrides (U+202E shows text backwards):
// Printable writes them as visible escapes. A CSV cell that starts with
// =, +, -, @, a tab or a carriage return is a formula to Excel, LibreOffice
// and Google Sheets (=HYPERLINK(...), DDE): SpreadsheetCell prefixes it
// with an apostrophe, as OWASP's CSV injection advice says, except for
// plain numbers ("-12.5"), which stay numbers.

// Printable returns s with every character that a terminal would act on
// written as an escape: C0 controls but newline and tab, DEL, C1
// controls, bidirectional controls, line and paragraph separators, and
// bytes that are not UTF-8. Printable(Printable(s)) == Printable(s).
func Printable(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			writeEscape(&b, s[i:i+n], r)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n <= 1:
		return true // not UTF-8 (a lone 0x9b is CSI to some terminals)
	case r < 0x20:
		return r != '\n' && r != '\t'
	case r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

func writeEscape(b *strings.Builder, raw string, r rune) {
	switch {
	case r == '\r':
		b.WriteString(`\r`)
	case r == utf8.RuneError || r < 0x80:
		for i := 0; i < len(raw); i++ {
			b.WriteString(`\x`)
			b.WriteString(hex2(raw[i]))
		}
	default:
		b.WriteString(`\u`)
		s := strconv.FormatInt(int64(r), 16)
		b.WriteString(strings.Repeat("0", 4-len(s)) + s)
	}
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// PrintableWriter passes what is written through Printable. A character
// split across two writes is held until the second; Flush writes what is
// held at the end.
type PrintableWriter struct {
	w    io.Writer
	hold []byte
}

// NewPrintableWriter returns a PrintableWriter writing to w.
func NewPrintableWriter(w io.Writer) *PrintableWriter { return &PrintableWriter{w: w} }

func (p *PrintableWriter) Write(b []byte) (int, error) {
	n := len(b)
	if len(p.hold) > 0 {
		b = append(p.hold, b...)
		p.hold = nil
	}
	// Keep an incomplete UTF-8 sequence at the end for the next write.
	cut := len(b)
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				cut = len(b) - k
			}
			break
		}
	}
	if cut < len(b) {
		p.hold = append([]byte(nil), b[cut:]...)
		b = b[:cut]
	}
	if _, err := io.WriteString(p.w, Printable(string(b))); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a held incomplete character, escaped.
func (p *PrintableWriter) Flush() error {
	if len(p.hold) == 0 {
		return nil
	}
	h := p.hold
	p.hold = nil
	_, err := io.WriteString(p.w, Printable(string(h)))
	return err
}

// WritePrintable runs write with a PrintableWriter on w.
func WritePrintable(w io.Writer, write func(io.Writer) error) error {
	pw := NewPrintableWriter(w)
	err := write(pw)
	if ferr := pw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// SpreadsheetCell makes s safe as a cell of a CSV that a spreadsheet
// opens: a formula-starting cell gets a leading apostrophe (plain numbers
// excepted), and control characters are escaped as Printable does.
func SpreadsheetCell(s string) string {
	s = Printable(s)
	if s == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '@', '\t', '\r', '＝', '＠', '＋', '－':
	case '+', '-':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	default:
		// A tab or CR were escaped above; their escapes start with \.
		if !strings.HasPrefix(s, `\t`) && !strings.HasPrefix(s, `\r`) {
			return s
		}
	}
	return "'" + s
}

// MarshalCSV writes rows (a slice of structs with csv tags) as CSV with
// gocsv, every cell through SpreadsheetCell. Every CSV jtlscope writes
// goes through it.
func MarshalCSV(rows any, w io.Writer) error {
	return gocsv.MarshalCSV(rows, &safeCSV{gocsv.DefaultCSVWriter(w)})
}

// safeCSV is a gocsv.CSVWriter that neutralises cells.
type safeCSV struct{ *gocsv.SafeCSVWriter }

func (s *safeCSV) Write(row []string) error {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = SpreadsheetCell(c)
	}
	return s.SafeCSVWriter.Write(out)
}
