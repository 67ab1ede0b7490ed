package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Hand-computed with Commons Math's LEGACY rule, pos = p(n+1).
func TestQuantileSortedLegacy(t *testing.T) {
	five := []float64{1, 2, 3, 4, 5}
	four := []int{10, 20, 30, 40}
	for _, c := range []struct {
		got  func() (float64, error)
		want float64
	}{
		{func() (float64, error) { return QuantileSorted(five, 0.5) }, 3},    // pos 3
		{func() (float64, error) { return QuantileSorted(five, 0.25) }, 1.5}, // pos 1.5
		{func() (float64, error) { return QuantileSorted(five, 0.1) }, 1},    // pos 0.6 < 1
		{func() (float64, error) { return QuantileSorted(five, 0.9) }, 5},    // pos 5.4 ≥ n
		{func() (float64, error) { return QuantileSorted(five, 0.6) }, 3.6},  // pos 3.6
		{func() (float64, error) { return QuantileSorted(four, 0.5) }, 25},   // pos 2.5
		{func() (float64, error) { return QuantileSorted(four, 0.3) }, 15},   // pos 1.5
		{func() (float64, error) { return QuantileSorted(four, 0.95) }, 40},  // pos 4.75
		{func() (float64, error) { return QuantileSorted(four, 0.75) }, 37.5},
		{func() (float64, error) { return QuantileSorted([]float64{7}, 0.99) }, 7},
		{func() (float64, error) { return QuantileSorted(five, 0) }, 1},
		{func() (float64, error) { return QuantileSorted(five, 1) }, 5},
	} {
		got, err := c.got()
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("got %v, %v; want %v", got, err, c.want)
		}
	}
	ds := []time.Duration{time.Millisecond, 3 * time.Millisecond}
	if q, _ := QuantileSorted(ds, 0.5); q != float64(2*time.Millisecond) {
		t.Errorf("median of durations = %v", q)
	}
	for _, c := range []struct {
		v    []float64
		p    float64
		want error
	}{
		{nil, 0.5, ErrEmpty},
		{five, 1.1, ErrInvalid},
		{five, math.NaN(), ErrInvalid},
		{[]float64{2, 1}, 0.5, ErrInvalid},
		{[]float64{1, math.NaN(), 3}, 0.5, ErrInvalid},
		{[]float64{math.NaN()}, 0.5, ErrInvalid},
	} {
		if _, err := QuantileSorted(c.v, c.p); !errors.Is(err, c.want) {
			t.Errorf("QuantileSorted(%v, %v): %v, want %v", c.v, c.p, err, c.want)
		}
	}
}

var probes = []float64{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}

// checkAgainstExact records values in h and compares each quantile with
// the exact LEGACY one on the sorted values, within MaxRelativeError.
func checkAgainstExact(t *testing.T, name string, vals []time.Duration, h interface {
	Quantile(float64) (time.Duration, error)
}) {
	t.Helper()
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	for _, p := range probes {
		want, _ := QuantileSorted(sorted, p)
		got, err := h.Quantile(p)
		if err != nil {
			t.Fatal(err)
		}
		// +1 ns for the rounding of the result to whole nanoseconds.
		if math.Abs(float64(got)-want) > MaxRelativeError*want+1 {
			t.Errorf("%s: p%v = %v, exact %v (error %.4f %%)", name, p*100, got, time.Duration(want), 100*math.Abs(float64(got)-want)/want)
		}
	}
}

func TestHistogramMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gens := map[string]func() time.Duration{
		// Log-normal latencies around 200 ms with sub-millisecond parts
		// (HAR).
		"lognormal": func() time.Duration {
			return time.Duration(math.Exp(math.Log(200e6) + 0.8*rng.NormFloat64()))
		},
		// Heavy tail: mostly fast, some timeouts at 30 s and beyond.
		"bimodal": func() time.Duration {
			if rng.IntN(50) == 0 {
				return 30*time.Second + time.Duration(rng.Int64N(int64(time.Second)))
			}
			return time.Duration(rng.Int64N(int64(20 * time.Millisecond)))
		},
		// Tiny values, all exact.
		"tiny": func() time.Duration { return time.Duration(rng.IntN(500)) },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 7, 1000, 100_000} {
			var h Histogram
			vals := make([]time.Duration, n)
			for i := range vals {
				vals[i] = gen()
				if err := h.Record(vals[i]); err != nil {
					t.Fatal(err)
				}
			}
			checkAgainstExact(t, name, vals, &h)
			if h.Count() != int64(n) || h.Min() != slices.Min(vals) || h.Max() != slices.Max(vals) {
				t.Errorf("%s: count %d min %v max %v", name, h.Count(), h.Min(), h.Max())
			}
			var sum float64
			for _, v := range vals {
				sum += float64(v)
			}
			if d := math.Abs(float64(h.Mean()) - sum/float64(n)); d > 1 {
				t.Errorf("%s: mean %v, want %v", name, h.Mean(), sum/float64(n))
			}
		}
	}
}

// With a millisecond unit, whole-millisecond JMeter values below 512 ms
// give exactly the exact percentiles.
func TestHistogramMillisecondsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	h := NewHistogram(time.Millisecond)
	var vals []time.Duration
	for range 5000 {
		v := time.Duration(rng.IntN(512)) * time.Millisecond
		vals = append(vals, v)
		_ = h.Record(v)
	}
	slices.Sort(vals)
	for _, p := range probes {
		want, _ := QuantileSorted(vals, p)
		got, _ := h.Quantile(p)
		if float64(got) != math.Round(want) {
			t.Errorf("p%v = %v, want %v", p*100, got, time.Duration(want))
		}
	}
}

func TestHistogramMergeAndMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var a, b, all Histogram
	var vals []time.Duration
	for i := range 20000 {
		v := time.Duration(rng.ExpFloat64() * 50e6)
		vals = append(vals, v)
		_ = all.Record(v)
		if i%3 == 0 {
			_ = a.Record(v)
		} else {
			_ = b.Record(v)
		}
	}
	if err := a.Merge(&b); err != nil {
		t.Fatal(err)
	}
	for _, p := range probes {
		qa, _ := a.Quantile(p)
		qall, _ := all.Quantile(p)
		if qa != qall {
			t.Errorf("merged p%v = %v, single %v", p*100, qa, qall)
		}
	}
	if a.Count() != all.Count() || a.Mean() != all.Mean() || a.Min() != all.Min() || a.Max() != all.Max() {
		t.Error("merged summary differs")
	}
	checkAgainstExact(t, "merged", vals, &a)
	if err := a.Merge(NewHistogram(time.Millisecond)); !errors.Is(err, ErrInvalid) {
		t.Errorf("merging units: %v", err)
	}

	var idle Histogram
	if idle.Bytes() > 128 {
		t.Errorf("idle histogram holds %d bytes", idle.Bytes())
	}
	// Latencies from 1 ms to 10 s touch 14 powers of two: about 57 KiB.
	h := NewHistogram(0)
	for d := time.Millisecond; d <= 10*time.Second; d += time.Millisecond {
		_ = h.Record(d)
	}
	if b := h.Bytes(); b > 64<<10 {
		t.Errorf("1 ms..10 s histogram holds %d bytes", b)
	}
}

func TestHistogramErrors(t *testing.T) {
	var h Histogram
	if _, err := h.Quantile(0.5); !errors.Is(err, ErrEmpty) {
		t.Error(err)
	}
	if err := h.Record(-time.Millisecond); !errors.Is(err, ErrInvalid) || h.Count() != 0 {
		t.Errorf("negative: %v, count %d", err, h.Count())
	}
	_ = h.Record(time.Duration(math.MaxInt64))
	_ = h.Record(0)
	if q, err := h.Quantile(1); err != nil || q != time.Duration(math.MaxInt64) {
		t.Errorf("max = %v, %v", q, err)
	}
	if _, err := h.Quantile(-0.1); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
}

func TestDurationsSwitchesToHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	d := NewDurations(8*1000, time.Microsecond) // 1000 exact values
	var vals []time.Duration
	for i := range 1000 {
		v := time.Duration(rng.Int64N(int64(2 * time.Second)))
		vals = append(vals, v)
		_ = d.Record(v)
		if i == 499 {
			sorted := slices.Clone(vals)
			slices.Sort(sorted)
			want, _ := QuantileSorted(sorted, 0.95)
			got, _ := d.Quantile(0.95)
			if !d.Exact() || float64(got) != math.Round(want) {
				t.Errorf("while exact: p95 %v, want %v", got, want)
			}
		}
	}
	if !d.Exact() {
		t.Fatal("switched before the budget was reached")
	}
	v := time.Duration(rng.Int64N(int64(2 * time.Second)))
	vals = append(vals, v)
	_ = d.Record(v)
	if d.Exact() {
		t.Fatal("still exact past the budget")
	}
	for range 5000 {
		v := time.Duration(rng.Int64N(int64(2 * time.Second)))
		vals = append(vals, v)
		_ = d.Record(v)
	}
	// The microsecond unit adds up to ½ µs of rounding.
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	for _, p := range probes {
		want, _ := QuantileSorted(sorted, p)
		got, _ := d.Quantile(p)
		if math.Abs(float64(got)-want) > MaxRelativeError*want+500 {
			t.Errorf("p%v = %v, exact %v", p*100, got, time.Duration(want))
		}
	}
	if d.Count() != int64(len(vals)) || d.Max() != slices.Max(vals) || d.Min() != slices.Min(vals) {
		t.Error("summary lost in the switch")
	}
}

func TestDurationsMerge(t *testing.T) {
	var a, b Durations
	for i := range 10 {
		_ = a.Record(time.Duration(i) * time.Millisecond)
		_ = b.Record(time.Duration(10+i) * time.Millisecond)
	}
	if err := a.Merge(&b); err != nil {
		t.Fatal(err)
	}
	if !a.Exact() || a.Count() != 20 || a.Mean() != 9500*time.Microsecond {
		t.Errorf("exact merge: exact %v count %d mean %v", a.Exact(), a.Count(), a.Mean())
	}
	if q, _ := a.Quantile(0.5); q != 9500*time.Microsecond {
		t.Errorf("median %v", q)
	}
	// Past the budget the merge spills into a histogram.
	small := NewDurations(8*15, 0)
	for i := range 10 {
		_ = small.Record(time.Duration(i) * time.Millisecond)
	}
	if err := small.Merge(&b); err != nil || small.Exact() || small.Count() != 20 {
		t.Errorf("spilling merge: %v exact %v count %d", err, small.Exact(), small.Count())
	}
	// A histogram with another unit is refused and leaves d exact.
	other := NewDurations(8, time.Millisecond)
	_ = other.Record(time.Second)
	_ = other.Record(time.Second)
	var c Durations
	_ = c.Record(time.Second)
	if err := c.Merge(other); !errors.Is(err, ErrInvalid) || !c.Exact() || c.Count() != 1 {
		t.Errorf("unit mismatch: %v", err)
	}
	var empty Durations
	if _, err := empty.Quantile(0.5); !errors.Is(err, ErrEmpty) {
		t.Error(err)
	}
	if err := empty.Record(-1); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	vals := make([]time.Duration, 4096)
	for i := range vals {
		vals[i] = time.Duration(math.Exp(math.Log(200e6) + rng.NormFloat64()))
	}
	var h Histogram
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_ = h.Record(vals[i&4095])
	}
}

func BenchmarkHistogramQuantile(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	var h Histogram
	for range 1_000_000 {
		_ = h.Record(time.Duration(math.Exp(math.Log(200e6) + rng.NormFloat64())))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_, _ = h.Quantile(probes[i%len(probes)])
	}
}

func BenchmarkDurationsRecord(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	vals := make([]time.Duration, 4096)
	for i := range vals {
		vals[i] = time.Duration(math.Exp(math.Log(200e6) + rng.NormFloat64()))
	}
	d := NewDurations(0, time.Microsecond)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_ = d.Record(vals[i&4095])
	}
}

// Exact quantile of a million kept values: the first call sorts.
func BenchmarkDurationsQuantileExact(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	d := NewDurations(0, 0)
	for range 1_000_000 {
		_ = d.Record(time.Duration(math.Exp(math.Log(200e6) + rng.NormFloat64())))
	}
	_, _ = d.Quantile(0.5)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_, _ = d.Quantile(probes[i%len(probes)])
	}
}
