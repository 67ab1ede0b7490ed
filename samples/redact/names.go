package redact

import "strings"

// Names. A credential is recognised first by the name it is given: a
// header, a query or form parameter, a JSON key, an XML element or
// attribute, a JMeter variable, a word before ":" or "=" in a message.
// Names are split into words the way people write them (camelCase,
// snake_case, kebab-case, "X-Goog-Api-Key", "AWSAccessKeyId"), and a name
// is a credential's when its words say so: any word such as password,
// secret, token or signature; a last word such as session or pass; "key"
// after api, secret, private, access and their like, but not after
// idempotency or cache. A name whose last word says it is about the
// credential rather than the credential itself ("token_type",
// "passwordPolicy", "secretName", "tokenEndpoint") is not one. The
// gitleaks generic-api-key rule and its allowlist are the model.

// Name reports whether a header, parameter, field or variable called name
// holds a credential.
func Name(name string) bool {
	if name == "" || len(name) > 128 || !mayName(name) {
		return false
	}
	words := splitWords(name)
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	joined := strings.Join(words, "")
	for _, suf := range idSuffixes {
		if strings.HasSuffix(joined, suf) {
			return true
		}
	}
	if aboutWords[last] {
		return false
	}
	for _, suf := range secretSuffixes {
		if strings.HasSuffix(joined, suf) {
			return true
		}
	}
	for i, w := range words {
		if secretWords[w] {
			return true
		}
		if i == len(words)-1 && lastSecretWords[w] {
			return true
		}
	}
	if last == "key" || last == "keys" {
		return len(words) == 1 || keyQualifiers[words[len(words)-2]]
	}
	return false
}

// secretWords make a name a credential's wherever they stand.
var secretWords = setOf("password", "passwd", "passwrd", "pwd", "passphrase", "passcode",
	"secret", "secrets", "token", "tokens", "credential", "credentials", "creds",
	"apikey", "apikeys", "authorization", "auth", "authn", "bearer", "jwt", "csrf", "xsrf",
	"otp", "totp", "signature", "samlresponse", "cookie", "cookies", "privatekey",
	"accesskey", "secretkey", "sessionid", "sessid", "jsessionid", "phpsessid", "aspsessionid",
	"verifier", "pin")

// lastSecretWords make a name a credential's when they end it:
// "user_pass", "x-session", "sig" (but "passRate", "sessionStart").
// An assertion is a credential as OAuth's client_assertion or a SAML
// assertion, but in a load test most assertions are JMeter's, which
// check responses: "assertion_results_failure_message" is a setting.
var lastSecretWords = setOf("pass", "session", "sid", "sig", "hmac", "ticket", "assertion")

// idSuffixes are identifiers that are credentials: a session ID is the
// session; an AWS access key ID names the key and is half of it.
var idSuffixes = []string{"sessionid", "sessid", "accesskeyid"}

// secretSuffixes catch names written without word breaks: "apitoken",
// "xcsrftoken", "newpassword", "accesskeyid".
var secretSuffixes = []string{"password", "passwd", "passphrase", "secret", "token", "apikey",
	"accesskey", "accesskeyid", "secretkey", "privatekey", "signature", "credential", "credentials",
	"sessionid", "sessid", "cookie", "authorization"}

// keyQualifiers are the words that make "key" a credential: "api key",
// "secret key", "x-functions-key"; not "idempotency key", "cache key".
var keyQualifiers = setOf("api", "secret", "private", "access", "signing", "sign", "client",
	"subscription", "master", "encryption", "license", "licence", "account", "shared",
	"consumer", "app", "application", "auth", "session", "ssh", "gpg", "pgp", "hmac",
	"storage", "functions", "function", "host", "service", "admin", "write", "read",
	"ingest", "insert", "browser", "server", "goog", "amz", "x")

// aboutWords end names that describe a credential without holding one.
var aboutWords = setOf("type", "types", "name", "names", "length", "len", "size", "endpoint",
	"url", "uri", "path", "file", "expires", "expiry", "expiration", "exp", "ttl", "lifetime",
	"age", "count", "format", "version", "alias", "hint", "policy", "policies", "required",
	"enabled", "mode", "kind", "field", "header", "location", "label", "method", "scheme",
	"algorithm", "alg", "strength", "status", "error", "errors", "description", "reset",
	"rules", "provider", "issuer", "audience", "scope", "scopes", "usage", "id", "ids", "uuid",
	"changed", "updated", "created", "at", "message", "messages", "msg")

// nameFragments are in every credential name (lower case): a name with
// none of them is answered without splitting it into words (Name is
// called for every element of an HTML error page).
var nameFragments = []string{"pass", "pwd", "secret", "token", "key", "auth", "cred", "sig", "session",
	"sess", "sid", "cookie", "csrf", "xsrf", "jwt", "otp", "pin", "ticket", "verifier", "hmac", "bearer",
	"assertion", "samlresponse"}

func mayName(name string) bool {
	var buf [128]byte
	l := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	ls := string(l) // does not escape: the compiler keeps it on the stack
	for _, f := range nameFragments {
		if strings.Contains(ls, f) {
			return true
		}
	}
	return false
}

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// splitWords splits a name into lower-case words at anything that is not
// a letter or digit, and at case changes: "newPassword" → new, password;
// "AWSAccessKeyId" → aws, access, key, id; "X-CSRFToken" → x, csrf, token.
func splitWords(name string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(name[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		p := name[i-1]
		upper := c >= 'A' && c <= 'Z'
		switch {
		case upper && (p >= 'a' && p <= 'z'):
			// fooBar
			flush(i)
			start = i
		case upper && p >= 'A' && p <= 'Z' && i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z':
			// AWSAccess: the last capital starts the next word, unless
			// what precedes would be a single letter ("XCsrf").
			if i-start > 1 {
				flush(i)
				start = i
			}
		}
	}
	flush(len(name))
	return words
}
