package timeline

import (
	"math"
	"sort"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
)

// MaxWindows is the most windows a Timeline keeps.
const MaxWindows = 1200

// maxCodes bounds the response codes tracked as series of their own; the
// rarest are folded into "other" at the end.
const maxCodes = 64

// Timeline is an accumulator of per-window counts. Add samples in any
// order; those that start before the first one seen are put in the first
// window.
type Timeline struct {
	origin    time.Time
	hasOrigin bool
	width     time.Duration
	windows   []window
	codes     map[string]int
	codeNames []string
	noStart   int64
	// transactions counts Transaction Controller rows, which the windows
	// leave out (they count requests).
	transactions int64
	// labels keeps per-label latency per window (see LabelSeries), for at
	// most maxLabelWindows (label, window) pairs.
	labels     map[string]*labelWindows
	labelCells int
	// exact counts the latencies kept as exact values in every window's
	// and label cell's sketch; past exactBudget they are all compacted.
	exact     int
	compacted bool
	latencyN  int64 // requests that recorded a latency
	connectN  int64
	sentN     int64
	// threads adds up the load generators' thread counts.
	threads *concurrency.Threads
}

type labelWindows struct {
	requests int64
	cells    map[int]*labelCell
}

// labelCell is one label in one window.
type labelCell struct {
	ok, failed int64
	lat        stats.Sketch
}

// maxLabelWindows bounds the per-label cells (a few KiB each once
// compacted).
const maxLabelWindows = 20_000

// exactBudget is how many latencies the windows keep exactly, 8 bytes
// each, before every window's percentiles switch to a sketch within
// stats.SketchRelativeError (0.78%): runs of up to about a million
// requests get exact percentiles per window, as the summary does.
var exactBudget = 2 << 20

// maxLabelSeries is how many labels, the busiest, Result reports.
const maxLabelSeries = 6

type window struct {
	requests, failures int64
	codes              map[int]int64
	sumElapsed         time.Duration
	lat                *stats.Sketch
	sumLatency         time.Duration
	sumConnect         time.Duration
	nLatency, nConnect int64
	sent               int64
	threadsSum         int64
	threadsN           int64
	threadsMax         int
	// busy is Σ over requests of the time they were in flight within this
	// window; busy/width is the mean number in flight.
	busy     time.Duration
	bytes    int64
	finished int64 // requests that ended in the window (throughput)
	good     int64 // successful requests that ended in the window (goodput)
}

// New returns an empty Timeline.
func New() *Timeline {
	return &Timeline{width: time.Second, codes: map[string]int{}, labels: map[string]*labelWindows{}, threads: concurrency.NewThreads()}
}

// Add counts every request of s (samples.Sample.Requests), as the
// diagnosis does.
func (t *Timeline) Add(s *samples.Sample) {
	if s.Kind == samples.KindTransaction {
		t.transactions++
	}
	s.Requests(t.add)
}

func (t *Timeline) add(r *samples.Sample) {
	if r.Has&samples.FieldStart == 0 {
		t.noStart++
		return
	}
	if !t.hasOrigin {
		t.origin, t.hasOrigin = r.Start, true
	}
	start := r.Start.Sub(t.origin)
	if start < 0 {
		start = 0
	}
	end := start + r.Elapsed + r.Idle
	t.grow(end)
	w := t.at(start)
	w.requests++
	if !r.Success {
		w.failures++
	}
	ci, ok := t.codes[r.Code]
	if !ok && len(t.codeNames) < maxCodes {
		ci = len(t.codeNames)
		t.codes[r.Code] = ci
		t.codeNames = append(t.codeNames, r.Code)
		ok = true
	}
	if !ok {
		ci = -1 // other
	}
	if w.codes == nil {
		w.codes = map[int]int64{}
	}
	w.codes[ci]++
	w.sumElapsed += r.Elapsed
	if w.lat == nil {
		w.lat = t.newSketch()
	}
	w.lat.Add(r.Elapsed)
	t.spend()
	if r.Has&samples.FieldLatency != 0 {
		w.sumLatency += max(r.Latency, 0)
		w.nLatency++
		t.latencyN++
	}
	if r.Has&samples.FieldConnect != 0 {
		w.sumConnect += max(r.Connect, 0)
		w.nConnect++
		t.connectN++
	}
	if r.Has&samples.FieldSentBytes != 0 {
		w.sent += max(r.SentBytes, 0)
		t.sentN++
	}
	t.addLabel(r, int(start/t.width))
	if n := t.threads.Observe(r); n >= 0 {
		w.threadsSum += int64(n)
		w.threadsN++
		if n > w.threadsMax {
			w.threadsMax = n
		}
	}
	w.bytes += max(r.Bytes, 0)
	ew := t.at(end)
	ew.finished++
	if r.Success {
		ew.good++
	}
	// Spread the in-flight time over the windows the request spans.
	for i := int(start / t.width); i <= int(end/t.width) && i < len(t.windows); i++ {
		lo := max(start, time.Duration(i)*t.width)
		hi := min(end, time.Duration(i+1)*t.width)
		if hi > lo {
			t.windows[i].busy += hi - lo
		}
	}
}

func (t *Timeline) addLabel(r *samples.Sample, wi int) {
	lw := t.labels[r.Label]
	if lw == nil {
		if t.labelCells >= maxLabelWindows {
			return
		}
		lw = &labelWindows{cells: map[int]*labelCell{}}
		t.labels[r.Label] = lw
	}
	lw.requests++
	c := lw.cells[wi]
	if c == nil {
		if t.labelCells >= maxLabelWindows {
			return
		}
		t.labelCells++
		c = &labelCell{}
		if t.compacted {
			c.lat.Compact()
		}
		lw.cells[wi] = c
	}
	if r.Success {
		c.ok++
	} else {
		c.failed++
	}
	c.lat.Add(r.Elapsed)
	t.spend()
}

func (t *Timeline) newSketch() *stats.Sketch {
	s := &stats.Sketch{}
	if t.compacted {
		s.Compact()
	}
	return s
}

// spend accounts for one more exact latency and compacts every sketch
// when the budget is spent.
func (t *Timeline) spend() {
	if t.compacted {
		return
	}
	if t.exact++; t.exact <= exactBudget {
		return
	}
	t.compacted = true
	for i := range t.windows {
		if w := t.windows[i].lat; w != nil {
			w.Compact()
		}
	}
	for _, lw := range t.labels {
		for _, c := range lw.cells {
			c.lat.Compact()
		}
	}
}

func (t *Timeline) at(off time.Duration) *window {
	i := int(off / t.width)
	return &t.windows[i]
}

// grow makes room for an offset, doubling the window width while the run
// would need more than MaxWindows.
func (t *Timeline) grow(off time.Duration) {
	need := int(off/t.width) + 1
	for need > MaxWindows {
		t.coarsen()
		need = int(off/t.width) + 1
	}
	for len(t.windows) < need {
		t.windows = append(t.windows, window{})
	}
}

// coarsen merges neighbouring windows in pairs and doubles the width.
func (t *Timeline) coarsen() {
	merged := make([]window, (len(t.windows)+1)/2, MaxWindows)
	for i := range t.windows {
		m := &merged[i/2]
		w := &t.windows[i]
		m.requests += w.requests
		m.failures += w.failures
		if w.codes != nil {
			if m.codes == nil {
				m.codes = map[int]int64{}
			}
			for c, n := range w.codes {
				m.codes[c] += n
			}
		}
		m.sumElapsed += w.sumElapsed
		if w.lat != nil {
			if m.lat == nil {
				m.lat = w.lat
			} else {
				m.lat.Merge(w.lat)
			}
		}
		m.sumLatency += w.sumLatency
		m.sumConnect += w.sumConnect
		m.nLatency += w.nLatency
		m.nConnect += w.nConnect
		m.sent += w.sent
		m.threadsSum += w.threadsSum
		m.threadsN += w.threadsN
		m.threadsMax = max(m.threadsMax, w.threadsMax)
		m.busy += w.busy
		m.bytes += w.bytes
		m.finished += w.finished
		m.good += w.good
	}
	t.windows = merged
	t.width *= 2
	t.labelCells = 0
	for _, lw := range t.labels {
		m := map[int]*labelCell{}
		for wi, c := range lw.cells {
			if to := m[wi/2]; to != nil {
				to.ok += c.ok
				to.failed += c.failed
				to.lat.Merge(&c.lat)
			} else {
				m[wi/2] = c
			}
		}
		lw.cells = m
		t.labelCells += len(m)
	}
}

// Series is the timeline as plain data for charts and JSON.
type Series struct {
	Start time.Time `json:"start"`
	// WidthS is the window width in seconds.
	WidthS float64 `json:"width_s"`
	// Codes names the columns of Point.Codes; "other" collects the rest.
	Codes  []string `json:"codes"`
	Points []Point  `json:"points"`
	// HasThreads is false when the input records no thread counts (HAR).
	HasThreads bool `json:"has_threads"`
	// HasLatency, HasConnect and HasSent say whether any request recorded
	// its latency, connect time and sent bytes (JMeter before 3.1 saves
	// no sent bytes; a HAR may have no timings).
	HasLatency bool `json:"has_latency"`
	HasConnect bool `json:"has_connect"`
	HasSent    bool `json:"has_sent"`
	// Exact says the percentiles are exact; else they come from sketches
	// within stats.SketchRelativeError.
	Exact bool `json:"exact"`
	// ByLabel has per-window percentiles of the busiest labels, busiest
	// first; each Points slice lines up with Series.Points.
	ByLabel []LabelSeries `json:"by_label,omitempty"`
	// Untimed counts requests without a timestamp and Transactions the
	// Transaction Controller rows, neither in any window: they say why a
	// series without points has none.
	Untimed      int64 `json:"untimed,omitempty"`
	Transactions int64 `json:"transactions,omitempty"`
}

// LabelSeries is one label's latency over time.
type LabelSeries struct {
	Label    string       `json:"label"`
	Requests int64        `json:"requests"`
	Points   []LabelPoint `json:"points"`
}

// LabelPoint is one label in one window; zero Requests means none
// started there.
type LabelPoint struct {
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	MinMS    float64 `json:"min_ms"`
	MaxMS    float64 `json:"max_ms"`
	P50MS    float64 `json:"p50_ms"`
	P90MS    float64 `json:"p90_ms"`
	P95MS    float64 `json:"p95_ms"`
	P99MS    float64 `json:"p99_ms"`
}

// Point is one window.
type Point struct {
	// T is the window's start in seconds from the first request.
	T        float64 `json:"t"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	// Codes are requests started in the window per response code, in the
	// order of Series.Codes.
	Codes []int64 `json:"codes"`
	// Throughput and Goodput are requests and successful requests ending
	// in the window, per second.
	Throughput float64 `json:"throughput_per_s"`
	Goodput    float64 `json:"goodput_per_s"`
	// MeanThreads and MaxThreads are JMeter's allThreads over the
	// window's samples, added up over load generators
	// (concurrency.Threads); InFlight the time-averaged requests in flight.
	MeanThreads float64 `json:"mean_threads"`
	MaxThreads  int     `json:"max_threads"`
	InFlight    float64 `json:"in_flight"`
	MeanMS      float64 `json:"mean_ms"`
	MinMS       float64 `json:"min_ms"`
	MaxMS       float64 `json:"max_ms"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P95MS       float64 `json:"p95_ms"`
	P99MS       float64 `json:"p99_ms"`
	// LatencyMS and ConnectMS are the mean time to first byte and to
	// connect of the requests started in the window that recorded them.
	LatencyMS float64 `json:"latency_ms"`
	ConnectMS float64 `json:"connect_ms"`
	// ReceivedBPS and SentBPS are bytes per second received and sent by
	// the requests started in the window.
	ReceivedBPS float64 `json:"received_bytes_per_s"`
	SentBPS     float64 `json:"sent_bytes_per_s"`
}

// Result returns the series. Codes beyond the most frequent ones are
// folded into "other" so a chart stays readable.
func (t *Timeline) Result() Series {
	s := Series{Start: t.origin, WidthS: t.width.Seconds(), Exact: !t.compacted, Untimed: t.noStart, Transactions: t.transactions,
		HasLatency: t.latencyN > 0, HasConnect: t.connectN > 0, HasSent: t.sentN > 0}
	// Order codes by total, keep at most 8 series.
	totals := make([]int64, len(t.codeNames))
	var other int64
	for _, w := range t.windows {
		for c, n := range w.codes {
			if c >= 0 {
				totals[c] += n
			} else {
				other += n
			}
		}
	}
	order := make([]int, len(t.codeNames))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if totals[order[a]] != totals[order[b]] {
			return totals[order[a]] > totals[order[b]]
		}
		return t.codeNames[order[a]] < t.codeNames[order[b]]
	})
	const keep = 8
	col := map[int]int{-1: -1}
	for rank, c := range order {
		if rank < keep {
			col[c] = rank
			name := t.codeNames[c]
			if name == "" {
				name = "(none)"
			}
			s.Codes = append(s.Codes, name)
		} else {
			col[c] = -1
		}
	}
	hasOther := other > 0 || len(order) > keep
	if hasOther {
		s.Codes = append(s.Codes, "other")
	}
	sec := t.width.Seconds()
	for i, w := range t.windows {
		p := Point{
			T:          float64(i) * sec,
			Requests:   w.requests,
			Failures:   w.failures,
			Codes:      make([]int64, len(s.Codes)),
			Throughput: round3(float64(w.finished) / sec),
			Goodput:    round3(float64(w.good) / sec),
			MaxThreads: w.threadsMax,
			InFlight:   round3(w.busy.Seconds() / sec),
		}
		for c, n := range w.codes {
			if j := col[c]; j >= 0 {
				p.Codes[j] += n
			} else if hasOther {
				p.Codes[len(p.Codes)-1] += n
			}
		}
		if w.threadsN > 0 {
			p.MeanThreads = round3(float64(w.threadsSum) / float64(w.threadsN))
			s.HasThreads = true
		}
		if w.requests > 0 {
			p.MeanMS = round3(w.sumElapsed.Seconds() * 1000 / float64(w.requests))
		}
		if w.nLatency > 0 {
			p.LatencyMS = round3(w.sumLatency.Seconds() * 1000 / float64(w.nLatency))
		}
		if w.nConnect > 0 {
			p.ConnectMS = round3(w.sumConnect.Seconds() * 1000 / float64(w.nConnect))
		}
		p.ReceivedBPS, p.SentBPS = round3(float64(w.bytes)/sec), round3(float64(w.sent)/sec)
		if w.lat != nil && w.lat.Count() > 0 {
			p.MinMS, p.MaxMS = ms(w.lat.Min()), ms(w.lat.Max())
			p.P50MS, p.P90MS, p.P95MS, p.P99MS = q(w.lat, 0.5), q(w.lat, 0.9), q(w.lat, 0.95), q(w.lat, 0.99)
		}
		s.Points = append(s.Points, p)
	}
	// Only the busiest labels get series: pick them before computing
	// any quantile.
	labels := make([]string, 0, len(t.labels))
	for label := range t.labels {
		labels = append(labels, label)
	}
	sort.Slice(labels, func(i, j int) bool {
		ri, rj := t.labels[labels[i]].requests, t.labels[labels[j]].requests
		if ri != rj {
			return ri > rj
		}
		return labels[i] < labels[j]
	})
	if len(labels) > maxLabelSeries {
		labels = labels[:maxLabelSeries]
	}
	for _, label := range labels {
		lw := t.labels[label]
		ls := LabelSeries{Label: label, Requests: lw.requests, Points: make([]LabelPoint, len(t.windows))}
		for wi, c := range lw.cells {
			if wi < len(ls.Points) {
				h := &c.lat
				ls.Points[wi] = LabelPoint{Requests: h.Count(), Failures: c.failed, MinMS: ms(h.Min()), MaxMS: ms(h.Max()),
					P50MS: q(h, 0.5), P90MS: q(h, 0.9), P95MS: q(h, 0.95), P99MS: q(h, 0.99)}
			}
		}
		s.ByLabel = append(s.ByLabel, ls)
	}
	return s
}

// q is a percentile in milliseconds, rounded to the microsecond.
func q(s *stats.Sketch, p float64) float64 { return round3(s.Quantile(p)) }

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}
