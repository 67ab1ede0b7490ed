package jtlcsv

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/jtlscope/jtlscope/samples"
)

// h5 is JMeter 5.x's default header.
const h5 = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"

// row5 writes a 5.x default row.
func row5(ts int64, elapsed int, label, thread string) string {
	return fmt.Sprintf("%d,%d,%s,200,OK,%s,text,true,,100,50,1,1,http://h/x,%d,0,0\n", ts, elapsed, label, thread, elapsed/2)
}

// row213 writes a JMeter 2.13 default row (12 columns).
func row213(d string, ts int64, label string) string {
	return strings.Join([]string{fmt.Sprint(ts), "7", label, "200", "OK", "TG 1-1", "text", "true", "123", "1", "1", "3"}, d) + "\n"
}

func TestBadInput(t *testing.T) {
	r1 := row5(1700000000000, 5, "a", "T 1-1")
	r3 := row5(1700000000002, 5, "c", "T 1-1")
	off := int64(len(h5 + r1))
	cases := []struct {
		name   string
		bad    string
		col    int
		offset int64 // from the start of the bad row
		msg    string
	}{
		{"too few fields", "1700000000001,5,b,200,OK,T 1-1,text,true,,10,5,1,1\n", 0, 0, "too few fields: 13, but the header has 17 columns"},
		{"too many fields", strings.TrimSuffix(row5(1700000000001, 5, "b", "T 1-1"), "\n") + ",x\n", 0, 0, "too many fields: 18"},
		{"not a number", "1700000000001,5x,b,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 2, 0, `column 2 (elapsed): "5x" is not a whole number`},
		{"not a timestamp", "2023-13-45,5,b,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 1, 0, `column 1 (timeStamp): "2023-13-45" is neither epoch milliseconds`},
		{"negative elapsed", "1700000000001,-5,b,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 2, 0, `negative elapsed time "-5"`},
		{"not a boolean", "1700000000001,5,b,200,OK,T 1-1,text,yes,,10,5,1,1,null,1,0,0\n", 8, 0, `column 8 (success): "yes" is not true or false`},
		{"quote in an unquoted field", "1700000000001,5,b\"c,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 3, 17, "a quote inside an unquoted field"},
		{"text after a closing quote", "1700000000001,5,\"b\"c,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 3, 19, "closing quote is followed by 'c'"},
		{"NUL byte", "1700000000001,5,b\x00,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n", 3, 17, "NUL byte"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := decodeString(t, h5+r1+c.bad+r3, samples.Options{})
			if res.fatal != nil || len(res.samples) != 2 || len(res.errs) != 1 {
				t.Fatalf("%d samples, errors %v, fatal %v", len(res.samples), res.errs, res.fatal)
			}
			e := res.errs[0]
			if e.File != "t.jtl" || e.Line != 3 || e.Column != c.col || e.Offset != off+c.offset || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %+v, want line 3 column %d offset %d %q", e, c.col, off+c.offset, c.msg)
			}
			if res.samples[1].Label != "c" || res.samples[1].Line != 4 {
				t.Errorf("did not resynchronise: %+v", res.samples[1])
			}
		})
	}
}

func TestCutOffLastLine(t *testing.T) {
	r1 := row5(1700000000000, 5, "a", "T 1-1")
	for _, c := range []struct{ name, last, msg string }{
		{"inside quotes", `1700000000001,5,b,400,"Bad Request, inval`, "the last line ends inside the quoted field of column 5: it is cut off"},
		{"too few fields", `1700000000001,5,b,400,Bad Req`, "the last line has 5 of 17 fields: it is cut off"},
		{"too few fields with a newline", "1700000000001,5,b,400\n", "the last line has 4 of 17 fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := decodeString(t, h5+r1+c.last, samples.Options{})
			if res.fatal != nil || len(res.samples) != 1 || len(res.errs) != 1 {
				t.Fatalf("%d samples, errors %v, fatal %v", len(res.samples), res.errs, res.fatal)
			}
			if e := res.errs[0]; e.Line != 3 || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("%+v", e)
			}
		})
	}
}

// A stray quote must not swallow the rest of the file.
func TestStrayQuoteRecovers(t *testing.T) {
	data := h5 + row5(1, 5, "a", "T 1-1") +
		"2,5,\"b,200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n" +
		row5(3, 5, "c", "T 1-1") + row5(4, 5, "d", "T 1-1")
	res := decodeString(t, data, samples.Options{})
	if len(res.errs) != 1 || res.errs[0].Line != 3 || !strings.Contains(res.errs[0].Msg, "never closed") {
		t.Fatalf("errors %v", res.errs)
	}
	if len(res.samples) != 3 || res.samples[1].Label != "c" || res.samples[1].Line != 4 || res.samples[2].Line != 5 {
		t.Fatalf("%+v", res.samples)
	}
}

func TestRecordTooLong(t *testing.T) {
	defer func(n int) { maxRecord = n }(maxRecord)
	maxRecord = 300
	long := "1700000000001,5," + strings.Repeat("x", 400) + ",200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n"
	data := h5 + row5(1, 5, "a", "T 1-1") + long + row5(3, 5, "c", "T 1-1")
	res := decodeString(t, data, samples.Options{})
	if len(res.samples) != 2 || len(res.errs) != 1 || res.errs[0].Line != 3 || !strings.Contains(res.errs[0].Msg, "longer than") {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}

	// A line longer than a whole block, which cannot even be held.
	huge := strings.Repeat("y", 2*blockSize+100) + "\n"
	data = h5 + row5(1, 5, "a", "T 1-1") + huge + row5(3, 5, "c", "T 1-1")
	res = decodeString(t, data, samples.Options{})
	if len(res.samples) != 2 || len(res.errs) != 1 || res.errs[0].Line != 3 || !strings.Contains(res.errs[0].Msg, "without a line break") {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}
	if res.samples[1].Line != 4 || res.samples[1].Label != "c" {
		t.Errorf("%+v", res.samples[1])
	}

	// A quoted field that never ends, longer than the limit.
	open := "2,5,\"" + strings.Repeat("z\n", 400)
	data = h5 + row5(1, 5, "a", "T 1-1") + open + row5(3, 5, "c", "T 1-1")
	res = decodeString(t, data, samples.Options{})
	if len(res.errs) == 0 || res.errs[0].Line != 3 {
		t.Fatalf("errors %v", res.errs)
	}
	last := res.samples[len(res.samples)-1]
	if last.Label != "c" || last.Line != 403 {
		t.Errorf("last sample %+v", last)
	}
}

func TestInvalidUTF8KeepsTheRow(t *testing.T) {
	res := decodeString(t, h5+row5(1, 5, "a\xffb", "T\xfe 1-1")+row5(2, 5, "ok", "T 1-1"), samples.Options{})
	if len(res.samples) != 2 || len(res.errs) != 0 {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}
	if s := res.samples[0]; s.Label != "a\uFFFDb" || s.Thread != "T\uFFFD 1-1" {
		t.Errorf("%q %q", s.Label, s.Thread)
	}
	if !hasNote(res.meta, "1 rows held invalid UTF-8") {
		t.Errorf("notes %v", res.meta.Notes)
	}
}

func TestEmptyAndHeaderOnly(t *testing.T) {
	for _, c := range []struct{ data, note string }{
		{"", "the file is empty"},
		{"\n\r\n", "the file is empty"},
		{h5, "header line but no samples"},
		{strings.TrimSuffix(h5, "\n"), "header line but no samples"},
		{h5 + "\n\n", "header line but no samples"},
	} {
		res := decodeString(t, c.data, samples.Options{})
		if res.fatal != nil || len(res.samples) != 0 || len(res.errs) != 0 || !hasNote(res.meta, c.note) {
			t.Errorf("%q: fatal %v, %d samples, errors %v, notes %v", c.data, res.fatal, len(res.samples), res.errs, res.meta.Notes)
		}
	}
	d, _ := NewDecoder(strings.NewReader(""), "e", samples.Options{})
	var s samples.Sample
	first := d.Decode(&s)
	if second := d.Decode(&s); first != io.EOF || second != io.EOF {
		t.Error("io.EOF is not sticky")
	}
}

func TestBlankLinesKeepLineNumbers(t *testing.T) {
	res := decodeString(t, "\n"+h5+"\n"+row5(1, 5, "a", "T 1-1")+"\r\n\n"+row5(2, 5, "b", "T 1-1"), samples.Options{})
	if len(res.samples) != 2 || res.samples[0].Line != 4 || res.samples[1].Line != 7 {
		t.Fatalf("%+v %v", res.samples, res.errs)
	}
}

func TestLineEndings(t *testing.T) {
	lf := h5 + row5(1, 5, "a", "T 1-1") +
		"2,5,\"multi\nline, \"\"quoted\"\"\",200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n" +
		row5(3, 5, "c", "T 1-1")
	for name, data := range map[string]string{
		"LF":   lf,
		"CRLF": strings.ReplaceAll(lf, "\n", "\r\n"),
		"CR":   strings.ReplaceAll(lf, "\n", "\r"),
		// python-jtl's Windows file: CRLF records, bare LF inside quotes.
		"CRLF, LF inside quotes": strings.Replace(strings.ReplaceAll(lf, "\n", "\r\n"), "multi\r\nline", "multi\nline", 1),
	} {
		t.Run(name, func(t *testing.T) {
			res := decodeString(t, data, samples.Options{})
			if len(res.samples) != 3 || len(res.errs) != 0 {
				t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
			}
			s := res.samples[1]
			nl := "\n"
			if name == "CRLF" {
				nl = "\r\n"
			} else if name == "CR" {
				nl = "\r"
			}
			if s.Label != "multi"+nl+`line, "quoted"` || s.Line != 3 || s.URL != "" {
				t.Errorf("%q line %d", s.Label, s.Line)
			}
			if res.samples[2].Line != 5 || res.samples[2].Label != "c" {
				t.Errorf("%+v", res.samples[2])
			}
		})
	}
}

func TestDelimiters(t *testing.T) {
	for _, d := range []string{",", ";", "\t", "|"} {
		t.Run(fmt.Sprintf("%q", d), func(t *testing.T) {
			hdr := strings.ReplaceAll("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n", ",", d)
			// A label holding the other delimiters, and one holding this
			// one, which JMeter quotes.
			others := strings.ReplaceAll("a,b;c|d\te", d, "")
			rows := row213(d, 1000, others) + row213(d, 2000, `"x`+d+`y"`)
			for _, data := range []string{hdr + rows, rows} {
				res := decodeString(t, data, samples.Options{})
				if len(res.samples) != 2 || len(res.errs) != 0 || res.fatal != nil {
					t.Fatalf("%d samples, errors %v, fatal %v", len(res.samples), res.errs, res.fatal)
				}
				if res.samples[0].Label != others || res.samples[1].Label != "x"+d+"y" || res.samples[1].Latency != 3*time.Millisecond {
					t.Errorf("%q %q", res.samples[0].Label, res.samples[1].Label)
				}
				if res.meta.Delimiter != d {
					t.Errorf("delimiter %q", res.meta.Delimiter)
				}
			}
		})
	}
	// Options.Delimiter overrides detection.
	res := decodeString(t, row213(";", 1000, "a,b"), samples.Options{Delimiter: ';'})
	if len(res.samples) != 1 || res.samples[0].Label != "a,b" {
		t.Errorf("%+v %v", res.samples, res.errs)
	}
	if _, err := NewDecoder(strings.NewReader(""), "x", samples.Options{Delimiter: 'a'}); err == nil {
		t.Error("a letter is accepted as delimiter")
	}
	// An XML file forced to be read as CSV says so.
	res = decodeString(t, "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n", samples.Options{})
	if msg := fmt.Sprint(res.fatal, res.errs); !strings.Contains(msg, "the file starts like XML, not CSV") {
		t.Errorf("XML read as CSV: %s", msg)
	}
	// A wrong --delimiter on a file with a header names the right one.
	res = decodeString(t, "timeStamp\telapsed\tlabel\tresponseCode\tsuccess\n1000\t5\ta\t200\ttrue\n", samples.Options{Delimiter: ','})
	msg := fmt.Sprint(res.fatal, res.errs)
	if len(res.samples) != 0 || !strings.Contains(msg, "the first line is a header split on tab, not on the delimiter given (',')") {
		t.Errorf("wrong delimiter: %d samples, %s", len(res.samples), msg)
	}
}

func TestHeaderAnyCaseAnyOrder(t *testing.T) {
	// AWS Distributed Load Testing and hand-made files reorder and recase.
	data := "Label,TIMESTAMP,Elapsed,ResponseCode,success,ThreadName,\"testId\"\n" +
		"login,1700000000000,250,201,TRUE,TG 1-2,t-1\n"
	res := decodeString(t, data, samples.Options{})
	if len(res.samples) != 1 {
		t.Fatalf("%v %v", res.errs, res.fatal)
	}
	s := res.samples[0]
	if s.Label != "login" || !s.Start.Equal(time.UnixMilli(1700000000000)) || s.Elapsed != 250*time.Millisecond ||
		s.Code != "201" || !s.Success || s.Thread != "TG 1-2" || len(s.Vars) != 1 || s.Vars[0] != (samples.Var{Name: "testId", Value: "t-1"}) {
		t.Errorf("%+v", s)
	}
	if res.meta.Producer != "" || res.meta.Columns[1] != "TIMESTAMP" {
		t.Errorf("meta %+v", res.meta)
	}
	want := samples.FieldLabel | samples.FieldStart | samples.FieldElapsed | samples.FieldCode | samples.FieldSuccess | samples.FieldThread | samples.FieldVars
	if s.Has != want {
		t.Errorf("Has %v, want %v", s.Has.Names(), want.Names())
	}
}

func TestUnknownColumnsAreVariables(t *testing.T) {
	res := decodeString(t, "timeStamp,elapsed,label,region\n1,2,x,eu-west-1\n", samples.Options{})
	if v, ok := res.samples[0].Var("region"); !ok || v != "eu-west-1" || !hasNote(res.meta, `unknown column "region"`) {
		t.Errorf("%+v %v", res.samples, res.meta.Notes)
	}
}

func TestHeaderless(t *testing.T) {
	r5 := strings.TrimSuffix(row5(1700000000000, 9, "a", "T 1-1"), "\n")
	cases := []struct {
		name, row, note string
		props           map[string]string
		check           func(samples.Sample) bool
	}{
		{"2.13 defaults", row213(",", 1000, "a"), "JMeter 2.13's default columns", nil,
			func(s samples.Sample) bool { return s.Bytes == 123 && s.Latency == 3*time.Millisecond }},
		{"3.0 defaults", "1000,7,a,200,OK,TG 1-1,text,true,,123,1,1,3,0\n", "JMeter 3.0's default columns", nil,
			func(s samples.Sample) bool { return s.Has&samples.FieldIdle != 0 && s.Has&samples.FieldSentBytes == 0 }},
		{"3.1 defaults", "1000,7,a,200,OK,TG 1-1,text,true,,123,45,1,1,3,0,2\n", "JMeter 3.1 to 4.0's default columns", nil,
			func(s samples.Sample) bool { return s.SentBytes == 45 && s.Connect == 2*time.Millisecond }},
		{"5.x defaults", r5 + "\n", "JMeter 5.x's default columns", nil,
			func(s samples.Sample) bool { return s.URL == "http://h/x" && s.Kind == samples.KindHTTP }},
		{"2.13 and an unnamed variable", strings.TrimSuffix(row213(",", 1000, "a"), "\n") + ",id-1\n", "1 sample variable columns with unknown names", nil,
			func(s samples.Sample) bool { v, ok := s.Var("column13"); return ok && v == "id-1" }},
		{"properties with variables", r5 + ",id-1,u7\n", "the columns the given properties describe",
			map[string]string{"sample_variables": "recId, user"},
			func(s samples.Sample) bool { v, _ := s.Var("user"); return v == "u7" && s.Vars[0].Name == "recId" }},
		{"properties, older release", "1000,7,a,200,OK,TG 1-1,text,true,,123,45,1,1,3,0,2,id-1\n", "JMeter 3.1 to 4.0 defaults",
			map[string]string{"sample_variables": "recId"},
			func(s samples.Sample) bool { v, _ := s.Var("recId"); return v == "id-1" && s.SentBytes == 45 }},
		{"properties with pattern and delimiter", "2024/01/02 03:04:05.678;7;a;200;OK;TG 1-1;text;true;;123;45;1;1;3;0;2\n", "properties describe",
			map[string]string{propPrefix + "timestamp_format": "yyyy/MM/dd HH:mm:ss.SSS", propPrefix + "default_delimiter": ";", propPrefix + "url": "false"},
			func(s samples.Sample) bool { return s.Start.Equal(time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := decodeString(t, c.row, samples.Options{Properties: c.props, Location: time.UTC})
			if res.fatal != nil || len(res.errs) != 0 || len(res.samples) != 1 {
				t.Fatalf("fatal %v, errors %v, %d samples", res.fatal, res.errs, len(res.samples))
			}
			if !hasNote(res.meta, c.note) || res.meta.Header {
				t.Errorf("notes %v", res.meta.Notes)
			}
			if s := res.samples[0]; s.Line != 1 || s.Label != "a" || !c.check(s) {
				t.Errorf("%+v", s)
			}
		})
	}
	res := decodeString(t, "1,2,3\n", samples.Options{})
	if res.fatal == nil || !strings.Contains(res.fatal.Error(), "t.jtl:1: no header line") {
		t.Errorf("fatal %v", res.fatal)
	}
	res = decodeString(t, "1,2,3\n", samples.Options{Properties: map[string]string{"sample_variables": "x"}})
	if res.fatal == nil || !strings.Contains(res.fatal.Error(), "properties describe") {
		t.Errorf("fatal %v", res.fatal)
	}
}

func TestTimestamps(t *testing.T) {
	hdr := "timeStamp,elapsed,label\n"
	utc := func(ms int) time.Time { return time.Date(2024, 1, 2, 3, 4, 5, ms*1e6, time.UTC) }
	plus2 := time.FixedZone("+2", 2*3600)
	for _, c := range []struct {
		name, stamp, format string
		loc                 *time.Location
		want                time.Time
	}{
		{"epoch ms", "1704164645678", "", nil, utc(678)},
		{"epoch ms, spaces", " 1704164645678 ", "ms", nil, utc(678)},
		{"fallback 1", "2024/01/02 03:04:05.678", "", time.UTC, utc(678)},
		{"fallback 2", "2024/01/02 03:04:05", "", time.UTC, utc(0)},
		{"fallback 4", "2024-01-02 03:04:05", "", time.UTC, utc(0)},
		{"fallback 5, two-digit year", "01/02/24 03:04:05", "", time.UTC, utc(0)},
		{"pattern in a zone", "2024/01/02 05:04:05.678", "yyyy/MM/dd HH:mm:ss.SSS", plus2, utc(678)},
		{"pattern with Z", "2024-01-02T05:04:05.678+0200", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", time.Local, utc(678)},
		{"pattern with XXX", "2024-01-02T03:04:05.678Z", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", plus2, utc(678)},
		{"pattern with z", "02 Jan 2024 03:04:05 AM GMT", "dd MMM yyyy hh:mm:ss a z", plus2, utc(0)},
		{"pm", `"Tue, 02 January 2024 03:04:05 PM"`, "EEE, dd MMMM yyyy hh:mm:ss a", time.UTC, utc(0).Add(12 * time.Hour)},
		{"compact", "20240102030405", "yyyyMMddHHmmss", time.UTC, utc(0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := oneSample(t, hdr+c.stamp+",5,x\n", samples.Options{TimestampFormat: c.format, Location: c.loc})
			if !s.Start.Equal(c.want) {
				t.Errorf("%s: %v, want %v", c.stamp, s.Start, c.want)
			}
		})
	}
	// An explicit format is not second-guessed.
	res := decodeString(t, hdr+"2024/01/02 03:04:05,5,x\n", samples.Options{TimestampFormat: "ms"})
	if len(res.errs) != 1 || !strings.Contains(res.errs[0].Msg, "not a time in epoch milliseconds") {
		t.Errorf("%v", res.errs)
	}
	res = decodeString(t, hdr+"2024-02-30 03:04:05,5,x\n", samples.Options{TimestampFormat: "yyyy-MM-dd HH:mm:ss"})
	if len(res.errs) != 1 || !strings.Contains(res.errs[0].Msg, `does not match the timestamp format "yyyy-MM-dd HH:mm:ss"`) {
		t.Errorf("%v", res.errs)
	}
	if _, err := NewDecoder(strings.NewReader(""), "x", samples.Options{TimestampFormat: "yyyy-MM-dd QQ"}); err == nil {
		t.Error("unsupported pattern letter accepted")
	}
}

func TestSubResults(t *testing.T) {
	base := int64(1700000000000)
	data := h5 +
		row5(base, 500, "Home", "T 1-1") +
		row5(base, 100, "Home-0", "T 1-1") +
		row5(base+100, 300, "Home-1", "T 1-1") +
		row5(base+100, 50, "Home-1-0", "T 1-1") + // 5.5+: recursive
		row5(base+150, 50, "Home-1-1", "T 1-1") +
		row5(base+400, 100, "Home-2", "T 1-1") +
		row5(base+600, 10, "Other", "T 1-1")
	res := decodeString(t, data, samples.Options{})
	if len(res.samples) != 2 || len(res.errs) != 0 {
		t.Fatalf("%d samples %v", len(res.samples), res.errs)
	}
	home := res.samples[0]
	if len(home.Children) != 3 || home.Children[1].Label != "Home-1" || len(home.Children[1].Children) != 2 ||
		home.Children[1].Children[1].Line != 6 || home.Children[2].Line != 7 || res.samples[1].Line != 8 {
		t.Errorf("%+v", home)
	}
	if !hasNote(res.meta, "5 sub-result rows") || res.meta.Saved["subresults"] != "true" {
		t.Errorf("notes %v", res.meta.Notes)
	}
	var reqs, subs []string
	home.Requests(func(s *samples.Sample) { reqs = append(reqs, s.Label) })
	home.SubResults(func(s *samples.Sample) { subs = append(subs, s.Label) })
	if strings.Join(reqs, " ") != "Home" || strings.Join(subs, " ") != "Home-0 Home-1 Home-1-0 Home-1-1 Home-2" {
		t.Errorf("requests %v, sub-results %v", reqs, subs)
	}

	// Rows that look like sub-results but are not.
	for _, c := range []struct{ name, rows string }{
		{"index does not start at 0", row5(base, 500, "Home", "T 1-1") + row5(base, 100, "Home-1", "T 1-1")},
		{"other thread", row5(base, 500, "Home", "T 1-1") + row5(base, 100, "Home-0", "T 1-2")},
		{"outside the span", row5(base, 500, "Home", "T 1-1") + row5(base+450, 100, "Home-0", "T 1-1")},
		{"not next to the parent", row5(base, 500, "Home", "T 1-1") + row5(base, 10, "X", "T 1-1") + row5(base, 100, "Home-0", "T 1-1")},
		{"leading zero", row5(base, 500, "Home", "T 1-1") + row5(base, 100, "Home-00", "T 1-1")},
		// A transaction row is written after its samplers; the next
		// iteration's recorder-named sampler starts after it ended.
		{"after a transaction", row5(base, 500, "Buy", "T 1-1") + row5(base+600, 100, "Buy-0", "T 1-1")},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := decodeString(t, h5+c.rows, samples.Options{})
			for _, s := range res.samples {
				if len(s.Children) > 0 {
					t.Errorf("%s got children %+v", s.Label, s.Children)
				}
			}
			if len(res.samples) != strings.Count(c.rows, "\n") {
				t.Errorf("%d samples", len(res.samples))
			}
		})
	}
	// Different sample variables: the child would have the parent's.
	vh := strings.TrimSuffix(h5, "\n") + ",\"id\"\n"
	rows := strings.TrimSuffix(row5(base, 500, "Home", "T 1-1"), "\n") + ",a\n" + strings.TrimSuffix(row5(base, 100, "Home-0", "T 1-1"), "\n") + ",b\n"
	if res := decodeString(t, vh+rows, samples.Options{}); len(res.samples) != 2 {
		t.Errorf("different variables attached: %d samples", len(res.samples))
	}
	rows = strings.TrimSuffix(row5(base, 500, "Home", "T 1-1"), "\n") + ",a\n" + strings.TrimSuffix(row5(base, 100, "Home-0", "T 1-1"), "\n") + ",a\n"
	if res := decodeString(t, vh+rows, samples.Options{}); len(res.samples) != 1 {
		t.Errorf("same variables not attached: %d samples", len(res.samples))
	}
}

func TestConcatenatedFiles(t *testing.T) {
	h213 := "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n"
	res := decodeString(t, h5+row5(1, 5, "a", "T 1-1")+h5+row5(2, 5, "b", "T 1-1")+h213+row213(",", 3, "c"), samples.Options{})
	if len(res.samples) != 3 || len(res.errs) != 0 || res.samples[2].Bytes != 123 || res.samples[2].Line != 6 {
		t.Fatalf("%+v %v", res.samples, res.errs)
	}
	if !hasNote(res.meta, "line 3: the header line again") || !hasNote(res.meta, "line 5: a new header line with 12 columns") {
		t.Errorf("notes %v", res.meta.Notes)
	}
}

func TestNeed(t *testing.T) {
	vh := strings.TrimSuffix(h5, "\n") + ",\"id\"\n"
	data := vh + strings.TrimSuffix(row5(1, 5, "a", "T 1-1"), "\n") + ",x\n"
	s := oneSample(t, data, samples.Options{Need: samples.FieldLabel | samples.FieldElapsed | samples.FieldCode})
	if s.URL != "" || s.Message != "" || s.Vars != nil || s.DataType != "" || s.Label != "a" || s.Elapsed != 5*time.Millisecond {
		t.Errorf("%+v", s)
	}
	if s.Has&(samples.FieldURL|samples.FieldMessage|samples.FieldVars|samples.FieldDataType) != 0 || s.Has&samples.FieldLabel == 0 {
		t.Errorf("Has %v", s.Has.Names())
	}
	if s.Kind != samples.KindHTTP {
		t.Errorf("Kind %v: it needs no URL string", s.Kind)
	}
}

// Sample slices handed out are never written again, and repeated strings
// are shared.
func TestMemoryContract(t *testing.T) {
	vh := strings.TrimSuffix(h5, "\n") + ",\"id\"\n"
	var b strings.Builder
	b.WriteString(vh)
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "%s,id-%d\n", strings.TrimSuffix(row5(int64(i), 5, "a", "T 1-1"), "\n"), i)
	}
	d, _ := NewDecoder(strings.NewReader(b.String()), "m", samples.Options{})
	var s samples.Sample
	var keep []samples.Var
	var firstLabel string
	for i := 0; ; i++ {
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			keep, firstLabel = s.Vars, s.Label
		} else if unsafe.StringData(s.Label) != unsafe.StringData(firstLabel) {
			t.Fatal("label not interned")
		}
	}
	if len(keep) != 1 || keep[0].Value != "id-0" || cap(keep) != 1 {
		t.Errorf("first sample's Vars were overwritten: %v (cap %d)", keep, cap(keep))
	}
}

func TestOpenPicksCSV(t *testing.T) {
	in, err := samples.OpenReader(strings.NewReader(h5+row5(1, 5, "a", "T 1-1")), "o.jtl", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s samples.Sample
	if in.Format != "csv" || in.Decode(&s) != nil || s.Label != "a" || in.Meta().Format != "jtl-csv" {
		t.Errorf("format %q, %+v", in.Format, s)
	}
	found := false
	for _, f := range samples.Formats() {
		found = found || f == "csv"
	}
	if !found {
		t.Error("csv is not registered")
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{
		"":                                     true,
		"\n  \n":                               true,
		h5:                                     true,
		"1|2|3":                                true,
		"a\tb":                                 true,
		"<?xml version=\"1.0\"?>":              false,
		`{"log": {}}`:                          false,
		"just some words\nand, commas":         false,
		"timeStamp;elapsed\n":                  true,
		string(bytes.Repeat([]byte("x"), 100)): false,
	} {
		if got := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%.20q) = %v", in, got)
		}
	}
}

func TestValues(t *testing.T) {
	data := h5 +
		// JMeter bug 63471: spaces around numbers.
		"1700000000000, 5 ,a,200,OK,T 1-1,text,TRUE,, 10 ,5,1,1,null, 3,0,0\n" +
		"1700000000001,9,b,Non HTTP response code: java.net.SocketTimeoutException,Non HTTP response message: Read timed out,T 1-1,text,False,,0,0,2,3,https://h/y,0,0,9\n" +
		"1700000000002,9,c,,,T 1-1,,false,,0,0,2,3,jdbc:postgresql://db/x,0,0,0\n" +
		"1700000000003,9,http://label/as/url,200,\"Number of samples in transaction : 2, number of failing samples : 1\",T 1-1,,false,,0,0,2,3,null,0,4,0\n"
	res := decodeString(t, data, samples.Options{})
	if len(res.samples) != 4 || len(res.errs) != 0 {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}
	s := res.samples[0]
	if s.Elapsed != 5*time.Millisecond || s.Bytes != 10 || s.Latency != 3*time.Millisecond || !s.Success || s.URL != "" ||
		s.SampleCount != 1 || s.ErrorCount != 0 || s.Has&samples.FieldSampleCount != 0 || s.Kind != samples.KindSample {
		t.Errorf("%+v", s)
	}
	s = res.samples[1]
	if s.Code != "Non HTTP response code: java.net.SocketTimeoutException" || s.Status() != 0 || s.Success ||
		s.Kind != samples.KindHTTP || s.GrpThreads != 2 || s.AllThreads != 3 || s.Connect != 9*time.Millisecond {
		t.Errorf("%+v", s)
	}
	if s = res.samples[2]; s.Code != "" || s.Message != "" || s.DataType != "" || s.Kind != samples.KindSample {
		t.Errorf("%+v", s)
	}
	// A transaction row: the message decides, whatever the label.
	if s = res.samples[3]; s.Kind != samples.KindTransaction || s.Idle != 4*time.Millisecond || s.End() != s.Start.Add(13*time.Millisecond) {
		t.Errorf("%+v", s)
	}
	// Without a URL column, a label that is a URL marks an HTTP sample.
	s = oneSample(t, "timeStamp,elapsed,label\n1,2,HTTPS://x/y\n", samples.Options{})
	if s.Kind != samples.KindHTTP {
		t.Errorf("kind %v", s.Kind)
	}
}

// errReader fails after giving its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadErrorEndsTheInput(t *testing.T) {
	var b strings.Builder
	b.WriteString(h5)
	for i := 0; i < 2000; i++ {
		b.WriteString(row5(int64(i), 5, "a", "T 1-1"))
	}
	for name, sizes := range map[string][4]int{"sequential": {blockSize, blockSize, 1 << 62, 0}, "parallel": {1000, 1000, 0, 3}} {
		t.Run(name, func(t *testing.T) {
			withSizes(sizes[0], sizes[1], int64(sizes[2]), sizes[3], func() {
				boom := fmt.Errorf("disk on fire")
				res := decode(t, &errReader{data: []byte(b.String()), err: boom}, "r.jtl", samples.Options{})
				if len(res.samples) != 2000 || res.fatal == nil || !strings.HasPrefix(res.fatal.Error(), "r.jtl: reading after byte") ||
					!strings.Contains(res.fatal.Error(), "disk on fire") {
					t.Errorf("%d samples, fatal %v", len(res.samples), res.fatal)
				}
			})
		})
	}
}

func TestPropertiesDelimiterAndMeta(t *testing.T) {
	p, err := ReadProperties(strings.NewReader("jmeter.save.saveservice.default_delimiter=\\\\t\nsample_variables=id\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The file holds the two characters \t, which JMeter reads as TAB.
	if p[propPrefix+"default_delimiter"] != `\t` {
		t.Fatalf("%q", p[propPrefix+"default_delimiter"])
	}
	res := decodeString(t, strings.ReplaceAll(strings.TrimSuffix(row5(1, 5, "a", "T 1-1"), "\n"), ",", "\t")+"\tx-1\n", samples.Options{Properties: p})
	if len(res.samples) != 1 || res.meta.Delimiter != "\t" || res.meta.Saved["sample_variables"] != "id" ||
		res.meta.Saved["print_field_names"] != "false" || res.meta.Saved["url"] != "true" || res.meta.Saved["hostname"] != "false" {
		t.Errorf("%+v %v", res.meta, res.errs)
	}
	if _, err := NewDecoder(strings.NewReader(""), "x", samples.Options{Properties: map[string]string{propPrefix + "default_delimiter": "ab"}}); err == nil {
		t.Error("a two-character delimiter was accepted")
	}
}

func TestBOMAndQuotedHeader(t *testing.T) {
	s := oneSample(t, "\uFEFF"+h5+row5(1700000000000, 5, "a", "T 1-1"), samples.Options{})
	if !s.Start.Equal(time.UnixMilli(1700000000000)) || s.Line != 2 {
		t.Errorf("BOM: %+v", s)
	}
	// A writer that quotes every field, names included.
	res := decodeString(t, `"timeStamp","elapsed","label","recId"`+"\n"+`"1700000000000","5","a","x"`+"\n", samples.Options{})
	if len(res.samples) != 1 || res.samples[0].Elapsed != 5*time.Millisecond || len(res.samples[0].Vars) != 1 || res.samples[0].Vars[0].Name != "recId" {
		t.Errorf("%+v %v %v", res.samples, res.errs, res.fatal)
	}
}

// TestOtherToolsAreNotJTLs: other load tools' result files share a
// column name or two with a JTL (k6's metrics CSV has timestamp and url)
// or look like headerless rows (Gatling's tab-separated simulation.log):
// they are turned down, named, rather than read as failed requests.
func TestOtherToolsAreNotJTLs(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"k6", "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags\n" +
			"http_reqs,1633706790,1.000000,,,,true,,GET,https://blazedemo.com/,HTTP/2.0,default,,200,,tls1.3,https://blazedemo.com/,\n",
			"not a JTL: the file looks like a k6 CSV"},
		{"gatling", "RUN\tSim\tsim\t1594934470862\t \t3.3.1\nUSER\tSim\t8\tSTART\t1594934472038\t1594934472038\n",
			"not a JTL: the file looks like a Gatling simulation.log"},
		{"no elapsed", "timestamp,url,status,duration\n1700000000000,http://h/,200,12\n",
			"names JMeter columns (timestamp, url) but not elapsed"},
	} {
		res := decodeString(t, c.data, samples.Options{})
		if msg := fmt.Sprint(res.fatal, res.errs); len(res.samples) != 0 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d samples, %s", c.name, len(res.samples), msg)
		}
	}
}
