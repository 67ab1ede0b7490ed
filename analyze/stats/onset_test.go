package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// synth draws grouped data: levels lo..hi in steps, windows windows per
// level (each its own block) of n requests, failure probability rate(x).
// spread > 0 adds a per-window random effect on the logit scale, the
// burstiness of real runs.
func synth(seed uint64, lo, hi, step float64, windows, n int, spread float64, rate func(float64) float64) (x []float64, k, ns, block []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := 0
	for l := lo; l <= hi; l += step {
		for range windows {
			p := rate(l)
			if spread > 0 && p > 0 && p < 1 {
				p = expit(logit(p) + spread*rng.NormFloat64())
			}
			x = append(x, l)
			k = append(k, int(distuv.Binomial{N: float64(n), P: p, Src: rng}.Rand()))
			ns = append(ns, n)
			block = append(block, b)
			b++
		}
	}
	return x, k, ns, block
}

func TestOnsetStep(t *testing.T) {
	// No failures below 50 threads, 60 % at and above: a pool running dry.
	x, k, n, block := synth(1, 10, 100, 5, 4, 50, 0.3, func(x float64) float64 {
		if x >= 50 {
			return 0.6
		}
		return 0
	})
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 7, Resamples: 199, NullResamples: 99})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Found || o.Shape != ShapeStep {
		t.Fatalf("found %v shape %v, want a step onset", o.Found, o.Shape)
	}
	// A step is its own onset: At = ψ = the first failing level.
	if o.At != 50 || o.Psi != 50 || !o.AtCI.Contains(50) || o.AtCI.Width() > 10 || o.PsiCI != o.AtCI {
		t.Errorf("at %v ψ %v, CIs %+v %+v: want 50 inside a narrow interval", o.At, o.Psi, o.AtCI, o.PsiCI)
	}
	near(t, "rate below", o.RateBelow, 0, 0.01)
	near(t, "rate above", o.RateAbove, 0.6, 0.05)
	if !o.Wilson.Found || o.Wilson.Level != 50 {
		t.Errorf("Wilson cross-check %+v, want level 50", o.Wilson)
	}
	if o.P > 0.01 {
		t.Errorf("p = %v", o.P)
	}
}

func TestOnsetHinge(t *testing.T) {
	// 1 % below 50 threads, then the logit climbs 0.12 per thread.
	truth := func(x float64) float64 { return expit(logit(0.01) + 0.12*max(0, x-50)) }
	x, k, n, block := synth(2, 10, 100, 2, 3, 100, 0.2, truth)
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 3, Shape: ShapeHinge, Resamples: 199, NullResamples: 99})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Found || o.Shape != ShapeHinge {
		t.Fatalf("found %v shape %v", o.Found, o.Shape)
	}
	if !o.PsiCI.Contains(50) || o.PsiCI.Width() > 12 || math.Abs(o.Psi-50) > 5 {
		t.Errorf("ψ = %v, CI %+v: want about 50 with a narrow interval", o.Psi, o.PsiCI)
	}
	// The rate reaches 1 % + 1 % where 0.12·(x − 50) = logit 0.02 − logit 0.01.
	at := 50 + (logit(0.02)-logit(0.01))/0.12
	if !o.AtCI.Contains(at) || o.AtCI.Width() > 10 || math.Abs(o.At-at) > 4 {
		t.Errorf("at = %v, CI %+v: want about %.1f", o.At, o.AtCI, at)
	}
	near(t, "rate below", o.RateBelow, 0.01, 0.01)
	near(t, "slope", o.Coef[1], 0.12, 0.04)
	near(t, "rate at max", o.RateAtMax, truth(100), 0.05)
	// The Wilson cross-check needs a clear excess at one level, so it
	// lands at or after the hinge.
	if !o.Wilson.Found || o.Wilson.Level < 50 || o.Wilson.Level > 70 {
		t.Errorf("Wilson cross-check %+v", o.Wilson)
	}
}

func TestOnsetFlat(t *testing.T) {
	for seed := range uint64(3) {
		x, k, n, block := synth(10+seed, 10, 100, 10, 4, 80, 0.3, func(float64) float64 { return 0.05 })
		o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if o.Found {
			t.Errorf("seed %d: flat 5 %% rate reported an onset: %+v", seed, o)
		}
		if o.AtCI != (Interval{}) || o.PsiCI != (Interval{}) || o.Resamples != 0 {
			t.Errorf("seed %d: interval without an onset: %+v", seed, o)
		}
	}
	// Falling failure rates are not an onset either.
	x, k, n, block := synth(5, 10, 100, 10, 4, 80, 0, func(x float64) float64 { return 0.5 - x/250 })
	o, err := EstimateOnset(x, k, n, block, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Found {
		t.Errorf("decreasing rate reported an onset: %+v", o)
	}
	// No failures at all.
	o, err = EstimateOnset([]float64{1, 2, 3}, []int{0, 0, 0}, []int{9, 9, 9}, nil, nil)
	if err != nil || o.Found || o.RateAbove != 0 {
		t.Errorf("no failures: %+v, %v", o, err)
	}
}

func TestOnsetReproducible(t *testing.T) {
	x, k, n, block := synth(4, 10, 60, 5, 2, 40, 0, func(x float64) float64 {
		if x >= 35 {
			return 0.3
		}
		return 0.01
	})
	opt := &OnsetOptions{Seed: 99, Resamples: 99, NullResamples: 49}
	a, err := EstimateOnset(x, k, n, block, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EstimateOnset(x, k, n, block, opt)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
}

// The resamples are fitted on every core; the result must not depend on
// how many there are, or on which goroutine fitted which data set. The
// resample counts are not multiples of the chunk, so partial chunks run.
func TestOnsetSameOnAnyCores(t *testing.T) {
	x, k, n, block := synth(7, 5, 80, 5, 3, 30, 0.3, func(x float64) float64 {
		if x >= 40 {
			return 0.05 + 0.02*(x-40)
		}
		return 0.02
	})
	opt := &OnsetOptions{Seed: 3, Resamples: 77, NullResamples: 45}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, err := EstimateOnset(x, k, n, block, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !one.Found || one.Resamples == 0 {
		t.Fatalf("no onset found, the test would check nothing: %+v", one)
	}
	for _, procs := range []int{2, 5} {
		runtime.GOMAXPROCS(procs)
		many, err := EstimateOnset(x, k, n, block, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one, many) {
			t.Errorf("GOMAXPROCS=%d gives another result:\n%+v\n%+v", procs, one, many)
		}
	}
}

func TestOnsetErrors(t *testing.T) {
	cases := []struct {
		name  string
		x     []float64
		k, n  []int
		block []int
		opt   *OnsetOptions
		want  error
	}{
		{"lengths", []float64{1, 2}, []int{0}, []int{1, 1}, nil, nil, ErrInvalid},
		{"blocks", []float64{1, 2, 3}, []int{0, 1, 1}, []int{1, 1, 1}, []int{1}, nil, ErrInvalid},
		{"NaN", []float64{1, math.NaN(), 3}, []int{0, 1, 1}, []int{1, 1, 1}, nil, nil, ErrInvalid},
		{"k>n", []float64{1, 2, 3}, []int{0, 2, 1}, []int{1, 1, 1}, nil, nil, ErrInvalid},
		{"empty", nil, nil, nil, nil, nil, ErrEmpty},
		{"no trials", []float64{1, 2, 3}, []int{0, 0, 0}, []int{0, 0, 0}, nil, nil, ErrEmpty},
		{"two levels", []float64{1, 2, 2}, []int{0, 1, 1}, []int{5, 5, 5}, nil, nil, ErrDegenerate},
		{"level", []float64{1, 2, 3}, []int{0, 1, 1}, []int{5, 5, 5}, nil, &OnsetOptions{Level: 2}, ErrInvalid},
		{"shape", []float64{1, 2, 3}, []int{0, 1, 1}, []int{5, 5, 5}, nil, &OnsetOptions{Shape: 9}, ErrInvalid},
	}
	for _, c := range cases {
		if _, err := EstimateOnset(c.x, c.k, c.n, c.block, c.opt); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestOnsetSegmented(t *testing.T) {
	// The rate already drifts up with concurrency and turns up at 60.
	truth := func(x float64) float64 { return expit(-4 + 0.02*x + 0.15*max(0, x-60)) }
	x, k, n, block := synth(6, 10, 100, 5, 3, 200, 0.1, truth)
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 1, Shape: ShapeSegmented, Resamples: 199, NullResamples: 99})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Found || o.Shape != ShapeSegmented || len(o.Coef) != 3 {
		t.Fatalf("%+v", o)
	}
	if !o.PsiCI.Contains(60) || o.PsiCI.Width() > 15 {
		t.Errorf("ψ = %v, CI %+v: want about 60", o.Psi, o.PsiCI)
	}
	// The onset of the true curve, read off as for the fit.
	at, ok := benchmark(ShapeSegmented, []float64{-4, 0.15, 0.02}, 60, 100, 0.01)
	if !ok || !o.AtCI.Contains(at) || o.AtCI.Width() > 10 {
		t.Errorf("at = %v, CI %+v: want about %.1f", o.At, o.AtCI, at)
	}
	near(t, "slope below", o.Coef[2], 0.02, 0.01)
	near(t, "intercept", o.Coef[0], -4, 0.5)
}

// A run of 20 levels × 10 windows with the default 499 + 199 resamples.
func BenchmarkEstimateOnset(b *testing.B) {
	x, k, n, block := synth(1, 5, 100, 5, 10, 100, 0.3, func(x float64) float64 {
		return expit(logit(0.01) + 0.1*max(0, x-50))
	})
	b.ReportAllocs()
	for i := range b.N {
		if _, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: uint64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// A rise that is real but smaller than Delta is no onset.
func TestOnsetBelowDelta(t *testing.T) {
	x, k, n, block := synth(8, 10, 100, 10, 5, 4000, 0, func(x float64) float64 {
		return expit(logit(0.001) + 0.015*max(0, x-40)) // 0.1 % to 0.25 %
	})
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 2, Resamples: 99, NullResamples: 99, Shape: ShapeHinge})
	if err != nil {
		t.Fatal(err)
	}
	if o.P >= 0.05 {
		t.Fatalf("rise not detected: %+v", o)
	}
	if o.Found {
		t.Errorf("a 0.15-point rise counted as an onset at %v", o.At)
	}
	o, err = EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 2, Resamples: 99, NullResamples: 99, Shape: ShapeHinge, Delta: 0.0005})
	if err != nil || !o.Found || o.At < 40 {
		t.Errorf("with Delta 0.05 %%: %+v %v", o, err)
	}
}

func TestBenchmarkClosedForm(t *testing.T) {
	// Hinge: expit(b0 + b1(x − ψ)) = expit(b0) + δ.
	b0, b1, psi := logit(0.03), 0.2, 40.0
	want := psi + (logit(0.03+0.02)-b0)/b1
	got, ok := benchmark(ShapeHinge, []float64{b0, b1}, psi, 100, 0.02)
	if !ok {
		t.Fatal("not reached")
	}
	near(t, "hinge benchmark", got, want, 1e-9)
	if _, ok := benchmark(ShapeHinge, []float64{b0, b1}, psi, 41, 0.02); ok {
		t.Error("reached beyond the top level")
	}
	if _, ok := benchmark(ShapeStep, []float64{logit(0.5), 0.01}, psi, 100, 0.02); ok {
		t.Error("a step of 0.25 points reached 2 points")
	}
}
