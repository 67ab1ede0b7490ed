package capacity

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/samples"
)

// Levels accumulates latency and outcomes per concurrency level, the
// level being JMeter's allThreads when the input has it and the requests
// in flight at the start otherwise (HAR). Give it samples in start order.
type Levels struct {
	tracker *concurrency.Tracker
	byLevel map[int]*level
	// byLabel keeps latency per label and level, so a chart can show one
	// label's percentiles: a median over a fast read and a slow upload
	// says more about the mix than about load. Bounded by maxLabelLevels.
	byLabel     map[string]map[int]*level
	labelLevels int
	anyThread   bool
	// shift says how many adjacent levels share one entry: 2^shift, 1
	// until more than maxLevels distinct levels are seen. allThreads comes
	// from the input, and a file with a million distinct values must not
	// make a million histograms (or a chart with a million points).
	shift int
}

// maxLevels bounds the distinct concurrency levels kept; a real ramp to
// 2,000 threads still gets one entry per thread count.
const maxLevels = 2048

// key is the level that stands for n at the current bin width.
func (l *Levels) key(n int) int { return concurrency.Bin(n, l.shift) }

// coarsen doubles the bin width until at most maxLevels levels remain,
// merging the levels (and the per-label levels) that now share a bin.
func (l *Levels) coarsen() {
	for len(l.byLevel) > maxLevels {
		l.shift++
		// Every old key lies inside its old bin, which lies inside one new
		// bin, so key() of an old key finds the new bin.
		l.byLevel = rekey(l.byLevel, l.key)
		l.labelLevels = 0
		for label, m := range l.byLabel {
			m = rekey(m, l.key)
			l.byLabel[label] = m
			l.labelLevels += len(m)
		}
	}
}

func rekey(m map[int]*level, key func(int) int) map[int]*level {
	out := make(map[int]*level, len(m)/2+1)
	for n, lev := range m {
		k := key(n)
		if into := out[k]; into != nil {
			into.merge(lev)
		} else {
			out[k] = lev
		}
	}
	return out
}

func (lev *level) merge(o *level) {
	lev.n += o.n
	lev.ok += o.ok
	_ = lev.lat.Merge(o.lat) // same unit, both made here
}

type level struct {
	n, ok int64
	lat   *stats.Histogram
}

// NewLevels returns an empty accumulator.
func NewLevels() *Levels {
	return &Levels{tracker: concurrency.NewTracker(), byLevel: map[int]*level{}, byLabel: map[string]map[int]*level{}}
}

// Add counts the requests of s.
func (l *Levels) Add(s *samples.Sample) { s.Requests(l.add) }

func (l *Levels) add(r *samples.Sample) {
	lv := l.tracker.Observe(r)
	n := lv.InFlight
	if lv.Threads >= 0 {
		n = lv.Threads
		l.anyThread = true
	}
	if n <= 0 {
		return
	}
	n = l.key(n)
	lev := l.byLevel[n]
	if lev == nil {
		// Milliseconds: JMeter's times are whole milliseconds and values
		// under 512 ms stay exact.
		lev = &level{lat: stats.NewHistogram(time.Millisecond)}
		l.byLevel[n] = lev
		if len(l.byLevel) > maxLevels {
			l.coarsen()
			n = l.key(n)
			lev = l.byLevel[n]
		}
	}
	lev.add(r)
	ll := l.byLabel[r.Label]
	if ll == nil {
		if l.labelLevels >= maxLabelLevels {
			return
		}
		ll = map[int]*level{}
		l.byLabel[r.Label] = ll
	}
	lv2 := ll[n]
	if lv2 == nil {
		if l.labelLevels >= maxLabelLevels {
			return
		}
		l.labelLevels++
		lv2 = &level{lat: stats.NewHistogram(time.Millisecond)}
		ll[n] = lv2
	}
	lv2.add(r)
}

// maxLabelLevels bounds the (label, level) histograms kept; a HAR with a
// thousand URLs does not get a thousand latency curves anyway. Twice
// maxLevels, so that one or two labels keep every level.
const maxLabelLevels = 2 * maxLevels

// maxLabelCurves is how many labels, the busiest, Result reports.
const maxLabelCurves = 6

func (lev *level) add(r *samples.Sample) {
	lev.n++
	if r.Success {
		lev.ok++
	}
	lev.lat.Record(max(r.Elapsed, 0))
}

// LevelStats is one concurrency level: what it achieved and how fast.
type LevelStats struct {
	N        int     `json:"n"`
	Requests int64   `json:"requests"`
	ErrorPct float64 `json:"error_pct"`
	// TimeS is how long the run spent at this level (windows whose mean
	// thread count rounds to N); Throughput and Goodput are requests and
	// successful requests per second over that time.
	TimeS      float64 `json:"time_s"`
	Throughput float64 `json:"throughput_per_s"`
	Goodput    float64 `json:"goodput_per_s"`
	P50MS      float64 `json:"p50_ms"`
	P90MS      float64 `json:"p90_ms"`
	P95MS      float64 `json:"p95_ms"`
	P99MS      float64 `json:"p99_ms"`
	MeanMS     float64 `json:"mean_ms"`
	// RampDown marks levels seen only after the peak, while JMeter was
	// stopping threads: the server may still be loaded from before, so
	// they are left out of the fits.
	RampDown bool `json:"ramp_down,omitempty"`
	// Unfitted marks levels left out of the fits for failing too often
	// (see Result.FitErrorCeilingPct).
	Unfitted bool `json:"unfitted,omitempty"`
}

// Result is the capacity section of a report.
type Result struct {
	// Partial is set when the run was interrupted: the result covers only
	// the samples read before it.
	Partial bool `json:"partial,omitempty"`
	// Metric is "threads" (JMeter allThreads) or "in_flight".
	Metric string       `json:"metric"`
	Levels []LevelStats `json:"levels"`
	// Plateaus are the steady stretches found (a stepped test has them; a
	// linear ramp does not).
	Plateaus []Plateau `json:"plateaus"`
	// USL is fitted on goodput per level (on plateaus when there are at
	// least 6, else on every level the ramp passed through).
	USL      *USL            `json:"usl,omitempty"`
	USLFrom  string          `json:"usl_from,omitempty"` // "plateaus" or "ramp levels"
	NStarCI  *stats.Interval `json:"n_star_ci,omitempty"`
	XMaxCI   *stats.Interval `json:"x_max_ci,omitempty"`
	USLError string          `json:"usl_error,omitempty"`
	// FitErrorCeilingPct is the error rate above which a level is left
	// out of the USL fit and the knee.
	FitErrorCeilingPct float64 `json:"fit_error_ceiling_pct"`
	Knee               *Knee   `json:"knee,omitempty"`
	// Sustainable is the highest level at which every level up to it met
	// the SLA criteria; 0 when even the lowest broke them. Without
	// criteria, it is the highest level of the last band of levels that
	// met the default criterion (DefaultCriterion is then set and SLA
	// spells it out).
	SLA              string `json:"sla,omitempty"`
	DefaultCriterion bool   `json:"default_criterion,omitempty"`
	Sustainable      *int   `json:"sustainable,omitempty"`
	// Bands pools the levels of every request into bands of BandWidth
	// levels, judged by the default criterion; LabelBands the same per
	// label, failing labels first.
	BandWidth  int          `json:"band_width,omitempty"`
	Bands      []Band       `json:"bands,omitempty"`
	LabelBands []LabelBands `json:"label_bands,omitempty"`
	// FailuresRose is set when failures rose with load (a level left
	// out of the fit, or the default criterion broken by failures).
	FailuresRose bool `json:"failures_rose,omitempty"`
	// Statement is the one line for the report.
	Statement string `json:"statement,omitempty"`
	// ByLabel has the latency percentiles per level of the busiest
	// labels, busiest first.
	ByLabel  []LabelLevels `json:"by_label,omitempty"`
	Warnings []string      `json:"warnings"`
}

// LabelLevels is one label's latency against concurrency.
type LabelLevels struct {
	Label    string       `json:"label"`
	Requests int64        `json:"requests"`
	Levels   []LabelLevel `json:"levels"`
}

// LabelLevel is one label at one level.
type LabelLevel struct {
	N        int     `json:"n"`
	Requests int64   `json:"requests"`
	ErrorPct float64 `json:"error_pct"`
	P50MS    float64 `json:"p50_ms"`
	P90MS    float64 `json:"p90_ms"`
	P95MS    float64 `json:"p95_ms"`
	P99MS    float64 `json:"p99_ms"`
}

// Plateau is a stretch of time at one concurrency level.
type Plateau struct {
	N        int     `json:"n"`
	StartS   float64 `json:"start_s"`
	EndS     float64 `json:"end_s"`
	Goodput  float64 `json:"goodput_per_s"`
	ErrorPct float64 `json:"error_pct"`
}

// fitErrorMargin: levels failing more than this many percentage points
// above the error rate at low load are left out of the USL fit and the
// knee. Measured against low load, not zero, so that a constant share of
// failures from a broken request (a bad header in one thread group) does
// not hide the scaling of the rest.
const fitErrorMargin = 10

// errorCeiling is the error rate above which a level is left out of the
// fits: the rate over the lowest third of the levels plus fitErrorMargin.
func (l *Levels) errorCeiling(ns []int, rampDown map[int]bool) float64 {
	var up []int
	for _, n := range ns {
		if !rampDown[n] {
			up = append(up, n)
		}
	}
	var req, ok int64
	for _, n := range up[:(len(up)+2)/3] {
		req += l.byLevel[n].n
		ok += l.byLevel[n].ok
	}
	base := 0.0
	if req > 0 {
		base = 100 * float64(req-ok) / float64(req)
	}
	return round(math.Min(100, base+fitErrorMargin), 1)
}

// minR2 is the least share of the variation of goodput between levels a
// USL fit must explain to be shown. Fits on real ramps explain 80% or more
// (0.80 to 0.999 on the project's runs); one that explains less than half
// is mostly noise or failures, and its λ, σ and κ mean nothing.
const minR2 = 0.5

// minPlateau is how long a level must hold to count as a steady plateau.
const minPlateau = 10 * time.Second

// Result combines the levels with the timeline (for time spent at each
// level) and checks criteria when given. seed makes the intervals
// reproducible.
func (l *Levels) Result(series timeline.Series, criteria sla.Criteria, seed uint64) Result {
	res := Result{Metric: "in_flight", Warnings: []string{}}
	if l.anyThread {
		res.Metric = "threads"
	}
	// Time and completions per level from the windows.
	type acc struct{ time, done, good float64 }
	perLevel := map[int]*acc{}
	peakAt, peak := -1, 0
	// A window's level, in the bins the requests were counted in.
	levelOf := func(p timeline.Point) int {
		if lv := windowLevel(p, res.Metric); lv > 0 {
			return l.key(lv)
		}
		return 0
	}
	for i, p := range series.Points {
		lv := levelOf(p)
		if lv > peak {
			peak, peakAt = lv, i
		}
	}
	lastPeak := peakAt
	for i, p := range series.Points {
		if levelOf(p) == peak {
			lastPeak = i
		}
	}
	rampDown := map[int]bool{}
	seenBefore := map[int]bool{}
	for i, p := range series.Points {
		lv := levelOf(p)
		if lv <= 0 {
			continue
		}
		if i <= lastPeak {
			seenBefore[lv] = true
		} else if !seenBefore[lv] {
			rampDown[lv] = true
		}
		if i > lastPeak {
			continue // the ramp-down does not count towards throughput at a level
		}
		a := perLevel[lv]
		if a == nil {
			a = &acc{}
			perLevel[lv] = a
		}
		a.time += series.WidthS
		a.done += p.Throughput * series.WidthS
		a.good += p.Goodput * series.WidthS
	}
	ns := make([]int, 0, len(l.byLevel))
	for n := range l.byLevel {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	res.FitErrorCeilingPct = l.errorCeiling(ns, rampDown)
	var points []Point
	failing := 0
	for _, n := range ns {
		lev := l.byLevel[n]
		st := LevelStats{N: n, Requests: lev.n, RampDown: rampDown[n]}
		if lev.n > 0 {
			st.ErrorPct = round(100*float64(lev.n-lev.ok)/float64(lev.n), 3)
		}
		st.P50MS, st.P90MS, st.P95MS, st.P99MS = q(lev.lat, 0.5), q(lev.lat, 0.9), q(lev.lat, 0.95), q(lev.lat, 0.99)
		st.MeanMS = round(float64(lev.lat.Mean())/float64(time.Millisecond), 3)
		if a := perLevel[n]; a != nil && a.time > 0 {
			st.TimeS = round(a.time, 3)
			st.Throughput = round(a.done/a.time, 3)
			st.Goodput = round(a.good/a.time, 3)
			switch {
			case st.RampDown:
			case st.ErrorPct > res.FitErrorCeilingPct:
				st.Unfitted = true
				failing++
			default:
				points = append(points, Point{N: float64(n), X: a.good / a.time})
			}
		}
		res.Levels = append(res.Levels, st)
	}
	leftOut := ""
	if failing > 0 {
		res.FailuresRose = true
		what := fmt.Sprintf("%d levels", failing)
		if failing == 1 {
			what = "1 level"
		}
		leftOut = fmt.Sprintf("Left out of the USL fit and the knee: %s where more than %s%% of requests failed (10 points above the rate at low load). There the server rejects work rather than slowing down, which is a failure limit (see the failure onset), not a scalability curve.", what, strconv.FormatFloat(res.FitErrorCeilingPct, 'f', -1, 64))
	}
	if l.shift > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("more than %d distinct concurrency levels: each level shown stands for %d adjacent ones", maxLevels, 1<<l.shift))
	}
	res.ByLabel = l.labelCurves(rampDown)
	res.Plateaus = plateaus(series, res.Metric)
	fitOn := points
	res.USLFrom = "ramp levels"
	if len(res.Plateaus) >= 6 {
		fitOn = nil
		for _, p := range res.Plateaus {
			if p.ErrorPct <= res.FitErrorCeilingPct {
				fitOn = append(fitOn, Point{N: float64(p.N), X: p.Goodput})
			}
		}
		res.USLFrom = "plateaus"
	} else if len(points) >= 4 {
		found := "none was found"
		if k := len(res.Plateaus); k > 0 {
			found = fmt.Sprintf("only %d %s found", k, map[bool]string{true: "was", false: "were"}[k == 1])
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("the USL is fitted on the levels a ramp passed through, each held only briefly, so throughput per level is noisy: a firmer fit needs steady plateaus (10 s or more at one level) at six levels or more, and %s. A stepped test (several minutes per level) gives one.", found))
	}
	if len(fitOn) >= 3 {
		u, err := FitUSL(fitOn)
		if err == nil && u.R2 < minR2 {
			// A curve that explains next to nothing of how goodput
			// varies between levels is no capacity model, whatever
			// its parameters say ("levels off towards λ/σ").
			res.USLError = fmt.Sprintf("fitted on %d levels it explains only %.0f%% of how goodput varies between them (R² %.3f, less than the %.1f required), so goodput does not follow concurrency the way the model assumes and no capacity can be read from it",
				len(fitOn), 100*max(u.R2, 0), u.R2, minR2)
		} else if err == nil {
			res.USL = u
			if leftOut != "" {
				res.Warnings = append([]string{leftOut}, res.Warnings...)
			}
			for _, w := range u.Warnings {
				res.Warnings = append(res.Warnings, "USL: "+w.String())
			}
			res.NStarCI, res.XMaxCI = uslIntervals(fitOn, u, seed)
		} else {
			res.USLError = fitError(err, len(fitOn), failing)
		}
		// The knee of a rising curve: up to the throughput peak only, since
		// Kneedle assumes one bend and a fall after the peak is another.
		peak := 0
		for i, p := range fitOn {
			if p.X > fitOn[peak].X {
				peak = i
			}
		}
		var xs, ys []float64
		for _, p := range fitOn[:peak+1] {
			xs, ys = append(xs, p.N), append(ys, p.X)
		}
		// Kneedle finds a "knee" in noise on a straight line too; only a
		// curve that really bends (the last point does at most 80% of
		// linear scaling from the first) has one.
		if len(xs) >= 3 && xs[0] > 0 && ys[0] > 0 && ys[len(ys)-1]/xs[len(xs)-1] <= 0.8*ys[0]/xs[0] {
			if k, err := Kneedle(xs, ys, nil); err == nil && k.Found {
				res.Knee = &k
			}
		}
	} else {
		res.USLError = fitError(nil, len(fitOn), failing)
	}
	unitName := "threads"
	if res.Metric != "threads" {
		unitName = "requests in flight"
	}
	if len(ns) > 0 {
		res.BandWidth = bandWidth(ns[len(ns)-1])
		res.Bands = bands(l.byLevel, res.BandWidth, rampDown)
		res.LabelBands = l.labelBands(res.BandWidth, rampDown)
	}
	if len(criteria) == 0 {
		res.applyDefault(res.Bands, unitName)
		for _, b := range res.Bands {
			res.FailuresRose = res.FailuresRose || b.Note == noteFailuresRise
		}
	}
	if len(criteria) > 0 {
		res.SLA = criteria.String()
		best := 0
		for _, st := range res.Levels {
			if st.RampDown {
				continue
			}
			v := sla.Values{P50: st.P50MS, P90: st.P90MS, P95: st.P95MS, P99: st.P99MS, Mean: st.MeanMS, ErrorPct: st.ErrorPct, Throughput: st.Goodput}
			if len(criteria.Check(v)) > 0 {
				break
			}
			best = st.N
		}
		res.Sustainable = &best
		if best > 0 {
			res.Statement = "sustainable: " + levelCount(best, unitName) + " at " + res.SLA
		} else {
			res.Statement = "not sustainable at any measured level: even the lowest broke " + res.SLA
		}
	}
	return res
}

// labelCurves returns the busiest labels' percentiles per level, leaving
// out levels seen only during the ramp-down.
func (l *Levels) labelCurves(rampDown map[int]bool) []LabelLevels {
	// Only the busiest labels get curves: pick them before computing any
	// quantile.
	out := make([]LabelLevels, 0, len(l.byLabel))
	for label, byN := range l.byLabel {
		ll := LabelLevels{Label: label}
		for _, lev := range byN {
			ll.Requests += lev.n
		}
		out = append(out, ll)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].Label < out[j].Label
	})
	if len(out) > maxLabelCurves {
		out = out[:maxLabelCurves]
	}
	for i := range out {
		byN := l.byLabel[out[i].Label]
		ns := make([]int, 0, len(byN))
		for n := range byN {
			ns = append(ns, n)
		}
		sort.Ints(ns)
		for _, n := range ns {
			lev := byN[n]
			if rampDown[n] {
				continue
			}
			out[i].Levels = append(out[i].Levels, LabelLevel{N: n, Requests: lev.n,
				ErrorPct: round(100*float64(lev.n-lev.ok)/float64(lev.n), 3),
				P50MS:    q(lev.lat, 0.5), P90MS: q(lev.lat, 0.9), P95MS: q(lev.lat, 0.95), P99MS: q(lev.lat, 0.99)})
		}
	}
	return out
}

// windowLevel is the concurrency a window ran at.
func windowLevel(p timeline.Point, metric string) int {
	if metric == "threads" {
		return int(math.Round(p.MeanThreads))
	}
	return int(math.Round(p.InFlight))
}

// plateaus finds stretches of at least minPlateau where the level stays
// where it started (within 2% for large levels, where JMeter's count
// jitters as threads finish iterations).
func plateaus(series timeline.Series, metric string) []Plateau {
	var out []Plateau
	i := 0
	for i < len(series.Points) {
		lv := windowLevel(series.Points[i], metric)
		j := i
		var good float64
		var reqs, fails int64
		tol := lv / 50
		for j < len(series.Points) && abs(windowLevel(series.Points[j], metric)-lv) <= tol {
			good += series.Points[j].Goodput
			reqs += series.Points[j].Requests
			fails += series.Points[j].Failures
			j++
		}
		dur := float64(j-i) * series.WidthS
		if lv > 0 && dur >= minPlateau.Seconds() {
			p := Plateau{N: lv, StartS: float64(i) * series.WidthS, EndS: float64(j) * series.WidthS, Goodput: round(good/float64(j-i), 3)}
			if reqs > 0 {
				p.ErrorPct = round(100*float64(fails)/float64(reqs), 3)
			}
			out = append(out, p)
		}
		i = max(j, i+1)
	}
	return out
}

// uslIntervals gives 95% intervals for N* and X_max by a residual
// bootstrap: refit on the fitted curve plus resampled residuals.
func uslIntervals(pts []Point, u *USL, seed uint64) (*stats.Interval, *stats.Interval) {
	if u.Limitless || len(pts) < 4 {
		return nil, nil
	}
	fit := func(n float64) float64 {
		return u.Lambda * n / (1 + u.Sigma*(n-1) + u.Kappa*n*(n-1))
	}
	res := make([]float64, len(pts))
	for i, p := range pts {
		res[i] = p.X - fit(p.N)
	}
	rng := rand.New(rand.NewPCG(seed, 0x75736c))
	var nstar, xmax []float64
	boot := make([]Point, len(pts))
	for b := 0; b < 200; b++ {
		for i, p := range pts {
			boot[i] = Point{N: p.N, X: max(fit(p.N)+res[rng.IntN(len(res))], 0)}
		}
		bu, err := FitUSL(boot)
		if err != nil || bu.Limitless || math.IsInf(bu.NStar, 0) {
			continue
		}
		nstar = append(nstar, bu.NStar)
		xmax = append(xmax, bu.XMax)
	}
	if len(nstar) < 100 {
		return nil, nil
	}
	return pctInterval(nstar), pctInterval(xmax)
}

func pctInterval(xs []float64) *stats.Interval {
	slices.Sort(xs)
	lo := xs[int(0.025*float64(len(xs)))]
	hi := xs[int(math.Min(0.975*float64(len(xs)), float64(len(xs)-1)))]
	return &stats.Interval{Lo: round(lo, 2), Hi: round(hi, 2), Level: 0.95}
}

func q(h *stats.Histogram, p float64) float64 {
	d, err := h.Quantile(p)
	if err != nil {
		return 0
	}
	return round(float64(d)/float64(time.Millisecond), 3)
}

func round(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// fitError says in words why there is no USL fit: n points were left to
// fit, failing levels were left out.
func fitError(err error, n, failing int) string {
	why := fmt.Sprintf("only %d concurrency %s with a measured throughput", n, map[bool]string{true: "level", false: "levels"}[n == 1])
	if failing > 0 {
		why += fmt.Sprintf(" below the failure limit (%d more failed too often to count)", failing)
	}
	switch {
	case n < 4:
		return why + ", and the fit needs at least 4 (a ramp or load steps through several levels, with thread counts, gives them)"
	case err != nil && errors.Is(err, stats.ErrDegenerate):
		return fmt.Sprintf("the %d levels do not determine the three parameters (too few distinct levels, no throughput, or no convergence)", n)
	case err != nil:
		return "the measurements cannot be fitted (" + err.Error() + ")"
	}
	return why
}

// labelBands pools each label's levels into bands, failing labels first.
func (l *Levels) labelBands(w int, rampDown map[int]bool) []LabelBands {
	out := make([]LabelBands, 0, len(l.byLabel))
	for label, byN := range l.byLabel {
		lb := LabelBands{Label: label}
		for n, lev := range byN {
			if !rampDown[n] {
				lb.Requests += lev.n
				lb.Errors += lev.n - lev.ok
			}
		}
		if lb.Requests > 0 {
			lb.ErrorPct = round(100*float64(lb.Errors)/float64(lb.Requests), 2)
			out = append(out, lb)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Errors > 0) != (out[j].Errors > 0) {
			return out[i].Errors > 0
		}
		if out[i].ErrorPct != out[j].ErrorPct {
			return out[i].ErrorPct > out[j].ErrorPct
		}
		if out[i].Requests != out[j].Requests {
			return out[i].Requests > out[j].Requests
		}
		return out[i].Label < out[j].Label
	})
	if len(out) > maxBandLabels {
		out = out[:maxBandLabels]
	}
	for i := range out {
		bs := bands(l.byLabel[out[i].Label], w, rampDown)
		if len(bs) > 0 {
			lowLoad(bs).mark(bs)
		}
		out[i].Bands = bs
	}
	return out
}
