package diagnose

import (
	"fmt"
	"github.com/jtlscope/jtlscope/samples"
	"math"
	"sort"
	"strconv"

	"github.com/jtlscope/jtlscope/analyze/stats"
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
	Metric string      `json:"metric"` // "threads" or "in_flight"
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

func (c *concurrencyCause) assess(a *assessment) Finding {
	f := Finding{Cause: c.Name()}
	ev := &ConcurrencyEvidence{Metric: "threads"}
	f.Evidence = ev
	dim := dimThreads
	if a.has&samples.FieldThreads == 0 {
		ev.Metric, dim = "in_flight", dimInFlight
	}
	if a.noTimes {
		f.Verdict = NotAssessable
		f.Summary = "The input has no timestamps, so concurrency cannot be measured."
		f.Missing = "save timestamps (jmeter.save.saveservice.timestamp_format=ms) and thread counts (thread_counts=true)"
		return f
	}
	levels := a.table.Marginal(dim, a.keep)
	ev.Levels = bands(levels)
	for l := range levels {
		if int(l) > ev.MaxLevel {
			ev.MaxLevel = int(l)
		}
	}
	if len(levels) < 3 {
		f.Verdict = NotAssessable
		f.Summary = fmt.Sprintf("The run held %s, so failures cannot be set against concurrency.", levelsPhrase(levels, ev.Metric))
		f.Missing = "run a ramp or several load steps (for example 10, 20, ... 80 threads for a few minutes each)"
		return f
	}
	// The in-flight onset is secondary evidence; fit it alongside.
	var inflight *stats.Onset
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ev.Metric == "threads" {
			if io, err := a.onsetOn(dimInFlight, a.keep, 99); err == nil && io.Found {
				inflight = io
			}
		}
	}()
	on, err := a.onset(dim)
	<-done
	if err != nil {
		f.Verdict = NotAssessable
		f.Summary = "The failure rate could not be fitted against concurrency: " + err.Error()
		return f
	}
	ev.PValue = round3(on.P)
	ev.Shape = on.Shape.String()
	if on.Wilson.Found {
		ev.WilsonLevel = on.Wilson.Level
	}
	if io := inflight; io != nil {
		ev.InFlight = &Onset{Metric: "in_flight", Value: round1(io.At), Low: round1(io.AtCI.Lo), High: round1(io.AtCI.Hi)}
	}
	if !on.Found {
		f.Verdict = Unlikely
		f.Summary = fmt.Sprintf("The failure rate does not rise with concurrency: %s.", bandPhrase(ev.Levels, ev.Metric))
		f.short = "the failure rate does not rise with concurrency (" + bandPhrase(ev.Levels, ev.Metric) + ")"
		return f
	}
	threshold := on.At
	f.marker = func(k Key) bool {
		return float64(k[dim]) >= threshold
	}
	f.stratum = func(k Key) string { return "c" + strconv.Itoa(int(k[dim])/bandWidth(ev.MaxLevel)) }
	ev.Onset = &Onset{Metric: ev.Metric, Value: round1(on.At), Low: round1(on.AtCI.Lo), High: round1(on.AtCI.Hi)}
	below := a.table.Total(func(k Key) bool { return a.keep(k) && !f.marker(k) })
	above := a.table.Total(func(k Key) bool { return a.keep(k) && f.marker(k) })
	ev.RateBelow, ev.RateAbove = round3(below.Rate()), round3(above.Rate())
	f.Explained = a.explained(f.marker)
	f.Share = a.share(f.Explained)
	f.Verdict = Likely
	unit := metricUnit(ev.Metric)
	level := fmtLevel
	if ev.Metric == "threads" {
		level = fmtWhole // a thread count is whole; the fit's decimals are noise
	}
	f.Summary = fmt.Sprintf("The failure rate is %s below %s %s and %s at or above it (onset %s %s, 95%% CI %s–%s).",
		naturalRate(below), level(on.At), unit, naturalRate(above),
		level(on.At), unit, level(on.AtCI.Lo), level(on.AtCI.Hi))
	if ev.Onset.Value >= float64(ev.MaxLevel) {
		f.Summary += fmt.Sprintf(" The onset is at the highest level the run reached (%d), so nothing above it was tested.", ev.MaxLevel)
	}
	return f
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

// onset fits the failure onset over one level dimension, with time
// windows as bootstrap blocks.
func (a *assessment) onset(dim int) (*stats.Onset, error) { return a.onsetOn(dim, a.keep, 199) }

// onsetOn is onset over the cells keep accepts, with the given number of
// bootstrap resamples. It only reads the table, so causes may call it at
// the same time.
func (a *assessment) onsetOn(dim int, keep func(Key) bool, resamples int) (*stats.Onset, error) {
	type cell struct{ level, block int32 }
	var minL, maxL, maxT int32 = -1, -1, 0
	for k := range a.table.cells {
		if !keep(k) || k[dim] < 0 {
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
	for k, c := range a.table.cells {
		if !keep(k) || k[dim] < 0 {
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
		r.add(*c)
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
	return stats.EstimateOnset(x, k, n, block, &stats.OnsetOptions{Seed: a.seed, Resamples: resamples, NullResamples: 99})
}

// bands groups levels into at most about ten bands of a round width, with
// Wilson intervals, for the table and the chart.
func bands(levels map[int32]Counts) []LevelRate {
	maxL := int32(0)
	for l := range levels {
		if l > maxL {
			maxL = l
		}
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

func fmtLevel(x float64) string {
	if math.Abs(x-math.Round(x)) < 0.05 {
		return strconv.Itoa(int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func fmtWhole(x float64) string { return strconv.Itoa(int(math.Round(x))) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

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
	return fmt.Sprintf("only %d concurrency levels", len(ls))
}

// bandPhrase summarises the lowest and highest bands: "29% at 0-9
// threads and 28% at 20-29".
func bandPhrase(ls []LevelRate, metric string) string {
	if len(ls) == 0 {
		return "no data"
	}
	first, last := ls[0], ls[len(ls)-1]
	f := func(l LevelRate) string {
		if l.From == l.To {
			return fmt.Sprintf("%s at %d", pct(l.Rate), l.From)
		}
		return fmt.Sprintf("%s at %d–%d", pct(l.Rate), l.From, l.To)
	}
	return f(first) + " " + metricUnit(metric) + " and " + f(last)
}
