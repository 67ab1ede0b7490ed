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
	// "Name: value" lines: headers in a request dump, YAML, logs.
	headerLineRE = regexp.MustCompile(`(?m)^([ \t]*)([A-Za-z][A-Za-z0-9_.-]{0,60})[ \t]*:[ \t]*([^\r\n]*)`)
	// "key": value in JSON, the value a string, a number or a boolean.
	jsonRE = regexp.MustCompile(`"([^"\\]{1,80})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false)`)
	// \"key\":\"value\": JSON inside a JSON string.
	escJSONRE = regexp.MustCompile(`\\"([^"\\]{1,80})\\"(\s*:\s*)(\\"(?:[^"\\]|\\[^"])*\\"|-?[0-9][0-9.eE+-]*)`)
	// <Key attr="...">value</ in XML and HTML.
	xmlRE = regexp.MustCompile(`<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]{0,80}))(\s[^<>]*)?>([^<]+)</`)
	// key=value, key: value, key => value, key = 'value', "key": 'value'.
	kvRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.-]{0,80})(['"]?)(\s*(?:=>|:=|=|:)\s*)(?:'([^'\r\n]*)'|"([^"\r\n]*)"|([^\s'"&;,<>)}\]]+))`)
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
	l := strings.ToLower(s)
	for _, w := range []string{"bearer", "basic", "token", "apikey", "api-key", "digest", "negotiate", "ntlm", "ssws", "sharedkey"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func text(s string) string {
	if strings.Contains(s, "-----BEGIN") {
		s = privateKeyRE.ReplaceAllStringFunc(s, Mask)
	}
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
	s = replaceSub(headerLineRE, s, func(m []string) string {
		if !Name(m[2]) || m[3] == "" {
			return m[0]
		}
		return m[1] + m[2] + ": " + HeaderValue(m[2], m[3])
	})
	s = replaceSub(jsonRE, s, func(m []string) string {
		if !Name(m[1]) || m[3] == `""` || m[3] == "true" || m[3] == "false" || masked(strings.Trim(m[3], `"`)) {
			return m[0]
		}
		return `"` + m[1] + `"` + m[2] + `"` + Mask(strings.Trim(m[3], `"`)) + `"`
	})
	if strings.Contains(s, `\"`) {
		s = replaceSub(escJSONRE, s, func(m []string) string {
			v := strings.TrimSuffix(strings.TrimPrefix(m[3], `\"`), `\"`)
			if !Name(m[1]) || v == "" || masked(v) {
				return m[0]
			}
			return `\"` + m[1] + `\"` + m[2] + `\"` + Mask(v) + `\"`
		})
	}
	if strings.Contains(s, "</") {
		s = replaceSub(xmlRE, s, func(m []string) string {
			if !Name(m[2]) || strings.TrimSpace(m[4]) == "" || masked(strings.TrimSpace(m[4])) {
				return m[0]
			}
			return "<" + m[1] + m[3] + ">" + Mask(m[4]) + "</"
		})
	}
	s = replaceSub(kvRE, s, func(m []string) string {
		key, quote, op := m[1], m[2], m[3]
		v, q := m[6], ""
		switch {
		case m[4] != "":
			v, q = m[4], "'"
		case m[5] != "":
			v, q = m[5], `"`
		}
		if v == "" || masked(v) {
			return m[0]
		}
		if !Name(key) {
			// The value may hold pairs of its own ("https:" then
			// "//host/x?api_key=...").
			if strings.ContainsAny(v, "=:") {
				return key + quote + op + q + text(v) + q
			}
			return m[0]
		}
		// After ":" the words may be prose ("invalid token: expired"):
		// mask what looks like a credential, or anything after a name
		// that only a credential has ("password: hunter2").
		if strings.TrimSpace(op) == ":" && q == "" && !shaped(v) && !strongName(key) {
			return m[0]
		}
		return key + quote + op + q + Mask(v) + q
	})
	s = replaceSub(schemeRE, s, func(m []string) string {
		if masked(m[2]) || !shaped(m[2]) {
			return m[0]
		}
		return m[1] + " " + Mask(m[2])
	})
	if hasVendorHint(s) {
		s = vendorRE.ReplaceAllStringFunc(s, func(v string) string {
			if masked(v) {
				return v
			}
			return Mask(v)
		})
	}
	return s
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
