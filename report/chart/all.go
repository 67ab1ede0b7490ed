package chart

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/dashboard"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/analyze/timeline"
)

// Data is everything the report's charts are drawn from: the results of
// one pass over the inputs.
type Data struct {
	Summary   summary.Result
	Diagnosis diagnose.Result
	Timeline  timeline.Series
	Capacity  capacity.Result
	SLA       sla.Criteria
	Dashboard dashboard.Result
	// Baseline, when set, is a run to set this one against.
	Baseline *Data
	// Capture says every input is a capture (HAR), not a JMeter result:
	// what to record next time is then said in the capture's terms.
	Capture bool
}

// captureRecords say, for a capture, what a missing chart needs, in place
// of the JMeter settings the charts otherwise name. A capture's
// concurrency is its requests in flight, its times and sizes are what
// the browser or proxy exported.
var captureRecords = map[string]string{
	"throughput":       "a capture whose requests overlap at several concurrencies (a HAR's concurrency is its requests in flight; one browser session seldom has many)",
	"latency-by-level": "a capture whose requests overlap at several concurrencies (a HAR's concurrency is its requests in flight; one browser session seldom has many)",
	"bytes":            "the entries' sizes (response.bodySize and headersSize, request.bodySize), which browser DevTools and most proxies export",
	"latency-connect":  "the entries' timings (wait and connect), which browser DevTools and most proxies export",
}

// A Figure is one place in the report: a chart, or why there is none.
type Figure struct {
	Name  string
	Title string
	Chart *Chart
	// Missing is set when the data cannot feed the chart.
	Missing *NoData
	// Err is set when drawing failed for another reason.
	Err error
}

// figures lists the report's charts in reading order: the load, what it
// did to the responses, capacity, then the causes.
var figures = []struct {
	name, title string
	build       func(Data) (*Chart, error)
}{
	{"threads", "Active threads and requests in flight", func(d Data) (*Chart, error) { return Threads(d.Timeline) }},
	{"codes", "Response codes per second", func(d Data) (*Chart, error) { return Codes(d.Timeline) }},
	{"tps-by-label", "Transactions per second by label", func(d Data) (*Chart, error) { return LabelThroughput(d.Timeline, len(d.Summary.Labels)) }},
	{"bytes", "Bytes received and sent per second", func(d Data) (*Chart, error) { return Bytes(d.Timeline) }},
	{"latency-connect", "Latency and connect time over time", func(d Data) (*Chart, error) { return LatencyConnect(d.Timeline) }},
	{"failure-rate", "Failure rate against concurrency", func(d Data) (*Chart, error) { return FailureRate(d.Diagnosis) }},
	{"throughput", "Throughput against concurrency", func(d Data) (*Chart, error) { return Throughput(d.Capacity) }},
	{"latency-by-level", "Response-time percentiles against concurrency", func(d Data) (*Chart, error) {
		label := mainLabel(d)
		c, err := LatencyByLevel(d.Capacity, d.SLA, label)
		if c != nil && strings.HasPrefix(c.Title, "Response times of") {
			return c, err
		}
		addMixNote(c, d.Summary)
		return c, err
	}},
	{"latency-over-time", "Response-time percentiles over time", func(d Data) (*Chart, error) {
		c, err := LatencyOverTime(d.Timeline, mainLabel(d))
		if c != nil && strings.HasPrefix(c.Title, "Response times of") {
			return c, err
		}
		addMixNote(c, d.Summary)
		return c, err
	}},
	{"percentiles", "Response-time percentiles", func(d Data) (*Chart, error) { return Percentiles(d.Dashboard) }},
	{"distribution", "Response-time distribution", func(d Data) (*Chart, error) { return Distribution(d.Dashboard) }},
	{"rt-vs-rps", "Response time against requests per second", func(d Data) (*Chart, error) { return ResponseVsRate(d.Timeline, mainLabel(d)) }},
	{"apdex", "APDEX per label", func(d Data) (*Chart, error) { return Apdex(d.Dashboard) }},
	{"token-age", "Token age at request by outcome", func(d Data) (*Chart, error) { return TokenAge(d.Diagnosis) }},
	{"duplicate-ids", "Duplicate-ID reuse over time", func(d Data) (*Chart, error) { return DuplicateIDs(d.Diagnosis) }},
	{"multipart", "Multipart anomalies by kind", func(d Data) (*Chart, error) { return Multipart(d.Diagnosis) }},
	{"failures", "Failures by label and response code", func(d Data) (*Chart, error) { return Failures(d.Summary) }},
}

// All builds every chart of the report, in order; charts the data cannot
// feed come back with Missing set.
func All(d Data) []Figure {
	out := make([]Figure, 0, len(figures)+2)
	for _, f := range figures {
		build := func() (*Chart, error) { return f.build(d) }
		if d.Summary.Samples == 0 && d.Summary.Transactions > 0 {
			// Each chart would find its own absence ("no response time
			// was recorded"); the one reason is that there are no
			// requests.
			build = func() (*Chart, error) {
				return nil, &NoData{Why: onlyTransactions(d.Summary.Transactions), Record: recordRequests}
			}
		}
		fig := figure(f.name, f.title, build)
		if m := fig.Missing; m != nil && d.Capture && m.Record != "" {
			// Never a JMeter property for a capture; the charts that
			// need only times need nothing a HAR lacks.
			m.Record = captureRecords[f.name]
		}
		out = append(out, fig)
	}
	if b := d.Baseline; b != nil {
		for _, f := range []struct {
			name, title string
			build       func() (*Chart, error)
		}{
			{"baseline-failure-rate", "Failure rate against concurrency: baseline and this run", func() (*Chart, error) { return BaselineFailureRate(b.Diagnosis, d.Diagnosis) }},
			{"baseline-latency", "p95 response time against concurrency: baseline and this run", func() (*Chart, error) { return BaselineLatency(b.Capacity, d.Capacity, mainLabel(d)) }},
		} {
			out = append(out, figure(f.name, f.title, f.build))
		}
	}
	return out
}

// figure builds one chart, or records why there is none.
func figure(name, title string, build func() (*Chart, error)) Figure {
	fig := Figure{Name: name, Title: title}
	c, err := build()
	var nd *NoData
	switch {
	case errors.As(err, &nd):
		// The report prints Why as a sentence of its own.
		m := *nd
		m.Why = Capitalize(m.Why)
		fig.Missing = &m
	case err != nil:
		fig.Err = err
	default:
		fig.Chart, fig.Title = c, c.Title
	}
	return fig
}

// mainLabel is the label the latency charts show: the one with the most
// failures, else the busiest. Its percentiles mean something; those of
// every request mixed together often do not.
func mainLabel(d Data) string {
	if len(d.Diagnosis.Labels) > 0 && d.Diagnosis.Failures > 0 {
		return d.Diagnosis.Labels[0].Label
	}
	if len(d.Capacity.ByLabel) > 0 {
		return d.Capacity.ByLabel[0].Label
	}
	if len(d.Timeline.ByLabel) > 0 {
		return d.Timeline.ByLabel[0].Label
	}
	return ""
}

// addMixNote adds mixNote to a latency chart's note.
func addMixNote(c *Chart, s summary.Result) {
	if c == nil {
		return
	}
	if n := mixNote(s); n != "" {
		c.Note += " " + n
	}
}

// mixNote warns when percentiles over every request mix labels of very
// different speed: the median then jumps between them from one window or
// level to the next, which says more about the mix than about load.
func mixNote(s summary.Result) string {
	var big []summary.Row
	for _, r := range s.Labels {
		if !r.Transaction && s.Samples > 0 && float64(r.Samples) >= 0.1*float64(s.Samples) {
			big = append(big, r)
		}
	}
	if len(big) < 2 {
		return ""
	}
	sort.Slice(big, func(i, j int) bool { return big[i].P50MS > big[j].P50MS })
	slow, fast := big[0], big[len(big)-1]
	if slow.P50MS < 2*fast.P50MS || slow.P50MS-fast.P50MS < 20 {
		return ""
	}
	return fmt.Sprintf("The requests mix %d frequent labels of very different speed (median %s ms for %q, %s ms for %q), so percentiles over all of them jump between the two; the per-label statistics tell them apart.",
		len(big), fmtNum(slow.P50MS), inputText(slow.Label), fmtNum(fast.P50MS), inputText(fast.Label))
}
