package stats

import (
	"fmt"
	"math"
)

// A Table2x2 counts requests by a factor and an outcome:
//
//	              event   no event
//	exposed         A        B
//	not exposed     C        D
//
// "Exposed" is the factor under suspicion (a stale token, a duplicate ID)
// and "event" the failure.
type Table2x2 struct {
	A int `json:"a"`
	B int `json:"b"`
	C int `json:"c"`
	D int `json:"d"`
}

// N returns the total count.
func (t Table2x2) N() int { return t.A + t.B + t.C + t.D }

func (t Table2x2) check() error {
	if t.A < 0 || t.B < 0 || t.C < 0 || t.D < 0 {
		return invalidf("2×2 table with a negative count %+v", t)
	}
	return nil
}

// A Ratio is a relative risk or odds ratio with its confidence interval.
type Ratio struct {
	Estimate
	// Corrected reports that ½ was added to every cell because one cell
	// was zero (Haldane–Anscombe), so that the ratio and its interval are
	// finite.
	Corrected bool `json:"corrected"`
}

// RelativeRisk returns (A/(A+B)) / (C/(C+D)), the event rate among the
// exposed relative to the others, with the Katz log interval
// exp(log RR ± z·√(1/A − 1/(A+B) + 1/C − 1/(C+D))). When A or C is zero,
// ½ is added to every cell first (Corrected).
//
// It returns ErrInvalid for negative counts or a bad level and
// ErrDegenerate when a row is empty or neither row has events.
func (t Table2x2) RelativeRisk(level float64) (Ratio, error) {
	if err := t.check(); err != nil {
		return Ratio{}, err
	}
	if t.A+t.B == 0 || t.C+t.D == 0 || t.A+t.C == 0 {
		return Ratio{}, fmt.Errorf("%w: relative risk of %+v (an empty row or no events)", ErrDegenerate, t)
	}
	z, err := zFor(level)
	if err != nil {
		return Ratio{}, err
	}
	a, b, c, d := float64(t.A), float64(t.B), float64(t.C), float64(t.D)
	r := Ratio{}
	if t.A == 0 || t.C == 0 {
		a, b, c, d = a+0.5, b+0.5, c+0.5, d+0.5
		r.Corrected = true
	}
	lr := math.Log(a/(a+b)) - math.Log(c/(c+d))
	se := math.Sqrt(1/a - 1/(a+b) + 1/c - 1/(c+d))
	r.Value = math.Exp(lr)
	r.CI = Interval{Lo: math.Exp(lr - z*se), Hi: math.Exp(lr + z*se), Level: level}
	return r, nil
}

// OddsRatio returns A·D / (B·C) with the Woolf (logit) interval
// exp(log OR ± z·√(1/A + 1/B + 1/C + 1/D)). When a cell is zero, ½ is
// added to every cell first (Corrected).
//
// It returns ErrInvalid for negative counts or a bad level and
// ErrDegenerate when a row or column is empty.
func (t Table2x2) OddsRatio(level float64) (Ratio, error) {
	if err := t.check(); err != nil {
		return Ratio{}, err
	}
	if t.A+t.B == 0 || t.C+t.D == 0 || t.A+t.C == 0 || t.B+t.D == 0 {
		return Ratio{}, fmt.Errorf("%w: odds ratio of %+v (an empty row or column)", ErrDegenerate, t)
	}
	z, err := zFor(level)
	if err != nil {
		return Ratio{}, err
	}
	a, b, c, d := float64(t.A), float64(t.B), float64(t.C), float64(t.D)
	r := Ratio{}
	if t.A == 0 || t.B == 0 || t.C == 0 || t.D == 0 {
		a, b, c, d = a+0.5, b+0.5, c+0.5, d+0.5
		r.Corrected = true
	}
	lor := math.Log(a) + math.Log(d) - math.Log(b) - math.Log(c)
	se := math.Sqrt(1/a + 1/b + 1/c + 1/d)
	r.Value = math.Exp(lor)
	r.CI = Interval{Lo: math.Exp(lor - z*se), Hi: math.Exp(lor + z*se), Level: level}
	return r, nil
}

// FisherResult holds the p-values of Fisher's exact test.
type FisherResult struct {
	// TwoSided sums the probabilities of all tables with the same margins
	// that are no more likely than the observed one (R's fisher.test).
	TwoSided float64 `json:"twoSided"`
	// Greater is P(A ≥ observed): evidence that exposure raises the
	// event rate. Less is P(A ≤ observed).
	Greater float64 `json:"greater"`
	Less    float64 `json:"less"`
}

// Fisher runs Fisher's exact test, conditioning on the margins so that A
// is hypergeometric under independence. Probabilities are computed
// relative to the mode by the ratio recurrence in floating point, so
// counts in the millions neither overflow nor cost more than the few
// thousand terms that are not negligible. As in R, tables whose
// probability is within a relative 1e-7 of the observed one count as
// equally likely.
//
// It returns ErrInvalid for negative counts and ErrEmpty for an empty
// table. A table with an empty margin has p = 1.
func (t Table2x2) Fisher() (FisherResult, error) {
	if err := t.check(); err != nil {
		return FisherResult{}, err
	}
	if t.N() == 0 {
		return FisherResult{}, fmt.Errorf("%w: Fisher test of an empty table", ErrEmpty)
	}
	r1, r2, c1 := float64(t.A+t.B), float64(t.C+t.D), float64(t.A+t.C)
	lo := max(0, t.A+t.C-(t.C+t.D))
	hi := min(t.A+t.B, t.A+t.C)
	// ratio returns P(x+1)/P(x).
	ratio := func(x float64) float64 {
		return (r1 - x) * (c1 - x) / ((x + 1) * (r2 - c1 + x + 1))
	}
	// The mode of the hypergeometric distribution.
	mode := int(math.Floor((r1 + 1) * (c1 + 1) / (r1 + r2 + 2)))
	mode = min(max(mode, lo), hi)

	// Relative probability of the observed table.
	obs := 0.0 // log P(A)/P(mode)
	if t.A > mode {
		for x := mode; x < t.A; x++ {
			obs += math.Log(ratio(float64(x)))
		}
	} else {
		for x := mode; x > t.A; x-- {
			obs -= math.Log(ratio(float64(x - 1)))
		}
	}
	relObs := math.Exp(obs)
	cut := relObs * (1 + 1e-7)
	negligible := 1e-17 * min(1, relObs)

	var total, two, less, greater float64
	add := func(x int, p float64) {
		total += p
		if p <= cut {
			two += p
		}
		if x <= t.A {
			less += p
		}
		if x >= t.A {
			greater += p
		}
	}
	add(mode, 1)
	p := 1.0
	for x := mode; x < hi; x++ {
		p *= ratio(float64(x))
		add(x+1, p)
		if x+1 > t.A && (p < negligible || p == 0) {
			break
		}
	}
	p = 1.0
	for x := mode; x > lo; x-- {
		p /= ratio(float64(x - 1))
		add(x-1, p)
		if x-1 < t.A && (p < negligible || p == 0) {
			break
		}
	}
	return FisherResult{
		TwoSided: min(1, two/total),
		Greater:  min(1, greater/total),
		Less:     min(1, less/total),
	}, nil
}
