package capacity

import (
	"errors"
	"math"
	"testing"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

// Figure 2 of Satopää et al. (2011), as kneed's DataGenerator.figure2
// recreates it: y = 5 − 1/(x + 0.1) at ten points on [0, 1]. The paper and
// kneed find the knee at x ≈ 0.22. By hand: the difference curve
// y_n − x_n is 0, 0.468, 0.536, 0.513, 0.443, 0.367, … so its maximum is
// at x = 2/9, and the threshold 0.536 − 1/9 = 0.425 is crossed at x = 5/9.
func TestKneedleFigure2(t *testing.T) {
	x := make([]float64, 10)
	y := make([]float64, 10)
	for i := range x {
		x[i] = float64(i) / 9
		y[i] = 5 - 1/(x[i]+0.1)
	}
	k, err := Kneedle(x, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Found || k.Index != 2 || math.Abs(k.X-0.2222) > 1e-4 {
		t.Errorf("knee %+v, want x = 2/9", k)
	}
	// A high sensitivity asks for a deeper fall than the curve offers.
	if k, _ := Kneedle(x, y, &KneedleOptions{S: 10}); k.Found {
		t.Errorf("S=10 found %+v", k)
	}
}

// Throughput of a USL system: the knee lies before the peak N*, where
// the curve bends.
func TestKneedleThroughputCurve(t *testing.T) {
	m := &USL{Sigma: 0.05, Kappa: 0.0005, Lambda: 100}
	var n, x []float64
	for c := 1.0; c <= 80; c++ {
		n = append(n, c)
		x = append(x, m.Throughput(c))
	}
	k, err := Kneedle(n, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	nStar := math.Sqrt((1 - m.Sigma) / m.Kappa) // ≈ 43.6
	if !k.Found || k.X < 5 || k.X >= nStar {
		t.Errorf("knee %+v, want between 5 and N* = %.1f", k, nStar)
	}
}

// The same bend in the four orientations is found at the same point.
func TestKneedleOrientations(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	f := func(v float64) float64 { return 1 - math.Exp(-v/2) } // concave increasing, knee near 2–3
	base, err := Kneedle(x, apply(x, f), nil)
	if err != nil || !base.Found {
		t.Fatalf("%+v %v", base, err)
	}
	// Convex decreasing: 1 − f.
	k, _ := Kneedle(x, apply(x, func(v float64) float64 { return 1 - f(v) }), &KneedleOptions{Convex: true, Decreasing: true})
	if k.X != base.X {
		t.Errorf("convex decreasing knee %v, want %v", k.X, base.X)
	}
	// Mirrored in x: concave decreasing and convex increasing.
	k, _ = Kneedle(x, apply(x, func(v float64) float64 { return f(10 - v) }), &KneedleOptions{Decreasing: true})
	if k.X != 10-base.X {
		t.Errorf("concave decreasing knee %v, want %v", k.X, 10-base.X)
	}
	k, _ = Kneedle(x, apply(x, func(v float64) float64 { return 1 - f(10-v) }), &KneedleOptions{Convex: true})
	if k.X != 10-base.X {
		t.Errorf("convex increasing knee %v, want %v", k.X, 10-base.X)
	}
}

func apply(x []float64, f func(float64) float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = f(v)
	}
	return y
}

func TestKneedleNoKnee(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	for _, y := range [][]float64{{2, 4, 6, 8, 10}, {3, 3, 3, 3, 3}} {
		k, err := Kneedle(x, y, nil)
		if err != nil || k.Found {
			t.Errorf("Kneedle(%v) = %+v, %v", y, k, err)
		}
	}
	for _, c := range []struct {
		x, y []float64
		want error
	}{
		{[]float64{1, 2}, []float64{1, 2}, stats.ErrDegenerate},
		{[]float64{1, 2, 3}, []float64{1, 2}, stats.ErrInvalid},
		{[]float64{1, 3, 2}, []float64{1, 2, 3}, stats.ErrInvalid},
		{[]float64{1, 2, 2}, []float64{1, 2, 3}, stats.ErrInvalid},
		{[]float64{1, 2, 3}, []float64{1, math.NaN(), 3}, stats.ErrInvalid},
	} {
		if _, err := Kneedle(c.x, c.y, nil); !errors.Is(err, c.want) {
			t.Errorf("Kneedle(%v, %v): %v", c.x, c.y, err)
		}
	}
	if _, err := Kneedle(x, x, &KneedleOptions{S: -1}); !errors.Is(err, stats.ErrInvalid) {
		t.Error(err)
	}
}

func TestEfficiencyKnee(t *testing.T) {
	m := &USL{Sigma: 0.05, Kappa: 0.0005, Lambda: 100}
	var pts []Point
	for _, n := range []float64{1, 2, 4, 8, 16, 32, 64} {
		pts = append(pts, Point{n, m.Throughput(n)})
	}
	// Efficiency X(N)/(λN) = 1/(1 + σ(N−1) + κN(N−1)): 0.87 at 4, 0.73 at
	// 8, so the first point below 80 % is N = 8.
	k, err := EfficiencyKnee(pts, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Found || k.X != 8 || k.Index != 3 {
		t.Errorf("knee %+v, want N = 8", k)
	}
	// Linear scaling never falls below 100 %.
	lin := []Point{{1, 10}, {2, 20}, {4, 40}}
	if k, err := EfficiencyKnee(lin, 1); err != nil || k.Found {
		t.Errorf("linear: %+v %v", k, err)
	}
	for _, c := range []struct {
		pts  []Point
		f    float64
		want error
	}{
		{lin, 0, stats.ErrInvalid},
		{lin, 1.5, stats.ErrInvalid},
		{lin[:1], 0.8, stats.ErrDegenerate},
		{[]Point{{2, 1}, {1, 2}}, 0.8, stats.ErrInvalid},
		{[]Point{{1, 0}, {2, 2}}, 0.8, stats.ErrDegenerate},
		{[]Point{{1, 1}, {2, math.Inf(1)}}, 0.8, stats.ErrInvalid},
	} {
		if _, err := EfficiencyKnee(c.pts, c.f); !errors.Is(err, c.want) {
			t.Errorf("EfficiencyKnee(%v, %v): %v", c.pts, c.f, err)
		}
	}
}
