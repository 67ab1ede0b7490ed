package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples/samplestest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const bundled = "../../samples/testdata/jmeter/s6-clean"

// jtlscope runs the command in-process, as main would.
func jtlscope(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update. Review a rewritten golden file's diff before committing it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestSummaryGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		out, errOut, code := jtlscope(t, "", "summary", "--format", format, filepath.Join(bundled, "results.csv"))
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		golden(t, "summary-s6."+format, out)
	}
}

func TestDiagnoseGolden(t *testing.T) {
	out, errOut, code := jtlscope(t, "", "diagnose", filepath.Join(bundled, "results.xml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "diagnose-s6.table", out)
}

// TestDiagnoseGoldenSeveralCauses pins the wording of the verdict on
// bundled runs with several causes: three at once (m4), and rate limiting
// whose resends then fail as duplicate IDs (m6, markdown), and the token
// chain (m7, JSON).
func TestDiagnoseGoldenSeveralCauses(t *testing.T) {
	for _, c := range []struct{ run, format, golden string }{
		{"m4-token-limit-boundary/results.xml.gz", "table", "diagnose-m4.table"},
		{"m6-429-resend/results.csv.gz", "markdown", "diagnose-m6.markdown"},
		{"m7-token-throttled/results.xml.gz", "json", "diagnose-m7.json"},
	} {
		out, errOut, code := jtlscope(t, "", "diagnose", "--format", c.format, filepath.Join("../../samples/testdata/jmeter", c.run))
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.run, code, errOut)
		}
		golden(t, c.golden, out)
	}
}

// TestCSVAndXMLAgree: the CSV and the XML written by the same JMeter run
// give the same summary: counts, codes and percentiles to the ms.
func TestCSVAndXMLAgree(t *testing.T) {
	dirs := append(samplestest.Glob(t, "jmeter/*"), bundled)
	for _, dir := range dirs {
		var got [2]string
		for i, f := range []string{"results.csv", "results.xml"} {
			out, errOut, code := jtlscope(t, "", "summary", "--format", "json", filepath.Join(dir, f))
			if code != 0 {
				t.Fatalf("%s/%s: exit %d: %s", dir, f, code, errOut)
			}
			got[i] = out
		}
		if got[0] != got[1] {
			t.Errorf("%s: CSV and XML summaries differ:\n%s\n---\n%s", dir, got[0], got[1])
		}
	}
}

func TestStdinAndGzipEqualTheFile(t *testing.T) {
	path := filepath.Join(bundled, "results.csv")
	want, _, _ := jtlscope(t, "", "summary", "--format", "json", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, errOut, code := jtlscope(t, string(data), "summary", "--format", "json", "-")
	if code != 0 || got != want {
		t.Fatalf("stdin: exit %d (%s), output differs", code, errOut)
	}
}

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"summary"}, exitUsage, "give at least 1"},
		{[]string{"summary", "--format", "yaml", filepath.Join(bundled, "results.csv")}, exitUsage, "--format"},
		{[]string{"summary", "--no-such-flag", "x"}, exitUsage, "unknown flag"},
		{[]string{"nosuchcommand"}, exitUsage, "unknown command"},
		{[]string{"summary", "does-not-exist.jtl"}, exitError, "does-not-exist.jtl"},
		{[]string{"diagnose", "--status", "banana", filepath.Join(bundled, "results.csv")}, exitUsage, "--status"},
		{[]string{"compare", filepath.Join(bundled, "results.csv")}, exitUsage, "compare"},
		{[]string{"summary", "--sla", "errors=1", filepath.Join(bundled, "results.csv")}, exitUsage, "write 1% for one percent"},
		{[]string{"compare", "--fail-on", "errors=+1%", filepath.Join(bundled, "results.csv"), filepath.Join(bundled, "results.xml")}, exitUsage, "percentage points"},
		// A mistyped --id is said, not mistaken for "no IDs were saved".
		{[]string{"diagnose", "--id", "header:nope", filepath.Join(bundled, "results.xml")}, exitOK, "--id header:nope matched no request"},
	} {
		_, errOut, code := jtlscope(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	if out, _, code := jtlscope(t, "", "--version"); code != 0 || !strings.Contains(out, "jtlscope") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

func TestCompareSelfIsUnchanged(t *testing.T) {
	path := filepath.Join(bundled, "results.xml")
	out, errOut, code := jtlscope(t, "", "compare", "--format", "json", "--resamples", "299", path, "--", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var c struct {
		Metrics struct {
			Rows []struct {
				Label   string `json:"label"`
				Verdict string `json:"verdict"`
			} `json:"rows"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Metrics.Rows) == 0 {
		t.Fatal("no rows")
	}
	same := 0
	for _, r := range c.Metrics.Rows {
		switch r.Verdict {
		case "~":
			same++
		case "too-few-samples": // get token: 10 samples in one window
		default:
			t.Errorf("%s: %s comparing a run with itself", r.Label, r.Verdict)
		}
	}
	if same == 0 {
		t.Error("no label compared at all")
	}
}

func TestCompareCleanWithConcurrencyLimited(t *testing.T) {
	limited := samplestest.Path(t, "jmeter/s1-concurrency/results.xml")
	clean := filepath.Join(bundled, "results.xml")
	out, errOut, code := jtlscope(t, "", "compare", "--resamples", "299", "--fail-on", "errors=+1pp", clean, "--", limited)
	if code != exitSLA {
		t.Errorf("exit %d, want %d for a broken --fail-on (stderr %s)", code, exitSLA, errOut)
	}
	var upload string
	for _, line := range strings.Split(out, "\n") {
		if upload == "" && strings.Contains(line, "| upload screen recording") && strings.Contains(line, "pp") {
			upload = line
		}
	}
	if !strings.Contains(upload, "worse") {
		t.Errorf("upload error %% row %q, want worse", upload)
	}
	if !strings.Contains(out, "failure onset") || !strings.Contains(out, "threads (95% CI") {
		t.Errorf("the onset is not shown:\n%s", out)
	}
}

// A CSV without a header line is read with guessed columns; the user is
// told which, since a wrong guess misreads every row.
func TestHeaderlessCSVSaysWhichColumnsWereAssumed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nohdr.csv")
	rows := "1551783627191,351,JR-OK,200,Good request,Thread Group 1-1,text,true,,18,8,1,1,null,0,0,0\n" +
		"1551783627543,192,JR-OK,200,Good request,Thread Group 1-1,text,true,,18,8,1,1,null,0,0,0\n"
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := jtlscope(t, "", "summary", "--format", "json", path)
	if code != 0 || !strings.Contains(errOut, "no header line; read as JMeter 5.x's 17 default columns") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, `"samples": 2`) || !strings.Contains(out, "no header line") {
		t.Errorf("JSON lacks the samples or the warning:\n%s", out)
	}
}

// With a --id that matches nothing, the verdict says duplicate IDs were not
// checked, so that the cause it names is read with that in mind.
func TestMistypedIDIsInTheVerdict(t *testing.T) {
	out, _, code := jtlscope(t, "", "diagnose", "--id", "header:nope", "../../samples/testdata/jmeter/s8-dupid-csv/results.xml")
	if code != exitOK || !strings.Contains(strings.Join(strings.Fields(out), " "), "Duplicate IDs were not checked: --id header:nope matched no request.") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
