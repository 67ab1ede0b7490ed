package stats

import (
	"errors"
	"math"
	"testing"
)

// The budworm data of Venables & Ripley, Modern Applied Statistics with
// S, §7.2 (Collett 1991): 20 moths per dose of trans-cypermethrin, log2
// dose 0..5, by sex. R:
//
//	glm(cbind(dead, alive) ~ sex * logconc, family = binomial)
//
// gives, with females as the reference level (published output quoted at
// otexts.org/node/695 and in MASS):
//
//	(Intercept)  -2.9935  0.5527
//	sexm          0.1750  0.7783
//	logconc       0.9060  0.1671
//	sexm:logconc  0.3529  0.2700
//	Null deviance: 124.8756 on 11 df; Residual deviance: 4.9937 on 8 df
//	AIC: 43.104
func budworm() (x [][]float64, k, n []int) {
	dead := map[bool][]int{
		true:  {1, 4, 9, 13, 18, 20}, // males
		false: {0, 2, 6, 10, 12, 16}, // females
	}
	for _, male := range []bool{true, false} {
		for dose := range 6 {
			m := 0.0
			if male {
				m = 1
			}
			x = append(x, []float64{m, float64(dose), m * float64(dose)})
			k = append(k, dead[male][dose])
			n = append(n, 20)
		}
	}
	return x, k, n
}

func TestLogisticBudworm(t *testing.T) {
	x, k, n := budworm()
	f, err := FitLogistic(x, k, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ coef, se float64 }{
		{-2.9935, 0.5527}, {0.1750, 0.7783}, {0.9060, 0.1671}, {0.3529, 0.2700},
	}
	for j, w := range want {
		near(t, "coef", f.Coef[j], w.coef, 6e-5)
		near(t, "se", f.SE[j], w.se, 6e-5)
	}
	near(t, "deviance", f.Deviance, 4.9937, 6e-5)
	near(t, "null deviance", f.NullDeviance, 124.8756, 6e-5)
	near(t, "AIC", -2*f.LogLik+2*4, 43.104, 6e-4)
	if f.DF != 8 || !f.Converged {
		t.Errorf("df %d converged %v", f.DF, f.Converged)
	}
	if p := f.Prob([]float64{0, 3, 0}); math.Abs(p-expit(-2.9935+3*0.9060)) > 1e-3 {
		t.Errorf("Prob = %v", p)
	}
}

// In a 2×2 table the logistic model is saturated, so maximum likelihood
// reproduces the observed log odds ratio, and Firth's estimate is the log
// odds ratio after adding ½ to every cell (each group's hat value is 1, so
// the modified score gives p̂ = (k + ½)/(n + 1); Heinze & Schemper 2002).
// The second table is separated: no failures in the first group.
func TestLogisticTwoGroups(t *testing.T) {
	x := [][]float64{{0}, {1}}
	for _, c := range []struct{ k0, n0, k1, n1 int }{{3, 20, 9, 15}, {0, 10, 7, 10}} {
		k, n := []int{c.k0, c.k1}, []int{c.n0, c.n1}
		lor := func(add float64) float64 {
			a, b := float64(c.k1)+add, float64(c.n1-c.k1)+add
			cc, d := float64(c.k0)+add, float64(c.n0-c.k0)+add
			return math.Log(a * d / (b * cc))
		}
		fi, err := FitLogistic(x, k, n, &LogisticOptions{Firth: true})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "Firth slope", fi.Coef[1], lor(0.5), 1e-8)
		near(t, "Firth intercept", fi.Coef[0], logit((float64(c.k0)+0.5)/float64(c.n0+1)), 1e-8)
		// I(β)⁻¹ of the saturated model: var(logit p̂_g) = 1/(n_g·p_g·(1−p_g))
		// at the Firth rates p_g = (k_g + ½)/(n_g + 1).
		v := 0.0
		for _, g := range [][2]int{{c.k0, c.n0}, {c.k1, c.n1}} {
			p := (float64(g[0]) + 0.5) / float64(g[1]+1)
			v += 1 / (float64(g[1]) * p * (1 - p))
		}
		near(t, "Firth SE", fi.SE[1], math.Sqrt(v), 1e-6)

		ml, err := FitLogistic(x, k, n, nil)
		if c.k0 == 0 {
			if !errors.Is(err, ErrSeparation) {
				t.Errorf("ML on separated data: err = %v, want ErrSeparation", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		near(t, "ML slope", ml.Coef[1], lor(0), 1e-8)
		near(t, "saturated deviance", ml.Deviance, 0, 1e-8)
	}
}

// Cross-check IRLS against the definition: at the estimate, the
// (penalised) log-likelihood, written out directly, must have zero
// gradient and be lower in every direction. The data have a continuous
// covariate and no failures at low concurrency.
func TestLogisticIsStationaryPoint(t *testing.T) {
	conc := []float64{10, 20, 30, 40, 50, 60, 70, 80}
	k := []int{0, 0, 0, 0, 3, 8, 15, 30}
	n := []int{40, 40, 40, 40, 40, 40, 40, 40}
	x := make([][]float64, len(conc))
	for i, c := range conc {
		x[i] = []float64{c / 10}
	}
	for _, firth := range []bool{false, true} {
		f, err := FitLogistic(x, k, n, &LogisticOptions{Firth: firth})
		if err != nil {
			t.Fatal(err)
		}
		objective := func(b0, b1 float64) float64 {
			var ll, i00, i01, i11 float64
			for i, r := range x {
				mu := 1 / (1 + math.Exp(-(b0 + b1*r[0])))
				ll += float64(k[i])*math.Log(mu) + float64(n[i]-k[i])*math.Log(1-mu)
				w := float64(n[i]) * mu * (1 - mu)
				i00 += w
				i01 += w * r[0]
				i11 += w * r[0] * r[0]
			}
			if firth {
				ll += 0.5 * math.Log(i00*i11-i01*i01)
			}
			return ll
		}
		b0, b1 := f.Coef[0], f.Coef[1]
		const h = 1e-5
		g0 := (objective(b0+h, b1) - objective(b0-h, b1)) / (2 * h)
		g1 := (objective(b0, b1+h) - objective(b0, b1-h)) / (2 * h)
		near(t, "gradient b0", g0, 0, 1e-5)
		near(t, "gradient b1", g1, 0, 1e-5)
		top := objective(b0, b1)
		for _, d := range [][2]float64{{1, 0}, {0, 1}, {1, 1}, {1, -1}} {
			for _, s := range []float64{1e-3, -1e-3} {
				if v := objective(b0+s*d[0], b1+s*d[1]); v > top {
					t.Errorf("firth=%v: objective rises from %v to %v along %v", firth, top, v, d)
				}
			}
		}
		got := f.PenalizedLogLik
		for i := range k {
			got -= lchoose(float64(n[i]), float64(k[i]))
		}
		near(t, "objective", got, top, 1e-9)
	}
	if _, err := FitLogistic(x, k, n, nil); err != nil {
		t.Errorf("ML on overlapping data: %v", err)
	}
}

func TestLogisticDegenerate(t *testing.T) {
	cases := []struct {
		name string
		x    [][]float64
		k, n []int
		opt  *LogisticOptions
		want error
	}{
		{"lengths", [][]float64{{1}}, []int{1, 2}, []int{3, 3}, nil, ErrInvalid},
		{"k>n", [][]float64{{1}}, []int{4}, []int{3}, nil, ErrInvalid},
		{"NaN", [][]float64{{math.NaN()}, {1}}, []int{1, 1}, []int{3, 3}, nil, ErrInvalid},
		{"ragged", [][]float64{{1}, {1, 2}}, []int{1, 1}, []int{3, 3}, nil, ErrInvalid},
		{"no trials", [][]float64{{1}, {2}}, []int{0, 0}, []int{0, 0}, nil, ErrEmpty},
		{"empty", nil, nil, nil, nil, ErrEmpty},
		{"one row two coefficients", [][]float64{{1}}, []int{1}, []int{3}, nil, ErrSingular},
		{"collinear", [][]float64{{1, 2}, {2, 4}, {3, 6}}, []int{1, 2, 1}, []int{5, 5, 5}, nil, ErrSingular},
		{"all zero ML", [][]float64{{1}, {2}, {3}}, []int{0, 0, 0}, []int{5, 5, 5}, nil, ErrSeparation},
		{"complete separation", [][]float64{{1}, {2}, {3}, {4}}, []int{0, 0, 5, 5}, []int{5, 5, 5, 5}, nil, ErrSeparation},
		{"no coefficients", [][]float64{{}}, []int{1}, []int{2}, &LogisticOptions{NoIntercept: true}, ErrInvalid},
	}
	for _, c := range cases {
		if _, err := FitLogistic(c.x, c.k, c.n, c.opt); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// Firth copes with the all-zero and separated cases.
	f, err := FitLogistic([][]float64{{1}, {2}, {3}, {4}}, []int{0, 0, 5, 5}, []int{5, 5, 5, 5}, &LogisticOptions{Firth: true})
	if err != nil {
		t.Fatal(err)
	}
	if !(f.Coef[1] > 0 && f.Coef[1] < 20) {
		t.Errorf("Firth slope on separated data = %v, want finite and positive", f.Coef[1])
	}
	f, err = FitLogistic([][]float64{{}, {}}, []int{0, 0}, []int{5, 5}, &LogisticOptions{Firth: true})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Firth rate of 0 in 10", expit(f.Coef[0]), 0.5/11, 1e-9)
}

func BenchmarkFitLogisticFirth(b *testing.B) {
	x, k, n := budworm()
	b.ReportAllocs()
	for range b.N {
		if _, err := FitLogistic(x, k, n, &LogisticOptions{Firth: true}); err != nil {
			b.Fatal(err)
		}
	}
}
