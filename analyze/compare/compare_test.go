package compare

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/samples"
)

// run makes a synthetic run: n requests per second for secs seconds on
// label l, latencies lognormal around med ms, a share of failures.
func run(seed int64, l string, secs, perSec int, med float64, failShare float64) []samples.Sample {
	rng := rand.New(rand.NewSource(seed))
	var out []samples.Sample
	t0 := time.UnixMilli(1_700_000_000_000)
	for s := 0; s < secs; s++ {
		for i := 0; i < perSec; i++ {
			ms := med * math.Exp(0.3*rng.NormFloat64())
			out = append(out, samples.Sample{
				Label: l, Start: t0.Add(time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(perSec)),
				Elapsed: time.Duration(ms * float64(time.Millisecond)), Success: rng.Float64() >= failShare,
				Has: samples.FieldStart | samples.FieldElapsed | samples.FieldSuccess,
			})
		}
	}
	return out
}

func collect(ss []samples.Sample) *Collector {
	c := NewCollector(0)
	for i := range ss {
		c.Add(&ss[i])
	}
	return c
}

func TestSelfComparisonIsUnchanged(t *testing.T) {
	ss := run(1, "a", 120, 20, 100, 0.02)
	res := Compare(collect(ss), collect(ss), Options{Resamples: 199, Seed: 1})
	for _, r := range append(res.Rows, res.Total) {
		if r.Verdict != Unchanged {
			t.Fatalf("%s: verdict %s comparing a run with itself: %+v", r.Label, r.Verdict, r.Metrics)
		}
		for _, m := range r.Metrics {
			if m.Delta != 0 || m.CI == nil || !(m.CI.Lo <= 0 && m.CI.Hi >= 0) {
				t.Errorf("%s %s: delta %v CI %+v", r.Label, m.Name, m.Delta, m.CI)
			}
		}
	}
}

func TestDetectsARealRegressionNotNoise(t *testing.T) {
	base := collect(run(1, "a", 120, 20, 100, 0.01))
	same := collect(run(2, "a", 120, 20, 100, 0.01)) // another run, same system
	slow := collect(run(3, "a", 120, 20, 130, 0.10)) // 30% slower, 10% errors
	if r := Compare(base, same, Options{Resamples: 299, Seed: 1}); r.Rows[0].Metric("p95_ms").Verdict != Unchanged {
		t.Errorf("two runs of the same system: p95 %+v", r.Rows[0].Metric("p95_ms"))
	}
	r := Compare(base, slow, Options{Resamples: 299, Seed: 1})
	row := r.Rows[0]
	if row.Verdict != Worse || row.Metric("p95_ms").Verdict != Worse || row.Metric("error_pct").Verdict != Worse {
		t.Fatalf("regression not flagged: %+v", row)
	}
	if d := *row.Metric("p50_ms").DeltaPct; d < 20 || d > 40 {
		t.Errorf("p50 change %.1f%%, want about +30%%", d)
	}
}

// TestQuantileMatchesMaterialisedResample checks the counting trick
// against sorting the resample itself.
func TestQuantileMatchesMaterialisedResample(t *testing.T) {
	ss := run(5, "a", 30, 7, 50, 0)
	bl := collect(ss).labels["a"].freeze()
	rng := rand.New(rand.NewSource(9))
	for trial := 0; trial < 50; trial++ {
		mult := make([]int, len(bl.n))
		var all []float64
		var cnt int64
		for w := range mult {
			mult[w] = rng.Intn(3)
			for k := 0; k < mult[w]; k++ {
				for _, v := range bl.ms[w] {
					all = append(all, float64(v))
				}
			}
			cnt += int64(mult[w]) * bl.n[w]
		}
		if cnt == 0 {
			continue
		}
		slices.Sort(all)
		for _, p := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 0.999} {
			pos := p * float64(len(all)+1)
			var want float64
			switch {
			case pos < 1:
				want = all[0]
			case pos >= float64(len(all)):
				want = all[len(all)-1]
			default:
				lo := int(pos)
				want = all[lo-1] + (pos-float64(lo))*(all[lo]-all[lo-1])
			}
			if got := bl.quantile(mult, cnt, p); math.Abs(got-want) > 1e-9 {
				t.Fatalf("trial %d p%.3f: %v, want %v", trial, p, got, want)
			}
		}
	}
}

func TestFailOn(t *testing.T) {
	fs, err := ParseFailOn("p95=+10%,errors=+1pp,p99=+200ms,throughput=-5%,p50=+0.5s")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 5 || fs[0] != (FailOn{"p95_ms", 10, true}) || fs[1] != (FailOn{"error_pct", 1, false}) ||
		fs[2] != (FailOn{"p99_ms", 200, false}) || fs[3] != (FailOn{"throughput_per_s", 5, true}) || fs[4] != (FailOn{"p50_ms", 500, false}) {
		t.Fatalf("parsed %+v", fs)
	}
	for _, bad := range []string{"p95", "p42=+1%", "p95=fast", "errors=+1ms", "errors=+1%"} {
		if _, err := ParseFailOn(bad); err == nil {
			t.Errorf("ParseFailOn(%q): want an error", bad)
		}
	}
	base := collect(run(1, "a", 120, 20, 100, 0.01))
	slow := collect(run(3, "a", 120, 20, 130, 0.10))
	r := Compare(base, slow, Options{Resamples: 199, Seed: 1})
	if b := Breaches(r, fs[:2]); len(b) < 2 {
		t.Errorf("a 30%% slower run with 9pp more errors should breach p95 +10%% and errors +1pp: %v", b)
	}
	lax, _ := ParseFailOn("p95=+80%,errors=+50pp")
	if b := Breaches(r, lax); len(b) != 0 {
		t.Errorf("lax limits breached: %v", b)
	}
	// From a baseline of 0 a relative change is undefined: a significant
	// rise breaks any relative limit rather than passing silently.
	fromZero := Result{Total: Row{Label: "TOTAL", Metrics: []Metric{{Name: "p95_ms", Base: 0, New: 50, Delta: 50, Verdict: Worse}}}}
	huge, _ := ParseFailOn("p95=+1000%")
	if b := Breaches(fromZero, huge); len(b) != 1 || !strings.Contains(b[0], "from 0") {
		t.Errorf("a rise from 0: %v", b)
	}
}

// TestTooFewSamples: a label seen 4 times in one run and once in the
// other is not called better or worse on anything, however far apart its
// values; nor is a p99 from 50 samples, nor a run held in one window.
func TestTooFewSamples(t *testing.T) {
	base := append(run(1, "a", 120, 20, 100, 0.01), run(2, "rare", 4, 1, 100, 0)...)
	nw := append(run(3, "a", 120, 20, 300, 0.01), run(4, "rare", 1, 1, 900, 0)...)
	r := Compare(collect(base), collect(nw), Options{Resamples: 199, Seed: 1})
	var rare, a *Row
	for i := range r.Rows {
		switch r.Rows[i].Label {
		case "rare":
			rare = &r.Rows[i]
		case "a":
			a = &r.Rows[i]
		}
	}
	if rare == nil || a == nil {
		t.Fatalf("rows %+v", r.Rows)
	}
	if rare.Verdict != TooFew {
		t.Errorf("4 vs 1 samples: row verdict %q, want %q", rare.Verdict, TooFew)
	}
	for _, m := range rare.Metrics {
		if m.Verdict != TooFew || m.CI != nil {
			t.Errorf("4 vs 1 samples: %s verdict %q, CI %v", m.Name, m.Verdict, m.CI)
		}
	}
	if a.Verdict != Worse || a.Metric("p99_ms").Verdict != Worse {
		t.Errorf("2,400 samples three times slower: %+v", a)
	}

	// 50 samples a side over five windows: the median is compared, the
	// p99 (which needs 100) is not.
	mid0, mid1 := collect(run(5, "m", 50, 1, 100, 0)), collect(run(6, "m", 50, 1, 400, 0))
	row := Compare(mid0, mid1, Options{Resamples: 199, Seed: 1}).Rows[0]
	if v := row.Metric("p50_ms").Verdict; v != Worse {
		t.Errorf("50 vs 50 samples, 4× slower: p50 %q", v)
	}
	if v := row.Metric("p99_ms").Verdict; v != TooFew {
		t.Errorf("50 vs 50 samples: p99 %q, want %q", v, TooFew)
	}

	// 500 samples a side, all within one 10 s window: whole windows
	// cannot be resampled, so the rates are not compared; the error rate
	// and the percentiles are, sample by sample, and say so.
	one0, one1 := collect(run(7, "o", 5, 100, 100, 0)), collect(run(8, "o", 5, 100, 400, 0))
	for _, m := range Compare(one0, one1, Options{Resamples: 199, Seed: 1}).Rows[0].Metrics {
		switch {
		case lowerIsWorse(m.Name):
			if m.Verdict != TooFew || m.Why == "" {
				t.Errorf("one window a side: %s %q (%s)", m.Name, m.Verdict, m.Why)
			}
		case m.Method == "":
			t.Errorf("one window a side: %s compared without saying how", m.Name)
		}
	}
}

// TestShortRunIsComparedSampleBySample: a baseline that lasts 7 s (one
// 10 s window) with 101 samples and no errors, against a long run with
// half its requests failing and 5× the latency. The windows cannot be
// resampled, but the error rates are two proportions (Newcombe's
// interval) and the percentiles can be bootstrapped over single samples:
// both are worse; the rates are not compared, and a limit on them is
// reported as not evaluated rather than passed.
func TestShortRunIsComparedSampleBySample(t *testing.T) {
	base := run(1, "a", 7, 14, 100, 0)[:101]
	nw := run(2, "a", 120, 10, 500, 0.5)
	r := Compare(collect(base), collect(nw), Options{Resamples: 199, Seed: 1})
	tot := r.Total
	if m := tot.Metric("error_pct"); m.Verdict != Worse || m.Method != MethodNewcombe || m.CI == nil || m.CI.Lo < 30 {
		t.Errorf("0%% → 50%% errors: %+v", m)
	}
	if m := tot.Metric("p95_ms"); m.Verdict != Worse || m.Method != MethodSamples {
		t.Errorf("5× slower: %+v", m)
	}
	if m := tot.Metric("throughput_per_s"); m.Verdict != TooFew {
		t.Errorf("throughput of a 7 s run: %+v", m)
	}
	limits, _ := ParseFailOn("errors=+1pp,p95=+10%,throughput=-5%")
	if b := Breaches(r, limits); len(b) != 4 {
		t.Errorf("breaches %v, want errors and p95 of the label and the total", b)
	}
	if u := Unevaluated(r, limits); len(u) != 1 || !strings.Contains(u[0], "throughput") {
		t.Errorf("not evaluated: %v, want throughput", u)
	}
	// The same short run against another of the same system: no change
	// called from noise.
	same := Compare(collect(base), collect(run(3, "a", 7, 14, 100, 0)[:101]), Options{Resamples: 199, Seed: 1}).Total
	for _, m := range same.Metrics {
		if m.Verdict == Worse || m.Verdict == Better {
			t.Errorf("two short runs of one system: %s %s %+v", m.Name, m.Verdict, m.CI)
		}
	}
}

// TestThroughputIsSummarys: compare's throughput is summary's (samples
// over the label's first start to last end), not samples over whole
// windows; goodput leaves the failures out.
func TestThroughputIsSummarys(t *testing.T) {
	ss := append(run(1, "a", 37, 13, 100, 0.25), run(2, "b", 3, 4, 50, 0)...)
	// A transaction whose samplers are nested in it (XML, "Generate parent
	// sample"): its own row, and its samplers counted as requests.
	for i, c := range run(3, "c", 20, 2, 30, 0.1) {
		tx := c
		tx.Label, tx.Kind, tx.Elapsed = "tx", samples.KindTransaction, 2*c.Elapsed
		c2 := c
		c2.Start = c.Start.Add(c.Elapsed)
		tx.Children = []samples.Sample{c, c2}
		if i%2 == 0 {
			ss = append(ss, tx)
		}
	}
	r := Compare(collect(ss), collect(ss), Options{Resamples: 99, Seed: 1})
	sm := summary.New(summary.Options{})
	for i := range ss {
		sm.Add(&ss[i])
	}
	want := map[string]summary.Row{}
	res := sm.Result()
	for _, l := range append(res.Labels, res.Total) {
		want[l.Label] = l
	}
	if len(r.Rows) != 4 || len(want) != 5 {
		t.Fatalf("rows %d, summary's %d", len(r.Rows), len(want))
	}
	for _, row := range append(r.Rows, r.Total) {
		w := want[row.Label]
		if got := row.Metric("throughput_per_s").Base; math.Abs(got-w.ThroughputPerS) > 0.002 {
			t.Errorf("%s: throughput %v, summary says %v", row.Label, got, w.ThroughputPerS)
		}
		good := w.ThroughputPerS * float64(w.Samples-w.Errors) / float64(w.Samples)
		if got := row.Metric("goodput_per_s").Base; math.Abs(got-good) > 0.002 {
			t.Errorf("%s: goodput %v, want %v", row.Label, got, good)
		}
		if row.BaseSamples != w.Samples {
			t.Errorf("%s: %d samples, summary says %d", row.Label, row.BaseSamples, w.Samples)
		}
	}
}

// TestGoodputFallsAsFailuresRise: twice the requests with 70% failing is
// more throughput and less goodput; the row is worse, not better.
func TestGoodputFallsAsFailuresRise(t *testing.T) {
	base := collect(run(1, "a", 120, 10, 100, 0))
	busy := collect(run(2, "a", 120, 20, 100, 0.7))
	row := Compare(base, busy, Options{Resamples: 199, Seed: 1}).Rows[0]
	if v := row.Metric("throughput_per_s").Verdict; v != Better {
		t.Errorf("throughput doubled: %q", v)
	}
	if v := row.Metric("goodput_per_s").Verdict; v != Worse {
		t.Errorf("goodput fell from 10/s to 6/s: %q", v)
	}
	if row.Verdict != Worse {
		t.Errorf("row verdict %q", row.Verdict)
	}
	fs, err := ParseFailOn("goodput=-10%")
	if err != nil {
		t.Fatal(err)
	}
	if b := Breaches(Result{Rows: []Row{row}}, fs); len(b) == 0 {
		t.Errorf("goodput -40%% did not break goodput=-10%%")
	}
}

// TestStatisticalModeRowsCount: a row standing for 10 samples (JMeter's
// Statistical mode) counts 10, as in summary.
func TestStatisticalModeRowsCount(t *testing.T) {
	ss := run(1, "a", 60, 5, 100, 0)
	for i := range ss {
		ss[i].SampleCount = 10
		ss[i].Elapsed *= 10
	}
	r := Compare(collect(ss), collect(ss), Options{Resamples: 99, Seed: 1})
	if got := r.Rows[0].BaseSamples; got != 3000 {
		t.Errorf("%d samples, want 3,000", got)
	}
	if p50 := r.Rows[0].Metric("p50_ms").Base; p50 < 70 || p50 > 140 {
		t.Errorf("p50 %v: elapsed of a row is the sum of its samples'", p50)
	}
}

// TestCausesSayWhichCauseTookTheFailures: a cause that would explain the
// failures but adds nothing to another carries that other's name, so the
// table does not show it as "possible 0.0%" unexplained.
func TestCausesSayWhichCauseTookTheFailures(t *testing.T) {
	base := diagnose.Result{Causes: []diagnose.Finding{{Cause: "concurrency", Verdict: diagnose.Unlikely}}}
	nw := diagnose.Result{Causes: []diagnose.Finding{
		{Cause: "duplicate-id", Verdict: diagnose.Likely, Explained: 876, Share: 1},
		{Cause: "concurrency", Verdict: diagnose.Possible, Explained: 873, Fit: &diagnose.Fit{ExplainedBy: "duplicate-id"}},
	}}
	got := map[string]CauseChange{}
	for _, c := range Causes(base, nw) {
		got[c.Cause] = c
	}
	if c := got["concurrency"]; c.Change != "appeared" || c.New.ExplainedBy != "duplicate-id" || c.Base.ExplainedBy != "" {
		t.Errorf("concurrency: %+v", c)
	}
	if c := got["duplicate-id"]; c.Change != "appeared" || c.New.Failures != 876 {
		t.Errorf("duplicate-id: %+v", c)
	}
}
