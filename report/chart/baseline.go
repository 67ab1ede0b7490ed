package chart

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
)

// BaselineFailureRate sets both runs' failure rate against concurrency on
// one plot, with each run's onset.
func BaselineFailureRate(base, run diagnose.Result) (*Chart, error) {
	evOf := func(d diagnose.Result) *diagnose.ConcurrencyEvidence {
		if f := d.Cause("concurrency"); f != nil {
			ev, _ := f.Evidence.(*diagnose.ConcurrencyEvidence)
			return ev
		}
		return nil
	}
	b, n := evOf(base), evOf(run)
	if b == nil || n == nil || len(b.Levels) == 0 || len(n.Levels) == 0 {
		return nil, &NoData{Why: "one of the runs has no failure rates by concurrency level", Record: "thread counts (jmeter.save.saveservice.thread_counts=true) in both runs"}
	}
	c := newChart("baseline-failure-rate", "Failure rate, baseline and this run", levelAxis(n.Metric), "failure rate (%)")
	draw1 := func(name string, ev *diagnose.ConcurrencyEvidence, col color.RGBA, glyph draw.GlyphDrawer, dash int) error {
		var xs, ys []float64
		for _, l := range ev.Levels {
			xs = append(xs, float64(l.From+l.To)/2)
			ys = append(ys, 100*l.Rate)
		}
		if err := c.line("", xs, ys, col, dashes[dash], vg.Points(1)); err != nil {
			return err
		}
		if err := c.points(name, xs, ys, col, glyph, vg.Points(2.6)); err != nil {
			return err
		}
		if on := ev.Onset; on != nil {
			level := fmtNum
			if ev.Metric == "threads" {
				level = fmtWhole
			}
			c.vline(fmt.Sprintf("%s: onset %s %s", name, level(on.Value), LevelUnit(ev.Metric)), on.Value, col, dashes[1])
		}
		return nil
	}
	if err := draw1("baseline", b, Grey, draw.RingGlyph{}, 2); err != nil {
		return nil, err
	}
	if err := draw1("this run", n, Blue, draw.CircleGlyph{}, 0); err != nil {
		return nil, err
	}
	c.Plot.Y.Min, c.Plot.Y.Max, c.Plot.X.Min = 0, 100, 0
	c.fixedY = true
	c.finish()
	c.Note = "Failure rate per band of concurrency levels in both runs (failures as the diagnosis counts them)."
	return c, nil
}

// BaselineLatency sets both runs' p95 response time of one label against
// concurrency on one plot.
func BaselineLatency(base, run capacity.Result, label string) (*Chart, error) {
	b, n := labelLevels(base, label), labelLevels(run, label)
	if b == nil || n == nil || len(b.Levels) == 0 || len(n.Levels) == 0 {
		return nil, &NoData{Why: fmt.Sprintf("the label %s is not in both runs", quoteLabel(label))}
	}
	c := newChart("baseline-latency", "p95 of "+quoteLabel(n.Label)+", baseline and this run", levelAxis(run.Metric), "p95 response time (ms)")
	for _, r := range []struct {
		name  string
		ll    *capacity.LabelLevels
		col   color.RGBA
		glyph draw.GlyphDrawer
		dash  int
	}{{"baseline", b, Grey, draw.RingGlyph{}, 2}, {"this run", n, Blue, draw.CircleGlyph{}, 0}} {
		var xs, ys []float64
		for _, l := range r.ll.Levels {
			xs, ys = append(xs, float64(l.N)), append(ys, l.P95MS)
		}
		if err := c.line("", xs, ys, r.col, dashes[r.dash], vg.Points(1)); err != nil {
			return nil, err
		}
		if err := c.points(r.name+" p95", xs, ys, r.col, r.glyph, vg.Points(2.2)); err != nil {
			return nil, err
		}
	}
	c.Plot.Y.Min, c.Plot.X.Min = 0, 0
	c.finish()
	c.Note = "p95 of the same label at each concurrency level in both runs; jtlscope compare tests the difference."
	return c, nil
}
