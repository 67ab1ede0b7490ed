package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/compare"
	"github.com/jtlscope/jtlscope/report/chart"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Comparison is everything `jtlscope compare` prints.
type Comparison struct {
	Base     RunInfo               `json:"base"`
	New      RunInfo               `json:"new"`
	Metrics  compare.Result        `json:"metrics"`
	Causes   []compare.CauseChange `json:"causes"`
	Capacity struct {
		Base compare.CapacitySide `json:"base"`
		New  compare.CapacitySide `json:"new"`
	} `json:"capacity"`
	// Breaches are the --fail-on limits the new run broke.
	Breaches []string `json:"breaches,omitempty"`
	// Unevaluated are the --fail-on limits that could not be judged on
	// the total (too few samples): the run neither passed nor broke them.
	Unevaluated []string `json:"unevaluated,omitempty"`
	Warnings    []string `json:"warnings"`
}

// RunInfo names one side of a comparison.
type RunInfo struct {
	Files   []string `json:"files"`
	Samples int64    `json:"samples"`
}

var metricTitles = []struct{ name, title, unit string }{
	{"error_pct", "error %", "pp"},
	{"p50_ms", "p50 ms", "ms"},
	{"p90_ms", "p90 ms", "ms"},
	{"p95_ms", "p95 ms", "ms"},
	{"p99_ms", "p99 ms", "ms"},
	// Goodput first: more requests per second is no gain when they fail.
	{"goodput_per_s", "goodput /s (successful requests)", "/s"},
	{"throughput_per_s", "throughput /s (all requests, failed ones too)", "/s"},
}

// WriteComparison writes c as "table", "markdown" or "json".
func WriteComparison(w io.Writer, c Comparison, format string) error {
	return Layout{}.Comparison(w, c, format)
}

// Comparison is WriteComparison laid out for l: on a narrow terminal the
// metric tables leave out the interval, then the difference.
func (l Layout) Comparison(w io.Writer, c Comparison, format string) error {
	c = redactComparison(c)
	switch format {
	case FormatJSON:
		return writeJSON(w, c)
	case FormatTable:
		fw := fitTo(w, l.Width)
		return firstErr(comparisonText(fw, c, table.Text, l.Width), fw.flush())
	case FormatMarkdown:
		return comparisonText(w, c, table.Markdown, 0)
	}
	return fmt.Errorf("%w %q for compare (want table, json or markdown)", ErrUnknownFormat, format)
}

func redactComparison(c Comparison) Comparison {
	rows := make([]compare.Row, len(c.Metrics.Rows))
	for i, r := range c.Metrics.Rows {
		r.Label = redact.Text(r.Label)
		rows[i] = r
	}
	c.Metrics.Rows = rows
	for _, list := range []*[]string{&c.Metrics.OnlyBase, &c.Metrics.OnlyNew, &c.Breaches, &c.Unevaluated, &c.Warnings} {
		out := make([]string, len(*list))
		for i, s := range *list {
			out[i] = redact.Text(s)
		}
		*list = out
	}
	if c.Warnings == nil {
		c.Warnings = []string{}
	}
	return c
}

func comparisonText(w io.Writer, c Comparison, style table.Style, width int) error {
	ew := &errWriter{w: w}
	heading := func(s string) { ew.heading(style, s) }
	ind := indentFor(style)
	ew.printf("%sbase: %s (%s samples)\n", ind, strings.Join(c.Base.Files, ", "), Count(c.Base.Samples))
	ew.printf("%snew:  %s (%s samples)\n", ind, strings.Join(c.New.Files, ", "), Count(c.New.Samples))
	ew.printf("%s\n\n", wrap("method: "+c.Metrics.Method+".", textWidth(width, 100, ind), ind))
	rows := append(append([]compare.Row{}, c.Metrics.Rows...), c.Metrics.Total)
	tooFew, bySample := false, false
	// Each table leaves out what it must to fit a terminal (the interval,
	// then the difference); one note after them says what.
	var dropped []string
	for _, mt := range metricTitles {
		heading(mt.title)
		t := table.Table{
			Header: []string{"label", "base", "new", "Δ", "95% CI", ""},
			Right:  []bool{false, true, true, true, false, false},
		}
		for _, r := range rows {
			m := r.Metric(mt.name)
			if m == nil {
				continue
			}
			label := r.Label
			if r.Transaction {
				label += " (TC)"
			}
			if m.Verdict == compare.TooFew {
				// benchstat's rule: no difference is shown where none
				// can be told from noise.
				tooFew = true
				t.Rows = append(t.Rows, []string{label, num(m.Base), num(m.New), "", "", tooFewText})
				continue
			}
			ci := ""
			if m.CI != nil {
				ci = fmt.Sprintf("[%s, %s]", signedNum(m.CI.Lo), signedNum(m.CI.Hi))
			}
			v := m.Verdict
			if m.Method != "" {
				v += " " + bySampleMark
				bySample = true
			}
			t.Rows = append(t.Rows, []string{label, num(m.Base), num(m.New), delta(m, mt.unit), ci, v})
		}
		t, d := table.Fit(t, style, width, []int{4, 3})
		if len(d) > len(dropped) {
			dropped = d
		}
		ew.err = firstErr(ew.err, table.Write(ew, t, style))
		ew.printf("\n")
	}
	if tooFew {
		ew.printf("%s\n\n", wrap(fmt.Sprintf("%s: a run has fewer than %s samples of the label (%s for p95, %s for p99), or (for the rates) lasts fewer than %d time windows, so no change could be told from noise.",
			chart.Capitalize(tooFewText), Count(compare.MinSamples), Count(compare.MinSamplesFor("p95_ms")),
			Count(compare.MinSamplesFor("p99_ms")), compare.MinWindows), textWidth(width, 100, ind), ind))
	}
	if bySample {
		ew.printf("%s\n\n", wrap(fmt.Sprintf("%s compared sample by sample: a run lasts fewer than %d time windows, so whole windows could not be resampled (error %%: Newcombe's interval for a difference of proportions; percentiles: a bootstrap of the short run's single samples). This takes requests as independent, which they are not quite: the interval may be too narrow, so read a small change with care.",
			bySampleMark, compare.MinWindows), textWidth(width, 100, ind), ind))
	}
	if len(dropped) > 0 {
		ew.printf("%s%s\n\n", ind, leftOut(dropped, width, FormatJSON))
	}
	if len(c.Metrics.OnlyBase) > 0 {
		ew.printf("%sonly in base: %s\n", ind, strings.Join(c.Metrics.OnlyBase, ", "))
	}
	if len(c.Metrics.OnlyNew) > 0 {
		ew.printf("%sonly in new: %s\n", ind, strings.Join(c.Metrics.OnlyNew, ", "))
	}
	heading("Failure causes")
	t := table.Table{Header: []string{"cause", "base", "new", "change"}}
	var notes []string
	for _, cc := range c.Causes {
		t.Rows = append(t.Rows, []string{cc.Cause, causeSide(cc.Base), causeSide(cc.New), cc.Change})
		for _, sd := range []struct {
			run string
			s   compare.CauseSide
		}{{"base", cc.Base}, {"new", cc.New}} {
			if explainedElsewhere(sd.s) {
				notes = append(notes, fmt.Sprintf("%s in %s: its failures are put down to %s; it adds nothing once that cause is known.", cc.Cause, sd.run, sd.s.ExplainedBy))
			}
		}
	}
	ew.err = firstErr(ew.err, table.Write(ew, t, style))
	for _, n := range notes {
		ew.printf("%s* %s\n", ind, n)
	}
	ew.printf("\n")
	heading("Capacity")
	ct := table.Table{Header: []string{"", "base", "new"}}
	ct.Rows = append(ct.Rows, []string{"failure onset", onsetText(c.Capacity.Base), onsetText(c.Capacity.New)})
	ct.Rows = append(ct.Rows, []string{"USL peak N*", nstarText(c.Capacity.Base), nstarText(c.Capacity.New)})
	ew.err = firstErr(ew.err, table.Write(ew, ct, style))
	if len(c.Breaches) > 0 {
		ew.printf("\n")
		heading("Fail-on limits broken")
		for _, b := range c.Breaches {
			ew.printf("%s%s\n", bullet(style), b)
		}
	}
	if len(c.Unevaluated) > 0 {
		ew.printf("\n")
		heading("Fail-on limits not evaluated")
		for _, u := range c.Unevaluated {
			ew.printf("%s%s\n", bullet(style), u)
		}
		ew.printf("%s\n", wrap("The new run neither passed nor broke these limits: the totals are too small to tell a change from noise. Unless a limit was broken, the exit code is 4, not 0.", textWidth(width, 100, ind), ind))
	}
	return ew.err
}

// tooFewText is how the tables say compare.TooFew.
const tooFewText = "too few samples"

// bySampleMark flags a verdict found without time windows (see
// compare.Metric.Method); a note under the tables says what it means.
const bySampleMark = "†"

func num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
}

func signedNum(x float64) string {
	if x > 0 {
		return "+" + num(x)
	}
	return num(x)
}

func delta(m *compare.Metric, unit string) string {
	s := signedNum(m.Delta)
	if unit == "pp" {
		return s + "pp"
	}
	if m.DeltaPct != nil {
		return fmt.Sprintf("%s (%s%%)", s, signedNum(*m.DeltaPct))
	}
	return s
}

func causeSide(s compare.CauseSide) string {
	if s.Verdict == "likely" || s.Verdict == "possible" {
		if explainedElsewhere(s) {
			// "0.0%" alone would read as a cause that explains nothing;
			// a note under the table says which cause took its failures.
			return string(s.Verdict) + " *"
		}
		return fmt.Sprintf("%s %s", s.Verdict, Fixed(100*s.Share, 1)+"%")
	}
	return string(s.Verdict)
}

// explainedElsewhere is a cause that would explain failures but adds
// nothing to the cause they are put down to.
func explainedElsewhere(s compare.CauseSide) bool {
	return (s.Verdict == "likely" || s.Verdict == "possible") && s.Share == 0 && s.ExplainedBy != ""
}

func onsetText(s compare.CapacitySide) string {
	if s.Onset == nil {
		return "none found"
	}
	return fmt.Sprintf("%s %s (95%% CI %s–%s)", num(s.Onset.Value), s.Onset.Metric, num(s.Onset.Low), num(s.Onset.High))
}

func nstarText(s compare.CapacitySide) string {
	if s.NStar == nil {
		return "not fitted"
	}
	out := num(*s.NStar)
	if s.NStarLo != nil {
		out += fmt.Sprintf(" (95%% CI %s–%s)", num(*s.NStarLo), num(*s.NStarHi))
	}
	return out
}
