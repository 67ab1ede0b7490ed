package ids

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// uploadBody is the body JMeter saved for the first upload of the
// s8-dupid-csv run (results.xml), with its CRLFs.
const uploadBody = "--zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz\r\n" +
	"Content-Disposition: form-data; name=\"recordingId\"\r\n" +
	"Content-Type: text/plain; charset=US-ASCII\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"rec-0001\r\n" +
	"--zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz\r\n" +
	"Content-Disposition: form-data; name=\"metadata\"\r\n" +
	"Content-Type: text/plain; charset=US-ASCII\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"{\"agent\":\"1\",\"media\":\"screen\"}\r\n" +
	"--zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz\r\n" +
	"Content-Disposition: form-data; name=\"file\"; filename=\"clip.webm\"\r\n" +
	"Content-Type: video/webm\r\n" +
	"Content-Transfer-Encoding: binary\r\n" +
	"\r\n" +
	"<actual file content, not shown here>\r\n" +
	"--zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz--\r\n"

const uploadJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJoYXJuZXNzIiwic3ViIjoiY2xpZW50IiwiaWF0IjoxNzk1NjUzMTIwLCJleHAiOjE3OTU3Mzk1MjAsImp0aSI6ImIxZjZmNmVhOWU2OTA4N2EifQ.6x6mPaf_iYPpnldw4d_FAR_UVT9VjLcF-APcJX8NPtI"

// upload is the s8 run's first upload as a decoder would give it.
func upload(id, boundary string) samples.Sample {
	body := strings.ReplaceAll(uploadBody, "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz", boundary)
	body = strings.Replace(body, "rec-0001", id, 1)
	return samples.Sample{
		Label:  "upload screen recording",
		Thread: "desktop agents 1-1",
		Method: "POST",
		URL:    "http://127.0.0.1:18080/api/v2/recordings/screen",
		RequestHeaders: []samples.Header{
			{Name: "Connection", Value: "keep-alive"},
			{Name: "Authorization", Value: "Bearer " + uploadJWT},
			{Name: "x-genesys-recording-id", Value: id},
			{Name: "Content-Length", Value: "20583"},
			{Name: "Content-Type", Value: "multipart/form-data; boundary=" + boundary + "; charset=US-ASCII"},
			{Name: "Host", Value: "127.0.0.1:18080"},
			{Name: "User-Agent", Value: "Apache-HttpClient/4.5.14 (Java/17.0.15)"},
		},
		RequestBody:   body,
		RequestBodyIs: samples.BodySaved,
		Vars:          []samples.Var{{Name: "recId", Value: id}},
		Kind:          samples.KindHTTP,
	}
}

// found renders candidates as sorted "loc=value" strings.
func found(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Loc+"="+c.Value)
	}
	sort.Strings(out)
	return out
}

func checkFound(t *testing.T, what string, got []Candidate, want ...string) {
	t.Helper()
	sort.Strings(want)
	if g := found(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot  %q\nwant %q", what, g, want)
	}
}

func TestExtractUpload(t *testing.T) {
	var x Extractor
	s := upload("rec-0001", "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz")
	// The Authorization header, the transport headers, the JSON in the
	// metadata field ("1", "screen") and the file part are not IDs.
	checkFound(t, "upload", x.Extract(&s),
		"header:x-genesys-recording-id=rec-0001",
		"form:recordingId=rec-0001",
		"var:recId=rec-0001")
	for _, c := range x.Extract(&s) {
		if c.Class != Prefixed {
			t.Errorf("%s: class %q, want prefixed", c.Loc, c.Class)
		}
	}
}

func TestExtractMultipartTolerance(t *testing.T) {
	const id = "aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5"
	var x Extractor
	base := upload(id, "B0undary")
	base.RequestHeaders = nil
	base.Vars = nil

	// Boundary from BodyMIME when the header is missing (HAR).
	s := base
	s.BodyMIME = "multipart/form-data; boundary=\"B0undary\""
	checkFound(t, "boundary from BodyMIME", x.Extract(&s), "form:recordingId="+id)

	// Neither header nor BodyMIME: the body's first line gives it.
	s = base
	checkFound(t, "boundary from the body", x.Extract(&s), "form:recordingId="+id)

	// A header boundary that is not the body's (the s4 failure mode).
	s = base
	s.RequestHeaders = []samples.Header{{Name: "Content-Type", Value: "multipart/form-data; boundary=WRONG"}}
	checkFound(t, "mismatched boundary", x.Extract(&s), "form:recordingId="+id)

	// LF line ends.
	s = base
	s.RequestBody = strings.ReplaceAll(s.RequestBody, "\r\n", "\n")
	checkFound(t, "LF only", x.Extract(&s), "form:recordingId="+id)

	// Cut inside the first part: nothing half-read is reported.
	s = base
	s.RequestBody = s.RequestBody[:strings.Index(s.RequestBody, id)+10]
	s.RequestBodyIs = samples.BodyTruncated
	checkFound(t, "truncated in the ID", x.Extract(&s))

	// A body that was not saved is not read.
	s = base
	s.RequestBodyIs = samples.BodyNotSaved
	checkFound(t, "body not saved", x.Extract(&s))

	// A file part without JMeter's placeholder is still skipped, and a
	// quoted name with an escaped quote is unquoted.
	s = base
	s.RequestBody = "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"" + id + ".bin\"\r\n\r\n" + id + "\r\n" +
		"--b\r\nContent-Disposition: form-data; name=\"we\\\"ird;Id\"\r\n\r\n" + id + "\r\n--b--\r\n"
	checkFound(t, "file part and quoted name", x.Extract(&s), "form:we\"ird;Id="+id)
}

func TestExtractLocations(t *testing.T) {
	const (
		u1 = "aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5"
		u2 = "922153a2-8300-4337-b08d-fa1e40d90669"
		u3 = "507f1f77bcf86cd799439011"
	)
	for _, tc := range []struct {
		name string
		s    samples.Sample
		want []string
	}{
		{
			name: "path and query",
			s:    samples.Sample{URL: "https://h.example/api/v2/recordings/screen/" + u1 + "?requestId=" + u2 + "&page=2&x=%72ec-0042#frag"},
			want: []string{"path:4=" + u1, "query:requestId=" + u2, "query:x=rec-0042"},
		},
		{
			name: "bare path, escaped segment",
			s:    samples.Sample{URL: "/orders/ORD%5F2024%5F000017/items"},
			want: []string{"path:1=ORD_2024_000017"},
		},
		{
			name: "JMeter's null URL",
			s:    samples.Sample{URL: "null"},
		},
		{
			name: "headers",
			s: samples.Sample{RequestHeaders: []samples.Header{
				{Name: "X-Request-ID", Value: u1},
				{Name: "traceparent", Value: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
				{Name: "Cookie", Value: "JSESSIONID=" + u3},
				{Name: "X-API-Key", Value: u3},
				{Name: "If-None-Match", Value: "\"" + u3 + "\""},
				{Name: ":path", Value: "/a/" + u2},
				{Name: "Idempotency-Key", Value: "order-7"},
			}},
			want: []string{"header:x-request-id=" + u1, "header:traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "header:idempotency-key=order-7"},
		},
		{
			name: "JSON body",
			s: samples.Sample{
				RequestHeaders: []samples.Header{{Name: "Content-Type", Value: "application/json; charset=utf-8"}},
				RequestBody: `{"metadata":{"id":"` + u1 + `","agent":"1","createdAt":"2024-01-15T10:00:00Z"},` +
					`"items":[{"id":"` + u2 + `"},{"id":"` + u3 + `"}],"seq":1795653120373,"big":1234567890123456789,` +
					`"byId":{"` + u1 + `":{"ref":"` + u2 + `"}},"ok":true,"n":null,"access_token":"` + u3 + `"}`,
				RequestBodyIs: samples.BodySaved,
			},
			want: []string{"json:metadata.id=" + u1, "json:items[].id=" + u2, "json:items[].id=" + u3,
				"json:seq=1795653120373", "json:big=1234567890123456789",
				// A map keyed by IDs is one location; the token is a credential.
				"json:byId.{id}.ref=" + u2},
		},
		{
			name: "JSON sniffed without a content type, root array",
			s:    samples.Sample{RequestBody: ` [{"requestId":"abc"}]`, RequestBodyIs: samples.BodySaved},
			want: []string{"json:[].requestId=abc"},
		},
		{
			name: "urlencoded body and HAR params",
			s: samples.Sample{
				RequestHeaders: []samples.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}},
				RequestBody:    "grant_type=client_credentials&client_id=" + u1 + "&client_secret=" + u3 + "&password=" + u2,
				RequestBodyIs:  samples.BodySaved,
				Params:         []samples.Var{{Name: "sessionId", Value: u2}, {Name: "session", Value: u3}},
			},
			// client_secret, password and session are credentials;
			// sessionId says it is an ID.
			want: []string{"form:client_id=" + u1, "form:sessionId=" + u2},
		},
		{
			name: "GET query saved as the body is not read twice",
			s: samples.Sample{
				URL:           "http://h/x?requestId=" + u1,
				RequestBody:   "requestId=" + u1,
				RequestBodyIs: samples.BodySaved,
			},
			want: []string{"query:requestId=" + u1},
		},
		{
			name: "variables",
			s: samples.Sample{Vars: []samples.Var{
				{Name: "recId", Value: "rec-0001"}, {Name: "token", Value: u3}, {Name: "count", Value: "7"},
			}},
			want: []string{"var:recId=rec-0001"},
		},
		{
			name: "same value twice at one location counts once",
			s: samples.Sample{RequestHeaders: []samples.Header{
				{Name: "X-Request-Id", Value: u1}, {Name: "x-request-id", Value: " " + u1 + " "},
			}},
			want: []string{"header:x-request-id=" + u1},
		},
	} {
		var x Extractor
		checkFound(t, tc.name, x.Extract(&tc.s), tc.want...)
	}
}

func TestExtractSelect(t *testing.T) {
	specs, err := ParseSpecs([]string{"header:X-Genesys-Recording-Id", "form:metadata.agent", "var:recId", `regex:recordings/(screen)`})
	if err != nil {
		t.Fatal(err)
	}
	x := Extractor{Select: specs}
	s := upload("rec-0001", "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz")
	got := x.Extract(&s)
	// Selected values count whether they look like IDs or not.
	checkFound(t, "selected", got,
		"header:x-genesys-recording-id=rec-0001",
		"form:metadata.agent=1",
		"var:recId=rec-0001",
		"regex:recordings/(screen)=screen")
	for _, c := range got {
		want := Prefixed
		if c.Value == "1" || c.Value == "screen" {
			want = Selected
		}
		if c.Class != want {
			t.Errorf("%s=%s: class %q, want %q", c.Loc, c.Value, c.Class, want)
		}
	}

	// A regex is tried on the URL, then header lines, then the body, and
	// never on credential headers.
	specs, _ = ParseSpecs([]string{`regex:Bearer (\S+)`, `regex:name="(recordingId)"`})
	x = Extractor{Select: specs}
	checkFound(t, "regex", x.Extract(&s), `regex:name="(recordingId)"=recordingId`)
}

func TestExtractCaps(t *testing.T) {
	var x Extractor
	var s samples.Sample
	for i := range 2 * maxCandidates {
		s.Vars = append(s.Vars, samples.Var{Name: fmt.Sprintf("id%d", i), Value: fmt.Sprintf("rec-%06d", i)})
	}
	if got := len(x.Extract(&s)); got != maxCandidates {
		t.Errorf("%d candidates, want the cap %d", got, maxCandidates)
	}
	if x.Capped != 1 {
		t.Errorf("Capped = %d, want 1", x.Capped)
	}

	// Nesting deeper than maxJSONDepth stops the walk without harm.
	deep := strings.Repeat(`{"a":`, maxJSONDepth+5) + `"rec-000001"` + strings.Repeat(`}`, maxJSONDepth+5)
	s = samples.Sample{RequestBody: deep, RequestBodyIs: samples.BodySaved}
	checkFound(t, "too deep", x.Extract(&s))
	shallow := strings.Repeat(`{"a":`, 3) + `"rec-000001"` + strings.Repeat(`}`, 3)
	s = samples.Sample{RequestBody: shallow, RequestBodyIs: samples.BodySaved}
	checkFound(t, "shallow", x.Extract(&s), "json:a.a.a=rec-000001")
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		s    samples.Sample
		want string
	}{
		{samples.Sample{Label: "get recording", URL: "http://h/api/v2/recordings/screen/rec-0001"}, "get recording"},
		{samples.Sample{Label: "GET https://h/a/{id}", Method: "GET", URL: "https://user:pw@H.example/a/aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5?x=1"},
			"GET https://h.example/a/{id}"},
		{samples.Sample{Label: "/orders/12345/items", URL: "http://h/orders/12345/items"}, "http://h/orders/{id}/items"},
		{samples.Sample{Label: "POST /orders/rec-000001"}, "POST /orders/{id}"},
		{samples.Sample{URL: "http://h/x/"}, "http://h/x/"},
	} {
		if got := Endpoint(&tc.s); got != tc.want {
			t.Errorf("Endpoint(label %q, URL %q) = %q, want %q", tc.s.Label, tc.s.URL, got, tc.want)
		}
	}
}

func TestHeaderParam(t *testing.T) {
	for _, tc := range []struct{ v, key, want string }{
		{"multipart/form-data; boundary=abc; charset=US-ASCII", "boundary", "abc"},
		{`multipart/form-data; boundary="a;b c"`, "boundary", "a;b c"},
		{`form-data; name="file"; filename="x.bin"`, "name", "file"},
		{`form-data; filename="x.bin"; name="file"`, "name", "file"},
		{`form-data; NAME=plain`, "name", "plain"},
		{`form-data; name="unterminated`, "name", "unterminated"},
		{`form-data`, "name", ""},
		{`form-data; junk; name=x`, "name", "x"},
	} {
		if got := headerParam(tc.v, tc.key); got != tc.want {
			t.Errorf("headerParam(%q, %q) = %q, want %q", tc.v, tc.key, got, tc.want)
		}
	}
}

// Credentials that no fixed list names are recognised by their names and
// left out, however often every thread repeats them (issue 13: "reused an
// ID (header private-token)").
func TestExtractLeavesCredentialsOut(t *testing.T) {
	const tok = "glpat-Zq9sEcReTvAl7x2W9k3L"
	var x Extractor
	s := samples.Sample{
		URL: "https://h/api/x?apiToken=" + tok,
		RequestHeaders: []samples.Header{
			{Name: "PRIVATE-TOKEN", Value: tok},
			{Name: "X-Goog-Api-Key", Value: tok},
			{Name: "X-Session-Token", Value: tok},
			{Name: "X-Auth", Value: tok},
			{Name: "X-Session-Id", Value: "aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5"},
		},
		Vars: []samples.Var{{Name: "authToken", Value: tok}, {Name: "sessionToken", Value: tok}, {Name: "csrf", Value: tok}},
	}
	checkFound(t, "credentials", x.Extract(&s), "header:x-session-id=aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5")
}
