package stats

import (
	"math"
	"testing"
)

// The fuzz targets feed arbitrary bytes, read as small counts and
// concurrency levels, to the model fits: whatever the data, they must
// return a result or an error, never panic or return NaN.

func rowsFrom(data []byte) (x []float64, k, n, block []int) {
	for i := 0; i+2 < len(data) && len(x) < 40; i += 3 {
		nn := int(data[i+1] % 60)
		x = append(x, float64(data[i]%32))
		n = append(n, nn)
		k = append(k, int(data[i+2])%(nn+1))
		block = append(block, int(data[i+2]%5))
	}
	return x, k, n, block
}

func FuzzEstimateOnset(f *testing.F) {
	f.Add([]byte{1, 20, 0, 2, 20, 0, 3, 20, 0, 4, 20, 10, 5, 20, 12, 6, 20, 15})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		x, k, n, block := rowsFrom(data)
		o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Resamples: 19, NullResamples: 9, Seed: 1})
		if err != nil {
			return
		}
		for _, v := range []float64{o.Psi, o.At, o.RateBelow, o.RateAbove, o.RateAtMax, o.LR, o.P, o.AtCI.Lo, o.AtCI.Hi, o.PsiCI.Lo, o.PsiCI.Hi} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite result %+v", o)
			}
		}
	})
}

func FuzzFitLogistic(f *testing.F) {
	f.Add([]byte{1, 20, 0, 2, 20, 3, 3, 20, 9}, false)
	f.Add([]byte{1, 20, 0, 2, 20, 0, 3, 20, 20}, true)
	f.Fuzz(func(t *testing.T, data []byte, firth bool) {
		x, k, n, _ := rowsFrom(data)
		cov := make([][]float64, len(x))
		for i, v := range x {
			cov[i] = []float64{v, v * v}
		}
		fit, err := FitLogistic(cov, k, n, &LogisticOptions{Firth: firth})
		if err != nil {
			return
		}
		if !finite(fit.Coef) || !finite(fit.SE) || math.IsNaN(fit.LogLik) {
			t.Fatalf("non-finite fit %+v", fit)
		}
	})
}

func FuzzFisher(f *testing.F) {
	f.Add(uint32(3), uint32(1), uint32(1), uint32(3))
	f.Fuzz(func(t *testing.T, a, b, c, d uint32) {
		tb := Table2x2{int(a % 5000), int(b % 5000), int(c % 5000), int(d % 5000)}
		r, err := tb.Fisher()
		if err != nil {
			return
		}
		for _, p := range []float64{r.TwoSided, r.Less, r.Greater} {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("%+v: %+v", tb, r)
			}
		}
		if r.Less+r.Greater < 1-1e-9 {
			t.Fatalf("%+v: one-sided p-values %+v do not cover the observed table", tb, r)
		}
	})
}
