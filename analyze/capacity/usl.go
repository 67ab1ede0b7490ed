package capacity

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// A Point is a measured throughput X (requests per second, say) at
// concurrency N.
type Point struct {
	N float64 `json:"n"`
	X float64 `json:"x"`
}

// A Warning flags a USL fit that should not be taken at face value.
type Warning string

const (
	// WarnFewPoints: fewer than 6 points (codahale/usl refuses them,
	// R's usl warns).
	WarnFewPoints Warning = "few-points"
	// WarnNoPointsBeyondPeak: no measurement at or beyond N*, so κ, and
	// with it N* and X_max, are extrapolated rather than measured.
	WarnNoPointsBeyondPeak Warning = "no-points-beyond-peak"
	// WarnSuperlinear: the unconstrained fit has σ < 0, throughput grew
	// faster than linearly. Gunther et al. observe that superlinearity is
	// followed by degradation, so the bounded fit (σ = 0) may be
	// optimistic about the peak.
	WarnSuperlinear Warning = "superlinear"
)

// String returns the warning as a sentence.
func (w Warning) String() string {
	switch w {
	case WarnFewPoints:
		return "fewer than 6 measurements: the fit is fragile"
	case WarnNoPointsBeyondPeak:
		return "no measurement beyond the peak concurrency N*: coherency (κ) is not identified"
	case WarnSuperlinear:
		return "superlinear scaling: the unconstrained fit has σ < 0"
	}
	return string(w)
}

// USL is a fit of Gunther's Universal Scalability Law
//
//	X(N) = λN / (1 + σ(N−1) + κN(N−1))
//
// where λ is the throughput of one unit of concurrency, σ the contention
// (serial fraction) and κ the coherency (crosstalk) penalty.
type USL struct {
	// Sigma, Kappa and Lambda are the least-squares estimates under
	// σ, κ ≥ 0, with standard errors from the Jacobian at the solution
	// (s²·(JᵀJ)⁻¹, as R's usl and nls) and Student-t intervals on n−3
	// degrees of freedom, cut at 0 below (the parameters are not negative).
	Sigma    float64        `json:"sigma"`
	Kappa    float64        `json:"kappa"`
	Lambda   float64        `json:"lambda"`
	SigmaSE  float64        `json:"sigmaSE"`
	KappaSE  float64        `json:"kappaSE"`
	LambdaSE float64        `json:"lambdaSE"`
	SigmaCI  stats.Interval `json:"sigmaCI"`
	KappaCI  stats.Interval `json:"kappaCI"`
	LambdaCI stats.Interval `json:"lambdaCI"`
	// RawSigma and RawKappa are the unconstrained least-squares
	// estimates; RawSigma < 0 signals superlinear data.
	RawSigma float64 `json:"rawSigma"`
	RawKappa float64 `json:"rawKappa"`
	// NStar is the concurrency of peak throughput √((1−σ)/κ) (at least 1),
	// +Inf when κ = 0 (Limitless); XMax = X(N*), which is λ/σ, the
	// asymptote, when κ = 0 (+Inf too if σ = 0). JSON has no infinity:
	// infinite values are written as null.
	NStar     float64 `json:"nStar"`
	XMax      float64 `json:"xMax"`
	Limitless bool    `json:"limitless"`
	// R2 is 1 − SSE/SST, and RSE the residual standard error on DF
	// degrees of freedom.
	R2       float64   `json:"r2"`
	RSE      float64   `json:"rse"`
	DF       int       `json:"df"`
	Points   int       `json:"points"`
	Warnings []Warning `json:"warnings"`
}

// Throughput returns the model's X(n).
func (m *USL) Throughput(n float64) float64 {
	return m.Lambda * n / (1 + m.Sigma*(n-1) + m.Kappa*n*(n-1))
}

// Latency returns the model's response time at concurrency n by Little's
// law with no think time, R(n) = n / X(n), in the reciprocal unit of
// throughput (seconds for requests per second).
func (m *USL) Latency(n float64) float64 {
	return (1 + m.Sigma*(n-1) + m.Kappa*n*(n-1)) / m.Lambda
}

// MarshalJSON writes infinite NStar and XMax as null.
func (m USL) MarshalJSON() ([]byte, error) {
	type plain USL
	orNil := func(v float64) *float64 {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		plain
		NStar *float64 `json:"nStar"`
		XMax  *float64 `json:"xMax"`
	}{plain(m), orNil(m.NStar), orNil(m.XMax)})
}

// FitUSL fits the Universal Scalability Law to points by bounded
// Levenberg–Marquardt (σ, κ ≥ 0; written here because gonum has no
// Levenberg–Marquardt), started from several points including
// codahale/usl's (σ = 0.1, κ = 0.01) and R usl's (0.01, 1e-4), with
// λ = max X/N, keeping the best. The unconstrained fit is reported too
// (RawSigma, RawKappa).
//
// Errors: stats.ErrInvalid for NaN or infinite values, N ≤ 0 or X < 0;
// stats.ErrDegenerate for fewer than 4 points or 3 distinct N (three
// parameters and a residual variance), all-zero throughput, or a fit that
// does not converge.
func FitUSL(points []Point) (*USL, error) {
	for i, p := range points {
		if math.IsNaN(p.N) || math.IsInf(p.N, 0) || math.IsNaN(p.X) || math.IsInf(p.X, 0) || p.N <= 0 || p.X < 0 {
			return nil, fmt.Errorf("%w: USL point %d is (N=%v, X=%v)", stats.ErrInvalid, i, p.N, p.X)
		}
	}
	ns := make([]float64, 0, len(points))
	lam0 := 0.0
	for _, p := range points {
		ns = append(ns, p.N)
		lam0 = max(lam0, p.X/p.N)
	}
	slices.Sort(ns)
	if len(points) < 4 || len(slices.Compact(ns)) < 3 {
		return nil, fmt.Errorf("%w: USL fit needs at least 4 points at 3 concurrencies, got %d", stats.ErrDegenerate, len(points))
	}
	if lam0 == 0 {
		return nil, fmt.Errorf("%w: USL fit of zero throughput", stats.ErrDegenerate)
	}

	starts := [][3]float64{{0.1, 0.01, lam0}, {0.01, 1e-4, lam0}, {0.001, 1e-6, lam0}, {0, 0, lam0}}
	bounded, ok := bestFit(points, starts, true)
	if !ok {
		return nil, fmt.Errorf("%w: USL fit did not converge", stats.ErrDegenerate)
	}
	raw, ok := bestFit(points, append(starts, bounded.theta), false)
	if !ok || raw.sse > bounded.sse {
		raw = bounded // bounded optimum is also the unconstrained one
	}

	n := len(points)
	m := &USL{
		Sigma: bounded.theta[0], Kappa: bounded.theta[1], Lambda: bounded.theta[2],
		RawSigma: raw.theta[0], RawKappa: raw.theta[1],
		DF: n - 3, Points: n,
	}
	m.RSE = math.Sqrt(bounded.sse / float64(m.DF))
	cov, ok := covariance(points, bounded.theta, bounded.sse/float64(m.DF))
	if !ok {
		return nil, fmt.Errorf("%w: USL parameters are not identifiable from these points", stats.ErrDegenerate)
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m.DF)}.Quantile(0.975)
	// σ, κ and λ cannot be negative: an interval reaching below zero is
	// cut there (a reader takes "−0.0026 – 0.0026" for a possible
	// negative contention).
	ci := func(est, se float64) stats.Interval {
		return stats.Interval{Lo: max(0, est-t*se), Hi: est + t*se, Level: 0.95}
	}
	m.SigmaSE, m.KappaSE, m.LambdaSE = math.Sqrt(cov[0]), math.Sqrt(cov[4]), math.Sqrt(cov[8])
	m.SigmaCI, m.KappaCI, m.LambdaCI = ci(m.Sigma, m.SigmaSE), ci(m.Kappa, m.KappaSE), ci(m.Lambda, m.LambdaSE)

	var mean, sst float64
	for _, p := range points {
		mean += p.X
	}
	mean /= float64(n)
	for _, p := range points {
		sst += (p.X - mean) * (p.X - mean)
	}
	if sst > 0 {
		m.R2 = 1 - bounded.sse/sst
	}

	switch {
	case m.Kappa == 0:
		m.Limitless = true
		m.NStar = math.Inf(1)
		m.XMax = math.Inf(1)
		if m.Sigma > 0 {
			m.XMax = m.Lambda / m.Sigma
		}
	default:
		m.NStar = math.Sqrt(max(0, 1-m.Sigma) / m.Kappa)
		m.NStar = max(m.NStar, 1)
		m.XMax = m.Throughput(m.NStar)
	}

	if n < 6 {
		m.Warnings = append(m.Warnings, WarnFewPoints)
	}
	if ns[len(ns)-1] < m.NStar {
		m.Warnings = append(m.Warnings, WarnNoPointsBeyondPeak)
	}
	if m.RawSigma < 0 {
		m.Warnings = append(m.Warnings, WarnSuperlinear)
	}
	return m, nil
}

type lmFit struct {
	theta [3]float64
	sse   float64
}

func bestFit(points []Point, starts [][3]float64, bounded bool) (lmFit, bool) {
	best, found := lmFit{sse: math.Inf(1)}, false
	for _, s := range starts {
		if f, ok := levenbergMarquardt(points, s, bounded); ok && f.sse < best.sse {
			best, found = f, true
		}
	}
	return best, found
}

// model returns X(N) and its gradient with respect to (σ, κ, λ).
func model(n float64, th [3]float64) (x float64, grad [3]float64) {
	d := 1 + th[0]*(n-1) + th[1]*n*(n-1)
	x = th[2] * n / d
	grad[0] = -x * (n - 1) / d
	grad[1] = -x * n * (n - 1) / d
	grad[2] = n / d
	return x, grad
}

func sse(points []Point, th [3]float64) float64 {
	s := 0.0
	for _, p := range points {
		x, _ := model(p.N, th)
		if !(x >= 0) || math.IsInf(x, 0) { // a pole: D(N) ≤ 0 for some N
			return math.Inf(1)
		}
		s += (p.X - x) * (p.X - x)
	}
	return s
}

// levenbergMarquardt minimises the sum of squared residuals from start,
// with Marquardt's scaling (damping proportional to the diagonal of JᵀJ,
// so that λ in thousands and κ in millionths are treated alike). When
// bounded, σ and κ are kept ≥ 0 by projection, and a parameter resting on
// its bound while the gradient pushes it further out is held fixed in
// the step.
func levenbergMarquardt(points []Point, start [3]float64, bounded bool) (lmFit, bool) {
	th := start
	cur := sse(points, th)
	if math.IsInf(cur, 1) {
		return lmFit{}, false
	}
	mu := 1e-3
	for range 1000 {
		var a [9]float64
		var g [3]float64
		for _, p := range points {
			x, grad := model(p.N, th)
			r := p.X - x
			for i := range 3 {
				g[i] += grad[i] * r
				for j := range 3 {
					a[i*3+j] += grad[i] * grad[j]
				}
			}
		}
		var free [3]bool
		for i := range 3 {
			free[i] = !(bounded && i < 2 && th[i] <= 0 && g[i] <= 0)
		}
		improved := false
		for mu < 1e16 {
			step, ok := solveDamped(a, g, mu, free)
			if !ok {
				mu *= 10
				continue
			}
			next := th
			for i := range 3 {
				next[i] += step[i]
				if bounded && i < 2 {
					next[i] = max(next[i], 0)
				}
			}
			if s := sse(points, next); s < cur {
				small := true
				for i := range 3 {
					if math.Abs(next[i]-th[i]) > 1e-12*(math.Abs(th[i])+1e-12) {
						small = false
					}
				}
				rel := (cur - s) / max(cur, 1e-300)
				th, cur = next, s
				mu = max(mu/10, 1e-12)
				improved = true
				if small || rel < 1e-15 {
					return lmFit{th, cur}, true
				}
				break
			}
			mu *= 10
		}
		if !improved {
			// No step reduces the residuals: converged (or the fit is
			// exact).
			return lmFit{th, cur}, true
		}
	}
	return lmFit{th, cur}, false // still improving after 1000 steps
}

// solveDamped solves (A + μ·diag(A))·δ = g over the free parameters.
func solveDamped(a [9]float64, g [3]float64, mu float64, free [3]bool) ([3]float64, bool) {
	var idx []int
	for i := range 3 {
		if free[i] {
			idx = append(idx, i)
		}
	}
	k := len(idx)
	var step [3]float64
	if k == 0 {
		return step, false
	}
	m := make([]float64, k*(k+1)) // augmented matrix
	for r, i := range idx {
		for c, j := range idx {
			m[r*(k+1)+c] = a[i*3+j]
		}
		m[r*(k+1)+r] += mu * max(a[i*3+i], 1e-300)
		m[r*(k+1)+k] = g[i]
	}
	sol, ok := gauss(m, k)
	if !ok {
		return step, false
	}
	for r, i := range idx {
		step[i] = sol[r]
	}
	return step, true
}

// gauss solves the k×(k+1) augmented system by elimination with partial
// pivoting.
func gauss(m []float64, k int) ([]float64, bool) {
	w := k + 1
	for c := range k {
		p := c
		for r := c + 1; r < k; r++ {
			if math.Abs(m[r*w+c]) > math.Abs(m[p*w+c]) {
				p = r
			}
		}
		if m[p*w+c] == 0 || math.IsNaN(m[p*w+c]) {
			return nil, false
		}
		if p != c {
			for j := range w {
				m[c*w+j], m[p*w+j] = m[p*w+j], m[c*w+j]
			}
		}
		for r := c + 1; r < k; r++ {
			f := m[r*w+c] / m[c*w+c]
			for j := c; j < w; j++ {
				m[r*w+j] -= f * m[c*w+j]
			}
		}
	}
	x := make([]float64, k)
	for r := k - 1; r >= 0; r-- {
		s := m[r*w+k]
		for j := r + 1; j < k; j++ {
			s -= m[r*w+j] * x[j]
		}
		x[r] = s / m[r*w+r]
	}
	return x, true
}

// covariance returns s²·(JᵀJ)⁻¹ at th, row-major 3×3, computed with the
// columns scaled to unit length so that the wildly different parameter
// scales do not cost precision.
func covariance(points []Point, th [3]float64, s2 float64) ([9]float64, bool) {
	var a [9]float64
	for _, p := range points {
		_, grad := model(p.N, th)
		for i := range 3 {
			for j := range 3 {
				a[i*3+j] += grad[i] * grad[j]
			}
		}
	}
	var scale [3]float64
	for i := range 3 {
		if a[i*3+i] <= 0 {
			return a, false
		}
		scale[i] = math.Sqrt(a[i*3+i])
	}
	var cov [9]float64
	for col := range 3 {
		m := make([]float64, 12)
		for r := range 3 {
			for c := range 3 {
				m[r*4+c] = a[r*3+c] / (scale[r] * scale[c])
			}
		}
		m[col*4+3] = 1
		x, ok := gauss(m, 3)
		if !ok {
			return cov, false
		}
		for r := range 3 {
			cov[r*3+col] = s2 * x[r] / (scale[r] * scale[col])
		}
	}
	for i := range 3 {
		if !(cov[i*3+i] >= 0) || math.IsInf(cov[i*3+i], 0) {
			return cov, false
		}
	}
	return cov, true
}
