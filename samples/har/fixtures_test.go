package har

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// harOf wraps entries in a HAR 1.2 log after two lines of framing, so
// that entry i (1-based) starts on line 2+i when the entries are one line
// each.
func harOf(entries ...string) string {
	return "{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"fixture\", \"version\": \"1\"},\n" +
		"\"entries\": [\n" +
		strings.Join(entries, ",\n") + "\n]}}\n"
}

// entryOf is a minimal valid entry, with members replaced or added by
// extra (raw JSON members, appended last so that they win).
func entryOf(method, url string, status int, extra ...string) string {
	members := []string{
		`"startedDateTime": "2024-05-01T10:00:00.000Z"`,
		`"time": 50`,
		`"request": {"method": "` + method + `", "url": "` + url + `", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [], "queryString": [], "headersSize": 100, "bodySize": 0}`,
		`"response": {"status": ` + itoa(status) + `, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [], "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": 50, "bodySize": 0}`,
		`"cache": {}`,
		`"timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": 40, "receive": 10}`,
	}
	return "{" + strings.Join(append(members, extra...), ", ") + "}"
}

func itoa(n int) string { return strconv.Itoa(n) }

func one(t *testing.T, in string, opts samples.Options) samples.Sample {
	t.Helper()
	res := decodeString(t, in, opts)
	if len(res.errs) > 0 || len(res.samples) != 1 {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}
	return res.samples[0]
}

func TestMultipartUpload(t *testing.T) {
	const boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{\"recordingId\":\"4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b\"}\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"screen.webm\"\r\nContent-Type: video/webm\r\n\r\nWEBM\x01\r\n--" + boundary + "--\r\n"
	text := strings.NewReplacer("\r", `\r`, "\n", `\n`, `"`, `\"`, "\x01", `\u0001`).Replace(body)
	e := entryOf("POST", "https://api.example.com/v2/recordings/4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b/upload?x=1", 201,
		`"request": {"method": "POST", "url": "https://api.example.com/v2/recordings/4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b/upload?x=1",
		 "headers": [{"name": "Content-Type", "value": "multipart/form-data; boundary=`+boundary+`"}, {"name": "Content-Type", "value": "multipart/form-data"}],
		 "headersSize": 300, "bodySize": 250,
		 "postData": {"mimeType": "multipart/form-data; boundary=`+boundary+`", "text": "`+text+`",
		   "params": [{"name": "meta", "value": "{\"recordingId\":\"4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b\"}"},
		              {"name": "file", "fileName": "screen.webm", "contentType": "video/webm", "value": "(binary)"}]}}`)
	s := one(t, harOf(e), samples.Options{})
	if s.RequestBody != body || s.RequestBodyIs != samples.BodySaved {
		t.Errorf("body %v:\n%q\nwant\n%q", s.RequestBodyIs, s.RequestBody, body)
	}
	if s.BodyMIME != "multipart/form-data; boundary="+boundary {
		t.Errorf("BodyMIME %q", s.BodyMIME)
	}
	// Both Content-Type headers, in order.
	if len(s.RequestHeaders) != 2 || s.RequestHeaders[1].Value != "multipart/form-data" {
		t.Errorf("headers %q", s.RequestHeaders)
	}
	if v, _ := s.RequestHeader("content-type"); !strings.HasSuffix(v, boundary) {
		t.Errorf("Content-Type %q", v)
	}
	want := []samples.Var{{Name: "meta", Value: `{"recordingId":"4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b"}`}, {Name: "file", Value: "(file: screen.webm)"}}
	if len(s.Params) != 2 || s.Params[0] != want[0] || s.Params[1] != want[1] {
		t.Errorf("Params %q", s.Params)
	}
	if s.Label != "POST https://api.example.com/v2/recordings/{id}/upload" || s.SentBytes != 550 || s.Code != "201" {
		t.Errorf("Label %q SentBytes %d Code %q", s.Label, s.SentBytes, s.Code)
	}
}

func Test429RetryAfter(t *testing.T) {
	e := entryOf("POST", "https://api.example.com/upload", 429,
		`"response": {"status": 429, "statusText": "Too Many Requests", "headers": [{"name": "Retry-After", "value": "120"}, {"name": "Content-Type", "value": "application/json"}],
		  "content": {"size": 27, "mimeType": "application/json", "text": "{\"error\":\"rate_limited\"}"}, "headersSize": 80, "bodySize": 27, "redirectURL": null}`)
	s := one(t, harOf(e), samples.Options{})
	if s.Code != "429" || s.Success || s.Message != "Too Many Requests" || s.Status() != 429 {
		t.Errorf("Code %q Success %v Message %q", s.Code, s.Success, s.Message)
	}
	if v, ok := s.ResponseHeader("retry-after"); !ok || v != "120" {
		t.Errorf("Retry-After %q %v", v, ok)
	}
	if s.ResponseBody != `{"error":"rate_limited"}` || s.Bytes != 107 {
		t.Errorf("body %q Bytes %d", s.ResponseBody, s.Bytes)
	}
}

// The JWT's three parts; none may appear in any error we produce.
const (
	jwtHeader    = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
	jwtPayload   = "eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzE0NTYwMDAwfQ"
	jwtSignature = "c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1kby1ub3QtbGVhaw"
	jwt          = jwtHeader + "." + jwtPayload + "." + jwtSignature
)

func TestBearerTokenNeverInErrors(t *testing.T) {
	good := entryOf("GET", "https://api.example.com/me", 200,
		`"request": {"method": "GET", "url": "https://api.example.com/me", "headers": [{"name": "Authorization", "value": "Bearer `+jwt+`"}]}`)
	s := one(t, harOf(good), samples.Options{})
	if v, _ := s.RequestHeader("authorization"); v != "Bearer "+jwt {
		t.Errorf("Authorization %q", v)
	}

	bad := map[string]string{
		"value-is-object": harOf(entryOf("GET", "https://a/", 200,
			`"request": {"method": "GET", "headers": [{"name": "Authorization", "value": {"token": "Bearer `+jwt+`"}}]}`)),
		"status-is-token": harOf(entryOf("GET", "https://a/", 200,
			`"request": {"headers": [{"name": "Authorization", "value": "Bearer `+jwt+`"}]}`, `"response": {"status": "Bearer `+jwt+`"}`)),
		"bare-token": harOf(entryOf("GET", "https://a/", 200,
			`"request": {"headers": [{"name": "Authorization", "value": Bearer `+jwt+`}]}`)),
		"token-as-name": harOf(entryOf("GET", "https://a/", 200,
			`"request": {"headers": [{"name": "Authorization", "value": "x"} "Bearer `+jwt+`"]}`)),
		"cut-inside-token": harOf(entryOf("GET", "https://a/", 200,
			`"request": {"headers": [{"name": "Authorization", "value": "Bearer `+jwt+`"}]}`))[:220],
		"token-after-log": `{"log": {"entries": []}} Bearer ` + jwt,
		"token-as-entry":  harOf(`"Bearer `+jwt+`"`, `Bearer`+jwt),
		"token-in-jsonp":  `Bearer ` + jwt + `({"log": {"entries": []}})`,
		"token-as-key":    `{"log": {"entries": [], "Bearer ` + jwt + `" 1}}`,
		"token-top-level": `"Bearer ` + jwt + `"`,
	}
	for name, in := range bad {
		res := decodeString(t, in, samples.Options{})
		if len(res.errs) == 0 {
			t.Errorf("%s: no error", name)
		}
		for _, err := range res.errs {
			msg := err.Error()
			for _, part := range []string{jwtHeader, jwtPayload, jwtSignature, jwtHeader[:12], jwtSignature[len(jwtSignature)-12:]} {
				if strings.Contains(msg, part) {
					t.Errorf("%s: error shows the token: %s", name, msg)
				}
			}
		}
	}
}

// wantErr describes an expected ParseError.
type wantErr struct {
	msg          string // a substring of Msg
	line, column int    // 0: not checked
	offset       int64  // -1: not checked
}

func checkErrs(t *testing.T, got []error, want []wantErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors %v, want %d", got, len(want))
	}
	for i, w := range want {
		var pe *samples.ParseError
		if !errors.As(got[i], &pe) {
			t.Errorf("error %d: %T %v, want a ParseError", i, got[i], got[i])
			continue
		}
		if !strings.Contains(pe.Msg, w.msg) || (w.line != 0 && pe.Line != w.line) || (w.column != 0 && pe.Column != w.column) || (w.offset >= 0 && pe.Offset != w.offset) {
			t.Errorf("error %d = %q (line %d column %d offset %d), want %q line %d column %d offset %d",
				i, pe.Error(), pe.Line, pe.Column, pe.Offset, w.msg, w.line, w.column, w.offset)
		}
		if pe.File != "test.har" {
			t.Errorf("error %d names %q", i, pe.File)
		}
	}
}

func TestBadInput(t *testing.T) {
	ok := entryOf("GET", "https://example.com/", 200)
	big := entryOf("GET", "https://example.com/big", 200, `"_pad": "`+strings.Repeat("x", 10<<10)+`"`)
	deep := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
	cut := harOf(ok, ok, ok, ok)
	cut = cut[:strings.LastIndex(cut, `"response"`)] // inside entry 4

	for _, tc := range []struct {
		name  string
		in    string
		n     int // samples
		errs  []wantErr
		setup func() func()
	}{
		{name: "valid", in: harOf(ok, ok), n: 2},
		{name: "no entries", in: `{"log": {"version": "1.2", "entries": []}}`, n: 0},
		{name: "trailing comma", in: `{"log": {"entries": [` + ok + `, ]}}`, n: 1},
		{name: "empty input", in: "", errs: []wantErr{{"the input ends before any JSON", 1, 1, 0}}},
		{name: "only spaces", in: "  \n ", errs: []wantErr{{"the input ends before any JSON", 2, 2, 4}}},
		{name: "top-level array", in: "[{\"log\": {}}]", errs: []wantErr{{"not a HAR file: the JSON value is an array", 1, 1, 0}}},
		{name: "text", in: "hello world", errs: []wantErr{{"not a HAR file: it starts with text", 1, 1, 0}}},
		// The white space after the name is read past the end of the buffer.
		{name: "text between spaces", in: " A ", errs: []wantErr{{"not a HAR file: it starts with text", 1, 2, 1}}},
		{name: "text then newlines", in: "\n  hello\n\n", errs: []wantErr{{"not a HAR file: it starts with text", 2, 3, 3}}},
		{name: "no log", in: `{"version": "1.2"}`, errs: []wantErr{{`no "log" member`, 1, 18, 17}}},
		{name: "log is array (brokenfile)", in: "{\"log\":\n[\n 2,1,3\n]\n\"request:\"}", errs: []wantErr{{`"log" is an array`, 2, 1, 8}}},
		{name: "no entries member", in: `{"log": {"version": "1.2"}}`, errs: []wantErr{{`no "entries" array`, 1, 26, 25}}},
		{name: "entries is object", in: `{"log": {"entries": {"a": 1}}}`, errs: []wantErr{{`"entries" is an object, not an array`, 1, 21, 20}}},
		{
			name: "cut inside entry 4", in: cut, n: 3,
			errs: []wantErr{{"the input ends inside entry 4 (started at line 6)", 6, 0, int64(len(cut))}},
		},
		{
			name: "cut between entries", in: harOf(ok, ok)[:len(harOf(ok, ok))-5], n: 2,
			errs: []wantErr{{`the input ends inside the "entries" array, after entry 2`, 0, 0, -1}},
		},
		{
			name: "cut after entries", in: strings.TrimSuffix(harOf(ok), "}\n"), n: 1,
			errs: []wantErr{{`the input ends in the top-level object`, 0, 0, -1}},
		},
		{
			name: "entries that are not objects", in: harOf(`1`, `"x"`, ok, `null`, `[1, {"a": [2]}]`, `true`), n: 1,
			errs: []wantErr{
				{"entry 1 is a number, not an object: skipped", 3, 1, 88},
				{"entry 2 is a string", 4, 1, -1},
				{"entry 4 is null", 6, 1, -1},
				{"entry 5 is an array", 7, 1, -1},
				{"entry 6 is a boolean", 8, 1, -1},
			},
		},
		{
			name: "wrong types", n: 2,
			in: harOf(
				entryOf("GET", "https://a/", 200, `"request": 5`),
				ok,
				entryOf("GET", "https://a/", 200, `"time": "soon"`),
				entryOf("GET", "https://a/", 200, "\"response\": {\"headers\": {\"a\": 1}}"),
				ok,
			),
			errs: []wantErr{
				{"entry 1 (line 3) skipped: request is a number, not an object", 3, 0, -1},
				{"entry 3 (line 5) skipped: time is a string that is not a number", 5, 0, -1},
				{"entry 4 (line 6) skipped: response.headers is an object, not an array", 6, 0, -1},
			},
		},
		{
			name: "syntax error inside an entry", in: harOf(`{"time": 1, "request": {"method" "GET"}}`, ok), n: 1,
			errs: []wantErr{{"entry 1 (line 3) skipped: expected ':' after a member name", 3, 34, 88 + 33}},
		},
		{
			name: "missing comma between entries", in: strings.Replace(harOf(ok, ok), "},\n{", "}\n{", 1), n: 1,
			errs: []wantErr{{"expected ',' or ']' after entry 1, found an object", 4, 1, -1}},
		},
		{
			name: "unexpected byte between entries", in: strings.Replace(harOf(ok, ok), "},\n{", "} @\n{", 1), n: 1,
			errs: []wantErr{{"expected ',' or ']' after entry 1, found '@'", 3, len(ok) + 2, -1}},
		},
		{
			name: "mismatched bracket", in: harOf(`{"a": [1, 2}`, ok), n: 0,
			errs: []wantErr{{"entry 1 (line 3): '}' does not match the bracket it closes", 3, 12, -1}},
		},
		{
			name: "entry over the record limit", in: harOf(ok, big, ok), n: 2,
			errs:  []wantErr{{"entry 2 is larger than 4096 bytes: skipped", 4, 1, -1}},
			setup: func() func() { old := maxRecord; maxRecord = 4096; return func() { maxRecord = old } },
		},
		{
			name: "a million levels as an entry", in: harOf(deep, ok), n: 1,
			errs: []wantErr{{"entry 1 is an array, not an object: skipped", 3, 1, 88}},
		},
		{
			name: "a million levels inside an entry", in: harOf(entryOf("GET", "https://a/", 200, `"_deep": `+deep), ok), n: 2,
		},
		{
			name: "a million levels, never closed", in: "{\"log\": {\"entries\": [" + strings.Repeat("[", 1_000_000), n: 0,
			errs: []wantErr{{"the input ends inside entry 1 (started at line 1)", 1, 0, -1}},
		},
		{
			name: "a million levels at the top", in: strings.Repeat("[", 1_000_000), n: 0,
			errs: []wantErr{{"not a HAR file: the JSON value is an array", 1, 1, 0}},
		},
		{
			name: "a million objects as a log member", in: `{"log": {"pages": ` + strings.Repeat(`{"a":`, 1_000_000) + "1" + strings.Repeat("}", 1_000_000) + `, "entries": [` + ok + `]}}`, n: 1,
		},
		{
			name: "too many headers", in: harOf(entryOf("GET", "https://a/", 200, `"request": {"headers": [`+strings.Repeat(`{},`, maxList)+`{}]}`), ok), n: 1,
			errs: []wantErr{{"entry 1 (line 3) skipped: request.headers has more than 16384 elements", 3, 0, -1}},
		},
		{
			name: "data after the HAR", in: harOf(ok) + "garbage", n: 1,
			errs: []wantErr{{"unexpected data after the end of the HAR", 5, 1, int64(len(harOf(ok)))}},
		},
		{
			name: "second document", in: harOf(ok) + harOf(ok), n: 1,
			errs: []wantErr{{"unexpected data after the end of the HAR", 5, 1, int64(len(harOf(ok)))}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				defer tc.setup()()
			}
			res := decodeString(t, tc.in, samples.Options{})
			if len(res.samples) != tc.n {
				t.Errorf("%d samples, want %d (errors %v)", len(res.samples), tc.n, res.errs)
			}
			for _, s := range res.samples {
				if s.Line < 1 || s.Code == "" {
					t.Errorf("sample Line %d Code %q", s.Line, s.Code)
				}
			}
			checkErrs(t, res.errs, tc.errs)
		})
	}
}

func TestTolerated(t *testing.T) {
	t.Run("numbers as strings, null strings", func(t *testing.T) {
		e := `{"startedDateTime": "2024-05-01T10:00:00Z", "time": "12.5",
			"request": {"method": "GET", "url": "https://a/", "headersSize": "10", "bodySize": null},
			"response": {"status": "503", "statusText": null, "redirectURL": null, "headersSize": 5, "bodySize": "", "content": {"size": 0, "text": null}},
			"timings": {"send": "1", "wait": 10.5, "receive": "1.0", "dns": null, "connect": null, "ssl": null}}`
		s := one(t, harOf(e), samples.Options{})
		if s.Elapsed != 12500*time.Microsecond || s.Latency != 11500*time.Microsecond || s.Code != "503" || s.Success || s.Message != "" {
			t.Errorf("Elapsed %v Latency %v Code %q Message %q", s.Elapsed, s.Latency, s.Code, s.Message)
		}
		// mitmproxy's null connect: recorded, and nothing to add.
		if s.Connect != 0 || s.Has&samples.FieldConnect == 0 {
			t.Errorf("Connect %v Has %v", s.Connect, s.Has.Names())
		}
		if s.SentBytes != 10 || s.Bytes != 5 || s.Has&samples.FieldMessage != 0 {
			t.Errorf("SentBytes %d Bytes %d Has %v", s.SentBytes, s.Bytes, s.Has.Names())
		}
	})
	t.Run("missing members", func(t *testing.T) {
		s := one(t, harOf(`{"request": {"url": "https://a/b"}}`), samples.Options{})
		if s.Code != nonHTTP+noResponse || s.Success || s.Has&(samples.FieldStart|samples.FieldElapsed|samples.FieldMethod) != 0 {
			t.Errorf("Code %q Has %v", s.Code, s.Has.Names())
		}
		if s.Label != "https://a/b" || s.URL != "https://a/b" {
			t.Errorf("Label %q URL %q", s.Label, s.URL)
		}
		s = one(t, harOf(`{}`), samples.Options{})
		if s.Line != 3 || s.Label != "" || s.Has&(samples.FieldURL|samples.FieldLabel) != 0 {
			t.Errorf("empty entry: Line %d Label %q", s.Line, s.Label)
		}
	})
	t.Run("no version, creator after entries", func(t *testing.T) {
		res := decodeString(t, `{"log": {"entries": [`+entryOf("GET", "https://a/", 200)+`], "creator": {"name": "Polly.JS", "version": "6.0.6", "comment": "persister:fs"}}}`, samples.Options{})
		if len(res.errs) > 0 || len(res.samples) != 1 || res.meta.Producer != "Polly.JS 6.0.6" || res.meta.Saved["version"] != "" {
			t.Errorf("%v %+v", res.errs, res.meta)
		}
	})
	t.Run("time -1: sum of timings", func(t *testing.T) {
		// Playwright's placeholder for an unfinished entry: blocked 2,
		// dns 3, connect 4 (ssl 1 inside), send 0, wait 5, receive -1.
		e := entryOf("GET", "https://a/", 200, `"time": -1`, `"timings": {"blocked": 2, "dns": 3, "connect": 4, "ssl": 1, "send": 0, "wait": 5, "receive": -1}`)
		s := one(t, harOf(e), samples.Options{})
		if s.Elapsed != 14*time.Millisecond || s.Latency != 14*time.Millisecond || s.Connect != 7*time.Millisecond {
			t.Errorf("Elapsed %v Latency %v Connect %v", s.Elapsed, s.Latency, s.Connect)
		}
		e = entryOf("GET", "https://a/", -1, `"time": -1`, `"timings": {"send": -1, "wait": -1, "receive": -1}`,
			`"response": {"status": -1, "_failureText": "net::ERR_CONNECTION_REFUSED"}`)
		s = one(t, harOf(e), samples.Options{})
		if s.Has&(samples.FieldElapsed|samples.FieldLatency|samples.FieldConnect) != 0 || s.Code != nonHTTP+"net::ERR_CONNECTION_REFUSED" {
			t.Errorf("Has %v Code %q", s.Has.Names(), s.Code)
		}
	})
	t.Run("sub-millisecond time", func(t *testing.T) {
		s := one(t, harOf(entryOf("GET", "https://a/", 200, `"time": 0.0123456`)), samples.Options{})
		if s.Elapsed != 12346*time.Nanosecond {
			t.Errorf("Elapsed %v", s.Elapsed)
		}
	})
	t.Run("absurd numbers", func(t *testing.T) {
		e := entryOf("GET", "https://a/", 200, `"time": 1e300`, `"timings": {"dns": 1e999, "connect": -0, "receive": 1E+2}`,
			`"response": {"status": 200, "headersSize": 1e30, "bodySize": 1}`)
		s := one(t, harOf(e), samples.Options{})
		if s.Has&samples.FieldElapsed != 0 || s.Connect != 0 || s.Bytes != 1<<53 {
			t.Errorf("Has %v Connect %v Bytes %d", s.Has.Names(), s.Connect, s.Bytes)
		}
	})
	t.Run("status 200 with _error, odd statuses", func(t *testing.T) {
		for status, want := range map[string]string{`200`: "200", `999`: "999", `0`: nonHTTP + noResponse, `1000`: nonHTTP + noResponse, `204.0`: "204", `"304"`: "304"} {
			s := one(t, harOf(entryOf("GET", "https://a/", 200, `"response": {"status": `+status+`, "_error": ""}`)), samples.Options{})
			if s.Code != want {
				t.Errorf("status %s: Code %q, want %q", status, s.Code, want)
			}
		}
	})
	t.Run("BOM and JSONP", func(t *testing.T) {
		for _, in := range []string{"\xEF\xBB\xBF" + harOf(entryOf("GET", "https://a/", 200)), "onInputData(" + harOf(entryOf("GET", "https://a/", 200)) + ");\n", "cb (" + harOf(entryOf("GET", "https://a/", 200)) + ")"} {
			res := decodeString(t, in, samples.Options{})
			if len(res.errs) > 0 || len(res.samples) != 1 || res.samples[0].Line != 3 {
				t.Errorf("%.20q: %v", in, res.errs)
			}
		}
	})
	t.Run("invalid UTF-8 and escapes", func(t *testing.T) {
		e := entryOf("GET", "https://a/caf\xe9", 200,
			`"response": {"status": 200, "statusText": "\ud83d\ude00 \ud83d ok \x", "headers": [{"name": "X-\u0041", "value": "`+"\xff\xfe"+`"}], "content": {"size": 3, "text": "a`+"\xff"+`b"}}`)
		s := one(t, harOf(e), samples.Options{})
		if s.URL != "https://a/caf\uFFFD" || s.Message != "\U0001F600 \uFFFD ok \\x" || s.ResponseBody != "a\uFFFDb" {
			t.Errorf("URL %q Message %q body %q", s.URL, s.Message, s.ResponseBody)
		}
		if len(s.ResponseHeaders) != 1 || s.ResponseHeaders[0].Name != "X-A" || !utf8.ValidString(s.ResponseHeaders[0].Value) {
			t.Errorf("headers %q", s.ResponseHeaders)
		}
		for _, v := range []string{s.URL, s.Label, s.Message, s.ResponseBody} {
			if !utf8.ValidString(v) {
				t.Errorf("invalid UTF-8 handed on: %q", v)
			}
		}
	})
}

func TestBodies(t *testing.T) {
	resp := func(content string) string {
		return entryOf("GET", "https://a/", 200, `"response": {"status": 200, "content": `+content+`}`)
	}
	long := strings.Repeat("é", samples.MaxBody/2+10) // 2 bytes each: the cut falls inside a rune
	for _, tc := range []struct {
		name    string
		entry   string
		state   samples.BodyState
		body    string
		reqBody bool // check the request body instead
	}{
		{"text", resp(`{"size": 5, "text": "hello"}`), samples.BodySaved, "hello", false},
		{"base64 JSON", resp(`{"size": 11, "text": "eyJvayI6dHJ1ZX0=", "encoding": "base64"}`), samples.BodySaved, `{"ok":true}`, false},
		{"base64 unpadded", resp(`{"size": 11, "text": "eyJvayI6dHJ1ZX0", "encoding": "BASE64"}`), samples.BodySaved, `{"ok":true}`, false},
		{"base64 binary", resp(`{"size": 4, "text": "iVBORw==", "encoding": "base64"}`), samples.BodyUnreadable, "", false},
		{"base64 broken", resp(`{"size": 4, "text": "not base64!", "encoding": "base64"}`), samples.BodyUnreadable, "", false},
		{"unknown encoding", resp(`{"size": 4, "text": "x", "encoding": "gzip"}`), samples.BodyUnreadable, "", false},
		{"no text", resp(`{"size": 400, "mimeType": "image/png"}`), samples.BodyNotSaved, "", false},
		{"empty text, size 0", resp(`{"size": 0, "text": ""}`), samples.BodySaved, "", false},
		{"empty text, size > 0", resp(`{"size": 10, "text": ""}`), samples.BodyUnreadable, "", false},
		{"playwright attach", resp(`{"size": 10, "_file": "75841480e2606c03389077304342fac2c58ccb1b.html"}`), samples.BodyUnreadable, "", false},
		{"long text", resp(`{"size": 1, "text": "` + long + `"}`), samples.BodyTruncated, long[:samples.MaxBody], false},
		{"long escaped text", resp(`{"size": 1, "text": "\n` + long + `"}`), samples.BodyTruncated, ("\n" + long)[:samples.MaxBody-1], false},
		{"long base64", resp(`{"size": 1, "encoding": "base64", "text": "` + b64(long) + `"}`), samples.BodyTruncated, long[:samples.MaxBody], false},
		{"params, no text", entryOf("POST", "https://a/", 200, `"request": {"method": "POST", "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "a", "value": "1"}]}}`), samples.BodyUnreadable, "", true},
		{"playwright sha1 request", entryOf("POST", "https://a/", 200, `"request": {"method": "POST", "postData": {"mimeType": "application/octet-stream", "_sha1": "bb4d5d.dat"}}`), samples.BodyUnreadable, "", true},
		{"martian base64 request", entryOf("POST", "https://a/", 200, `"request": {"method": "POST", "postData": {"mimeType": "text/plain", "text": "aGk=", "encoding": "base64"}}`), samples.BodySaved, "hi", true},
		{"size, no postData", entryOf("POST", "https://a/", 200, `"request": {"method": "POST", "bodySize": 120}`), samples.BodyNotSaved, "", true},
		{"insomnia empty postData", entryOf("GET", "https://a/", 200, `"request": {"method": "GET", "bodySize": -1, "postData": {"mimeType": "", "text": "", "params": []}}`), samples.BodySaved, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := one(t, harOf(tc.entry), samples.Options{})
			state, body := s.ResponseBodyIs, s.ResponseBody
			if tc.reqBody {
				state, body = s.RequestBodyIs, s.RequestBody
			}
			if state != tc.state || body != cutRunes(tc.body) {
				t.Errorf("%v %d bytes %.30q, want %v %d bytes", state, len(body), body, tc.state, len(cutRunes(tc.body)))
			}
			if !utf8.ValidString(body) || len(body) > samples.MaxBody {
				t.Errorf("body of %d bytes, valid %v", len(body), utf8.ValidString(body))
			}
		})
	}
}

// cutRunes drops a rune cut at the end of s, as the decoder must.
func cutRunes(s string) string {
	for len(s) > 0 {
		if r, n := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || n != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

func b64(s string) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var b strings.Builder
	for i := 0; i < len(s); i += 3 {
		var v uint32
		n := min(3, len(s)-i)
		for j := 0; j < 3; j++ {
			v <<= 8
			if j < n {
				v |= uint32(s[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= n {
				b.WriteByte(enc[v>>(18-6*j)&63])
			} else {
				b.WriteByte('=')
			}
		}
	}
	return b.String()
}

func TestNeed(t *testing.T) {
	e := entryOf("POST", "https://a/x", 200,
		`"request": {"method": "POST", "url": "https://a/x", "headers": [{"name": "A", "value": "1"}], "postData": {"mimeType": "text/plain", "text": "hi"}}`,
		`"response": {"status": 200, "headers": [{"name": "B", "value": "2"}], "content": {"size": 2, "text": "ok"}}`)
	opts := samples.Options{Need: samples.FieldLabel | samples.FieldCode | samples.FieldElapsed}
	s := one(t, harOf(e), opts)
	if s.RequestHeaders != nil || s.ResponseHeaders != nil || s.RequestBody != "" || s.ResponseBody != "" || s.URL != "" {
		t.Errorf("unneeded fields filled: %+v", s)
	}
	for _, f := range []samples.Fields{samples.FieldRequestHeaders, samples.FieldResponseHeaders, samples.FieldRequestBody, samples.FieldResponseBody, samples.FieldURL} {
		if s.Has&f != 0 {
			t.Errorf("Has %v", f.Names())
		}
	}
	if s.Label != "POST https://a/x" || s.Code != "200" || s.Elapsed != 50*time.Millisecond {
		t.Errorf("needed fields: %q %q %v", s.Label, s.Code, s.Elapsed)
	}
	// Everything, when nothing is said.
	s = one(t, harOf(e), samples.Options{})
	if s.RequestBody != "hi" || s.ResponseBody != "ok" || len(s.RequestHeaders) != 1 || len(s.ResponseHeaders) != 1 || s.URL == "" {
		t.Errorf("all fields: %+v", s)
	}
}

// TestSampleReuse checks that decoding into the same Sample resets it and
// never writes into slices handed out before.
func TestSampleReuse(t *testing.T) {
	a := entryOf("POST", "https://a/1", 200,
		`"request": {"method": "POST", "headers": [{"name": "X-Id", "value": "first"}], "postData": {"mimeType": "a/b", "params": [{"name": "p", "value": "first"}]}}`,
		`"response": {"status": 200, "headers": [{"name": "R", "value": "first"}]}`)
	b := entryOf("GET", "https://a/2", 404,
		`"request": {"method": "GET", "headers": [{"name": "X-Id", "value": "second"}, {"name": "Y", "value": "2"}]}`,
		`"response": {"status": 404, "headers": [{"name": "R", "value": "second"}]}`)
	in := harOf(a, b)
	d, err := NewDecoder(strings.NewReader(in), "test.har", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s samples.Sample
	if err := d.Decode(&s); err != nil {
		t.Fatal(err)
	}
	reqH, respH, params := s.RequestHeaders, s.ResponseHeaders, s.Params
	// A consumer appending to one list must not write into the other.
	_ = append(reqH, samples.Header{Name: "appended"})
	if respH[0].Name != "R" {
		t.Errorf("append to RequestHeaders overwrote ResponseHeaders: %q", respH)
	}
	if err := d.Decode(&s); err != nil {
		t.Fatal(err)
	}
	if reqH[0].Value != "first" || respH[0].Value != "first" || params[0].Value != "first" {
		t.Errorf("earlier slices changed: %q %q %q", reqH, respH, params)
	}
	if s.Params != nil || s.BodyMIME != "" || s.Code != "404" || s.RequestHeaders[0].Value != "second" || s.Line != 4 {
		t.Errorf("second sample not reset: %+v", s)
	}
	if err := d.Decode(&s); err != io.EOF {
		t.Errorf("third Decode = %v", err)
	}
}

// TestReadError checks that a failing reader ends the input with its own
// error, after the entries before it.
func TestReadError(t *testing.T) {
	in := harOf(entryOf("GET", "https://a/", 200), entryOf("GET", "https://a/", 200))
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(in[:len(in)-20]), &errReader{boom})
	d, _ := NewDecoder(r, "test.har", samples.Options{})
	var s samples.Sample
	n := 0
	var err error
	for err == nil {
		if err = d.Decode(&s); err == nil {
			n++
		}
	}
	var pe *samples.ParseError
	if n != 1 || !errors.Is(err, boom) || errors.As(err, &pe) {
		t.Fatalf("%d samples, then %v", n, err)
	}
	if err2 := d.Decode(&s); !errors.Is(err2, boom) {
		t.Errorf("error not sticky: %v", err2)
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

func TestLocationForZonelessTimes(t *testing.T) {
	loc := time.FixedZone("test", 5*3600)
	e := entryOf("GET", "https://a/", 200, `"startedDateTime": "2024-05-01T10:00:00.1234567"`)
	s := one(t, harOf(e), samples.Options{Location: loc})
	if want := time.Date(2024, 5, 1, 5, 0, 0, 123456700, time.UTC); !s.Start.Equal(want) {
		t.Errorf("Start %v, want %v", s.Start, want)
	}
}
