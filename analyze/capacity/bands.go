package capacity

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

// A Band is a range of concurrency levels taken together: single levels
// of a ramp hold a few dozen requests each, too few for a p95 or an error
// rate to mean much, and eighty rows are more than a reader reads.
type Band struct {
	From     int     `json:"from"`
	To       int     `json:"to"`
	Requests int64   `json:"requests"`
	ErrorPct float64 `json:"error_pct"`
	P50MS    float64 `json:"p50_ms"`
	P90MS    float64 `json:"p90_ms"`
	P95MS    float64 `json:"p95_ms"`
	P99MS    float64 `json:"p99_ms"`
	// Note marks where failures rose, where the p95 doubled and the last
	// band that met the default criterion.
	Note string `json:"note,omitempty"`

	failed int64
	lat    *stats.Histogram
}

// LabelBands is one label's measurements by band of concurrency.
type LabelBands struct {
	Label    string  `json:"label"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Bands    []Band  `json:"bands"`
	ErrorPct float64 `json:"error_pct"`
}

// maxBands is about how many bands a table gets.
const maxBands = 12

// maxBandLabels is how many labels (failing ones first) get a table.
const maxBandLabels = 8

// bandWidth is a round width (1, 2, 5 times a power of ten, or 25) that
// cuts levels up to top into at most maxBands bands.
func bandWidth(top int) int {
	raw := float64(top) / maxBands
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if w := m * mag; raw <= w && w == math.Trunc(w) {
			return int(w)
		}
	}
	return int(10 * mag)
}

// bands pools the levels of byN (ramp-down levels left out) into bands
// of width w: 1–w, w+1–2w, ...
func bands(byN map[int]*level, w int, rampDown map[int]bool) []Band {
	idx := map[int]*Band{}
	for n, lev := range byN {
		if rampDown[n] || lev.n == 0 {
			continue
		}
		k := (n - 1) / w
		b := idx[k]
		if b == nil {
			b = &Band{From: k*w + 1, To: (k + 1) * w, lat: stats.NewHistogram(time.Millisecond)}
			idx[k] = b
		}
		b.Requests += lev.n
		b.failed += lev.n - lev.ok
		_ = b.lat.Merge(lev.lat)
	}
	out := make([]Band, 0, len(idx))
	for _, b := range idx {
		b.ErrorPct = round(100*float64(b.failed)/float64(b.Requests), 2)
		b.P50MS, b.P90MS, b.P95MS, b.P99MS = q(b.lat, 0.5), q(b.lat, 0.9), q(b.lat, 0.95), q(b.lat, 0.99)
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// defaultCriterion is what "sustainable" means when no --sla is given:
// failures no more than 1 point above the rate at low load and at most
// maxDefaultErr, and no latency knee (the p95 stays within twice its value
// at low load). It judges bands, not single levels, and a band breaks
// the failure limit only when its rate is above it with 95% confidence
// (Wilson), so that a single failure among thirty requests does not end
// the sustainable range. Every band is judged, the low-load ones too: a
// band marked as meeting the criterion never fails more than it allows.
type defaultCriterion struct {
	baseErr, baseP95 float64 // fraction, ms
	// baseLo is the lower 95% bound of baseErr.
	baseLo float64
	// from and to are the levels the low-load bands span.
	from, to int
}

// maxDefaultErr is the most failures the default criterion allows,
// however many failed at low load: a run that already fails more than
// this at its lowest load is sustainable at no level (a relative limit
// alone called a run with 87% of its logins failing sustainable).
const maxDefaultErr = 0.05

// ceiling is the highest failure rate the criterion allows.
func (c defaultCriterion) ceiling() float64 { return min(c.baseErr+0.01, maxDefaultErr) }

// failingFromStart says failures are above maxDefaultErr already at low
// load, with 95% confidence: nothing is sustainable by the default
// criterion.
func (c defaultCriterion) failingFromStart() bool { return c.baseLo > maxDefaultErr }

// lowLoad measures the lowest third of the bands (at least one).
func lowLoad(bs []Band) defaultCriterion {
	low := bs[:max(1, (len(bs)+2)/3)]
	h := stats.NewHistogram(time.Millisecond)
	var req, failed int64
	for _, b := range low {
		req += b.Requests
		failed += b.failed
		_ = h.Merge(b.lat)
	}
	c := defaultCriterion{baseErr: float64(failed) / float64(max(req, 1)), baseP95: q(h, 0.95), from: low[0].From, to: low[len(low)-1].To}
	if iv, err := stats.Wilson(int(failed), int(req), 0.95); err == nil {
		c.baseLo = iv.Lo
	}
	return c
}

// Notes of a band that breaks the default criterion.
const (
	noteFailuresRise = "failures rise"
	noteFailuresHigh = "failures above 5%"
	noteP95Doubled   = "p95 doubled"
)

// mark notes the first band that breaks the criterion: the lowest one
// when failures are too many already at low load (a band alone may hold
// too few requests to be sure of it; the low-load bands together are).
func (c defaultCriterion) mark(bs []Band) {
	if c.failingFromStart() && len(bs) > 0 {
		bs[0].Note = noteFailuresHigh
		return
	}
	for i := range bs {
		if why := c.breaks(bs[i]); why != "" {
			bs[i].Note = why
			return
		}
	}
}

// breaks says why band b breaks the criterion, or "".
func (c defaultCriterion) breaks(b Band) string {
	if iv, err := stats.Wilson(int(b.failed), int(b.Requests), 0.95); err == nil && iv.Lo > c.ceiling() {
		if c.baseErr+0.01 > maxDefaultErr || iv.Lo <= c.baseErr+0.01 {
			return noteFailuresHigh
		}
		return noteFailuresRise
	}
	// A p95 of fewer than 20 requests is one of the slowest few: noise.
	if c.baseP95 > 0 && b.Requests >= 20 && b.P95MS > 2*c.baseP95 {
		return noteP95Doubled
	}
	return ""
}

func (c defaultCriterion) String() string {
	return fmt.Sprintf("failures at most 1 point above the low-load rate and at most %s%% (≤ %s%%) and p95 at most twice its low-load value (≤ %s ms)",
		fmtPct(100*maxDefaultErr), fmtPct(100*c.ceiling()), fmtMS(2*c.baseP95))
}

func fmtPct(x float64) string { return fmt.Sprintf("%.3g", x) }

func fmtMS(x float64) string {
	if x >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// applyDefault fills Sustainable and Statement from the default
// criterion, and marks the bands.
func (res *Result) applyDefault(bs []Band, unit string) {
	if len(bs) == 0 {
		return
	}
	c := lowLoad(bs)
	best := 0
	c.mark(bs)
	for i := range bs {
		if bs[i].Note != "" {
			break
		}
		best = i + 1
	}
	if best > 0 {
		bs[best-1].Note = "last band meeting the default criterion"
	}
	res.SLA = c.String()
	res.DefaultCriterion = true
	n := 0
	if best > 0 {
		// The highest level measured in the last band that met it.
		n = min(bs[best-1].To, res.maxLevel(bs[best-1]))
	}
	res.Sustainable = &n
	crit := ". The criterion, for want of --sla: " + res.SLA
	switch {
	case c.failingFromStart():
		at := fmt.Sprintf("%d–%d %s", c.from, c.to, unit)
		if c.from == c.to {
			at = levelCount(c.from, unit)
		}
		res.Statement = fmt.Sprintf("no level is sustainable by the default criterion: %s%% of requests failed already at low load (%s), "+
			"more than the %s%% it allows; fix those failures, or give --sla errors=… to judge at that failure rate%s",
			fmtPct(100*c.baseErr), at, fmtPct(100*maxDefaultErr), crit)
	case best == len(bs):
		res.Statement = fmt.Sprintf("every level tested, up to %s, met the default criterion%s", levelCount(n, unit), crit)
	case n > 0:
		res.Statement = fmt.Sprintf("highest concurrency meeting the default criterion: %s; above it, %s%s", levelCount(n, unit), bs[best].Note, crit)
	default:
		res.Statement = fmt.Sprintf("no band of levels met the default criterion: from the lowest on, %s%s", bs[0].Note, crit)
	}
}

// levelCount writes n levels of unit ("threads", "requests in flight"):
// "1 thread", "37 threads".
func levelCount(n int, unit string) string {
	if n == 1 {
		unit = strings.Replace(unit, "threads", "thread", 1)
		unit = strings.Replace(unit, "requests", "request", 1)
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// maxLevel is the highest level of res.Levels inside band b.
func (res *Result) maxLevel(b Band) int {
	top := b.From
	for _, l := range res.Levels {
		if l.N >= b.From && l.N <= b.To && !l.RampDown {
			top = max(top, l.N)
		}
	}
	return top
}
