package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Hollander & Wolfe's permeability data, the example of R's ?wilcox.test.
// R 4.0.1 results as recorded in tidystats' tests
// (WillemSleegers/tidystats, tests/testthat/htest_results.json):
//
//	wilcox.test(x, y, conf.int = TRUE, conf.level = .9)
//	  W = 35, p = 0.254412, estimate 0.305, 90 % CI -0.08 .. 0.72
//	wilcox.test(x, y, alternative = "greater", exact = FALSE, correct = FALSE)
//	  p = 0.110336
var (
	hwX = []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	hwY = []float64{1.15, 0.88, 0.90, 0.74, 1.21}
)

func TestMannWhitneyExactR(t *testing.T) {
	r, err := MannWhitney(hwX, hwY)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact || r.U != 35 {
		t.Errorf("exact %v, U %v", r.Exact, r.U)
	}
	near(t, "exact p", r.P, 0.254412, 1e-6)
	near(t, "normal one-sided p", normalUpper(r.Z), 0.110336, 1e-6)
	near(t, "PSup", r.PSup, 35.0/50, 1e-12)
}

// The two-sided ozone example of R's ?wilcox.test, with ties:
//
//	wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8))
//	W = 127.5, p-value = 0.0001208
//
// (p = 0.000121 in tidystats' record). Data: R datasets::airquality,
// Ozone for May and August, NAs dropped.
func TestMannWhitneyTiesR(t *testing.T) {
	may := []float64{41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6,
		30, 11, 1, 11, 4, 32, 23, 45, 115, 37}
	aug := []float64{39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23,
		31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85}
	r, err := MannWhitney(may, aug)
	if err != nil {
		t.Fatal(err)
	}
	if r.Exact || r.U != 127.5 {
		t.Errorf("exact %v, U %v", r.Exact, r.U)
	}
	near(t, "p", r.P, 0.0001208, 1e-7)
}

// The exact distribution against brute force: every way to choose which
// of the m+n ranks belong to the first sample.
func TestUDistBruteForce(t *testing.T) {
	for _, mn := range [][2]int{{1, 1}, {2, 3}, {4, 4}, {5, 7}, {6, 3}} {
		m, n := mn[0], mn[1]
		counts := make([]float64, m*n+1)
		total := 0.0
		for mask := 0; mask < 1<<(m+n); mask++ {
			if popcount(mask) != m {
				continue
			}
			// U = Σ over first-sample ranks of the second-sample values below.
			u, below := 0, 0
			for r := range m + n {
				if mask>>r&1 == 1 {
					u += below
				} else {
					below++
				}
			}
			counts[u]++
			total++
		}
		got := uDist(m, n)
		for u := range counts {
			near(t, "P(U=u)", got[u], counts[u]/total, 1e-12)
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestHodgesLehmannR(t *testing.T) {
	e, err := HodgesLehmann(hwX, hwY, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "estimate", e.Value, 0.305, 1e-9)
	near(t, "lo", e.CI.Lo, -0.08, 1e-9)
	near(t, "hi", e.CI.Hi, 0.72, 1e-9)
}

// The order statistics found by bisection must be exact differences, on
// large samples with ties and negative values too.
func TestPairDiffsKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 60)
	y := make([]float64, 45)
	for i := range x {
		x[i] = math.Round(rng.NormFloat64()*10) / 4
	}
	for i := range y {
		y[i] = math.Round(rng.NormFloat64()*10+3) / 4
	}
	var all []float64
	for _, a := range x {
		for _, b := range y {
			all = append(all, a-b)
		}
	}
	sortFloats(all)
	sortFloats(x)
	sortFloats(y)
	d := pairDiffs{x: x, y: y}
	for _, k := range []int{1, 2, 17, len(all) / 2, len(all) - 1, len(all)} {
		if got := d.kth(k); got != all[k-1] {
			t.Errorf("kth(%d) = %v, want %v", k, got, all[k-1])
		}
	}
	// Large samples take the normal approximation and still bracket the
	// true shift of 2.
	big := make([]float64, 400)
	small := make([]float64, 300)
	for i := range big {
		big[i] = rng.NormFloat64() + 2
	}
	for i := range small {
		small[i] = rng.NormFloat64()
	}
	e, err := HodgesLehmann(big, small, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if !e.CI.Contains(2) || e.CI.Width() > 0.5 || !e.CI.Contains(e.Value) {
		t.Errorf("shift %+v", e)
	}
}

func sortFloats(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func TestCompareErrors(t *testing.T) {
	if _, err := MannWhitney(nil, []float64{1}); !errors.Is(err, ErrEmpty) {
		t.Error(err)
	}
	if _, err := MannWhitney([]float64{math.NaN()}, []float64{1}); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if _, err := HodgesLehmann([]float64{1}, nil, 0.95); !errors.Is(err, ErrEmpty) {
		t.Error(err)
	}
	if _, err := HodgesLehmann([]float64{1}, []float64{2}, 0); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	// All values tied: no evidence of a shift.
	r, err := MannWhitney([]float64{5, 5, 5}, []float64{5, 5})
	if err != nil || r.P != 1 {
		t.Errorf("all tied: %+v %v", r, err)
	}
	// n = 1 each is a valid, if powerless, exact test.
	r, err = MannWhitney([]float64{1}, []float64{2})
	if err != nil || r.P != 1 || !r.Exact {
		t.Errorf("n=1: %+v %v", r, err)
	}
}

// R's ?cor.test example (Hollander & Wolfe p. 187): cor 0.5711816,
// Spearman's rho 0.6.
func TestCorrelationR(t *testing.T) {
	x := []float64{44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1}
	y := []float64{2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8}
	r, err := Pearson(x, y)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Pearson", r, 0.5711816, 1e-7)
	rho, err := Spearman(x, y)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Spearman", rho, 0.6, 1e-12)
	// Ties take mid-ranks; a monotone but non-linear relation is 1.
	rho, _ = Spearman([]float64{1, 2, 2, 3}, []float64{1, 4, 4, 9})
	near(t, "Spearman with ties", rho, 1, 1e-12)
	// Large, close values (epoch milliseconds) keep full precision.
	ts := []float64{1.7e12, 1.7e12 + 1, 1.7e12 + 2, 1.7e12 + 3}
	r, _ = Pearson(ts, []float64{1, 2, 3, 4})
	near(t, "Pearson of timestamps", r, 1, 1e-12)

	for _, c := range []struct {
		x, y []float64
		want error
	}{
		{[]float64{1, 2}, []float64{1}, ErrInvalid},
		{[]float64{1}, []float64{1}, ErrEmpty},
		{[]float64{1, 1, 1}, []float64{1, 2, 3}, ErrDegenerate},
		{[]float64{1, math.NaN()}, []float64{1, 2}, ErrInvalid},
	} {
		if _, err := Pearson(c.x, c.y); !errors.Is(err, c.want) {
			t.Errorf("Pearson(%v, %v): %v", c.x, c.y, err)
		}
		if _, err := Spearman(c.x, c.y); !errors.Is(err, c.want) {
			t.Errorf("Spearman(%v, %v): %v", c.x, c.y, err)
		}
	}
}

func TestQuantileDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Two runs of 40 windows of 25 requests; run x is 10 ms slower.
	// Each window has its own level (a slow backend minute), so requests
	// within a window are correlated.
	gen := func(shift float64) (v []float64, blocks []int) {
		for w := range 40 {
			level := 100 + 20*rng.NormFloat64()
			for range 25 {
				v = append(v, level+shift+5*rng.NormFloat64())
				blocks = append(blocks, w)
			}
		}
		return v, blocks
	}
	x, xb := gen(10)
	y, yb := gen(0)
	opt := &BootstrapOptions{Resamples: 499, Seed: 1}
	blocked, err := QuantileDiff(x, y, xb, yb, 0.5, opt)
	if err != nil {
		t.Fatal(err)
	}
	naive, err := QuantileDiff(x, y, nil, nil, 0.5, opt)
	if err != nil {
		t.Fatal(err)
	}
	if blocked.Value != naive.Value {
		t.Errorf("estimates differ: %v %v", blocked.Value, naive.Value)
	}
	if !blocked.CI.Contains(10) {
		t.Errorf("blocked CI %+v misses the true shift", blocked.CI)
	}
	// Resampling single requests ignores the window effect and gives a
	// much narrower, overconfident interval.
	if blocked.CI.Width() < 2*naive.CI.Width() {
		t.Errorf("block CI %v not wider than naive %v", blocked.CI.Width(), naive.CI.Width())
	}
	again, _ := QuantileDiff(x, y, xb, yb, 0.5, opt)
	if again != blocked {
		t.Error("not reproducible")
	}
	if _, err := QuantileDiff(x, y, xb[:3], yb, 0.5, opt); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if _, err := QuantileDiff(nil, y, nil, nil, 0.5, opt); !errors.Is(err, ErrEmpty) {
		t.Error(err)
	}
	if _, err := QuantileDiff(x, y, nil, nil, 1.5, opt); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
}
