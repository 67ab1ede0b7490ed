// Package stats holds the statistics the analyses stand on:
//
//   - proportions: Wilson score intervals;
//   - percentiles: QuantileSorted (JMeter's LEGACY estimator), Histogram
//     (log-linear buckets, bounded memory, mergeable) and Durations (exact
//     until a memory budget, then a Histogram);
//   - models: FitLogistic for grouped binomial data, with Firth's penalty
//     for separated data, and EstimateOnset, the concurrency at which
//     failures begin, with a block-bootstrap interval;
//   - association: Table2x2 (relative risk, odds ratio, Fisher's exact
//     test), CMH and BreslowDay for tables stratified by a confounder,
//     Pearson and Spearman to see whether two factors can be told apart;
//   - comparing runs: MannWhitney, HodgesLehmann and QuantileDiff.
//
// Everything here is a pure function of plain slices or a small value type:
// no I/O, no samples, no goroutines. Degenerate input (nothing to work on,
// NaN, counts that contradict each other, a singular design, data a model
// cannot fit) is reported as an error wrapping one of the sentinel errors
// of errors.go, never as a panic or a silent NaN, so that callers can say
// why a number is missing. Each function documents which cases it rejects.
// Results are plain structs with JSON tags and finite values.
//
// The methods and their sources are in the team's research notes
// (capacity.md); each test cites the published example or the first
// principles it checks against.
package stats
