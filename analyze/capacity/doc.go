// Package capacity models how a system's throughput scales with
// concurrency: the Universal Scalability Law fit (usl.go) and the knee of
// a throughput curve (knee.go).
//
// Like package stats, everything here is a pure function of plain slices:
// callers bring (concurrency, throughput) points measured on steady
// plateaus, preferably of successful requests only (goodput), with
// server-side concurrency from Little's law rather than the load
// generator's thread count. Errors wrap the sentinel errors of package
// stats.
package capacity
