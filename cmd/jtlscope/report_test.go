package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// reportFiles are written for every report, whatever the data.
var reportFiles = []string{"index.html", "report.md", "summary.json", "diagnosis.json", "capacity.json", ".jtlscope-report",
	"tables/summary.csv", "tables/levels.csv", "tables/timeline.csv", "tables/causes.csv",
	"tables/apdex-per-label.csv", "tables/errors.csv", "tables/top5-errors.csv"}

// allCharts are the report's charts, in order.
var allCharts = []string{"threads", "codes", "tps-by-label", "bytes", "latency-connect", "failure-rate", "throughput",
	"latency-by-level", "latency-over-time", "percentiles", "distribution", "rt-vs-rps", "apdex",
	"token-age", "duplicate-ids", "multipart", "failures"}

// checkReport asserts that dir holds a complete report whose charts are
// exactly want, and that each chart left out is explained on the page.
func checkReport(t *testing.T, dir string, want map[string]bool) {
	t.Helper()
	for _, f := range reportFiles {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, name := range allCharts {
		_, errPNG := os.Stat(filepath.Join(dir, "charts", name+".png"))
		_, errSVG := os.Stat(filepath.Join(dir, "charts", name+".svg"))
		_, errCSV := os.Stat(filepath.Join(dir, "tables", name+".csv"))
		drawn := errPNG == nil && errSVG == nil && errCSV == nil
		if drawn != want[name] {
			t.Errorf("chart %s drawn %v, want %v", name, drawn, want[name])
		}
		inPage := bytes.Contains(page, []byte(`<figure id="fig-`+name+`">`))
		missingNote := bytes.Contains(page, []byte(`<div class="missing" id="fig-`+name+`">`))
		if inPage != want[name] || missingNote == want[name] {
			t.Errorf("chart %s: figure on the page %v, note on the page %v", name, inPage, missingNote)
		}
		if want[name] != bytes.Contains(md, []byte("](charts/"+name+".png)")) {
			t.Errorf("chart %s: report.md link disagrees", name)
		}
	}
}

// readChartCSV returns the rows of tables/NAME.csv by series name.
func readChartCSV(t *testing.T, dir, name string) map[string][][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "tables", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, r := range rows[1:] {
		out[r[0]] = append(out[r[0]], r)
	}
	return out
}

// seriesWithPrefix returns the rows of the series whose name starts
// with prefix and whose kind is kind ("" for any).
func seriesWithPrefix(m map[string][][]string, prefix string, kind ...string) [][]string {
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && (len(kind) == 0 || v[0][1] == kind[0]) {
			return v
		}
	}
	return nil
}

// TestReportOnSharedRuns reports on every JMeter run in shared/data, XML
// and CSV, and checks that the charts present match what each input
// records, and that the charts agree with the JSON contracts.
func TestReportOnSharedRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("reads about 50 MB")
	}
	runs := samplestest.Glob(t, "jmeter/*")
	if len(runs) == 0 {
		t.Skip("skipped, no real data: the shared JMeter runs are absent")
	}
	for _, run := range runs {
		for _, format := range []string{"xml", "csv"} {
			name := filepath.Base(run) + "/" + format
			t.Run(name, func(t *testing.T) {
				in := filepath.Join(run, "results."+format)
				dir := filepath.Join(t.TempDir(), "report")
				out, errOut, code := jtlscope(t, "", "report", in, "-o", dir)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !strings.Contains(out, filepath.Join(dir, "index.html")) {
					t.Errorf("stdout %q does not name the report", out)
				}
				var d struct {
					Failures int64
					Kinds    []struct{ Class string }
					Causes   []struct {
						Cause    string
						Verdict  string
						Missing  string
						Evidence json.RawMessage
					}
				}
				mustReadJSON(t, filepath.Join(dir, "diagnosis.json"), &d)
				var sum struct{ Errors int64 }
				mustReadJSON(t, filepath.Join(dir, "summary.json"), &sum)
				verdict := map[string]string{}
				for _, c := range d.Causes {
					verdict[c.Cause] = c.Verdict
				}
				failing := d.Failures > 0
				// Failures the server never answered (m3's timeouts) were
				// not refused for a token or a body: those charts are moot.
				answered := !failing
				for _, k := range d.Kinds {
					answered = answered || k.Class != "non-http"
				}
				want := map[string]bool{
					"threads": true, "codes": true, "throughput": true, "latency-by-level": true, "latency-over-time": true,
					"token-age": answered,
					// JMeter's dashboard views: every run has what they need.
					"tps-by-label": true, "bytes": true, "latency-connect": true, "percentiles": true,
					"distribution": true, "rt-vs-rps": true, "apdex": true,
					// A concurrency chart needs failures of the diagnosed kind (4xx);
					// the failures chart any failed sample (m3's are timeouts).
					"failure-rate": failing, "failures": sum.Errors > 0,
					// IDs are reused by design in s8 (a recycled 40-row data set)
					// and m1 (millisecond timestamps that collide under load).
					"duplicate-ids": strings.HasPrefix(filepath.Base(run), "s8") || strings.HasPrefix(filepath.Base(run), "m1"),
					// A CSV saves no request bodies.
					"multipart": format == "xml",
				}
				checkReport(t, dir, want)
				page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
				if format == "csv" && answered && !bytes.Contains(page, []byte("request headers and bodies")) {
					t.Error("the CSV report does not say what to save for the multipart chart")
				}
				// The onset drawn is the diagnosis's onset.
				if want["failure-rate"] && verdict["concurrency"] == "likely" {
					var ev struct {
						Onset struct{ Value, Low, High float64 }
					}
					for _, c := range d.Causes {
						if c.Cause == "concurrency" {
							if err := json.Unmarshal(c.Evidence, &ev); err != nil {
								t.Fatal(err)
							}
						}
					}
					fr := readChartCSV(t, dir, "failure-rate")
					line := seriesWithPrefix(fr, "onset ", "vline")
					if len(line) == 0 || line[0][1] != "vline" || parse(t, line[0][3]) != ev.Onset.Value {
						t.Errorf("onset line %v, want a vertical line at %v", line, ev.Onset.Value)
					}
					band := seriesWithPrefix(fr, "onset 95% CI", "vband")
					if len(band) == 0 || parse(t, band[0][5]) != ev.Onset.Low || parse(t, band[0][6]) != ev.Onset.High {
						t.Errorf("onset band %v, want %v–%v", band, ev.Onset.Low, ev.Onset.High)
					}
				}
				// The USL curve is drawn exactly when capacity.json has a fit.
				var c struct {
					USL *struct{ NStar *float64 } `json:"usl"`
				}
				mustReadJSON(t, filepath.Join(dir, "capacity.json"), &c)
				tp := readChartCSV(t, dir, "throughput")
				if (c.USL != nil) != (seriesWithPrefix(tp, "USL fit") != nil) {
					t.Errorf("capacity.json fit %v, USL curve drawn %v", c.USL != nil, seriesWithPrefix(tp, "USL fit") != nil)
				}
			})
		}
	}
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return x
}

func mustReadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestReportOnPublicFiles: every public file either gives a complete
// report or, when it holds no sample at all, a clear error.
func TestReportOnPublicFiles(t *testing.T) {
	files, _ := filepath.Glob("../../samples/testdata/public/*/*")
	if len(files) == 0 {
		t.Skip("no public test files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "r")
			_, errOut, code := jtlscope(t, "", "report", f, "-o", dir)
			if code == exitError && strings.Contains(errOut, "no samples in") {
				if _, err := os.Stat(dir); err == nil {
					t.Error("a report was written for an input without samples")
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, name := range reportFiles {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Error(err)
				}
			}
			var meta struct{}
			mustReadJSON(t, filepath.Join(dir, "summary.json"), &meta)
			if strings.HasSuffix(f, ".har") {
				// HAR has no thread counts: the threads chart, when drawn,
				// shows only the measured requests in flight.
				if _, err := os.Stat(filepath.Join(dir, "tables/threads.csv")); err == nil {
					th := readChartCSV(t, dir, "threads")
					if th["active threads (JMeter)"] != nil || th["requests in flight (measured)"] == nil {
						t.Errorf("HAR threads chart series: %v", keys(th))
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "charts/multipart.png")); err == nil {
					t.Log("multipart chart drawn from a HAR capture")
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// rampCSV writes a JTL CSV of a ramp from 1 to 40 threads over 80 s in
// which, above 25 threads, every other request fails: half of those with
// 400, half with code.
func rampCSV(t *testing.T, label, code string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,Latency,IdleTime,Connect\n")
	start := int64(1_700_000_000_000)
	for sec := 0; sec < 80; sec++ {
		threads := 1 + sec*40/80
		for i := 0; i < threads; i++ {
			ts := start + int64(sec)*1000 + int64(i)*1000/int64(threads)
			rc, ok := "200", "true"
			if threads > 25 && i%2 == 0 {
				rc, ok = "400", "false"
				if i%4 == 0 {
					rc = code
				}
			}
			fmt.Fprintf(&b, "%d,200,%s,%s,msg,users 1-%d,text,%s,,100,50,%d,%d,150,0,5\n", ts, label, rc, i+1, ok, threads, threads)
		}
	}
	path := filepath.Join(t.TempDir(), "ramp.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportRefusesAForeignDirectory(t *testing.T) {
	in := rampCSV(t, "upload", "400")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := jtlscope(t, "", "report", in, "-o", dir)
	if code != exitError || !strings.Contains(errOut, "not a jtlscope report") || !strings.Contains(errOut, "--force") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, _, code := jtlscope(t, "", "report", in, "-o", dir, "--force"); code != 0 {
		t.Fatalf("--force: exit %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Error("--force removed the user's file")
	}
	if _, errOut, code := jtlscope(t, "", "report", in); code != exitUsage || !strings.Contains(errOut, "-o DIR") {
		t.Errorf("without -o: exit %d: %s", code, errOut)
	}
}

func TestSLAExitCodes(t *testing.T) {
	in := rampCSV(t, "upload", "400") // about 20% of requests fail
	cases := []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"summary", "--sla", "errors=1%", in}, exitSLA, "errors"},
		{[]string{"summary", "--sla", "errors=50%,p95=1s", in}, exitOK, ""},
		{[]string{"summary", "--format", "json", "--sla", "p95=100ms", in}, exitSLA, "p95 200 ms > 100 ms"},
		{[]string{"diagnose", "--sla", "errors=1%", in}, exitSLA, "errors"},
		{[]string{"diagnose", "--sla", "throughput=1", in}, exitOK, ""},
		{[]string{"report", "--sla", "errors=1%", in, "-o", filepath.Join(t.TempDir(), "r")}, exitSLA, "errors"},
		{[]string{"summary", "--sla", "p95=fast", in}, exitUsage, "--sla"},
		{[]string{"report", "--sla", "speed=1", in, "-o", filepath.Join(t.TempDir(), "r")}, exitUsage, "--sla"},
	}
	for _, c := range cases {
		out, errOut, code := jtlscope(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.say) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", c.args, code, errOut, c.code, c.say)
		}
		if c.code == exitSLA && c.args[0] != "report" && out == "" {
			t.Errorf("%v: a broken SLA must still print the result", c.args)
		}
	}
	// The report is written before the SLA verdict.
	dir := filepath.Join(t.TempDir(), "r")
	if _, _, code := jtlscope(t, "", "report", "--sla", "errors=1%", in, "-o", dir); code != exitSLA {
		t.Fatalf("exit %d", code)
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil || !bytes.Contains(page, []byte("broken by the run&#39;s totals")) || !bytes.Contains(page, []byte("ustainable: 25 threads")) {
		t.Errorf("the report does not state the SLA verdict and the sustainable level (err %v)", err)
	}
	_, help, _ := jtlscope(t, "", "summary", "--help")
	out, _, _ := jtlscope(t, "", "summary", "--help")
	if !strings.Contains(out+help, "--sla") || !strings.Contains(out+help, "exit code 3") {
		t.Error("summary --help does not document --sla")
	}
}

// BenchmarkReportS1 builds the whole report for the s1 run (20 MB of
// XML): read, analyse, draw ten charts, write every file.
func BenchmarkReportS1(b *testing.B) {
	in := samplestest.Path(b, "jmeter/s1-concurrency/results.xml")
	fi, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "r")
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		var out, errb bytes.Buffer
		if code := run([]string{"report", in, "-o", dir}, strings.NewReader(""), &out, &errb); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}
