package tokens

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Kind says what a bearer credential is.
type Kind string

const (
	KindJWT    Kind = "jwt"    // a JWS whose claims can be read
	KindJWE    Kind = "jwe"    // an encrypted JWT: header only
	KindOpaque Kind = "opaque" // anything else; only its uses date it
	// KindPlaceholder is a value that stands for a token that was never
	// there: an unresolved JMeter variable ("${access_token}"), "null",
	// "undefined" or nothing. It means the token extractor failed, not
	// that a token went stale.
	KindPlaceholder Kind = "placeholder"
)

// classify names the kind of cred and returns its claims when it is a
// readable JWT.
func classify(cred string) (Kind, JWT) {
	if isPlaceholder(cred) {
		return KindPlaceholder, JWT{}
	}
	if !looksLikeJWT(cred) {
		return KindOpaque, JWT{}
	}
	j, err := ParseJWT(cred)
	switch {
	case err != nil:
		return KindOpaque, JWT{}
	case j.Encrypted:
		return KindJWE, j
	}
	return KindJWT, j
}

func isPlaceholder(cred string) bool {
	switch strings.ToLower(cred) {
	case "", "null", "undefined", "none", "nil":
		return true
	}
	// JMeter sends "${name}" literally when the variable is not set, and
	// Groovy or JavaScript templates leave "{{name}}" or "<token>".
	if strings.Contains(cred, "${") || strings.HasPrefix(cred, "{{") || strings.HasPrefix(cred, "<") {
		return true
	}
	return isDefaultWord(cred)
}

// isDefaultWord spots an extractor's default value sent in place of a
// token ("NOTOKEN", "TOKEN_NOT_FOUND", "no-token", "error"): a short word
// without digits that is either written in capitals, as JMeter users
// write their defaults, or says that something is missing. A real access
// token, opaque or not, is a long random string.
func isDefaultWord(cred string) bool {
	if len(cred) == 0 || len(cred) > 24 {
		return false
	}
	upper := true
	for i := 0; i < len(cred); i++ {
		c := cred[i]
		switch {
		case c >= 'A' && c <= 'Z', c == '_', c == '-':
		case c >= 'a' && c <= 'z':
			upper = false
		default:
			return false
		}
	}
	if upper {
		return true
	}
	l := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(cred))
	for _, w := range []string{"notoken", "notfound", "missing", "error", "invalid", "default", "empty", "unset"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// splitAuthorization returns the scheme and credentials of an
// Authorization header value (RFC 9110 §11.4). A value without a space has
// no scheme.
func splitAuthorization(v string) (scheme, cred string) {
	v = strings.TrimSpace(v)
	i := strings.IndexAny(v, " \t")
	if i < 0 {
		if isAccessTokenScheme(v) {
			return v, "" // "Bearer" and nothing: a token that was never filled in
		}
		return "", v
	}
	return v[:i], strings.TrimSpace(v[i+1:])
}

// schemes are the registered HTTP authentication schemes (and a few
// vendor ones) in their usual spelling. Anything else in the scheme
// position may be the start of a credential, so it is never echoed.
var schemes = []string{
	"Bearer", "DPoP", "Basic", "Digest", "Negotiate", "NTLM", "HOBA", "Mutual",
	"AWS4-HMAC-SHA256", "SCRAM-SHA-256", "OAuth", "Token", "SharedKey", "SharedAccessSignature",
}

// schemeName returns the usual spelling of a known scheme, "other" for an
// unknown one, and "" for none.
func schemeName(s string) string {
	if s == "" {
		return ""
	}
	for _, name := range schemes {
		if strings.EqualFold(s, name) {
			return name
		}
	}
	return "other"
}

// isAccessTokenScheme reports whether an Authorization scheme carries an
// OAuth2 access token: "Bearer" (RFC 6750) or a sender-constrained "DPoP"
// token (RFC 9449), which ages the same way. Scheme names are
// case-insensitive.
func isAccessTokenScheme(scheme string) bool {
	return strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP")
}

// isTokenRequest reports whether r looks like a request to an OAuth2
// token endpoint: a POST (or a request whose method was not recorded, as
// in a CSV) whose URL path ends in "/token" (/oauth/token,
// /oauth2/v2.0/token, /connect/token, /protocol/openid-connect/token,
// /token), whose form carries grant_type, or whose label mentions
// "token". The label rule is a guess, and it is the only one a CSV
// without URLs allows.
func isTokenRequest(r *samples.Sample) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, "POST") {
		return false
	}
	if tokenPath(r.URL) || containsFold(r.Label, "token") {
		return true
	}
	if r.RequestBodyIs == samples.BodySaved && strings.Contains(r.RequestBody, "grant_type=") {
		return true
	}
	for _, p := range r.Params {
		if p.Name == "grant_type" {
			return true
		}
	}
	return false
}

// tokenPath reports whether the path of url ends in "/token".
func tokenPath(url string) bool {
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
		j := strings.IndexByte(url, '/')
		if j < 0 {
			return false
		}
		url = url[j:]
	}
	for i := 0; i < len(url); i++ {
		if url[i] == '?' || url[i] == '#' {
			url = url[:i]
			break
		}
	}
	url = strings.TrimRight(url, "/")
	const suffix = "/token"
	return len(url) >= len(suffix) && strings.EqualFold(url[len(url)-len(suffix):], suffix)
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// in any case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		// sub is ASCII, so a window can only match if its first byte is
		// sub's first in either case (|0x20 maps both to one): a cheap
		// test before the full one.
		if s[i]|0x20 != sub[0]|0x20 {
			continue
		}
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// succeeded reports whether r is a success: JMeter's verdict, and a 2xx
// status when there is one.
func succeeded(r *samples.Sample) bool {
	if !r.Success {
		return false
	}
	st := r.Status()
	return st == 0 || st/100 == 2
}

// maxTokenResponse bounds the response bodies searched for an
// access_token. A token response is a few hundred bytes.
const maxTokenResponse = 64 << 10

// tokenResponse returns the access token and its lifetime (0 when not
// given) from r's saved response body, when that is an RFC 6749 §5.1
// success response.
func tokenResponse(r *samples.Sample) (token string, lifetime time.Duration, ok bool) {
	if r.ResponseBodyIs != samples.BodySaved || len(r.ResponseBody) > maxTokenResponse ||
		!strings.Contains(r.ResponseBody, `"access_token"`) {
		return "", 0, false
	}
	var body struct {
		AccessToken json.RawMessage `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if !isObject([]byte(r.ResponseBody)) || json.Unmarshal([]byte(r.ResponseBody), &body) != nil {
		return "", 0, false
	}
	token, ok = jsonString(body.AccessToken)
	if !ok || token == "" {
		return "", 0, false
	}
	return token, expiresIn(body.ExpiresIn), true
}

// maxLifetime bounds expires_in: a year is already far beyond any access
// token, and larger values would overflow time arithmetic.
const maxLifetime = 366 * 24 * 3600

// expiresIn reads expires_in, which RFC 6749 makes a number of seconds
// but some servers (Azure AD v1) send as a string.
func expiresIn(raw json.RawMessage) time.Duration {
	s := string(raw)
	if v, ok := jsonString(raw); ok {
		s = v
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) || f > maxLifetime {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
