package jtlxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/jtlscope/jtlscope/samples"
)

// Limits on one top-level sample element, on top of samples.MaxRecord and
// samples.MaxBody.
const (
	// maxDepth is how deeply sub-results may nest. JMeter nests a
	// Transaction Controller, its samplers and their redirect hops: three or
	// four levels; nested controllers add a few more.
	maxDepth = 64
	// maxChildren bounds the sub-results kept under one top-level sample,
	// so that a 256 MiB element of "<sample/>" cannot become 25 million
	// Samples in memory.
	maxChildren = 50_000
)

// Decoder reads the samples of one JTL XML file. Create it with NewDecoder.
type Decoder struct {
	sc     *scanner
	name   string
	want   want
	in     samples.Interner
	recent [len(attrNames)]recentValues

	maxRecord int64
	maxBody   int

	started    bool
	sawMarkup  bool // a tag or the XML declaration
	inRoot     bool // inside <testResults>
	rootSeen   bool
	complete   int   // top-level samples decoded
	final      error // returned by every later call once set
	doctypeMsg bool

	// Problems waiting to be returned, and a sample held back while they
	// are: Decode returns one or the other per call.
	pending []*samples.ParseError
	held    samples.Sample
	holding bool

	// The element being decoded: open sample and container elements.
	stack       []frame
	top         string // name and position of the top-level element
	topLine     int
	topStartCol int
	depth       int // sample frames open
	kids        int // sub-results kept under the current top-level sample
	warned      bool

	// Where top-level samples start, to find the next one after a problem.
	resumeCol  int // 1-based column of their tags; 0 unknown, -1 not consistent
	topNames   []string
	longestTop int // longest name in aliases and topNames

	text  []byte // scratch for element text
	abuf  []byte // scratch for an attribute value
	vars  []samples.Var
	hdrs  []samples.Header
	hslab []samples.Header // handed out in pieces, never written twice
	vslab []samples.Var

	meta metaInfo
}

// want says which expensive fields the caller asked for (Options.Need).
type want struct {
	reqHeaders, respHeaders bool
	reqBody, respBody       bool
	cookies, url, method    bool
	assertions, vars        bool
	samplerData             bool // any of body, method, URL, cookies
}

type frameKind uint8

const (
	frameSample frameKind = iota
	frameSubResults
	frameAssertions
)

type frame struct {
	kind   frameKind
	name   string
	s      samples.Sample
	plugin bool // a SampleResult subclass written field by field (jmeter-plugins)
	http   bool

	hasRC, hasSC     bool
	startTime        int64 // plugin <startTime>, used when timeStamp is 0
	endTime          int64
	hasQuery         bool
	samplerData      string
	hasSamplerData   bool
	samplerDataCut   bool
	savedRespData    bool
	savedSamplerData bool
}

// NewDecoder returns a decoder reading r. name is used in messages.
func NewDecoder(r io.Reader, name string, opts samples.Options) (*Decoder, error) {
	d := &Decoder{
		sc:         newScanner(r, samples.MaxRecord),
		name:       name,
		maxRecord:  samples.MaxRecord,
		maxBody:    samples.MaxBody,
		longestTop: len("/testResults"),
	}
	n := opts.Needs
	d.want = want{
		reqHeaders:  n(samples.FieldRequestHeaders),
		respHeaders: n(samples.FieldResponseHeaders),
		reqBody:     n(samples.FieldRequestBody),
		respBody:    n(samples.FieldResponseBody),
		cookies:     n(samples.FieldCookies),
		url:         n(samples.FieldURL),
		method:      n(samples.FieldMethod),
		assertions:  n(samples.FieldAssertions) || n(samples.FieldFailureMessage),
		vars:        n(samples.FieldVars),
	}
	d.want.samplerData = d.want.reqBody || d.want.method || d.want.url || d.want.cookies
	return d, nil
}

// Decode reads the next top-level sample, with its sub-results, into s;
// see samples.Decoder. Problems met inside a sample that could be stepped
// over (an unknown entity, a bad number) are returned first, one per call,
// and the sample after them.
func (d *Decoder) Decode(s *samples.Sample) error {
	*s = samples.Sample{}
	if e := d.popPending(); e != nil {
		return e
	}
	if d.holding {
		*s, d.held, d.holding = d.held, samples.Sample{}, false
		return nil
	}
	if d.final != nil {
		return d.final
	}
	err := d.decode(s)
	d.drainScanner()
	if err == nil {
		if len(d.pending) == 0 {
			return nil
		}
		// Report the problems met inside this sample first, then the sample.
		d.held, d.holding = *s, true
		*s = samples.Sample{}
		return d.popPending()
	}
	var pe *samples.ParseError
	if errors.As(err, &pe) {
		d.pending = append(d.pending, pe)
		return d.popPending()
	}
	d.final = err
	if e := d.popPending(); e != nil {
		return e
	}
	return err
}

func (d *Decoder) popPending() error {
	if len(d.pending) == 0 {
		return nil
	}
	e := d.pending[0]
	d.pending[0] = nil
	d.pending = d.pending[1:]
	return e
}

// decode reads up to the next top-level sample element and decodes it.
func (d *Decoder) decode(s *samples.Sample) error {
	if !d.started {
		d.start()
	}
	sc := d.sc
	for {
		tok, err := sc.next()
		if err != nil {
			return d.failed(err, false)
		}
		d.sawMarkup = d.sawMarkup || tok != tokEOF
		switch tok {
		case tokEOF:
			return d.atEOF()
		case tokEnd:
			if d.inRoot && string(sc.name) == "testResults" {
				d.inRoot = false
				continue
			}
			return d.problemAt(sc.tagStart, "unexpected end tag </%s>; skipped", sc.name)
		case tokStart:
			if !d.inRoot && string(sc.name) == "testResults" {
				d.inRoot, d.rootSeen = true, true
				if sc.selfClosing {
					d.inRoot = false
				}
				continue
			}
			if !d.inRoot && !isAlias(sc.name) {
				if err := d.foreign(); err != nil {
					return err
				}
				continue
			}
			return d.sample(s)
		}
	}
}

// foreign handles an element outside <testResults> that is not a sample.
func (d *Decoder) foreign() error {
	sc := d.sc
	line, col, off := sc.posAt(sc.tagStart)
	if !d.rootSeen && d.complete == 0 {
		msg := fmt.Sprintf("the root element is <%s>, not <testResults>: not a JMeter XML results file", sc.name)
		if string(sc.name) == "jmeterTestPlan" {
			msg = "this is a JMeter test plan (.jmx), not a results file; results are written with -l results.jtl"
		}
		d.final = io.EOF
		return d.perr(line, col, off, msg)
	}
	d.pending = append(d.pending, d.perr(line, col, off, fmt.Sprintf("element <%s> outside <testResults>; skipped", sc.name)))
	if err := d.skipElement(); err != nil {
		return d.failed(err, false)
	}
	return nil
}

// atEOF ends the input: cleanly, or with the one problem that says the
// file was cut off.
func (d *Decoder) atEOF() error {
	d.final = io.EOF
	line, col, off := d.sc.posAt(d.sc.end)
	switch {
	case d.inRoot:
		return d.perr(line, col, off, fmt.Sprintf(
			"file ends without </testResults>: the test was probably killed or is still running; %s read",
			completeSamples(d.complete)))
	case !d.rootSeen && d.complete == 0 && d.sawMarkup:
		return d.perr(line, col, off, "no <testResults> element and no samples: not a JMeter XML results file")
	case !d.rootSeen && d.complete == 0 && d.sc.sawText:
		// Text without a single tag: a CSV given --input-format xml.
		return d.perr(1, 1, 0, "no XML markup at all: not a JMeter XML results file (a CSV? leave --input-format out to detect the format)")
	}
	return io.EOF
}

func completeSamples(n int) string {
	if n == 1 {
		return "1 complete sample was"
	}
	return fmt.Sprintf("%d complete samples were", n)
}

// failed turns an error from the scanner into what Decode returns: a
// problem with the input is a ParseError (after which decoding resumes at
// the next top-level sample); the input ending inside markup is the
// truncation report; anything else (a read error) ends the input.
func (d *Decoder) failed(err error, inSample bool) error {
	var se *syntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if se.eof {
		d.final = io.EOF
		if inSample {
			return d.perr(se.line, se.col, se.off, fmt.Sprintf(
				"file ends inside <%s> started at line %d: the test was probably killed while writing; %s read",
				d.top, d.topLine, completeSamples(d.complete)))
		}
		return d.perr(se.line, se.col, se.off, fmt.Sprintf(
			"file is cut off (%s): the test was probably killed while writing; %s read",
			se.msg, completeSamples(d.complete)))
	}
	msg := se.msg + "; skipped to the next sample"
	if inSample {
		msg = fmt.Sprintf("%s; the sample <%s> at line %d is skipped", se.msg, d.top, d.topLine)
	}
	pe := d.perr(se.line, se.col, se.off, msg)
	if err := d.resync(); err != nil {
		d.final = fmt.Errorf("%s: %w", d.name, err)
	}
	return pe
}

// problemAt is a ParseError at buffer index p.
func (d *Decoder) problemAt(p int, format string, args ...any) *samples.ParseError {
	line, col, off := d.sc.posAt(p)
	return d.perr(line, col, off, fmt.Sprintf(format, args...))
}

func (d *Decoder) perr(line, col int, off int64, msg string) *samples.ParseError {
	return &samples.ParseError{File: d.name, Line: line, Column: col, Offset: off, Msg: msg}
}

// drainScanner turns what the scanner stepped over into problems.
func (d *Decoder) drainScanner() {
	sc := d.sc
	if sc.sawDoctype && !d.doctypeMsg {
		d.doctypeMsg = true
		d.pending = append(d.pending, d.perr(sc.doctype.line, sc.doctype.col, sc.doctype.off,
			"DOCTYPE with entity declarations or external references ignored: entities are not expanded and nothing is fetched"))
	}
	for _, w := range sc.warnings {
		d.pending = append(d.pending, d.perr(w.line, w.col, w.off, w.msg))
	}
	sc.warnings = sc.warnings[:0]
}

// resync skips to the next top-level sample start tag (or the end of
// <testResults>), after a problem made the current one unreadable. JMeter
// writes top-level samples at one indentation and sub-results deeper, so
// a tag at that column with a top-level name is a sound place to go on.
func (d *Decoder) resync() error {
	sc := d.sc
	if sc.pos < sc.end && sc.buf[sc.pos] == '<' {
		sc.pos++ // not the tag that failed again
	}
	for {
		i := bytes.IndexByte(sc.buf[sc.pos:sc.end], '<')
		if i < 0 {
			sc.pos = sc.end
			if err := sc.fill(sc.pos); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			continue
		}
		sc.pos += i
		sc.ensure(d.longestTop + 2) // '<', the name, and what follows it
		rest := sc.buf[sc.pos+1 : sc.end]
		if hasTag(rest, "/testResults") {
			return nil
		}
		if d.resumesAt(rest) {
			if d.resumeCol <= 0 {
				return nil
			}
			if _, col, _ := sc.posAt(sc.pos); col == d.resumeCol {
				return nil
			}
		}
		sc.pos++
	}
}

func (d *Decoder) resumesAt(rest []byte) bool {
	for _, n := range aliases {
		if hasTag(rest, n) {
			return true
		}
	}
	for _, n := range d.topNames {
		if hasTag(rest, n) {
			return true
		}
	}
	return false
}

// hasTag reports whether b starts with the tag name n, whole.
func hasTag(b []byte, n string) bool {
	if len(b) <= len(n) || string(b[:len(n)]) != n {
		return false
	}
	c := b[len(n)]
	return isSpace(c) || c == '>' || c == '/'
}

// aliases are the element names JMeter's saveservice.properties gives
// sample results.
var aliases = []string{"httpSample", "sample", "statSample"}

func isAlias(name []byte) bool {
	switch string(name) {
	case "httpSample", "sample", "statSample":
		return true
	}
	return false
}

// noteTop records where a top-level sample starts, for resync.
func (d *Decoder) noteTop(name string, col int) {
	switch {
	case d.resumeCol == 0:
		d.resumeCol = col
	case d.resumeCol != col:
		d.resumeCol = -1
	}
	if isAlias([]byte(name)) {
		return
	}
	for _, n := range d.topNames {
		if n == name {
			return
		}
	}
	if len(d.topNames) < 8 && len(name) <= 256 {
		d.topNames = append(d.topNames, name)
		d.longestTop = max(d.longestTop, len(name))
	}
}

// sample decodes the top-level sample element whose start tag was just
// read, with everything nested in it, into out. Nesting is kept on an
// explicit stack, never on the Go stack.
func (d *Decoder) sample(out *samples.Sample) error {
	sc := d.sc
	startOff := sc.offset(sc.tagStart)
	line, col, _ := sc.posAt(sc.tagStart)
	d.top = d.in.Bytes(sc.name)
	d.topLine, d.topStartCol = line, col
	d.noteTop(d.top, col)
	clear(d.stack) // what an aborted sample left
	d.stack = d.stack[:0]
	d.depth, d.kids, d.warned = 0, 0, false
	d.pushSample(line, true)
	if sc.selfClosing {
		d.popFrame(out)
	}
	for len(d.stack) > 0 {
		if sc.offset(sc.pos)-startOff > d.maxRecord {
			return d.oversize(startOff)
		}
		tok, err := sc.next()
		if err != nil {
			return d.failed(err, true)
		}
		switch tok {
		case tokEOF:
			return d.failed(sc.errAt(sc.end, true, "end of input"), true)
		case tokEnd:
			f := &d.stack[len(d.stack)-1]
			if string(sc.name) != f.name {
				return d.failed(sc.errAt(sc.tagStart, false, "end tag </%s> does not match <%s>", sc.name, f.name), true)
			}
			d.popFrame(out)
		case tokStart:
			if err := d.child(); err != nil {
				return d.failed(err, true)
			}
		}
	}
	if sc.offset(sc.pos)-startOff > d.maxRecord {
		*out = samples.Sample{}
		return d.tooLarge(startOff)
	}
	d.complete++
	return nil
}

// oversize skips the rest of a top-level element that outgrew maxRecord.
func (d *Decoder) oversize(startOff int64) error {
	sc := d.sc
	pe := d.tooLarge(startOff)
	open := len(d.stack)
	clear(d.stack)
	d.stack = d.stack[:0]
	for open > 0 {
		tok, err := sc.next()
		if err != nil {
			return d.failed(err, true)
		}
		switch tok {
		case tokEOF:
			return d.failed(sc.errAt(sc.end, true, "end of input"), true)
		case tokStart:
			if !sc.selfClosing {
				open++
			}
		case tokEnd:
			open--
		}
	}
	return pe
}

func (d *Decoder) tooLarge(startOff int64) *samples.ParseError {
	return d.perr(d.topLine, d.topStartCol, startOff,
		fmt.Sprintf("the sample <%s> is larger than %d bytes; skipped", d.top, d.maxRecord))
}

// child handles a start tag inside the innermost open frame.
func (d *Decoder) child() error {
	sc := d.sc
	fi := len(d.stack) - 1
	switch d.stack[fi].kind {
	case frameSubResults:
		return d.nested()
	case frameAssertions:
		return d.assertion(d.sampleFrame())
	}
	name := sc.name
	if string(name) == "assertionResult" {
		return d.assertion(fi)
	}
	if handled, err := d.field(fi); handled {
		return err
	}
	if isAlias(name) || isSampleLike(name, sc.attrs) {
		return d.nested()
	}
	return d.skipElement()
}

// isSampleLike recognises a sub-result that is not one of JMeter's
// aliases: a SampleResult subclass that XStream names by its class, or
// any element carrying sample attributes.
func isSampleLike(name []byte, attrs []attr) bool {
	for _, a := range attrs {
		switch string(a.name) {
		case "lb", "ts", "t", "rc":
			return true
		}
	}
	return bytes.IndexByte(name, '.') >= 0 &&
		(bytes.Contains(name, []byte("Sample")) || bytes.HasSuffix(name, []byte("Result")))
}

// nested opens a sub-result, unless nesting or count limits say skip it.
func (d *Decoder) nested() error {
	sc := d.sc
	if d.depth >= maxDepth || d.kids >= maxChildren {
		if !d.warned {
			d.warned = true
			what := fmt.Sprintf("sub-results nested deeper than %d levels", maxDepth)
			if d.kids >= maxChildren {
				what = fmt.Sprintf("more than %d sub-results", maxChildren)
			}
			d.pending = append(d.pending, d.problemAt(sc.tagStart,
				"the sample <%s> at line %d has %s; the rest are skipped", d.top, d.topLine, what))
		}
		return d.skipElement()
	}
	line, _, _ := sc.posAt(sc.tagStart)
	d.kids++
	d.meta.nested = true
	d.pushSample(line, false)
	if sc.selfClosing {
		d.popFrame(nil)
	}
	return nil
}

// sampleFrame is the index of the innermost sample frame.
func (d *Decoder) sampleFrame() int {
	for i := len(d.stack) - 1; i > 0; i-- {
		if d.stack[i].kind == frameSample {
			return i
		}
	}
	return 0
}

// pushSample opens a frame for the sample whose start tag was just read.
func (d *Decoder) pushSample(line int, top bool) {
	sc := d.sc
	d.stack = append(d.stack, frame{})
	f := &d.stack[len(d.stack)-1]
	f.kind = frameSample
	f.name = d.in.Bytes(sc.name)
	f.plugin = !isAlias(sc.name)
	f.http = string(sc.name) == "httpSample" || bytes.HasSuffix(sc.name, []byte("HTTPSampleResult"))
	f.s.Source = d.name
	f.s.Line = line
	d.depth++
	d.attrs(f)
	if top && f.plugin {
		d.meta.plugin = f.name
	}
}

// popFrame closes the innermost frame; a finished sample goes to its
// parent's Children, or to out when it is the top-level one.
func (d *Decoder) popFrame(out *samples.Sample) {
	i := len(d.stack) - 1
	f := &d.stack[i]
	if f.kind != frameSample {
		d.stack = d.stack[:i]
		return
	}
	d.finish(f)
	d.depth--
	if i == 0 {
		*out = f.s
	} else {
		p := &d.stack[d.sampleFrameBelow(i)]
		p.s.Children = append(p.s.Children, f.s)
	}
	d.stack[i] = frame{}
	d.stack = d.stack[:i]
}

func (d *Decoder) sampleFrameBelow(i int) int {
	for j := i - 1; j > 0; j-- {
		if d.stack[j].kind == frameSample {
			return j
		}
	}
	return 0
}

// skipElement skips the element whose start tag was just read.
func (d *Decoder) skipElement() error {
	sc := d.sc
	if sc.selfClosing {
		return nil
	}
	open := 1
	for open > 0 {
		tok, err := sc.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return sc.errAt(sc.end, true, "end of input")
		case tokStart:
			if !sc.selfClosing {
				open++
			}
		case tokEnd:
			open--
		}
	}
	return nil
}

// leaf reads the text of the element (called name) whose start tag was
// just read, up to its end tag; elements inside it are skipped. The text
// stays valid until the next leaf. When keep is false it is not kept.
func (d *Decoder) leaf(name string, keep bool, limit int) (text []byte, cut bool, err error) {
	sc := d.sc
	if sc.selfClosing {
		return nil, false, nil
	}
	buf := d.text[:0]
	for {
		buf, err = sc.text(buf, limit, keep)
		if err != nil {
			return nil, false, err
		}
		tok, err := sc.next()
		if err != nil {
			return nil, false, err
		}
		switch tok {
		case tokEOF:
			return nil, false, sc.errAt(sc.end, true, "end of input")
		case tokEnd:
			if string(sc.name) != name {
				return nil, false, sc.errAt(sc.tagStart, false, "end tag </%s> does not match <%s>", sc.name, name)
			}
			d.text = buf
			if len(buf) > limit {
				return trimRune(buf[:limit]), true, nil
			}
			return buf, false, nil
		case tokStart:
			if err := d.skipElement(); err != nil {
				return nil, false, err
			}
		}
	}
}

// smallLimit bounds the text of fields that are not bodies (codes,
// method, assertion names, numbers in plugin elements).
const smallLimit = 64 << 10

// assertion reads an assertionResult (or, in a plugin element, an
// AssertionResult inside <assertionResults>) into the sample frame si.
func (d *Decoder) assertion(si int) error {
	sc := d.sc
	elem := d.in.Bytes(sc.name)
	d.meta.assertions = true
	keep := d.want.assertions
	if !keep {
		return d.skipElement()
	}
	var a samples.Assertion
	hasMsg := false
	if !sc.selfClosing {
	loop:
		for {
			tok, err := sc.next()
			if err != nil {
				return err
			}
			switch tok {
			case tokEOF:
				return sc.errAt(sc.end, true, "end of input")
			case tokEnd:
				if string(sc.name) != elem {
					return sc.errAt(sc.tagStart, false, "end tag </%s> does not match <%s>", sc.name, elem)
				}
				break loop
			case tokStart:
				switch n := string(sc.name); n {
				case "name":
					t, _, err := d.leaf(n, true, smallLimit)
					if err != nil {
						return err
					}
					a.Name = d.in.Bytes(t)
				case "failure", "error":
					t, _, err := d.leaf(n, true, smallLimit)
					if err != nil {
						return err
					}
					v := isTrue(t)
					if n == "failure" {
						a.Failure = v
					} else {
						a.Error = v
					}
				case "failureMessage":
					t, _, err := d.leaf(n, true, d.maxBody)
					if err != nil {
						return err
					}
					a.Message = string(t)
					hasMsg = true
				default:
					if err := d.skipElement(); err != nil {
						return err
					}
				}
			}
		}
	}
	s := &d.stack[si].s
	s.Assertions = append(s.Assertions, a)
	s.Has |= samples.FieldAssertions | samples.FieldFailureMessage
	if hasMsg && s.FailureMessage == "" {
		// JMeter's CSV failureMessage column: the first non-null message.
		s.FailureMessage = a.Message
		d.meta.failureMessage = true
	}
	return nil
}

// trimRune drops a UTF-8 sequence cut in half at the end of b.
func trimRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if c >= 0xC0 { // a lead byte: is its sequence complete?
			need := 2
			if c >= 0xE0 {
				need = 3
			}
			if c >= 0xF0 {
				need = 4
			}
			if i < need {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}
