package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/multipart"
	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/analyze/timeline"
)

// withCause is a diagnosis holding one finding.
func withCause(failures int64, f diagnose.Finding) diagnose.Result {
	return diagnose.Result{Failures: failures, Criterion: "4xx", Causes: []diagnose.Finding{f}}
}

func concurrencyFinding() diagnose.Finding {
	ev := &diagnose.ConcurrencyEvidence{
		Metric: "threads",
		Onset:  &diagnose.Onset{Metric: "threads", Value: 55.3, Low: 50.6, High: 56.7},
		Levels: []diagnose.LevelRate{
			{From: 0, To: 9, Requests: 66, Rate: 0, Low: 0, High: 0.055},
			{From: 10, To: 19, Requests: 211, Rate: 0, Low: 0, High: 0.018},
			{From: 50, To: 59, Requests: 774, Failures: 28, Rate: 0.036, Low: 0.025, High: 0.052},
			{From: 60, To: 69, Requests: 918, Failures: 692, Rate: 0.754, Low: 0.725, High: 0.781},
		},
		RateBelow: 0.006, RateAbove: 0.872,
	}
	return diagnose.Finding{Cause: "concurrency", Verdict: diagnose.Likely, Evidence: ev}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestFailureRateDrawsBandsIntervalsAndOnset(t *testing.T) {
	c, err := FailureRate(withCause(720, concurrencyFinding()))
	if err != nil {
		t.Fatal(err)
	}
	pts := c.Find("failure rate")
	if pts == nil || pts.Kind != Points {
		t.Fatalf("no failure-rate points: %+v", c.Series)
	}
	// One point per band, at its middle, in percent.
	wantX := []float64{4.5, 14.5, 54.5, 64.5}
	wantY := []float64{0, 0, 3.6, 75.4}
	for i := range wantX {
		if !near(pts.X[i], wantX[i]) || math.Abs(pts.Y[i]-wantY[i]) > 1e-6 {
			t.Errorf("point %d = (%v, %v), want (%v, %v)", i, pts.X[i], pts.Y[i], wantX[i], wantY[i])
		}
	}
	var bars, onset, band *Series
	for i := range c.Series {
		switch s := &c.Series[i]; s.Kind {
		case ErrorBars:
			bars = s
		case VLine:
			onset = s
		case VBand:
			band = s
		}
	}
	if bars == nil || math.Abs(bars.Lo[3]-72.5) > 1e-6 || math.Abs(bars.Hi[3]-78.1) > 1e-6 || math.Abs(bars.Hi[0]-5.5) > 1e-6 {
		t.Errorf("intervals %+v, want 72.5–78.1%% at 60–69 and up to 5.5%% at 0–9", bars)
	}
	if onset == nil || onset.X[0] != 55.3 || !strings.Contains(onset.Name, "55 threads") {
		t.Errorf("onset line %+v, want at 55.3 named with 55 threads", onset)
	}
	if band == nil || band.Lo[0] != 50.6 || band.Hi[0] != 56.7 {
		t.Errorf("onset band %+v, want 50.6–56.7", band)
	}
	if c.Plot.Y.Min != 0 || c.Plot.Y.Max != 100 {
		t.Errorf("y axis %v–%v, want 0–100%%", c.Plot.Y.Min, c.Plot.Y.Max)
	}
	if !strings.Contains(c.Plot.Y.Label.Text, "(%)") || !strings.Contains(c.Plot.X.Label.Text, "threads") {
		t.Errorf("axis labels %q / %q lack units", c.Plot.X.Label.Text, c.Plot.Y.Label.Text)
	}
	if !strings.Contains(c.Note, "55 threads (95% CI 51–57") {
		t.Errorf("note %q does not state the onset", c.Note)
	}
}

func TestFailureRateNoData(t *testing.T) {
	f := concurrencyFinding()
	if _, err := FailureRate(withCause(0, f)); !isNoData(err) {
		t.Errorf("no failures: err %v, want NoData", err)
	}
	one := diagnose.Finding{Cause: "concurrency", Verdict: diagnose.NotAssessable,
		Summary: "The run held one concurrency level.", Missing: "a ramp or several load steps",
		Evidence: &diagnose.ConcurrencyEvidence{Metric: "threads", Levels: []diagnose.LevelRate{{From: 10, To: 10}}}}
	_, err := FailureRate(withCause(5, one))
	var nd *NoData
	// The report writes "not drawn. <Why>. To draw it next time, save
	// <Record>.": the cause's own sentence loses its period.
	if !errors.As(err, &nd) || nd.Record != one.Missing || nd.Why != "The run held one concurrency level" {
		t.Errorf("one level: %v, want NoData saying what to record", err)
	}
}

func isNoData(err error) bool {
	var nd *NoData
	return errors.As(err, &nd)
}

// uslLevels measures goodput exactly on a USL curve at levels 1..40.
func uslLevels(sigma, kappa, lambda float64, upTo int) capacity.Result {
	u := capacity.USL{Sigma: sigma, Kappa: kappa, Lambda: lambda}
	var r capacity.Result
	r.Metric = "threads"
	var pts []capacity.Point
	for n := 1; n <= upTo; n++ {
		x := u.Throughput(float64(n))
		r.Levels = append(r.Levels, capacity.LevelStats{N: n, Requests: 100, TimeS: 10, Goodput: x, Throughput: x * 1.1, P50MS: float64(n), P95MS: 2 * float64(n)})
		pts = append(pts, capacity.Point{N: float64(n), X: x})
	}
	fit, err := capacity.FitUSL(pts)
	if err != nil {
		panic(err)
	}
	r.USL, r.USLFrom = fit, "ramp levels"
	return r
}

func TestThroughputDrawsGoodputAndUSL(t *testing.T) {
	r := uslLevels(0.05, 0.002, 40, 40)
	r.Levels = append(r.Levels, capacity.LevelStats{N: 45, Requests: 10, TimeS: 2, Goodput: 1, RampDown: true})
	r.Knee = &capacity.Knee{Found: true, X: 12, Y: 300}
	c, err := Throughput(r)
	if err != nil {
		t.Fatal(err)
	}
	good := c.Find("goodput (fitted)")
	if good == nil || len(good.X) != 40 || good.Y[9] != r.Levels[9].Goodput {
		t.Fatalf("goodput series %+v", good)
	}
	if down := c.Find("ramp-down (not fitted)"); down == nil || len(down.X) != 1 || down.X[0] != 45 {
		t.Errorf("ramp-down level not set apart: %+v", down)
	}
	var curve *Series
	for i := range c.Series {
		if strings.HasPrefix(c.Series[i].Name, "USL fit") {
			curve = &c.Series[i]
		}
	}
	if curve == nil || curve.Kind != Line {
		t.Fatalf("no USL curve in %+v", names(c))
	}
	for i, n := range curve.X {
		if want := r.USL.Throughput(n); math.Abs(curve.Y[i]-want) > 1e-9 {
			t.Fatalf("USL curve at %v = %v, want %v", n, curve.Y[i], want)
		}
	}
	// The data reach N* (√(0.95/0.002) ≈ 21.8), so the peak is drawn.
	var peak, knee *Series
	for i := range c.Series {
		s := &c.Series[i]
		if s.Kind == VLine && strings.HasPrefix(s.Name, "N*") {
			peak = s
		}
		if s.Kind == VLine && strings.HasPrefix(s.Name, "knee") {
			knee = s
		}
	}
	if peak == nil || math.Abs(peak.X[0]-math.Sqrt(0.95/0.002)) > 0.5 {
		t.Errorf("N* line %+v, want near 21.8", peak)
	}
	if knee == nil || knee.X[0] != 12 {
		t.Errorf("knee line %+v, want at 12", knee)
	}
	if !strings.Contains(c.Plot.Y.Label.Text, "per second") {
		t.Errorf("y label %q has no unit", c.Plot.Y.Label.Text)
	}
}

func TestThroughputWithoutFitSaysWhy(t *testing.T) {
	r := capacity.Result{Metric: "in_flight", USLError: "fewer than 3 concurrency levels with throughput: nothing to fit",
		Levels: []capacity.LevelStats{{N: 1, TimeS: 5, Goodput: 3}, {N: 2, TimeS: 5, Goodput: 5}}}
	c, err := Throughput(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Series {
		if s.Kind == Line || s.Kind == VLine {
			t.Errorf("drew %q without a fit", s.Name)
		}
	}
	if !strings.Contains(c.Note, "fewer than 3 concurrency levels") || !strings.Contains(c.Plot.X.Label.Text, "in flight") {
		t.Errorf("note %q, x label %q", c.Note, c.Plot.X.Label.Text)
	}
	if _, err := Throughput(capacity.Result{}); !isNoData(err) {
		t.Errorf("no levels: %v, want NoData", err)
	}
}

func TestThroughputFarPeakIsNotDrawn(t *testing.T) {
	r := uslLevels(0.01, 0.00001, 10, 20) // N* ≈ 315, far beyond 20
	c, err := Throughput(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Series {
		if s.Kind == VLine {
			t.Errorf("drew %q at %v, beyond twice the tested range", s.Name, s.X)
		}
	}
	if !strings.Contains(c.Note, "beyond twice the tested range") {
		t.Errorf("note %q does not say why N* is missing", c.Note)
	}
}

func TestLatencyByLevelMarksSLAAndSustainable(t *testing.T) {
	r := uslLevels(0.05, 0.002, 40, 10)
	sustainable := 7
	r.Sustainable = &sustainable
	r.Statement = "sustainable: 7 threads at p95 ≤ 14 ms"
	crit, err := sla.Parse("p95=14ms,errors=1%")
	if err != nil {
		t.Fatal(err)
	}
	c, err := LatencyByLevel(r, crit, "")
	if err != nil {
		t.Fatal(err)
	}
	p95 := c.Find("p95")
	if p95 == nil || len(p95.X) != 10 || p95.Y[6] != 14 {
		t.Fatalf("p95 series %+v", p95)
	}
	var limit, sus *Series
	for i := range c.Series {
		switch s := &c.Series[i]; s.Kind {
		case HLine:
			limit = s
		case VLine:
			sus = s
		}
	}
	if limit == nil || limit.Y[0] != 14 || !strings.Contains(limit.Name, "p95 ≤ 14 ms") {
		t.Errorf("SLA line %+v", limit)
	}
	if sus == nil || sus.X[0] != 7 {
		t.Errorf("sustainable line %+v", sus)
	}
	if !strings.Contains(c.Plot.Y.Label.Text, "(ms)") {
		t.Errorf("y label %q", c.Plot.Y.Label.Text)
	}
}

func series(widthS float64, n int, threads bool) timeline.Series {
	s := timeline.Series{Start: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), WidthS: widthS, Codes: []string{"200", "Non HTTP response code: java.net.SocketException"}, HasThreads: threads}
	for i := range n {
		p := timeline.Point{T: float64(i) * widthS, Requests: 10, Codes: []int64{8, 2}, InFlight: 3, P50MS: 100, P95MS: 300}
		if threads {
			p.MeanThreads = float64(i + 1)
		}
		s.Points = append(s.Points, p)
	}
	return s
}

func TestOverTimeSeries(t *testing.T) {
	s := series(2, 30, true)
	c, err := Threads(s)
	if err != nil {
		t.Fatal(err)
	}
	th := c.Find("active threads (JMeter)")
	if th == nil || th.X[0] != 1 || th.X[29] != 59 || th.Y[29] != 30 {
		t.Fatalf("threads series %+v: want window middles 1..59 s and 1..30 threads", th)
	}
	if c.Find("requests in flight (measured)") == nil {
		t.Error("no in-flight series")
	}
	if !strings.HasSuffix(c.Plot.X.Label.Text, "(s)") {
		t.Errorf("x label %q", c.Plot.X.Label.Text)
	}

	codes, err := Codes(s)
	if err != nil {
		t.Fatal(err)
	}
	ok := codes.Find("200")
	if ok == nil || ok.Y[0] != 4 { // 8 responses in a 2 s window
		t.Errorf("200 series %+v, want 4/s", ok)
	}
	if len(codes.Series) != 2 || len([]rune(codes.Series[1].Name)) > maxText {
		t.Errorf("code series %v: a long code must be shortened", names(codes))
	}

	noThreads, err := Threads(series(2, 30, false))
	if err != nil {
		t.Fatal(err)
	}
	if noThreads.Find("active threads (JMeter)") != nil || !strings.Contains(noThreads.Note, "no thread counts") {
		t.Errorf("without thread counts: series %v, note %q", names(noThreads), noThreads.Note)
	}

	long := series(60, 120, true) // two hours: minutes on the axis
	lc, err := LatencyOverTime(long, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(lc.Plot.X.Label.Text, "(min)") || lc.Find("p95").X[1] != 1.5 {
		t.Errorf("two-hour run: x label %q, second window at %v min", lc.Plot.X.Label.Text, lc.Find("p95").X[1])
	}
	if _, err := Threads(timeline.Series{}); !isNoData(err) {
		t.Errorf("no windows: %v, want NoData", err)
	}
}

func TestTokenAgeStacksOutcomesAndPlacesOnset(t *testing.T) {
	ev := &diagnose.TokenEvidence{
		Onset: &diagnose.Onset{Metric: "token_age_s", Value: 39.1, Low: 32, High: 44},
		Bands: []diagnose.AgeBand{
			{FromS: 0, ToS: 10, Requests: 300}, {FromS: 10, ToS: 20, Requests: 428},
			{FromS: 20, ToS: 30, Requests: 430}, {FromS: 30, ToS: 40, Requests: 430},
			{FromS: 40, ToS: 50, Requests: 489, Failures: 468},
		},
	}
	c, err := TokenAge(withCause(468, diagnose.Finding{Cause: "token-age", Verdict: diagnose.Likely, Evidence: ev}))
	if err != nil {
		t.Fatal(err)
	}
	ok, failed := c.Find("succeeded"), c.Find("failed")
	if ok == nil || failed == nil || ok.Y[4] != 21 || failed.Y[4] != 468 || failed.Lo[4] != 21 || failed.Hi[4] != 489 {
		t.Fatalf("bars: ok %+v failed %+v", ok, failed)
	}
	var line *Series
	for i := range c.Series {
		if c.Series[i].Kind == VLine {
			line = &c.Series[i]
		}
	}
	// 39.1 s is 91% into the fourth band (index 3, spanning 2.5–3.5).
	if line == nil || math.Abs(line.X[0]-3.41) > 1e-9 {
		t.Errorf("onset line %+v, want at 3.41", line)
	}
	if c.Categories[4] != "40–50" {
		t.Errorf("categories %v", c.Categories)
	}
	csv := diagnose.Finding{Cause: "token-age", Verdict: diagnose.NotAssessable, Summary: "Request headers were not saved", Missing: "request headers", Evidence: &diagnose.TokenEvidence{}}
	var nd *NoData
	if _, err := TokenAge(withCause(3, csv)); !errors.As(err, &nd) || nd.Record != "request headers" {
		t.Errorf("no ages: %v", err)
	}
}

func TestDuplicateIDsOverTime(t *testing.T) {
	ev := &diagnose.DuplicateIDEvidence{Endpoint: "upload", Location: "var:recId",
		OverTime: []diagnose.ReusePoint{{T: 0, Requests: 70, Reused: 30, ReusedFailed: 30}, {T: 5, Requests: 122, Reused: 122, ReusedFailed: 122}, {T: 15, Requests: 110, Reused: 110, ReusedFailed: 100}}}
	c, err := DuplicateIDs(withCause(252, diagnose.Finding{Cause: "duplicate-id", Verdict: diagnose.Likely, Evidence: ev}))
	if err != nil {
		t.Fatal(err)
	}
	reused := c.Find("reused an ID")
	if reused == nil || reused.X[2] != 17.5 || reused.Y[1] != 122 {
		t.Errorf("reused series %+v, want windows of 5 s centred at 2.5, 7.5, 17.5", reused)
	}
	if !strings.Contains(c.Plot.Y.Label.Text, "5 s window") {
		t.Errorf("y label %q", c.Plot.Y.Label.Text)
	}
	none := diagnose.Finding{Cause: "duplicate-id", Verdict: diagnose.Unlikely, Summary: "IDs were never reused.", Evidence: &diagnose.DuplicateIDEvidence{}}
	var nd *NoData
	if _, err := DuplicateIDs(withCause(3, none)); !errors.As(err, &nd) || nd.Record != "" {
		t.Errorf("no reuse: %v, want NoData with nothing to record", err)
	}
}

func TestMultipart(t *testing.T) {
	ev := &diagnose.MultipartEvidence{Checks: multipart.Result{Multipart: 10, Checked: 10, Anomalies: []multipart.KindSummary{
		{Kind: multipart.BoundaryMismatch, Severity: multipart.BoundaryMismatch.Severity(), Requests: 4, BadRequests: 4},
		{Kind: multipart.LFOnly, Severity: multipart.LFOnly.Severity(), Requests: 6, BadRequests: 1},
	}}}
	c, err := Multipart(withCause(5, diagnose.Finding{Cause: "multipart-boundary", Evidence: ev}))
	if err != nil {
		t.Fatal(err)
	}
	// The first kind is drawn on top: the last category.
	if c.Categories[1] != string(multipart.BoundaryMismatch)+" (error)" || c.Find("of which answered 400").Y[1] != 4 || c.Find("requests with the anomaly").Y[0] != 6 {
		t.Errorf("categories %v, series %+v", c.Categories, c.Series)
	}
	csv := diagnose.Finding{Cause: "multipart-boundary", Verdict: diagnose.NotAssessable, Summary: "Request headers and bodies were not saved.", Missing: "request headers and bodies", Evidence: &diagnose.MultipartEvidence{}}
	var nd *NoData
	if _, err := Multipart(withCause(5, csv)); !errors.As(err, &nd) || nd.Record == "" {
		t.Errorf("CSV: %v, want NoData saying what to record", err)
	}
}

const xss = `<img src=x onerror=alert(1)>`

func TestFailuresSplitsCodesAndEscapesLabels(t *testing.T) {
	s := summary.Result{Labels: []summary.Row{
		{Label: "upload", Samples: 17, Errors: 9, Codes: map[string]int64{"200": 10, "400": 5, "500": 2}},
		{Label: xss, Samples: 3, Errors: 3, Codes: map[string]int64{"Non HTTP response code: java.net.SocketTimeoutException": 3}},
		{Label: "checkout TC", Transaction: true, Samples: 4, Errors: 4, Codes: map[string]int64{"": 4}},
		{Label: "fine", Samples: 5, Codes: map[string]int64{"200": 5}},
	}}
	c, err := Failures(s)
	if err != nil {
		t.Fatal(err)
	}
	// Largest on top, so "upload" is the last category.
	if len(c.Categories) != 2 || c.Categories[1] != "upload" {
		t.Fatalf("categories %q: the transaction and the label without failures must be left out", c.Categories)
	}
	total := map[string]float64{}
	for _, sr := range c.Series {
		total[sr.Name] += sr.Y[1]
	}
	if total["400"] != 5 || total["500"] != 2 || total[assertionCode] != 2 {
		t.Errorf("upload's failures by code %v, want 400:5 500:2 and 2 failed assertions", total)
	}
	var svg bytes.Buffer
	if err := c.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(svg.String(), "<img") || !strings.Contains(svg.String(), "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the label is not escaped in the SVG")
	}
	if _, err := Failures(summary.Result{Labels: []summary.Row{{Label: "fine", Samples: 5}}}); !isNoData(err) {
		t.Errorf("no failures: %v", err)
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []string
	}{
		{0, 95, []string{"0", "20", "40", "60", "80"}},
		{0, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{0, 3594, []string{"0", "1000", "2000", "3000"}},
		{0, 250000, []string{"0", "50,000", "100,000", "150,000", "200,000", "250,000"}},
		{0, 0.7, []string{"0.0", "0.2", "0.4", "0.6"}}, // 0.7/6 rounds up to a step of 0.2
		{-0.5, 9.5, []string{"0", "2", "4", "6", "8"}},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range (niceTicks{n: 6}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ticks %v–%v = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	if ts := (niceTicks{n: 6}).Ticks(3, 3); len(ts) != 1 {
		t.Errorf("empty range: %v", ts)
	}
}

func TestRenderPNGAndSVG(t *testing.T) {
	c, err := FailureRate(withCause(720, concurrencyFinding()))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WritePNG(&b); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	// 16 cm × 9 cm at 150 dpi.
	if sz := img.Bounds().Size(); sz.X != 945 || sz.Y != 531 {
		t.Errorf("PNG is %v, want 945×531", sz)
	}
	b.Reset()
	if err := c.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{`viewBox="0 0 453.54 255.12"`, ">Failure rate against concurrency<", ">failure rate (%)<", ">onset 55 threads<"} {
		if !strings.Contains(text, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
	dec := xml.NewDecoder(&b)
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
	}
}

// TestGapsAndNaN: windows without data leave gaps, never NaN in a plot.
func TestGapsAndNaN(t *testing.T) {
	s := series(1, 10, true)
	s.Points[4].Requests = 0
	s.Points[5].P95MS = math.NaN()
	c, err := LatencyOverTime(s, "")
	if err != nil {
		t.Fatal(err)
	}
	p95 := c.Find("p95")
	if len(p95.X) != 8 {
		t.Errorf("p95 has %d points, want 8 (one empty window, one NaN)", len(p95.X))
	}
	for _, v := range p95.Y {
		if math.IsNaN(v) {
			t.Fatal("NaN reached the plot")
		}
	}
	if err := c.WritePNG(io.Discard); err != nil {
		t.Fatal(err)
	}
}

// TestAllWithoutData: every chart says why it is missing, none fails.
func TestAllWithoutData(t *testing.T) {
	figs := All(Data{})
	if len(figs) != len(figures) || len(figs) != 17 {
		t.Fatalf("%d figures, want 17", len(figs))
	}
	for _, f := range figs {
		if f.Chart != nil || f.Err != nil || f.Missing == nil || f.Missing.Why == "" {
			t.Errorf("%s: chart %v err %v missing %+v", f.Name, f.Chart != nil, f.Err, f.Missing)
		}
	}
}

func TestFinishEndsAxesOnATick(t *testing.T) {
	c := newChart("t", "t", "x", "y")
	if err := c.line("a", []float64{0, 10}, []float64{0, 3594}, Blue, nil, 1); err != nil {
		t.Fatal(err)
	}
	c.finish()
	if c.Plot.Y.Max != 4000 || c.Plot.X.Max != 12 {
		t.Errorf("axes end at x %v, y %v; want 12 and 4000", c.Plot.X.Max, c.Plot.Y.Max)
	}
	var _ plot.Ticker = niceTicks{}
}

func names(c *Chart) []string {
	var out []string
	for _, s := range c.Series {
		out = append(out, s.Name)
	}
	return out
}

func TestCauseNoDataReadsAsOneSentence(t *testing.T) {
	nd := causeNoData("No IDs were saved. ", "save the ID as a sample variable.")
	if nd.Why != "No IDs were saved" || nd.Record != "the ID as a sample variable" {
		t.Errorf("%+v", nd)
	}
}

// TestThroughputLegendNamesNoFitThatIsNotThere: without a USL fit (too
// few levels, or one that explained nothing) the goodput points are
// goodput per level, not "goodput (fitted)".
func TestThroughputLegendNamesNoFitThatIsNotThere(t *testing.T) {
	r := uslLevels(0.05, 0.002, 40, 40)
	r.USL, r.USLError = nil, "only 3 concurrency levels"
	c, err := Throughput(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Series {
		if strings.Contains(s.Name, "fitted") {
			t.Errorf("series %q without a fit", s.Name)
		}
	}
	if c.Find("goodput per level") == nil {
		t.Errorf("no goodput series in %v", names(c))
	}
}

// TestCaptureAdviceNamesNoJMeterSetting: for a HAR the charts that cannot
// be drawn say what the capture needs, never a JMeter property, and a
// label seen at one level does not hide the run's own curve over the
// levels of requests in flight.
func TestCaptureAdviceNamesNoJMeterSetting(t *testing.T) {
	var d Data
	d.Capture = true
	d.Capacity.Metric = "in_flight"
	d.Capacity.Levels = []capacity.LevelStats{{N: 1, Requests: 5, P95MS: 10}}
	for _, f := range All(d) {
		if m := f.Missing; m != nil && (strings.Contains(m.Record, "jmeter") || strings.Contains(m.Record, "thread_counts")) {
			t.Errorf("%s: a capture is told to save %q", f.Name, m.Record)
		}
	}
	r := uslLevels(0.05, 0.002, 40, 7)
	r.Metric = "in_flight"
	r.ByLabel = []capacity.LabelLevels{{Label: "GET /x", Requests: 3, Levels: []capacity.LabelLevel{{N: 1, Requests: 3}}}}
	c, err := LatencyByLevel(r, nil, "GET /x")
	if err != nil || strings.HasPrefix(c.Title, "Response times of") {
		t.Errorf("a label at one level of seven: %v %v", c, err)
	}
}

// TestResponseVsRateFallsBackToEveryRequest: a label that came in one
// window has no curve of rate against response time; every request's
// median is drawn instead of none.
func TestResponseVsRateFallsBackToEveryRequest(t *testing.T) {
	s := timeline.Series{WidthS: 1, Points: []timeline.Point{{Requests: 3, P50MS: 10}, {Requests: 5, P50MS: 12}, {Requests: 8, P50MS: 20}},
		ByLabel: []timeline.LabelSeries{{Label: "GET /once", Requests: 1, Points: []timeline.LabelPoint{{Requests: 1, P50MS: 30}, {}, {}}}}}
	c, err := ResponseVsRate(s, "GET /once")
	if err != nil || strings.Contains(c.Title, "GET /once") {
		t.Errorf("%v %v", c, err)
	}
}
