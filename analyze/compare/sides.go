package compare

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
)

// CauseChange is one failure cause in both runs.
type CauseChange struct {
	Cause string    `json:"cause"`
	Base  CauseSide `json:"base"`
	New   CauseSide `json:"new"`
	// Change is "appeared", "disappeared", "changed" (the share moved by
	// 10 points or more, or the verdict changed) or "same".
	Change string `json:"change"`
}

// CauseSide is a cause's verdict and share of failures in one run.
type CauseSide struct {
	Verdict  diagnose.Verdict `json:"verdict"`
	Share    float64          `json:"share"`
	Failures int64            `json:"failures"`
	// ExplainedBy names the cause that accounts for the same failures,
	// when this one adds nothing once that one is known.
	ExplainedBy string `json:"explained_by,omitempty"`
}

// Causes sets the two diagnoses side by side. A cause "appears" when it
// becomes likely or possible, and "disappears" when it stops being so.
func Causes(base, new diagnose.Result) []CauseChange {
	names := map[string]bool{}
	for _, f := range base.Causes {
		names[f.Cause] = true
	}
	for _, f := range new.Causes {
		names[f.Cause] = true
	}
	var out []CauseChange
	for name := range names {
		c := CauseChange{Cause: name, Base: side(base, name), New: side(new, name)}
		b, n := counts(c.Base.Verdict), counts(c.New.Verdict)
		switch {
		case !b && n:
			c.Change = "appeared"
		case b && !n:
			c.Change = "disappeared"
		case c.Base.Verdict != c.New.Verdict || ((b || n) && abs(c.New.Share-c.Base.Share) >= 0.10):
			c.Change = "changed"
		default:
			c.Change = "same"
		}
		out = append(out, c)
	}
	rank := map[string]int{"appeared": 0, "changed": 1, "disappeared": 2, "same": 3}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].Change] != rank[out[j].Change] {
			return rank[out[i].Change] < rank[out[j].Change]
		}
		return out[i].Cause < out[j].Cause
	})
	return out
}

func side(r diagnose.Result, name string) CauseSide {
	f := r.Cause(name)
	if f == nil {
		return CauseSide{Verdict: diagnose.NotAssessable}
	}
	cs := CauseSide{Verdict: f.Verdict, Share: f.Share, Failures: f.Explained}
	if f.Fit != nil {
		cs.ExplainedBy = f.Fit.ExplainedBy
	}
	return cs
}

func counts(v diagnose.Verdict) bool { return v == diagnose.Likely || v == diagnose.Possible }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// CapacitySide is one run's capacity figures.
type CapacitySide struct {
	// Onset is the concurrency at which failures begin, when diagnose
	// found one.
	Onset *diagnose.Onset `json:"onset,omitempty"`
	// NStar and XMax are the USL peak, with intervals when available.
	NStar    *float64 `json:"n_star,omitempty"`
	NStarLo  *float64 `json:"n_star_lo,omitempty"`
	NStarHi  *float64 `json:"n_star_hi,omitempty"`
	XMax     *float64 `json:"x_max,omitempty"`
	MaxLevel int      `json:"max_level,omitempty"`
}

// Capacity returns a run's onset and USL peak.
func Capacity(d diagnose.Result, c capacity.Result) CapacitySide {
	var s CapacitySide
	if f := d.Cause("concurrency"); f != nil {
		if ev, ok := f.Evidence.(*diagnose.ConcurrencyEvidence); ok {
			s.Onset = ev.Onset
			s.MaxLevel = ev.MaxLevel
		}
	}
	if u := c.USL; u != nil && !u.Limitless {
		ns, xm := u.NStar, u.XMax
		s.NStar, s.XMax = &ns, &xm
		if c.NStarCI != nil {
			lo, hi := c.NStarCI.Lo, c.NStarCI.Hi
			s.NStarLo, s.NStarHi = &lo, &hi
		}
	}
	return s
}

// A FailOn is a regression limit for CI: the metric may not get
// significantly worse by more than Limit (percent when Relative, else in
// the metric's unit: ms, percentage points, requests per second).
type FailOn struct {
	Metric   string  `json:"metric"`
	Limit    float64 `json:"limit"`
	Relative bool    `json:"relative"`
}

// ParseFailOn reads "p95=+10%,errors=+1pp,p99=+200ms,throughput=-5%".
func ParseFailOn(spec string) ([]FailOn, error) {
	var out []FailOn
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%q: want metric=limit, e.g. p95=+10%% or errors=+1pp", part)
		}
		f := FailOn{}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "p50", "median":
			f.Metric = "p50_ms"
		case "p90":
			f.Metric = "p90_ms"
		case "p95":
			f.Metric = "p95_ms"
		case "p99":
			f.Metric = "p99_ms"
		case "errors", "error", "error_pct":
			f.Metric = "error_pct"
		case "throughput", "rps", "tps":
			f.Metric = "throughput_per_s"
		case "goodput":
			f.Metric = "goodput_per_s"
		default:
			return nil, fmt.Errorf("unknown metric %q (want p50, p90, p95, p99, errors, goodput or throughput)", k)
		}
		v = strings.TrimSpace(v)
		num := strings.TrimLeft(v, "+-")
		switch {
		case strings.HasSuffix(num, "%") && f.Metric == "error_pct":
			// The error rate is a percentage already: "+1%" would be read
			// as 1% of it (2% → 2.02%), which nobody means.
			return nil, fmt.Errorf("%s: %q: write the limit in percentage points, e.g. errors=+1pp", k, v)
		case strings.HasSuffix(num, "%"):
			f.Relative, num = true, strings.TrimSuffix(num, "%")
		case strings.HasSuffix(num, "pp") && f.Metric == "error_pct":
			num = strings.TrimSuffix(num, "pp")
		case strings.HasSuffix(num, "ms") && strings.HasSuffix(f.Metric, "_ms"):
			num = strings.TrimSuffix(num, "ms")
		case strings.HasSuffix(num, "s") && strings.HasSuffix(f.Metric, "_ms"):
			num = strings.TrimSuffix(num, "s")
			x, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a limit", k, v)
			}
			num = strconv.FormatFloat(x*1000, 'f', -1, 64)
		}
		x, err := strconv.ParseFloat(num, 64)
		if err != nil || x < 0 {
			return nil, fmt.Errorf("%s: %q is not a limit (examples: +10%%, +1pp, +200ms)", k, v)
		}
		f.Limit = x
		out = append(out, f)
	}
	return out, nil
}

func (f FailOn) String() string {
	sign := "+"
	if lowerIsWorse(f.Metric) {
		sign = "-"
	}
	unit := map[string]string{"error_pct": "pp", "throughput_per_s": "/s", "goodput_per_s": "/s"}[f.Metric]
	if strings.HasSuffix(f.Metric, "_ms") {
		unit = "ms"
	}
	if f.Relative {
		unit = "%"
	}
	return strings.TrimSuffix(strings.TrimSuffix(f.Metric, "_ms"), "_pct") + " " + sign + strconv.FormatFloat(f.Limit, 'f', -1, 64) + unit
}

// Breaches lists the rows where a metric got significantly worse by more
// than a limit allows.
func Breaches(r Result, limits []FailOn) []string {
	var out []string
	for _, row := range append(append([]Row{}, r.Rows...), r.Total) {
		for _, f := range limits {
			if msg, broken := Judge(row, f); broken {
				out = append(out, row.Label+": "+msg)
			}
		}
	}
	return out
}

// Unevaluated lists the limits that could not be judged on the total
// (too few samples, or a run too short for a rate): passing them would
// be an all-clear nobody measured.
func Unevaluated(r Result, limits []FailOn) []string {
	var out []string
	for _, f := range limits {
		if !Evaluated(r.Total, f) {
			why := "not measured"
			if m := r.Total.Metric(f.Metric); m != nil {
				why = m.Why
			}
			out = append(out, fmt.Sprintf("%s on the TOTAL not evaluated: %s", f, why))
		}
	}
	return out
}

// Evaluated reports whether row's metric could be judged against f.
func Evaluated(row Row, f FailOn) bool {
	m := row.Metric(f.Metric)
	return m != nil && m.Verdict != TooFew
}

// Judge checks one row against one limit: broken when the metric got
// significantly worse by more than the limit. The message gives the
// change and the limit either way (for a JUnit test case).
func Judge(row Row, f FailOn) (string, bool) {
	m := row.Metric(f.Metric)
	if m == nil {
		return fmt.Sprintf("%s not measured (limit %s)", f.Metric, f), false
	}
	if m.Verdict == TooFew {
		return fmt.Sprintf("%s not compared: too few samples, %s (limit %s)", f.Metric, m.Why, f), false
	}
	if m.Verdict != Worse {
		return fmt.Sprintf("%s not significantly worse (%s → %s, limit %s)", f.Metric, fmtVal(m.Base), fmtVal(m.New), f), false
	}
	change := m.Delta
	if lowerIsWorse(f.Metric) {
		change = -change
	}
	if f.Relative {
		if m.DeltaPct == nil {
			// No relative change from a baseline of 0: any
			// significant rise breaks every relative limit.
			return fmt.Sprintf("%s rose from 0 by %+.3g (limit %s)", f.Metric, m.Delta, f), true
		}
		change = *m.DeltaPct
		if lowerIsWorse(f.Metric) {
			change = -change
		}
	}
	msg := fmt.Sprintf("%s changed by %+.3g%s (limit %s)", f.Metric, signed(m, f), unitOf(f), f)
	return msg, change > f.Limit
}

func fmtVal(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

func signed(m *Metric, f FailOn) float64 {
	if f.Relative && m.DeltaPct != nil {
		return *m.DeltaPct
	}
	return m.Delta
}

func unitOf(f FailOn) string {
	switch {
	case f.Relative:
		return "%"
	case f.Metric == "error_pct":
		return "pp"
	case lowerIsWorse(f.Metric):
		return "/s"
	}
	return " ms"
}

// lowerIsWorse is true of the rates: fewer requests per second is worse.
func lowerIsWorse(metric string) bool {
	return metric == "throughput_per_s" || metric == "goodput_per_s"
}
