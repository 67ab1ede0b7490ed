package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
)

// concurrencyCause asks whether failures begin above some concurrency:
// a real limit or race on the server. The level is JMeter's allThreads
// when the input has it (what the test plan sets), else the requests
// measured in flight (HAR).
type concurrencyCause struct {
	seed uint64
}

func (c *concurrencyCause) Name() string                            { return "concurrency" }
func (c *concurrencyCause) setup(*Table)                            {}
func (c *concurrencyCause) observe(*samples.Sample, *request, *Key) {}

// LevelRate is the failure rate in a band of concurrency levels.
type LevelRate struct {
	From     int     `json:"from"`
	To       int     `json:"to"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// ConcurrencyEvidence is the evidence of the concurrency cause.
type ConcurrencyEvidence struct {
	Metric string `json:"metric"` // "threads" or "in_flight"
	// Kind names the failures the levels count (see Result.Kinds).
	Kind   string      `json:"kind,omitempty"`
	Onset  *Onset      `json:"onset,omitempty"`
	Levels []LevelRate `json:"levels"`
	// RateBelow and RateAbove are the observed failure rates below and at
	// or above the onset.
	RateBelow float64 `json:"rate_below,omitempty"`
	RateAbove float64 `json:"rate_above,omitempty"`
	// PValue tests "the rate rises with concurrency" against a flat rate.
	PValue float64 `json:"p_value"`
	Shape  string  `json:"shape,omitempty"`
	// InFlight is the same analysis on the measured in-flight requests,
	// when the main metric is threads.
	InFlight *Onset `json:"in_flight_onset,omitempty"`
	MaxLevel int    `json:"max_level"`
	// Wilson is the model-free cross-check: the lowest level whose rate
	// is clearly above every level below it.
	WilsonLevel float64 `json:"wilson_level,omitempty"`
}

// highBase is the failure rate at the lowest levels above which no onset
// is reported: failures that are already the rule at the lowest load did
// not begin at some higher one.
const highBase = 0.5

// onsetCheck is how the proposals fit an onset: the estimate and its
// test, without intervals, which are computed once for the marker kept.
const onsetCheck = -1

func (c *concurrencyCause) metric(a *assessment) string {
	if a.levelDim == dimThreads {
		return "threads"
	}
	return "in_flight"
}

func (c *concurrencyCause) propose(a *assessment, p *population) *Marker {
	if a.noTimes || p.kind == 0 {
		return nil
	}
	dim := a.levelDim
	if len(a.table.marginal(dim, p.all())) < 3 {
		return nil
	}
	on, err := a.onsetOn(dim, a.steadyView(p.all()), onsetCheck)
	if err != nil || !on.Found || on.RateBelow >= highBase {
		return nil
	}
	at := exposed(on)
	unit := metricUnit(c.metric(a))
	return &Marker{
		cause:   c.Name(),
		match:   func(k Key) bool { return float64(k[dim]) >= at },
		stratum: func(Key) int64 { return 0 },
		p:       on.P,
		param:   at,
		metric:  c.metric(a),
		detail:  fmt.Sprintf("from %s %s", fmtWhole(at), unit),
	}
}

func (c *concurrencyCause) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name()}
	ev := &ConcurrencyEvidence{Metric: c.metric(a)}
	f.Evidence = ev
	dim := a.levelDim
	if a.noTimes {
		f.Verdict = NotAssessable
		f.Summary = "The input has no timestamps, so concurrency cannot be measured."
		f.Missing = a.advice("save timestamps (jmeter.save.saveservice.timestamp_format=ms) and thread counts (thread_counts=true)",
			"capture with a tool that records each entry's start time and duration")
		return f
	}
	pop := v.ownPop(a)
	if pop == nil {
		pop = &population{}
	}
	if pop.kind != 0 {
		ev.Kind = pop.def.name()
	}
	levels := a.table.marginal(dim, pop.all())
	ev.Levels = bands(levels)
	for l := range levels {
		ev.MaxLevel = max(ev.MaxLevel, int(l))
	}
	// The fit leaves the ramp-down out: count the levels it will see.
	steady := a.table.marginal(dim, a.steadyView(pop.all()))
	if len(steady) < 3 && len(levels) >= 3 {
		f.Verdict = NotAssessable
		f.Summary = fmt.Sprintf("Once the ramp-down is left out (JMeter counts fewer threads while the full load is still in flight), the run held %s, so failures cannot be set against concurrency.", levelsPhrase(steady, ev.Metric))
		f.Missing = a.advice("hold each load level for a while, or ramp up more slowly, so that several thread counts carry requests",
			"capture a session with more requests in parallel")
		return f
	}
	if len(levels) < 3 {
		f.Verdict = NotAssessable
		who := "The run held"
		if pop.labels != nil && len(a.table.marginal(dim, view{})) >= 3 {
			who = "The requests of the failing labels were all sent at"
		}
		f.Summary = fmt.Sprintf("%s %s, so failures cannot be set against concurrency.", who, levelsPhrase(levels, ev.Metric))
		f.Missing = a.advice("run a ramp or several load steps (for example 10, 20, ... 80 threads for a few minutes each)",
			"capture a session with more requests in parallel, or run the same requests as a load test (a JMeter ramp) to set failures against concurrency")
		return f
	}
	var inflight *stats.Onset
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ev.Metric == "threads" {
			if io, err := a.onsetOn(dimInFlight, a.steadyView(pop.all()), 99); err == nil && io.Found {
				inflight = io
			}
		}
	}()
	on, err := a.onsetOn(dim, a.steadyView(pop.all()), 199)
	<-done
	if err != nil {
		// Not a message for the reader: the checks above cover the data
		// a fit needs; say what is known.
		f.Verdict = NotAssessable
		f.Summary = fmt.Sprintf("The failure rate could not be set against concurrency (%s).", bandPhrase(ev.Levels, ev.Metric))
		return f
	}
	ev.PValue = round3(on.P)
	ev.Shape = on.Shape.String()
	if on.Wilson.Found {
		ev.WilsonLevel = on.Wilson.Level
	}
	if io := inflight; io != nil {
		at, lo, hi := reported(io)
		ev.InFlight = &Onset{Metric: "in_flight", Value: round1(at), Low: round1(lo), High: round1(hi)}
	}
	unit := metricUnit(ev.Metric)
	f.Verdict = Unlikely // unless decide chose it
	if !on.Found || on.RateBelow >= highBase {
		f.Summary, f.short = noRisePhrase(a, pop, ev, on)
		return f
	}
	at, lo, hi := reported(on)
	marked := func(k Key) bool { return float64(k[dim]) >= at }
	ev.Onset = &Onset{Metric: ev.Metric, Value: round1(at), Low: round1(lo), High: round1(hi)}
	below := a.table.total(pop.where(func(k Key) bool { return !marked(k) }))
	above := a.table.total(pop.where(func(k Key) bool { return marked(k) }))
	ev.RateBelow, ev.RateAbove = round3(below.Rate()), round3(above.Rate())
	level := fmtLevel
	if ev.Metric == "threads" {
		level = fmtWhole
	}
	f.detail = fmt.Sprintf("from %s %s", level(at), unit)
	f.Summary = fmt.Sprintf("The failure rate%s is %s below %s %s and %s at or above it (onset %s %s, 95%% CI %s–%s).",
		kindClause(pop), naturalRate(below), level(at), unit, naturalRate(above),
		level(at), unit, level(lo), level(hi))
	if ev.Onset.Value >= float64(ev.MaxLevel) {
		f.Summary += fmt.Sprintf(" The onset is at the highest level the run reached (%d), so nothing above it was tested.", ev.MaxLevel)
	}
	return f
}

// noRisePhrase says why concurrency does not explain the failures, in
// words that agree with the numbers beside them.
func noRisePhrase(a *assessment, pop *population, ev *ConcurrencyEvidence, on *stats.Onset) (summary, short string) {
	ls := ev.Levels
	unit := metricUnit(ev.Metric)
	if len(ls) > 0 && on.RateBelow >= highBase && on.Found {
		first := ls[0]
		s := fmt.Sprintf("The failure rate was already %s at %s %s, the lowest level tested, so the failures did not begin at some concurrency.", pct(first.Rate), bandRange(first), unit)
		return s, "the failure rate was high at every concurrency level tested"
	}
	// Where the rates differ between levels although no onset fits, say
	// what does vary: the rate within a level, across time.
	if lo, hi, at, ok := a.spreadWithinLevel(pop); ok && hi-lo >= 0.3 {
		s := fmt.Sprintf("The failure rate is not set by concurrency: at %s it was %s in some time windows and %s in others.", levelCount(at, unit), pct(lo), pct(hi))
		return s, "the failure rate varies over time at the same concurrency"
	}
	s := fmt.Sprintf("The failure rate does not rise with concurrency: %s.", bandPhrase(ls, ev.Metric))
	return s, "the failure rate does not rise with concurrency (" + bandPhrase(ls, ev.Metric) + ")"
}

// spreadWithinLevel finds the busiest concurrency level and the lowest
// and highest failure rate of its time windows with at least 10 requests.
func (a *assessment) spreadWithinLevel(pop *population) (lo, hi float64, level int, ok bool) {
	dim := a.levelDim
	byLevel := a.table.marginal(dim, pop.all())
	var busiest int32
	var most int64
	for l, c := range byLevel {
		if c.N > most || (c.N == most && l > busiest) {
			busiest, most = l, c.N
		}
	}
	windows := a.table.marginal(dimTime, pop.where(func(k Key) bool { return k[dim] == busiest }))
	lo, hi = 2, -1
	for _, c := range windows {
		if c.N < 10 {
			continue
		}
		r := c.Rate()
		lo, hi = min(lo, r), max(hi, r)
	}
	return lo, hi, int(busiest), hi >= 0 && lo <= 1
}

// kindClause names the failures a rate counts when they are one mode of
// a kind: " of 400s answered after 1 s or more".
func kindClause(p *population) string {
	if p.kind == 0 || p.sub == 0 {
		return ""
	}
	return " of the " + modePhrase(p)
}

// modePhrase names one response-time mode of a kind: "400s answered
// within 16 ms".
func modePhrase(p *population) string {
	what := p.def.phrase() + "s"
	if p.sub == 1 {
		return fmt.Sprintf("%s answered within %s", what, fmtMS(p.elapsed.Max))
	}
	return fmt.Sprintf("%s answered after %s or more", what, fmtMS(p.elapsed.Min))
}

// reported is the onset to state, with its interval: the first level
// clearly above the baseline (the Wilson reading, corrected for the
// levels compared) when there is one, else the fitted curve's. A curve
// fitted to a gradual rise (timeouts as latency grows) starts rising
// well below the first failures; a reader asks where they began.
func reported(on *stats.Onset) (at, lo, hi float64) {
	if on.Wilson.Found {
		at, lo, hi = on.Wilson.Level, on.Wilson.LevelCI.Lo, on.Wilson.LevelCI.Hi
		if lo == 0 && hi == 0 {
			lo, hi = at, at
		}
		return at, min(lo, at), max(hi, at)
	}
	return on.At, min(on.AtCI.Lo, on.At), max(on.AtCI.Hi, on.At)
}

// exposed is the level from which requests count as exposed to a limit:
// the lower of the fitted and the observed onsets, so that the failures
// of a gradual rise are put down to it from where it starts.
func exposed(on *stats.Onset) float64 {
	if on.Wilson.Found && on.Wilson.Level < on.At {
		return on.Wilson.Level
	}
	return on.At
}

// Bounds on the data the onset fit sees. The fit profiles every
// candidate level and bootstraps it hundreds of times, so its cost grows
// with levels × levels × blocks; a day-long run with a thousand token ages
// must not take an hour. Beyond these, levels are grouped into bands and
// time windows into longer blocks, which costs precision far below the
// onset's own interval.
const (
	maxOnsetLevels = 100
	maxOnsetBlocks = 120
)

// onsetOn fits the failure onset over one level dimension on the cells
// v holds, with time windows as bootstrap blocks and the given
// number of resamples (onsetCheck: the estimate and its test only). It
// only reads the table, so causes may call it at the same time.
func (a *assessment) onsetOn(dim int, v view, resamples int) (*stats.Onset, error) {
	type cell struct{ level, block int32 }
	var minL, maxL, maxT int32 = -1, -1, 0
	for _, r := range a.table.list() {
		k := r.k
		if !v.keep(k) || k[dim] < 0 {
			continue
		}
		if minL < 0 || k[dim] < minL {
			minL = k[dim]
		}
		maxL = max(maxL, k[dim])
		maxT = max(maxT, k[dimTime])
	}
	lw := max(1, (maxL-minL)/maxOnsetLevels+1)
	tw := max(1, maxT/maxOnsetBlocks+1)
	rows := map[cell]*Counts{}
	for _, r := range a.table.list() {
		k, c := r.k, &r.c
		cc, ok := v.counts(k, *c)
		if !ok || k[dim] < 0 {
			continue
		}
		// A band is represented by its lowest level, so an onset read off
		// it errs towards caution.
		ck := cell{minL + (k[dim]-minL)/lw*lw, k[dimTime] / tw}
		r := rows[ck]
		if r == nil {
			r = &Counts{}
			rows[ck] = r
		}
		r.add(cc)
	}
	keys := make([]cell, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].level != keys[j].level {
			return keys[i].level < keys[j].level
		}
		return keys[i].block < keys[j].block
	})
	x := make([]float64, len(keys))
	k := make([]int, len(keys))
	n := make([]int, len(keys))
	block := make([]int, len(keys))
	for i, ck := range keys {
		x[i] = float64(ck.level)
		k[i] = int(rows[ck].Fail)
		n[i] = int(rows[ck].N)
		block[i] = int(ck.block)
	}
	opts := &stats.OnsetOptions{Seed: a.seed, Resamples: resamples, NullResamples: 99}
	if resamples == onsetCheck {
		opts.Resamples, opts.NoIntervals = 0, true
	}
	return stats.EstimateOnset(x, k, n, block, opts)
}

// byLevel is how often a mechanism failed requests at each band of load:
// the marked failures over every request of the band. A mechanism whose
// frequency rises with load (IDs from a clock collide more often, a
// throttled token endpoint refuses more threads) is still that mechanism,
// and the phrase says how it rose.
func (a *assessment) byLevel(pop *population, m *Marker) ([]LevelRate, string) {
	if a.noTimes || m == nil {
		return nil, ""
	}
	all := a.table.marginal(a.levelDim, a.steadyView(pop.all()))
	marked := a.table.marginal(a.levelDim, a.steadyView(pop.where(m.match)))
	for l, c := range all {
		c.Fail = marked[l].Fail
		all[l] = c
	}
	ls := bands(all)
	var first, last *LevelRate
	for i := range ls {
		if ls[i].Requests < 20 {
			continue
		}
		if first == nil {
			first = &ls[i]
		}
		last = &ls[i]
	}
	if first == nil || last == first || last.Rate < 3*first.Rate || last.Rate-first.Rate < 0.05 {
		return ls, ""
	}
	unit := metricUnit((&concurrencyCause{}).metric(a))
	return ls, fmt.Sprintf(" It grows with the load: %s of requests at %s %s failed this way, %s at %s.", pct(first.Rate), bandRange(*first), unit, pct(last.Rate), bandRange(*last))
}

// bands groups levels into at most about ten bands of a round width, with
// Wilson intervals, for the table and the chart.
func bands(levels map[int32]Counts) []LevelRate {
	maxL := int32(0)
	for l := range levels {
		maxL = max(maxL, l)
	}
	w := bandWidth(int(maxL))
	by := map[int]*Counts{}
	for l, c := range levels {
		if l < 0 {
			continue
		}
		b := int(l) / w
		if by[b] == nil {
			by[b] = &Counts{}
		}
		by[b].add(c)
	}
	var out []LevelRate
	for b, c := range by {
		lr := LevelRate{From: b * w, To: b*w + w - 1, Requests: c.N, Failures: c.Fail, Rate: round3(c.Rate())}
		if iv, err := stats.Wilson(int(c.Fail), int(c.N), 0.95); err == nil {
			lr.Low, lr.High = round3(iv.Lo), round3(iv.Hi)
		}
		out = append(out, lr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// bandWidth is a round width giving about ten bands up to max.
func bandWidth(max int) int {
	for _, w := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if max/w < 12 {
			return w
		}
	}
	return 1000 * (max/10000 + 1)
}

func metricUnit(m string) string {
	if m == "threads" {
		return "threads"
	}
	return "requests in flight"
}

func levelsPhrase(levels map[int32]Counts, metric string) string {
	var ls []int
	for l := range levels {
		ls = append(ls, int(l))
	}
	sort.Ints(ls)
	if len(ls) == 0 {
		return "no recorded concurrency levels"
	}
	if len(ls) == 1 {
		unit := metricUnit(metric)
		if ls[0] == 1 {
			unit = map[string]string{"threads": "thread", "requests in flight": "request in flight"}[unit]
		}
		return fmt.Sprintf("one concurrency level (%d %s)", ls[0], unit)
	}
	return fmt.Sprintf("only %s", count(int64(len(ls)), "concurrency level"))
}

func bandRange(l LevelRate) string {
	if l.From == l.To {
		return fmt.Sprint(l.From)
	}
	return fmt.Sprintf("%d–%d", l.From, l.To)
}

// bandPhrase summarises the lowest and highest bands: "29% at 0-9
// threads and 28% at 20-29".
func bandPhrase(ls []LevelRate, metric string) string {
	if len(ls) == 0 {
		return "no data"
	}
	first, last := ls[0], ls[len(ls)-1]
	f := func(l LevelRate) string { return fmt.Sprintf("%s at %s", pct(l.Rate), bandRange(l)) }
	unit := metricUnit(metric)
	if first.To == 1 {
		unit = strings.Replace(strings.Replace(unit, "threads", "thread", 1), "requests", "request", 1)
	}
	return f(first) + " " + unit + " and " + f(last)
}
