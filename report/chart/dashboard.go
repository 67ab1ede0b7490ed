package chart

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/jtlscope/jtlscope/analyze/dashboard"
	"github.com/jtlscope/jtlscope/analyze/timeline"
)

// The views of JMeter's dashboard, drawn from analyze/dashboard and the
// timeline.

// maxApdexLabels bounds the APDEX chart; the table has every label.
const maxApdexLabels = 15

// Apdex charts each label's APDEX (worst on top), with the total.
func Apdex(d dashboard.Result) (*Chart, error) {
	if d.Total.Samples == 0 {
		return nil, &NoData{Why: "no sample to rate"}
	}
	rows := make([]dashboard.ApdexRow, 0, len(d.Apdex))
	for _, r := range d.Apdex {
		if r.Samples > 0 {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Apdex < rows[j].Apdex })
	note := ""
	if len(rows) > maxApdexLabels {
		note = fmt.Sprintf(" The %d labels with the best scores are not drawn (tables/apdex-per-label.csv has them).", len(rows)-maxApdexLabels)
		rows = rows[:maxApdexLabels]
	}
	// Worst on top: NominalY puts category 0 at the bottom; the total
	// goes at the very bottom, apart.
	n := len(rows) + 1
	raw := make([]string, n)
	vals := make([]float64, n)
	raw[0], vals[0] = "TOTAL", d.Total.Apdex
	for i, r := range rows {
		raw[n-1-i], vals[n-1-i] = r.Label, r.Apdex
	}
	names := distinctTexts(raw)
	names[0] = "TOTAL"
	c := newChart("apdex", "APDEX per label", fmt.Sprintf("APDEX (T = %s ms, F = %s ms)", fmtNum(d.ApdexT), fmtNum(d.ApdexF)), "")
	w := barWidth(n, 1, true)
	if _, err := c.bars("APDEX", vals, Blue, w, 0, nil, true); err != nil {
		return nil, err
	}
	c.entries = nil // one series, named by the axis: a legend would only take room
	pos, texts := make([]float64, n), make([]string, n)
	for i := range vals {
		pos[i], texts[i] = float64(i), fmt.Sprintf("%.3f", vals[i])
	}
	if err := c.valueLabels(vals, pos, texts); err != nil {
		return nil, err
	}
	c.nominalY(names)
	c.Plot.X.Min, c.Plot.X.Max = 0, 1.1
	c.fixedX = true
	c.finish()
	c.Note = d.String() + ". 1 is every user satisfied; JMeter's dashboard calls below 0.5 unacceptable, 0.85 and above good." + note
	return c, nil
}

// Percentiles charts the response-time percentile curve, p0 to p100, of
// every sample and of the busiest labels.
func Percentiles(d dashboard.Result) (*Chart, error) {
	if len(d.Curves) == 0 {
		return nil, &NoData{Why: "no response time was recorded"}
	}
	c := newChart("percentiles", "Response-time percentiles", "percentile", "response time (ms)")
	xs := make([]float64, 101)
	for i := range xs {
		xs[i] = float64(i)
	}
	raw := make([]string, len(d.Curves))
	for i, cu := range d.Curves {
		raw[i] = cu.Label
	}
	names := distinctTexts(raw)
	for i, cu := range d.Curves {
		// Labels keep the colour they have on every per-label chart.
		col, dash := palette[max(i-1, 0)%len(palette)], dashes[max(i-1, 0)%len(dashes)]
		width := vg.Points(1.4)
		name := names[i]
		if cu.Label == "TOTAL" {
			col, dash, width, name = Black, nil, vg.Points(2), "all samples"
		}
		if err := c.line(name, xs, cu.MS, col, dash, width); err != nil {
			return nil, err
		}
	}
	c.Plot.X.Min, c.Plot.X.Max, c.Plot.Y.Min = 0, 100, 0
	c.fixedX = true
	c.finish()
	c.Note = "The response time below which each percentage of the samples fell (JMeter's estimator, over every sample, not the dashboard's last 20,000). " + curveExactness(d)
	if len(d.Curves) > 1 {
		c.Note += fmt.Sprintf(" Besides all samples, the %d busiest labels.", len(d.Curves)-1)
	}
	return c, nil
}

func curveExactness(d dashboard.Result) string {
	if d.Exact {
		return "Exact."
	}
	return "From sketches within 0.78% of the exact values."
}

// Distribution charts how many samples fell in each response-time bin:
// all samples as bars, and the busiest labels as lines on the same bins.
func Distribution(d dashboard.Result) (*Chart, error) {
	if len(d.Dist) == 0 || len(d.Dist[0].Counts) == 0 {
		return nil, &NoData{Why: "no response time was recorded"}
	}
	total := d.Dist[0]
	c := newChart("distribution", "Response-time distribution", fmt.Sprintf("response time (ms, bins of %s ms)", fmtNum(total.WidthMS)), "samples per bin")
	xs, ys := steps(total.Counts, total.WidthMS)
	if err := c.area("all samples", xs, ys, Grey, vg.Points(1)); err != nil {
		return nil, err
	}
	raw := make([]string, 0, len(d.Dist))
	for _, h := range d.Dist[1:] {
		raw = append(raw, h.Label)
	}
	names := distinctTexts(raw)
	for i, h := range d.Dist[1:] {
		lx, ly := steps(h.Counts, h.WidthMS)
		col, dash := c.next()
		if err := c.line(names[i], lx, ly, col, dash, vg.Points(1.4)); err != nil {
			return nil, err
		}
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = fmt.Sprintf("Samples per %s ms bin, up to the 99.9th percentile; the last bin also holds the slower 0.1%%.", fmtNum(total.WidthMS))
	return c, nil
}

// LabelThroughput charts transactions per second over time for the
// busiest labels: successes as solid lines, failures dashed in the same
// colour, as JMeter's "Transactions per Second" does with -success and
// -failure series.
func LabelThroughput(s timeline.Series, labels int) (*Chart, error) {
	c, _, xs, err := overTime(s, "tps-by-label", "Transactions per second by label", "transactions per second")
	if err != nil {
		return nil, err
	}
	if len(s.ByLabel) == 0 {
		return nil, &NoData{Why: "no label has requests with timestamps"}
	}
	raw := make([]string, len(s.ByLabel))
	for i, ls := range s.ByLabel {
		raw[i] = ls.Label
	}
	names := distinctTexts(raw)
	for i, ls := range s.ByLabel {
		col, _ := c.next()
		ok, bad := make([]float64, len(xs)), make([]float64, len(xs))
		anyBad := false
		for j := range xs {
			if j < len(ls.Points) {
				p := ls.Points[j]
				ok[j] = float64(p.Requests-p.Failures) / s.WidthS
				bad[j] = float64(p.Failures) / s.WidthS
				anyBad = anyBad || p.Failures > 0
			}
		}
		if err := c.line(names[i]+" (ok)", xs, ok, col, nil, vg.Points(1.4)); err != nil {
			return nil, err
		}
		if anyBad {
			if err := c.line(names[i]+" (failed)", xs, bad, col, dashes[1], vg.Points(1.4)); err != nil {
				return nil, err
			}
		}
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = "Requests started per second in each window, by label and outcome (dashed: failed). " + originNote(s)
	if labels > len(s.ByLabel) {
		c.Note += fmt.Sprintf(" Only the %d busiest of %d labels are drawn; the statistics table has every label.", len(s.ByLabel), labels)
	}
	return c, nil
}

// Bytes charts kilobytes received and sent per second over time.
func Bytes(s timeline.Series) (*Chart, error) {
	c, _, xs, err := overTime(s, "bytes", "Bytes received and sent per second", "KiB per second")
	if err != nil {
		return nil, err
	}
	recv, sent := make([]float64, len(xs)), make([]float64, len(xs))
	var any bool
	for i, p := range s.Points {
		recv[i], sent[i] = p.ReceivedBPS/1024, p.SentBPS/1024
		any = any || p.ReceivedBPS > 0
	}
	if !any && !s.HasSent {
		return nil, &NoData{Why: "no sample records the bytes it received or sent", Record: "bytes and sent bytes (jmeter.save.saveservice.bytes=true, sent_bytes=true)"}
	}
	if err := c.line("received", xs, recv, Blue, nil, vg.Points(1.5)); err != nil {
		return nil, err
	}
	note := "Bytes of the responses (headers and body) and of the requests started in each window. " + originNote(s)
	if s.HasSent {
		if err := c.line("sent", xs, sent, Orange, dashes[1], vg.Points(1.5)); err != nil {
			return nil, err
		}
	} else {
		note += " The input does not record sent bytes, so only received bytes are drawn."
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = note
	return c, nil
}

// LatencyConnect charts the mean response time, latency (time to first
// byte) and connect time over time.
func LatencyConnect(s timeline.Series) (*Chart, error) {
	c, _, xs, err := overTime(s, "latency-connect", "Latency and connect time over time", "mean time (ms)")
	if err != nil {
		return nil, err
	}
	if !s.HasLatency && !s.HasConnect {
		return nil, &NoData{Why: "no sample records its latency or connect time", Record: "latency and connect time (jmeter.save.saveservice.latency=true, connect_time=true)"}
	}
	rt, lat, con := make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs))
	for i, p := range s.Points {
		rt[i], lat[i], con[i] = p.MeanMS, p.LatencyMS, p.ConnectMS
		if p.Requests == 0 {
			rt[i], lat[i], con[i] = nanValue, nanValue, nanValue
		}
	}
	if err := c.line("response time", xs, rt, Grey, nil, vg.Points(1.2)); err != nil {
		return nil, err
	}
	if s.HasLatency {
		if err := c.line("latency (first byte)", xs, lat, Blue, nil, vg.Points(1.6)); err != nil {
			return nil, err
		}
	}
	if s.HasConnect {
		if err := c.line("connect", xs, con, Vermilion, dashes[1], vg.Points(1.6)); err != nil {
			return nil, err
		}
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = "Means over the requests started in each window. Latency is the time to the first byte of the response and includes connecting; connect time is 0 when a kept-alive connection was reused. " + originNote(s)
	return c, nil
}

// ResponseVsRate charts each window's median response time against the
// requests per second started in it: where the server slows down as the
// rate grows. With label set (the failing or busiest label, as the other
// latency charts), the median is that label's: over a mix of a fast read
// and a slow upload a window's median jumps between the two.
func ResponseVsRate(s timeline.Series, label string) (*Chart, error) {
	if err := noTimes(s); err != nil {
		return nil, err
	}
	ls := labelSeries(s, label)
	points := func(ls *timeline.LabelSeries) (xs, ys, fx, fy []float64) {
		for i, p := range s.Points {
			n, failed, med := p.Requests, p.Failures, p.P50MS
			if ls != nil && i < len(ls.Points) {
				n, failed, med = ls.Points[i].Requests, ls.Points[i].Failures, ls.Points[i].P50MS
			}
			if n == 0 {
				continue
			}
			x := float64(p.Requests) / s.WidthS
			if failed*2 > n {
				fx, fy = append(fx, x), append(fy, med)
			} else {
				xs, ys = append(xs, x), append(ys, med)
			}
		}
		return xs, ys, fx, fy
	}
	xs, ys, fx, fy := points(ls)
	if ls != nil && len(xs)+len(fx) < 2 {
		// The label came in one window only: every request's median.
		ls = nil
		xs, ys, fx, fy = points(nil)
	}
	if len(xs)+len(fx) < 2 {
		return nil, &NoData{Why: "fewer than two time windows with requests"}
	}
	title, yLabel := "Response time against requests per second", "median response time (ms)"
	if ls != nil {
		title = "Response time of " + quoteLabel(ls.Label) + " against requests per second"
	}
	c := newChart("rt-vs-rps", title, "requests started per second (all labels)", yLabel)
	if err := c.points("window, mostly successful", xs, ys, Blue, draw.CircleGlyph{}, vg.Points(2.2)); err != nil {
		return nil, err
	}
	if err := c.points("window, mostly failed", fx, fy, Vermilion, draw.TriangleGlyph{}, vg.Points(2.4)); err != nil {
		return nil, err
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = fmt.Sprintf("One point per %s window: the rate of every request started in it, and the median response time", fmtWindow(s.WidthS))
	if ls != nil {
		c.Note += " of its " + quoteLabel(ls.Label) + " requests."
	} else {
		c.Note += " of its requests."
	}
	return c, nil
}

// steps turns bin counts into the corners of a step line: each bin a
// flat segment over its width, as a histogram reads.
func steps(counts []int64, width float64) (xs, ys []float64) {
	for i, n := range counts {
		xs = append(xs, float64(i)*width, float64(i+1)*width)
		ys = append(ys, float64(n), float64(n))
	}
	return xs, ys
}
