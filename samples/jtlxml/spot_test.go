package jtlxml

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func publicXML(name string) string { return filepath.Join(repoData, "public/jtl-xml", name) }

// The s1 run: a multipart upload whose body JMeter saved in <queryString>
// with the file part replaced by its placeholder.
func TestMultipartUpload(t *testing.T) {
	got := decodeFile(t, sharedFile(t, "jmeter/s1-concurrency/results.xml"), samples.Options{})
	s := got.samples[1]
	if s.Label != "upload screen recording" || s.Line != 20 || s.Method != "POST" {
		t.Fatalf("second sample: %q line %d %q", s.Label, s.Line, s.Method)
	}
	ct, ok := s.RequestHeader("content-type")
	if !ok || !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
		t.Fatalf("Content-Type %q", ct)
	}
	auth, _ := s.RequestHeader("Authorization")
	if !strings.HasPrefix(auth, "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.") || strings.ContainsAny(auth, "\r\n") || strings.Count(auth, ".") != 2 {
		t.Errorf("Authorization %q", auth)
	}
	boundary := strings.TrimSuffix(strings.TrimPrefix(ct, "multipart/form-data; boundary="), "; charset=US-ASCII")
	if s.RequestBodyIs != samples.BodySaved {
		t.Fatalf("body %v", s.RequestBodyIs)
	}
	body := s.RequestBody
	// The header's boundary opens and closes the body; lines end in CRLF
	// (written as &#xd; plus a newline); quotes were &quot;.
	if !strings.HasPrefix(body, "--"+boundary+"\r\nContent-Disposition: form-data; name=\"recordingId\"\r\n") ||
		!strings.HasSuffix(body, "\r\n--"+boundary+"--\r\n") ||
		!strings.Contains(body, "filename=\"clip.webm\"\r\nContent-Type: video/webm\r\nContent-Transfer-Encoding: binary\r\n\r\n<actual file content, not shown here>\r\n") {
		t.Errorf("body:\n%q", body)
	}
	if id, _ := s.Var("recId"); !strings.Contains(body, "\r\n\r\n"+id+"\r\n") || len(id) != 36 {
		t.Errorf("recId %q is not the recordingId field of the body", id)
	}
	if s.ResponseHeaders[0] != (samples.Header{Name: "Content-Type", Value: "application/json"}) || len(s.ResponseHeaders) != 3 {
		t.Errorf("response headers (the status line is not one): %q", s.ResponseHeaders)
	}
	if s.URL != "http://127.0.0.1:18080/api/v2/recordings/screen" || s.Has&samples.FieldCookies == 0 || s.Cookies != "" {
		t.Errorf("URL %q cookies %q", s.URL, s.Cookies)
	}
	if s.ResponseBodyIs != samples.BodyNotSaved || s.Hostname != "vm" {
		t.Errorf("a successful sample has no response data here (on_error): %v", s.ResponseBodyIs)
	}
	// The 400s carry their JSON body.
	n400 := 0
	for _, s := range got.samples {
		if s.Code == "400" {
			n400++
			if s.ResponseBodyIs != samples.BodySaved || !strings.HasPrefix(s.ResponseBody, `{"message":"invalid request payload"`) {
				t.Fatalf("line %d: 400 body %v %q", s.Line, s.ResponseBodyIs, s.ResponseBody)
			}
		}
	}
	data, _ := os.ReadFile(sharedFile(t, "jmeter/s1-concurrency/results.xml"))
	if want := bytes.Count(data, []byte(` rc="400" `)); n400 != want || n400 == 0 {
		t.Errorf("%d samples with 400, the file has %d", n400, want)
	}
}

func TestTransactionController(t *testing.T) {
	got := decodeFile(t, publicXML("Blazemeter__taurus__tests__resources__jmeter__jtl__error-tc-generate-parent.jtl"), samples.Options{})
	if len(got.samples) != 3 {
		t.Fatalf("%d samples", len(got.samples))
	}
	tc := got.samples[0]
	if tc.Kind != samples.KindTransaction || tc.Label != "01_LoginPage" || tc.Code != "429" || tc.Line != 3 || len(tc.Children) != 2 {
		t.Fatalf("TC: %v %q %q line %d, %d children", tc.Kind, tc.Label, tc.Code, tc.Line, len(tc.Children))
	}
	first, par := tc.Children[0], tc.Children[1]
	if first.Kind != samples.KindHTTP || first.Line != 4 || first.URL != "https://www.blazedemo.com/account" || first.Encoding != "utf-8" {
		t.Errorf("first child: %+v", first)
	}
	// An httpSample carrying a transaction message is a controller row.
	if par.Kind != samples.KindTransaction || par.Line != 7 || len(par.Children) != 2 {
		t.Fatalf("parallel controller: %v line %d, %d children", par.Kind, par.Line, len(par.Children))
	}
	if c := par.Children[1]; c.Label != "channelsearch" || c.Code != "429" || c.Success || c.Line != 11 ||
		c.Elapsed != 70*time.Millisecond || c.Start != time.UnixMilli(1690000000180) {
		t.Errorf("grandchild: %+v", c)
	}
	var reqs []string
	tc.Requests(func(s *samples.Sample) { reqs = append(reqs, s.Label) })
	if strings.Join(reqs, ",") != "https://www.blazedemo.com/,graphql,channelsearch" {
		t.Errorf("requests %v", reqs)
	}
	if last := got.samples[2]; last.Kind != samples.KindHTTP || last.Code != "500" || last.Line != 27 {
		t.Errorf("last: %+v", last)
	}
}

func TestAssertionsAndTruncation(t *testing.T) {
	path := publicXML("Blazemeter__taurus__tests__resources__jmeter__jtl__standard-errors.jtl")
	got := decodeFile(t, path, samples.Options{})
	data, _ := os.ReadFile(path)
	if want := bytes.Count(data, []byte("</httpSample>")); len(got.samples) != want {
		t.Fatalf("%d samples, the file closes %d", len(got.samples), want)
	}
	s := got.samples[0]
	const msg = "The operation lasted too long: It took 11 milliseconds, but should not have lasted longer than 10 milliseconds."
	if s.FailureMessage != msg || len(s.Assertions) != 1 ||
		s.Assertions[0] != (samples.Assertion{Name: "Timeout Check", Failure: true, Message: msg}) {
		t.Errorf("assertions %+v, failure message %q", s.Assertions, s.FailureMessage)
	}
	if s.Code != "Non HTTP response code: java.net.SocketTimeoutException" || s.Status() != 0 ||
		!strings.HasPrefix(s.ResponseBody, "java.net.SocketTimeoutException: Read timed out\n\tat java.net.") {
		t.Errorf("code %q body %q", s.Code, s.ResponseBody[:40])
	}
	if s.Has&samples.FieldResponseHeaders == 0 || s.ResponseHeaders != nil {
		t.Errorf("an empty <responseHeader> is recorded and empty: %v", s.ResponseHeaders)
	}
	if len(got.errs) != 1 {
		t.Fatalf("problems: %v", got.errs)
	}
	e := got.errs[0]
	lines := bytes.Count(data, []byte{'\n'}) + 1
	if e.Line != lines || e.Offset != int64(len(data)) || !strings.Contains(e.Msg, "without </testResults>") ||
		!strings.Contains(e.Msg, "185 complete samples were read") {
		t.Errorf("truncation report %q at line %d offset %d (file: %d lines, %d bytes)", e, e.Line, e.Offset, lines, len(data))
	}
}

func TestBatchTestLocal(t *testing.T) {
	path := publicXML("apache__jmeter__bin__testfiles__BatchTestLocal.xml")
	got := decodeFile(t, path, samples.Options{})
	data, _ := os.ReadFile(path)
	if len(got.samples) != 131 {
		t.Fatalf("%d samples", len(got.samples))
	}
	empty, withData := 0, 0
	for _, s := range got.samples {
		if s.Has&(samples.FieldStart|samples.FieldElapsed|samples.FieldLatency) != 0 || !s.Start.IsZero() {
			t.Fatalf("line %d: time fields were not saved, has %v", s.Line, s.Has.Names())
		}
		if s.Kind != samples.KindSample || s.SampleCount != 1 || s.Has&samples.FieldSampleCount == 0 {
			t.Fatalf("line %d: %v count %d", s.Line, s.Kind, s.SampleCount)
		}
		if s.Has&samples.FieldCode != 0 && s.Code == "" {
			empty++
		}
		if s.RequestBodyIs == samples.BodySaved {
			withData++
			if s.RequestBody == "" {
				t.Errorf("line %d: empty sampler data", s.Line)
			}
		}
	}
	if want := bytes.Count(data, []byte(`rc=""`)); empty != want {
		t.Errorf("%d empty codes, file has %d", empty, want)
	}
	if want := bytes.Count(data, []byte("<samplerData")); withData != want {
		t.Errorf("%d samples with sampler data as request body, file has %d", withData, want)
	}
	if s := got.samples[1]; s.RequestBody != "SamplerData" || s.ResponseBody != "ResultData" || s.Line != 8 {
		t.Errorf("second sample: %+v", s)
	}
}

func TestMinimized(t *testing.T) {
	got := decodeFile(t, sharedFile(t, "public/jtl-xml/vklepikovskiy__python-jtl__tests__samples__minimized.xml"), samples.Options{})
	if len(got.samples) != 1 || len(got.errs) != 0 {
		t.Fatalf("%d samples, %v", len(got.samples), got.errs)
	}
	s := got.samples[0]
	if s.Has != samples.FieldStart || s.Start != time.UnixMilli(1352765050289) || s.Line != 3 || s.Kind != samples.KindHTTP {
		t.Errorf("%+v has %v", s, s.Has.Names())
	}
}

func TestMainXML(t *testing.T) {
	got := decodeFile(t, sharedFile(t, "public/jtl-xml/vklepikovskiy__python-jtl__tests__samples__main.xml"), samples.Options{})
	s := got.samples[0]
	if s.Label != `"Home" page` || s.Hostname != "hppc" || s.Idle != 0 || s.Has&samples.FieldIdle == 0 {
		t.Errorf("first: %q %q", s.Label, s.Hostname)
	}
	var tcs []samples.Sample
	for _, s := range got.samples {
		if s.Kind == samples.KindTransaction {
			tcs = append(tcs, s)
		}
	}
	// A controller row without "Generate parent sample" (no children, rc
	// empty), then one with it, holding its two samplers.
	if len(tcs) != 2 {
		t.Fatalf("%d transaction rows", len(tcs))
	}
	if tc := tcs[0]; tc.Line != 50 || tc.Code != "" || len(tc.Children) != 0 {
		t.Errorf("first controller: line %d code %q, %d children", tc.Line, tc.Code, len(tc.Children))
	}
	tc := tcs[1]
	if tc.Line != 182 || tc.Code != "200" || len(tc.Children) != 2 {
		t.Fatalf("second controller: line %d code %q, %d children", tc.Line, tc.Code, len(tc.Children))
	}
	for i, line := range []int{200, 246} {
		if c := tc.Children[i]; c.Line != line || c.Kind != samples.KindHTTP || c.Hostname != "hppc" {
			t.Errorf("child %d: line %d kind %v", i, c.Line, c.Kind)
		}
	}
}

// jmeter-plugins' WebDriver sampler has no alias, so XStream wrote its
// SampleResult field by field as child elements.
func TestPluginElement(t *testing.T) {
	got := decodeFile(t, publicXML("Blazemeter__taurus__tests__resources__jmeter__jtl__nonstandard-unicode.jtl"), samples.Options{})
	if len(got.samples) != 3 || len(got.errs) != 0 {
		t.Fatalf("%d samples, %v", len(got.samples), got.errs)
	}
	s := got.samples[0]
	if s.Code != "500" || s.Label != "http://unknown.host/" || s.Thread != "Thread Group 1-1" || s.Success ||
		s.DataType != "text" || s.Encoding != "UTF-8" || s.GrpThreads != 1 || s.SampleCount != 1 || s.Line != 3 {
		t.Errorf("fields: %+v", s)
	}
	// timeStamp is 0 in these elements; startTime holds the start.
	if s.Start != time.UnixMilli(1431506202173) || s.Has&samples.FieldStart == 0 {
		t.Errorf("start %v", s.Start)
	}
	if !strings.Contains(s.Message, "Файфокс") || !strings.Contains(s.Message, "(<Unknown source>") {
		t.Errorf("message %q", s.Message)
	}
	if !strings.HasPrefix(s.ResponseBody, "javax.script.ScriptException: sun.org.mozilla.javascript.internal.EcmaError") {
		t.Errorf("base64 response data not decoded: %q", s.ResponseBody[:60])
	}
	if s.RequestBody != "com.googlecode.jmeter.plugins.webdriver.sampler.WebDriverSampler@2d022136" || s.Kind != samples.KindSample {
		t.Errorf("sampler data %q kind %v", s.RequestBody, s.Kind)
	}
	if m := (&Decoder{}).Meta(); m.Producer != "" {
		t.Errorf("empty decoder producer %q", m.Producer)
	}
}

func TestOldFileCRLF(t *testing.T) {
	got := decodeFile(t, publicXML("jmeter-maven-plugin__jmeter-maven-plugin__src__test__resources__jtl2-1-fail.jtl"), samples.Options{})
	if len(got.samples) != 4 {
		t.Fatalf("%d samples", len(got.samples))
	}
	// Java's Boolean.parseBoolean: "True" is true, "False" false.
	want := []bool{true, false, true, false}
	for i, s := range got.samples {
		if s.Success != want[i] || s.Line != i+3 || strings.ContainsAny(s.DataType+s.Label, "\r\n") {
			t.Errorf("sample %d: success %v line %d", i, s.Success, s.Line)
		}
	}
	if got.samples[3].Message != "true" || got.samples[3].DataType != "" || got.samples[3].Has&samples.FieldDataType == 0 {
		t.Errorf("last: %+v", got.samples[3])
	}
}

func TestEmbeddedResources(t *testing.T) {
	got := decodeFile(t, publicXML("Blazemeter__taurus__tests__resources__jmeter__jtl__resource-errors-child-no-assert.jtl"), samples.Options{})
	p := got.samples[0]
	if p.Success || p.Code != "200" || len(p.Children) == 0 {
		t.Fatalf("parent %+v", p)
	}
	n404 := 0
	for _, c := range p.Children {
		if c.Code == "404" {
			n404++
			if c.Success || c.Method != "GET" || c.RequestBodyIs != samples.BodySaved || c.RequestBody != "" || c.URL == "" {
				t.Errorf("child line %d: %+v", c.Line, c)
			}
		}
	}
	if n404 == 0 {
		t.Error("no 404 children")
	}
	if c := p.Children[0]; !strings.HasPrefix(c.ResponseBody, "<!DOCTYPE html>\n<html lang=\"en\">") {
		t.Errorf("entities in the body: %q", c.ResponseBody[:30])
	}
	if sc, _ := p.Children[0].ResponseHeader("Set-Cookie"); sc != "lang=en; expires=Sat, 27-Aug-2016 07:57:50 GMT; Max-Age=31536000; Path=/" {
		t.Errorf("Set-Cookie %q", sc)
	}
}
