package stats

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
)

// An OnsetShape is the form of the failure-rate curve around the onset ψ,
// on the logit scale.
type OnsetShape int

const (
	// ShapeAuto fits both ShapeHinge and ShapeStep and keeps the one with
	// the higher (penalised) likelihood; both have three parameters.
	ShapeAuto OnsetShape = iota
	// ShapeHinge is the broken stick logit p = b0 + b1·max(0, x − ψ): a
	// flat rate up to ψ that then rises steadily. ψ is continuous, the
	// last concurrency with the baseline rate.
	ShapeHinge
	// ShapeStep is logit p = b0 + b1·[x ≥ ψ]: the rate jumps at ψ, as when
	// a pool or a rate limit is exhausted. ψ is one of the observed
	// levels, the first with the higher rate.
	ShapeStep
	// ShapeSegmented is the hinge with a slope below ψ too,
	// logit p = b0 + b2·x + b1·max(0, x − ψ): the rate already drifts
	// and turns up at ψ. Its no-onset model is the straight logistic
	// trend.
	ShapeSegmented
)

var shapeNames = [...]string{"auto", "hinge", "step", "segmented"}

func (s OnsetShape) String() string {
	if s < 0 || int(s) >= len(shapeNames) {
		return fmt.Sprintf("OnsetShape(%d)", int(s))
	}
	return shapeNames[s]
}

// MarshalText makes the shape a string in JSON.
func (s OnsetShape) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// OnsetOptions tune EstimateOnset; the zero value gives the defaults.
type OnsetOptions struct {
	Shape OnsetShape
	// Delta is the added failure rate that makes an onset (default 0.01:
	// one more failed request in a hundred than at the bottom of the
	// curve); see Onset.At.
	Delta float64
	// Level is the confidence level of the intervals (default 0.95) and
	// of the Wilson cross-check.
	Level float64
	// Alpha is the size of the test that decides whether the failure rate
	// rises with concurrency at all (default 0.05).
	Alpha float64
	// Resamples is the number of block-bootstrap resamples for the
	// intervals (default 499); NullResamples the number of parametric
	// resamples for the test (default 199).
	Resamples     int
	NullResamples int
	// NoIntervals skips the bootstrap intervals (Resamples is then
	// ignored): a caller that compares candidate fits needs the estimate
	// and the test, and asks for intervals once, for the fit it keeps.
	NoIntervals bool
	// Seed makes the resampling reproducible.
	Seed uint64
	// ML fits plain maximum likelihood instead of Firth's penalised
	// likelihood. Not advised: when failures happen only above the onset
	// the data are separated and maximum likelihood has no finite answer,
	// so those candidates are skipped.
	ML bool
}

// Onset is the estimated concurrency at which failures start.
type Onset struct {
	// Found reports that the failure rate rises significantly with
	// concurrency (P < Alpha) and that the fitted rise reaches Delta
	// within the observed levels. When it is false the remaining fields
	// still describe the best fit, but the intervals and Resamples are
	// zero.
	Found bool       `json:"found"`
	Shape OnsetShape `json:"shape"`
	// At is the onset to report: the lowest concurrency at which the
	// fitted failure rate exceeds the rate the curve starts from (its
	// value at Psi; for ShapeSegmented, its own trend) by Delta, a
	// "benchmark dose" with added risk Delta in toxicologists' terms.
	// It is 0 when the fitted rise stays below Delta. AtCI is its
	// block-bootstrap percentile interval; resamples whose rise stays
	// below Delta count as the highest level.
	At   float64  `json:"at"`
	AtCI Interval `json:"atCI"`
	// Psi is the change point of the fitted curve (see the shapes) and
	// PsiCI its interval. When no failures at all precede a smooth rise,
	// the logit of the rate below the change is unbounded below and the
	// change point of a hinge cannot be located (PsiCI then spans much
	// of the range) while At stays well defined: report At.
	Psi   float64  `json:"psi"`
	PsiCI Interval `json:"psiCI"`
	// RateBelow and RateAbove are the fitted failure rates, weighted by
	// requests, of the levels below At and from At on; RateAtMax is the
	// fitted rate at the highest level.
	RateBelow float64 `json:"rateBelow"`
	RateAbove float64 `json:"rateAbove"`
	RateAtMax float64 `json:"rateAtMax"`
	// Coef are b0, b1 (and b2 for ShapeSegmented) in the units of x.
	Coef []float64 `json:"coef"`
	// LR is the likelihood-ratio statistic of the onset model against no
	// onset, maximised over ψ and divided by Dispersion; P is its
	// parametric-bootstrap p-value.
	LR         float64 `json:"lr"`
	P          float64 `json:"p"`
	Dispersion float64 `json:"dispersion"`
	// Resamples is the number of bootstrap resamples that gave an
	// estimate (some lack levels on one side of the onset).
	Resamples int `json:"resamples"`
	// Wilson is the simpler cross-check.
	Wilson WilsonOnset `json:"wilson"`
}

// WilsonOnset is the lowest level whose failure rate is above every level
// below it beyond doubt: the Wilson lower bound of the rate of it and the
// levels just above it (at least 50 requests, so that a level of a dozen
// can count) exceeds the Wilson upper bound of the pooled rate of all
// lower levels. The window, not a correction for the number of levels
// compared, keeps one unlucky level from making an onset: whether there is
// an onset at all is the likelihood-ratio test's to say (Onset.Found);
// this says where the failures begin. It is the
// model-free reading of "the first level where failures rise above the
// baseline", which a smooth curve fitted to a gradual rise places too
// early; LevelCI is its block-bootstrap interval.
type WilsonOnset struct {
	Found        bool     `json:"found"`
	Level        float64  `json:"level"`
	Rate         float64  `json:"rate"`
	BaselineRate float64  `json:"baselineRate"`
	LevelCI      Interval `json:"levelCI"`
}

// EstimateOnset estimates the concurrency at which failures begin from
// grouped data: row i has concurrency x[i] and k[i] failures in n[i]
// requests, and belongs to block[i], a unit of resampling such as a time
// window (rows of one block are resampled together, because requests close
// in time are correlated). A nil block makes every row its own block. opt
// may be nil.
//
// Method (primary): a logistic curve with a change at ψ (see OnsetShape)
// is fitted by Firth's penalised likelihood for each candidate ψ in the
// observed range, and the ψ with the highest penalised likelihood among
// those where the rate goes up (b1 > 0) is kept; the onset At is read off
// the fitted curve. Whether the rate rises at all is tested with the
// likelihood ratio against the no-onset model, maximised over ψ (so its
// null distribution is not χ²), divided by the deviance dispersion of the
// onset fit when above 1 (overdispersion from bursts of failures, or from
// failures driven by time rather than concurrency), and referred to its
// distribution in NullResamples data sets drawn from the fitted no-onset
// model. The intervals are percentile intervals over Resamples
// block-bootstrap resamples with the shape held fixed.
//
// Cross-check: Wilson (see WilsonOnset). It needs no model, but a single
// level with a few stray failures (at the ramp-down, say) sets it off.
//
// Concurrency must vary independently of time for the answer to mean
// anything: during a ramp-up, concurrency and elapsed time move together,
// and failures caused by time (expiring tokens, IDs reused on the second
// round) look like an onset. Check with Pearson or Spearman first, and
// prefer levels held on plateaus; leave out the ramp-down, where JMeter's
// thread counts fall while the server is still loaded.
//
// Data with no failures, or nothing but failures, give Found = false
// without error. Errors: ErrInvalid for mismatched lengths, NaN x,
// negative counts or k > n, bad options; ErrEmpty when no row has trials;
// ErrDegenerate with fewer than three distinct levels.
func EstimateOnset(x []float64, k, n []int, block []int, opt *OnsetOptions) (*Onset, error) {
	o := OnsetOptions{}
	if opt != nil {
		o = *opt
	}
	if o.Delta == 0 {
		o.Delta = 0.01
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.Resamples == 0 {
		o.Resamples = 499
	}
	if o.NullResamples == 0 {
		o.NullResamples = 199
	}
	if err := checkLevel(o.Level); err != nil {
		return nil, err
	}
	if !(o.Alpha > 0 && o.Alpha < 1) || !(o.Delta > 0 && o.Delta < 1) || o.Resamples < 0 || o.NullResamples < 0 || o.Shape < ShapeAuto || o.Shape > ShapeSegmented {
		return nil, invalidf("onset options %+v", o)
	}
	if len(x) != len(k) || len(k) != len(n) || (block != nil && len(block) != len(x)) {
		return nil, invalidf("onset data with %d levels, %d failure counts, %d request counts and %d blocks", len(x), len(k), len(n), len(block))
	}
	var d onsetData
	var blocks []int
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return nil, invalidf("row %d has concurrency %v", i, x[i])
		}
		if n[i] < 0 || k[i] < 0 || k[i] > n[i] {
			return nil, invalidf("row %d has %d failures in %d requests", i, k[i], n[i])
		}
		if n[i] == 0 {
			continue
		}
		d.x = append(d.x, x[i])
		d.k = append(d.k, float64(k[i]))
		d.n = append(d.n, float64(n[i]))
		if block != nil {
			blocks = append(blocks, block[i])
		} else {
			blocks = append(blocks, i)
		}
	}
	if len(d.x) == 0 {
		return nil, fmt.Errorf("%w: onset estimation with no requests", ErrEmpty)
	}
	d.index()
	if len(d.levels) < 3 {
		return nil, fmt.Errorf("%w: onset estimation needs at least 3 concurrency levels, got %d", ErrDegenerate, len(d.levels))
	}

	res := &Onset{Shape: o.Shape, Dispersion: 1, P: 1}
	if res.Shape == ShapeAuto {
		res.Shape = ShapeHinge
	}
	res.Wilson = wilsonOnset(&d, o.Level)
	var ks, ns float64
	for i := range d.k {
		ks += d.k[i]
		ns += d.n[i]
	}
	if ks == 0 || ks == ns {
		rate := ks / ns
		res.RateBelow, res.RateAbove, res.RateAtMax = rate, rate, rate
		return res, nil
	}

	f := newOnsetFitter(!o.ML, o.Delta, len(d.levels))
	best, err := f.search(&d, o.Shape)
	if err != nil {
		return nil, err
	}
	res.Shape = best.shape
	if !best.ok {
		// The rate never goes up with concurrency: report the no-onset fit.
		rate := ks / ns
		res.RateBelow, res.RateAbove, res.RateAtMax = rate, rate, best.null[len(best.null)-1]
		return res, nil
	}
	res.Psi = best.psi
	res.At = best.at
	res.Coef = best.coef
	res.Dispersion = best.dispersion
	res.LR = best.stat
	res.RateBelow, res.RateAbove, res.RateAtMax = best.rates(&d)

	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))

	// Test: refit on data drawn from the no-onset model. The data sets
	// are drawn first, in order from one random stream, and fitted on
	// every core: the fits use no randomness, so the result is the same
	// as one after the other.
	exceed := 0
	sims := make([]onsetData, min(o.NullResamples, resampleChunk))
	for done := 0; done < o.NullResamples; {
		sims = sims[:min(len(sims), o.NullResamples-done)]
		for r := range sims {
			sim := &sims[r]
			sim.x, sim.n = d.x, d.n // shared, read only
			sim.k = slices.Grow(sim.k[:0], len(d.k))[:len(d.k)]
			for i := range sim.k {
				sim.k[i] = distuv.Binomial{N: d.n[i], P: best.null[d.at[i]], Src: rng}.Rand()
			}
			sim.index()
		}
		done += len(sims)
		for _, s := range searchAll(sims, o.Shape, !o.ML, o.Delta, len(d.levels)) {
			if s.err == nil && s.ok && s.stat >= best.stat {
				exceed++
			}
		}
	}
	res.P = float64(1+exceed) / float64(1+o.NullResamples)
	res.Found = res.P < o.Alpha && best.reached
	if !res.Found || o.NoIntervals {
		return res, nil
	}

	// Intervals: block bootstrap with the chosen shape.
	groups := groupRows(blocks)
	top := d.levels[len(d.levels)-1]
	psis := make([]float64, 0, o.Resamples)
	ats := make([]float64, 0, o.Resamples)
	wilsons := make([]float64, 0, o.Resamples)
	boots := make([]onsetData, resampleChunk)
	for done := 0; done < o.Resamples; {
		nb := 0
		for ; nb < len(boots) && done < o.Resamples; done++ {
			boot := &boots[nb]
			boot.x, boot.k, boot.n = boot.x[:0], boot.k[:0], boot.n[:0]
			for range groups {
				for _, i := range groups[rng.IntN(len(groups))] {
					boot.x = append(boot.x, d.x[i])
					boot.k = append(boot.k, d.k[i])
					boot.n = append(boot.n, d.n[i])
				}
			}
			boot.index()
			if len(boot.levels) >= 3 {
				nb++
			}
		}
		fits := searchAll(boots[:nb], res.Shape, !o.ML, o.Delta, len(d.levels))
		for b := range nb {
			if res.Wilson.Found {
				w := wilsonOnset(&boots[b], o.Level)
				if !w.Found {
					w.Level = top
				}
				wilsons = append(wilsons, w.Level)
			}
			s := fits[b]
			if s.err != nil || !s.ok {
				continue
			}
			psis = append(psis, s.psi)
			if s.reached {
				ats = append(ats, s.at)
			} else {
				ats = append(ats, top)
			}
		}
	}
	res.Resamples = len(psis)
	res.PsiCI = percentileInterval(psis, o.Level)
	res.AtCI = percentileInterval(ats, o.Level)
	res.Wilson.LevelCI = percentileInterval(wilsons, o.Level)
	return res, nil
}

// percentileInterval returns the central level interval of v (sorted in
// place), or the zero Interval for no values.
func percentileInterval(v []float64, level float64) Interval {
	if len(v) == 0 {
		return Interval{}
	}
	slices.Sort(v)
	at := func(i int) float64 { return v[i] }
	a := (1 - level) / 2
	return Interval{Lo: legacy(len(v), a, at), Hi: legacy(len(v), 1-a, at), Level: level}
}

// onsetData are the rows with trials, and the same data pooled by level.
// The logistic models depend on x only, so they are fitted to the pooled
// counts (same likelihood up to a constant, same Fisher information): a
// run with many windows per level costs no more than one with a single
// window. The rows still serve the bootstrap and the dispersion.
type onsetData struct {
	x, k, n []float64
	levels  []float64 // distinct x, ascending
	lk, ln  []float64 // failures and requests per level
	at      []int     // level of each row
}

func (d *onsetData) index() {
	d.levels = append(d.levels[:0], d.x...)
	slices.Sort(d.levels)
	d.levels = slices.Compact(d.levels)
	m := len(d.levels)
	d.lk = append(d.lk[:0], make([]float64, m)...)
	d.ln = append(d.ln[:0], make([]float64, m)...)
	d.at = d.at[:0]
	for i, x := range d.x {
		j, _ := slices.BinarySearch(d.levels, x)
		d.at = append(d.at, j)
		d.lk[j] += d.k[i]
		d.ln[j] += d.n[i]
	}
}

// groupRows returns the row indices of each block, in order of first
// appearance.
func groupRows(blocks []int) [][]int {
	at := map[int]int{}
	var groups [][]int
	for i, b := range blocks {
		g, ok := at[b]
		if !ok {
			g = len(groups)
			at[b] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// onsetFit is the best fit of one search. Rates are per level.
type onsetFit struct {
	ok         bool // some candidate had the rate going up
	shape      OnsetShape
	psi        float64
	coef       []float64 // in units of x
	stat       float64   // dispersion-scaled LR
	dispersion float64
	at         float64   // where the added rate reaches delta
	reached    bool      // it does so within the levels
	null       []float64 // fitted no-onset rate per level
	fitted     []float64 // fitted onset-model rate per level
}

func (b *onsetFit) rates(d *onsetData) (below, above, atMax float64) {
	var kb, nb, ka, na float64
	for j, x := range d.levels {
		if b.reached && x >= b.at {
			ka += b.fitted[j] * d.ln[j]
			na += d.ln[j]
		} else {
			kb += b.fitted[j] * d.ln[j]
			nb += d.ln[j]
		}
	}
	if nb > 0 {
		below = kb / nb
	}
	if na > 0 {
		above = ka / na
	}
	return below, above, b.fitted[len(b.fitted)-1]
}

// searchTol is the convergence tolerance of the fits inside a search: the
// likelihood is flat near its maximum, so coefficients to 1e-7 give the
// objective to far better than the differences between candidates.
const searchTol = 1e-7

// onsetFitter holds the models reused by every fit of a search.
type onsetFitter struct {
	firth     bool
	delta     float64
	alt, null [2]*logitModel // index 0: no slope below ψ; 1: ShapeSegmented
}

// resampleChunk is how many resampled data sets are drawn before they are
// fitted, together: enough to keep every core busy, few enough that a run
// with many rows does not hold hundreds of copies.
const resampleChunk = 32

// searchedFit is one data set's fit by searchAll.
type searchedFit struct {
	onsetFit
	err error
}

// searchAll fits shape to each data set, on as many goroutines as there
// are cores (the resamples are most of an onset's cost), each with a
// fitter of its own; the i-th fit is the i-th data set's.
func searchAll(sets []onsetData, shape OnsetShape, firth bool, delta float64, levels int) []searchedFit {
	fits := make([]searchedFit, len(sets))
	workers := min(runtime.GOMAXPROCS(0), len(sets))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newOnsetFitter(firth, delta, levels)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(sets) {
					return
				}
				fit, err := f.search(&sets[i], shape)
				fits[i] = searchedFit{fit, err}
			}
		}()
	}
	wg.Wait()
	return fits
}

func newOnsetFitter(firth bool, delta float64, levels int) *onsetFitter {
	return &onsetFitter{
		firth: firth,
		delta: delta,
		alt:   [2]*logitModel{newLogitModel(levels, 2), newLogitModel(levels, 3)},
		null:  [2]*logitModel{newLogitModel(levels, 1), newLogitModel(levels, 2)},
	}
}

// resized returns *m limited to rows rows, reallocating it if too small.
func resized(m **logitModel, rows int) *logitModel {
	if len((*m).k) < rows {
		*m = newLogitModel(rows, (*m).p)
	}
	(*m).setRows(rows)
	return *m
}

// search fits shape (both hinge and step for ShapeAuto) to d.
func (f *onsetFitter) search(d *onsetData, shape OnsetShape) (onsetFit, error) {
	if shape == ShapeAuto {
		h, herr := f.search(d, ShapeHinge)
		s, serr := f.search(d, ShapeStep)
		switch {
		case herr != nil:
			return s, serr
		case serr != nil:
			return h, nil
		case s.ok && (!h.ok || s.stat > h.stat):
			return s, nil
		}
		return h, nil
	}
	seg := 0
	if shape == ShapeSegmented {
		seg = 1
	}
	m := len(d.levels)
	lo, hi := d.levels[0], d.levels[m-1]
	scale := hi - lo

	// The no-onset model.
	nm := resized(&f.null[seg], m)
	for j, x := range d.levels {
		nm.x[j*nm.p] = 1
		if seg == 1 {
			nm.x[j*nm.p+1] = (x - lo) / scale
		}
		nm.k[j], nm.n[j] = d.lk[j], d.ln[j]
	}
	nres, err := nm.fit(f.firth, true, nil, 100, searchTol)
	if err != nil {
		return onsetFit{}, err
	}
	nullObj := nres.penLogLik
	noOnset := onsetFit{shape: shape, null: slices.Clone(nm.mu[:m])}

	am := resized(&f.alt[seg], m)
	p := am.p
	for j, x := range d.levels {
		am.x[j*p] = 1
		if seg == 1 {
			am.x[j*p+1] = (x - lo) / scale
		}
		am.k[j], am.n[j] = d.lk[j], d.ln[j]
	}
	term := func(x, psi float64) float64 {
		if shape == ShapeStep {
			if x >= psi {
				return 1
			}
			return 0
		}
		return max(0, x-psi) / scale
	}
	// eval fits the onset model at psi and returns its objective, or −Inf
	// when the fit fails or the rate does not go up past psi. Each fit
	// starts from the previous one, which is close.
	var start []float64
	warm := make([]float64, p)
	eval := func(psi float64) float64 {
		for j, x := range d.levels {
			am.x[j*p+p-1] = term(x, psi)
		}
		r, err := am.fit(f.firth, true, start, 100, searchTol)
		if err != nil {
			start = nil
			return math.Inf(-1)
		}
		copy(warm, am.beta)
		start = warm
		if am.beta[p-1] <= 0 {
			return math.Inf(-1)
		}
		return r.penLogLik
	}

	var cands []float64
	switch shape {
	case ShapeStep:
		cands = d.levels[1:]
	default:
		// ψ from the lowest level to the last but one, with points inside
		// the gaps when there are few levels, because the likelihood is
		// smooth in ψ between levels: some 32 to 48 points in all, and the
		// refinement below does the rest.
		levels := d.levels[:m-1]
		if len(levels) > 48 {
			thin := make([]float64, 0, 48)
			for i := range 48 {
				thin = append(thin, levels[i*(len(levels)-1)/47])
			}
			levels = slices.Compact(thin)
		}
		per := min(4, max(1, 32/len(levels)))
		for i, l := range levels {
			cands = append(cands, l)
			if i+1 < len(levels) {
				for j := 1; j < per; j++ {
					cands = append(cands, l+float64(j)/float64(per)*(levels[i+1]-l))
				}
			}
		}
	}
	bestPsi, bestObj, bestAt := 0.0, math.Inf(-1), -1
	for i, c := range cands {
		if v := eval(c); v > bestObj {
			bestPsi, bestObj, bestAt = c, v, i
		}
	}
	if bestAt < 0 {
		return noOnset, nil
	}
	if shape != ShapeStep {
		// Golden-section refinement between the neighbouring candidates.
		a := cands[max(bestAt-1, 0)]
		b := cands[min(bestAt+1, len(cands)-1)]
		const g = 0.6180339887498949
		c1, c2 := b-g*(b-a), a+g*(b-a)
		start = nil
		f1, f2 := eval(c1), eval(c2)
		for b-a > 1e-4*scale {
			if f1 >= f2 {
				b, c2, f2 = c2, c1, f1
				c1 = b - g*(b-a)
				f1 = eval(c1)
			} else {
				a, c1, f1 = c1, c2, f2
				c2 = a + g*(b-a)
				f2 = eval(c2)
			}
		}
		if f1 > bestObj {
			bestPsi, bestObj = c1, f1
		}
		if f2 > bestObj {
			bestPsi, bestObj = c2, f2
		}
	}
	start = nil
	if bestObj = eval(bestPsi); math.IsInf(bestObj, -1) {
		return noOnset, nil
	}

	fit := noOnset
	fit.ok = true
	fit.psi = bestPsi
	fit.fitted = slices.Clone(am.mu[:m])
	fit.coef = []float64{am.beta[0], am.beta[p-1]}
	if shape != ShapeStep {
		fit.coef[1] /= scale
	}
	if seg == 1 {
		// b0 + b2·(x − lo)/scale in the units of x.
		b2 := am.beta[1] / scale
		fit.coef[0] -= b2 * lo
		fit.coef = append(fit.coef, b2)
	}
	fit.at, fit.reached = benchmark(shape, fit.coef, bestPsi, hi, f.delta)
	// Overdispersion from the spread of rows (windows) around the fit.
	fit.dispersion = 1
	if df := len(d.x) - p - 1; df > 0 {
		dev := 0.0
		for i := range d.x {
			dev += binomDeviance(d.k[i], d.n[i], fit.fitted[d.at[i]])
		}
		fit.dispersion = max(1, dev/float64(df))
	}
	fit.stat = max(0, 2*(bestObj-nullObj)) / fit.dispersion
	return fit, nil
}

// benchmark returns the lowest x in [psi, top] at which the fitted rate
// exceeds the curve's own baseline by delta: for the hinge and the step the
// rate at psi, for the segmented curve its trend b0 + b2·x.
func benchmark(shape OnsetShape, coef []float64, psi, top, delta float64) (float64, bool) {
	added := func(x float64) float64 {
		base := coef[0]
		if shape == ShapeSegmented {
			base += coef[2] * x
		}
		var rise float64
		switch shape {
		case ShapeStep:
			if x >= psi {
				rise = coef[1]
			}
		default:
			rise = coef[1] * max(0, x-psi)
		}
		return expit(base+rise) - expit(base)
	}
	if added(psi) >= delta {
		return psi, true
	}
	if shape == ShapeStep {
		return 0, false
	}
	// The added rate grows from 0 at psi; find where it first reaches
	// delta on a grid, then by bisection.
	const steps = 256
	prev := psi
	for i := 1; i <= steps; i++ {
		x := psi + (top-psi)*float64(i)/steps
		if added(x) >= delta {
			lo, hi := prev, x
			for range 50 {
				mid := (lo + hi) / 2
				if added(mid) >= delta {
					hi = mid
				} else {
					lo = mid
				}
			}
			return hi, true
		}
		prev = x
	}
	return 0, false
}

// binomDeviance is the deviance contribution of k successes in n trials
// at fitted rate mu.
func binomDeviance(k, n, mu float64) float64 {
	d := 0.0
	if k > 0 {
		d += k * math.Log(k/(n*mu))
	}
	if k < n {
		d += (n - k) * math.Log((n-k)/(n*(1-mu)))
	}
	return 2 * d
}

// wilsonOnset is the model-free cross-check.
func wilsonOnset(d *onsetData, level float64) WilsonOnset {
	type lv struct{ x, k, n float64 }
	byLevel := map[float64]*lv{}
	var total float64
	for i, x := range d.x {
		l := byLevel[x]
		if l == nil {
			l = &lv{x: x}
			byLevel[x] = l
		}
		l.k += d.k[i]
		l.n += d.n[i]
		total += d.n[i]
	}
	ls := make([]*lv, 0, len(byLevel))
	for _, l := range byLevel {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b *lv) int { return cmp.Compare(a.x, b.x) })
	z, _ := zFor(level)
	// A level on its own often holds a dozen requests, too few to stand
	// out; it is judged with the levels just above it, up to windowN
	// requests, and must itself fail more often than the levels below.
	windowN := math.Max(50, total/float64(len(ls)))
	var kb, nb float64
	for j, l := range ls {
		if j > 0 && l.k > 0 && l.k/l.n > kb/nb {
			var kw, nw float64
			for _, w := range ls[j:] {
				kw += w.k
				nw += w.n
				if nw >= windowN {
					break
				}
			}
			lo, _ := wilson(kw, nw, z)
			_, hi := wilson(kb, nb, z)
			if lo > hi {
				return WilsonOnset{Found: true, Level: l.x, Rate: l.k / l.n, BaselineRate: kb / nb}
			}
		}
		kb += l.k
		nb += l.n
	}
	return WilsonOnset{}
}
