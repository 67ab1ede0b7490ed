// Package dashboard computes the views of JMeter's HTML dashboard that
// the other analyses do not: APDEX per label and in total, the
// response-time percentile curve (p0 to p100) and distribution, the
// errors table and the top errors per sampler. It counts samples as
// JMeter's report generator does (Transaction Controller rows have their
// own label rows, and are left out of the totals and the errors), and
// keeps bounded memory: per-label response times go to stats.Sketch,
// exact until a budget is spent, and error kinds are capped.
package dashboard
