package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
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
func Mask(secret string) string { return maskPrefix + Fingerprint(secret) + "]" }

const maskPrefix = "[redacted "

// masked reports whether v is already a mask or a fingerprint, which
// must pass through unchanged (Text is applied more than once).
func masked(v string) bool {
	v = strings.TrimLeft(v, `"'`)
	return strings.HasPrefix(v, "[redacted") || strings.HasPrefix(v, "%5Bredacted") ||
		strings.HasPrefix(v, "sha256:") || strings.HasPrefix(v, "+%5Bredacted")
}

// IsSecretHeader reports whether the header called name carries a
// credential: Authorization, Cookie, but also PRIVATE-TOKEN,
// X-Goog-Api-Key, X-Session-Token, X-Auth (see Name).
func IsSecretHeader(name string) bool { return Name(strings.TrimSpace(name)) }

// IsSecretParam reports whether a parameter, field or variable called
// name holds a credential (see Name).
func IsSecretParam(name string) bool { return Name(name) }

// HeaderValue returns value fit to print for the header called name: a
// credential header keeps its scheme ("Bearer") and loses the rest; a
// cookie header keeps its cookie names; any other header goes through
// Text.
func HeaderValue(name, value string) string {
	if !IsSecretHeader(name) {
		return Text(value)
	}
	v := strings.TrimSpace(value)
	if v == "" || masked(v) {
		return v
	}
	if scheme, rest, ok := strings.Cut(v, " "); ok && isScheme(scheme) && strings.TrimSpace(rest) != "" {
		if masked(strings.TrimSpace(rest)) {
			return v
		}
		return scheme + " " + Mask(strings.TrimSpace(rest))
	}
	return Mask(v)
}

func isScheme(s string) bool {
	switch strings.ToLower(s) {
	case "bearer", "basic", "digest", "token", "negotiate", "ntlm", "aws4-hmac-sha256", "hoba",
		"mutual", "dpop", "apikey", "api-key", "ssws", "geniekey", "sharedkey", "splunk":
		return true
	}
	return false
}

// URL returns u with passwords in the user info and the values of
// secret-looking query parameters masked. Anything that does not parse is
// passed through Text.
func URL(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme == "" {
		return Text(u)
	}
	if pu.User != nil {
		if p, ok := pu.User.Password(); ok && !masked(p) {
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
		if IsSecretParam(name) && !masked(v) {
			dv, err := url.QueryUnescape(v)
			if err != nil {
				dv = v
			}
			parts[i] = k + "=" + url.QueryEscape(Mask(dv))
		}
	}
	return strings.Join(parts, "&")
}
