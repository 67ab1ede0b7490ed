package stats

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// Expected values from statsmodels' test suite
// (statsmodels/stats/tests/test_contingency_tables.py, Test2x2_1).
func TestRatiosStatsmodels(t *testing.T) {
	tb := Table2x2{2, 2, 2, 2}
	rr, err := tb.RelativeRisk(0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "RR", rr.Value, 1, 1e-12)
	near(t, "RR lo", rr.CI.Lo, 0.25009765325990629, 1e-9)
	near(t, "RR hi", rr.CI.Hi, 3.9984381579173824, 1e-9)
	or, err := tb.OddsRatio(0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "OR lo", or.CI.Lo, 0.062548836166112329, 1e-9)
	near(t, "OR hi", or.CI.Hi, 15.987507702689751, 1e-9)
	if rr.Corrected || or.Corrected {
		t.Error("corrected without zero cells")
	}
}

func TestRatiosZeroCells(t *testing.T) {
	// No exposed failures: ½ is added to every cell.
	tb := Table2x2{A: 0, B: 5, C: 3, D: 2}
	or, err := tb.OddsRatio(0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !or.Corrected {
		t.Error("not corrected")
	}
	near(t, "OR", or.Value, 0.5*2.5/(5.5*3.5), 1e-12)
	se := math.Sqrt(1/0.5 + 1/5.5 + 1/3.5 + 1/2.5)
	near(t, "OR hi", or.CI.Hi, or.Value*math.Exp(1.959963984540054*se), 1e-9)
	rr, err := tb.RelativeRisk(0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "RR", rr.Value, (0.5/6)/(3.5/6), 1e-12)

	for _, bad := range []Table2x2{{0, 0, 1, 2}, {1, 2, 0, 0}, {0, 3, 0, 4}} {
		if _, err := bad.RelativeRisk(0.95); !errors.Is(err, ErrDegenerate) {
			t.Errorf("RR of %+v: %v", bad, err)
		}
		if _, err := bad.OddsRatio(0.95); !errors.Is(err, ErrDegenerate) {
			t.Errorf("OR of %+v: %v", bad, err)
		}
	}
	if _, err := (Table2x2{-1, 1, 1, 1}).OddsRatio(0.95); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative count: %v", err)
	}
	if _, err := (Table2x2{1, 1, 1, 1}).OddsRatio(1.5); !errors.Is(err, ErrInvalid) {
		t.Errorf("level 1.5: %v", err)
	}
}

// R's ?fisher.test examples, with the values R 4.0.1 printed as recorded
// in tidystats' tests (WillemSleegers/tidystats,
// tests/testthat/htest_results.json) and R's help page.
func TestFisherR(t *testing.T) {
	// TeaTasting: matrix(c(3, 1, 1, 3)), alternative = "greater".
	f, err := Table2x2{3, 1, 1, 3}.Fisher()
	if err != nil {
		t.Fatal(err)
	}
	near(t, "tea greater", f.Greater, 0.242857, 1e-6)
	near(t, "tea two-sided", f.TwoSided, 0.4857, 1e-4)
	// Convictions: matrix(c(2, 10, 15, 3), nrow = 2).
	f, err = Table2x2{2, 15, 10, 3}.Fisher()
	if err != nil {
		t.Fatal(err)
	}
	near(t, "convictions two-sided", f.TwoSided, 0.000537, 1e-6)
	near(t, "convictions less", f.Less, 0.0004652, 1e-7)
}

// exactFisher computes the p-values with exact rational arithmetic.
func exactFisher(tb Table2x2) (two, greater, less float64) {
	r1, r2, c1 := int64(tb.A+tb.B), int64(tb.C+tb.D), int64(tb.A+tb.C)
	lo, hi := max(0, c1-r2), min(r1, c1)
	prob := func(x int64) *big.Int {
		return new(big.Int).Mul(new(big.Int).Binomial(r1, x), new(big.Int).Binomial(r2, c1-x))
	}
	obs := prob(int64(tb.A))
	tot, tw, gr, ls := new(big.Int), new(big.Int), new(big.Int), new(big.Int)
	for x := lo; x <= hi; x++ {
		p := prob(x)
		tot.Add(tot, p)
		if p.Cmp(obs) <= 0 {
			tw.Add(tw, p)
		}
		if x >= int64(tb.A) {
			gr.Add(gr, p)
		}
		if x <= int64(tb.A) {
			ls.Add(ls, p)
		}
	}
	ratio := func(a *big.Int) float64 {
		f, _ := new(big.Rat).SetFrac(a, tot).Float64()
		return f
	}
	return ratio(tw), ratio(gr), ratio(ls)
}

func TestFisherExactArithmetic(t *testing.T) {
	for _, tb := range []Table2x2{
		{0, 10, 7, 3}, {5, 0, 0, 5}, {1, 1, 1, 1}, {120, 80, 90, 110},
		{3, 250, 0, 260}, {40, 2, 1, 60}, {0, 0, 3, 4}, {13, 7, 7, 13},
	} {
		f, err := tb.Fisher()
		if err != nil {
			t.Fatal(err)
		}
		two, gr, ls := exactFisher(tb)
		near(t, "two-sided", f.TwoSided, two, 1e-9)
		near(t, "greater", f.Greater, gr, 1e-9)
		near(t, "less", f.Less, ls, 1e-9)
	}
}

func TestFisherLargeCounts(t *testing.T) {
	// Millions of requests: no overflow, and the exact p-value agrees
	// with the χ² approximation, which is good at this size.
	tb := Table2x2{1_000_000, 1_000_000, 1_001_500, 998_500}
	f, err := tb.Fisher()
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, d := 1e6, 1e6, 1_001_500.0, 998_500.0
	n := a + b + c + d
	chi2 := n * (a*d - b*c) * (a*d - b*c) / ((a + b) * (c + d) * (a + c) * (b + d))
	want := chi2Upper(chi2, 1)
	if math.Abs(f.TwoSided-want) > 0.05*want {
		t.Errorf("two-sided p = %v, χ² gives %v", f.TwoSided, want)
	}
	f, err = Table2x2{2_000_000, 1_000_000, 1_000_000, 2_000_000}.Fisher()
	if err != nil || f.TwoSided != 0 || f.Less != 1 {
		t.Errorf("overwhelming association: %+v %v", f, err)
	}
	if _, err := (Table2x2{}).Fisher(); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty table: %v", err)
	}
}

// Expected values from statsmodels' test suite
// (test_contingency_tables.py TestStratified1–3), computed there with R's
// mantelhaen.test and DescTools::BreslowDayTest. The first set has zero
// cells and empty margins; the third is the UC Berkeley admissions data
// (Agresti).
func TestCMHStatsmodels(t *testing.T) {
	cases := []struct {
		tables              []Table2x2
		or, lo, hi, chi2, p float64
		bd, bdP, tarone     float64
	}{
		{
			tables: []Table2x2{{0, 0, 6, 5}, {3, 0, 3, 6}, {6, 2, 0, 4}, {5, 6, 1, 0}, {2, 5, 0, 0}},
			or:     7, lo: 1.026713, hi: 47.725133, chi2: 3.9286, p: 0.04747,
		},
		{
			tables: []Table2x2{{20, 14, 10, 24}, {15, 12, 3, 15}, {3, 2, 3, 2}, {12, 3, 7, 5}, {1, 0, 3, 2}},
			or:     3.5912, lo: 1.781135, hi: 7.240633, chi2: 11.8852, p: 0.0005658,
			bd: 1.8438, bdP: 0.7645, tarone: 1.8436,
		},
		{
			tables: []Table2x2{{313, 512, 19, 89}, {207, 353, 8, 17}, {205, 120, 391, 202},
				{278, 139, 244, 131}, {138, 53, 299, 94}, {351, 22, 317, 24}},
			or: 1.101879, lo: 0.9402012, hi: 1.2913602, chi2: 1.3368, p: 0.2476,
			bd: 18.83297, bdP: 0.002064786, tarone: 18.83297,
		},
	}
	for i, c := range cases {
		m, err := CMH(c.tables, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "pooled OR", m.OddsRatio.Value, c.or, 1e-4)
		near(t, "OR lo", m.OddsRatio.CI.Lo, c.lo, 1e-6)
		near(t, "OR hi", m.OddsRatio.CI.Hi, c.hi, 1e-6)
		near(t, "CMH χ²", m.Chi2, c.chi2, 1e-4)
		near(t, "CMH p", m.P, c.p, 1e-4)
		if c.bd == 0 {
			continue
		}
		h, err := BreslowDay(c.tables)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "Breslow–Day", h.Chi2, c.bd, 1e-4)
		near(t, "Breslow–Day p", h.P, c.bdP, 1e-4)
		near(t, "Tarone", h.Tarone, c.tarone, 1e-4)
		if h.DF != len(c.tables)-1 {
			t.Errorf("case %d: df %d", i, h.DF)
		}
	}
}

func TestCMHByHand(t *testing.T) {
	// One stratum: MH odds ratio = sample odds ratio, and the
	// uncorrected CMH statistic is (n−1)/n times Pearson's χ².
	tb := Table2x2{12, 8, 5, 15}
	m, err := CMH([]Table2x2{tb}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "OR", m.OddsRatio.Value, 12.0*15/(8*5), 1e-12)
	n := 40.0
	pearson := n * (12*15 - 8*5) * (12*15 - 8*5) / (20 * 20 * 17 * 23)
	near(t, "χ²", m.Chi2Uncorrected, pearson*(n-1)/n, 1e-12)
	// With one stratum the RBG variance reduces to Woolf's.
	near(t, "log SE", m.LogSE, math.Sqrt(1.0/12+1.0/8+1.0/5+1.0/15), 1e-12)

	// Identical strata are homogeneous.
	h, err := BreslowDay([]Table2x2{tb, tb, tb})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Breslow–Day of identical strata", h.Chi2, 0, 1e-9)

	for _, bad := range [][]Table2x2{nil, {{1, 0, 0, 0}}, {{5, 0, 5, 0}, {3, 0, 2, 0}}, {{4, 0, 0, 4}}} {
		if _, err := CMH(bad, 0.95); err == nil {
			t.Errorf("CMH of %+v: no error", bad)
		}
	}
	if _, err := BreslowDay([]Table2x2{tb}); !errors.Is(err, ErrDegenerate) {
		t.Errorf("Breslow–Day of one stratum: %v", err)
	}
}
