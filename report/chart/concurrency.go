package chart

import (
	"fmt"
	"github.com/jtlscope/jtlscope/samples/redact"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/sla"
)

// levelAxis is the x-axis label for a concurrency metric.
func levelAxis(metric string) string {
	if metric == "threads" {
		return "active threads (JMeter allThreads)"
	}
	return "requests in flight (measured)"
}

// LevelUnit names the unit of a concurrency metric ("threads" or
// "in_flight") in text.
func LevelUnit(metric string) string {
	if metric == "threads" {
		return "threads"
	}
	return "requests in flight"
}

// FailureRate charts the failure rate against concurrency, with 95%
// intervals per band of levels and the onset marked: a vertical line at
// the estimate over a shaded band for its 95% interval.
func FailureRate(d diagnose.Result) (*Chart, error) {
	f := d.Cause("concurrency")
	if f == nil {
		return nil, &NoData{Why: "the diagnosis has no concurrency finding"}
	}
	ev, _ := f.Evidence.(*diagnose.ConcurrencyEvidence)
	switch {
	case d.Failures == 0:
		return nil, &NoData{Why: fmt.Sprintf("no request failed (failures counted: %s)", d.Criterion)}
	case ev == nil || len(ev.Levels) < 3:
		return nil, causeNoData(f.Summary, f.Missing)
	}
	c := newChart("failure-rate", "Failure rate against concurrency", levelAxis(ev.Metric), "failure rate (%)")
	level := fmtNum
	if ev.Metric == "threads" {
		level = fmtWhole // a thread count is whole, as in the diagnosis's text
	}
	if on := ev.Onset; on != nil {
		c.vband(fmt.Sprintf("onset 95%% CI %s–%s", level(on.Low), level(on.High)), on.Low, on.High, translucent(Vermilion, 0.16))
	}
	var xs, ys, lo, hi []float64
	for _, l := range ev.Levels {
		xs = append(xs, float64(l.From+l.To)/2)
		ys = append(ys, 100*l.Rate)
		lo = append(lo, 100*l.Low)
		hi = append(hi, 100*l.High)
	}
	if err := c.intervals("95% interval", xs, ys, lo, hi, Blue); err != nil {
		return nil, err
	}
	if err := c.line("", xs, ys, translucent(Blue, 0.5), nil, vg.Points(0.8)); err != nil {
		return nil, err
	}
	if err := c.points("failure rate", xs, ys, Blue, draw.CircleGlyph{}, vg.Points(3)); err != nil {
		return nil, err
	}
	if on := ev.Onset; on != nil {
		c.vline(fmt.Sprintf("onset %s %s", level(on.Value), LevelUnit(ev.Metric)), on.Value, Vermilion, dashes[1])
	}
	c.Plot.Y.Min, c.Plot.Y.Max = 0, 100
	c.Plot.X.Min = 0
	c.fixedY = true
	c.finish()
	width := ev.Levels[0].To - ev.Levels[0].From + 1
	var note strings.Builder
	band := fmt.Sprintf("a band of %d %s", width, LevelUnit(ev.Metric))
	if width == 1 {
		band = "one level"
	}
	fmt.Fprintf(&note, "Failures are %s responses on the failing labels. Each point is %s; bars are 95%% Wilson intervals.", d.Criterion, band)
	if on := ev.Onset; on != nil {
		fmt.Fprintf(&note, " The onset is where the failure rate starts to rise: %s %s (95%% CI %s–%s, shaded); %.1f%% failed below it and %.1f%% at or above it.",
			level(on.Value), LevelUnit(ev.Metric), level(on.Low), level(on.High), 100*ev.RateBelow, 100*ev.RateAbove)
	} else {
		note.WriteString(" No onset: the failure rate does not rise with concurrency.")
	}
	if io := ev.InFlight; io != nil {
		fmt.Fprintf(&note, " Measured at the server side, the onset is %s requests in flight (95%% CI %s–%s).", fmtNum(io.Value), fmtNum(io.Low), fmtNum(io.High))
	}
	c.Note = note.String()
	return c, nil
}

// Throughput charts measured goodput (successful requests per second at
// each concurrency level, not JMeter Plugins' threads × 1000 / response
// time) with the Universal Scalability Law fit and its peak N*.
func Throughput(r capacity.Result) (*Chart, error) {
	var good, failing, all, down Series
	maxN := 0.0
	for _, l := range r.Levels {
		if l.TimeS <= 0 {
			continue
		}
		n := float64(l.N)
		if l.RampDown {
			down.X, down.Y = append(down.X, n), append(down.Y, l.Goodput)
			continue
		}
		if l.Unfitted {
			failing.X, failing.Y = append(failing.X, n), append(failing.Y, l.Goodput)
		} else {
			good.X, good.Y = append(good.X, n), append(good.Y, l.Goodput)
		}
		all.X, all.Y = append(all.X, n), append(all.Y, l.Throughput)
		maxN = max(maxN, n)
	}
	if len(good.X)+len(failing.X) == 0 {
		return nil, &NoData{Why: "no concurrency level with a measured throughput", Record: recordTimestamps + " and thread counts (thread_counts=true)"}
	}
	c := newChart("throughput", "Throughput against concurrency", levelAxis(r.Metric), "requests per second")
	u := r.USL
	drawPeak := u != nil && !u.Limitless && !math.IsInf(u.NStar, 0) && u.NStar <= 2*maxN
	if drawPeak && r.NStarCI != nil {
		c.vband(fmt.Sprintf("N* 95%% CI %s–%s", fmtNum(r.NStarCI.Lo), fmtNum(r.NStarCI.Hi)), r.NStarCI.Lo, r.NStarCI.Hi, translucent(Vermilion, 0.14))
	}
	if err := c.points("all responses (incl. failures)", all.X, all.Y, Grey, draw.RingGlyph{}, vg.Points(2)); err != nil {
		return nil, err
	}
	// "(fitted)" and "(not fitted)" only where a curve was fitted to
	// the levels: a legend must not speak of a fit that is not there.
	fitted, notFitted := "", ""
	if u != nil && r.USLFrom != "plateaus" {
		fitted, notFitted = " (fitted)", " (not fitted)"
	}
	if err := c.points("ramp-down"+notFitted, down.X, down.Y, Grey, draw.TriangleGlyph{}, vg.Points(2.2)); err != nil {
		return nil, err
	}
	goodName := "goodput" + fitted
	if fitted == "" {
		goodName = "goodput per level"
	}
	if err := c.points(goodName, good.X, good.Y, Blue, draw.CircleGlyph{}, vg.Points(2.2)); err != nil {
		return nil, err
	}
	if err := c.points(fmt.Sprintf("goodput, > %s%% errors%s", fmtNum(r.FitErrorCeilingPct), notFitted), failing.X, failing.Y, Vermilion, draw.TriangleGlyph{}, vg.Points(2.2)); err != nil {
		return nil, err
	}
	if r.USLFrom == "plateaus" {
		var px, py []float64
		for _, p := range r.Plateaus {
			px, py = append(px, float64(p.N)), append(py, p.Goodput)
		}
		name := "plateau goodput"
		if u != nil {
			name += " (fitted)"
		}
		if err := c.points(name, px, py, Black, draw.SquareGlyph{}, vg.Points(3)); err != nil {
			return nil, err
		}
	}
	var notes []string
	notes = append(notes, "Goodput is successful requests per second, measured over the time the run spent at each level; grey rings count failures too.")
	if u != nil {
		hi := maxN
		if drawPeak {
			hi = max(hi, math.Min(u.NStar*1.15, 2*maxN))
		}
		var xs, ys []float64
		const steps = 200
		for i := 0; i <= steps; i++ {
			n := 1 + (hi-1)*float64(i)/steps
			xs, ys = append(xs, n), append(ys, u.Throughput(n))
		}
		if err := c.line(fmt.Sprintf("USL fit (R² %.2f)", u.R2), xs, ys, Vermilion, nil, vg.Points(1.8)); err != nil {
			return nil, err
		}
		switch {
		case drawPeak:
			c.vline(fmt.Sprintf("N* = %s %s", fmtNum(u.NStar), LevelUnit(r.Metric)), u.NStar, Vermilion, dashes[1])
			c.hline(fmt.Sprintf("X_max = %s/s", fmtNum(u.XMax)), u.XMax, Grey, dashes[2])
		case u.Limitless:
			notes = append(notes, "The fit has no coherency penalty (κ = 0): it predicts no peak.")
		default:
			notes = append(notes, fmt.Sprintf("The fitted peak N* = %s is beyond twice the tested range and is not drawn.", fmtNum(u.NStar)))
		}
		notes = append(notes, fmt.Sprintf("USL fitted on %s (%d points): σ = %s, κ = %s, λ = %s/s.", r.USLFrom, u.Points, FmtSig(u.Sigma), FmtSig(u.Kappa), FmtSig(u.Lambda)))
	} else if r.USLError != "" {
		notes = append(notes, "No USL fit: "+r.USLError+".")
	}
	if k := r.Knee; k != nil && k.Found {
		c.vline(fmt.Sprintf("knee %s %s", fmtNum(k.X), LevelUnit(r.Metric)), k.X, Green, dashes[2])
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.Note = strings.Join(notes, " ")
	return c.finish(), nil
}

// LatencyByLevel charts response-time percentiles against concurrency,
// with the SLA's latency limits and the sustainable level marked. label
// picks one label's percentiles (the one that fails, say): over every
// request, a median that mixes fast reads and slow uploads jumps between
// the two. An empty label, or one without data at two levels or more,
// charts them all.
func LatencyByLevel(r capacity.Result, criteria sla.Criteria, label string) (*Chart, error) {
	type row struct {
		n                  float64
		p50, p90, p95, p99 float64
	}
	var rows []row
	var which string
	// A label sent at one level only (a login, once per thread) has no
	// curve of its own: every request's is drawn instead.
	if ll := labelLevels(r, label); ll != nil && len(ll.Levels) >= 2 {
		which = ll.Label
		for _, l := range ll.Levels {
			rows = append(rows, row{float64(l.N), l.P50MS, l.P90MS, l.P95MS, l.P99MS})
		}
	} else {
		for _, l := range r.Levels {
			if l.Requests > 0 && !l.RampDown {
				rows = append(rows, row{float64(l.N), l.P50MS, l.P90MS, l.P95MS, l.P99MS})
			}
		}
	}
	if len(rows) < 2 {
		return nil, &NoData{Why: "fewer than two concurrency levels", Record: "a ramp or several load steps, with thread counts (thread_counts=true)"}
	}
	title := "Response-time percentiles against concurrency"
	if which != "" {
		title = "Response times of " + quoteLabel(which) + " against concurrency"
	}
	c := newChart("latency-by-level", title, levelAxis(r.Metric), "response time (ms)")
	xs := make([]float64, len(rows))
	for i, l := range rows {
		xs[i] = l.n
	}
	for qi, q := range percentiles {
		ys := make([]float64, len(rows))
		for i, l := range rows {
			ys[i] = [...]float64{l.p50, l.p90, l.p95, l.p99}[qi]
		}
		if err := c.points(q.name, xs, ys, q.colour, q.glyph, vg.Points(1.7)); err != nil {
			return nil, err
		}
	}
	for _, cr := range criteria {
		switch cr.Metric {
		case "p50", "p90", "p95", "p99", "mean", "max":
			c.hline(fmt.Sprintf("SLA %s ≤ %s ms", cr.Metric, fmtNum(cr.Limit)), cr.Limit, Black, dashes[4])
		}
	}
	if r.Sustainable != nil && *r.Sustainable > 0 {
		c.vline(fmt.Sprintf("sustainable: %d %s", *r.Sustainable, LevelUnit(r.Metric)), float64(*r.Sustainable), Green, dashes[1])
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = "Percentiles over every request sent at each level (levels seen only in the ramp-down, after the peak, are left out)."
	if which != "" {
		c.Note = fmt.Sprintf("Percentiles of the %s requests sent at each level (levels seen only in the ramp-down, after the peak, are left out); the report's tables have every label.", quoteLabel(which))
	}
	if r.Statement != "" {
		c.Note += " " + Capitalize(r.Statement) + "."
	}
	return c, nil
}

// labelLevels finds a label's curve; labels reach charts redacted, so
// both forms match.
func labelLevels(r capacity.Result, label string) *capacity.LabelLevels {
	if label == "" {
		return nil
	}
	for i := range r.ByLabel {
		if r.ByLabel[i].Label == label || redact.Text(r.ByLabel[i].Label) == label {
			return &r.ByLabel[i]
		}
	}
	return nil
}

// quoteLabel quotes a label from an input for a title, redacted and cut
// short.
func quoteLabel(l string) string { return "“" + inputText(l) + "”" }

// fmtNum writes a measured value with the precision a reader needs: whole
// numbers from 100 on, one decimal below.
func fmtNum(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "∞"
	case math.Abs(x) >= 100:
		return formatTick(math.Round(x), 0)
	case x == math.Trunc(x):
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func fmtWhole(x float64) string { return strconv.Itoa(int(math.Round(x))) }

// FmtSig writes a model parameter to three significant digits.
func FmtSig(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }

// Capitalize upper-cases the first letter of s, for a sentence built from
// parts.
func Capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
