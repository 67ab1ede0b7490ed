package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/report/chart"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples"
)

const xss = `<img src=x onerror=alert(1)>`

// rampReport runs the report's analyses over a synthetic ramp from 1 to
// 40 threads in 80 s, each thread sending one 200 ms request a second;
// above 25 threads every other request of label fails with 400.
func rampReport(t testing.TB, label string) *CapacityReport {
	t.Helper()
	sm := summary.New(summary.Options{})
	dg := diagnose.New(diagnose.Options{Seed: 1})
	tl := timeline.New()
	lv := capacity.NewLevels()
	start := time.UnixMilli(1_700_000_000_000)
	line := 1
	for sec := 0; sec < 80; sec++ {
		threads := 1 + sec*40/80
		for i := 0; i < threads; i++ {
			line++
			fail := threads > 25 && i%2 == 0
			s := samples.Sample{
				Source: "synthetic.csv", Line: line,
				Start:   start.Add(time.Duration(sec)*time.Second + time.Duration(i)*time.Second/time.Duration(threads)),
				Elapsed: 200 * time.Millisecond, Label: label, Thread: fmt.Sprintf("users 1-%d", i+1),
				GrpThreads: threads, AllThreads: threads, Code: "200", Success: true, SampleCount: 1,
				Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread |
					samples.FieldThreads | samples.FieldCode | samples.FieldSuccess,
			}
			if fail {
				s.Code, s.Success = "400", false
			}
			for _, a := range []interface{ Add(*samples.Sample) }{sm, dg, tl, lv} {
				a.Add(&s)
			}
		}
	}
	crit, err := sla.Parse("p95=800ms,errors=1%")
	if err != nil {
		t.Fatal(err)
	}
	series := tl.Result()
	r := &CapacityReport{
		Version:   "test",
		Generated: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Inputs: []Input{{Name: "synthetic.csv", Meta: samples.Meta{
			Format: "jtl-csv", Header: true, Delimiter: ",", Columns: []string{"timeStamp", "elapsed", "label"},
			Saved: map[string]string{"thread_counts": "true"}, Notes: []string{"note " + xss},
		}}},
		Summary:   sm.Result(),
		Diagnosis: dg.Result(),
		Timeline:  series,
		Capacity:  lv.Result(series, crit, 1),
		SLA:       crit,
		Warnings:  []string{"synthetic.csv:3: broken row " + xss},
	}
	r.Violations = crit.Check(sla.Values{ErrorPct: r.Summary.Total.ErrorPct, P95: r.Summary.Total.P95MS})
	r.Draw()
	return r
}

func TestWriteReportDirWritesEveryPart(t *testing.T) {
	r := rampReport(t, "upload")
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteReportDir(dir, r, false); err != nil {
		t.Fatal(err)
	}
	want := []string{"index.html", "report.md", "summary.json", "diagnosis.json", "capacity.json", ReportMarker,
		"tables/summary.csv", "tables/levels.csv", "tables/timeline.csv", "tables/causes.csv"}
	drawn := 0
	for _, f := range r.Figures {
		if f.Chart != nil {
			drawn++
			want = append(want, "charts/"+f.Name+".png", "charts/"+f.Name+".svg", "tables/"+f.Name+".csv")
		}
	}
	// The ramp has threads, times, failures above 25 threads and a fit:
	// everything but the causes that need headers, IDs or bodies.
	if drawn < 7 || figure(r, "failure-rate").Chart == nil || figure(r, "throughput").Chart == nil {
		t.Errorf("only %d charts drawn: %v", drawn, figureNames(r))
	}
	for _, name := range want {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	var s summary.Result
	mustJSON(t, filepath.Join(dir, "summary.json"), &s)
	if s.Samples != r.Summary.Samples || s.Errors == 0 {
		t.Errorf("summary.json: %d samples, %d errors", s.Samples, s.Errors)
	}
	var d struct{ Failures int64 }
	mustJSON(t, filepath.Join(dir, "diagnosis.json"), &d)
	if d.Failures != r.Diagnosis.Failures {
		t.Errorf("diagnosis.json: %d failures, want %d", d.Failures, r.Diagnosis.Failures)
	}
	levels, _ := os.ReadFile(filepath.Join(dir, "tables/levels.csv"))
	if lines := strings.Count(string(levels), "\n"); lines != len(r.Capacity.Levels)+1 {
		t.Errorf("levels.csv has %d lines for %d levels", lines, len(r.Capacity.Levels))
	}
	fr, _ := os.ReadFile(filepath.Join(dir, "tables/failure-rate.csv"))
	if !strings.HasPrefix(string(fr), "series,kind,category,x,y,low,high\n") || !strings.Contains(string(fr), "failure rate,points,") {
		t.Errorf("failure-rate.csv:\n%s", fr)
	}
	// Nothing is left behind next to the report.
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("the parent holds %d entries, want only the report", len(entries))
	}
}

func TestWriteReportDirReplacesOnlyReports(t *testing.T) {
	r := rampReport(t, "upload")
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := WriteReportDir(dir, r, false); err != nil {
		t.Fatal(err)
	}
	// A previous report is replaced as a whole: a stale chart goes away.
	stale := filepath.Join(dir, "charts", "stale.png")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteReportDir(dir, r, false); err != nil {
		t.Fatalf("replacing a previous report: %v", err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the previous report's stale file survived: %v", err)
	}

	// Someone else's directory is refused, and left as it was.
	other := filepath.Join(parent, "notes")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(other, "thesis.tex")
	if err := os.WriteFile(mine, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteReportDir(other, r, false)
	if !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("foreign directory: %v, want ErrNotReport mentioning --force", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("the refused directory was changed: %d entries", len(entries))
	}
	// --force writes the report into it and keeps what was there.
	if err := WriteReportDir(other, r, true); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "keep me" {
		t.Errorf("--force lost the user's file: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(other, "index.html")); err != nil {
		t.Errorf("--force wrote no report: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, ReportMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--force marked a foreign directory as a report, so a later run would delete the user's files")
	}

	// An empty directory is fine; a file is not a directory.
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteReportDir(empty, r, false); err != nil {
		t.Errorf("empty directory: %v", err)
	}
	if err := WriteReportDir(mine, r, true); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file as the output: %v", err)
	}
}

func TestHTMLEscapesEveryInputString(t *testing.T) {
	r := rampReport(t, xss)
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<img") || strings.Contains(page, "<script") {
		t.Error("input markup reached the page unescaped")
	}
	// The label shows as text: in the statistics table, the verdict, the
	// input's notes, the warnings and (through gonum's escaping) the SVG.
	if n := strings.Count(page, "&lt;img src=x onerror=alert(1)&gt;"); n < 4 {
		t.Errorf("the label appears escaped %d times, want it in table, verdict, notes, warnings and charts", n)
	}
	for _, want := range []string{`http-equiv="Content-Security-Policy"`, "default-src 'none'", `<svg class="chart" role="img"`, "viewBox=", "Failure rate against concurrency"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<?xml") || strings.Contains(page, `width="453.54pt"`) {
		t.Error("an SVG kept its XML prolog or fixed size")
	}
	// Namespace names (xmlns="http://www.w3.org/2000/svg") are not
	// fetched; anything that loads a resource would be.
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*"?(https?:|//)|url\(\s*['"]?(https?:|//)|@import`).MatchString(page) {
		t.Error("the page loads something from the network")
	}
}

func TestHTMLShowsFactsCapacityAndMissingCharts(t *testing.T) {
	r := rampReport(t, "upload")
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"synthetic.csv", "Time range", "2023-11-14 22:13:20", // the first sample's start, UTC
		"σ (contention)", "N* (peak concurrency)",
		"Save settings seen", "thread_counts=true", "comma (,)",
		r.Capacity.Statement[1:], // capitalised on the page
		"Multipart anomalies by kind</strong>: not drawn.", "To draw it next time, save",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, w := range r.AllWarnings() {
		if !strings.Contains(page, strings.ReplaceAll(w, "<", "&lt;")[:20]) {
			t.Errorf("warning %q not on the page", w)
		}
	}
}

func TestMarkdownEscapesAndLinksCharts(t *testing.T) {
	r := rampReport(t, xss+" | *bold* [link](http://x)")
	var b bytes.Buffer
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	// A backslash before "<" makes it text in CommonMark (GitHub, GitLab).
	if regexp.MustCompile(`(^|[^\\])<img`).MatchString(md) || regexp.MustCompile(`[^\\]\]\(http`).MatchString(md) {
		t.Errorf("input markup is live in the Markdown:\n%s", md)
	}
	for _, f := range r.Figures {
		link := "](charts/" + f.Name + ".png)"
		if (f.Chart != nil) != strings.Contains(md, link) {
			t.Errorf("%s: drawn %v, linked %v", f.Name, f.Chart != nil, strings.Contains(md, link))
		}
	}
	if !strings.Contains(md, "## Capacity") || !strings.Contains(md, "| σ (contention)") {
		t.Error("no capacity section")
	}
}

func TestInlineSVG(t *testing.T) {
	in := `<?xml version="1.0"?>
<!-- Generated by SVGo -->
<svg width="453.54pt" height="255.12pt" viewBox="0 0 453.54 255.12"
	xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="c1"/></defs><g clip-path="url(#c1)"><text>a &lt; b</text></g></svg>`
	got, err := inlineSVG([]byte(in), "throughput", "Throughput")
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.HasPrefix(s, `<svg class="chart" role="img" aria-label="Throughput" viewBox="0 0 453.54 255.12"`) {
		t.Errorf("opening tag: %.120s", s)
	}
	if !strings.Contains(s, `id="throughput-c1"`) || !strings.Contains(s, `url(#throughput-c1)`) {
		t.Errorf("ids not made unique: %s", s)
	}
	for _, bad := range []string{`<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>`, `<svg viewBox="0 0 1 1"><g onload="alert(1)"/></svg>`, `<svg viewBox="0 0 1 1"><foreignObject/></svg>`} {
		if _, err := inlineSVG([]byte(bad), "x", "x"); err == nil {
			t.Errorf("inlined active content: %s", bad)
		}
	}
}

func figure(r *CapacityReport, name string) chartFigure {
	for _, f := range r.Figures {
		if f.Name == name {
			return f
		}
	}
	return chartFigure{}
}

func figureNames(r *CapacityReport) []string {
	var out []string
	for _, f := range r.Figures {
		state := "drawn"
		if f.Chart == nil {
			state = "missing"
		}
		out = append(out, f.Name+":"+state)
	}
	return out
}

type chartFigure = chart.Figure

func mustJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// BenchmarkWriteReportDir measures the output side alone: drawing the
// charts (PNG and SVG) and writing every file, for an 80 s ramp.
func BenchmarkWriteReportDir(b *testing.B) {
	r := rampReport(b, "upload")
	dir := filepath.Join(b.TempDir(), "r")
	b.ReportAllocs()
	for b.Loop() {
		r.Figures = nil
		if err := WriteReportDir(dir, r, false); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimitlessFitHasNoInfinitePeak(t *testing.T) {
	for _, sigma := range []float64{0, 0.05} {
		u := &capacity.USL{Sigma: sigma, Lambda: 4, Limitless: true, NStar: math.Inf(1), XMax: math.Inf(1)}
		if sigma > 0 {
			u.XMax = 4 / sigma
		}
		r := &CapacityReport{Capacity: capacity.Result{Metric: "threads", USL: u, USLFrom: "ramp levels"}}
		text := strings.Join(r.keyFindings(), " ")
		var b bytes.Buffer
		if err := table.Write(&b, USLTable(r.Capacity), table.Text); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text+b.String(), "∞") || !strings.Contains(text, "Test at higher concurrency") {
			t.Errorf("σ=%v: %s\n%s", sigma, text, b.String())
		}
		if sigma > 0 && !strings.Contains(text, "80/s") {
			t.Errorf("σ=%v: the asymptote λ/σ = 80/s is not stated: %s", sigma, text)
		}
	}
}
