package stats

import (
	"fmt"
	"math"
)

// Number is the set of element types QuantileSorted accepts;
// time.Duration is one of them.
type Number interface {
	~int | ~int32 | ~int64 | ~uint32 | ~float32 | ~float64
}

// QuantileSorted returns the p-quantile (0 ≤ p ≤ 1) of values sorted in
// ascending order, using the estimator of JMeter's HTML dashboard: Apache
// Commons Math Percentile with its default "LEGACY" estimation. With n
// values it takes pos = p·(n+1); pos < 1 gives the minimum, pos ≥ n the
// maximum, and otherwise it interpolates linearly between the order
// statistics at ⌊pos⌋ and ⌊pos⌋+1 (1-based). So the median of 1..4 is 2.5
// and p = 0.9 of five values is their maximum.
//
// It returns ErrEmpty for no values and ErrInvalid when p is NaN or
// outside [0, 1], or when sorted is not sorted (NaN counts as unsorted).
// The check costs one pass; callers that compute many quantiles of a large
// slice should use a Durations, which sorts once.
func QuantileSorted[T Number](sorted []T, p float64) (float64, error) {
	if len(sorted) == 0 {
		return 0, fmt.Errorf("%w: quantile of no values", ErrEmpty)
	}
	if err := checkP(p); err != nil {
		return 0, err
	}
	for i := 1; i < len(sorted); i++ {
		// Written as a negation so that NaN (which compares false) fails.
		if !(sorted[i] >= sorted[i-1]) {
			return 0, invalidf("values are not sorted at index %d", i)
		}
	}
	if v := sorted[0]; v != v { // NaN, the only value unequal to itself
		return 0, invalidf("NaN value")
	}
	return legacy(len(sorted), p, func(i int) float64 { return float64(sorted[i]) }), nil
}

func checkP(p float64) error {
	if !(p >= 0 && p <= 1) {
		return invalidf("quantile probability %v is not in [0, 1]", p)
	}
	return nil
}

// legacy is the Commons Math LEGACY estimator over n order statistics,
// at(i) returning the (i+1)-th smallest. n must be positive.
func legacy(n int, p float64, at func(i int) float64) float64 {
	if n == 1 {
		return at(0)
	}
	pos := p * float64(n+1)
	if pos < 1 {
		return at(0)
	}
	if pos >= float64(n) {
		return at(n - 1)
	}
	fpos := math.Floor(pos)
	i := int(fpos) // 1-based rank of the lower order statistic
	lo, hi := at(i-1), at(i)
	return lo + (pos-fpos)*(hi-lo)
}
