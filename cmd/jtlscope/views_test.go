package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// dashboardViews are the charts of JMeter's dashboard the report draws,
// with the axis titles (units included) their SVG must show and the
// series their data must hold (a prefix; "*" for any).
var dashboardViews = []struct {
	name   string
	axes   []string
	series []string
}{
	{"apdex", []string{"APDEX (T = 500 ms, F = 1500 ms)"}, []string{"APDEX"}},
	{"percentiles", []string{"percentile", "response time (ms)"}, []string{"all samples"}},
	{"distribution", []string{"response time (ms, bins of", "samples per bin"}, []string{"all samples"}},
	{"tps-by-label", []string{"time since the first request", "transactions per second"}, []string{"*"}},
	{"bytes", []string{"KiB per second"}, []string{"received"}},
	{"latency-connect", []string{"mean time (ms)"}, []string{"response time", "latency (first byte)"}},
	{"rt-vs-rps", []string{"requests started per second (all labels)", "median response time (ms)"}, []string{"window, mostly"}},
}

// TestDashboardViewsOnRealRuns reports on every shared JMeter run and on
// a public HAR, and checks each of JMeter's dashboard views: drawn, with
// its axes and units, and data that agrees with the summary computed
// apart (percentiles, APDEX counts, errors, transactions per label).
func TestDashboardViewsOnRealRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("reads about 20 MB")
	}
	var inputs []string
	for _, run := range samplestest.Glob(t, "jmeter/*") {
		inputs = append(inputs, filepath.Join(run, "results.csv"))
	}
	if len(inputs) == 0 {
		t.Skip("skipped, no real data: the shared JMeter runs are absent")
	}
	// The runs bundled with the repository (m4 to m9, gzipped), a HAR a
	// browser recorded against the same mock API, and a public HAR.
	bundledRuns, _ := filepath.Glob("../../samples/testdata/jmeter/m*/results.csv.gz")
	inputs = append(inputs, bundledRuns...)
	inputs = append(inputs, "../../samples/testdata/jmeter/m10-clean-har/capture.har.gz",
		"../../samples/testdata/public/har/Blazemeter__taurus__tests__har__demo1.har")
	for _, in := range inputs {
		t.Run(filepath.Base(filepath.Dir(in))+"/"+filepath.Base(in), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "r")
			if _, errOut, code := jtlscope(t, "", "report", in, "-o", dir); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, v := range dashboardViews {
				svg, err := os.ReadFile(filepath.Join(dir, "charts", v.name+".svg"))
				if err != nil {
					t.Errorf("%s: %v", v.name, err)
					continue
				}
				if _, err := os.Stat(filepath.Join(dir, "charts", v.name+".png")); err != nil {
					t.Error(err)
				}
				for _, a := range v.axes {
					if !strings.Contains(string(svg), a) {
						t.Errorf("%s: no axis title %q", v.name, a)
					}
				}
				data := readChartCSV(t, dir, v.name)
				for _, s := range v.series {
					if s == "*" && len(data) == 0 || s != "*" && seriesWithPrefix(data, s) == nil {
						t.Errorf("%s: no series %q in %v", v.name, s, keys(data))
					}
				}
			}
			checkJobSummaryMarkdown(t, dir)
			var sum struct {
				Samples, Errors int64
				Total           struct {
					MinMS float64 `json:"min_ms"`
					MaxMS float64 `json:"max_ms"`
					P50MS float64 `json:"p50_ms"`
					P90MS float64 `json:"p90_ms"`
					P99MS float64 `json:"p99_ms"`
				} `json:"total"`
				Labels []struct {
					Label       string
					Transaction bool
					Samples     int64
				}
			}
			mustReadJSON(t, filepath.Join(dir, "summary.json"), &sum)
			// The curve is the summary's percentiles (both exact here).
			curve := readChartCSV(t, dir, "percentiles")["all samples"]
			at := func(p int) float64 { return parse(t, curve[p][4]) }
			for _, c := range []struct {
				p    int
				want float64
			}{{0, sum.Total.MinMS}, {50, sum.Total.P50MS}, {90, sum.Total.P90MS}, {99, sum.Total.P99MS}, {100, sum.Total.MaxMS}} {
				if got := at(c.p); math.Abs(got-c.want) > 0.001 {
					t.Errorf("percentile curve at p%d: %v, the summary says %v", c.p, got, c.want)
				}
			}
			// APDEX rates every sample of the total; errors count its failures.
			apdex := readCSV(t, filepath.Join(dir, "tables", "apdex-per-label.csv"))
			tot := apdex[len(apdex)-1]
			if tot[0] != "TOTAL" || parse(t, tot[2]) != float64(sum.Samples) ||
				parse(t, tot[3])+parse(t, tot[4])+parse(t, tot[5]) != float64(sum.Samples) {
				t.Errorf("APDEX total row %v, %d samples", tot, sum.Samples)
			}
			var errs float64
			for _, r := range readCSV(t, filepath.Join(dir, "tables", "errors.csv"))[1:] {
				errs += parse(t, r[1])
			}
			if errs != float64(sum.Errors) {
				t.Errorf("the errors table counts %v, the summary %d", errs, sum.Errors)
			}
			// Transactions per second, times the window, add up to each
			// drawn label's requests.
			tl := readCSV(t, filepath.Join(dir, "tables", "timeline.csv"))
			width := 1.0
			if len(tl) > 2 {
				width = parse(t, tl[2][0]) - parse(t, tl[1][0])
			}
			tps := readChartCSV(t, dir, "tps-by-label")
			for _, l := range sum.Labels {
				if l.Transaction {
					continue
				}
				name := l.Label
				if len(name) > 40 {
					continue // cut for the legend
				}
				ok, failed := tps[name+" (ok)"], tps[name+" (failed)"]
				if ok == nil {
					continue // not among the busiest
				}
				var n float64
				for _, r := range append(ok, failed...) {
					n += parse(t, r[4]) * width
				}
				if math.Abs(n-float64(l.Samples)) > 0.5 {
					t.Errorf("tps-by-label %q adds up to %v requests, the summary has %d", name, n, l.Samples)
				}
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		rows = append(rows, strings.Split(line, ","))
	}
	return rows
}

// checkJobSummaryMarkdown checks that report.md renders as GitHub and
// GitLab render a job summary: images linked relative to the report
// directory (and there), tables with as many cells in every row as in
// their header, no raw HTML.
func checkJobSummaryMarkdown(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	images := regexp.MustCompile(`!\[[^\]]*\]\(([^)]*)\)`).FindAllStringSubmatch(md, -1)
	if len(images) < 10 {
		t.Errorf("report.md links %d images", len(images))
	}
	for _, m := range images {
		if !strings.HasPrefix(m[1], "charts/") || !strings.HasSuffix(m[1], ".png") {
			t.Errorf("image link %q is not relative to the report", m[1])
		} else if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("image link %q: %v", m[1], err)
		}
	}
	if m := regexp.MustCompile(`(^|[^\\])<[a-zA-Z/!]`).FindString(md); m != "" {
		t.Errorf("raw HTML in report.md: %q", m)
	}
	cells := func(line string) int {
		return len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1))
	}
	want := 0
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		if want == 0 {
			want = cells(line)
		} else if got := cells(line); got != want {
			t.Errorf("report.md line %d has %d cell separators, its table %d: %q", i+1, got, want, line)
		}
	}
}
