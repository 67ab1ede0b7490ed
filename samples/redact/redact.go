package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
)

// Fingerprint is a short, stable, non-reversible name for a secret:
// "sha256:" and the first six hex digits of its SHA-256. Two different
// tokens collide with probability 1 in 16 million, which is fine for
// telling the handful of tokens in a test run apart.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:3])
}

// Mask is what replaces a secret in text.
func Mask(secret string) string { return "[redacted " + Fingerprint(secret) + "]" }

// secretHeaders are request and response headers whose whole value is a
// credential.
var secretHeaders = map[string]bool{
	"authorization":             true,
	"proxy-authorization":       true,
	"cookie":                    true,
	"set-cookie":                true,
	"x-api-key":                 true,
	"api-key":                   true,
	"x-auth-token":              true,
	"x-access-token":            true,
	"x-csrf-token":              true,
	"x-xsrf-token":              true,
	"x-amz-security-token":      true,
	"ocp-apim-subscription-key": true,
}

// IsSecretHeader reports whether the header called name carries a
// credential.
func IsSecretHeader(name string) bool {
	return secretHeaders[strings.ToLower(strings.TrimSpace(name))]
}

// HeaderValue returns value fit to print for the header called name: a
// credential header keeps its scheme ("Bearer") and loses the rest.
func HeaderValue(name, value string) string {
	if !IsSecretHeader(name) {
		return Text(value)
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return v
	}
	if scheme, rest, ok := strings.Cut(v, " "); ok && isScheme(scheme) && strings.TrimSpace(rest) != "" {
		return scheme + " " + Mask(strings.TrimSpace(rest))
	}
	return Mask(v)
}

func isScheme(s string) bool {
	switch strings.ToLower(s) {
	case "bearer", "basic", "digest", "token", "negotiate", "ntlm", "aws4-hmac-sha256", "hoba", "mutual", "dpop":
		return true
	}
	return false
}

// secretParam matches names of query, form and JSON fields that hold
// credentials.
var secretParam = regexp.MustCompile(`(?i)^(.*[-_.])?(access[-_]?token|refresh[-_]?token|id[-_]?token|token|api[-_]?key|apikey|key|secret|client[-_]?secret|password|passwd|pwd|pass|auth|authorization|session|sessionid|sid|jsessionid|signature|sig|credential|credentials|assertion|otp)$`)

// IsSecretParam reports whether a parameter called name holds a
// credential.
func IsSecretParam(name string) bool { return secretParam.MatchString(name) }

// URL returns u with passwords in the user info and the values of
// secret-looking query parameters masked. Anything that does not parse is
// passed through Text.
func URL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme == "" {
		return Text(u)
	}
	if pu.User != nil {
		if p, ok := pu.User.Password(); ok {
			pu.User = url.UserPassword(pu.User.Username(), Fingerprint(p))
		}
	}
	if pu.RawQuery != "" {
		pu.RawQuery = query(pu.RawQuery)
	}
	return Text(pu.String())
}

// query masks secret values in a raw query or urlencoded form, keeping the
// order and the encoding of everything else.
func query(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if IsSecretParam(name) {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				dv = v
			}
			parts[i] = k + "=" + url.QueryEscape(Mask(dv))
		}
	}
	return strings.Join(parts, "&")
}

var (
	// A JWT (or JWS/JWE compact form): base64url header starting "eyJ".
	jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,3}`)
	// "Bearer xyz" or "Basic xyz" anywhere in free text.
	schemeRE = regexp.MustCompile(`(?i)\b(bearer|basic|token)\s+([A-Za-z0-9._~+/=-]{8,})`)
	// Header lines inside a text block ("Cookie: a=b").
	headerLineRE = regexp.MustCompile(`(?im)^[ \t]*(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-csrf-token|x-xsrf-token|x-amz-security-token|ocp-apim-subscription-key)[ \t]*:[ \t]*([^\r\n]+)`)
	// "access_token": "..." in JSON, access_token=... in forms and URLs.
	jsonFieldRE = regexp.MustCompile(`(?i)("([A-Za-z0-9_.-]*)"\s*:\s*)"((?:[^"\\]|\\.)*)"`)
	kvRE        = regexp.MustCompile(`(?i)([?&;\s]|^)([A-Za-z0-9_.-]+)=([^&\s;"']+)`)
)

// Text masks anything in s that looks like a credential: JWTs, bearer and
// basic credentials, credential header lines, secret JSON fields and
// key=value pairs. It is for free text from inputs (messages, bodies,
// URLs, labels) on its way to a report.
func Text(s string) string {
	if s == "" {
		return s
	}
	s = headerLineRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := headerLineRE.FindStringSubmatch(m)
		i := strings.Index(m, ":")
		return m[:i+1] + " " + HeaderValue(sub[1], sub[2])
	})
	s = jwtRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "[redacted") {
			return m
		}
		return Mask(m)
	})
	s = schemeRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := schemeRE.FindStringSubmatch(m)
		if strings.HasPrefix(sub[2], "[redacted") || strings.HasPrefix(sub[2], "sha256:") {
			return m
		}
		// "token" is also an English word: "the token responses" is prose,
		// while DRF-style "Token 9944b09199c6..." credentials hold digits.
		if strings.EqualFold(sub[1], "token") && !strings.ContainsAny(sub[2], "0123456789") {
			return m
		}
		return sub[1] + " " + Mask(sub[2])
	})
	s = jsonFieldRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonFieldRE.FindStringSubmatch(m)
		if !IsSecretParam(sub[2]) || sub[3] == "" || strings.HasPrefix(sub[3], "[redacted") {
			return m
		}
		return sub[1] + `"` + Mask(sub[3]) + `"`
	})
	s = kvRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := kvRE.FindStringSubmatch(m)
		if !IsSecretParam(sub[2]) || strings.HasPrefix(sub[3], "[redacted") || strings.HasPrefix(sub[3], "%5Bredacted") {
			return m
		}
		return sub[1] + sub[2] + "=" + Mask(sub[3])
	})
	return s
}
