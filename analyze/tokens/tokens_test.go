package tokens

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

var _ analyze.Accumulator = (*Tracker)(nil)

var t0 = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// req is a successful request by thread at startMs lasting elapsedMs.
// auth is its Authorization header; headers says whether any were
// recorded.
func req(thread string, startMs, elapsedMs int, label, url, auth string, headers bool) *samples.Sample {
	s := &samples.Sample{
		Start: at(startMs), Elapsed: time.Duration(elapsedMs) * time.Millisecond,
		Label: label, Thread: thread, URL: url, Code: "200", Success: true, Hostname: "gen1",
		Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread |
			samples.FieldCode | samples.FieldSuccess | samples.FieldURL | samples.FieldHostname,
	}
	if headers {
		s.Has |= samples.FieldRequestHeaders
		s.Method = "GET"
		s.RequestHeaders = []samples.Header{{Name: "Host", Value: "api.example.com"}}
		if auth != "" {
			s.RequestHeaders = append(s.RequestHeaders, samples.Header{Name: "Authorization", Value: auth})
		}
	}
	return s
}

// tokenReq is a successful POST to a token endpoint.
func tokenReq(thread string, startMs, elapsedMs int, headers bool) *samples.Sample {
	s := req(thread, startMs, elapsedMs, "get token", "https://login.example.com/oauth/token", "", headers)
	s.Method = "POST"
	return s
}

func jwtWith(claims string) string { return makeJWT(`{"alg":"HS256","typ":"JWT"}`, claims) }

func TestObserveJWT(t *testing.T) {
	iat := at(0).Unix()
	tok := jwtWith(fmt.Sprintf(`{"iss":"test","iat":%d,"exp":%d,"nbf":%d}`, iat, iat+60, iat+2))
	tr := New()
	tests := []struct {
		thread      string
		startMs     int
		threads     int
		expired     bool
		notYetValid bool
	}{
		{"w 1-1", 1500, 1, false, true},
		{"w 1-2", 5500, 2, false, false},
		{"w 1-1", 59999, 2, false, false},
		{"w 1-3", 60000, 3, true, false}, // exp is the first instant it is not valid
	}
	for _, tt := range tests {
		u := tr.Observe(req(tt.thread, tt.startMs, 10, "call", "https://api.example.com/x", "Bearer "+tok, true))
		want := Use{Scheme: "Bearer", Bearer: true, Token: redact.Fingerprint(tok), Kind: KindJWT,
			Age: time.Duration(tt.startMs) * time.Millisecond, AgeFrom: FromJWT,
			Expired: tt.expired, NotYetValid: tt.notYetValid, Threads: tt.threads}
		if u != want {
			t.Errorf("at %d ms: Observe =\n%+v, want\n%+v", tt.startMs, u, want)
		}
	}
	res := tr.Result()
	if len(res.Tokens) != 1 {
		t.Fatalf("tokens = %+v", res.Tokens)
	}
	e := res.Tokens[0]
	if e.Requests != 4 || e.Threads != 3 || e.AfterExpiry != 1 || e.BeforeNotBefore != 1 || e.MaxAgeMS != 60000 ||
		e.Kind != KindJWT || e.Alg != "HS256" || e.IssuedFrom != FromJWT || !e.IssuedAt.Equal(at(0)) ||
		!e.ExpiresAt.Equal(at(60000)) || !e.FirstUse.Equal(at(1500)) || !e.LastUse.Equal(at(60000)) {
		t.Errorf("token summary = %+v", e)
	}
	if res.SharedTokens != 1 || res.MaxThreadsPerToken != 3 || res.SharingInferred ||
		res.WithToken != 4 || res.AgeSources[FromJWT] != 4 || res.AfterExpiry != 1 || res.BeforeNotBefore != 1 {
		t.Errorf("result = %+v", res)
	}
}

func TestObserveTokenResponse(t *testing.T) {
	opaque := "2YotnFZFEjr1zCsicMWpAA"
	tr := New()
	fetch := tokenReq("w 1-1", 1000, 200, true)
	fetch.RequestHeaders = append(fetch.RequestHeaders, samples.Header{Name: "Authorization", Value: "Basic Y2xpZW50OnNlY3JldA=="})
	fetch.ResponseBody = `{"access_token":"` + opaque + `","token_type":"Bearer","expires_in":"60"}`
	fetch.ResponseBodyIs = samples.BodySaved
	if u := tr.Observe(fetch); !u.TokenRequest || u.Bearer || u.Scheme != "Basic" || u.AgeFrom != "" {
		t.Errorf("token request: %+v", u)
	}
	u := tr.Observe(req("w 1-1", 30000, 5, "call", "https://api.example.com/x", "bearer "+opaque, true))
	if u.Kind != KindOpaque || u.AgeFrom != FromTokenResponse || u.Age != 28800*time.Millisecond || u.Expired {
		t.Errorf("use at 30 s: %+v", u)
	}
	// Issued when the response ended, 1.2 s; it expires 60 s later.
	u = tr.Observe(req("w 1-2", 61200, 5, "call", "https://api.example.com/x", "Bearer "+opaque, true))
	if !u.Expired || u.Age != 60*time.Second || u.Threads != 2 {
		t.Errorf("use at 61.2 s: %+v", u)
	}
	res := tr.Result()
	if len(res.Tokens) != 1 || res.Tokens[0].FetchedBy != "w 1-1" || !res.Tokens[0].IssuedAt.Equal(at(1200)) ||
		!res.Tokens[0].ExpiresAt.Equal(at(61200)) || res.Tokens[0].IssuedFrom != FromTokenResponse {
		t.Errorf("tokens = %+v", res.Tokens)
	}
	if res.TokenRequests != 1 || res.OtherSchemes["Basic"] != 1 || res.WithoutToken != 1 || res.WithToken != 2 {
		t.Errorf("result = %+v", res)
	}
}

// A token response beats iat: it is on the request's clock and has
// milliseconds.
func TestTokenResponseBeatsIat(t *testing.T) {
	tok := jwtWith(fmt.Sprintf(`{"iat":%d,"exp":%d}`, at(0).Unix(), at(0).Unix()+3600))
	tr := New()
	fetch := tokenReq("w 1-1", 100, 650, true)
	fetch.ResponseBody = `{"access_token":"` + tok + `","expires_in":60}`
	fetch.ResponseBodyIs = samples.BodySaved
	tr.Observe(fetch)
	u := tr.Observe(req("w 1-1", 70750, 5, "call", "/x", "Bearer "+tok, true))
	// exp (3600 s) wins over expires_in (60 s): the issuer's own word.
	if u.AgeFrom != FromTokenResponse || u.Age != 70*time.Second || u.Expired || u.Kind != KindJWT {
		t.Errorf("use = %+v", u)
	}
}

func TestObserveFirstSeen(t *testing.T) {
	tr := New()
	a, b := "opaque-token-aaaaaaaa", "opaque-token-bbbbbbbb"
	steps := []struct {
		tok     string
		startMs int
		age     time.Duration
	}{
		{a, 1000, 0},
		{b, 2000, 0},
		{a, 4500, 3500 * time.Millisecond},
		{b, 2500, 500 * time.Millisecond},
	}
	for _, s := range steps {
		u := tr.Observe(req("w 1-1", s.startMs, 5, "call", "/x", "Bearer "+s.tok, true))
		if u.AgeFrom != FromFirstSeen || u.Age != s.age || u.Kind != KindOpaque {
			t.Errorf("%s at %d: %+v", redact.Fingerprint(s.tok), s.startMs, u)
		}
	}
	res := tr.Result()
	if len(res.Tokens) != 2 || res.SharedTokens != 0 || !strings.Contains(strings.Join(res.Missing, "\n"), "lower bound") {
		t.Errorf("result = %+v", res)
	}
}

func TestObserveOtherSchemesAndPlaceholders(t *testing.T) {
	tr := New()
	cases := []struct {
		auth   string
		scheme string
		bearer bool
		kind   Kind
	}{
		{"basic dXNlcjpwYXNz", "Basic", false, ""},
		{"Digest username=\"u\"", "Digest", false, ""},
		{"some-api-key", "", false, ""},
		{"sk_live_0123 4567secret", "other", false, ""}, // an API key with a space is not a scheme to echo
		{"Bearer ${access_token}", "Bearer", true, KindPlaceholder},
		{"Bearer", "Bearer", true, KindPlaceholder},
		{"Bearer null", "Bearer", true, KindPlaceholder},
		{"DPoP 2YotnFZFEjr1zCsicMWpAA", "DPoP", true, KindOpaque},
		{jwtWith(`{"iat":1795651200}`), "", true, KindJWT}, // a bare JWT
	}
	for _, c := range cases {
		u := tr.Observe(req("w 1-1", 1000, 5, "call", "/x", c.auth, true))
		if u.Scheme != c.scheme || u.Bearer != c.bearer || u.Kind != c.kind {
			t.Errorf("%.8q: %+v", c.auth, u)
		}
		if u.Kind == KindPlaceholder && u.AgeFrom != "" {
			t.Errorf("%.20q: a placeholder was aged: %+v", c.auth, u)
		}
	}
	res := tr.Result()
	if res.Placeholders != 3 || res.OtherSchemes["Basic"] != 1 || res.OtherSchemes["Digest"] != 1 ||
		res.OtherSchemes["(no scheme)"] != 1 || res.OtherSchemes["other"] != 1 || res.WithToken != 5 || res.WithoutToken != 4 {
		t.Errorf("result = %+v", res)
	}
}

func TestInferOwnThread(t *testing.T) {
	tr := New()
	tr.Observe(tokenReq("w 1-1", 0, 80, false))
	tr.Observe(tokenReq("w 1-2", 500, 80, false))
	u := tr.Observe(req("w 1-1", 1080, 30, "upload", "/up", "", false))
	if !u.Inferred() || u.Age != time.Second || u.Bearer || u.Threads != 1 {
		t.Errorf("w 1-1: %+v", u)
	}
	u = tr.Observe(req("w 1-2", 1580, 30, "upload", "/up", "", false))
	if !u.Inferred() || u.Age != time.Second || u.Threads != 1 {
		t.Errorf("w 1-2: %+v", u)
	}
	// w 1-1 fetches again: its later requests use the new token.
	tr.Observe(tokenReq("w 1-1", 2000, 100, false))
	u = tr.Observe(req("w 1-1", 2400, 30, "upload", "/up", "", false))
	if u.Age != 300*time.Millisecond {
		t.Errorf("after refresh: %+v", u)
	}
	res := tr.Result()
	if len(res.Tokens) != 3 || res.SharedTokens != 0 || res.Inferred != 3 || res.AgeSources[FromInference] != 3 ||
		res.TokenRequests != 3 || res.HeadersNotSaved != 6 {
		t.Errorf("result = %+v", res)
	}
	for _, e := range res.Tokens {
		if !e.Inferred || e.Fingerprint != "" || e.IssuedFrom != FromInference {
			t.Errorf("inferred entry = %+v", e)
		}
	}
	if m := strings.Join(res.Missing, "\n"); !strings.Contains(m, "jmeter.save.saveservice.requestHeaders=true") {
		t.Errorf("missing = %q", m)
	}
}

func TestInferPrefersSetUpThread(t *testing.T) {
	tr := New()
	tr.Observe(tokenReq("setUp 1-1", 0, 100, false))        // ends at 100
	tr.Observe(tokenReq("w 1-9", 150, 100, false))          // ends at 250
	tr.Observe(req("w 1-9", 300, 10, "x", "/x", "", false)) // w 1-9 is a worker
	u := tr.Observe(req("w 1-1", 1000, 10, "upload", "/up", "", false))
	if u.Age != 900*time.Millisecond {
		t.Errorf("want the setUp token (900 ms old), got %+v", u)
	}
	u = tr.Observe(req("w 1-2", 1100, 10, "upload", "/up", "", false))
	if u.Threads != 2 {
		t.Errorf("setUp token threads = %d, want 2", u.Threads)
	}
	res := tr.Result()
	var shared *Token
	for i := range res.Tokens {
		if res.Tokens[i].FetchedBy == "setUp 1-1" {
			shared = &res.Tokens[i]
		}
	}
	if shared == nil || shared.Threads != 2 || !res.SharingInferred || res.SharedTokens != 1 {
		t.Errorf("result = %+v", res)
	}
}

func TestInferAnyThreadWithoutSetUp(t *testing.T) {
	tr := New()
	tr.Observe(tokenReq("w 1-9", 0, 100, false))
	tr.Observe(req("w 1-9", 200, 10, "x", "/x", "", false))
	u := tr.Observe(req("w 1-1", 1000, 10, "upload", "/up", "", false))
	if !u.Inferred() || u.Age != 900*time.Millisecond {
		t.Errorf("want w 1-9's token, got %+v", u)
	}
}

// A setUp thread that later does other work stops counting as one; the
// next-best token-only thread is found again.
func TestInferSetUpThreadTurnsWorker(t *testing.T) {
	tr := New()
	tr.Observe(tokenReq("setUp 1-2", 0, 100, false))   // ends 100, stays token-only
	tr.Observe(tokenReq("setUp 1-1", 200, 100, false)) // ends 300
	tr.Observe(req("setUp 1-1", 400, 10, "x", "/x", "", false))
	u := tr.Observe(req("w 1-1", 1000, 10, "upload", "/up", "", false))
	if u.Age != 900*time.Millisecond {
		t.Errorf("want setUp 1-2's token (900 ms), got %+v", u)
	}
}

// A token request still in flight cannot have given its token to another
// thread.
func TestInferWaitsForTheTokenResponse(t *testing.T) {
	tr := New()
	tr.Observe(tokenReq("setUp 1-1", 100, 1000, false)) // ends 1100
	u := tr.Observe(req("w 1-1", 600, 10, "upload", "/up", "", false))
	if u.AgeFrom != "" {
		t.Errorf("aged from a token not yet issued: %+v", u)
	}
	u = tr.Observe(req("w 1-1", 1200, 10, "upload", "/up", "", false))
	if !u.Inferred() || u.Age != 100*time.Millisecond {
		t.Errorf("after issue: %+v", u)
	}
	if m := strings.Join(tr.Result().Missing, "\n"); !strings.Contains(m, "1 had no successful token request") {
		t.Errorf("missing = %q", m)
	}
}

func TestNoInferenceForTokenRequestsOrFailedFetches(t *testing.T) {
	tr := New()
	failed := tokenReq("setUp 1-1", 0, 100, false)
	failed.Success, failed.Code = false, "401"
	if u := tr.Observe(failed); !u.TokenRequest || u.AgeFrom != "" {
		t.Errorf("failed token request: %+v", u)
	}
	if u := tr.Observe(req("w 1-1", 500, 10, "upload", "/up", "", false)); u.AgeFrom != "" {
		t.Errorf("aged from a failed token request: %+v", u)
	}
	tr.Observe(tokenReq("setUp 1-1", 600, 100, false))
	if u := tr.Observe(tokenReq("w 1-1", 900, 100, false)); !u.TokenRequest || u.AgeFrom != "" {
		t.Errorf("token request was aged: %+v", u)
	}
	res := tr.Result()
	if res.TokenRequests != 3 || res.FailedTokenRequests != 1 {
		t.Errorf("result = %+v", res)
	}
}

// Thread names repeat on every load generator of a distributed run.
func TestThreadsOnDifferentHosts(t *testing.T) {
	tok := jwtWith(`{"iat":1795651200}`)
	tr := New()
	a := req("w 1-1", 100, 5, "call", "/x", "Bearer "+tok, true)
	b := req("w 1-1", 200, 5, "call", "/x", "Bearer "+tok, true)
	b.Hostname = "gen2"
	tr.Observe(a)
	if u := tr.Observe(b); u.Threads != 2 {
		t.Errorf("threads = %d, want 2", u.Threads)
	}
}

func TestAddWalksRequests(t *testing.T) {
	tok := jwtWith(`{"iat":1795651200}`)
	parent := samples.Sample{Kind: samples.KindTransaction, Start: at(0), Thread: "w 1-1", Label: "flow",
		Children: []samples.Sample{
			*req("w 1-1", 0, 5, "a", "/a", "Bearer "+tok, true),
			*req("w 1-1", 10, 5, "b", "/b", "Bearer "+tok, true),
		}}
	tr := New()
	tr.Add(&parent)
	if res := tr.Result(); res.Requests != 2 || res.WithToken != 2 {
		t.Errorf("result = %+v", res)
	}
}

func TestIsTokenRequest(t *testing.T) {
	tests := []struct {
		method, url, label, body string
		want                     bool
	}{
		{"POST", "https://login.mypurecloud.com/oauth/token", "auth", "", true},
		{"POST", "https://idp/oauth2/v2.0/token?x=1", "auth", "", true},
		{"POST", "https://idp/oauth2/default/v1/token/", "auth", "", true},
		{"POST", "https://idp/connect/token", "auth", "", true},
		{"POST", "https://kc/realms/r/protocol/openid-connect/token", "auth", "", true},
		{"POST", "http://127.0.0.1:18080/token", "auth", "", true},
		{"", "http://127.0.0.1:18080/oauth/token", "get token", "", true}, // CSV: no method
		{"", "", "Get Token", "", true},
		{"POST", "https://idp/login", "auth", "grant_type=client_credentials&scope=a", true},
		{"GET", "https://idp/oauth/token", "get token", "", false},
		{"POST", "https://api/tokens", "upload", "", false},
		{"POST", "https://api/token/refresh-log", "upload", "", false},
		{"POST", "https://api/x", "upload", "", false},
	}
	for _, tt := range tests {
		r := &samples.Sample{Method: tt.method, URL: tt.url, Label: tt.label, RequestBody: tt.body}
		if tt.body != "" {
			r.RequestBodyIs = samples.BodySaved
		}
		if got := isTokenRequest(r); got != tt.want {
			t.Errorf("isTokenRequest(%s %s %q) = %v", tt.method, tt.url, tt.label, got)
		}
	}
}

// Nothing the package returns may contain a token, whatever the token.
func TestNoTokenInOutput(t *testing.T) {
	secrets := []string{
		jwtWith(`{"iss":"https://idp.example.com","iat":1795651200,"exp":1795654800}`),
		jwtWith(`{"iat":"bad"}`),
		"2YotnFZFEjr1zCsicMWpAA-opaque-secret",
		"eyJhbGciOi.truncated-jwt-secret.xyz",
	}
	tr := New()
	var out strings.Builder
	for i, s := range secrets {
		fetch := tokenReq("setUp 1-1", i*100, 10, true)
		fetch.ResponseBody = `{"access_token":"` + s + `","expires_in":3600}`
		fetch.ResponseBodyIs = samples.BodySaved
		out.WriteString(tr.Observe(fetch).String())
		out.WriteString(tr.Observe(req("w 1-1", i*100+50, 5, "c", "/c", "Bearer "+s, true)).String())
		if _, err := ParseJWT(s); err != nil {
			out.WriteString(err.Error())
		}
	}
	res := tr.Result()
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	out.WriteString(res.String())
	for _, s := range secrets {
		if leaks(out.String(), s) {
			t.Errorf("output contains the token %s", redact.Fingerprint(s))
		}
		if !strings.Contains(string(js), redact.Fingerprint(s)) {
			t.Errorf("result does not name the token %s", redact.Fingerprint(s))
		}
	}
}

func BenchmarkObserveJWT(b *testing.B) {
	tok := jwtWith(`{"iss":"harness","sub":"client","iat":1795652695,"exp":1795739095,"jti":"dda4154c8653244a"}`)
	r := req("desktop agents 1-1", 0, 80, "upload screen recording", "http://127.0.0.1:18080/api/v2/recordings/screen", "Bearer "+tok, true)
	r.Method = "POST"
	r.RequestHeaders = []samples.Header{
		{Name: "Connection", Value: "keep-alive"},
		{Name: "Authorization", Value: "Bearer " + tok},
		{Name: "x-genesys-recording-id", Value: "b10554fc-b728-45a2-8ed9-d82e9b7a2b84"},
		{Name: "Content-Length", Value: "20627"},
		{Name: "Content-Type", Value: "multipart/form-data; boundary=mEdm3Ify9E8NJBDQ17kd33XN2cTgA1IxGtYe0"},
		{Name: "Host", Value: "127.0.0.1:18080"},
	}
	tr := New()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Start = t0.Add(time.Duration(i) * time.Millisecond)
		i++
		if u := tr.Observe(r); u.AgeFrom != FromJWT {
			b.Fatal(u)
		}
	}
}

func BenchmarkObserveInferred(b *testing.B) {
	tr := New()
	tr.Observe(tokenReq("setUp 1-1", 0, 80, false))
	r := req("desktop agents 1-1", 100, 80, "upload screen recording", "http://127.0.0.1:18080/api/v2/recordings/screen", "", false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Start = t0.Add(time.Duration(100+i) * time.Millisecond)
		i++
		if u := tr.Observe(r); !u.Inferred() {
			b.Fatal(u)
		}
	}
}

func TestLimits(t *testing.T) {
	tr := New()
	for i := range maxTokens + 3 {
		tr.Observe(req("w 1-1", i, 1, "c", "/c", fmt.Sprintf("Bearer opaque-%08d", i), true))
	}
	huge := "Bearer " + strings.Repeat("A", 1<<20)
	u := tr.Observe(req("w 1-1", maxTokens+10, 1, "c", "/c", huge, true))
	if u.Kind != KindOpaque || u.Token != redact.Fingerprint(strings.TrimPrefix(huge, "Bearer ")) {
		t.Errorf("huge token: %+v", u)
	}
	res := tr.Result()
	if len(res.Tokens) != maxTokens || res.TokensNotTracked != 4 || res.WithToken != maxTokens+4 {
		t.Errorf("%d tokens listed, %d not tracked, %d with token", len(res.Tokens), res.TokensNotTracked, res.WithToken)
	}
	if m := strings.Join(res.Missing, "\n"); !strings.Contains(m, "distinct tokens") {
		t.Errorf("missing = %q", m)
	}
	if s := res.String(); strings.Count(s, "\n") > 40 {
		t.Errorf("String() has %d lines", strings.Count(s, "\n"))
	}
}
