package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSketchQuantiles: exact while not compacted; once compacted, every
// quantile within SketchRelativeError of the exact LEGACY one and inside
// [min, max], merged or not.
func TestSketchQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(3000)
		var vs []time.Duration
		var a, b Sketch
		for i := range n {
			// A mix of fast and slow requests, sub-millisecond to minutes.
			v := time.Duration(math.Exp(rng.Float64()*18)) * time.Microsecond
			if rng.IntN(3) == 0 {
				v = time.Duration(400+rng.IntN(40)) * time.Millisecond
			}
			vs = append(vs, v)
			if i%2 == 0 {
				a.Add(v)
			} else {
				b.Add(v)
			}
		}
		slices.Sort(vs)
		exact := func(p float64) float64 {
			x, err := QuantileSorted(vs, p)
			if err != nil {
				t.Fatal(err)
			}
			return x / 1e6
		}
		whole := a
		whole.values = slices.Clone(a.values)
		whole.Merge(&b)
		for _, p := range []float64{0, 0.5, 0.9, 0.95, 0.99, 1} {
			if got, want := whole.Quantile(p), exact(p); got != want {
				t.Fatalf("trial %d: exact p%v = %v, want %v", trial, p, got, want)
			}
		}
		if trial%2 == 0 {
			a.Compact() // merge a compacted sketch into an exact one and back
		}
		b.Compact()
		a.Merge(&b)
		if a.Exact() || a.Count() != int64(n) || a.Min() != vs[0] || a.Max() != vs[n-1] {
			t.Fatalf("trial %d: count %d min %v max %v", trial, a.Count(), a.Min(), a.Max())
		}
		lo, hi := float64(vs[0])/1e6, float64(vs[n-1])/1e6
		for p := 0.0; p <= 1; p += 0.01 {
			got, want := a.Quantile(p), exact(p)
			if got < lo || got > hi {
				t.Fatalf("trial %d: p%.2f = %v outside [%v, %v]", trial, p, got, lo, hi)
			}
			// The microsecond rounding adds at most 0.5 µs.
			if math.Abs(got-want) > SketchRelativeError*want+0.0005 {
				t.Fatalf("trial %d (n %d): p%.2f = %v, exact %v: error %.3f%%", trial, n, p, got, want, 100*math.Abs(got-want)/want)
			}
		}
	}
	var empty Sketch
	if !math.IsNaN(empty.Quantile(0.5)) {
		t.Error("an empty sketch has a quantile")
	}
}

func BenchmarkSketchAdd(b *testing.B) {
	var s Sketch
	s.Compact()
	vs := make([]time.Duration, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range vs {
		vs[i] = time.Duration(math.Exp(rng.Float64()*12)) * time.Microsecond
	}
	for i := 0; b.Loop(); i++ {
		s.Add(vs[i&4095])
	}
}
