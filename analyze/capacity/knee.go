package capacity

import (
	"fmt"
	"math"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

// A Knee is the point where a curve bends.
type Knee struct {
	Found bool    `json:"found"`
	Index int     `json:"index"` // into the input slices
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
}

// KneedleOptions describe the curve; the zero value is a concave,
// increasing curve (throughput against concurrency) with sensitivity 1.
type KneedleOptions struct {
	// S is the sensitivity: how far the difference curve must fall below
	// a local maximum, in units of the mean x spacing, to confirm a knee.
	// Satopää et al. recommend 1 (the default) offline; larger is more
	// conservative.
	S float64
	// Convex selects curves that bend upwards (response time against
	// concurrency: flat, then steep); Decreasing, curves that fall.
	Convex     bool
	Decreasing bool
}

// Kneedle finds the knee of a curve with the Kneedle algorithm (Satopää,
// Albrecht, Irwin & Raghavan, "Finding a 'Kneedle' in a Haystack",
// ICDCSW 2011), offline and without smoothing, as kneed's KneeLocator:
// both axes are scaled to [0, 1], the curve is turned into a concave
// increasing one (by mirroring x and/or flipping y), and the knee is the
// first local maximum of the difference curve y − x after which the
// difference drops below that maximum minus S times the mean x spacing
// before the next local maximum. For throughput against concurrency it
// marks where adding concurrency stops paying off in proportion; it needs
// no model and no reference point, which makes it the primary knee here.
// EfficiencyKnee is the simpler, more interpretable alternative.
//
// x must be strictly increasing. A curve without a knee (a straight line,
// a flat curve) gives Found = false without error. Errors:
// stats.ErrInvalid for mismatched lengths, NaN, unsorted x or S < 0;
// stats.ErrDegenerate for fewer than 3 points.
func Kneedle(x, y []float64, opt *KneedleOptions) (Knee, error) {
	o := KneedleOptions{}
	if opt != nil {
		o = *opt
	}
	if o.S == 0 {
		o.S = 1
	}
	if len(x) != len(y) {
		return Knee{}, fmt.Errorf("%w: knee of %d x and %d y values", stats.ErrInvalid, len(x), len(y))
	}
	n := len(x)
	if n < 3 {
		return Knee{}, fmt.Errorf("%w: a knee needs at least 3 points, got %d", stats.ErrDegenerate, n)
	}
	if !(o.S > 0) || math.IsInf(o.S, 0) {
		return Knee{}, fmt.Errorf("%w: sensitivity %v", stats.ErrInvalid, o.S)
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return Knee{}, fmt.Errorf("%w: point %d is (%v, %v)", stats.ErrInvalid, i, x[i], y[i])
		}
		if i > 0 && !(x[i] > x[i-1]) {
			return Knee{}, fmt.Errorf("%w: x is not strictly increasing at index %d", stats.ErrInvalid, i)
		}
	}
	ylo, yhi := y[0], y[0]
	for _, v := range y {
		ylo, yhi = min(ylo, v), max(yhi, v)
	}
	if yhi == ylo {
		return Knee{}, nil
	}

	// Transform to a concave increasing curve: mirror x for concave
	// decreasing and convex increasing curves, flip y for convex ones.
	mirror := o.Convex != o.Decreasing
	src := func(i int) int { // index into the input of transformed point i
		if mirror {
			return n - 1 - i
		}
		return i
	}
	xn := make([]float64, n)
	diff := make([]float64, n)
	span := x[n-1] - x[0]
	for i := range n {
		j := src(i)
		xv := (x[j] - x[0]) / span
		if mirror {
			xv = 1 - xv
		}
		yv := (y[j] - ylo) / (yhi - ylo)
		if o.Convex {
			yv = 1 - yv
		}
		xn[i] = xv
		diff[i] = yv - xv
	}
	threshold := o.S * (xn[n-1] - xn[0]) / float64(n-1) // S · mean spacing

	isMax := func(i int) bool { return diff[i] > diff[i-1] && diff[i] > diff[i+1] }
	isMin := func(i int) bool { return diff[i] < diff[i-1] && diff[i] < diff[i+1] }
	at, limit := -1, math.Inf(-1)
	for i := 1; i < n-1; i++ {
		switch {
		case isMax(i):
			at, limit = i, diff[i]-threshold
		case at >= 0 && isMin(i):
			// After a local minimum only a fall below zero confirms the
			// previous maximum (kneed's rule).
			limit = 0
		}
		if at >= 0 && diff[i+1] < limit {
			j := src(at)
			return Knee{Found: true, Index: j, X: x[j], Y: y[j]}, nil
		}
	}
	return Knee{}, nil
}

// EfficiencyKnee returns the first point, in order of concurrency, whose
// throughput falls below fraction (0.8, say) of linear scaling from the
// lowest concurrency measured: X(N) < fraction · X(N₀)·N/N₀. It says
// plainly "from here on, each unit of concurrency buys less than 80 % of
// what the first did". It is sensitive to the first point's noise;
// Kneedle is the primary knee.
//
// A curve that stays efficient gives Found = false. Errors:
// stats.ErrInvalid for NaN, N ≤ 0, X < 0, unsorted or repeated N, or a
// fraction outside (0, 1]; stats.ErrDegenerate for fewer than 2 points
// or zero throughput at the first.
func EfficiencyKnee(points []Point, fraction float64) (Knee, error) {
	if !(fraction > 0 && fraction <= 1) {
		return Knee{}, fmt.Errorf("%w: efficiency fraction %v", stats.ErrInvalid, fraction)
	}
	if len(points) < 2 {
		return Knee{}, fmt.Errorf("%w: a knee needs at least 2 points, got %d", stats.ErrDegenerate, len(points))
	}
	for i, p := range points {
		if math.IsNaN(p.N) || math.IsInf(p.N, 0) || math.IsNaN(p.X) || math.IsInf(p.X, 0) || p.N <= 0 || p.X < 0 {
			return Knee{}, fmt.Errorf("%w: point %d is (N=%v, X=%v)", stats.ErrInvalid, i, p.N, p.X)
		}
		if i > 0 && !(p.N > points[i-1].N) {
			return Knee{}, fmt.Errorf("%w: N is not strictly increasing at index %d", stats.ErrInvalid, i)
		}
	}
	base := points[0].X / points[0].N
	if base == 0 {
		return Knee{}, fmt.Errorf("%w: zero throughput at the lowest concurrency", stats.ErrDegenerate)
	}
	for i, p := range points[1:] {
		if p.X < fraction*base*p.N {
			return Knee{Found: true, Index: i + 1, X: p.N, Y: p.X}, nil
		}
	}
	return Knee{}, nil
}
