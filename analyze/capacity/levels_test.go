package capacity

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/samples"
)

// stepped simulates a stepped load test whose throughput follows a known
// USL curve: at N threads, X(N) requests per second, each taking N/X(N)
// seconds (Little's law with no think time).
func stepped(t *testing.T, sigma, kappa, lambda float64, levels []int, hold time.Duration) []samples.Sample {
	t.Helper()
	var out []samples.Sample
	start := time.UnixMilli(1_700_000_000_000)
	for _, n := range levels {
		x := lambda * float64(n) / (1 + sigma*float64(n-1) + kappa*float64(n)*float64(n-1))
		r := time.Duration(float64(n) / x * float64(time.Second))
		gap := time.Duration(float64(time.Second) / x)
		for at := time.Duration(0); at < hold; at += gap {
			out = append(out, samples.Sample{
				Start: start.Add(at), Elapsed: r, Success: true, AllThreads: n, Code: "200",
				Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads | samples.FieldSuccess,
			})
		}
		start = start.Add(hold)
	}
	return out
}

func TestLevelsRecoverUSLFromPlateaus(t *testing.T) {
	const sigma, kappa, lambda = 0.05, 0.002, 40.0
	levels := []int{1, 2, 4, 8, 12, 16, 20, 24, 32, 40}
	ss := stepped(t, sigma, kappa, lambda, levels, 30*time.Second)
	lv, tl := NewLevels(), timeline.New()
	for i := range ss {
		lv.Add(&ss[i])
		tl.Add(&ss[i])
	}
	crit, _ := sla.Parse("p95=400ms")
	res := lv.Result(tl.Result(), crit, 1)
	if res.Metric != "threads" || res.USLFrom != "plateaus" || len(res.Plateaus) != len(levels) {
		t.Fatalf("metric %s, fitted on %s, %d plateaus: %+v", res.Metric, res.USLFrom, len(res.Plateaus), res.Plateaus)
	}
	if res.USL == nil {
		t.Fatalf("no USL fit: %s", res.USLError)
	}
	u := res.USL
	if math.Abs(u.Sigma-sigma) > 0.02 || math.Abs(u.Kappa-kappa) > 0.001 || math.Abs(u.Lambda-lambda)/lambda > 0.1 {
		t.Errorf("USL σ=%.4f κ=%.5f λ=%.2f, want %.2f %.4f %.0f", u.Sigma, u.Kappa, u.Lambda, sigma, kappa, lambda)
	}
	wantN := math.Sqrt((1 - sigma) / kappa)
	if math.Abs(u.NStar-wantN)/wantN > 0.15 {
		t.Errorf("N* = %.1f, want about %.1f", u.NStar, wantN)
	}
	// Response time at N is N/X(N); p95 ≤ 400 ms holds up to the last
	// level where that is so.
	want := 0
	for _, n := range levels {
		x := lambda * float64(n) / (1 + sigma*float64(n-1) + kappa*float64(n)*float64(n-1))
		if float64(n)/x*1000 <= 400 {
			want = n
		} else {
			break
		}
	}
	if res.Sustainable == nil || *res.Sustainable != want {
		t.Errorf("sustainable %v, want %d (statement %q)", res.Sustainable, want, res.Statement)
	}
}

func TestLevelsOnARampWarnAndSkipRampDown(t *testing.T) {
	var ss []samples.Sample
	start := time.UnixMilli(0)
	// Up 1..20 one level a second, then down 19..1.
	lv := append([]int{}, []int{}...)
	for n := 1; n <= 20; n++ {
		lv = append(lv, n)
	}
	for n := 19; n >= 1; n-- {
		lv = append(lv, n)
	}
	for i, n := range lv {
		for k := 0; k < n; k++ {
			ss = append(ss, samples.Sample{Start: start.Add(time.Duration(i)*time.Second + time.Duration(k)*time.Millisecond*10),
				Elapsed: 5 * time.Millisecond, Success: true, AllThreads: n,
				Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads})
		}
	}
	l, tl := NewLevels(), timeline.New()
	for i := range ss {
		l.Add(&ss[i])
		tl.Add(&ss[i])
	}
	res := l.Result(tl.Result(), nil, 1)
	if res.USLFrom != "ramp levels" || len(res.Warnings) == 0 {
		t.Errorf("a ramp should be fitted on ramp levels with a warning: %s %v", res.USLFrom, res.Warnings)
	}
	for _, st := range res.Levels {
		if st.RampDown {
			t.Errorf("level %d marked ramp-down although the ramp-up passed it", st.N)
		}
	}
}

// allThreads comes from the input: a million distinct values must not make
// a million levels. Past maxLevels adjacent levels share one entry, and
// nothing is lost: requests and successes still add up.
func TestLevelsBoundedAndConserved(t *testing.T) {
	const n = 20000
	lv, tl := NewLevels(), timeline.New()
	start := time.UnixMilli(1_700_000_000_000)
	var ok int64
	for i := 1; i <= n; i++ {
		s := samples.Sample{Start: start.Add(time.Duration(i) * time.Millisecond), Elapsed: time.Duration(i%50+1) * time.Millisecond,
			Success: i%3 != 0, AllThreads: i, Code: "200", Label: "a",
			Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads | samples.FieldSuccess | samples.FieldLabel}
		if s.Success {
			ok++
		}
		lv.Add(&s)
		tl.Add(&s)
	}
	res := lv.Result(tl.Result(), nil, 1)
	if len(res.Levels) > maxLevels || len(res.Levels) < maxLevels/2 {
		t.Fatalf("%d levels, want between %d and %d", len(res.Levels), maxLevels/2, maxLevels)
	}
	var reqs, good float64
	prev := 0
	for _, st := range res.Levels {
		if st.N <= prev || st.N < 1 || st.N > n {
			t.Fatalf("levels out of order or range: %d after %d", st.N, prev)
		}
		prev = st.N
		reqs += float64(st.Requests)
		good += float64(st.Requests) * (100 - st.ErrorPct) / 100
	}
	if reqs != n || math.Abs(good-float64(ok)) > 1 {
		t.Errorf("requests %v (want %d), successes %.1f (want %d)", reqs, n, good, ok)
	}
	var labelReqs int64
	for _, ll := range res.ByLabel {
		labelReqs += ll.Requests
		if len(ll.Levels) > maxLevels {
			t.Errorf("label %s has %d levels", ll.Label, len(ll.Levels))
		}
	}
	if labelReqs != n {
		t.Errorf("per-label requests %d, want %d", labelReqs, n)
	}
}

func TestLevelKeyBins(t *testing.T) {
	l := NewLevels()
	for _, n := range []int{1, 2, 7, 100} {
		if k := l.key(n); k != n {
			t.Errorf("width 1: key(%d) = %d", n, k)
		}
	}
	l.shift = 2 // bins of 4: 1-4, 5-8, ...
	for n, want := range map[int]int{1: 2, 4: 2, 5: 6, 8: 6, 9: 10} {
		if k := l.key(n); k != want {
			t.Errorf("width 4: key(%d) = %d, want %d", n, k, want)
		}
	}
	l.shift = 3 // an old key of width 4 falls in the width-8 bin that holds its bin
	for old, want := range map[int]int{2: 4, 6: 4, 10: 12} {
		if k := l.key(old); k != want {
			t.Errorf("width 8: key(%d) = %d, want %d", old, k, want)
		}
	}
}

// ramp makes a ramp from 1 to top threads, hold at each level, with
// the failure share fail(n) and throughput x(n) requests per second.
func ramp(top int, hold time.Duration, x func(n int) float64, fail func(n int) float64) []samples.Sample {
	var out []samples.Sample
	start := time.UnixMilli(1_700_000_000_000)
	for n := 1; n <= top; n++ {
		rate := x(n)
		gap := time.Duration(float64(time.Second) / rate)
		k := 0
		for at := time.Duration(0); at < hold; at += gap {
			k++
			out = append(out, samples.Sample{
				Start: start.Add(at), Elapsed: 20 * time.Millisecond, Success: float64(k%100) >= 100*fail(n),
				AllThreads: n, Code: "200", Label: "a",
				Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads | samples.FieldSuccess | samples.FieldLabel,
			})
		}
		start = start.Add(hold)
	}
	return out
}

func levelsOf(ss []samples.Sample) Result {
	lv, tl := NewLevels(), timeline.New()
	for i := range ss {
		lv.Add(&ss[i])
		tl.Add(&ss[i])
	}
	return lv.Result(tl.Result(), nil, 1)
}

// TestDefaultCriterionKeepsItsWord: no band is called sustainable while
// its failures are above the criterion's own limit with 95% confidence,
// low-load bands included (f07: "101–150 … 67.19% … last band meeting the
// default criterion" against failures ≤ 50.6%).
func TestDefaultCriterionKeepsItsWord(t *testing.T) {
	res := levelsOf(ramp(12, 20*time.Second, func(int) float64 { return 10 }, func(n int) float64 {
		if n == 3 {
			return 0.15
		}
		return 0.02
	}))
	if res.Sustainable == nil || *res.Sustainable != 2 {
		t.Fatalf("sustainable %v, want 2 (level 3 fails 15%%): %s", res.Sustainable, res.Statement)
	}
	c := lowLoad(res.Bands)
	for _, b := range res.Bands {
		if iv, _ := stats.Wilson(int(b.failed), int(b.Requests), 0.95); b.Note == "last band meeting the default criterion" && iv.Lo > c.ceiling() {
			t.Errorf("band %d–%d fails %.1f%%, above the criterion's %.1f%%, and is called sustainable", b.From, b.To, b.ErrorPct, 100*c.ceiling())
		}
	}
}

// TestHighFailuresAtLowLoadSustainNothing: a run that fails half its
// requests from the first thread on is sustainable at no level, however
// steady that rate (a criterion relative to low load alone called it
// sustainable up to the top).
func TestHighFailuresAtLowLoadSustainNothing(t *testing.T) {
	res := levelsOf(ramp(12, 20*time.Second, func(int) float64 { return 10 }, func(int) float64 { return 0.5 }))
	if res.Sustainable == nil || *res.Sustainable != 0 || !strings.Contains(res.Statement, "no level is sustainable") {
		t.Fatalf("sustainable %v: %s", res.Sustainable, res.Statement)
	}
	for _, b := range res.Bands {
		if strings.HasPrefix(b.Note, "last band") {
			t.Errorf("band %d–%d: %s", b.From, b.To, b.Note)
		}
	}
}

// TestUSLThatExplainsNothingIsLeftOut: goodput that does not vary with
// concurrency beyond noise gets no USL curve (f07: R² 0.003, "throughput
// levels off towards λ/σ"), and the reason says why.
func TestUSLThatExplainsNothingIsLeftOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := map[int]float64{}
	for n := 1; n <= 24; n++ {
		noise[n] = 20 + 20*rng.Float64()
	}
	res := levelsOf(ramp(24, 5*time.Second, func(n int) float64 { return noise[n] }, func(int) float64 { return 0 }))
	if res.USL != nil || !strings.Contains(res.USLError, "R²") {
		t.Fatalf("USL %+v, reason %q", res.USL, res.USLError)
	}
}
