package chart

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// finding returns a cause's finding and its evidence as type E.
func finding[E any](d diagnose.Result, cause string) (*diagnose.Finding, E, error) {
	var zero E
	f := d.Cause(cause)
	if f == nil {
		return nil, zero, &NoData{Why: "the diagnosis has no " + cause + " finding"}
	}
	ev, ok := f.Evidence.(E)
	if !ok {
		return f, zero, causeNoData(f.Summary, f.Missing)
	}
	return f, ev, nil
}

// TokenAge charts the outcome of requests by the age of the bearer token
// they carried: successes and failures stacked per age band, with the
// onset marked when there is one.
func TokenAge(d diagnose.Result) (*Chart, error) {
	f, ev, err := finding[*diagnose.TokenEvidence](d, "token-age")
	if err != nil {
		return nil, err
	}
	if ev == nil || len(ev.Bands) == 0 {
		return nil, causeNoData(f.Summary, f.Missing)
	}
	c := newChart("token-age", "Token age at request by outcome", "token age when the request was sent (s)", "requests")
	if on := ev.Onset; on != nil {
		// The band goes first so that the bars are drawn over it.
		c.vband(fmt.Sprintf("onset 95%% CI %s–%s s", fmtNum(on.Low), fmtNum(on.High)),
			agePosition(ev.Bands, on.Low), agePosition(ev.Bands, on.High), translucent(Vermilion, 0.14))
	}
	ok, failed := make([]float64, len(ev.Bands)), make([]float64, len(ev.Bands))
	for i, b := range ev.Bands {
		ok[i], failed[i] = float64(b.Requests-b.Failures), float64(b.Failures)
	}
	w := barWidth(len(ev.Bands), 1, false)
	below, err := c.bars("succeeded", ok, Green, w, 0, nil, false)
	if err != nil {
		return nil, err
	}
	if _, err := c.bars("failed", failed, Vermilion, w, 0, below, false); err != nil {
		return nil, err
	}
	// Bars sit at 0, 1, ...; band i covers [i-0.5, i+0.5), so ticks go on
	// the edges, labelled with ages, and an age maps to a position inside
	// its band.
	every := (len(ev.Bands) + 11) / 12
	var ticks []plot.Tick
	for i, b := range ev.Bands {
		t := plot.Tick{Value: float64(i) - 0.5}
		if i%every == 0 {
			t.Label = strconv.Itoa(b.FromS)
		}
		ticks = append(ticks, t)
		c.Categories = append(c.Categories, fmt.Sprintf("%d–%d", b.FromS, b.ToS))
	}
	last := ev.Bands[len(ev.Bands)-1]
	ticks = append(ticks, plot.Tick{Value: float64(len(ev.Bands)) - 0.5, Label: strconv.Itoa(last.ToS)})
	c.Plot.X.Tick.Marker = plot.ConstantTicks(ticks)
	c.Plot.X.Min, c.Plot.X.Max = -0.5, float64(len(ev.Bands))-0.5
	c.Plot.Y.Min = 0
	if on := ev.Onset; on != nil {
		c.vline(fmt.Sprintf("onset %s s", fmtNum(on.Value)), agePosition(ev.Bands, on.Value), Black, dashes[1])
	}
	c.fixedX = true
	c.finish()
	c.Note = "Requests on the failing labels, by the age of the bearer token they carried."
	if ev.Inferred {
		c.Note += " Ages are inferred from the token requests in the run, because request headers were not saved."
	}
	if f.Fit != nil && f.Fit.ExplainedBy != "" {
		c.Note += fmt.Sprintf(" Token age rises together with %s in this run and adds nothing once that is known: the pattern here is not evidence against the tokens.", f.Fit.ExplainedBy)
	}
	return c, nil
}

// nominalY names the categories of a horizontal bar chart, with half a
// category of room above and below.
func (c *Chart) nominalY(names []string) {
	c.Categories = names
	c.Plot.NominalY(names...)
	c.Plot.Y.Min, c.Plot.Y.Max = -0.6, float64(len(names))-0.4
	c.Plot.X.Min = 0
	c.fixedY = true
	c.grid.Horizontal.Color = nil // a line through the middle of each group of bars
}

// agePosition maps an age in seconds to the bar axis of TokenAge.
func agePosition(bands []diagnose.AgeBand, age float64) float64 {
	for i, b := range bands {
		if age < float64(b.ToS) || i == len(bands)-1 {
			frac := (age - float64(b.FromS)) / float64(max(b.ToS-b.FromS, 1))
			return float64(i) - 0.5 + math.Max(0, math.Min(frac, 1))
		}
	}
	return -0.5
}

// DuplicateIDs charts ID reuse over time: requests, those that reused an
// ID, and those of them that failed, per time window.
func DuplicateIDs(d diagnose.Result) (*Chart, error) {
	f, ev, err := finding[*diagnose.DuplicateIDEvidence](d, "duplicate-id")
	if err != nil {
		return nil, err
	}
	if ev == nil || len(ev.OverTime) == 0 {
		return nil, causeNoData(f.Summary, f.Missing)
	}
	// The windows are the diagnosis's time bins; their width is the
	// smallest step between them.
	width := math.Inf(1)
	for i := 1; i < len(ev.OverTime); i++ {
		if dt := ev.OverTime[i].T - ev.OverTime[i-1].T; dt > 0 {
			width = min(width, dt)
		}
	}
	if math.IsInf(width, 1) {
		width = 5
	}
	ta := newTimeAxis(timeline.Series{WidthS: width, Points: []timeline.Point{{T: ev.OverTime[len(ev.OverTime)-1].T}}})
	c := newChart("duplicate-ids", "Duplicate-ID reuse over time", ta.label(), fmt.Sprintf("requests per %s window", fmtWindow(width)))
	var xs, all, reused, failed []float64
	for _, p := range ev.OverTime {
		xs = append(xs, (p.T+width/2)/ta.div)
		all = append(all, float64(p.Requests))
		reused = append(reused, float64(p.Reused))
		failed = append(failed, float64(p.ReusedFailed))
	}
	if err := c.line("requests", xs, all, Grey, nil, vg.Points(1.2)); err != nil {
		return nil, err
	}
	if err := c.area("reused an ID", xs, reused, Orange, vg.Points(1)); err != nil {
		return nil, err
	}
	if err := c.line("reused an ID and failed", xs, failed, Vermilion, dashes[1], vg.Points(1.8)); err != nil {
		return nil, err
	}
	c.Plot.X.Min, c.Plot.Y.Min = 0, 0
	c.finish()
	c.Note = fmt.Sprintf("IDs in %s of %q, on the failing labels. %d of %d requests that reused an ID failed, against %d of %d first uses.",
		redact.Text(ev.Location), redact.Text(ev.Endpoint), ev.Reused.Fail, ev.Reused.N, ev.Fresh.Fail, ev.Fresh.N)
	return c, nil
}

// Multipart charts the multipart anomalies found, by kind: how many
// requests showed each and how many of those were answered 400.
func Multipart(d diagnose.Result) (*Chart, error) {
	f, ev, err := finding[*diagnose.MultipartEvidence](d, "multipart-boundary")
	if err != nil {
		return nil, err
	}
	switch {
	case ev == nil || ev.Checks.Multipart == 0:
		return nil, causeNoData(f.Summary, f.Missing)
	case len(ev.Checks.Anomalies) == 0:
		return nil, &NoData{Why: fmt.Sprintf("%d multipart bodies were checked and none shows an anomaly", ev.Checks.Checked)}
	}
	// Horizontal bars, the first kind on top: kind names are long.
	ks := ev.Checks.Anomalies
	n := len(ks)
	reqs, bad := make([]float64, n), make([]float64, n)
	names := make([]string, n)
	for i, k := range ks {
		j := n - 1 - i
		reqs[j], bad[j] = float64(k.Requests), float64(k.BadRequests)
		names[j] = fmt.Sprintf("%s (%s)", k.Kind, k.Severity)
	}
	c := newChart("multipart", "Multipart anomalies by kind", "requests", "")
	w := barWidth(n, 2, true)
	if _, err := c.bars("requests with the anomaly", reqs, Blue, w, w/2, nil, true); err != nil {
		return nil, err
	}
	if _, err := c.bars("of which answered 400", bad, Vermilion, w, -w/2, nil, true); err != nil {
		return nil, err
	}
	c.nominalY(names)
	c.finish()
	c.Note = fmt.Sprintf("%d multipart requests, %d read to the end of the body.", ev.Checks.Multipart, ev.Checks.Checked)
	if ev.Checks.HeaderUnknown > 0 {
		c.Note += fmt.Sprintf(" %d had no recorded headers, so header checks were skipped for them.", ev.Checks.HeaderUnknown)
	}
	return c, nil
}

// maxLabels and maxCodes bound the failures chart; the rest are folded.
const (
	maxLabels = 12
	maxCodes  = 7
)

// assertionCode names failures whose response code says success: an
// assertion failed, or a sub-result did.
const assertionCode = "2xx/3xx (assertion)"

// Failures charts failed samples by label, stacked by response code. A
// label's failures are put down to its error codes (4xx, 5xx, non-HTTP)
// first; what is left had a success code, so an assertion failed.
func Failures(s summary.Result) (*Chart, error) {
	type labelFails struct {
		label  string
		errors int64
		codes  map[string]int64
	}
	var ls []labelFails
	totals := map[string]int64{}
	for _, r := range s.Labels {
		if r.Transaction || r.Errors == 0 {
			continue
		}
		lf := labelFails{label: r.Label, errors: r.Errors, codes: map[string]int64{}}
		left := r.Errors
		for _, code := range sortedCodes(r.Codes) {
			if st := samples.ParseStatus(code); st >= 200 && st < 400 {
				continue
			}
			n := min(r.Codes[code], left)
			if n > 0 {
				lf.codes[code] += n
				totals[code] += n
				left -= n
			}
		}
		if left > 0 {
			lf.codes[assertionCode] += left
			totals[assertionCode] += left
		}
		ls = append(ls, lf)
	}
	if len(ls) == 0 {
		return nil, &NoData{Why: "no sample failed"}
	}
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].errors != ls[j].errors {
			return ls[i].errors > ls[j].errors
		}
		return ls[i].label < ls[j].label
	})
	var note string
	if len(ls) > maxLabels {
		var rest int64
		for _, l := range ls[maxLabels:] {
			rest += l.errors
		}
		note = fmt.Sprintf(" %d more labels with %d failures in all are not shown.", len(ls)-maxLabels, rest)
		ls = ls[:maxLabels]
	}
	codes := sortedCodes(totals)
	const otherCodes = "other codes"
	if len(codes) > maxCodes {
		codes = append(codes[:maxCodes:maxCodes], otherCodes)
	}
	known := map[string]bool{}
	for _, c := range codes {
		known[c] = true
	}
	// Largest on top: NominalY puts category 0 at the bottom.
	n := len(ls)
	raw := make([]string, n)
	for i, l := range ls {
		raw[n-1-i] = l.label
	}
	names := distinctTexts(raw)
	c := newChart("failures", "Failures by label and response code", "failed requests", "")
	w := barWidth(n, 1, true)
	var below *plotter.BarChart
	for _, code := range codes {
		vs := make([]float64, n)
		for i, l := range ls {
			if code == otherCodes {
				for k, v := range l.codes {
					if !known[k] {
						vs[n-1-i] += float64(v)
					}
				}
			} else {
				vs[n-1-i] = float64(l.codes[code])
			}
		}
		col, _ := c.next()
		if code == assertionCode {
			col = Grey
		}
		name := codeText(code)
		if code == assertionCode || code == otherCodes {
			name = code
		}
		b, err := c.bars(name, vs, col, w, 0, below, true)
		if err != nil {
			return nil, err
		}
		below = b
	}
	ends, texts, pos := make([]float64, n), make([]string, n), make([]float64, n)
	for i, l := range ls {
		j := n - 1 - i
		ends[j], texts[j], pos[j] = float64(l.errors), formatTick(float64(l.errors), 0), float64(j)
	}
	if err := c.valueLabels(ends, pos, texts); err != nil {
		return nil, err
	}
	c.nominalY(names)
	c.finish()
	c.Note = "Failed samples per label (Transaction Controller rows left out), split by response code; failures with a success code are failed assertions." + note
	return c, nil
}

// sortedCodes orders codes by count, then by name.
func sortedCodes(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}
