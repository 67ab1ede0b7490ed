package tokens

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxTokenLen bounds what ParseJWT decodes. Servers cap a request's
// headers at 8 to 16 KiB, so no usable access token is longer.
const MaxTokenLen = 16 << 10

// ErrNotJWT is wrapped by every error ParseJWT returns. The messages say
// what is wrong in general terms and never quote the input, which is a
// credential.
var ErrNotJWT = errors.New("not a JWT")

// A JWT is what can be read from a compact JWS or JWE without its key
// (RFC 7519, 7515, 7516). Nothing is verified: the claims are evidence
// about the token, not proof.
type JWT struct {
	Alg string // header "alg"; "none" for an unsecured JWT
	Typ string // header "typ", often "JWT"
	// Encrypted is set for a JWE (five segments): its claims are
	// ciphertext, so only the header is known.
	Encrypted bool

	Issuer  string // "iss"
	Subject string // "sub"
	ID      string // "jti"
	// IssuedAt, ExpiresAt and NotBefore are "iat", "exp" and "nbf"; zero
	// when absent or unreadable.
	IssuedAt  time.Time
	ExpiresAt time.Time
	NotBefore time.Time
	// BadClaims names the registered claims that are present but not of
	// their registered type ("iat" as a word, "iss" as a number). They are
	// left zero rather than failing the whole token, which is still a JWT.
	BadClaims []string
}

// ParseJWT decodes the header and claims of a compact JWT without
// verifying its signature. Segments are base64url; trailing "=" padding,
// which RFC 7515 forbids but some encoders write, is tolerated. A
// NumericDate may be fractional. ParseJWT never panics; its errors wrap
// ErrNotJWT and do not contain the token.
func ParseJWT(token string) (JWT, error) {
	var j JWT
	if len(token) > MaxTokenLen {
		return j, fmt.Errorf("%w: longer than %d bytes", ErrNotJWT, MaxTokenLen)
	}
	n := strings.Count(token, ".") + 1
	if n != 3 && n != 5 {
		return j, fmt.Errorf("%w: %d dot-separated segments, want 3 (JWS) or 5 (JWE)", ErrNotJWT, n)
	}
	segs := strings.SplitN(token, ".", 5)
	for i, s := range segs {
		if !isBase64URL(s) {
			return j, fmt.Errorf("%w: segment %d is not base64url", ErrNotJWT, i+1)
		}
	}
	hdr, err := decodeSegment(segs[0])
	if err != nil {
		return j, fmt.Errorf("%w: header is not base64url", ErrNotJWT)
	}
	var h struct {
		Alg json.RawMessage `json:"alg"`
		Typ json.RawMessage `json:"typ"`
		Enc json.RawMessage `json:"enc"`
	}
	if !isObject(hdr) || json.Unmarshal(hdr, &h) != nil {
		return j, fmt.Errorf("%w: header is not a JSON object", ErrNotJWT)
	}
	var ok bool
	if j.Alg, ok = jsonString(h.Alg); !ok || j.Alg == "" {
		return j, fmt.Errorf("%w: header has no \"alg\"", ErrNotJWT)
	}
	j.Typ, _ = jsonString(h.Typ)
	if n == 5 {
		// A JWE header must name its content encryption too (RFC 7516
		// §4.1.2); five base64url segments alone could be anything.
		if enc, ok := jsonString(h.Enc); !ok || enc == "" {
			return j, fmt.Errorf("%w: five segments but no \"enc\" in the header", ErrNotJWT)
		}
		j.Encrypted = true
		return j, nil
	}
	if segs[1] == "" {
		return j, fmt.Errorf("%w: empty payload", ErrNotJWT)
	}
	payload, err := decodeSegment(segs[1])
	if err != nil {
		return j, fmt.Errorf("%w: payload is not base64url", ErrNotJWT)
	}
	var c struct {
		Iss json.RawMessage `json:"iss"`
		Sub json.RawMessage `json:"sub"`
		Jti json.RawMessage `json:"jti"`
		Iat json.RawMessage `json:"iat"`
		Exp json.RawMessage `json:"exp"`
		Nbf json.RawMessage `json:"nbf"`
	}
	if !isObject(payload) || json.Unmarshal(payload, &c) != nil {
		return j, fmt.Errorf("%w: payload is not a JSON object", ErrNotJWT)
	}
	str := func(name string, raw json.RawMessage) string {
		s, ok := jsonString(raw)
		if !ok && present(raw) {
			j.BadClaims = append(j.BadClaims, name)
		}
		return s
	}
	date := func(name string, raw json.RawMessage) time.Time {
		t, ok := numericDate(raw)
		if !ok && present(raw) {
			j.BadClaims = append(j.BadClaims, name)
		}
		return t
	}
	j.Issuer = str("iss", c.Iss)
	j.Subject = str("sub", c.Sub)
	j.ID = str("jti", c.Jti)
	j.IssuedAt = date("iat", c.Iat)
	j.ExpiresAt = date("exp", c.Exp)
	j.NotBefore = date("nbf", c.Nbf)
	return j, nil
}

// looksLikeJWT is a cheap test for the start of a JWS or JWE header: the
// base64url of `{"`, which every JSON object header begins with when it
// is written without leading space.
func looksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.IndexByte(s, '.') > 0
}

func isBase64URL(s string) bool {
	s = strings.TrimRight(s, "=")
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// isObject reports whether b is (space and) a JSON object: json.Unmarshal
// into a struct accepts "null" silently.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// present reports whether a claim is there at all: JSON null is taken
// as absent, as RFC 7519's optional claims are.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// jsonString returns raw as a string when it is a JSON string; ok is false
// when raw is absent or of another type (null counts as absent).
func jsonString(raw json.RawMessage) (s string, ok bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// maxNumericDate is 9999-12-31T23:59:59Z: later dates are not times a
// token was issued or expires, and would overflow time arithmetic.
const maxNumericDate = 253402300799

// numericDate reads an RFC 7519 NumericDate: seconds since the epoch,
// possibly fractional.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec := math.Floor(f)
	// Keep milliseconds: a float64 near 2e9 holds no more, and request
	// times are milliseconds anyway.
	ms := math.Round((f - sec) * 1e3)
	return time.Unix(int64(sec), int64(ms)*int64(time.Millisecond)).UTC(), true
}
