package redact

import (
	"strings"
	"testing"
)

const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJoYXJuZXNzIiwic3ViIjoiY2xpZW50IiwiaWF0IjoxNzk1NjUzNzM3fQ.2dGzA-GBZo9DHjFyQgZQixGAXro5KNK8pLm9gsW0Zsg"

func TestFingerprintIsShortStableAndDistinct(t *testing.T) {
	a, b := Fingerprint("token-a"), Fingerprint("token-b")
	if a != Fingerprint("token-a") || a == b {
		t.Fatalf("fingerprints %q %q", a, b)
	}
	if len(a) != len("sha256:")+6 || !strings.HasPrefix(a, "sha256:") {
		t.Fatalf("fingerprint %q: want sha256: and 6 hex digits", a)
	}
}

func TestNoSecretSurvives(t *testing.T) {
	secrets := []string{jwt, "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "s3cr3tOpaqueToken1234567890", "hunter2pass", "AKIAEXAMPLEKEY123", "sess-9f8e7d6c5b4a", "dXNlcjpwYXNzd29yZA=="}
	inputs := []string{
		"Bearer " + jwt,
		"Authorization: Bearer s3cr3tOpaqueToken1234567890\nContent-Type: text/plain",
		"Cookie: JSESSIONID=sess-9f8e7d6c5b4a; theme=dark",
		"Set-Cookie: sid=sess-9f8e7d6c5b4a; Path=/; HttpOnly",
		`{"access_token":"s3cr3tOpaqueToken1234567890","token_type":"bearer","expires_in":3600}`,
		`{"user":"bob","password":"hunter2pass"}`,
		"https://api.example.com/v1/x?api_key=AKIAEXAMPLEKEY123&page=2",
		"grant_type=password&username=bob&password=hunter2pass",
		"error: token " + jwt + " expired",
		"Authorization: Basic dXNlcjpwYXNzd29yZA==",
		"Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
	}
	for _, in := range inputs {
		for _, out := range []string{Text(in), URL(in)} {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%q -> %q still contains %q", in, out, s)
				}
			}
		}
	}
}

func TestKeepsWhatIsNotSecret(t *testing.T) {
	for _, in := range []string{
		`{"message":"invalid request payload","code":"bad.request","status":400,"contextId":"add94412ba9b5cc31e1466137448d3da"}`,
		"Non HTTP response code: java.net.SocketTimeoutException",
		"upload screen recording",
		// Our own prose about tokens is not a credential.
		"the run has no token requests to infer token ages from",
		"token ages inferred from the token responses in the run",
		"Content-Type: multipart/form-data; boundary=----legacyBoundary7MA4YWxk",
	} {
		if got := Text(in); got != in {
			t.Errorf("Text(%q) = %q, want it unchanged", in, got)
		}
	}
	if got := URL("https://h/x?page=2&q=a+b"); got != "https://h/x?page=2&q=a+b" {
		t.Errorf("URL changed a harmless query: %q", got)
	}
}

func TestHeaderValueKeepsScheme(t *testing.T) {
	got := HeaderValue("Authorization", "Bearer "+jwt)
	if !strings.HasPrefix(got, "Bearer [redacted sha256:") || strings.Contains(got, jwt) {
		t.Fatalf("HeaderValue = %q", got)
	}
	if got := HeaderValue("X-Recording-Id", "abc"); got != "abc" {
		t.Fatalf("a harmless header was changed: %q", got)
	}
}

// The kinds issue 13 found in outputs, and the shapes of the gitleaks
// rule set: each input holds the secret s, which must be gone from Text's
// result in every encoding a writer could give it.
func TestTextMasksEveryKind(t *testing.T) {
	const s = "Zq9sEcReTvAl7x2W"
	for _, in := range []string{
		// names
		"<AWSAccessKeyId>" + s + "</AWSAccessKeyId>",
		"<Error><Code>SignatureDoesNotMatch</Code><SignatureProvided>" + s + "</SignatureProvided></Error>",
		"<password>" + s + "</password>",
		`<ns2:clientSecret xmlns:ns2="x">` + s + `</ns2:clientSecret>`,
		"password='" + s + "'",
		`password="` + s + `"`,
		"password: " + s,
		"password = " + s,
		"db.password=" + s,
		`{"newPassword":"` + s + `"}`,
		`{"apiToken": "` + s + `"}`,
		`{"secretKey":"` + s + `"}`,
		`{"password": 98127340918}`,
		`{"data":"{\"password\":\"` + s + `\"}"}`,
		`{'password': '` + s + `'}`,
		"Invalid token: " + s,
		"Bad token: " + s,
		"authToken=" + s + "&x=1",
		"sessionToken=" + s,
		"csrf=" + s,
		"X-Goog-Api-Key: " + s,
		"PRIVATE-TOKEN: " + s,
		"X-Session-Token: " + s,
		"X-Auth: " + s,
		"JSESSIONID=" + s + "; Path=/",
		"https://admin:" + s + "@host/v1",
		"https://api.example.com/v1/x?api_key=" + s + "&page=2",
		"https://h/cb?redirect_uri=https%3A%2F%2Fh2%2Fx%3Fpassword%3D" + s,
		"Bearer " + s,
		"token " + s,
		"Authorization: Basic " + s,
		"Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, Signature=" + s,
		"&quot;password&quot;:&quot;" + s + "&quot;",
	} {
		out := Text(in)
		if strings.Contains(out, s) || strings.Contains(out, "98127340918") {
			t.Errorf("%q -> %q", in, out)
		}
		if again := Text(out); again != out {
			t.Errorf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	}
	// Vendor formats, named or not.
	for _, v := range []string{
		"ghp_" + strings.Repeat("a1B2", 9),
		"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
		"sk_live_" + strings.Repeat("x7Y", 8),
		"AKIAQ3EGRXR2PTWAJ5OB",
		"xoxb-1234567890123-1234567890123-" + strings.Repeat("aB3", 8),
		"glpat-" + strings.Repeat("x9", 10),
		"AIza" + strings.Repeat("B7x_", 8) + "abc",
		"SG." + strings.Repeat("a1", 11) + "." + strings.Repeat("b2", 22),
		"npm_" + strings.Repeat("a1b2", 9),
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
	} {
		in := "upstream said: " + v + " was refused"
		if out := Text(in); strings.Contains(out, v) || !strings.Contains(out, "upstream said") {
			t.Errorf("%q -> %q", in, out)
		}
	}
}

// Prose about tokens is not a credential, nor are IDs and URLs.
func TestTextKeepsProse(t *testing.T) {
	for _, in := range []string{
		"token age does not separate failures from successes",
		"the token endpoint answered 200",
		"token ages inferred from the token responses in the run",
		"Invalid token: expired",
		"token_type=bearer&expires_in=3600",
		`{"token_type":"Bearer","expires_in":3600,"scope":"read"}`,
		"reused an ID (header x-recording-id)",
		"https://h/api/v2/recordings/screen?page=2&size=50",
		"X-Request-Id: 6f1c2d9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
		"Idempotency-Key: 6f1c2d9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
		"Content-Type: multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
		"Non HTTP response code: java.net.SocketTimeoutException",
		"passwordPolicy: min 12 characters",
		"sha256:3f9a1c",
		"[redacted sha256:3f9a1c]",
		"Bearer [redacted sha256:3f9a1c]",
		"ratio 10:30, mean 12 ms",
		// JMeter's save settings (the report's Inputs section).
		"assertion_results_failure_message=true, assertions=true, thread_counts=true",
		"save_cookies=false, token: null",
	} {
		if got := Text(in); got != in {
			t.Errorf("Text(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestName(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "newPassword": true, "apiToken": true, "secretKey": true, "authToken": true,
		"sessionToken": true, "csrf": true, "X-CSRFToken": true, "PRIVATE-TOKEN": true, "X-Goog-Api-Key": true,
		"X-Session-Token": true, "X-Auth": true, "AWSAccessKeyId": true, "SignatureProvided": true,
		"Authorization": true, "Cookie": true, "Set-Cookie": true, "x-amz-security-token": true,
		"client_secret": true, "refresh_token": true, "JSESSIONID": true, "sessionId": true, "api_key": true,
		"apikey": true, "key": true, "sig": true, "user_pass": true, "csrfmiddlewaretoken": true,
		"Ocp-Apim-Subscription-Key": true, "x-functions-key": true,
		"client_assertion": true, "SAMLAssertion": true, "assertion": true,
		"assertion_results_failure_message": false, "assertion_results": false, "tokenMessage": false,
		"token_type": false, "tokenEndpoint": false, "passwordPolicy": false, "secretName": false,
		"X-Request-Id": false, "Idempotency-Key": false, "x-recording-id": false, "expires_in": false,
		"cache_key": false, "author": false, "bypass": false, "sessionStart": false, "Content-Type": false,
		"x-amz-date": false, "x-amz-content-sha256": false, "publicKey": false, "label": false,
	} {
		if got := Name(name); got != want {
			t.Errorf("Name(%q) = %v, want %v", name, got, want)
		}
	}
}
