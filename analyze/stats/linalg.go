package stats

import "math"

// The models here have a handful of parameters, and the onset search fits
// them hundreds of thousands of times, so a small allocation-free Cholesky
// on flat row-major p×p slices serves better than a general matrix type.

// cholesky overwrites the lower triangle of the symmetric positive
// definite a (p×p) with L such that a = L·Lᵀ. It reports false when a is
// not numerically positive definite: a pivot at or below 1e-12 of its
// diagonal entry means the columns are collinear to working precision.
func cholesky(a []float64, p int) bool {
	for j := 0; j < p; j++ {
		d := a[j*p+j]
		orig := d
		for k := 0; k < j; k++ {
			d -= a[j*p+k] * a[j*p+k]
		}
		if !(d > 1e-12*orig) || math.IsInf(d, 0) {
			return false
		}
		d = math.Sqrt(d)
		a[j*p+j] = d
		for i := j + 1; i < p; i++ {
			s := a[i*p+j]
			for k := 0; k < j; k++ {
				s -= a[i*p+k] * a[j*p+k]
			}
			a[i*p+j] = s / d
		}
	}
	return true
}

// cholSolve solves L·Lᵀ·x = b in place of b.
func cholSolve(l []float64, p int, b []float64) {
	for i := 0; i < p; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*p+k] * b[k]
		}
		b[i] = s / l[i*p+i]
	}
	for i := p - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < p; k++ {
			s -= l[k*p+i] * b[k]
		}
		b[i] = s / l[i*p+i]
	}
}

// cholLogDet returns log det(L·Lᵀ).
func cholLogDet(l []float64, p int) float64 {
	s := 0.0
	for i := 0; i < p; i++ {
		s += math.Log(l[i*p+i])
	}
	return 2 * s
}

// cholInverse writes (L·Lᵀ)⁻¹ into inv, using col (length p) as scratch.
func cholInverse(l []float64, p int, inv, col []float64) {
	for j := 0; j < p; j++ {
		clear(col)
		col[j] = 1
		cholSolve(l, p, col)
		for i := 0; i < p; i++ {
			inv[i*p+j] = col[i]
		}
	}
}
