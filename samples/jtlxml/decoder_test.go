package jtlxml

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

const head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n"

// wantErr is a problem expected at a place: msg is a substring.
type wantErr struct {
	line, col int
	msg       string
}

func TestBrokenInput(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		events []string // S <label> / E <line>:<col>, in order
		errs   []wantErr
	}{{
		name: "cut inside an element",
		in: head + `<httpSample t="1" ts="1" lb="a" s="true"/>
<httpSample t="2" lb="b">
  <responseData class="java.lang.String">partial`,
		events: []string{"S a", "E 5:49"},
		errs:   []wantErr{{5, 49, "file ends inside <httpSample> started at line 4: the test was probably killed while writing; 1 complete sample was read"}},
	}, {
		name: "cut inside a nested element",
		in: head + `<sample lb="tc">
  <httpSample lb="x"/>
  <httpSample lb="y">`,
		events: []string{"E 5:22"},
		errs:   []wantErr{{5, 22, "file ends inside <sample> started at line 3: the test was probably killed while writing; 0 complete samples were read"}},
	}, {
		name:   "cut inside a tag",
		in:     head + `<httpSample t="1" lb="a"/>` + "\n" + `<httpSample t="2" lb="b`,
		events: []string{"S a", "E 4:24"},
		errs:   []wantErr{{4, 24, "the input ends inside the tag <httpSample): the test was probably killed while writing; 1 complete sample was read"}},
	}, {
		name:   "no closing testResults",
		in:     head + `<httpSample t="1" lb="a"/>` + "\n\n",
		events: []string{"S a", "E 5:1"},
		errs:   []wantErr{{5, 1, "file ends without </testResults>: the test was probably killed or is still running; 1 complete sample was read"}},
	}, {
		name: "tag not closed",
		in: jtl(`<httpSample t="1" lb="a" s="true"/>
<httpSample t="2" lb="b" s="true"
<httpSample t="3" lb="c" s="true"/>`),
		events: []string{"S a", "E 4:1", "S c"},
		errs:   []wantErr{{4, 1, "the tag <httpSample is not closed ('>' missing before the next '<')"}},
	}, {
		name: "quote missing",
		in: jtl(`<httpSample t="1" lb="a"/>
<httpSample t="2" lb="b s="true">
  <java.net.URL>http://x/</java.net.URL>
</httpSample>
<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:28", "S c"},
		errs:   []wantErr{{4, 28, "no space after attribute lb of <httpSample> (a quote is missing?); skipped to the next sample"}},
	}, {
		name: "quote missing in the last attribute",
		in: jtl(`<httpSample t="1" lb="a"/>
<httpSample t="2" lb="b>
  <java.net.URL>http://x/</java.net.URL>
</httpSample>
<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:1", "S c"},
		errs:   []wantErr{{4, 1, "has a '<' inside an attribute value (a quote is missing?)"}},
	}, {
		name:   "value followed by '<'",
		in:     jtl(`<httpSample t="1" lb="a"/>` + "\n" + `<httpSample t="2" lb="b"<x/>` + "\n" + `<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:1", "S c"},
		errs:   []wantErr{{4, 1, "the tag <httpSample is not closed ('>' missing before the next '<')"}},
	}, {
		name:   "unquoted attribute",
		in:     jtl(`<httpSample t="1" lb="a"/>` + "\n" + `<httpSample t="2" lb=b s="true"/>` + "\n" + `<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:22", "S c"},
		errs:   []wantErr{{4, 22, "the value of attribute lb of <httpSample> is not quoted; skipped to the next sample"}},
	}, {
		name:   "attribute without value",
		in:     jtl(`<httpSample t="1" lb="a"/>` + "\n" + `<httpSample t="2" lb s="true"/>` + "\n" + `<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:21", "S c"},
		errs:   []wantErr{{4, 21, "attribute lb of <httpSample> has no value"}},
	}, {
		// Past the first KiB, which is read whole to find the encoding, a
		// reader that returns one byte at a time ends the buffer inside the
		// tag. The problem must be the same, column included, as when the
		// tag is read whole.
		name:   "attribute without value in a tag cut off",
		in:     head + `<httpSample t="1" lb="a"/>` + "\n" + strings.Repeat(" ", 1024) + "\n" + `<httpSample t="2" lb s="true"`,
		events: []string{"S a", "E 5:21", "E 5:30"},
		errs: []wantErr{
			{5, 21, "attribute lb of <httpSample> has no value; skipped to the next sample"},
			{5, 30, "file ends without </testResults>"},
		},
	}, {
		name: "end tag does not match",
		in: jtl(`<httpSample t="1" lb="a"/>
<httpSample t="2" lb="b">
  <responseData class="java.lang.String">x</responseDat>
</httpSample>
<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 5:43", "S c"},
		errs:   []wantErr{{5, 43, "end tag </responseDat> does not match <responseData>; the sample <httpSample> at line 4 is skipped"}},
	}, {
		name: "raw < in text",
		in: jtl(`<httpSample t="1" lb="a"/>
<httpSample t="2" lb="b"><responseData>1 < 2</responseData></httpSample>
<httpSample t="3" lb="c"/>`),
		events: []string{"S a", "E 4:42", "S c"},
		errs:   []wantErr{{4, 42, "'<' not followed by a tag name"}},
	}, {
		name: "sub-result broken: the whole top-level sample goes",
		in: jtl(`<sample lb="tc">
  <httpSample lb="x" t=1/>
</sample>
<sample lb="next"/>`),
		events: []string{"E 4:24", "S next"},
		errs:   []wantErr{{4, 24, "the value of attribute t of <httpSample> is not quoted; the sample <sample> at line 3 is skipped"}},
	}, {
		name:   "not a number",
		in:     jtl(`<httpSample t="abc" lb="b" s="true"/>`),
		events: []string{"E 3:16", "S b"},
		errs:   []wantErr{{3, 16, `t="abc" is not a whole number; left out`}},
	}, {
		name:   "stray end tag",
		in:     jtl(`<httpSample lb="a"/></httpSample><httpSample lb="b"/>`),
		events: []string{"S a", "E 3:21", "S b"},
		errs:   []wantErr{{3, 21, "unexpected end tag </httpSample>; skipped"}},
	}, {
		name: "DOCTYPE with entities",
		in: `<?xml version="1.0"?>
<!DOCTYPE testResults [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY boom "&boom;&boom;">
]>
<testResults>
<httpSample lb="&xxe;"><responseData>&boom;&boom;</responseData></httpSample>
</testResults>`,
		events: []string{"E 2:1", "E 7:17", "E 7:38", "S &xxe;"},
		errs: []wantErr{
			{2, 1, "DOCTYPE with entity declarations or external references ignored"},
			{7, 17, "unknown entity &xxe; kept as written"},
			{7, 38, "unknown entity &boom; kept as written"},
		},
	}, {
		name:   "DOCTYPE after the declaration, on its line",
		in:     `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]>` + "\n<testResults>\n<httpSample lb=\"a\"/>\n</testResults>\n",
		events: []string{"E 1:22", "S a"},
		errs:   []wantErr{{1, 22, "DOCTYPE with entity declarations or external references ignored"}},
	}, {
		name:   "bare ampersand and bad reference",
		in:     jtl(`<httpSample lb="a"><responseData>R&D &#xD800; &amp; R&D</responseData></httpSample>`),
		events: []string{"E 3:35", "E 3:38", "S a"},
		errs: []wantErr{
			{3, 35, "'&' that does not start a reference"},
			{3, 38, "character reference &#xD800; is not a valid character; replaced by U+FFFD"},
		},
	}, {
		name:   "element outside testResults",
		in:     head + "</testResults>\n<foo/>\n",
		events: []string{"E 4:1"},
		errs:   []wantErr{{4, 1, "element <foo> outside <testResults>; skipped"}},
	}, {
		name:   "test plan instead of results",
		in:     `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<jmeterTestPlan version="1.2" properties="5.0"><hashTree/></jmeterTestPlan>`,
		events: []string{"E 2:1"},
		errs:   []wantErr{{2, 1, "this is a JMeter test plan (.jmx), not a results file"}},
	}, {
		name:   "declaration only",
		in:     `<?xml version="1.0" encoding="UTF-8"?>` + "\n",
		events: []string{"E 2:1"},
		errs:   []wantErr{{2, 1, "no <testResults> element and no samples"}},
	}, {
		name:   "unknown encoding",
		in:     `<?xml version="1.0" encoding="x-klingon"?>` + "\n<testResults><httpSample lb=\"a\"/></testResults>",
		events: []string{"E 1:1", "S a"},
		errs:   []wantErr{{1, 1, `encoding "x-klingon" in the XML declaration is not known; read as UTF-8`}},
	}, {
		name:   "empty",
		in:     "",
		events: nil,
	}, {
		name:   "white space",
		in:     "\n  \r\n",
		events: nil,
	}, {
		name:   "a CSV read as XML",
		in:     "timeStamp,elapsed,label\n1700000000000,5,a\n",
		events: []string{"E 1:1"},
		errs:   []wantErr{{1, 1, "no XML markup at all: not a JMeter XML results file (a CSV? leave --input-format out to detect the format)"}},
	}, {
		name:   "two files concatenated",
		in:     jtl(`<httpSample lb="a"/>`) + jtl(`<httpSample lb="b"/>`),
		events: []string{"S a", "S b"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeString(t, tc.in)
			if got.fatal != nil {
				t.Fatal(got.fatal)
			}
			if strings.Join(got.events, ", ") != strings.Join(tc.events, ", ") {
				t.Errorf("events\n got %q\nwant %q\nerrors: %v", got.events, tc.events, got.errs)
			}
			for i, w := range tc.errs {
				if i >= len(got.errs) {
					break
				}
				e := got.errs[i]
				if e.Line != w.line || e.Column != w.col || !strings.Contains(e.Msg, w.msg) || e.File != "test.jtl" {
					t.Errorf("problem %d: %s (line %d col %d)\nwant %d:%d %q", i, e, e.Line, e.Column, w.line, w.col, w.msg)
				}
				if e.Offset < 0 || e.Offset > int64(len(tc.in)) {
					t.Errorf("problem %d: offset %d", i, e.Offset)
				}
			}
			// The same through one-byte reads: every boundary everywhere.
			again := decodeAll(t, iotest.OneByteReader(strings.NewReader(tc.in)), "test.jtl", samples.Options{})
			if strings.Join(again.events, ",") != strings.Join(got.events, ",") {
				t.Errorf("one byte at a time: %q", again.events)
			}
		})
	}
}

func TestEntitiesKeptLiterally(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="&nbsp;x&nbsp;"><responseData>&lt;&#60;&#x3c;&gt;&quot;&apos;&amp;amp;&#233;&#x1F600;</responseData></httpSample>`))
	s := got.samples[0]
	if s.Label != "&nbsp;x&nbsp;" || s.ResponseBody != `<<<>"'&amp;é😀` {
		t.Errorf("label %q body %q", s.Label, s.ResponseBody)
	}
	if len(got.errs) != 1 || !strings.Contains(got.errs[0].Msg, "&nbsp;") {
		t.Errorf("one problem per unknown entity: %v", got.errs)
	}
}

// JMeter writes control characters as references XML 1.0 forbids; they
// are what the server sent and are kept, without a problem reported.
func TestControlCharacterReferences(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="a&#x1;" rm="x&#0;y&#xd;&#10;z">
  <responseData class="java.lang.String">a&#x1;b&#x0;c&#xc;d&#x1F;e&#xd;</responseData>
</httpSample>`))
	if len(got.errs) != 0 || len(got.samples) != 1 {
		t.Fatalf("%v", got.errs)
	}
	s := got.samples[0]
	if s.Label != "a\x01" || s.Message != "x\x00y\r\nz" || s.ResponseBody != "a\x01b\x00c\x0cd\x1fe\r" {
		t.Errorf("%q %q %q", s.Label, s.Message, s.ResponseBody)
	}
}

func TestCDATACommentsAndPIs(t *testing.T) {
	got := decodeString(t, jtl(`<!-- a comment with <httpSample lb="no"/> in it -->
<httpSample lb="a"><!-- c --><responseData><![CDATA[<b>x</b> & ]]]]><![CDATA[>]]>y &amp; z<!-- hidden --><?pi x?></responseData><?pi?></httpSample>`))
	if len(got.samples) != 1 || len(got.errs) != 0 {
		t.Fatalf("%v %v", got.events, got.errs)
	}
	if b := got.samples[0].ResponseBody; b != "<b>x</b> & ]]>y & z" {
		t.Errorf("body %q", b)
	}
}

func TestRawNewlinesInAttributes(t *testing.T) {
	got := decodeString(t, strings.ReplaceAll(jtl("<httpSample\n  lb=\"a\"\n  rm=\"line1\nline2\ttab\"\n/>\n<httpSample lb=\"b\"/>"), "\n", "\r\n"))
	if len(got.samples) != 2 || got.samples[0].Message != "line1\r\nline2\ttab" || got.samples[1].Line != 8 {
		t.Errorf("%+v", got.samples)
	}
}

func TestDeclaredEncodings(t *testing.T) {
	for _, tc := range []struct{ enc, raw, want string }{
		{"ISO-8859-1", "caf\xe9", "café"},
		{"windows-1252", "\x80 5", "€ 5"},
		{"UTF-8", "café", "café"},
		{"US-ASCII", "plain", "plain"},
	} {
		in := `<?xml version="1.0" encoding="` + tc.enc + `"?>` + "\n<testResults>\n<httpSample lb=\"" + tc.raw + "\"/>\n</testResults>\n"
		got := decodeString(t, in)
		if len(got.samples) != 1 || got.samples[0].Label != tc.want || got.samples[0].Line != 3 || len(got.errs) != 0 {
			t.Errorf("%s: %+v %v", tc.enc, got.samples, got.errs)
		}
	}
}

func TestSamplerDataAsRequest(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="post"><samplerData class="java.lang.String">POST http://h/p

POST data:
{&quot;a&quot;:1}

[no cookies]
</samplerData></httpSample>
<httpSample lb="get"><samplerData class="java.lang.String">GET http://h/q?x=1

Cookie Data:
sid=abc
</samplerData></httpSample>
<httpSample lb="put"><samplerData>PUT http://h/r

PUT data:
&lt;Entity was not repeatable, cannot view what was sent&gt;

[no cookies]
</samplerData></httpSample>
<sample lb="jdbc"><samplerData class="java.lang.String">select 1
from dual</samplerData></sample>`))
	if len(got.samples) != 4 {
		t.Fatal(got.errs)
	}
	post, get, put, jdbc := got.samples[0], got.samples[1], got.samples[2], got.samples[3]
	if post.Method != "POST" || post.URL != "http://h/p" || post.RequestBody != `{"a":1}` || post.RequestBodyIs != samples.BodySaved {
		t.Errorf("post: %q %q %q %v", post.Method, post.URL, post.RequestBody, post.RequestBodyIs)
	}
	if get.Method != "GET" || get.URL != "http://h/q?x=1" || get.RequestBodyIs != samples.BodyNotSaved || get.Cookies != "sid=abc" {
		t.Errorf("get: %q %q %v %q", get.Method, get.URL, get.RequestBodyIs, get.Cookies)
	}
	if put.RequestBodyIs != samples.BodyUnreadable || put.RequestBody != "" {
		t.Errorf("put: %v %q", put.RequestBodyIs, put.RequestBody)
	}
	if jdbc.RequestBody != "select 1\nfrom dual" || jdbc.Kind != samples.KindSample || jdbc.Has&samples.FieldMethod != 0 {
		t.Errorf("jdbc: %q %v", jdbc.RequestBody, jdbc.Kind)
	}
}

func TestBodyMarkers(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="a" dt="bin">
  <responseData class="java.lang.String">Non-TEXT response data, cannot record: (bin)</responseData>
  <method class="java.lang.String">POST</method>
  <queryString class="java.lang.String">&lt;Entity was not repeatable, cannot view what was sent&gt;</queryString>
</httpSample>
<httpSample lb="b">
  <queryString class="java.lang.String"></queryString>
  <java.net.URL>null</java.net.URL>
</httpSample>`))
	a, b := got.samples[0], got.samples[1]
	if a.ResponseBodyIs != samples.BodyUnreadable || a.RequestBodyIs != samples.BodyUnreadable || a.ResponseBody != "" {
		t.Errorf("a: %v %v", a.ResponseBodyIs, a.RequestBodyIs)
	}
	if b.RequestBodyIs != samples.BodySaved || b.RequestBody != "" || b.URL != "" || b.Has&samples.FieldURL == 0 || b.ResponseBodyIs != samples.BodyNotSaved {
		t.Errorf("b: %+v", b)
	}
}

func TestVariablesAndOldAttributes(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="a" rs="404" JMeterThread.last__sample__ok="true" my_-var="1" x_.0020y="2" recId=""/>
<httpSample rc="200" rs="404" lb="b" sc="3" ec="2" hn="gen1" de="UTF-8" sby="10" it="7"/>`))
	a, b := got.samples[0], got.samples[1]
	want := []samples.Var{{Name: "JMeterThread.last_sample_ok", Value: "true"}, {Name: "my$var", Value: "1"}, {Name: "x y", Value: "2"}, {Name: "recId", Value: ""}}
	if len(a.Vars) != len(want) {
		t.Fatalf("vars %q", a.Vars)
	}
	for i := range want {
		if a.Vars[i] != want[i] {
			t.Errorf("var %d: %q, want %q", i, a.Vars[i], want[i])
		}
	}
	if a.Code != "404" || a.Status() != 404 || a.SampleCount != 1 || a.ErrorCount != 0 || a.Has&samples.FieldSampleCount != 0 {
		t.Errorf("a: %q %d/%d", a.Code, a.SampleCount, a.ErrorCount)
	}
	if b.Code != "200" || b.SampleCount != 3 || b.ErrorCount != 2 || b.Hostname != "gen1" || b.Encoding != "UTF-8" || b.SentBytes != 10 || b.Idle.Milliseconds() != 7 {
		t.Errorf("b: %+v", b)
	}
	m := (&Decoder{}).Meta()
	if m.Format != "jtl-xml" {
		t.Errorf("format %q", m.Format)
	}
}

func TestMeta(t *testing.T) {
	d, _ := NewDecoder(strings.NewReader(jtl(`<httpSample t="1" ts="5" s="true" lb="a" sby="1" ok__var="x"><method>GET</method></httpSample>
<httpSample t="1" ts="5" s="false" lb="b"><responseData>x</responseData><method>GET</method><httpSample lb="c"/></httpSample>`)), "m", samples.Options{})
	drain(t, d)
	m := d.Meta()
	if strings.Join(m.Columns, ",") != "t,ts,s,lb,sby,ok_var" || m.Producer != "JMeter 3.1 or later" {
		t.Errorf("columns %q producer %q", m.Columns, m.Producer)
	}
	for k, v := range map[string]string{"output_format": "xml", "timestamp_format": "ms", "sample_variables": "ok_var",
		"samplerData": "true", "response_data.on_error": "true", "subresults": "true", "sent_bytes": "true"} {
		if m.Saved[k] != v {
			t.Errorf("Saved[%s] = %q, want %q (all: %v)", k, m.Saved[k], v, m.Saved)
		}
	}
	if _, ok := m.Saved["response_data"]; ok {
		t.Errorf("response_data claimed though a successful sample has none")
	}
}

func TestPluginSubResultsAndAssertions(t *testing.T) {
	got := decodeString(t, jtl(`<com.example.MySampleResult>
  <label>p</label><responseCode>200</responseCode><success>true</success>
  <timeStamp>1000</timeStamp><elapsedTime>5</elapsedTime><bytes>x</bytes>
  <saveConfig><label>true</label><url>true</url></saveConfig>
  <subResults>
    <com.example.MySampleResult><label>c1</label></com.example.MySampleResult>
    <org.apache.jmeter.protocol.http.sampler.HTTPSampleResult><label>c2</label><parent reference="../../.."/></org.apache.jmeter.protocol.http.sampler.HTTPSampleResult>
  </subResults>
  <assertionResults>
    <org.apache.jmeter.assertions.AssertionResult><name>A</name><failure>true</failure><error>false</error><failureMessage>boom</failureMessage></org.apache.jmeter.assertions.AssertionResult>
  </assertionResults>
</com.example.MySampleResult>`))
	if len(got.samples) != 1 {
		t.Fatalf("%v", got.errs)
	}
	s := got.samples[0]
	if s.Label != "p" || s.Code != "200" || !s.Success || s.Start.UnixMilli() != 1000 || s.Elapsed.Milliseconds() != 5 || s.Has&samples.FieldBytes != 0 {
		t.Errorf("%+v", s)
	}
	if len(s.Children) != 2 || s.Children[0].Label != "c1" || s.Children[1].Kind != samples.KindHTTP || s.Children[1].Line != 9 {
		t.Errorf("children %+v", s.Children)
	}
	if len(s.Assertions) != 1 || s.Assertions[0] != (samples.Assertion{Name: "A", Failure: true, Message: "boom"}) || s.FailureMessage != "boom" {
		t.Errorf("assertions %+v", s.Assertions)
	}
	if len(got.errs) != 1 || !strings.Contains(got.errs[0].Msg, `by="x" is not a whole number`) {
		t.Errorf("problems %v", got.errs)
	}
}

func TestNestingIsBounded(t *testing.T) {
	const levels = 200
	in := jtl(strings.Repeat(`<sample lb="d">`, levels) + strings.Repeat(`</sample>`, levels) + "\n<sample lb=\"after\"/>")
	got := decodeString(t, in)
	if len(got.samples) != 2 || got.samples[1].Label != "after" {
		t.Fatalf("%v %v", got.events, got.errs)
	}
	deepest := 0
	got.samples[0].Walk(func(_ *samples.Sample, depth int) { deepest = max(deepest, depth) })
	if deepest != maxDepth-1 {
		t.Errorf("deepest sub-result at depth %d, want %d", deepest, maxDepth-1)
	}
	if len(got.errs) != 1 || !strings.Contains(got.errs[0].Msg, "nested deeper than 64 levels") {
		t.Errorf("%v", got.errs)
	}
}

func TestOversizedSampleSkipped(t *testing.T) {
	in := jtl(`<httpSample lb="big"><responseData>` + strings.Repeat("x", 1000) + `</responseData><httpSample lb="kid"/></httpSample>
<httpSample lb="small"/>`)
	d, _ := NewDecoder(strings.NewReader(in), "big.jtl", samples.Options{})
	d.maxRecord = 300
	got := drain(t, d)
	if strings.Join(got.events, ",") != "E 3:1,S small" {
		t.Errorf("events %q", got.events)
	}
	if len(got.errs) == 1 && !strings.Contains(got.errs[0].Msg, "the sample <httpSample> is larger than 300 bytes; skipped") {
		t.Errorf("%v", got.errs)
	}
}

func TestLongBodyCut(t *testing.T) {
	// A body longer than MaxBody, with a 3-byte character across the limit.
	body := strings.Repeat("a", samples.MaxBody-1) + "€" + strings.Repeat("b", 5000)
	got := decodeString(t, jtl(`<httpSample lb="a"><responseData>`+body+`</responseData><queryString>`+body+`</queryString></httpSample><httpSample lb="b"/>`))
	if len(got.samples) != 2 {
		t.Fatal(got.errs)
	}
	s := got.samples[0]
	for _, b := range []struct {
		text  string
		state samples.BodyState
	}{{s.ResponseBody, s.ResponseBodyIs}, {s.RequestBody, s.RequestBodyIs}} {
		if b.state != samples.BodyTruncated || len(b.text) != samples.MaxBody-1 || !utf8.ValidString(b.text) {
			t.Errorf("cut body: %v, %d bytes", b.state, len(b.text))
		}
	}
}

func TestNeedSkipsExpensiveFields(t *testing.T) {
	in := jtl(`<httpSample t="1" lb="a" recId="r"><assertionResult><name>n</name><failure>true</failure><error>false</error><failureMessage>m</failureMessage></assertionResult>
<responseHeader>HTTP/1.1 200 OK
A: b</responseHeader><requestHeader>C: d</requestHeader><responseData>x</responseData>
<cookies>k=v</cookies><method>POST</method><queryString>q</queryString><java.net.URL>http://u/</java.net.URL></httpSample>`)
	all := decodeString(t, in).samples[0]
	wantAll := samples.FieldRequestHeaders | samples.FieldResponseHeaders | samples.FieldRequestBody | samples.FieldResponseBody |
		samples.FieldCookies | samples.FieldMethod | samples.FieldURL | samples.FieldAssertions | samples.FieldFailureMessage | samples.FieldVars
	if all.Has&wantAll != wantAll || all.FailureMessage != "m" || all.ResponseHeaders[0] != (samples.Header{Name: "A", Value: "b"}) {
		t.Fatalf("everything: has %v", all.Has.Names())
	}
	need := samples.FieldLabel | samples.FieldElapsed
	some := decodeAll(t, strings.NewReader(in), "n", samples.Options{Need: need}).samples[0]
	if some.Has&wantAll != 0 || some.RequestHeaders != nil || some.ResponseBody != "" || some.Vars != nil || some.Assertions != nil {
		t.Errorf("with Need: has %v", some.Has.Names())
	}
	if some.Label != "a" || some.Elapsed.Milliseconds() != 1 {
		t.Errorf("needed fields missing: %+v", some)
	}
}

// The Sample passed to Decode is reused; what was handed out earlier must
// not change.
func TestSamplesAreNotOverwritten(t *testing.T) {
	d, _ := NewDecoder(strings.NewReader(jtl(strings.Repeat(`<httpSample lb="x" recId="1"><requestHeader>A: 1
B: 2</requestHeader><sample lb="k1"/></httpSample>
<httpSample lb="y" recId="2"><requestHeader>C: 3</requestHeader><responseHeader>HTTP/1.1 200 OK
D: 4</responseHeader></httpSample>
`, 600))), "r", samples.Options{})
	var s samples.Sample
	var kept, clones []samples.Sample
	for {
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, s)
		clones = append(clones, s.Clone())
	}
	if len(kept) != 1200 {
		t.Fatalf("%d samples", len(kept))
	}
	for i := range kept {
		a, b := kept[i], clones[i]
		if len(a.RequestHeaders) != len(b.RequestHeaders) || len(a.Vars) != 1 || a.Vars[0] != b.Vars[0] {
			t.Fatalf("sample %d changed", i)
		}
		for j := range a.RequestHeaders {
			if a.RequestHeaders[j] != b.RequestHeaders[j] {
				t.Fatalf("sample %d header %d changed: %v", i, j, a.RequestHeaders[j])
			}
		}
		if len(a.Children) != len(b.Children) || len(a.Children) > 0 && a.Children[0].Label != "k1" {
			t.Fatalf("sample %d children changed", i)
		}
	}
}

// A read error ends the input: the samples before it are kept, and the
// error names the file.
func TestReadError(t *testing.T) {
	in := jtl(`<httpSample lb="a"/>` + "\n" + `<httpSample lb="b"/>` + strings.Repeat(" ", 300<<10))
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(in[:len(in)-1000]), iotest.ErrReader(boom))
	got := decodeAll(t, r, "f.jtl", samples.Options{})
	if len(got.samples) != 2 || !errors.Is(got.fatal, boom) || !strings.Contains(got.fatal.Error(), "f.jtl") {
		t.Errorf("samples %d, fatal %v", len(got.samples), got.fatal)
	}
}

func TestSniff(t *testing.T) {
	yes := []string{
		head,
		"\n\n  <?xml version='1.0'?><testResults/>",
		"<!-- results --><testResults version=\"1.2\">",
		"<testResults>",
		"<httpSample t=\"1\"/>",
		"<sample lb=\"x\">",
		"\xEF\xBB\xBF<?xml version=\"1.0\"?>",
		"<!DOCTYPE testResults>",
	}
	no := []string{
		"",
		"timeStamp,elapsed,label\n1,2,x\n",
		`{"log": {"version": "1.2"}}`,
		"<samplerData>",
		"<html><body>",
		"<?xmlfoo?>",
	}
	for _, s := range yes {
		if !Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = false", s)
		}
	}
	for _, s := range no {
		if Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = true", s)
		}
	}
}

// Open picks this decoder by content, whatever the file is called.
func TestOpenPicksXML(t *testing.T) {
	in, err := samples.OpenReader(strings.NewReader(jtl(`<httpSample lb="a"/>`)), "results.csv", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Format != "xml" {
		t.Fatalf("format %q", in.Format)
	}
	var s samples.Sample
	if err := in.Decode(&s); err != nil || s.Label != "a" || s.Source != "results.csv" {
		t.Errorf("%v %+v", err, s)
	}
}

// A tag far larger than the buffer makes it grow; it shrinks back after.
func TestHugeTag(t *testing.T) {
	huge := strings.Repeat("m", 5<<20)
	d, _ := NewDecoder(strings.NewReader(jtl(`<httpSample lb="a" rm="`+huge+`"/>`+"\n"+strings.Repeat(`<httpSample lb="b"/>`+"\n", 30000))), "h", samples.Options{})
	got := drain(t, d)
	if len(got.samples) != 30001 || got.samples[0].Message != huge || len(got.errs) != 0 {
		t.Fatalf("%d samples, %v", len(got.samples), got.errs)
	}
	if len(d.sc.buf) > 4*initialBuf {
		t.Errorf("buffer still %d bytes", len(d.sc.buf))
	}
}

func TestHeaderBlocks(t *testing.T) {
	got := decodeString(t, jtl(`<httpSample lb="a"><responseHeader class="java.lang.String">HTTP/1.1 100 Continue

HTTP/1.1 400 Bad Request&#xd;
Content-Type:  application/json &#xd;
X-Long: one&#xd;
   two&#xd;
not a header&#xd;
Set-Cookie: a=1; Path=/&#xd;
</responseHeader><requestHeader class="java.lang.String">Content-Type: multipart/form-data; boundary=XyZ
Authorization: Bearer abc.def.ghi
</requestHeader></httpSample>`))
	s := got.samples[0]
	want := []samples.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Long", Value: "one two"}, {Name: "Set-Cookie", Value: "a=1; Path=/"}}
	if len(s.ResponseHeaders) != len(want) {
		t.Fatalf("response headers %q", s.ResponseHeaders)
	}
	for i := range want {
		if s.ResponseHeaders[i] != want[i] {
			t.Errorf("header %d: %q, want %q", i, s.ResponseHeaders[i], want[i])
		}
	}
	if ct, _ := s.RequestHeader("content-type"); ct != "multipart/form-data; boundary=XyZ" || len(s.RequestHeaders) != 2 {
		t.Errorf("request headers %q", s.RequestHeaders)
	}
}

// Past the cut of a long body nothing is decoded, so a problem there is
// not reported, however the input was read.
func TestLongBodyCutIsReadIndependent(t *testing.T) {
	body := strings.Repeat("a", samples.MaxBody-10) + "&x;" + strings.Repeat("b", 20) + "&y;" + strings.Repeat("c", 100)
	in := jtl(`<httpSample lb="a"><responseData>` + body + `</responseData></httpSample>`)
	whole := decodeString(t, in)
	bytewise := decodeAll(t, iotest.OneByteReader(strings.NewReader(in)), "test.jtl", samples.Options{})
	for _, got := range []decoded{whole, bytewise} {
		if len(got.errs) != 1 || !strings.Contains(got.errs[0].Msg, "&x;") || len(got.samples) != 1 {
			t.Fatalf("problems %v", got.errs)
		}
		s := got.samples[0]
		if s.ResponseBodyIs != samples.BodyTruncated || len(s.ResponseBody) != samples.MaxBody ||
			!strings.HasSuffix(s.ResponseBody, "&x;"+strings.Repeat("b", 7)) {
			t.Errorf("cut body: %v, %d bytes, ends %q", s.ResponseBodyIs, len(s.ResponseBody), s.ResponseBody[len(s.ResponseBody)-12:])
		}
	}
	if whole.samples[0].ResponseBody != bytewise.samples[0].ResponseBody {
		t.Error("the cut depends on how the input was read")
	}
}
