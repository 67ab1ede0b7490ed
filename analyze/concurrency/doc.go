// Package concurrency measures how many requests were running at once.
//
// JMeter records two thread counts with every sample (grpThreads and
// allThreads: active threads, including those sleeping in timers), which
// is offered load, not load on the server. A HAR records none. So this
// package also measures the requests actually in flight when each request
// started, from the overlap of [start, end] intervals across the whole
// run. Both are levels the failure rate can be set against; Little's law
// (L = X·W) ties them to throughput and latency as a consistency check.
package concurrency
