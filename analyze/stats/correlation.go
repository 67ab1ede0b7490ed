package stats

import (
	"fmt"
	"math"
)

// Pearson returns the Pearson correlation of x and y. Use it (or Spearman
// for monotone rather than linear relations) to ask whether two factors can
// be told apart in a run: when concurrency and token age move together
// (|r| near 1) no analysis of that run can separate their effects.
//
// It returns ErrInvalid for slices of different lengths or NaN, ErrEmpty
// for fewer than two pairs and ErrDegenerate when either variable is
// constant.
func Pearson(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, invalidf("correlation of %d and %d values", len(x), len(y))
	}
	if len(x) < 2 {
		return 0, fmt.Errorf("%w: correlation of %d pairs", ErrEmpty, len(x))
	}
	if !finite(x) || !finite(y) {
		return 0, invalidf("NaN or infinite value")
	}
	// Two passes, centring first: one-pass sums lose everything to
	// cancellation when the values are large and close (timestamps).
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, fmt.Errorf("%w: correlation with a constant variable", ErrDegenerate)
	}
	r := sxy / math.Sqrt(sxx*syy)
	return max(-1, min(1, r)), nil
}

// Spearman returns Spearman's rank correlation: Pearson's on mid-ranks,
// so ties are handled as in R's cor(method = "spearman"). Errors are those
// of Pearson.
func Spearman(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, invalidf("correlation of %d and %d values", len(x), len(y))
	}
	if !finite(x) || !finite(y) {
		return 0, invalidf("NaN or infinite value")
	}
	rx, _ := midranks(x)
	ry, _ := midranks(y)
	return Pearson(rx, ry)
}
