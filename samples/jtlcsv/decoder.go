package jtlcsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func init() {
	samples.Register(samples.Format{
		Name:     "csv",
		Priority: 100,
		Sniff:    Sniff,
		New: func(r io.Reader, name string, opts samples.Options) (samples.Decoder, error) {
			return NewDecoder(r, name, opts)
		},
	})
}

// Sniff reports whether head could be delimited rows. CSV is the fallback
// format, tried after XML and HAR, so it accepts any text whose first line
// holds one of the delimiters JMeter allows in practice, and empty input (so
// that an empty file is reported as having no samples).
func Sniff(head []byte) bool {
	i := 0
	for i < len(head) && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n') {
		i++
	}
	if i == len(head) {
		return true
	}
	switch head[i] {
	case '<', '{', '[':
		return false // XML or JSON that its own decoder turned down
	}
	for _, c := range head[i:] {
		switch c {
		case ',', ';', '\t', '|':
			return true
		case '\n', '\r':
			return false
		}
	}
	return false
}

// A Decoder reads a CSV JTL. Use NewDecoder; it is not safe for concurrent
// Decode calls, but Meta may be called at any time.
type Decoder struct {
	name   string
	opts   samples.Options
	r      io.Reader
	props  map[string]string
	delims []byte // delimiters to try, in order
	mode   tsMode
	pat    *dateFormat
	tsNone bool // timestamp_format=none: headerless files have no timeStamp
	loc    *time.Location
	max    int // maxRecord when the Decoder was made

	mu       sync.Mutex
	meta     samples.Meta
	notes    []string // found while reading: header lines, bad UTF-8
	badUTF8  int
	dst      dstCount
	attached atomic.Int64

	started bool
	src     source
	err     error
}

// A source produces samples in file order: nil, a *ParseError (skipped a
// record), io.EOF, or another error that ends the input.
type source interface {
	next(s *samples.Sample) error
}

// NewDecoder returns a decoder reading r; name is used in messages and as
// Sample.Source. It reads nothing until the first Decode.
func NewDecoder(r io.Reader, name string, opts samples.Options) (*Decoder, error) {
	d := &Decoder{name: name, opts: opts, r: r, props: opts.Properties, loc: opts.Location, max: maxRecord}
	if d.loc == nil {
		d.loc = time.Local
	}
	d.meta = samples.Meta{Format: "jtl-csv"}

	var first byte
	switch {
	case opts.Delimiter != 0:
		c, err := checkDelimiter(string(opts.Delimiter))
		if err != nil {
			return nil, err
		}
		d.delims = []byte{c}
	default:
		if s, ok := d.props[propPrefix+"default_delimiter"]; ok {
			c, err := checkDelimiter(s)
			if err != nil {
				return nil, fmt.Errorf("%s%s: %v", propPrefix, "default_delimiter", err)
			}
			first = c
			d.delims = append(d.delims, c)
		}
		for _, c := range []byte{',', '\t', ';', '|'} {
			if c != first {
				d.delims = append(d.delims, c)
			}
		}
	}

	ts := strings.TrimSpace(opts.TimestampFormat)
	if ts == "" {
		ts = strings.TrimSpace(d.props[propPrefix+"timestamp_format"])
	}
	switch strings.ToLower(ts) {
	case "":
	case "ms":
		d.mode = tsMillis
	case "s", "us", "ns":
		d.mode, d.pat = tsPattern, epochFormat(strings.ToLower(ts))
	case "none":
		d.tsNone = true
	default:
		f, err := compileDateFormat(ts)
		if err != nil {
			return nil, err
		}
		d.mode, d.pat = tsPattern, f
	}
	return d, nil
}

// checkDelimiter applies JMeter's rules: one character, not a letter, digit
// or quote; "\t" (the two characters) means TAB.
func checkDelimiter(s string) (byte, error) {
	if s == `\t` {
		return '\t', nil
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("CSV delimiter %q must be a single ASCII character", s)
	}
	c := s[0]
	if c == '"' || c == '\r' || c == '\n' || c >= 0x80 ||
		c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' {
		return 0, fmt.Errorf("CSV delimiter %q may not be a letter, a digit, a quote or a line break", s)
	}
	return c, nil
}

// Meta describes the input as far as it has been read.
func (d *Decoder) Meta() samples.Meta {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.meta
	m.Columns = append([]string(nil), d.meta.Columns...)
	if d.meta.Saved != nil {
		m.Saved = make(map[string]string, len(d.meta.Saved))
		for k, v := range d.meta.Saved {
			m.Saved[k] = v
		}
	}
	m.Notes = append(append([]string(nil), d.meta.Notes...), d.notes...)
	m.Warnings = append([]string(nil), d.meta.Warnings...)
	if n := d.attached.Load(); n > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d sub-result rows (JMeter 5 writes them as \"<label>-<n>\" after their parent) were attached to their parent samples", n))
		if m.Saved != nil {
			m.Saved["subresults"] = "true"
		}
	}
	if d.dst.n > 0 {
		f := d.dst.first
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: %d timestamps fall in the hour that %s repeats when the clocks go back (%s–%s %s): each could be either time and was read as one of them, so durations, rates and the order of samples around it may be wrong (save timestamps in ms, or with a zone)",
			d.name, d.dst.n, f.Format("2006-01-02"), f.Truncate(time.Hour).Format("15:04"), f.Truncate(time.Hour).Add(time.Hour).Format("15:04"), d.loc))
	}
	if d.badUTF8 > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d rows held invalid UTF-8; the bad bytes were replaced with U+FFFD", d.badUTF8))
	}
	return m
}

func (d *Decoder) addNotes(notes []lineNote, badUTF8 int) {
	if len(notes) == 0 && badUTF8 == 0 {
		return
	}
	d.mu.Lock()
	const maxNotes = 20
	for _, n := range notes {
		if len(d.notes) < maxNotes {
			d.notes = append(d.notes, "line "+itoa(n.line)+": "+n.msg)
		}
	}
	d.badUTF8 += badUTF8
	d.mu.Unlock()
}

func (d *Decoder) addDST(c dstCount) {
	if c.n == 0 {
		return
	}
	d.mu.Lock()
	d.dst.add(c)
	d.mu.Unlock()
}

// Decode reads the next sample into s. See samples.Decoder.
func (d *Decoder) Decode(s *samples.Sample) error {
	if d.err != nil {
		return d.err
	}
	if !d.started {
		d.started = true
		if err := d.start(); err != nil {
			d.err = err
			return err
		}
	}
	return d.check(d.src.next(s))
}

// check makes io.EOF and fatal errors sticky.
func (d *Decoder) check(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*samples.ParseError); !ok {
		d.err = err
	}
	return err
}

// start reads the first lines, works out the columns, and sets up the
// source.
func (d *Decoder) start() error {
	cr := &chunkReader{r: d.r, size: firstBlockSize, max: d.max}
	block, off, final, _ := cr.next(nil, nil)
	line := 1
	bom := 0
	if bytes.HasPrefix(block, []byte("\uFEFF")) {
		bom = 3 // samples.Open drops it; a caller of NewDecoder may not
	}
	for {
		// Skip leading blank lines.
		pos := bom
		bom = 0
		for pos < len(block) && (block[pos] == '\n' || block[pos] == '\r') {
			if block[pos] == '\r' && pos+1 < len(block) && block[pos+1] == '\n' {
				pos++
			}
			pos++
			line++
		}
		if pos == len(block) {
			if !final {
				block, off, final, _ = cr.next(block[:0], nil)
				continue
			}
			if cr.err != nil {
				return fmt.Errorf("%s: %w", d.name, cr.err)
			}
			d.mu.Lock()
			d.meta.Notes = append(d.meta.Notes, "the file is empty")
			d.mu.Unlock()
			return io.EOF
		}
		lay, skip, err := d.detect(block[pos:], final, line)
		if err == errNeedMore {
			// The first record does not end in this block (a quoted
			// field with line breaks in it): read more.
			block, off, final, _ = cr.next(block[:0], block[pos:])
			continue
		}
		if err != nil {
			return err
		}
		cr.eager = true
		conv := newConverter(lay, d.mode, d.pat, d.loc, d.opts.Need)
		src := &seqSource{d: d, cr: cr}
		src.p = parser{name: d.name, sc: scanner{delim: lay.delim}, conv: conv, max: d.max}
		hdrLines := 0
		if skip > 0 {
			hdrLines = countLines(block[pos : pos+skip])
		}
		src.p.reset(block[pos+skip:], off+int64(pos+skip), line+hdrLines, final)
		src.buf = block
		d.src = src
		if lay.link {
			d.src = newGrouper(d, src)
		}
		if lay.header && final && onlyBlank(block[pos+skip:]) {
			d.mu.Lock()
			d.meta.Notes = append(d.meta.Notes, "the file has a header line but no samples")
			d.mu.Unlock()
		}
		return nil
	}
}

func onlyBlank(b []byte) bool {
	for _, c := range b {
		if c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// firstBlockSize is the block size before parallel mode (tests shrink it).
var firstBlockSize = blockSize

// A seqSource parses blocks one after the other in the caller's goroutine.
type seqSource struct {
	d    *Decoder
	cr   *chunkReader
	p    parser
	buf  []byte
	done bool
	par  *parSource // set once the input proved big enough
}

// errGoParallel: read handed the rest of the input to a parSource.
var errGoParallel = errors.New("parallel mode")

func (s *seqSource) next(out *samples.Sample) error {
	for {
		if s.par != nil {
			return s.par.next(out)
		}
		if err := s.read(out); err != errGoParallel {
			return err
		}
	}
}

// read parses the next record into out, reading blocks as needed.
func (s *seqSource) read(out *samples.Sample) error {
	for {
		if s.done {
			if s.cr.err != nil {
				return fmt.Errorf("%s: reading after byte %d: %w", s.d.name, s.cr.restOff, s.cr.err)
			}
			return io.EOF
		}
		st, perr := s.p.next(out)
		switch st {
		case stepSample:
			return nil
		case stepError:
			return perr
		}
		s.flush()
		if s.p.final {
			s.done = true
			continue
		}
		var carry []byte
		line := s.p.line
		carryOff := s.p.off + int64(len(s.p.data))
		if s.p.tail >= 0 {
			carry, line, carryOff = s.p.data[s.p.tail:], s.p.tailLine, s.p.off+int64(s.p.tail)
		}
		if s.cr.restOff >= parallelAfter && workers() > 1 {
			s.par = startParallel(s, line, carry, carryOff)
			return errGoParallel
		}
		block, off, final, sk := s.cr.next(s.buf[:0], carry)
		s.buf = block
		s.p.reset(block, off, line, final)
		if sk != nil {
			s.p.line = line + countLines(sk.carry) + 1
			return &samples.ParseError{File: s.d.name, Line: line, Offset: sk.off,
				Msg: "a line longer than " + mib(s.cr.max) + " without a line break; skipped"}
		}
	}
}

// flush hands what the parser noticed to Meta.
func (s *seqSource) flush() {
	s.d.addNotes(s.p.notes, s.p.conv.badUTF8)
	s.d.addDST(s.p.conv.dst)
	s.p.conv.dst = dstCount{}
	s.p.notes = s.p.notes[:0]
	s.p.conv.badUTF8 = 0
}
