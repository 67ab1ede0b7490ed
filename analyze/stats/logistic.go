package stats

import (
	"fmt"
	"math"
)

// LogisticOptions tune FitLogistic. The zero value fits plain maximum
// likelihood with an intercept.
type LogisticOptions struct {
	// Firth maximises Firth's penalised likelihood, l(β) + ½·log det I(β)
	// (Firth 1993; Heinze & Schemper 2002; R logistf), instead of l(β).
	// Its estimates are finite even when the outcome is perfectly
	// separated, as when failures happen only above some concurrency,
	// and they have less small-sample bias. Standard errors come from
	// I(β)⁻¹ as in logistf; its profile-likelihood intervals are not
	// implemented, so CI is a Wald interval.
	Firth bool
	// NoIntercept leaves out the intercept column.
	NoIntercept bool
	// MaxIter bounds the Newton iterations (default 100).
	MaxIter int
	// Tol is the convergence threshold on the largest coefficient change
	// (default 1e-9, relative to the largest coefficient when that is
	// above 1).
	Tol float64
	// Start, when its length matches the number of coefficients, is the
	// starting point (for warm starts over a family of related fits).
	Start []float64
}

// A LogisticFit is a fitted logistic regression for grouped binomial data.
// Coefficient 0 is the intercept unless NoIntercept was set; then come
// the covariates in order.
type LogisticFit struct {
	Coef []float64 `json:"coef"`
	SE   []float64 `json:"se"`
	// Z and P are Wald statistics and two-sided p-values for β_j = 0.
	Z []float64 `json:"z"`
	P []float64 `json:"p"`
	// Cov is the estimated covariance matrix of Coef, row-major.
	Cov [][]float64 `json:"cov"`
	// LogLik is the binomial log-likelihood at Coef, binomial
	// coefficients included (as R's logLik for a grouped glm).
	LogLik float64 `json:"logLik"`
	// PenalizedLogLik is LogLik + ½·log det I(β) under Firth; it equals
	// LogLik otherwise.
	PenalizedLogLik float64 `json:"penalizedLogLik"`
	// Deviance is the residual deviance against the saturated model, and
	// NullDeviance that of the intercept-only model (0 with NoIntercept).
	Deviance     float64 `json:"deviance"`
	NullDeviance float64 `json:"nullDeviance"`
	// DF is the residual degrees of freedom: rows with trials minus
	// coefficients.
	DF        int  `json:"df"`
	Iter      int  `json:"iterations"`
	Converged bool `json:"converged"`
	Firth     bool `json:"firth"`
	intercept bool
}

// FitLogistic fits logit P(success) = β·x to grouped binomial data: row i
// has covariates x[i] (all rows the same length, possibly zero), k[i]
// successes and n[i] trials. It uses Newton–Raphson (IRLS) with step
// halving, and Firth's modified score when opt.Firth is set; opt may be
// nil.
//
// Rows with n = 0 carry no information and are skipped. Errors:
// ErrInvalid for mismatched lengths, NaN or infinite covariates, negative
// counts or k > n; ErrEmpty when no row has trials; ErrSingular when the
// covariates are collinear or there are fewer informative rows than
// coefficients; ErrSeparation when maximum likelihood diverges because
// the data are separated (plain ML only; refit with Firth);
// ErrNoConvergence when the iterations run out otherwise.
func FitLogistic(x [][]float64, k, n []int, opt *LogisticOptions) (*LogisticFit, error) {
	if opt == nil {
		opt = &LogisticOptions{}
	}
	if len(x) != len(k) || len(k) != len(n) {
		return nil, invalidf("logistic regression with %d covariate rows, %d success counts and %d trial counts", len(x), len(k), len(n))
	}
	cov := 0
	if len(x) > 0 {
		cov = len(x[0])
	}
	p := cov
	if !opt.NoIntercept {
		p++
	}
	if p == 0 {
		return nil, invalidf("logistic regression with no coefficients")
	}
	m := newLogitModel(len(x), p)
	rows := 0
	for i := range x {
		if len(x[i]) != cov {
			return nil, invalidf("row %d has %d covariates, row 0 has %d", i, len(x[i]), cov)
		}
		if !finite(x[i]) {
			return nil, invalidf("row %d has a NaN or infinite covariate", i)
		}
		if n[i] < 0 || k[i] < 0 || k[i] > n[i] {
			return nil, invalidf("row %d has %d successes in %d trials", i, k[i], n[i])
		}
		if n[i] == 0 {
			continue
		}
		r := m.x[rows*p : (rows+1)*p]
		j := 0
		if !opt.NoIntercept {
			r[0], j = 1, 1
		}
		copy(r[j:], x[i])
		m.k[rows], m.n[rows] = float64(k[i]), float64(n[i])
		rows++
	}
	if rows == 0 {
		return nil, fmt.Errorf("%w: logistic regression with no trials", ErrEmpty)
	}
	m.setRows(rows)
	start := opt.Start
	if len(start) != p {
		start = nil
	}
	maxIter, tol := opt.MaxIter, opt.Tol
	if maxIter <= 0 {
		maxIter = 100
	}
	if tol <= 0 {
		tol = 1e-9
	}
	res, err := m.fit(opt.Firth, !opt.NoIntercept, start, maxIter, tol)
	if err != nil {
		return nil, err
	}
	f := &LogisticFit{
		Coef:            append([]float64(nil), m.beta...),
		SE:              make([]float64, p),
		Z:               make([]float64, p),
		P:               make([]float64, p),
		Cov:             make([][]float64, p),
		LogLik:          res.logLik + m.logChoose(),
		PenalizedLogLik: res.penLogLik + m.logChoose(),
		Deviance:        m.deviance(),
		DF:              rows - p,
		Iter:            res.iter,
		Converged:       true,
		Firth:           opt.Firth,
		intercept:       !opt.NoIntercept,
	}
	if !opt.NoIntercept {
		f.NullDeviance = m.nullDeviance()
	}
	for i := range p {
		f.Cov[i] = append([]float64(nil), m.inv[i*p:(i+1)*p]...)
		f.SE[i] = math.Sqrt(m.inv[i*p+i])
		f.Z[i] = f.Coef[i] / f.SE[i]
		f.P[i] = normalTwoSided(f.Z[i])
	}
	return f, nil
}

// CI returns the Wald interval Coef[j] ± z·SE[j].
func (f *LogisticFit) CI(j int, level float64) (Interval, error) {
	if j < 0 || j >= len(f.Coef) {
		return Interval{}, invalidf("coefficient %d of %d", j, len(f.Coef))
	}
	z, err := zFor(level)
	if err != nil {
		return Interval{}, err
	}
	return Interval{Lo: f.Coef[j] - z*f.SE[j], Hi: f.Coef[j] + z*f.SE[j], Level: level}, nil
}

// Prob returns the fitted probability for covariates x (without the
// intercept column), or NaN when len(x) does not match the model.
func (f *LogisticFit) Prob(x []float64) float64 {
	j := 0
	eta := 0.0
	if f.intercept {
		eta, j = f.Coef[0], 1
	}
	if len(x) != len(f.Coef)-j {
		return math.NaN()
	}
	for i, v := range x {
		eta += f.Coef[j+i] * v
	}
	return expit(eta)
}

// logitModel is a grouped logistic regression with its workspace, reused
// across the many fits of an onset search.
type logitModel struct {
	p, rows int
	x       []float64 // rows×p design, intercept column included
	k, n    []float64
	eta, mu []float64
	w       []float64
	info    []float64 // p×p Fisher information, then its Cholesky factor
	inv     []float64 // p×p inverse information
	score   []float64
	step    []float64
	beta    []float64
	trial   []float64
	col     []float64
}

func newLogitModel(rows, p int) *logitModel {
	m := &logitModel{p: p}
	m.x = make([]float64, rows*p)
	m.k = make([]float64, rows)
	m.n = make([]float64, rows)
	m.eta = make([]float64, rows)
	m.mu = make([]float64, rows)
	m.w = make([]float64, rows)
	m.info = make([]float64, p*p)
	m.inv = make([]float64, p*p)
	m.score = make([]float64, p)
	m.step = make([]float64, p)
	m.beta = make([]float64, p)
	m.trial = make([]float64, p)
	m.col = make([]float64, p)
	m.rows = rows
	return m
}

// setRows limits the model to its first rows rows.
func (m *logitModel) setRows(rows int) { m.rows = rows }

type logitResult struct {
	iter      int
	logLik    float64 // without the binomial coefficients
	penLogLik float64
}

// maxStep caps a Newton step, as logistf does, so that one wild step
// from a poor start cannot overflow.
const maxStep = 5

// fit runs Newton–Raphson from start (or from the pooled rate when start
// is nil), leaving the estimate in m.beta and its inverse information in
// m.inv.
func (m *logitModel) fit(firth, intercept bool, start []float64, maxIter int, tol float64) (logitResult, error) {
	p := m.p
	if start != nil {
		copy(m.beta, start)
	} else {
		clear(m.beta)
		if intercept {
			var ks, ns float64
			for i := range m.rows {
				ks += m.k[i]
				ns += m.n[i]
			}
			m.beta[0] = logit((ks + 0.5) / (ns + 1))
		}
	}
	obj, ok := m.eval(m.beta, firth)
	if !ok {
		if start != nil {
			// A warm start can be far off for this design; retry cold.
			return m.fit(firth, intercept, nil, maxIter, tol)
		}
		return logitResult{}, fmt.Errorf("%w: the covariates are collinear or there are fewer informative rows than the %d coefficients", ErrSingular, p)
	}
	converged := false
	iter := 0
	for iter < maxIter && !converged {
		iter++
		m.computeScore(firth)
		copy(m.step, m.score)
		cholSolve(m.info, p, m.step)
		big := 0.0
		for _, s := range m.step {
			big = max(big, math.Abs(s))
		}
		if !(big < math.Inf(1)) { // NaN or Inf
			break
		}
		if big > maxStep {
			for j := range m.step {
				m.step[j] *= maxStep / big
			}
		}
		accepted, singular := false, false
		for range 40 {
			for j := range m.trial {
				m.trial[j] = m.beta[j] + m.step[j]
			}
			newObj, ok := m.eval(m.trial, firth)
			if !ok && !firth {
				// Under maximum likelihood the information only becomes
				// singular as fitted probabilities reach 0 or 1; halving
				// towards the last point would fake convergence.
				singular = true
				break
			}
			if ok && newObj >= obj-1e-12*(1+math.Abs(obj)) {
				obj = newObj
				accepted = true
				break
			}
			for j := range m.step {
				m.step[j] /= 2
			}
		}
		if singular {
			m.eval(m.beta, firth) // restore the state for the diagnosis
			break
		}
		if !accepted {
			// No step improves the objective: we are at the optimum to
			// working precision, or stuck at a ridge.
			if _, ok := m.eval(m.beta, firth); !ok {
				break
			}
			converged = m.stationary(firth, tol)
			break
		}
		copy(m.beta, m.trial)
		size, scale := 0.0, 1.0
		for j := range m.step {
			size = max(size, math.Abs(m.step[j]))
			scale = max(scale, math.Abs(m.beta[j]))
		}
		converged = size <= tol*scale
	}
	if !converged {
		if !firth && m.maxAbsEta() > 15 {
			return logitResult{}, fmt.Errorf("%w: fitted probabilities reach 0 or 1 (|logit| > 15) and the coefficients diverge; use Firth's penalised likelihood", ErrSeparation)
		}
		return logitResult{}, fmt.Errorf("%w: logistic regression after %d iterations", ErrNoConvergence, iter)
	}
	cholInverse(m.info, p, m.inv, m.col)
	ll := m.logLik()
	res := logitResult{iter: iter, logLik: ll, penLogLik: ll}
	if firth {
		res.penLogLik = obj
	}
	return res, nil
}

// stationary reports whether the score at the current state is negligible,
// for the case where step halving cannot improve the objective.
func (m *logitModel) stationary(firth bool, tol float64) bool {
	m.computeScore(firth)
	copy(m.step, m.score)
	cholSolve(m.info, m.p, m.step)
	for _, s := range m.step {
		if math.Abs(s) > math.Sqrt(tol) {
			return false
		}
	}
	return true
}

// eval sets eta, mu, w and the Cholesky factor of the information at beta
// and returns the objective (log-likelihood without binomial coefficients,
// plus the Firth penalty). It reports false when the information is
// singular.
func (m *logitModel) eval(beta []float64, firth bool) (float64, bool) {
	p := m.p
	clear(m.info)
	ll := 0.0
	for i := range m.rows {
		r := m.x[i*p : (i+1)*p]
		eta := 0.0
		for j, v := range r {
			eta += beta[j] * v
		}
		m.eta[i] = eta
		// One exp and one log1p per row: this loop is the hot spot of
		// the onset search. With e = exp(−|η|), μ and 1 − μ are 1/(1+e)
		// and e/(1+e) in some order, and log(1 + exp(±η)) is
		// max(±η, 0) + log1p(e).
		e := math.Exp(-math.Abs(eta))
		big, small := 1/(1+e), e/(1+e)
		mu, nu := big, small
		if eta < 0 {
			mu, nu = small, big
		}
		m.mu[i] = mu
		w := m.n[i] * mu * nu
		m.w[i] = w
		ll -= m.n[i]*math.Log1p(e) + m.k[i]*max(-eta, 0) + (m.n[i]-m.k[i])*max(eta, 0)
		for a := range p {
			wa := w * r[a]
			for b := 0; b <= a; b++ {
				m.info[a*p+b] += wa * r[b]
			}
		}
	}
	if math.IsNaN(ll) {
		return 0, false
	}
	if !cholesky(m.info, p) {
		return 0, false
	}
	if firth {
		ll += 0.5 * cholLogDet(m.info, p)
	}
	return ll, true
}

// computeScore fills m.score from the current state; with Firth it adds
// h_i(½ − μ_i), h_i being the hat values of the weighted design.
func (m *logitModel) computeScore(firth bool) {
	p := m.p
	if firth {
		cholInverse(m.info, p, m.inv, m.col)
	}
	clear(m.score)
	for i := range m.rows {
		r := m.x[i*p : (i+1)*p]
		u := m.k[i] - m.n[i]*m.mu[i]
		if firth {
			h := 0.0
			for a := range p {
				s := 0.0
				for b := range p {
					s += m.inv[a*p+b] * r[b]
				}
				h += r[a] * s
			}
			u += m.w[i] * h * (0.5 - m.mu[i])
		}
		for j, v := range r {
			m.score[j] += u * v
		}
	}
}

func (m *logitModel) maxAbsEta() float64 {
	big := 0.0
	for i := range m.rows {
		big = max(big, math.Abs(m.eta[i]))
	}
	return big
}

// logLik returns Σ k·log μ + (n−k)·log(1−μ) at the current state.
func (m *logitModel) logLik() float64 {
	ll := 0.0
	for i := range m.rows {
		ll -= m.k[i]*softplus(-m.eta[i]) + (m.n[i]-m.k[i])*softplus(m.eta[i])
	}
	return ll
}

// logChoose returns Σ log C(n, k), the part of the binomial likelihood
// that does not depend on the coefficients.
func (m *logitModel) logChoose() float64 {
	s := 0.0
	for i := range m.rows {
		s += lchoose(m.n[i], m.k[i])
	}
	return s
}

// deviance returns 2·Σ[k·log(k/nμ) + (n−k)·log((n−k)/n(1−μ))].
func (m *logitModel) deviance() float64 {
	d := 0.0
	for i := range m.rows {
		k, n := m.k[i], m.n[i]
		if k > 0 {
			d += k * (math.Log(k/n) + softplus(-m.eta[i]))
		}
		if k < n {
			d += (n - k) * (math.Log((n-k)/n) + softplus(m.eta[i]))
		}
	}
	return 2 * d
}

// nullDeviance is the deviance of the intercept-only maximum likelihood
// fit, whose fitted rate is the pooled rate.
func (m *logitModel) nullDeviance() float64 {
	var ks, ns float64
	for i := range m.rows {
		ks += m.k[i]
		ns += m.n[i]
	}
	pool := ks / ns
	d := 0.0
	for i := range m.rows {
		k, n := m.k[i], m.n[i]
		if k > 0 {
			d += k * math.Log(k/(n*pool))
		}
		if k < n {
			d += (n - k) * math.Log((n-k)/(n*(1-pool)))
		}
	}
	return 2 * d
}

func expit(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// softplus returns log(1 + e^x) without overflow; −softplus(−η) is log μ.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func lchoose(n, k float64) float64 {
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	return a - b - c
}
