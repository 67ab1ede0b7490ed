package jtlcsv

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

const repoCSV = "../testdata/public/jtl-csv"

// sharedCSVs lists the shared public CSV files, nil when the shared data
// is absent (outside CI).
func sharedCSVs(tb testing.TB) []string { return samplestest.Glob(tb, "public/jtl-csv/*") }

// realFiles lists every CSV JTL the tests read: the copies in the
// repository always, the shared data set when it is there.
func realFiles(t *testing.T) []string {
	var files []string
	for _, g := range []string{repoCSV + "/*", "../testdata/jmeter/*/results.csv"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	files = append(files, sharedCSVs(t)...)
	files = append(files, samplestest.Glob(t, "jmeter/*/results.csv")...)
	if len(files) == 0 {
		t.Fatal("no test files found")
	}
	return files
}

// shape is what we know about a real file from reading it ourselves: its
// delimiter, whether it has a header line, and the properties it needs.
func shape(path string) (comma rune, header bool, props string) {
	base := filepath.Base(path)
	switch {
	case strings.HasSuffix(base, "tabs.jtl"):
		return '\t', true, ""
	case strings.HasSuffix(base, "__delimiter.csv"):
		return '|', false, ""
	case strings.HasSuffix(base, "JENKINS-16627_CSV_instead_of_XML.jtl"):
		return ',', false, ""
	case strings.HasSuffix(base, "Bug52968.csv"):
		return ',', false, "testdata/bug52968.properties"
	}
	return ',', true, ""
}

func realOptions(t *testing.T, props string) samples.Options {
	opts := samples.Options{Location: time.UTC}
	if props != "" {
		f, err := os.Open(props)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, err := ReadProperties(f)
		if err != nil {
			t.Fatal(err)
		}
		opts.Properties = p
	}
	return opts
}

// reference reads path with encoding/csv, an independent parser, and
// returns its records and the line each starts on.
func reference(t *testing.T, path string, comma rune) ([][]string, []int) {
	r := csv.NewReader(bytes.NewReader(readFile(t, path)))
	r.Comma = comma
	r.FieldsPerRecord = -1
	var recs [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("%s: encoding/csv: %v", path, err)
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	return recs, lines
}

// TestRealFiles decodes every real file and checks each sample against the
// same row read by encoding/csv: the count, the line, and every field the
// header names.
func TestRealFiles(t *testing.T) {
	for _, path := range realFiles(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			comma, header, props := shape(path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res := decode(t, f, filepath.Base(path), realOptions(t, props))
			if res.fatal != nil {
				t.Fatalf("fatal: %v", res.fatal)
			}
			if len(res.errs) > 0 {
				t.Fatalf("%d problems, first: %v", len(res.errs), res.errs[0])
			}
			if res.meta.Header != header || res.meta.Delimiter != string(comma) {
				t.Errorf("Meta: header %v delimiter %q, want %v %q", res.meta.Header, res.meta.Delimiter, header, string(comma))
			}
			recs, lines := reference(t, path, comma)
			var names []string
			if header {
				names, recs, lines = recs[0], recs[1:], lines[1:]
			}
			// None of these files has sub-result rows, so every record is a
			// top-level sample (the AleksandrDorofeev23 file has labels like
			// "Buy_ticket-55" after a transaction "Buy_ticket": they must
			// stay top-level).
			if hasNote(res.meta, "sub-result") {
				t.Errorf("sub-results attached in a file that has none: %v", res.meta.Notes)
			}
			if len(res.samples) != len(recs) {
				t.Fatalf("%d samples, encoding/csv counts %d records", len(res.samples), len(recs))
			}
			for i, s := range res.samples {
				if s.Line != lines[i] {
					t.Fatalf("sample %d: Line %d, encoding/csv says %d", i, s.Line, lines[i])
				}
				if s.Source != filepath.Base(path) {
					t.Fatalf("Source %q", s.Source)
				}
				if names != nil {
					checkRow(t, s, names, recs[i])
				}
			}
		})
	}
}

// checkRow compares a sample with its record, column by column.
func checkRow(t *testing.T, s samples.Sample, names, rec []string) {
	t.Helper()
	fail := func(col, want string, got any) {
		t.Helper()
		t.Fatalf("line %d column %s: got %v, file has %q", s.Line, col, got, want)
	}
	hasNs := false
	for _, n := range names {
		hasNs = hasNs || n == "timeStamp_ns"
	}
	vi := 0
	for c, name := range names {
		if c >= len(rec) {
			continue // python-jtl's header names a column its rows lack
		}
		v := rec[c]
		num := func() int64 {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatalf("line %d column %s: %q", s.Line, name, v)
			}
			return n
		}
		ms := func(d time.Duration) {
			if !hasNs && d != time.Duration(num())*time.Millisecond {
				fail(name, v, d)
			}
		}
		switch name {
		case "timeStamp":
			if hasNs {
				continue
			}
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && !s.Start.Equal(time.UnixMilli(n)) {
				fail(name, v, s.Start)
			}
		case "timeStamp_ns":
			if !s.Start.Equal(time.Unix(0, num())) {
				fail(name, v, s.Start)
			}
		case "elapsed":
			ms(s.Elapsed)
		case "Latency":
			ms(s.Latency)
		case "Connect":
			ms(s.Connect)
		case "IdleTime":
			ms(s.Idle)
		case "elapsed_ns":
			if s.Elapsed != time.Duration(num()) {
				fail(name, v, s.Elapsed)
			}
		case "label":
			if s.Label != v {
				fail(name, v, s.Label)
			}
		case "responseCode":
			if s.Code != v {
				fail(name, v, s.Code)
			}
		case "responseMessage":
			if s.Message != v {
				fail(name, v, s.Message)
			}
			if samples.IsTransactionMessage(v) != (s.Kind == samples.KindTransaction) {
				fail("kind", v, s.Kind)
			}
		case "threadName":
			if s.Thread != v {
				fail(name, v, s.Thread)
			}
		case "dataType":
			if s.DataType != v {
				fail(name, v, s.DataType)
			}
		case "success":
			if s.Success != strings.EqualFold(v, "true") {
				fail(name, v, s.Success)
			}
		case "failureMessage":
			if strings.ReplaceAll(s.FailureMessage, "\r\n", "\n") != v {
				fail(name, v, s.FailureMessage)
			}
		case "bytes":
			if s.Bytes != num() {
				fail(name, v, s.Bytes)
			}
		case "sentBytes":
			if s.SentBytes != num() {
				fail(name, v, s.SentBytes)
			}
		case "grpThreads":
			if int64(s.GrpThreads) != num() {
				fail(name, v, s.GrpThreads)
			}
		case "allThreads":
			if int64(s.AllThreads) != num() {
				fail(name, v, s.AllThreads)
			}
		case "URL":
			want := v
			if v == "null" {
				want = ""
			}
			if s.URL != want {
				fail(name, v, s.URL)
			}
		case "Hostname":
			if s.Hostname != v {
				fail(name, v, s.Hostname)
			}
		case "SampleCount":
			if int64(s.SampleCount) != num() {
				fail(name, v, s.SampleCount)
			}
		case "ErrorCount":
			if int64(s.ErrorCount) != num() {
				fail(name, v, s.ErrorCount)
			}
		case "Encoding":
			if s.Encoding != v {
				fail(name, v, s.Encoding)
			}
		case "Filename", "Latency_ns", "IdleTime_ns", "Connect_ns":
		default:
			// A sample variable: JMeter writes its name in quotes, which
			// encoding/csv removes.
			if vi >= len(s.Vars) || s.Vars[vi].Name != name || s.Vars[vi].Value != v {
				fail(name, v, s.Vars)
			}
			vi++
		}
	}
}

// TestRealSpotChecks pins values read by eye from the files.
func TestRealSpotChecks(t *testing.T) {
	t.Run("s6 first row, recId and thread counts", func(t *testing.T) {
		res := decode(t, bytes.NewReader(readFile(t, "../testdata/jmeter/s6-clean/results.csv")), "results.csv", samples.Options{})
		s := res.samples[0]
		// 1795652... rows of the 2.13 run: see results.csv line 2.
		first := strings.Split(strings.SplitN(string(readFile(t, "../testdata/jmeter/s6-clean/results.csv")), "\n", 3)[1], ",")
		ts, _ := strconv.ParseInt(first[0], 10, 64)
		if !s.Start.Equal(time.UnixMilli(ts)) || s.Label != first[2] || s.Thread != first[5] {
			t.Errorf("first sample %+v, row %q", s, first)
		}
		if v, ok := s.Var("recId"); !ok || v != first[17] {
			t.Errorf("recId = %q %v, want %q", v, ok, first[17])
		}
		if s.Kind != samples.KindHTTP || s.Has&samples.FieldThreads == 0 || s.Has&samples.FieldVars == 0 {
			t.Errorf("kind %v has %v", s.Kind, s.Has.Names())
		}
		if res.meta.Saved["sample_variables"] != "recId" || res.meta.Saved["timestamp_format"] != "ms" {
			t.Errorf("saved %v", res.meta.Saved)
		}
	})
	t.Run("multi-line quoted label", func(t *testing.T) {
		res := decode(t, bytes.NewReader(readFile(t, repoCSV+"/jenkinsci__performance-plugin__src__test__resources__multiLineCSV.jtl")), "m", samples.Options{})
		if len(res.samples) != 2 {
			t.Fatalf("%d samples", len(res.samples))
		}
		s := res.samples[1]
		if s.Line != 3 || !strings.HasPrefix(s.Label, `no such element: Unable to locate element: {"method":"id","selector":"reviewBAD"}`+"\n") ||
			!strings.HasSuffix(s.Label, "*** Element info: {Using=id, value=reviewBAD}") || s.Code != "500" || s.Success {
			t.Errorf("%+v", s)
		}
	})
	t.Run("formatted timestamps", func(t *testing.T) {
		path := repoCSV + "/jenkinsci__performance-plugin__src__test__resources__JMeterPublisher_formatted_timeStamp.csv"
		res := decode(t, bytes.NewReader(readFile(t, path)), "f", samples.Options{Location: time.UTC})
		want := time.Date(2014, 2, 24, 7, 42, 21, 256e6, time.UTC)
		if !res.samples[0].Start.Equal(want) || res.meta.Saved["timestamp_format"] != "yyyy-MM-dd HH:mm:ss.SSS" {
			t.Errorf("start %v, saved %v", res.samples[0].Start, res.meta.Saved)
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Skip(err)
		}
		res = decode(t, bytes.NewReader(readFile(t, path)), "f", samples.Options{Location: paris})
		if !res.samples[0].Start.Equal(want.Add(-time.Hour)) {
			t.Errorf("in Paris: %v", res.samples[0].Start)
		}
	})
	t.Run("ns columns win", func(t *testing.T) {
		s := decode(t, bytes.NewReader(readFile(t, repoCSV+"/apache__jmeter__bin__testfiles__ns.jtl")), "ns", samples.Options{}).samples[0]
		if !s.Start.Equal(time.Unix(0, 1551783627191000000)) || s.Elapsed != 351*time.Millisecond ||
			s.Latency != 2*time.Millisecond || s.Idle != 3*time.Millisecond || s.Connect != 4*time.Millisecond || !s.Success {
			t.Errorf("%+v", s)
		}
	})
	t.Run("no timestamp column", func(t *testing.T) {
		path := repoCSV + "/apache__jmeter__bin__testfiles__Bug52968.csv"
		res := decode(t, bytes.NewReader(readFile(t, path)), "b", realOptions(t, "testdata/bug52968.properties"))
		s := res.samples[1] // TC-NOPARENT-1,200,"Number of samples in transaction : 1, number of failing samples : 0",TG0-SNL 1-1,,true,1,1,1,0
		if !s.Start.IsZero() || s.Has&samples.FieldStart != 0 || s.Has&samples.FieldElapsed != 0 ||
			s.Label != "TC-NOPARENT-1" || s.Kind != samples.KindTransaction || s.DataType != "" ||
			s.SampleCount != 1 || s.ErrorCount != 0 || s.Has&samples.FieldSampleCount == 0 {
			t.Errorf("%+v", s)
		}
		s = res.samples[2] // JR-MUSTEXECUTE,,,TG0-SNL 1-1,text,true,1,1,1,0
		if s.Code != "" || s.Message != "" || !s.Success {
			t.Errorf("%+v", s)
		}
		s = res.samples[10] // TC-NOPARENT-FAILING0,,"... : 1",TG1-SNL 2-1,,false,1,1,1,1
		if s.Label != "TC-NOPARENT-FAILING0" || s.ErrorCount != 1 || s.Success {
			t.Errorf("%+v", s)
		}
		// Without the properties, the columns cannot be guessed.
		res = decode(t, bytes.NewReader(readFile(t, path)), "b", samples.Options{})
		if res.fatal == nil || !strings.Contains(res.fatal.Error(), "properties") || len(res.samples) != 0 {
			t.Errorf("fatal %v, %d samples", res.fatal, len(res.samples))
		}
	})
	t.Run("headerless 2.x file", func(t *testing.T) {
		res := decode(t, bytes.NewReader(readFile(t, repoCSV+"/jenkinsci__performance-plugin__src__test__resources__JENKINS-16627_CSV_instead_of_XML.jtl")), "j", samples.Options{})
		if !hasNote(res.meta, "no header line: assumed JMeter 2.x before thread counts") || res.meta.Header || len(res.meta.Columns) != 10 {
			t.Errorf("meta %+v", res.meta)
		}
		s := res.samples[2] // 1393227743132,2204,GET /ordermgmt/pre-logout,200,OK,Thread Group 1-1,text,true,19714,25 (no final newline)
		if s.Line != 3 || s.Bytes != 19714 || s.Latency != 25*time.Millisecond || s.Has&samples.FieldThreads != 0 {
			t.Errorf("%+v", s)
		}
	})
	t.Run("no response code column, non-ASCII", func(t *testing.T) {
		s := decode(t, bytes.NewReader(readFile(t, repoCSV+"/apache__jmeter__bin__testfiles__HTMLReportFalseTestFile.csv")), "h", samples.Options{}).samples[0]
		if s.Label != "Requête HTTP" || s.Thread != "Groupe d'unités 1-1" || s.Has&samples.FieldCode != 0 || s.URL != "http:/" || s.Kind != samples.KindHTTP {
			t.Errorf("%+v", s)
		}
	})
	t.Run("header names a column the rows lack", func(t *testing.T) {
		b, err := os.ReadFile(samplestest.Path(t, "public/jtl-csv/vklepikovskiy__python-jtl__tests__samples__main.csv"))
		if err != nil {
			t.Fatal(err)
		}
		res := decode(t, bytes.NewReader(b), "p", samples.Options{})
		if len(res.samples) != 3 || !hasNote(res.meta, "IdleTime not written") {
			t.Fatalf("%d samples, notes %v", len(res.samples), res.meta.Notes)
		}
		s := res.samples[1] // the 404 with a multi-line failure message in a CRLF file
		if s.Line != 3 || s.Label != "fourth sample, last sample" || s.Code != "404" ||
			!strings.Contains(s.FailureMessage, "\n\n****** received  : [[[404]]]\n") || s.Hostname != "hppc" || s.ErrorCount != 1 {
			t.Errorf("%+v", s)
		}
		if res.samples[2].Line != 10 {
			t.Errorf("third sample on line %d", res.samples[2].Line)
		}
	})
	t.Run("transactions and non-HTTP codes", func(t *testing.T) {
		b, err := os.ReadFile(samplestest.Path(t, "public/jtl-csv/AleksandrDorofeev23__loadTesting__results.jtl"))
		if err != nil {
			t.Fatal(err)
		}
		res := decode(t, bytes.NewReader(b), "a", samples.Options{})
		// Counted with grep on the file: 17 NoHttpResponseException codes,
		// 540 transaction rows (Buy_ticket, Cancel_ticket, Regist: 180 each).
		nonHTTP, tx := 0, 0
		for _, s := range res.samples {
			if s.Code == "Non HTTP response code: org.apache.http.NoHttpResponseException" {
				nonHTTP++
				if s.Status() != 0 {
					t.Errorf("status %d", s.Status())
				}
			}
			if s.Kind == samples.KindTransaction {
				tx++
				if s.URL != "" || s.DataType != "" {
					t.Errorf("TC row %+v", s)
				}
			}
		}
		if nonHTTP != 17 || tx != bytes.Count(b, []byte(`"Number of samples in transaction`)) {
			t.Errorf("%d non-HTTP codes, %d transactions", nonHTTP, tx)
		}
	})
}
