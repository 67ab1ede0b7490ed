package chart

import (
	"testing"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
)

func diagWith(levels []diagnose.LevelRate, onset *diagnose.Onset) diagnose.Result {
	return diagnose.Result{Failures: 10, Causes: []diagnose.Finding{{Cause: "concurrency",
		Evidence: &diagnose.ConcurrencyEvidence{Metric: "threads", Levels: levels, Onset: onset}}}}
}

func TestBaselineChartsDrawBothRuns(t *testing.T) {
	base := diagWith([]diagnose.LevelRate{{From: 0, To: 9, Rate: 0}, {From: 10, To: 19, Rate: 0.01}}, nil)
	run := diagWith([]diagnose.LevelRate{{From: 0, To: 9, Rate: 0}, {From: 10, To: 19, Rate: 0.02}, {From: 20, To: 29, Rate: 0.8}},
		&diagnose.Onset{Metric: "threads", Value: 21, Low: 19, High: 23})
	c, err := BaselineFailureRate(base, run)
	if err != nil {
		t.Fatal(err)
	}
	b, n := c.Find("baseline"), c.Find("this run")
	if b == nil || n == nil || len(b.X) != 2 || len(n.X) != 3 || n.Y[2] != 80 || b.X[1] != 14.5 {
		t.Fatalf("series %+v %+v", b, n)
	}
	on := c.Find("this run: onset 21 threads")
	if on == nil || on.Kind != VLine || on.X[0] != 21 {
		t.Fatalf("onset line %+v", on)
	}
	if c.Find("baseline: onset") != nil {
		t.Fatal("the baseline has no onset")
	}
	if c.Plot.Y.Max != 100 {
		t.Errorf("y axis to %v, want 100%%", c.Plot.Y.Max)
	}

	lb := capacity.Result{Metric: "threads", ByLabel: []capacity.LabelLevels{{Label: "up", Levels: []capacity.LabelLevel{{N: 1, P95MS: 90}, {N: 2, P95MS: 95}}}}}
	lr := capacity.Result{Metric: "threads", ByLabel: []capacity.LabelLevels{{Label: "up", Levels: []capacity.LabelLevel{{N: 1, P95MS: 400}, {N: 5, P95MS: 410}}}}}
	lc, err := BaselineLatency(lb, lr, "up")
	if err != nil {
		t.Fatal(err)
	}
	if s := lc.Find("this run p95"); s == nil || s.Y[1] != 410 || s.X[1] != 5 {
		t.Fatalf("this run's p95 %+v", s)
	}
	if s := lc.Find("baseline p95"); s == nil || s.Y[0] != 90 {
		t.Fatalf("baseline p95 %+v", s)
	}
	if _, err := BaselineLatency(lb, lr, "missing"); err == nil {
		t.Fatal("a label absent from both runs must give NoData")
	}
}
