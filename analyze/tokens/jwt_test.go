package tokens

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// makeJWT builds a compact JWS from raw JSON header and payload; the
// signature is arbitrary bytes, since nothing is verified.
func makeJWT(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "." + enc([]byte("not-a-real-signature"))
}

func TestParseJWTHandMade(t *testing.T) {
	tok := makeJWT(`{"alg":"HS256","typ":"JWT"}`,
		`{"iss":"https://login.example.com","sub":"client-7","iat":1795652695,"nbf":1795652690,"exp":1795739095,"jti":"dda4154c8653244a"}`)
	j, err := ParseJWT(tok)
	if err != nil {
		t.Fatalf("ParseJWT: %v", err)
	}
	want := JWT{
		Alg: "HS256", Typ: "JWT",
		Issuer: "https://login.example.com", Subject: "client-7", ID: "dda4154c8653244a",
		IssuedAt:  time.Date(2026, 11, 26, 0, 24, 55, 0, time.UTC),
		NotBefore: time.Date(2026, 11, 26, 0, 24, 50, 0, time.UTC),
		ExpiresAt: time.Date(2026, 11, 27, 0, 24, 55, 0, time.UTC),
	}
	if j.Alg != want.Alg || j.Typ != want.Typ || j.Issuer != want.Issuer || j.Subject != want.Subject || j.ID != want.ID ||
		!j.IssuedAt.Equal(want.IssuedAt) || !j.NotBefore.Equal(want.NotBefore) || !j.ExpiresAt.Equal(want.ExpiresAt) ||
		j.Encrypted || len(j.BadClaims) != 0 {
		t.Errorf("ParseJWT =\n%+v\nwant\n%+v", j, want)
	}
}

// RFC 7519 §3.1's example JWT: header {"typ":"JWT",\r\n "alg":"HS256"},
// claims {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}.
const rfc7519Example = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

func TestParseJWTRFC7519Example(t *testing.T) {
	j, err := ParseJWT(rfc7519Example)
	if err != nil {
		t.Fatalf("ParseJWT: %v", err)
	}
	if j.Alg != "HS256" || j.Typ != "JWT" || j.Issuer != "joe" {
		t.Errorf("header/claims = %+v", j)
	}
	if want := time.Unix(1300819380, 0); !j.ExpiresAt.Equal(want) {
		t.Errorf("exp = %v, want %v", j.ExpiresAt, want)
	}
	if !j.IssuedAt.IsZero() || !j.NotBefore.IsZero() {
		t.Errorf("iat/nbf set though absent: %+v", j)
	}
}

func TestParseJWTVariants(t *testing.T) {
	padded := base64.URLEncoding.EncodeToString
	tests := []struct {
		name  string
		token string
		check func(t *testing.T, j JWT)
	}{
		{"fractional NumericDate", makeJWT(`{"alg":"ES256"}`, `{"iat":1700000000.25,"exp":1.7000036e9}`), func(t *testing.T, j JWT) {
			if want := time.Unix(1700000000, 250e6); !j.IssuedAt.Equal(want) {
				t.Errorf("iat = %v, want %v", j.IssuedAt, want)
			}
			if want := time.Unix(1700003600, 0); !j.ExpiresAt.Equal(want) {
				t.Errorf("exp = %v, want %v", j.ExpiresAt, want)
			}
		}},
		{"padding tolerated",
			padded([]byte(`{"alg":"HS256"}`)) + "." + padded([]byte(`{"iat":1600000000,"x":"ab"}`)) + ".c2ln",
			func(t *testing.T, j JWT) {
				if !j.IssuedAt.Equal(time.Unix(1600000000, 0)) {
					t.Errorf("iat = %v", j.IssuedAt)
				}
			}},
		{"unsecured, empty signature", strings.TrimSuffix(makeJWT(`{"alg":"none"}`, `{"iat":1}`), base64.RawURLEncoding.EncodeToString([]byte("not-a-real-signature"))),
			func(t *testing.T, j JWT) {
				if j.Alg != "none" || !j.IssuedAt.Equal(time.Unix(1, 0)) {
					t.Errorf("got %+v", j)
				}
			}},
		{"JWE", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".a2V5.aXY.Y2lwaGVy.dGFn",
			func(t *testing.T, j JWT) {
				if !j.Encrypted || j.Alg != "RSA-OAEP" {
					t.Errorf("got %+v", j)
				}
			}},
		{"claims of the wrong type", makeJWT(`{"alg":"HS256"}`, `{"iss":42,"iat":"yesterday","exp":-5,"nbf":1e300,"jti":null,"sub":"s"}`),
			func(t *testing.T, j JWT) {
				if got := strings.Join(j.BadClaims, ","); got != "iss,iat,exp,nbf" {
					t.Errorf("BadClaims = %q, want iss,iat,exp,nbf", got)
				}
				if !j.IssuedAt.IsZero() || !j.ExpiresAt.IsZero() || !j.NotBefore.IsZero() || j.Issuer != "" || j.Subject != "s" {
					t.Errorf("bad claims were read: %+v", j)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := ParseJWT(tt.token)
			if err != nil {
				t.Fatalf("ParseJWT: %v", err)
			}
			tt.check(t, j)
		})
	}
}

func TestParseJWTRejects(t *testing.T) {
	good := makeJWT(`{"alg":"HS256"}`, `{"iat":1700000000}`)
	segs := strings.Split(good, ".")
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := map[string]string{
		"empty":                 "",
		"two segments":          segs[0] + "." + segs[1],
		"four segments":         good + ".eHl6",
		"bad base64 header":     "eyJ!!!." + segs[1] + "." + segs[2],
		"bad base64 payload":    segs[0] + ".eyJ*%." + segs[2],
		"bad base64 length":     segs[0] + ".eyJhY" + "." + segs[2],
		"bad signature chars":   segs[0] + "." + segs[1] + ".a+b/c",
		"header not JSON":       enc("alg=HS256") + "." + segs[1] + "." + segs[2],
		"header without alg":    enc(`{"typ":"JWT"}`) + "." + segs[1] + "." + segs[2],
		"header alg not string": enc(`{"alg":256}`) + "." + segs[1] + "." + segs[2],
		"payload not JSON":      segs[0] + "." + enc("iat=1700000000") + "." + segs[2],
		"payload an array":      segs[0] + "." + enc("[1,2]") + "." + segs[2],
		"payload null":          segs[0] + "." + enc("null") + "." + segs[2],
		"payload empty":         segs[0] + ".." + segs[2],
		"five without enc":      good + ".eHl6.eHl6",
		"huge":                  segs[0] + "." + strings.Repeat("A", MaxTokenLen) + "." + segs[2],
		"opaque":                "2YotnFZFEjr1zCsicMWpAA",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseJWT(tok)
			if err == nil {
				t.Fatal("ParseJWT accepted it")
			}
			if !errors.Is(err, ErrNotJWT) {
				t.Errorf("error %v does not wrap ErrNotJWT", err)
			}
			if leaks(err.Error(), tok) {
				t.Errorf("error %q quotes the token", err)
			}
			if k, _ := classify(tok); k != KindOpaque && k != KindPlaceholder {
				t.Errorf("classify = %s, want opaque", k)
			}
		})
	}
}

// leaks reports whether s contains tok or any of its dot-separated
// segments long enough to matter.
func leaks(s, tok string) bool {
	if tok != "" && strings.Contains(s, tok) {
		return true
	}
	for _, seg := range strings.Split(tok, ".") {
		if len(seg) >= 12 && strings.Contains(s, seg) {
			return true
		}
	}
	return false
}

func TestClassify(t *testing.T) {
	tests := map[string]Kind{
		makeJWT(`{"alg":"HS256"}`, `{"iat":1}`): KindJWT,
		base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A128GCM"}`)) + "..aXY.Y2lwaGVy.dGFn": KindJWE,
		"2YotnFZFEjr1zCsicMWpAA": KindOpaque,
		"eyJ.not.a-jwt":          KindOpaque,
		"${access_token}":        KindPlaceholder,
		"null":                   KindPlaceholder,
		"":                       KindPlaceholder,
	}
	for tok, want := range tests {
		if got, _ := classify(tok); got != want {
			t.Errorf("classify(%q) = %s, want %s", tok, got, want)
		}
	}
}

func FuzzParseJWT(f *testing.F) {
	f.Add(rfc7519Example)
	f.Add(makeJWT(`{"alg":"HS256"}`, `{"iat":1700000000.5,"exp":1700003600,"nbf":1,"iss":"x","jti":"y"}`))
	f.Add(makeJWT(`{"alg":"none"}`, `{"iat":"x","exp":1e999}`))
	f.Add("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn")
	f.Add("a.b.c")
	f.Add("eyJ==.eyJ=.=")
	f.Fuzz(func(t *testing.T, tok string) {
		j, err := ParseJWT(tok)
		if err != nil {
			if !errors.Is(err, ErrNotJWT) {
				t.Fatalf("error %v does not wrap ErrNotJWT", err)
			}
			if len(tok) >= 24 && leaks(err.Error(), tok) {
				t.Fatalf("error %q quotes the input", err)
			}
			return
		}
		if j.Alg == "" {
			t.Fatal("accepted without alg")
		}
		if len(tok) > MaxTokenLen {
			t.Fatal("accepted an oversized token")
		}
		for _, d := range []time.Time{j.IssuedAt, j.ExpiresAt, j.NotBefore} {
			if !d.IsZero() && (d.Before(time.Unix(0, 0)) || d.Year() > 9999) {
				t.Fatalf("date %v out of range", d)
			}
		}
		if j.Encrypted && (!j.IssuedAt.IsZero() || j.Issuer != "") {
			t.Fatal("claims read from a JWE")
		}
	})
}

func BenchmarkParseJWT(b *testing.B) {
	tok := makeJWT(`{"alg":"HS256","typ":"JWT"}`,
		`{"iss":"harness","sub":"client","iat":1795652695,"exp":1795739095,"jti":"dda4154c8653244a"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(tok)))
	for b.Loop() {
		if _, err := ParseJWT(tok); err != nil {
			b.Fatal(err)
		}
	}
}
