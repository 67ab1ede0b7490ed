package ids

import (
	crand "crypto/rand"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestClassifyPositive(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       Class
	}{
		{"", "aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", UUID}, // ${__UUID()}, v4
		{"", "AA9CE7F2-B3E8-4DE8-8406-CA78B21DCDB5", UUID},
		{"", "{aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5}", UUID},
		{"", "urn:uuid:aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", UUID},
		{"", "1ef0c2a4-5b6d-11ef-9a3c-0242ac120002", UUID}, // v1
		{"", "00000000-0000-0000-0000-000000000000", UUID}, // nil UUID, static
		{"", "01ARZ3NDEKTSV4RRFFQ69G5FAV", ULID},           // the ULID spec's example
		{"", "507f1f77bcf86cd799439011", ObjectID},         // MongoDB docs' example
		{"", "b1f6f6ea9e69087a", Hex},                      // 16 hex (a JWT jti in the data)
		{"", "4bf92f3577b34da6a3ce929d0e0e4736", Hex},      // 32 hex
		{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Hex},
		{"", "1795653120373", Epoch},    // epoch ms from the s8 run
		{"", "1795653120373123", Epoch}, // epoch µs
		{"", "req-1795653120373", Epoch},
		{"", "1234567890123456789", Number}, // a snowflake-sized number
		{"", "rec-0001", Prefixed},          // the s8 CSV Data Set
		{"", "rec-000123", Prefixed},
		{"", "ORD_2024_000017", Prefixed},
		{"", "job:12345", Prefixed},
		{"recordingId", "abc", Named},
		{"X-Request-ID", "abc-def", Named},
		{"correlation_id", "q", Named},
		{"Idempotency-Key", "order-7", Named},
		{"nonce", "xyz", Named},
		{"userId", "123456", Number},
		{"myUUID", "not-a-uuid", Named},
	} {
		if got := Classify(tc.key, tc.value); got != tc.want {
			t.Errorf("Classify(%q, %q) = %q, want %q", tc.key, tc.value, got, tc.want)
		}
	}
}

func TestClassifyNegative(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"", ""},
		{"id", "true"},
		{"id", "FALSE"},
		{"id", "null"},
		{"id", "12345"}, // small numbers are counters, not IDs
		{"id", "1"},
		{"id", "-5"},
		{"id", "3.14"},
		{"", "123456789"}, // a 9-digit number without an ID key: a size, a price
		{"id", "2024-01-15"},
		{"id", "2024-01-15T10:00:00Z"},
		{"id", "2024/01/15"},
		{"id", "10:00:00"},
		{"id", "20240115T100000Z"},
		{"id", "a b"},
		{"", "screen"},
		{"", "recordings"},
		{"", "v2"},
		{"", "client_credentials"},
		{"", "multipart_form_data"},
		{"", "application-json-v2"},
		{"", "ThisIsJustSomeCamelCaseName"},
		{"", "deadbeefdeadbeefdeadbeef"}, // hex-looking words without a digit
		{"", "1234abcd"},                 // hex, but short
		{"", "utf-8"},
		{"", "iso-8859-1"},
		{"", "clip.webm"},
		{"requestType", "upload"}, // "request" is not the last word
		{"agent", "1"},
		{"media", "screen"},
		{"", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig"}, // tokens are the token check's
		{"", strings.Repeat("a", maxValueLen+1)},
		{"id", strings.Repeat("9", maxValueLen+1)},
	} {
		if got := Classify(tc.key, tc.value); got != NotID {
			t.Errorf("Classify(%q, %q) = %q, want not an ID", tc.key, tc.value, got)
		}
	}
}

// Random identifiers made the way servers make them must be taken, but a
// few per cent are indistinguishable from words or low in entropy by
// chance; the bounds are about twice the miss rates simulated on 10^5
// strings per size (see isRandom), so the test fails only when the rules
// get worse. The generator is seeded: the test is deterministic.
func TestClassifyRandomTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	gen := func(alphabet string, size int) string {
		b := make([]byte, size)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	const (
		b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		b36 = "abcdefghijklmnopqrstuvwxyz0123456789"
	)
	for _, tc := range []struct {
		name     string
		alphabet string
		size     int
		maxMiss  float64
	}{
		{"base64url", b64, 16, 0.02},
		{"base64url", b64, 22, 0.01},
		{"base64url", b64, 43, 0.005},
		{"base62", b64[:62], 22, 0.01},
		{"base36", b36, 16, 0.12},
		{"base36", b36, 22, 0.03},
		{"hex", "0123456789abcdef", 32, 0},
	} {
		miss := 0
		for range n {
			if Classify("", gen(tc.alphabet, tc.size)) == NotID {
				miss++
			}
		}
		if rate := float64(miss) / n; rate > tc.maxMiss {
			t.Errorf("%s, %d characters: %.2f%% not taken for IDs, want at most %.2f%%", tc.name, tc.size, 100*rate, 100*tc.maxMiss)
		}
	}
	// 16 random bytes in hex (with a digit, which the rule requires) are
	// always an ID.
	b := make([]byte, 16)
	crand.Read(b)
	if h := hex.EncodeToString(b) + "1"; Classify("", h) != Hex {
		t.Errorf("random hex %q: got %q, want hex", h, Classify("", h))
	}
}

func TestKeyNamesID(t *testing.T) {
	for key, want := range map[string]bool{
		"recordingId": true, "requestID": true, "x-genesys-recording-id": true,
		"X-Correlation-Id": true, "Idempotency-Key": true, "session_uuid": true,
		"recId": true, "ids": true, "id": true, "clientGuid": true,
		"requestType": false, "valid": false, "android": false, "paid": false,
		"identity": false, "width": false, "": false,
	} {
		if got := keyNamesID(key); got != want {
			t.Errorf("keyNamesID(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestForWords(t *testing.T) {
	for key, want := range map[string]string{
		"recordingId":            "recording Id",
		"requestID":              "request ID",
		"x-genesys-recording-id": "x genesys recording id",
		"XMLHttpRequest":         "XMLHttp Request",
		"item2Id":                "item2 Id",
		"__a..b__":               "a b",
	} {
		var words []string
		forWords(key, func(w string) { words = append(words, w) })
		if got := strings.Join(words, " "); got != want {
			t.Errorf("forWords(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestEntropy(t *testing.T) {
	if got := entropy("aaaa"); got != 0 {
		t.Errorf("entropy(aaaa) = %v, want 0", got)
	}
	// 16 distinct symbols, each once: exactly 4 bits.
	if got := entropy("0123456789abcdef"); got != 4 {
		t.Errorf("entropy(16 distinct) = %v, want 4", got)
	}
}
