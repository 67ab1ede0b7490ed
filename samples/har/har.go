package har

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func init() {
	samples.Register(samples.Format{
		Name:     "har",
		Priority: 20,
		Sniff:    Sniff,
		New: func(r io.Reader, name string, opts samples.Options) (samples.Decoder, error) {
			return NewDecoder(r, name, opts)
		},
	})
}

// Limits on the parts of a HAR read outside entries.
const (
	maxName    = 1 << 10  // a member name; longer ones are skipped as unknown
	maxCreator = 64 << 10 // the creator and browser objects
	maxJSONP   = 256      // the JSONP callback name
)

// Sniff reports whether head starts a HAR: a JSON object (optionally
// wrapped in a JSONP call, as Firebug's HAR Viewer files are) with a "log"
// member among the members that fit in head. The member's value is not
// checked: a broken HAR is better told what is wrong with it than that it
// is not a HAR.
func Sniff(head []byte) bool {
	b := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	b, _ = stripJSONP(b)
	var p parser
	p.reset(b)
	if !p.object("") {
		return false
	}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return false
		}
		if string(k) == "log" {
			return true
		}
		p.skip()
	}
}

// stripJSONP returns b after a leading "callback(" and whether there was
// one.
func stripJSONP(b []byte) ([]byte, bool) {
	b = bytes.TrimLeft(b, " \t\r\n")
	i := 0
	for i < len(b) && i < maxJSONP && isIdent(b[i], i) {
		i++
	}
	if i == 0 {
		return b, false
	}
	rest := bytes.TrimLeft(b[i:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '(' {
		return b, false
	}
	return rest[1:], true
}

func isIdent(c byte, i int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' ||
		i > 0 && (c >= '0' && c <= '9' || c == '.')
}

// Where the framing is: the decoder walks root > log > entries and back
// out, one call to next at a time.
type state uint8

const (
	stStart   state = iota // before the root object
	stRoot                 // in the root object
	stLog                  // in the log object
	stEntries              // in the entries array
	stAfter                // after the root object
	stEnd                  // nothing more
)

// A Decoder reads the entries of a HAR one at a time. It never holds more
// than one entry (and at most samples.MaxRecord of it) in memory.
type Decoder struct {
	name string
	opts samples.Options
	loc  *time.Location
	want want

	s     *scanner
	p     parser
	e     entry
	err   error // sticky: io.EOF or a read error
	state state
	first bool // the next member or element is the first of its container

	jsonp                    bool
	sawLog, sawEntries       bool
	entryN                   int // entries seen, including skipped ones
	entryLine, entryColumn   int
	entryOffset              int64
	key                      []byte
	scratch, scratch2, unesc []byte
	label                    []byte

	names, labels, values samples.Interner
	zones                 zones
	sslApart              bool // the producer reports TLS time apart from connect (Firefox)

	mu   sync.Mutex
	meta samples.Meta
}

// NewDecoder returns a decoder reading the HAR in r; name is used in
// messages and as each sample's Source.
func NewDecoder(r io.Reader, name string, opts samples.Options) (*Decoder, error) {
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	d := &Decoder{
		name:  name,
		opts:  opts,
		loc:   loc,
		s:     newScanner(r),
		zones: zones{},
		want: want{
			reqHeaders:  opts.Needs(samples.FieldRequestHeaders),
			respHeaders: opts.Needs(samples.FieldResponseHeaders),
			reqBody:     opts.Needs(samples.FieldRequestBody),
			respBody:    opts.Needs(samples.FieldResponseBody),
		},
		meta: samples.Meta{Format: "har"},
	}
	d.values.Max = 16 << 10
	return d, nil
}

// Meta describes the HAR as far as it has been read: Producer is the
// creator's name and version once the creator member has been passed.
// Unlike Decode, it may be called from another goroutine.
// ReorderSlack tells samples.Stream how far out of start order entries
// may be: producers list entries roughly by start (demo1.har is 5.75 s
// out), and nothing bounds it the way JMeter's write-on-end does.
func (d *Decoder) ReorderSlack() time.Duration { return 30 * time.Second }

func (d *Decoder) Meta() samples.Meta {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.meta
	m.Notes = slices.Clone(m.Notes)
	m.Saved = maps.Clone(m.Saved)
	return m
}

func (d *Decoder) setMeta(f func(m *samples.Meta)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.meta)
}

// Decode reads the next entry into s. It returns a *samples.ParseError for
// an entry it had to skip (call again to go on), and for a framing problem
// after which nothing more can be read (the next call returns io.EOF).
func (d *Decoder) Decode(s *samples.Sample) error {
	if d.err != nil {
		return d.err
	}
	raw, err := d.next()
	if err != nil {
		return err
	}
	d.p.reset(raw)
	d.p.entry(&d.e, d.want)
	if d.p.err != nil {
		return d.entryError(raw, d.p.err)
	}
	d.fill(s, &d.e)
	return nil
}

// entryError places a problem found inside the current entry.
func (d *Decoder) entryError(raw []byte, e *syntaxError) error {
	off := min(e.off, len(raw))
	before := raw[:off]
	line := d.entryLine + bytes.Count(before, nl)
	col := 0
	if k := bytes.LastIndexByte(before, '\n'); k >= 0 {
		col = off - k
	} else if d.entryColumn > 0 {
		col = d.entryColumn + off
	}
	return &samples.ParseError{
		File: d.name, Line: line, Column: col, Offset: d.entryOffset + int64(off),
		Msg: fmt.Sprintf("entry %d (line %d) skipped: %s", d.entryN, d.entryLine, e.msg),
	}
}

// entryStartError is a ParseError at the start of the current entry.
func (d *Decoder) entryStartError(format string, args ...any) error {
	return &samples.ParseError{File: d.name, Line: d.entryLine, Column: d.entryColumn, Offset: d.entryOffset,
		Msg: fmt.Sprintf(format, args...)}
}

// errorAt returns a ParseError at buffer position pos.
func (d *Decoder) errorAt(pos int, format string, args ...any) *samples.ParseError {
	line, col := d.s.position(pos)
	return &samples.ParseError{
		File: d.name, Line: line, Column: col,
		Offset: d.s.off + int64(pos), Msg: fmt.Sprintf(format, args...),
	}
}

// fatal ends the input after err: later calls return io.EOF, or the read
// error that cut the input short.
func (d *Decoder) fatal(err error) error {
	d.state = stEnd
	if d.s.rerr != nil {
		d.err = d.s.rerr
	}
	return err
}

// ended reports how the input ended where more was expected: a read error
// ends it as is, the end of the file is a positioned problem.
func (d *Decoder) ended(what string) error {
	if d.s.rerr != nil {
		d.state, d.err = stEnd, d.s.rerr
		return d.err
	}
	return d.fatal(d.errorAt(d.s.end, "the input ends %s", what))
}

func (d *Decoder) scanError(e *scanError, where string) error {
	if e.eof {
		return d.ended(where)
	}
	return d.fatal(d.errorAt(e.pos, "%s: %s", where, e.msg))
}

// next advances the framing to the next entry and returns its bytes.
func (d *Decoder) next() ([]byte, error) {
	s := d.s
	for {
		switch d.state {
		case stStart:
			if err := d.start(); err != nil {
				return nil, err
			}
		case stRoot:
			k, ok, err := d.member("in the top-level object")
			if err != nil {
				return nil, err
			}
			if !ok {
				d.state = stAfter
				if !d.sawLog {
					return nil, d.fatal(d.errorAt(s.pos-1, `not a HAR file: the top-level object has no "log" member`))
				}
				continue
			}
			if string(k) != "log" {
				if err := d.skip("a top-level member"); err != nil {
					return nil, err
				}
				continue
			}
			d.sawLog = true
			c, _ := s.peek()
			if c != '{' {
				return nil, d.fatal(d.errorAt(s.pos, `not a HAR file: "log" is %s, not an object`, kindOf(c)))
			}
			s.pos++
			d.state, d.first = stLog, true
		case stLog:
			k, ok, err := d.member(`in the "log" object`)
			if err != nil {
				return nil, err
			}
			if !ok {
				d.state, d.first = stRoot, false
				if !d.sawEntries {
					return nil, d.errorAt(s.pos-1, `the "log" object has no "entries" array`)
				}
				continue
			}
			if err := d.logMember(k); err != nil {
				return nil, err
			}
		case stEntries:
			raw, err := d.entry()
			if raw != nil || err != nil {
				return raw, err
			}
		case stAfter:
			return nil, d.after()
		case stEnd:
			d.err = io.EOF
			return nil, io.EOF
		}
	}
}

// start reads up to the '{' of the root object, past a BOM and a JSONP
// callback name.
func (d *Decoder) start() error {
	s := d.s
	if _, ok := s.fill(0); ok && bytes.HasPrefix(s.buf[s.pos:s.end], []byte("\xEF\xBB\xBF")) {
		s.pos += 3
	}
	c, ok := s.peek()
	if !ok {
		return d.ended("before any JSON")
	}
	if isIdent(c, 0) {
		start := s.pos
		for s.pos-start < maxJSONP {
			if s.pos == s.end {
				shift, ok := s.fill(start)
				start -= shift
				if !ok {
					break
				}
			}
			if !isIdent(s.buf[s.pos], s.pos-start) {
				break
			}
			s.pos++
		}
		// Place the error before peek, which may refill the buffer and
		// move the name out of it.
		notHAR := d.errorAt(start, "not a HAR file: it starts with text, not a JSON object")
		if c, _ := s.peek(); c != '(' {
			return d.fatal(notHAR)
		}
		s.pos++
		d.jsonp = true
		d.setMeta(func(m *samples.Meta) {
			m.Notes = append(m.Notes, "the HAR is wrapped in a JSONP call (HARP), as Firebug's HAR Viewer writes it")
		})
		if c, ok = s.peek(); !ok {
			return d.ended("inside the JSONP call")
		}
	}
	if c != '{' {
		return d.fatal(d.errorAt(s.pos, "not a HAR file: the JSON value is %s, not an object", kindOf(c)))
	}
	s.pos++
	d.state, d.first = stRoot, true
	return nil
}

// member reads the next member name of the object being walked and leaves
// the scanner at its value; ok is false at the closing brace. A name too
// long to be one we know comes back empty.
func (d *Decoder) member(where string) (key []byte, ok bool, err error) {
	s := d.s
	c, more := s.peek()
	if !more {
		return nil, false, d.ended(where)
	}
	if c == '}' {
		s.pos++
		return nil, false, nil
	}
	if !d.first {
		if c != ',' {
			return nil, false, d.fatal(d.errorAt(s.pos, "expected ',' or '}' %s, found %s", where, kindOf(c)))
		}
		s.pos++
		if c, more = s.peek(); !more {
			return nil, false, d.ended(where)
		}
	}
	d.first = false
	if c != '"' {
		return nil, false, d.fatal(d.errorAt(s.pos, "expected a member name %s, found %s", where, kindOf(c)))
	}
	raw, whole, serr := s.value(maxName)
	if serr != nil {
		return nil, false, d.scanError(serr, where)
	}
	d.key = d.key[:0]
	if whole {
		d.key = appendUnescaped(d.key, raw[1:len(raw)-1])
	}
	if c, more = s.peek(); !more {
		return nil, false, d.ended(where)
	}
	if c != ':' {
		return nil, false, d.fatal(d.errorAt(s.pos, "expected ':' after a member name %s, found %s", where, kindOf(c)))
	}
	s.pos++
	if _, more = s.peek(); !more {
		return nil, false, d.ended(where)
	}
	return d.key, true, nil
}

// skip passes over a value without keeping it.
func (d *Decoder) skip(what string) error {
	if _, _, err := d.s.value(0); err != nil {
		return d.scanError(err, "inside "+what)
	}
	return nil
}

func (d *Decoder) logMember(k []byte) error {
	s := d.s
	switch string(k) {
	case "entries":
		if c, _ := s.peek(); c != '[' {
			// Place the error before skipping moves the buffer.
			perr := d.errorAt(s.pos, `"entries" is %s, not an array: no entries read`, kindOf(c))
			if err := d.skip(`"entries"`); err != nil {
				return err
			}
			d.sawEntries = true // said once is enough
			return perr
		}
		s.pos++
		d.sawEntries = true
		d.state, d.first = stEntries, true
	case "version":
		raw, serr := s.short(maxName)
		if serr != nil {
			return d.scanError(serr, `inside "version"`)
		}
		if v := d.small(raw, "log.version"); v != "" {
			d.setMeta(func(m *samples.Meta) {
				if m.Saved == nil {
					m.Saved = map[string]string{}
				}
				m.Saved["version"] = v
			})
		}
	case "creator", "browser":
		what := string(k)
		raw, serr := s.short(maxCreator)
		if serr != nil {
			return d.scanError(serr, "inside "+what)
		}
		name, version := d.nameVersion(raw)
		if name == "" && version == "" {
			return nil
		}
		v := strings.TrimSpace(name + " " + version)
		if what == "creator" && strings.Contains(strings.ToLower(name), "firefox") {
			d.sslApart = true
		}
		d.setMeta(func(m *samples.Meta) {
			if what == "creator" {
				m.Producer = v
				return
			}
			if m.Saved == nil {
				m.Saved = map[string]string{}
			}
			m.Saved["browser"] = v
		})
	default:
		return d.skip("a member of log")
	}
	return nil
}

// small decodes a short scalar read by the scanner.
func (d *Decoder) small(raw []byte, path string) string {
	if raw == nil {
		return ""
	}
	d.p.reset(raw)
	v := d.p.str(path)
	if d.p.err != nil {
		return ""
	}
	return d.text(v, nil, maxName)
}

// nameVersion reads a creator or browser object.
func (d *Decoder) nameVersion(raw []byte) (name, version string) {
	if raw == nil {
		return "", ""
	}
	p := &d.p
	p.reset(raw)
	if !p.object("") {
		return "", ""
	}
	var n, v jstr
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			break
		}
		switch string(k) {
		case "name":
			n = p.str("name")
		case "version":
			v = p.str("version")
		default:
			p.skip()
		}
	}
	if p.err != nil {
		return "", ""
	}
	return d.text(n, nil, maxName), d.text(v, nil, maxName)
}

// entry reads the next element of the entries array. It returns nil, nil
// when the array has ended.
func (d *Decoder) entry() ([]byte, error) {
	s := d.s
	c, ok := s.peek()
	if !ok {
		return nil, d.ended(fmt.Sprintf("inside the \"entries\" array, after entry %d", d.entryN))
	}
	if !d.first && c != ']' {
		if c != ',' {
			return nil, d.fatal(d.errorAt(s.pos, "expected ',' or ']' after entry %d, found %s", d.entryN, kindOf(c)))
		}
		s.pos++
		if c, ok = s.peek(); !ok {
			return nil, d.ended(fmt.Sprintf("inside the \"entries\" array, after entry %d", d.entryN))
		}
	}
	if c == ']' {
		// A trailing comma before it is tolerated.
		s.pos++
		d.state, d.first = stLog, false
		return nil, nil
	}
	d.first = false
	d.entryN++
	d.entryLine, d.entryColumn = s.position(s.pos)
	d.entryOffset = s.off + int64(s.pos)
	limit := maxRecord
	if c != '{' {
		limit = 0 // not an entry: pass over it
	}
	raw, whole, err := s.value(limit)
	if err != nil {
		if err.eof {
			return nil, d.ended(fmt.Sprintf("inside entry %d (started at line %d)", d.entryN, d.entryLine))
		}
		return nil, d.fatal(d.errorAt(err.pos, "entry %d (line %d): %s", d.entryN, d.entryLine, err.msg))
	}
	switch {
	case c != '{':
		return nil, d.entryStartError("entry %d is %s, not an object: skipped", d.entryN, kindOf(c))
	case !whole:
		return nil, d.entryStartError("entry %d is larger than %s: skipped", d.entryN, sizeName(maxRecord))
	}
	return raw, nil
}

// after reads what follows the root object: the end of a JSONP call, then
// nothing.
func (d *Decoder) after() error {
	s := d.s
	d.state = stEnd
	c, ok := s.peek()
	if ok && d.jsonp && c == ')' {
		s.pos++
		if c, ok = s.peek(); ok && c == ';' {
			s.pos++
			c, ok = s.peek()
		}
	}
	if !ok {
		if s.rerr != nil {
			d.err = s.rerr
			return d.err
		}
		d.err = io.EOF
		return io.EOF
	}
	return d.errorAt(s.pos, "unexpected data after the end of the HAR (%s): ignored", kindOf(c))
}

// sizeName renders a byte limit for messages.
func sizeName(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
