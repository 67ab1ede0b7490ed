package har

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON reader for one HAR entry held in memory. It
// reads the members we map and skips the rest without building anything
// (see the package documentation for why not encoding/json).
//
// Nothing here recurses on the input: objects we descend into are the fixed
// HAR shape (entry > request > headers > header), and values we skip are
// walked by valueScan with a bit stack, so a value nested a million levels
// deep costs 125 KB, not a stack overflow.

// A jstr is a scalar as written: the bytes between the quotes of a string
// (still escaped when esc is set), or the text of a number, true or false,
// or a whole object or array where any value is accepted. It points into
// the entry's bytes and is valid until the next entry is read.
type jstr struct {
	b   []byte
	set bool // false for a missing member or null
	esc bool // b holds backslash escapes
}

// A num is a number member. null, "" and a missing member are -1, which HAR
// uses for "not available"; set tells a missing member apart.
type num struct {
	v   float64
	set bool
}

func (n num) known() bool { return n.set && n.v >= 0 }

// A syntaxError is a problem at a byte offset in the entry.
type syntaxError struct {
	off int
	msg string
}

// A parser reads one JSON text. Errors are sticky: after the first one
// every method returns at once, so that callers can read straight through
// and check err once.
type parser struct {
	b   []byte
	i   int
	err *syntaxError
	vs  valueScan
}

func (p *parser) reset(b []byte) {
	p.b, p.i, p.err = b, 0, nil
}

func (p *parser) fail(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
	}
	p.i = len(p.b)
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\n', '\r', '\t':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (p *parser) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// object starts reading an object member. It returns false, having
// consumed the value, when the value is null; any other non-object is a
// type error.
func (p *parser) object(path string) bool {
	switch c := p.peek(); c {
	case '{':
		p.i++
		return true
	case 'n':
		p.null(path)
		return false
	default:
		p.typeError(path, c, "an object")
		return false
	}
}

// array is object for arrays.
func (p *parser) array(path string) bool {
	switch c := p.peek(); c {
	case '[':
		p.i++
		return true
	case 'n':
		p.null(path)
		return false
	default:
		p.typeError(path, c, "an array")
		return false
	}
}

func (p *parser) null(path string) {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return
	}
	p.fail(p.i, "%s: invalid literal", path)
}

func (p *parser) typeError(path string, c byte, want string) {
	if p.err != nil {
		return
	}
	p.fail(p.i, "%s is %s, not %s", path, kindOf(c), want)
}

// kindOf names the JSON value that starts with c, for messages: never the
// value itself, which may be a token.
func kindOf(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case c == 0:
		return "missing"
	}
	return fmt.Sprintf("%q", c)
}

// member advances to the next member of an object opened by object and
// returns its key, positioned at the value; it returns false at the
// closing brace. first must start true.
func (p *parser) member(first *bool) ([]byte, bool) {
	if !p.more('}', first) {
		return nil, false
	}
	if p.peek() != '"' {
		p.fail(p.i, "expected a member name in quotes, found %s", kindOf(p.peek()))
		return nil, false
	}
	k := p.str("member name")
	if p.peek() != ':' {
		p.fail(p.i, "expected ':' after a member name")
		return nil, false
	}
	p.i++
	if k.esc {
		// Names are short and escapes in them rare; decode them anyway so
		// that "\u0075rl" is "url".
		return appendUnescaped(nil, k.b), true
	}
	return k.b, true
}

// elem advances to the next element of an array opened by array.
func (p *parser) elem(first *bool) bool { return p.more(']', first) }

func (p *parser) more(end byte, first *bool) bool {
	if p.err != nil {
		return false
	}
	c := p.peek()
	if c == end {
		p.i++
		return false
	}
	if *first {
		*first = false
		if c == 0 {
			p.fail(p.i, "unexpected end of data")
			return false
		}
		return true
	}
	if c != ',' {
		p.fail(p.i, "expected ',' or '%c', found %s", end, kindOf(c))
		return false
	}
	p.i++
	return true
}

// str reads a scalar where a string is expected. Numbers and booleans are
// taken as written (producers disagree about types); null gives an unset
// jstr; an object or array is a type error.
func (p *parser) str(path string) jstr {
	switch c := p.peek(); {
	case c == '"':
		return p.quoted(path)
	case c == 'n':
		p.null(path)
		return jstr{}
	case c == '-' || c == 't' || c == 'f' || c >= '0' && c <= '9':
		return jstr{b: p.literal(path), set: true}
	default:
		p.typeError(path, c, "a string")
		return jstr{}
	}
}

// any reads any value: a string is returned unquoted, anything else as
// its JSON text (chrome-har writes JSON objects as postData param values).
func (p *parser) any(path string) jstr {
	switch c := p.peek(); c {
	case '"', 'n':
		return p.str(path)
	case '{', '[':
		start := p.i
		p.skip()
		return jstr{b: p.b[start:p.i], set: p.err == nil}
	default:
		return p.str(path)
	}
}

// quoted reads a string at p.i, which is a quote.
func (p *parser) quoted(path string) jstr {
	start := p.i + 1
	for j := start; ; {
		q := bytes.IndexByte(p.b[j:], '"')
		if q < 0 {
			p.fail(start-1, "%s: string is not closed", path)
			return jstr{}
		}
		j += q
		if oddBackslashes(p.b[start:j], false) {
			j++
			continue
		}
		s := p.b[start:j]
		p.i = j + 1
		return jstr{b: s, set: true, esc: bytes.IndexByte(s, '\\') >= 0}
	}
}

// literal reads a number, true, false or null and returns its text.
func (p *parser) literal(path string) []byte {
	start := p.i
	for p.i < len(p.b) && isLiteral[p.b[p.i]] {
		p.i++
	}
	lit := p.b[start:p.i]
	switch lit[0] {
	case 't':
		if string(lit) == "true" {
			return lit
		}
	case 'f':
		if string(lit) == "false" {
			return lit
		}
	case 'n':
		if string(lit) == "null" {
			return lit
		}
	default:
		if validNumber(lit) {
			return lit
		}
	}
	p.fail(start, "%s: invalid literal", path)
	return nil
}

// num reads a number member. A string holding a number is taken (some
// tools quote them); null and "" mean -1, "not available".
func (p *parser) num(path string) num {
	switch c := p.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		lit := p.literal(path)
		if p.err != nil {
			return num{}
		}
		return parseNum(lit)
	case c == 'n':
		p.null(path)
		return num{v: -1, set: true}
	case c == '"':
		at := p.i
		s := p.quoted(path)
		t := bytes.TrimSpace(s.b)
		if len(t) == 0 {
			return num{v: -1, set: true}
		}
		if !s.esc && validNumber(t) {
			return parseNum(t)
		}
		if p.err == nil {
			p.fail(at, "%s is a string that is not a number", path)
		}
		return num{}
	default:
		p.typeError(path, c, "a number")
		return num{}
	}
}

func parseNum(lit []byte) num {
	v, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || v != v { // out of range; NaN cannot come from validNumber
		return num{v: -1, set: true}
	}
	return num{v: v, set: true}
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// skip passes over one value of any kind.
func (p *parser) skip() {
	if p.err != nil {
		return
	}
	p.ws()
	if p.i >= len(p.b) {
		p.fail(p.i, "expected a value, found the end of the entry")
		return
	}
	start := p.i
	p.vs.reset()
	n, err := p.vs.step(p.b[p.i:], true)
	if err != nil {
		p.fail(start+err.off, "%s", err.msg)
		return
	}
	if !p.vs.done {
		p.fail(start, "value is not closed")
		return
	}
	p.i += n
}

// oddBackslashes reports whether b ends in an odd number of backslashes,
// counting on into the bytes before b (whose state is carry) when b is
// all backslashes. A quote after an odd run is escaped.
func oddBackslashes(b []byte, carry bool) bool {
	k := 0
	for k < len(b) && b[len(b)-1-k] == '\\' {
		k++
	}
	odd := k&1 == 1
	if k == len(b) {
		return odd != carry
	}
	return odd
}

// isLiteral marks the bytes that can appear in a number, true, false or
// null.
var isLiteral = func() (t [256]bool) {
	for _, c := range []byte("0123456789+-.eEtruefalsn") {
		t[c] = true
	}
	return t
}()

// A valueScan finds where a JSON value ends, fed a piece at a time so that
// it can run over a stream. It checks that strings close and brackets
// match, not the grammar between them: that is what the parser checks for
// the values it reads.
type valueScan struct {
	stack   []uint64 // one bit per open bracket: 1 for '{', 0 for '['
	depth   int
	started bool
	inStr   bool
	odd     bool // the string so far ends in an odd run of backslashes
	lit     bool // the value is a bare literal
	done    bool
}

func (v *valueScan) reset() {
	if cap(v.stack) > 1<<10 {
		v.stack = nil // a freak depth seen once is not kept
	}
	v.stack = v.stack[:0]
	v.depth = 0
	v.started, v.inStr, v.odd, v.lit, v.done = false, false, false, false, false
}

func (v *valueScan) push(obj bool) {
	w, bit := v.depth/64, uint(v.depth%64)
	if w == len(v.stack) {
		v.stack = append(v.stack, 0)
	}
	if obj {
		v.stack[w] |= 1 << bit
	} else {
		v.stack[w] &^= 1 << bit
	}
	v.depth++
}

func (v *valueScan) pop() (obj bool) {
	v.depth--
	w, bit := v.depth/64, uint(v.depth%64)
	return v.stack[w]&(1<<bit) != 0
}

// step scans b, the next bytes of the value, and returns how many belong
// to it; done is set once the value is complete. atEOF says nothing
// follows b, which ends a bare literal.
func (v *valueScan) step(b []byte, atEOF bool) (int, *syntaxError) {
	i := 0
	if !v.started {
		if len(b) == 0 {
			return 0, nil
		}
		v.started = true
		switch c := b[0]; {
		case c == '{' || c == '[':
			v.push(c == '{')
			i = 1
		case c == '"':
			v.inStr = true
			i = 1
		case isLiteral[c]:
			v.lit = true
		default:
			return 0, &syntaxError{0, fmt.Sprintf("expected a value, found %s", kindOf(c))}
		}
	}
	if v.lit {
		for i < len(b) && isLiteral[b[i]] {
			i++
		}
		v.done = i < len(b) || atEOF
		return i, nil
	}
	for i < len(b) {
		if v.inStr {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				v.odd = oddBackslashes(b[i:], v.odd)
				return len(b), nil
			}
			escaped := oddBackslashes(b[i:i+q], v.odd)
			i += q + 1
			v.odd = false
			if escaped {
				continue
			}
			v.inStr = false
			if v.depth == 0 {
				v.done = true
				return i, nil
			}
			continue
		}
		switch c := b[i]; c {
		case ' ', '\n', '\r', '\t', ',', ':':
			i++
		case '"':
			v.inStr = true
			i++
		case '{', '[':
			v.push(c == '{')
			i++
		case '}', ']':
			if v.depth == 0 || v.pop() != (c == '}') {
				return i, &syntaxError{i, fmt.Sprintf("'%c' does not match the bracket it closes", c)}
			}
			i++
			if v.depth == 0 {
				v.done = true
				return i, nil
			}
		default:
			if !isLiteral[c] {
				return i, &syntaxError{i, fmt.Sprintf("unexpected %s", kindOf(c))}
			}
			i++
		}
	}
	return i, nil
}

// appendUnescaped appends the string with JSON escapes b decodes to.
// Invalid escapes are kept as written: the text is evidence, and a lone
// bad escape should not cost the whole entry.
func appendUnescaped(dst, b []byte) []byte {
	return appendUnescapedMax(dst, b, math.MaxInt)
}

// appendUnescapedMax is appendUnescaped that stops once dst holds limit
// bytes or more (the last rune may then be cut), so that decoding the
// start of a long body costs only that start.
func appendUnescapedMax(dst, b []byte, limit int) []byte {
	for len(b) > 0 && len(dst) < limit {
		k := bytes.IndexByte(b, '\\')
		if k < 0 {
			k = len(b)
		}
		if room := limit - len(dst); k > room {
			return append(dst, b[:room]...)
		}
		dst = append(dst, b[:k]...)
		b = b[k:]
		if len(b) == 0 {
			break
		}
		if len(b) < 2 {
			return append(dst, b...)
		}
		switch c := b[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := unicodeEscape(b)
			if n == 0 {
				dst = append(dst, b[:2]...)
				b = b[2:]
				continue
			}
			dst = utf8.AppendRune(dst, r)
			b = b[n:]
			continue
		default:
			dst = append(dst, b[:2]...)
		}
		b = b[2:]
	}
	return dst
}

// unicodeEscape decodes \uXXXX, or a surrogate pair of them, at the start
// of b, returning the rune and the bytes used (0 if b is not one). A lone
// surrogate is U+FFFD, as encoding/json makes it.
func unicodeEscape(b []byte) (rune, int) {
	r, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if r2, ok := hex4(b[6:]); ok && b[6] == '\\' {
		if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
			return d, 12
		}
	}
	return utf8.RuneError, 6
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
