package multipart

import "strings"

// A param is one name=value of a Content-Type or Content-Disposition.
type param struct {
	name   string
	value  string // without quotes, quoted-pairs undone
	quoted bool
	// malformed says what is wrong with how it is written; "" when nothing.
	malformed string
}

// params iterates over the parameters of a header value, given the text
// after its first token. It reads the way Commons FileUpload does (an
// unquoted value runs to the next ';') so that it finds what a lenient
// server would find, and records in param.malformed what a strict one
// would reject.
type params struct{ s string }

func (it *params) next() (param, bool) {
	s := it.s
	for {
		s = trimLeftOWS(s)
		if s == "" {
			it.s = ""
			return param{}, false
		}
		if s[0] != ';' {
			break
		}
		s = s[1:]
	}
	var p param
	i := strings.IndexAny(s, "=;")
	if i < 0 || s[i] == ';' {
		end := len(s)
		if i >= 0 {
			end = i
		}
		p.name, p.malformed = trimOWS(s[:end]), "no value"
		it.s = s[end:]
		return p, true
	}
	p.name = trimOWS(s[:i])
	if !isToken(p.name) {
		p.malformed = "bad parameter name"
	}
	s = trimLeftOWS(s[i+1:])
	if strings.HasPrefix(s, `"`) {
		v, rest, ok := quotedString(s)
		p.value, p.quoted = v, true
		if !ok {
			p.malformed = "quoted string not closed"
		}
		rest = trimLeftOWS(rest)
		if rest != "" && rest[0] != ';' {
			p.malformed = "text after a quoted value"
			if j := strings.IndexByte(rest, ';'); j >= 0 {
				rest = rest[j:]
			} else {
				rest = ""
			}
		}
		it.s = rest
		return p, true
	}
	end := strings.IndexByte(s, ';')
	if end < 0 {
		end = len(s)
	}
	p.value = trimOWS(s[:end])
	if p.value == "" {
		p.malformed = "empty value"
	}
	it.s = s[end:]
	return p, true
}

// quotedString reads the quoted-string at the start of s. A backslash
// escapes only a tspecial, as in Go's mime package: browsers and servers
// keep other backslashes (Windows paths in filename=).
func quotedString(s string) (v, rest string, ok bool) {
	escaped := false
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && isTSpecial(s[i+1]) {
				escaped = true
				i++
			}
		case '"':
			v = s[1:i]
			if escaped {
				v = unescape(v)
			}
			return v, s[i+1:], true
		}
	}
	return s[1:], "", false
}

func unescape(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && isTSpecial(v[i+1]) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// splitValue splits a header value into its leading token ("type/subtype"
// or a disposition type) and the parameter text after it.
func splitValue(v string) (head, rest string) {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		return trimOWS(v[:i]), v[i:]
	}
	return trimOWS(v), ""
}

// isMultipart reports whether a media type is multipart/*.
func isMultipart(mediaType string) bool {
	const p = "multipart/"
	return len(mediaType) > len(p) && strings.EqualFold(mediaType[:len(p)], p)
}

// isFormData reports whether a media type is multipart/form-data.
func isFormData(mediaType string) bool {
	return strings.EqualFold(mediaType, "multipart/form-data")
}

func trimLeftOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

func trimOWS(s string) string {
	s = trimLeftOWS(s)
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isToken reports whether s is an RFC 7230 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool { return charClass[c]&token != 0 }

// isBchar reports whether c may appear in a boundary (RFC 2046 bchars).
func isBchar(c byte) bool { return charClass[c]&bchar != 0 }

// isTSpecial reports whether c is one of RFC 2045's tspecials.
func isTSpecial(c byte) bool { return charClass[c]&tspecial != 0 }

// Character classes, looked up in a table: headers are checked byte by
// byte.
const (
	token = 1 << iota
	bchar
	tspecial
)

var charClass = func() (t [256]uint8) {
	for c := '0'; c <= 'z'; c++ {
		if c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c {
			t[c] = token | bchar
		}
	}
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		t[c] |= token
	}
	for _, c := range []byte("'()+_,-./:=? ") {
		t[c] |= bchar
	}
	for _, c := range []byte(`()<>@,;:\"/[]?=`) {
		t[c] |= tspecial
	}
	return t
}()

// maxBoundary is RFC 2046's limit on the length of a boundary.
const maxBoundary = 70

// checkBoundary adds the anomalies of a non-empty boundary parameter.
func (c *Check) checkBoundary(p param) {
	b := p.value
	if len(b) > maxBoundary {
		c.add(BoundaryTooLong, 0, "boundary is "+itoa(len(b))+" characters long; RFC 2046 allows 70")
	}
	for i := 0; i < len(b); i++ {
		if !isBchar(b[i]) {
			c.add(BoundaryInvalid, 0, "boundary contains "+quoteByte(b[i])+", which RFC 2046 does not allow")
			break
		}
	}
	if b[len(b)-1] == ' ' {
		c.add(BoundaryInvalid, 0, "boundary ends with a space, which RFC 2046 does not allow")
	}
	if !p.quoted {
		for i := 0; i < len(b); i++ {
			if !isTokenChar(b[i]) {
				c.add(BoundaryUnquoted, 0, "boundary contains "+quoteByte(b[i])+" and must be quoted in Content-Type")
				break
			}
		}
	}
	if p.malformed != "" {
		c.add(BoundaryInvalid, 0, "boundary parameter is malformed: "+p.malformed)
	}
}
