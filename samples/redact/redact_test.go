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
