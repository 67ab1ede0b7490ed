package sla

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Criterion is one limit: a latency percentile or the mean or maximum
// at most Max, the error rate at most MaxErrorPct, or the throughput at
// least MinThroughput.
type Criterion struct {
	// Metric is "p50", "p90", "p95", "p99", "mean", "max", "errors" or
	// "throughput".
	Metric string `json:"metric"`
	// Limit is milliseconds for latencies, a percentage for errors and
	// requests per second for throughput.
	Limit float64 `json:"limit"`
}

// Criteria are all the limits given.
type Criteria []Criterion

// Parse reads "p95=800ms,errors=1%,throughput=50". Latencies take Go
// durations or bare milliseconds; errors take "1%" or a fraction "0.01".
func Parse(spec string) (Criteria, error) {
	var cs Criteria
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return nil, fmt.Errorf("%q: want metric=limit, e.g. p95=800ms or errors=1%%", part)
		}
		c := Criterion{Metric: k}
		switch k {
		case "p50", "p90", "p95", "p99", "mean", "max", "median", "avg":
			if k == "median" {
				c.Metric = "p50"
			}
			if k == "avg" {
				c.Metric = "mean"
			}
			ms, err := millis(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", k, err)
			}
			c.Limit = ms
		case "errors", "error", "error_pct", "errors_pct":
			c.Metric = "errors"
			pct, err := percent(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", k, err)
			}
			c.Limit = pct
		case "throughput", "rps", "tps":
			c.Metric = "throughput"
			x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(v, "/s"), "rps"), 64)
			if err != nil || x < 0 {
				return nil, fmt.Errorf("throughput %q: want requests per second, e.g. 50", v)
			}
			c.Limit = x
		default:
			return nil, fmt.Errorf("unknown metric %q (want p50, p90, p95, p99, mean, max, errors or throughput)", k)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func millis(v string) (float64, error) {
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		if x < 0 {
			return 0, fmt.Errorf("%q is negative", v)
		}
		return x, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration such as 800ms or 2s", v)
	}
	return float64(d) / float64(time.Millisecond), nil
}

func percent(v string) (float64, error) {
	if s, ok := strings.CutSuffix(v, "%"); ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || x < 0 || x > 100 {
			return 0, fmt.Errorf("%q: want a percentage such as 1%%", v)
		}
		return x, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || x > 1 {
		return 0, fmt.Errorf("%q: want a percentage such as 1%% or a fraction such as 0.01", v)
	}
	if x == 1 {
		// "errors=1" most likely means 1%, as a fraction it allows every
		// request to fail: make the user say which.
		return 0, fmt.Errorf("%q is ambiguous: write 1%% for one percent (a bare number is a fraction, and 1 would allow every request to fail)", v)
	}
	return 100 * x, nil
}

// Values are what a criterion is checked against.
type Values struct {
	P50, P90, P95, P99, Mean, Max float64 // ms
	ErrorPct                      float64
	Throughput                    float64
}

func (v Values) get(metric string) float64 {
	switch metric {
	case "p50":
		return v.P50
	case "p90":
		return v.P90
	case "p95":
		return v.P95
	case "p99":
		return v.P99
	case "mean":
		return v.Mean
	case "max":
		return v.Max
	case "errors":
		return v.ErrorPct
	case "throughput":
		return v.Throughput
	}
	return 0
}

// A Violation is a criterion a result broke.
type Violation struct {
	Criterion
	Value float64 `json:"value"`
}

func (v Violation) String() string {
	switch v.Metric {
	case "errors":
		return fmt.Sprintf("errors %.2f%% > %s%%", v.Value, fmtNum(v.Limit))
	case "throughput":
		return fmt.Sprintf("throughput %.2f/s < %s/s", v.Value, fmtNum(v.Limit))
	}
	return fmt.Sprintf("%s %s ms > %s ms", v.Metric, fmtNum(v.Value), fmtNum(v.Limit))
}

// Check returns the criteria v breaks.
func (cs Criteria) Check(v Values) []Violation {
	var out []Violation
	for _, c := range cs {
		x := v.get(c.Metric)
		broken := x > c.Limit
		if c.Metric == "throughput" {
			broken = x < c.Limit
		}
		if broken {
			out = append(out, Violation{c, x})
		}
	}
	return out
}

// String writes the criteria back as a phrase: "p95 ≤ 800 ms and errors ≤ 1%".
func (cs Criteria) String() string {
	var parts []string
	for _, c := range cs {
		switch c.Metric {
		case "errors":
			parts = append(parts, "errors ≤ "+fmtNum(c.Limit)+"%")
		case "throughput":
			parts = append(parts, "throughput ≥ "+fmtNum(c.Limit)+"/s")
		default:
			parts = append(parts, c.Metric+" ≤ "+fmtNum(c.Limit)+" ms")
		}
	}
	return strings.Join(parts, " and ")
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// A Judgement is one criterion checked against one set of values, passed
// or not: what a JUnit test case reports.
type Judgement struct {
	Criterion
	Value  float64 `json:"value"`
	Broken bool    `json:"broken"`
}

// Judge checks every criterion, keeping those met too.
func (cs Criteria) Judge(v Values) []Judgement {
	out := make([]Judgement, len(cs))
	broken := map[Criterion]bool{}
	for _, b := range cs.Check(v) {
		broken[b.Criterion] = true
	}
	for i, c := range cs {
		out[i] = Judgement{Criterion: c, Value: v.get(c.Metric), Broken: broken[c]}
	}
	return out
}

// String is the criterion alone: "p95 ≤ 800 ms".
func (c Criterion) String() string { return Criteria{c}.String() }

// Message gives the measured value and the limit: "p95 812 ms > 800 ms"
// when broken, "p95 640 ms ≤ 800 ms" when met.
func (j Judgement) Message() string {
	if j.Broken {
		return Violation{j.Criterion, j.Value}.String()
	}
	switch j.Metric {
	case "errors":
		return fmt.Sprintf("errors %.2f%% ≤ %s%%", j.Value, fmtNum(j.Limit))
	case "throughput":
		return fmt.Sprintf("throughput %.2f/s ≥ %s/s", j.Value, fmtNum(j.Limit))
	}
	return fmt.Sprintf("%s %s ms ≤ %s ms", j.Metric, fmtNum(j.Value), fmtNum(j.Limit))
}
