package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// An Interval is a confidence interval [Lo, Hi] at confidence Level
// (0.95 for a 95 % interval).
type Interval struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Level float64 `json:"level"`
}

// Contains reports whether x lies in the closed interval.
func (i Interval) Contains(x float64) bool { return i.Lo <= x && x <= i.Hi }

// Width is Hi − Lo.
func (i Interval) Width() float64 { return i.Hi - i.Lo }

// An Estimate is a point estimate with its confidence interval.
type Estimate struct {
	Value float64  `json:"value"`
	CI    Interval `json:"ci"`
}

// checkLevel rejects confidence levels outside (0, 1).
func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return invalidf("confidence level %v is not in (0, 1)", level)
	}
	return nil
}

// zFor returns the two-sided normal critical value for level, e.g. 1.96
// for 0.95.
func zFor(level float64) (float64, error) {
	if err := checkLevel(level); err != nil {
		return 0, err
	}
	return distuv.UnitNormal.Quantile(1 - (1-level)/2), nil
}

// normalTwoSided returns the two-sided p-value of a standard normal z.
// It uses erfc so that tiny p-values do not round to zero.
func normalTwoSided(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// normalUpper returns P(Z ≥ z) for a standard normal Z, accurate in the
// upper tail.
func normalUpper(z float64) float64 {
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// chi2Upper returns P(χ²_df ≥ x).
func chi2Upper(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	return distuv.ChiSquared{K: float64(df)}.Survival(x)
}
