package samples

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problems are the issues found in the inputs. A broken file repeats the
// same problem on every record (a timestamp format nobody told us about, a
// column too many), so problems are counted by kind: per input, the first
// problem of each kind is kept with the positions of the first few like
// it, and the rest are only counted. Memory does not grow with the number
// of problems, however many million records an input rejects.
type Problems struct {
	// Count is how many problems there were in all.
	Count int `json:"count"`
	// List holds the first problem of each kind, in the order they were
	// found; at most MaxKindsPerFile per input.
	List []*ParseError `json:"-"`
	// Fatal lists inputs that ended early because of a read error, with the
	// error; samples read before it are kept.
	Fatal []error `json:"-"`
	// Late counts samples that arrived later than the reorder window allowed
	// and were delivered out of order.
	Late int `json:"late,omitempty"`
	// lateBy counts them by input.
	lateBy map[string]int
	// Warnings are facts about the inputs that make numbers wrong unless
	// the user knows them (the same file given twice, a clock that jumped
	// back); unlike problems they skip nothing.
	Warnings []string `json:"-"`

	kinds   map[kindKey]*kind
	order   []*kind
	perFile map[string]*fileCount
}

// MaxKindsPerFile is how many kinds of problem per input are told apart;
// later kinds are counted together.
const MaxKindsPerFile = 20

// maxPositions is how many positions of a kind are kept to show where the
// problem is ("like line 2 (also lines 3, 4, 5)").
const maxPositions = 4

type kindKey struct{ file, shape string }

type kind struct {
	first *ParseError
	n     int
	pos   []ParseError // positions only (File, Line, Offset), first included
}

type fileCount struct {
	n, kinds, other int
	// last is the kind of the file's latest problem: a broken file says
	// the same thing on every row, and comparing the message saves
	// working out its shape.
	last    *kind
	lastMsg string
}

func (p *Problems) add(e *ParseError) {
	p.Count++
	if p.kinds == nil {
		p.kinds = map[kindKey]*kind{}
		p.perFile = map[string]*fileCount{}
	}
	fc := p.perFile[e.File]
	if fc == nil {
		fc = &fileCount{}
		p.perFile[e.File] = fc
	}
	fc.n++
	k := fc.last
	if k == nil || e.Msg != fc.lastMsg {
		k = p.kind(fc, e)
	}
	if k == nil {
		return
	}
	k.n++
	if len(k.pos) < maxPositions {
		k.pos = append(k.pos, ParseError{File: e.File, Line: e.Line, Offset: e.Offset})
	}
}

// kind finds or makes e's kind; nil when the file has too many kinds.
func (p *Problems) kind(fc *fileCount, e *ParseError) *kind {
	key := kindKey{e.File, Shape(e.Msg)}
	k := p.kinds[key]
	if k == nil {
		if fc.kinds >= MaxKindsPerFile {
			fc.other++
			return nil
		}
		fc.kinds++
		k = &kind{first: e}
		p.kinds[key] = k
		p.order = append(p.order, k)
		p.List = append(p.List, e)
	}
	fc.last, fc.lastMsg = k, e.Msg
	return k
}

// warn adds a warning once.
func (p *Problems) warn(msg string) {
	for _, w := range p.Warnings {
		if w == msg {
			return
		}
	}
	p.Warnings = append(p.Warnings, msg)
}

// PerFile returns how many problems each input had.
func (p *Problems) PerFile() map[string]int {
	out := make(map[string]int, len(p.perFile))
	for f, c := range p.perFile {
		out[f] = c.n
	}
	return out
}

// Messages renders the problems for people, one line per kind: a problem
// seen once as "file:line: msg", a repeated one as "file: 313 problems
// like line 2 (also lines 3, 4, 5): msg"; then the kinds past
// MaxKindsPerFile, the read errors, late samples and warnings.
func (p *Problems) Messages() []string {
	var out []string
	for _, k := range p.order {
		if k.n == 1 {
			out = append(out, k.first.Error())
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s problems like %s (also %s): %s",
			k.first.File, thousands(k.n), where(&k.pos[0]), alsoAt(k.pos[1:], k.n-1), k.first.Msg))
	}
	files := make([]string, 0, len(p.perFile))
	for f := range p.perFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		if n := p.perFile[f].other; n > 0 {
			out = append(out, fmt.Sprintf("%s: %s of other kinds not shown", f, count(n, "more problem", "more problems")))
		}
	}
	for _, e := range p.Fatal {
		out = append(out, e.Error())
	}
	if late := p.Late - sumValues(p.lateBy); late > 0 {
		out = append(out, lateMessage("", late))
	}
	for _, f := range sortedKeys(p.lateBy) {
		out = append(out, lateMessage(f, p.lateBy[f]))
	}
	return append(out, p.Warnings...)
}

// lateIn records that n samples of input name arrived late.
func (p *Problems) lateIn(name string, n int) {
	if p.lateBy == nil {
		p.lateBy = map[string]int{}
	}
	p.lateBy[name] = n
}

// lateMessage says what late samples are and what they do to the
// results. The analyses that follow requests in time (requests in
// flight, token age, the diagnosis) read samples in start order, which
// JMeter does not write them in: it writes a sample when it ends. A
// reorder buffer as long as the longest sample seen puts them back in
// order; a sample that comes later still is passed on where it is.
func lateMessage(name string, n int) string {
	verb, their := "were", "their"
	if n == 1 {
		verb, their = "was", "its"
	}
	at := ""
	if name != "" {
		at = name + ": "
	}
	return at + count(n, "sample", "samples") + " came later in the file than the reorder window (as long as the longest sample seen) allowed, so " +
		verb + " analysed out of start order: " + their + " requests in flight are counted at a later moment, which can put them in a higher or lower concurrency level " +
		"(concurrency onset, capacity levels, token age); counts, response times and rates are not affected"
}

func sumValues(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// where names a position: "line 12" or "byte 3456".
func where(e *ParseError) string {
	switch {
	case e.Line > 0:
		return "line " + strconv.Itoa(e.Line)
	case e.Offset >= 0:
		return "byte " + strconv.FormatInt(e.Offset, 10)
	}
	return "an unknown place"
}

// alsoAt lists the other positions kept, with an ellipsis when there were
// more than those.
func alsoAt(pos []ParseError, more int) string {
	parts := make([]string, len(pos))
	lines := true
	for i := range pos {
		if pos[i].Line <= 0 {
			lines = false
		}
	}
	for i := range pos {
		if lines {
			parts[i] = strconv.Itoa(pos[i].Line)
		} else {
			parts[i] = where(&pos[i])
		}
	}
	s := strings.Join(parts, ", ")
	if lines {
		s = "lines " + s
		if len(pos) == 1 {
			s = "line " + parts[0]
		}
	}
	if more > len(pos) {
		s += ", …"
	}
	return s
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Shape is a message with what varies from record to record taken out:
// quoted values become "…" and numbers become #. Problems of the same
// shape are the same kind ("column 1 (timeStamp): "2026-11-26T00:35:16"
// is neither epoch milliseconds nor ..." on every row).
func Shape(msg string) string {
	var b strings.Builder
	b.Grow(len(msg))
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		switch {
		case c == '"':
			// A Go-quoted value: skip to the closing quote.
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(`"…"`)
			i = j
		case c >= '0' && c <= '9':
			for i+1 < len(msg) && msg[i+1] >= '0' && msg[i+1] <= '9' {
				i++
			}
			b.WriteByte('#')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// A ColumnsError turns down a CSV without a header line whose columns
// could not be inferred: the properties it was written with would name
// them (Options.Properties). Callers can say how to give them.
type ColumnsError struct{ Msg string }

func (e *ColumnsError) Error() string { return e.Msg }
