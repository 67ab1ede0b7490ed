package jtlxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// scanner is a pull tokenizer for the XML dialect JMeter writes. It is not a
// general XML parser: it knows start and end tags with attributes, character
// data with the five predefined entities and character references, CDATA,
// comments, processing instructions and a DOCTYPE to skip, and nothing else
// (no namespaces, no entity expansion, no validation). That is what lets it
// run at memory speed over one large reusable buffer instead of
// allocating per token as encoding/xml does.
//
// Names and attribute values returned for a tag point into the buffer and
// are valid only until the next call that reads input.
type scanner struct {
	rd   io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // buf[pos:end] is unread input
	base int64 // input offset of buf[0]
	err  error // first read error (io.EOF at the end); sticky
	max  int   // the buffer never grows past this, so one tag is at most max bytes

	// Lines are counted lazily, only up to positions someone asks about:
	// line is the 1-based line of buf[counted] and lineOff the input offset
	// of that line's first byte.
	counted int
	line    int
	lineOff int64

	// The tag just read by next.
	name        []byte
	attrs       []attr
	selfClosing bool
	tagStart    int // buffer index of its '<'

	// What the scanner met and stepped over, for the decoder to report.
	doctype     doctypeInfo // the first DOCTYPE that declares entities or refers outside
	sawDoctype  bool
	warnings    []scanWarning
	unknownRefs map[string]bool
	bareAmp     bool
	badCharRef  bool
	// sawText is set when text other than white space comes before the
	// first '<' (sawTag), so that a file without a single tag (a CSV) can
	// be told from an empty one.
	sawText, sawTag bool
}

type attr struct {
	name, value []byte
	at          int  // buffer index of the value
	amp         bool // the value holds '&' and needs decoding
}

type doctypeInfo struct {
	entities  bool // <!ENTITY declarations
	external  bool // SYSTEM or PUBLIC identifiers
	line, col int
	off       int64
}

// A scanWarning is a problem the scanner stepped over: the decoder turns it
// into a *samples.ParseError.
type scanWarning struct {
	line, col int
	off       int64
	msg       string
}

// A syntaxError is malformed markup at a place in the input. eof is set
// when the input ended inside the construct, which in a JTL means the
// writer was killed.
type syntaxError struct {
	line, col int
	off       int64
	msg       string
	eof       bool
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

// errTooLarge means one tag does not fit in the largest buffer allowed.
var errTooLarge = errors.New("markup too large")

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
)

const (
	initialBuf = 256 << 10
	// maxRef is the longest entity reference looked for: "&#x10FFFF;" is
	// ten bytes; unknown named entities longer than this are taken as a
	// bare '&'.
	maxRef = 32
	// maxWarnedRefs bounds how many distinct unknown entities are reported.
	maxWarnedRefs = 16
)

func newScanner(r io.Reader, max int) *scanner {
	size := initialBuf
	if max < size {
		size = max
	}
	return &scanner{rd: r, buf: make([]byte, size), max: max, line: 1}
}

// reset makes the scanner read from r from its start, keeping the buffer.
func (s *scanner) reset(r io.Reader) {
	buf, max := s.buf, s.max
	*s = scanner{rd: r, buf: buf, max: max, line: 1}
}

// offset is the input offset of buffer index p.
func (s *scanner) offset(p int) int64 { return s.base + int64(p) }

// countTo advances line counting to buffer index p.
func (s *scanner) countTo(p int) {
	if p <= s.counted {
		return
	}
	chunk := s.buf[s.counted:p]
	if n := bytes.Count(chunk, newline); n > 0 {
		s.line += n
		s.lineOff = s.base + int64(s.counted+bytes.LastIndexByte(chunk, '\n')+1)
	}
	s.counted = p
}

var newline = []byte{'\n'}

// posAt returns the line, column (1-based, in bytes) and input offset of
// buffer index p. Positions must be asked for in input order.
func (s *scanner) posAt(p int) (line, col int, off int64) {
	s.countTo(p)
	off = s.offset(p)
	if p < s.counted { // asked out of order: the line is a best effort
		return s.line, 0, off
	}
	return s.line, int(off-s.lineOff) + 1, off
}

func (s *scanner) errAt(p int, eof bool, format string, args ...any) *syntaxError {
	line, col, off := s.posAt(p)
	return &syntaxError{line: line, col: col, off: off, msg: fmt.Sprintf(format, args...), eof: eof}
}

func (s *scanner) warnAt(p int, format string, args ...any) {
	line, col, off := s.posAt(p)
	s.warnings = append(s.warnings, scanWarning{line: line, col: col, off: off, msg: fmt.Sprintf(format, args...)})
}

// fill reads more input, keeping buf[keep:end] (keep <= pos). It returns
// nil when at least one more byte is available, io.EOF at the end,
// errTooLarge when buf[keep:end] already fills the largest buffer, or the
// read error.
func (s *scanner) fill(keep int) error {
	if s.err != nil {
		return s.err
	}
	if keep > 0 {
		s.countTo(keep)
		dst := s.buf
		if len(s.buf) > 4*initialBuf && s.end-keep < initialBuf/2 {
			// The buffer grew for one huge tag; do not keep it for the
			// rest of the file.
			dst = make([]byte, initialBuf)
		}
		n := copy(dst, s.buf[keep:s.end])
		s.buf = dst
		s.base += int64(keep)
		s.pos -= keep
		s.end = n
		s.counted -= keep
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			return errTooLarge
		}
		size := 2 * len(s.buf)
		if size > s.max {
			size = s.max
		}
		nb := make([]byte, size)
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := s.rd.Read(s.buf[s.end:])
		s.end += n
		if n > 0 {
			if err != nil && err != io.EOF {
				s.err = err
			} else if err == io.EOF {
				s.err = io.EOF
			}
			return nil
		}
		if err != nil {
			s.err = err
			return err
		}
		if tries > 100 {
			s.err = io.ErrNoProgress
			return s.err
		}
	}
}

// ensure makes at least n bytes available from pos, keeping buf[pos:]. It
// returns false when the input ends (or fails) first.
func (s *scanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if s.fill(s.pos) != nil {
			return false
		}
	}
	return true
}

// readError turns a failed fill into the error to return: a syntax error
// for the end of input or an oversized construct, else the read error.
func (s *scanner) readError(err error, at int, what string) error {
	switch err {
	case io.EOF:
		return s.errAt(s.end, true, "the input ends inside %s", what)
	case errTooLarge:
		return s.errAt(at, false, "%s is larger than %d bytes", what, s.max)
	}
	return err
}

// next skips character data, comments, processing instructions, CDATA and
// a DOCTYPE, and reads the next start or end tag. It returns tokEOF at the
// end of input.
func (s *scanner) next() (tokKind, error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if !s.sawText && !s.sawTag {
			// Only text before the first tag matters (a CSV has no tag);
			// between tags the check would cost a pass per token.
			text := s.buf[s.pos:s.end]
			if i >= 0 {
				text = text[:i]
				s.sawTag = true
			}
			s.sawText = len(bytes.TrimSpace(text)) > 0
		}
		if i < 0 {
			s.pos = s.end
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					return tokEOF, nil
				}
				return tokEOF, s.readError(err, s.pos, "text")
			}
			continue
		}
		s.pos += i
		if !s.ensure(2) {
			if s.err != io.EOF {
				return tokEOF, s.err
			}
			return tokEOF, s.errAt(s.pos, true, "the input ends after '<'")
		}
		switch s.buf[s.pos+1] {
		case '/':
			return tokEnd, s.endTag()
		case '?':
			if err := s.skipPast(s.pos+2, "?>", nil, 0, "a processing instruction"); err != nil {
				return tokEOF, err
			}
		case '!':
			if err := s.skipBang(nil, 0); err != nil {
				return tokEOF, err
			}
		default:
			if !isNameStart(s.buf[s.pos+1]) {
				return tokEOF, s.errAt(s.pos, false, "'<' not followed by a tag name (a '<' in text must be written &lt;)")
			}
			return tokStart, s.startTag()
		}
	}
}

// skipBang skips a comment, a DOCTYPE, or a CDATA section at pos; CDATA
// content goes to *dst (up to limit bytes) when dst is not nil.
func (s *scanner) skipBang(dst *[]byte, limit int) error {
	s.ensure(9)
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return s.skipPast(s.pos+4, "-->", nil, 0, "a comment")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return s.skipPast(s.pos+9, "]]>", dst, limit, "a CDATA section")
	case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
		return s.skipDoctype()
	}
	if len(rest) < 9 && s.err == io.EOF {
		return s.errAt(s.end, true, "the input ends inside '<!'")
	}
	return s.errAt(s.pos, false, "unknown markup \"%s\"", printable(rest, 12))
}

// skipPast moves pos past the first delim at or after from, appending what
// lies between to *dst (when dst is not nil, up to limit bytes).
func (s *scanner) skipPast(from int, delim string, dst *[]byte, limit int, what string) error {
	d := []byte(delim)
	startOff := s.offset(s.pos)
	for {
		if j := bytes.Index(s.buf[from:s.end], d); j >= 0 {
			appendLimited(dst, s.buf[from:from+j], limit)
			s.pos = from + j + len(d)
			return nil
		}
		// Keep the tail that may hold the start of delim.
		cut := s.end - (len(d) - 1)
		if cut < from {
			cut = from
		}
		appendLimited(dst, s.buf[from:cut], limit)
		s.pos = cut
		if err := s.fill(s.pos); err != nil {
			if err == io.EOF {
				return s.errAt(s.end, true, "the input ends inside %s started at byte %d", what, startOff)
			}
			return s.readError(err, s.pos, what)
		}
		from = s.pos
	}
}

func appendLimited(dst *[]byte, b []byte, limit int) {
	if dst == nil {
		return
	}
	if room := limit + 1 - len(*dst); room < len(b) {
		// One byte past the limit tells the caller the text was cut.
		if room < 0 {
			room = 0
		}
		b = b[:room]
	}
	*dst = append(*dst, b...)
}

// skipDoctype steps over <!DOCTYPE ...>, internal subset included, noting
// entity declarations and external identifiers. Nothing is expanded and
// nothing is fetched.
func (s *scanner) skipDoctype() error {
	line, col, off := s.posAt(s.pos)
	info := doctypeInfo{line: line, col: col, off: off}
	i := s.pos + 2
	var quote byte
	depth := 0
	// A small window of recent bytes, to spot keywords across refills.
	var win [8]byte
	for {
		if i >= s.end {
			s.pos = i
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					return s.errAt(s.end, true, "the input ends inside the DOCTYPE started at line %d", line)
				}
				return s.readError(err, s.pos, "the DOCTYPE")
			}
			i = s.pos
			continue
		}
		c := s.buf[i]
		i++
		copy(win[:], win[1:])
		win[7] = c
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '>':
			if depth == 0 {
				s.pos = i
				if (info.entities || info.external) && !s.sawDoctype {
					s.doctype, s.sawDoctype = info, true
				}
				return nil
			}
		}
		w := win[:]
		switch {
		case bytes.HasSuffix(w, []byte("<!ENTITY")):
			info.entities = true
		case bytes.HasSuffix(w, []byte("SYSTEM")), bytes.HasSuffix(w, []byte("PUBLIC")):
			info.external = true
		}
	}
}

// errShort means a tag runs past the end of the buffered input.
var errShort = errors.New("short")

// startTag reads the start tag at pos ('<' followed by a name character).
func (s *scanner) startTag() error {
	err := s.parseStart(s.pos, s.end)
	if err != errShort {
		return err
	}
	// The tag crosses the end of the buffer (rare): bring all of it in,
	// then parse it again. The parse decides which problem is reported, so
	// that the message does not depend on how the input was read. Only
	// when it finds nothing is why findTagEnd stopped made the problem, and
	// only then is that position taken: positions must be asked for in
	// input order, and the end of the input, taken first, would leave a
	// problem the parse finds before it without a column.
	lim, stop := s.findTagEnd()
	switch stop {
	case nil, io.EOF, errTooLarge, errTagNotClosed, errTagQuote:
	default:
		return stop // a read error
	}
	if err := s.parseStart(s.pos, lim); err != errShort {
		return err
	}
	switch stop {
	case io.EOF:
		return s.errAt(s.end, true, "the input ends inside the tag %s", s.tagHead())
	case errTooLarge:
		return s.readError(stop, s.pos, "the tag "+s.tagHead())
	case errTagNotClosed:
		return s.errNotClosed()
	case errTagQuote:
		return s.errQuote()
	}
	return s.errAt(s.pos, false, "malformed tag %s", s.tagHead())
}

// Why findTagEnd stopped before a '>': a '<' outside or inside quotes.
var (
	errTagNotClosed = errors.New("tag not closed")
	errTagQuote     = errors.New("'<' inside an attribute value")
)

// findTagEnd reads until the whole tag at pos is buffered and returns the
// index just past its '>'. It resumes where it stopped after each refill,
// so a reader that returns one byte at a time costs linear time. A '<'
// before the '>' means the tag was never closed (or a quote is missing):
// that is where a killed writer or a hand edit leaves it; findTagEnd then
// returns the index of that '<' and errTagNotClosed or errTagQuote. At the
// end of the input it returns io.EOF; for a tag larger than the largest
// buffer, errTooLarge; else the read error.
func (s *scanner) findTagEnd() (int, error) {
	i := s.pos + 1
	var quote byte
	for {
		if i >= s.end {
			off := i - s.pos
			if err := s.fill(s.pos); err != nil {
				return s.end, err
			}
			i = s.pos + off
			continue
		}
		c := s.buf[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '<' {
				return i, errTagQuote
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, nil
		case c == '<':
			return i, errTagNotClosed
		}
		i++
	}
}

func (s *scanner) errNotClosed() error {
	return s.errAt(s.pos, false, "the tag %s is not closed ('>' missing before the next '<')", s.tagHead())
}

func (s *scanner) errQuote() error {
	return s.errAt(s.pos, false, "the tag %s has a '<' inside an attribute value (a quote is missing?)", s.tagHead())
}

// tagHead is the start of the tag at pos, for messages.
func (s *scanner) tagHead() string {
	j := s.pos + 1
	for j < s.end && j-s.pos < 64 && isNameByte(s.buf[j]) {
		j++
	}
	return "<" + string(s.buf[s.pos+1:j])
}

// parseStart parses the tag at buf[lt:], looking no further than lim. It
// returns errShort when the tag does not end before lim. Wherever it meets
// a '<' it reports what findTagEnd would, so that the problem reported
// does not depend on where the buffer happened to end.
func (s *scanner) parseStart(lt, lim int) error {
	b := s.buf[:lim]
	i := lt + 1
	j := i
	for j < lim && isNameByte(b[j]) {
		j++
	}
	if j == lim {
		return errShort
	}
	if j == i || !isNameStart(b[i]) {
		return s.errAt(lt, false, "'<' not followed by a tag name (a '<' in text must be written &lt;)")
	}
	s.name = b[i:j]
	s.attrs = s.attrs[:0]
	s.selfClosing = false
	s.tagStart = lt
	i = j
	for {
		i = skipSpace(b, i, lim)
		if i == lim {
			return errShort
		}
		switch b[i] {
		case '>':
			s.pos = i + 1
			return nil
		case '/':
			if i+1 == lim {
				return errShort
			}
			if b[i+1] == '<' {
				return s.errNotClosed()
			}
			if b[i+1] != '>' {
				return s.errAt(i, false, "'/' inside the tag <%s>", s.name)
			}
			s.selfClosing = true
			s.pos = i + 2
			return nil
		case '<':
			return s.errNotClosed()
		}
		j = i
		for j < lim && isNameByte(b[j]) {
			j++
		}
		if j == lim {
			return errShort
		}
		if j == i {
			return s.errAt(i, false, "unexpected %q in the tag <%s>", rune(b[i]), s.name)
		}
		name := b[i:j]
		i = skipSpace(b, j, lim)
		if i == lim {
			return errShort
		}
		if b[i] != '=' {
			if b[i] == '<' {
				return s.errNotClosed()
			}
			return s.errAt(j, false, "attribute %s of <%s> has no value", name, s.name)
		}
		i = skipSpace(b, i+1, lim)
		if i == lim {
			return errShort
		}
		if b[i] != '"' && b[i] != '\'' {
			if b[i] == '<' {
				return s.errNotClosed()
			}
			return s.errAt(i, false, "the value of attribute %s of <%s> is not quoted", name, s.name)
		}
		// Values are short: one loop finds the closing quote and notes '&'
		// and '<' on the way, cheaper here than three IndexByte calls.
		q, v := b[i], i+1
		k, amp := v, false
		for ; k < lim; k++ {
			c := b[k]
			if c == q {
				break
			}
			if c == '<' {
				return s.errQuote()
			}
			if c == '&' {
				amp = true
			}
		}
		if k == lim {
			return errShort
		}
		s.attrs = append(s.attrs, attr{name: name, value: b[v:k], at: v, amp: amp})
		i = k + 1
		if i < lim && !isSpace(b[i]) && b[i] != '/' && b[i] != '>' {
			if b[i] == '<' {
				return s.errNotClosed()
			}
			return s.errAt(i, false, "no space after attribute %s of <%s> (a quote is missing?)", name, s.name)
		}
	}
}

// endTag reads the end tag at pos ("</").
func (s *scanner) endTag() error {
	i := s.pos + 2
	for {
		if i >= s.end {
			off := i - s.pos
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					return s.errAt(s.end, true, "the input ends inside an end tag")
				}
				return s.readError(err, s.pos, "an end tag")
			}
			i = s.pos + off
			continue
		}
		c := s.buf[i]
		if c == '>' {
			break
		}
		if c == '<' {
			return s.errAt(s.pos, false, "the end tag <%s is not closed", printable(s.buf[s.pos+1:i], 64))
		}
		i++
	}
	b := s.buf
	j := s.pos + 2
	k := j
	for k < i && isNameByte(b[k]) {
		k++
	}
	if k == j || skipSpace(b, k, i) != i {
		return s.errAt(s.pos, false, "malformed end tag \"%s\"", printable(b[s.pos:i+1], 64))
	}
	s.name = b[j:k]
	s.tagStart = s.pos
	s.pos = i + 1
	return nil
}

// text appends the character data from pos up to the next tag to dst,
// with references decoded, CDATA taken literally and comments and PIs
// dropped; it leaves pos on the '<' of the tag. At most limit+1 bytes are
// appended (the extra byte says "cut"); when keep is false nothing is.
func (s *scanner) text(dst []byte, limit int, keep bool) ([]byte, error) {
	for {
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '<')
		if i >= 0 {
			chunk = chunk[:i]
		}
		if keep && len(dst) <= limit {
			// Unless the text ends in this chunk, a reference cut by the
			// buffer's end is left for after the refill.
			var used int
			dst, used = s.decode(dst, chunk, s.pos, i >= 0 || s.err != nil, limit+1)
			if len(dst) > limit {
				dst = dst[:limit+1]
				used = len(chunk) // cut: the rest is skipped, not decoded
			}
			s.pos += used
		} else {
			s.pos += len(chunk)
		}
		if i < 0 {
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					if s.pos < s.end { // an unfinished reference at the very end
						if keep && len(dst) <= limit {
							dst, _ = s.decode(dst, s.buf[s.pos:s.end], s.pos, true, limit+1)
							dst = dst[:min(len(dst), limit+1)]
						}
						s.pos = s.end
					}
					return dst, nil
				}
				return dst, s.readError(err, s.pos, "text")
			}
			continue
		}
		// At '<': CDATA, a comment or a PI continue the text.
		s.ensure(9)
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			var p *[]byte
			if keep {
				p = &dst
			}
			if err := s.skipPast(s.pos+9, "]]>", p, limit, "a CDATA section"); err != nil {
				return dst, err
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if err := s.skipPast(s.pos+4, "-->", nil, 0, "a comment"); err != nil {
				return dst, err
			}
		case bytes.HasPrefix(rest, []byte("<?")):
			if err := s.skipPast(s.pos+2, "?>", nil, 0, "a processing instruction"); err != nil {
				return dst, err
			}
		default:
			return dst, nil
		}
	}
}

// decode appends src (which starts at buffer index at) to dst with
// references decoded, and says how many bytes of src it used. It stops
// once dst holds max bytes (a character may take it a few bytes over), so
// that where a long text is cut, and which problems are reported in it,
// does not depend on how the input was read. Unless final, it also stops
// before a '&' whose ';' may still be in input not yet read.
func (s *scanner) decode(dst, src []byte, at int, final bool, max int) ([]byte, int) {
	used := 0
	for used < len(src) && len(dst) < max {
		j := bytes.IndexByte(src[used:], '&')
		if j < 0 {
			j = len(src) - used
		}
		if room := max - len(dst); j > room {
			return append(dst, src[used:used+room]...), used + room
		}
		dst = append(dst, src[used:used+j]...)
		used += j
		if used == len(src) {
			break
		}
		rest := src[used:]
		window := rest
		if len(window) > maxRef {
			window = window[:maxRef]
		}
		k := bytes.IndexByte(window, ';')
		if k < 0 || !isRefName(rest[1:k]) {
			if k < 0 && !final && len(rest) < maxRef {
				return dst, used // the rest of it may come with the next read
			}
			if !s.bareAmp {
				s.bareAmp = true
				s.warnAt(at+used, "'&' that does not start a reference (should be &amp;); kept as written")
			}
			dst = append(dst, '&')
			used++
			continue
		}
		var ok bool
		dst, ok = s.appendRef(dst, rest[1:k], at+used)
		if !ok {
			dst = append(dst, rest[:k+1]...)
		}
		used += k + 1
	}
	return dst, used
}

// appendRef appends the character that &ref; stands for. It returns false
// for an entity it does not know, which the caller keeps as written.
func (s *scanner) appendRef(dst, ref []byte, at int) ([]byte, bool) {
	switch string(ref) {
	case "quot":
		return append(dst, '"'), true
	case "amp":
		return append(dst, '&'), true
	case "lt":
		return append(dst, '<'), true
	case "gt":
		return append(dst, '>'), true
	case "apos":
		return append(dst, '\''), true
	case "#xd", "#xD", "#13":
		return append(dst, '\r'), true
	case "#xa", "#xA", "#10":
		return append(dst, '\n'), true
	case "#x9", "#9":
		return append(dst, '\t'), true
	}
	if len(ref) > 1 && ref[0] == '#' {
		r, ok := parseCharRef(ref[1:])
		if !ok {
			if !s.badCharRef {
				s.badCharRef = true
				s.warnAt(at, "character reference &%s; is not a valid character; replaced by U+FFFD", printable(ref, 16))
			}
			r = utf8.RuneError
		}
		// JMeter writes control characters (&#x1;, &#x0;) that XML 1.0
		// forbids; they are what the server sent, so keep them.
		return utf8.AppendRune(dst, r), true
	}
	if s.unknownRefs == nil {
		s.unknownRefs = map[string]bool{}
	}
	if !s.unknownRefs[string(ref)] && len(s.unknownRefs) < maxWarnedRefs {
		s.unknownRefs[string(ref)] = true
		s.warnAt(at, "unknown entity &%s; kept as written (entities declared in a DOCTYPE are not expanded)", printable(ref, 24))
	}
	return dst, false
}

// isRefName reports whether b can be what stands between '&' and ';':
// a name, or '#' and digits.
func isRefName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '#' {
		b = b[1:]
		if len(b) == 0 {
			return false
		}
	} else if !isNameStart(b[0]) {
		return false
	}
	for _, c := range b {
		if !isNameByte(c) {
			return false
		}
	}
	return true
}

// parseCharRef parses the digits of a character reference ("x1f", "65").
func parseCharRef(b []byte) (rune, bool) {
	base := rune(10)
	if b[0] == 'x' || b[0] == 'X' {
		base = 16
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range b {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + d
		if r > utf8.MaxRune {
			return 0, false
		}
	}
	if r >= 0xD800 && r <= 0xDFFF {
		return 0, false
	}
	return r, true
}

func skipSpace(b []byte, i, end int) int {
	for i < end && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// isNameByte accepts the bytes of XML names as JTLs use them (ASCII letters,
// digits, "_-.:" and any non-ASCII byte, so UTF-8 names pass).
func isNameByte(c byte) bool { return nameBytes[c] }

var nameBytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80
	}
	return t
}()

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// printable returns at most n bytes of b for a message, with anything
// that is not printable escaped.
func printable(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	q := strconv.Quote(string(b))
	return q[1 : len(q)-1]
}
