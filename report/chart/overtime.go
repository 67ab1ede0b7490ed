package chart

import (
	"fmt"
	"github.com/jtlscope/jtlscope/samples/redact"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/analyze/timeline"
)

// recordTimestamps is what to save when a run has no times at all.
const recordTimestamps = "timestamps (jmeter.save.saveservice.timestamp_format=ms, the default)"

// timeAxis picks the unit of a time axis from the run's length, so that
// ticks read 0–95 s, 0–45 min or 0–24 h rather than 0–86,400.
type timeAxis struct {
	div  float64
	unit string
}

func newTimeAxis(s timeline.Series) timeAxis {
	last := 0.0
	if n := len(s.Points); n > 0 {
		last = s.Points[n-1].T + s.WidthS
	}
	switch {
	case last <= 15*60:
		return timeAxis{1, "s"}
	case last <= 15*3600:
		return timeAxis{60, "min"}
	}
	return timeAxis{3600, "h"}
}

func (a timeAxis) label() string { return "time since the first request (" + a.unit + ")" }

// x is the middle of each window, in the axis unit.
func (a timeAxis) x(s timeline.Series) []float64 {
	xs := make([]float64, len(s.Points))
	for i, p := range s.Points {
		xs[i] = (p.T + s.WidthS/2) / a.div
	}
	return xs
}

// originNote says where t = 0 is and how wide the windows are.
func originNote(s timeline.Series) string {
	return fmt.Sprintf("t = 0 is %s UTC; %s windows.", s.Start.UTC().Format("2006-01-02 15:04:05"), fmtWindow(s.WidthS))
}

func fmtWindow(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%g s", sec)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.Round(time.Second).String()
}

// overTime starts a chart over time: the time axis and the x of each
// window, or the NoData of a run without times.
func overTime(s timeline.Series, name, title, yLabel string) (*Chart, timeAxis, []float64, error) {
	if err := noTimes(s); err != nil {
		return nil, timeAxis{}, nil, err
	}
	ta := newTimeAxis(s)
	return newChart(name, title, ta.label(), yLabel), ta, ta.x(s), nil
}

func noTimes(s timeline.Series) error {
	switch {
	case len(s.Points) > 0:
		return nil
	case s.Untimed == 0 && s.Transactions > 0:
		return &NoData{Why: onlyTransactions(s.Transactions), Record: recordRequests}
	case s.Untimed == 0:
		return &NoData{Why: "the input has no requests"}
	}
	return &NoData{Why: "no request has a timestamp", Record: recordTimestamps}
}

// onlyTransactions says why an input of Transaction Controller rows alone
// gives no chart: they time groups of requests, which the charts count.
func onlyTransactions(n int64) string {
	what := fmt.Sprintf("%d transactions", n)
	if n == 1 {
		what = "1 transaction"
	}
	return "the input holds only Transaction Controller rows (" + what + "), no requests, and the charts count requests"
}

// recordRequests is what to save for a file of transactions alone.
const recordRequests = "the samplers' results, not only the Transaction Controllers' (uncheck \"Generate parent sample\", or save sub-results)"

// Threads charts JMeter's active threads and the requests measured in
// flight over time: how far the load generator's concurrency is from
// the server's.
func Threads(s timeline.Series) (*Chart, error) {
	if err := noTimes(s); err != nil {
		return nil, err
	}
	ta := newTimeAxis(s)
	title, yLabel := "Active threads and requests in flight", "threads / requests in flight"
	if !s.HasThreads {
		title, yLabel = "Requests in flight", "requests in flight"
	}
	c := newChart("threads", title, ta.label(), yLabel)
	xs := ta.x(s)
	threads, inFlight := make([]float64, len(xs)), make([]float64, len(xs))
	for i, p := range s.Points {
		threads[i], inFlight[i] = p.MeanThreads, p.InFlight
		if p.Requests == 0 && p.MeanThreads == 0 {
			threads[i] = nanValue // no sample in the window: no thread count
		}
	}
	if s.HasThreads {
		if err := c.line("active threads (JMeter)", xs, threads, Blue, nil, vg.Points(1.6)); err != nil {
			return nil, err
		}
	}
	col, dash := Vermilion, dashes[1]
	if !s.HasThreads {
		col, dash = Blue, nil // the only line: no need to tell it apart
	}
	if err := c.line("requests in flight (measured)", xs, inFlight, col, dash, vg.Points(1.4)); err != nil {
		return nil, err
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = "Threads are JMeter's allThreads, averaged per window; requests in flight are measured from the samples' start and end (time-averaged). Threads in think time count as active but send nothing. " + originNote(s)
	if !s.HasThreads {
		c.Note = "The input records no thread counts (a HAR capture, or a CSV saved without thread_counts), so only the measured requests in flight are shown. " + originNote(s)
	}
	return c, nil
}

// Codes charts responses per second for each response code.
func Codes(s timeline.Series) (*Chart, error) {
	c, _, xs, err := overTime(s, "codes", "Response codes per second", "responses per second")
	if err != nil {
		return nil, err
	}
	for j, code := range s.Codes {
		ys := make([]float64, len(xs))
		for i, p := range s.Points {
			if j < len(p.Codes) {
				ys[i] = float64(p.Codes[j]) / s.WidthS
			}
		}
		col, dash := c.next()
		name := codeText(code)
		if err := c.line(name, xs, ys, col, dash, vg.Points(1.4)); err != nil {
			return nil, err
		}
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.Note = "Responses are counted in the window where the request started. " + originNote(s)
	return c.finish(), nil
}

// LatencyOverTime charts response-time percentiles per window, of one
// label when label names one with its own data (see LatencyByLevel).
func LatencyOverTime(s timeline.Series, label string) (*Chart, error) {
	if err := noTimes(s); err != nil {
		return nil, err
	}
	ls := labelSeries(s, label)
	ta := newTimeAxis(s)
	title := "Response-time percentiles over time"
	if ls != nil {
		title = "Response times of " + quoteLabel(ls.Label) + " over time"
	}
	c := newChart("latency-over-time", title, ta.label(), "response time (ms)")
	xs := ta.x(s)
	for qi, q := range percentiles {
		ys := make([]float64, len(xs))
		for i, p := range s.Points {
			ys[i] = q.window(p)
			n := p.Requests
			if ls != nil && i < len(ls.Points) {
				lp := ls.Points[i]
				ys[i], n = [...]float64{lp.P50MS, lp.P90MS, lp.P95MS, lp.P99MS}[qi], lp.Requests
			}
			if n == 0 {
				ys[i] = nanValue // leave a gap where nothing started
			}
		}
		if err := c.points(q.name, xs, ys, q.colour, q.glyph, vg.Points(1.7)); err != nil {
			return nil, err
		}
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = "Percentiles of the requests started in each window (JMeter's estimator), " + exactness(s) + " " + originNote(s)
	return c, nil
}

// percentile is one latency percentile series, styled the same on every
// chart.
//
// They are drawn as markers, not lines: a run that mixes a fast and a
// slow request has a median that jumps between the two from one window
// to the next, and lines would turn that into a zigzag that hides the
// other percentiles.
type percentile struct {
	name   string
	colour color.RGBA
	glyph  draw.GlyphDrawer
	window func(timeline.Point) float64
}

var percentiles = []percentile{
	{"p50", Blue, draw.CircleGlyph{}, func(p timeline.Point) float64 { return p.P50MS }},
	{"p90", Green, draw.TriangleGlyph{}, func(p timeline.Point) float64 { return p.P90MS }},
	{"p95", Orange, draw.SquareGlyph{}, func(p timeline.Point) float64 { return p.P95MS }},
	{"p99", Vermilion, draw.CrossGlyph{}, func(p timeline.Point) float64 { return p.P99MS }},
}

// nanValue marks a point with no data; lines skip it.
var nanValue = math.NaN()

// exactness says how exact the per-window percentiles are.
func exactness(s timeline.Series) string {
	if s.Exact {
		return "exact."
	}
	return fmt.Sprintf("from sketches within %.2g%% of the exact value (the run is too long to keep every response time per window).", 100*stats.SketchRelativeError)
}

// labelSeries returns the series of label (as given, or as printed once
// redacted: the page names labels redacted), or nil for "" or a label the
// run does not have; the last match wins, as labels are unique.
func labelSeries(s timeline.Series, label string) *timeline.LabelSeries {
	var ls *timeline.LabelSeries
	for i := range s.ByLabel {
		if label != "" && (s.ByLabel[i].Label == label || redact.Text(s.ByLabel[i].Label) == label) {
			ls = &s.ByLabel[i]
		}
	}
	return ls
}
