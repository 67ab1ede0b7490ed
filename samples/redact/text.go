package redact

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

var (
	// scheme://user:password@ in a URL anywhere in the text.
	userInfoRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]{1,20}://)([^\s/?#@:'"<>]*):([^\s/?#@'"<>]+)@`)
	// scheme://TOKEN@: a token given as the user name (git remotes).
	userTokenRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]{1,20}://)([A-Za-z0-9_.~-]{16,})@`)
	// <Key attr="...">value</ in XML and HTML.
	xmlRE = regexp.MustCompile(`<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]{0,80}))(\s[^<>]*)?>([^<]+)</`)
	// An authentication scheme and its credential in free text.
	schemeRE = regexp.MustCompile(`(?i)\b(bearer|basic|token|apikey|api-key|digest|negotiate|ntlm|ssws|sharedkey)\s+([A-Za-z0-9._~+/=:-]{8,})`)
)

// Text masks anything in s that looks like a credential: a JWT or a key in
// a vendor's format anywhere; the value after a credential's name in a
// header line, JSON, escaped JSON, XML, a query or form, "key: value" and
// "key = 'value'" forms; a bearer or basic credential; the password in a
// URL's user info; a PEM private key. It also looks through percent
// encoding and HTML entities. It is for any text from an input on its way
// to an output; applying it twice changes nothing more.
func Text(s string) string {
	if s == "" || !suspect(s) {
		return s
	}
	out := text(s)
	// Secrets hidden by percent encoding (a redirect_uri holding another
	// query) or by HTML entities: when the decoded text still holds one,
	// the decoded text, masked, is what is shown.
	for _, dec := range []func(string) (string, bool){percentDecode, entityDecode} {
		if d, ok := dec(out); ok && d != out {
			if m := text(d); m != d {
				out = m
			}
		}
	}
	return out
}

// suspect is a cheap test that lets most strings (labels, codes, prose)
// skip the expressions.
func suspect(s string) bool {
	if strings.ContainsAny(s, "=:<@\"'%&") || strings.Contains(s, "-----BEGIN") {
		return true
	}
	for _, h := range vendorHints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return hasSchemeWord(s)
}

func text(s string) string {
	if strings.Contains(s, "-----BEGIN") {
		s = privateKeyRE.ReplaceAllStringFunc(s, Mask)
	}
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = replaceSub(userInfoRE, s, func(m []string) string {
			if masked(m[3]) {
				return m[0]
			}
			return m[1] + m[2] + ":" + Mask(m[3]) + "@"
		})
		s = replaceSub(userTokenRE, s, func(m []string) string {
			if !shaped(m[2]) {
				return m[0]
			}
			return m[1] + Mask(m[2]) + "@"
		})
	}
	s = maskHeaderLines(s)
	if strings.Contains(s, "</") {
		s = replaceSub(xmlRE, s, func(m []string) string {
			if !Name(m[2]) || strings.TrimSpace(m[4]) == "" || masked(strings.TrimSpace(m[4])) {
				return m[0]
			}
			return "<" + m[1] + m[3] + ">" + Mask(m[4]) + "</"
		})
	}
	s = maskPairs(s)
	if hasSchemeWord(s) {
		s = replaceSub(schemeRE, s, func(m []string) string {
			if masked(m[2]) || !shaped(m[2]) {
				return m[0]
			}
			return m[1] + " " + Mask(m[2])
		})
	}
	return maskVendors(s)
}

var schemeWords = []string{"bearer", "basic", "token", "apikey", "api-key", "digest", "negotiate", "ntlm", "ssws", "sharedkey"}

func hasSchemeWord(s string) bool {
	l := strings.ToLower(s)
	for _, w := range schemeWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// maskVendors masks vendor-format keys. They are runs of token
// characters, so the expression runs on each run long enough to be one
// that holds a vendor's prefix, never on the whole text: on a long text
// its bounded repetitions cost a backtrack at every position.
func maskVendors(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !tokenChar(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && tokenChar(s[j]) {
			j++
		}
		if tok := s[i:j]; j-i >= 15 && hasVendorHint(tok) {
			m := vendorRE.ReplaceAllStringFunc(tok, func(v string) string {
				if masked(v) {
					return v
				}
				return Mask(v)
			})
			if m != tok {
				b.WriteString(s[last:i])
				b.WriteString(m)
				last = j
			}
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func tokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '~' || c == '+' || c == '/' || c == '=' || c == ':'
}

// maskPairs masks the value of every key=value, key: value, key => value,
// key := value and key = 'value' whose key names a credential. It scans
// for the operators and reads the key before and the value after each,
// which is linear in the text (an expression with a bounded key would
// backtrack at every position). After ":" the words may be prose
// ("invalid token: expired"): only what looks like a credential is
// masked, or anything after a name only credentials have ("password:
// letmein"), or a quoted value.
func maskPairs(s string) string {
	if !strings.ContainsAny(s, "=:") {
		return s
	}
	var b strings.Builder
	last := 0
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c != '=' && c != ':' {
			continue
		}
		opStart, opEnd := k, k+1
		if opEnd < len(s) && (c == '=' && s[opEnd] == '>' || c == ':' && s[opEnd] == '=') {
			opEnd++
		}
		// The key: letters, digits, _ . - before the operator, past
		// blanks and one closing quote.
		e := opStart
		for e > last && (s[e-1] == ' ' || s[e-1] == '\t') {
			e--
		}
		if e > last && (s[e-1] == '"' || s[e-1] == '\'') {
			e--
			if e > last && s[e-1] == '\\' {
				e-- // \"key\": JSON inside a JSON string
			}
		}
		st := e
		for st > last && e-st < 80 && keyChar(s[st-1]) {
			st--
		}
		if st == e || !(isLetter(s[st]) || s[st] == '_') {
			continue
		}
		key := s[st:e]
		// The value: quoted, or up to a delimiter.
		v0 := opEnd
		for v0 < len(s) && (s[v0] == ' ' || s[v0] == '\t') {
			v0++
		}
		if v0 == len(s) {
			continue
		}
		q := ""
		vs, ve := v0, v0
		switch {
		case s[v0] == '\'' || s[v0] == '"':
			q = s[v0 : v0+1]
		case s[v0] == '\\' && v0+1 < len(s) && s[v0+1] == '"':
			q = `\"`
		}
		if q != "" {
			vs = v0 + len(q)
			end := strings.Index(s[vs:], q)
			if end < 0 || strings.ContainsAny(s[vs:vs+end], "\r\n") {
				continue
			}
			ve = vs + end
			if q == `"` {
				// A JSON string ends at a quote no backslash escapes.
				for ve > vs && s[ve-1] == '\\' {
					next := strings.IndexByte(s[ve+1:], '"')
					if next < 0 {
						break
					}
					ve += 1 + next
				}
			}
		} else {
			for ve < len(s) && !valueEnd(s[ve]) {
				ve++
			}
		}
		v := s[vs:ve]
		if v == "" || masked(v) || literal(v) || !Name(key) {
			continue
		}
		if s[opStart:opEnd] == ":" && q == "" && !shaped(v) && !strongName(key) {
			continue
		}
		b.WriteString(s[last:vs])
		b.WriteString(Mask(v))
		last = ve
		k = ve - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// literal reports whether v is a boolean or null literal, which no
// credential is ("save_cookies=true", "token: null"): masking it hides a
// fact and protects nothing. The gitleaks allowlist does the same.
func literal(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "null", "nil", "none":
		return true
	}
	return false
}

// maskHeaderLines masks the value of each "Name: value" line (a header
// in a request dump, YAML, a log) whose name is a credential's, keeping
// an authentication scheme (HeaderValue).
func maskHeaderLines(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	var b strings.Builder
	last := 0
	for ls := 0; ls < len(s); {
		le := strings.IndexByte(s[ls:], '\n')
		if le < 0 {
			le = len(s)
		} else {
			le += ls
		}
		line := s[ls:le]
		i := 0
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		n := i
		for n < len(line) && n-i <= 60 && keyChar(line[n]) {
			n++
		}
		c := n
		for c < len(line) && (line[c] == ' ' || line[c] == '\t') {
			c++
		}
		if n > i && isLetter(line[i]) && c < len(line) && line[c] == ':' {
			v := strings.TrimRight(strings.TrimLeft(line[c+1:], " \t"), "\r")
			if name := line[i:n]; v != "" && Name(name) {
				if hv := HeaderValue(name, v); hv != v {
					b.WriteString(s[last : ls+i])
					b.WriteString(name + ": " + hv)
					last = ls + len(strings.TrimRight(line, "\r"))
				}
			}
		}
		ls = le + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func keyChar(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// valueEnd reports whether c ends an unquoted value.
func valueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\'', '"', '&', ';', ',', '<', '>', ')', '}', ']':
		return true
	}
	return false
}

func hasVendorHint(s string) bool {
	for _, h := range vendorHints {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// replaceSub is ReplaceAllStringFunc with the submatches.
func replaceSub(re *regexp.Regexp, s string, f func(m []string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range idx {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(f(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// Shaped reports whether v looks like a credential rather than a word:
// eight characters or more, with a digit, or capitals inside, or
// punctuation among letters. Messages that quote an input where no name
// says what it holds use it to leave such values out.
func Shaped(v string) bool { return shaped(v) }

// Quotable reports whether a value of unknown meaning (a field of a row
// that is not understood) may be quoted in a message: numbers and words
// may, anything shaped like a credential may not.
func Quotable(v string) bool {
	if !shaped(v) {
		return true
	}
	return strings.IndexFunc(v, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) < 0
}

func shaped(v string) bool {
	if len(v) < 8 || strings.Contains(v, "://") {
		return false
	}
	var digit, upper, lower, other bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
			if i > 0 {
				upper = true
			}
		case c >= 'a' && c <= 'z':
			lower = true
		default:
			other = true
		}
	}
	return digit || upper && lower || other && (upper || lower)
}

// strongName reports whether a name is one that only credentials have, so
// that even a word after it is one ("password: letmein").
func strongName(name string) bool {
	for _, w := range splitWords(name) {
		switch w {
		case "password", "passwd", "pwd", "passphrase", "passcode", "secret", "apikey", "privatekey", "secretkey", "pin", "otp":
			return true
		}
	}
	j := strings.ToLower(name)
	return strings.Contains(j, "password") || strings.Contains(j, "secret")
}

func percentDecode(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, false
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		d, err = url.PathUnescape(s)
	}
	return d, err == nil
}

func entityDecode(s string) (string, bool) {
	if !strings.Contains(s, "&") || !strings.Contains(s, ";") {
		return s, false
	}
	return html.UnescapeString(s), true
}
