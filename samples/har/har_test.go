package har

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

const publicHAR = "../testdata/public/har"

// result is everything a decoder returned for one input.
type result struct {
	samples []samples.Sample // clones, safe to keep
	errs    []error          // ParseErrors in order, then a final non-EOF error if any
	meta    samples.Meta
}

// decode reads r to the end. It fails the test if the decoder does not
// make progress (more Decode calls than input bytes plus a few).
func decode(t testing.TB, r io.Reader, size int, opts samples.Options) result {
	t.Helper()
	d, err := NewDecoder(r, "test.har", opts)
	if err != nil {
		t.Fatal(err)
	}
	var res result
	var s samples.Sample
	for calls := 0; ; calls++ {
		if calls > size+10 {
			t.Fatalf("decoder does not stop: %d calls for %d bytes", calls, size)
		}
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			res.errs = append(res.errs, err)
			var pe *samples.ParseError
			if !errors.As(err, &pe) {
				break
			}
			continue
		}
		res.samples = append(res.samples, s.Clone())
	}
	// After the end, the end is sticky.
	if err := d.Decode(&s); err != io.EOF && (len(res.errs) == 0 || err != res.errs[len(res.errs)-1]) {
		t.Errorf("Decode after the end = %v", err)
	}
	res.meta = d.Meta()
	return res
}

func decodeString(t testing.TB, in string, opts samples.Options) result {
	t.Helper()
	return decode(t, strings.NewReader(in), len(in), opts)
}

func readPublic(t testing.TB, pattern string) (string, []byte) {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(publicHAR, pattern))
	if err != nil || len(m) != 1 {
		t.Fatalf("%s: want one file, found %v", pattern, m)
	}
	data, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return m[0], data
}

// Reference types for encoding/json: the independent reading of a file
// that the decoder's output is checked against.
type refHAR struct {
	Log struct {
		Creator struct{ Name, Version string }
		Entries []refEntry
	}
}

type refEntry struct {
	StartedDateTime string
	Time            *float64
	Request         struct {
		Method   string
		URL      string
		Headers  []refPair
		PostData *struct {
			MimeType string
			Text     *string
			Params   []struct {
				Name     string
				Value    json.RawMessage
				FileName *string
			}
		}
	}
	Response struct {
		Status     *float64
		StatusText *string
		Headers    []refPair
		Content    struct {
			Text     *string
			Encoding string
		}
		Error *string `json:"_error"`
	}
}

type refPair struct{ Name, Value string }

// refRead decodes a whole HAR with encoding/json, unwrapping JSONP.
func refRead(t *testing.T, data []byte) refHAR {
	t.Helper()
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
	if bytes.HasPrefix(data, []byte("onInputData(")) {
		data = bytes.TrimSuffix(bytes.TrimSuffix(data, []byte(";")), []byte(")"))
		data = data[len("onInputData("):]
	}
	var h refHAR
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return h
}

// TestPublicFiles decodes every public HAR and compares each sample with
// the file as encoding/json reads it.
func TestPublicFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(publicHAR, "*.har"))
	if err != nil || len(files) < 10 {
		t.Fatalf("public HARs: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f)[:40], func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res := decode(t, bytes.NewReader(data), len(data), samples.Options{})
			if strings.HasSuffix(f, "brokenfile.har") {
				checkBroken(t, res)
				return
			}
			if len(res.errs) > 0 {
				t.Fatalf("errors: %v", res.errs)
			}
			ref := refRead(t, data)
			if got, want := len(res.samples), len(ref.Log.Entries); got != want {
				t.Fatalf("decoded %d entries, encoding/json counts %d", got, want)
			}
			if want := strings.TrimSpace(ref.Log.Creator.Name + " " + ref.Log.Creator.Version); res.meta.Producer != want {
				t.Errorf("Producer = %q, want %q", res.meta.Producer, want)
			}
			if res.meta.Format != "har" {
				t.Errorf("Format = %q", res.meta.Format)
			}
			lastLine := 0
			for i := range res.samples {
				compareEntry(t, i, &res.samples[i], &ref.Log.Entries[i], lastLine)
				lastLine = res.samples[i].Line
			}
		})
	}
}

func checkBroken(t *testing.T, res result) {
	t.Helper()
	if len(res.samples) != 0 || len(res.errs) != 1 {
		t.Fatalf("brokenfile.har: %d samples, errors %v", len(res.samples), res.errs)
	}
	var pe *samples.ParseError
	if !errors.As(res.errs[0], &pe) {
		t.Fatalf("error %T, want *samples.ParseError", res.errs[0])
	}
	// {"log":\n[\n    2,1,3 ...: "log" is an array, on line 2, column 1.
	if pe.Line != 2 || pe.Column != 1 || pe.Offset != 8 || !strings.Contains(pe.Msg, `"log" is an array`) {
		t.Errorf("error = %+v", pe)
	}
}

func compareEntry(t *testing.T, i int, s *samples.Sample, e *refEntry, lastLine int) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("entry %d (line %d): "+format, append([]any{i + 1, s.Line}, args...)...)
	}
	if s.Line < 1 || s.Line < lastLine {
		fail("Line %d after %d", s.Line, lastLine)
	}
	if s.Source != "test.har" || s.Kind != samples.KindHTTP || s.Thread != "" || s.SampleCount != 1 {
		fail("Source %q Kind %v Thread %q SampleCount %d", s.Source, s.Kind, s.Thread, s.SampleCount)
	}
	if s.Has&(samples.FieldThread|samples.FieldThreads) != 0 {
		fail("Has threads: %v", s.Has.Names())
	}
	want, err := time.Parse(time.RFC3339Nano, e.StartedDateTime)
	if err != nil {
		t.Fatalf("entry %d: reference time: %v", i+1, err)
	}
	if !s.Start.Equal(want) || s.Has&samples.FieldStart == 0 {
		fail("Start = %v, want %v", s.Start, want)
	}
	if _, off := s.Start.Zone(); true {
		if _, wantOff := want.Zone(); off != wantOff {
			fail("Start zone offset %d, want %d", off, wantOff)
		}
	}
	if e.Time != nil && *e.Time >= 0 {
		if d := time.Duration(math.Round(*e.Time * 1e6)); s.Elapsed != d {
			fail("Elapsed = %v, want %v", s.Elapsed, d)
		}
	}
	if s.Latency > s.Elapsed || s.Latency < 0 || s.Connect < 0 {
		fail("Latency %v Connect %v with Elapsed %v", s.Latency, s.Connect, s.Elapsed)
	}
	if s.Method != e.Request.Method || s.URL != e.Request.URL {
		fail("Method, URL = %q %q, want %q %q", s.Method, s.URL, e.Request.Method, e.Request.URL)
	}
	if !strings.HasPrefix(s.Label, e.Request.Method+" ") || strings.ContainsAny(s.Label, "?#") {
		fail("Label = %q", s.Label)
	}
	switch {
	case e.Response.Status != nil && *e.Response.Status >= 100:
		if want := strconv.Itoa(int(*e.Response.Status)); s.Code != want {
			fail("Code = %q, want %q", s.Code, want)
		}
		if want := *e.Response.Status < 400; s.Success != want {
			fail("Success = %v for %s", s.Success, s.Code)
		}
		if e.Response.StatusText != nil && s.Message != *e.Response.StatusText {
			fail("Message = %q, want %q", s.Message, *e.Response.StatusText)
		}
	default:
		want := nonHTTP + noResponse
		if e.Response.Error != nil && *e.Response.Error != "" {
			want = nonHTTP + *e.Response.Error
		}
		if s.Code != want || s.Success {
			fail("Code = %q (success %v), want %q", s.Code, s.Success, want)
		}
	}
	compareHeaders(t, i, "request", s.RequestHeaders, e.Request.Headers)
	compareHeaders(t, i, "response", s.ResponseHeaders, e.Response.Headers)

	if pd := e.Request.PostData; pd != nil {
		if s.BodyMIME != pd.MimeType {
			fail("BodyMIME = %q, want %q", s.BodyMIME, pd.MimeType)
		}
		if pd.Text != nil && *pd.Text != "" && (s.RequestBody != *pd.Text || s.RequestBodyIs != samples.BodySaved) {
			fail("RequestBody (%v) differs from postData.text", s.RequestBodyIs)
		}
		if pd.Text == nil && len(pd.Params) > 0 && s.RequestBodyIs != samples.BodyUnreadable {
			fail("params without text: RequestBodyIs = %v", s.RequestBodyIs)
		}
		if len(s.Params) != len(pd.Params) {
			fail("%d params, want %d", len(s.Params), len(pd.Params))
		} else {
			for j, p := range pd.Params {
				var want string
				switch {
				case p.FileName != nil:
					want = "(file: " + *p.FileName + ")"
				case json.Unmarshal(p.Value, &want) != nil:
					want = string(p.Value) // not a string: kept as JSON
				}
				if s.Params[j].Name != p.Name || s.Params[j].Value != want {
					fail("param %d = %q=%.40q, want %q=%.40q", j, s.Params[j].Name, s.Params[j].Value, p.Name, want)
				}
			}
		}
	}

	c := e.Response.Content
	switch {
	case c.Text == nil:
		if s.ResponseBodyIs != samples.BodyNotSaved {
			fail("no content.text: ResponseBodyIs = %v", s.ResponseBodyIs)
		}
	case c.Encoding == "base64":
		b, err := base64.StdEncoding.DecodeString(*c.Text)
		if err != nil {
			t.Fatalf("entry %d: reference base64: %v", i+1, err)
		}
		if utf8.Valid(b) {
			if s.ResponseBody != string(b) || s.ResponseBodyIs != samples.BodySaved {
				fail("base64 text body differs (%v)", s.ResponseBodyIs)
			}
		} else if s.ResponseBodyIs != samples.BodyUnreadable || s.ResponseBody != "" {
			fail("binary base64 body: ResponseBodyIs = %v", s.ResponseBodyIs)
		}
	case *c.Text != "":
		if s.ResponseBody != *c.Text || s.ResponseBodyIs != samples.BodySaved {
			fail("ResponseBody differs from content.text (%v, %d bytes, want %d)", s.ResponseBodyIs, len(s.ResponseBody), len(*c.Text))
		}
	}
}

func compareHeaders(t *testing.T, i int, which string, got []samples.Header, want []refPair) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("entry %d: %d %s headers, want %d", i+1, len(got), which, len(want))
		return
	}
	for j := range want {
		if got[j].Name != want[j].Name || got[j].Value != want[j].Value {
			t.Errorf("entry %d: %s header %d = %q, want %q", i+1, which, j, got[j].Name, want[j].Name)
		}
	}
}

// TestOpenSniffs checks that samples.Open picks this decoder by content for
// every public HAR, including the JSONP one and the broken one (which then
// gets a message saying what is wrong).
func TestOpenSniffs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(publicHAR, "*.har"))
	for _, f := range files {
		in, err := samples.Open(f, samples.Options{})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if in.Format != "har" {
			t.Errorf("%s: format %q", filepath.Base(f), in.Format)
		}
		var s samples.Sample
		err = in.Decode(&s)
		if broken := strings.HasSuffix(f, "brokenfile.har"); broken != (err != nil) {
			t.Errorf("%s: first Decode: %v", filepath.Base(f), err)
		}
		in.Close()
	}
}

// TestSniffRejectsJTL checks that JTL files, CSV and XML, are not taken
// for HAR.
func TestSniffRejectsJTL(t *testing.T) {
	for _, dir := range []string{"../testdata/public/jtl-csv", "../testdata/public/jtl-xml"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) == 0 {
			t.Fatalf("no files in %s", dir)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if Sniff(data[:min(len(data), 64<<10)]) {
				t.Errorf("%s sniffed as HAR", filepath.Base(f))
			}
		}
	}
	for _, in := range []string{``, `{}`, `[]`, `{"logs": {}}`, `{"a": {"log": {}}}`, `[{"log": {}}]`, `log({"x":1})`, "\x00\x01"} {
		if Sniff([]byte(in)) {
			t.Errorf("Sniff(%q) = true", in)
		}
	}
	for _, in := range []string{`{"log":{`, `{"log": [2, 1, 3]}`, "\xEF\xBB\xBF {\n \"log\" : {}}", `{"_c": [1, {"log": 2}], "log": {"entries": []}}`, `onInputData({"log":{"version":"1.1"`} {
		if !Sniff([]byte(in)) {
			t.Errorf("Sniff(%q) = false", in)
		}
	}
}

func decodePublic(t *testing.T, pattern string) result {
	t.Helper()
	_, data := readPublic(t, pattern)
	res := decode(t, bytes.NewReader(data), len(data), samples.Options{})
	if len(res.errs) > 0 {
		t.Fatalf("%s: %v", pattern, res.errs)
	}
	return res
}

// The values below were read from the files with jq, not from our output.
func TestProducers(t *testing.T) {
	t.Run("firebug-jsonp", func(t *testing.T) {
		res := decodePublic(t, "*harviewer*")
		if len(res.samples) != 1 {
			t.Fatalf("%d samples", len(res.samples))
		}
		s := res.samples[0]
		// "2010-06-06T09:40:21.181+02:00"
		if want := time.Date(2010, 6, 6, 7, 40, 21, 181e6, time.UTC); !s.Start.Equal(want) {
			t.Errorf("Start = %v, want %v", s.Start, want)
		}
		if _, off := s.Start.Zone(); off != 2*3600 {
			t.Errorf("zone offset %d, want +02:00", off)
		}
		if res.meta.Producer != "Firebug 1.6X.0a11" || res.meta.Saved["version"] != "1.1" || res.meta.Saved["browser"] != "Firefox 3.6.6pre" {
			t.Errorf("Meta = %+v", res.meta)
		}
		if len(res.meta.Notes) != 1 || !strings.Contains(res.meta.Notes[0], "JSONP") {
			t.Errorf("Notes = %q", res.meta.Notes)
		}
		if s.Line != 22 || s.Elapsed != 15*time.Millisecond {
			t.Errorf("Line %d Elapsed %v", s.Line, s.Elapsed)
		}
	})
	t.Run("chrome-status-0", func(t *testing.T) {
		res := decodePublic(t, "*timed_out.har")
		s := res.samples[0] // https://www.google.com/favicon.ico, status 0
		if s.Code != "Non HTTP response code: net::ERR_INTERNET_DISCONNECTED" || s.Success || s.Status() != 0 {
			t.Errorf("Code %q Success %v", s.Code, s.Success)
		}
		if s.Message != "Non HTTP response message: net::ERR_INTERNET_DISCONNECTED" {
			t.Errorf("Message %q", s.Message)
		}
		if res.samples[3].Code != "Non HTTP response code: net::ERR_ABORTED" {
			t.Errorf("entry 4 Code %q", res.samples[3].Code)
		}
		// Entry 7 has status 200 and _error ERR_QUIC_PROTOCOL_ERROR: the
		// response came, the status wins.
		if s := res.samples[6]; s.Code != "200" || !s.Success {
			t.Errorf("entry 7 Code %q Success %v", s.Code, s.Success)
		}
		failed := 0
		for _, s := range res.samples {
			if strings.HasPrefix(s.Code, nonHTTP) {
				failed++
			}
		}
		if failed != 21 {
			t.Errorf("%d non-HTTP entries, want 21", failed)
		}
		// Chrome h3 entries have headersSize and bodySize -1: Bytes is
		// _transferSize, and the label drops the query.
		if s.Label != "GET https://www.google.com/favicon.ico" {
			t.Errorf("Label %q", s.Label)
		}
	})
	t.Run("chrome-aborted-empty-error", func(t *testing.T) {
		res := decodePublic(t, "*demo1.har")
		n := 0
		for _, s := range res.samples {
			if s.Code == nonHTTP+noResponse {
				n++
			}
		}
		if n != 14 {
			t.Errorf("%d entries without a response, want 14", n)
		}
	})
	t.Run("playwright-post-without-postData", func(t *testing.T) {
		res := decodePublic(t, "*playwright*")
		s := res.samples[1]
		if s.Method != "POST" || s.URL != "http://no.playwright/style.css" {
			t.Fatalf("entry 2 is %s %s", s.Method, s.URL)
		}
		// bodySize 0 and no postData: an empty body, known to be empty.
		if s.RequestBodyIs != samples.BodySaved || s.RequestBody != "" || s.BodyMIME != "" || s.Params != nil {
			t.Errorf("body %v %q mime %q", s.RequestBodyIs, s.RequestBody, s.BodyMIME)
		}
		// time 7.132; receive -1, wait 8.132: latency cannot exceed elapsed.
		if s.Elapsed != 7132*time.Microsecond || s.Latency != s.Elapsed || s.Connect != 0 || s.Has&samples.FieldConnect == 0 {
			t.Errorf("Elapsed %v Latency %v Connect %v", s.Elapsed, s.Latency, s.Connect)
		}
		if s.Bytes != 63+81 || s.SentBytes != 220 {
			t.Errorf("Bytes %d SentBytes %d", s.Bytes, s.SentBytes)
		}
		if res.meta.Saved["browser"] != "chromium 103.0.5060.33" {
			t.Errorf("browser %q", res.meta.Saved["browser"])
		}
	})
	t.Run("charles-null-redirectURL", func(t *testing.T) {
		res := decodePublic(t, "*charles.har")
		s := res.samples[0]
		// time 107; dns 43, connect 37 (ssl 26 inside), receive 2.
		if s.Elapsed != 107*time.Millisecond || s.Latency != 105*time.Millisecond || s.Connect != 80*time.Millisecond {
			t.Errorf("Elapsed %v Latency %v Connect %v", s.Elapsed, s.Latency, s.Connect)
		}
		// jq counts 23852 characters in content.text.
		if n := utf8.RuneCountInString(s.ResponseBody); s.Line != 9 || s.Bytes != 23866 || s.SentBytes != 68 || len(s.ResponseHeaders) != 14 || n != 23852 {
			t.Errorf("Line %d Bytes %d SentBytes %d headers %d body %d", s.Line, s.Bytes, s.SentBytes, len(s.ResponseHeaders), n)
		}
		if _, off := s.Start.Zone(); off != -7*3600 {
			t.Errorf("zone offset %d, want -07:00", off)
		}
	})
	t.Run("firefox-ssl-apart", func(t *testing.T) {
		res := decodePublic(t, "*firefox.har")
		// blocked 89, dns 0, connect 32, ssl 66, wait 60: time 247 = the
		// sum with ssl, so Firefox's connect excludes TLS.
		s := res.samples[11]
		if s.Line != 1236 || s.Elapsed != 247*time.Millisecond || s.Connect != 98*time.Millisecond {
			t.Errorf("Line %d Elapsed %v Connect %v", s.Line, s.Elapsed, s.Connect)
		}
		// Firefox writes timings {} for cached entries: no Latency.
		c := res.samples[1]
		if c.Has&(samples.FieldLatency|samples.FieldConnect) != 0 || c.Has&samples.FieldElapsed == 0 {
			t.Errorf("cached entry Has %v", c.Has.Names())
		}
		// The base64 favicon is binary.
		if s := res.samples[13]; s.ResponseBodyIs != samples.BodyUnreadable {
			t.Errorf("favicon body %v", s.ResponseBodyIs)
		}
	})
	t.Run("polly-version-last", func(t *testing.T) {
		// Polly.JS sorts members: entries come before pages and version.
		res := decodePublic(t, "*pollyjs*")
		if res.meta.Saved["version"] != "1.2" || res.meta.Producer != "Polly.JS 1.2.0" {
			t.Errorf("Meta %+v", res.meta)
		}
		s := res.samples[0]
		// A PNG stored as hex text without an encoding: it is text.
		if s.Label != "GET https://via.placeholder.com/{id}/92c952" || s.ResponseBodyIs != samples.BodySaved || !strings.HasPrefix(s.ResponseBody, "89504e47") {
			t.Errorf("Label %q body %v %.10q", s.Label, s.ResponseBodyIs, s.ResponseBody)
		}
		// GET with postData {mimeType} only and bodySize 0.
		if s.BodyMIME != "text/plain" || s.RequestBodyIs != samples.BodySaved {
			t.Errorf("BodyMIME %q %v", s.BodyMIME, s.RequestBodyIs)
		}
	})
	t.Run("safari-empty-httpVersion", func(t *testing.T) {
		res := decodePublic(t, "*safari.har")
		s := res.samples[1] // style.min.css from memory cache, httpVersion ""
		if s.URL != "https://mitmproxy.org/style.min.css" || s.Code != "200" || s.Elapsed != 64069*time.Nanosecond {
			t.Errorf("%s %s %v", s.URL, s.Code, s.Elapsed)
		}
		// headersSize and bodySize -1, no _transferSize: not recorded.
		if s.Has&samples.FieldBytes != 0 {
			t.Errorf("Bytes recorded: %d", s.Bytes)
		}
	})
	t.Run("mitmproxy-error", func(t *testing.T) {
		res := decodePublic(t, "*error_log.har")
		s := res.samples[0]
		if !strings.HasPrefix(s.Code, nonHTTP+"Multiple exceptions: [Errno 60]") || s.Bytes != 0 || s.Has&samples.FieldBytes == 0 {
			t.Errorf("Code %q Bytes %d", s.Code, s.Bytes)
		}
		// Microseconds with +00:00.
		if want := time.Date(2023, 7, 25, 11, 3, 15, 216374e3, time.UTC); !s.Start.Equal(want) {
			t.Errorf("Start %v", s.Start)
		}
		p := res.samples[1]
		if p.Code != "405" || p.RequestBody != "key1=value1&key2=value2" || len(p.Params) != 2 || p.Params[1] != (samples.Var{Name: "key2", Value: "value2"}) {
			t.Errorf("POST: %q %q %v", p.Code, p.RequestBody, p.Params)
		}
	})
	t.Run("chrome-har-json-params", func(t *testing.T) {
		res := decodePublic(t, "*304.har")
		n := 0
		for _, s := range res.samples {
			if s.Method == "POST" {
				n++
				// params hold JSON objects and there is no text.
				if s.RequestBodyIs != samples.BodyUnreadable || len(s.Params) == 0 || !strings.HasPrefix(s.Params[0].Value, "{") {
					t.Errorf("line %d: %v %v", s.Line, s.RequestBodyIs, s.Params)
				}
			}
		}
		if n != 14 {
			t.Errorf("%d POSTs, want 14", n)
		}
	})
}

// TestOneByteReads checks that input arriving a byte at a time decodes
// the same as input read in one go.
func TestOneByteReads(t *testing.T) {
	for _, pattern := range []string{"*harviewer*", "*charles.har", "*playwright*", "*brokenfile.har"} {
		_, data := readPublic(t, pattern)
		whole := decode(t, bytes.NewReader(data), len(data), samples.Options{})
		bytewise := decode(t, &oneByteReader{data}, len(data), samples.Options{})
		if len(whole.samples) != len(bytewise.samples) || len(whole.errs) != len(bytewise.errs) {
			t.Fatalf("%s: %d samples %v vs %d samples %v", pattern, len(whole.samples), whole.errs, len(bytewise.samples), bytewise.errs)
		}
		for i := range whole.samples {
			a, b := whole.samples[i], bytewise.samples[i]
			if a.Line != b.Line || a.Label != b.Label || !a.Start.Equal(b.Start) || a.ResponseBody != b.ResponseBody || len(a.RequestHeaders) != len(b.RequestHeaders) {
				t.Errorf("%s entry %d differs", pattern, i+1)
			}
		}
		for i := range whole.errs {
			if whole.errs[i].Error() != bytewise.errs[i].Error() {
				t.Errorf("%s: %v vs %v", pattern, whole.errs[i], bytewise.errs[i])
			}
		}
	}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}
