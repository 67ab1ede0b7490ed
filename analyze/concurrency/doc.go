// Package concurrency measures how many requests were running at once.
//
// JMeter records two thread counts with every sample (grpThreads and
// allThreads: active threads, including those sleeping in timers), which
// is offered load, not load on the server. Each JMeter engine counts only
// its own threads, so Threads adds the counts of a run's load generators
// (told apart by the distributed "host:port-" thread-name prefix, the
// Hostname column, or the input file) before anything is set against
// them. A HAR records no thread counts: its concurrency is the entries'
// own overlap. So this package also measures the requests actually in
// flight when each request started, from the overlap of [start, end]
// intervals across the whole run. Both are levels the failure rate can be
// set against; Little's law (L = X·W) ties them to throughput and latency
// as a consistency check, reported as measured: a share of the threads'
// time only when it is one, else why requests in flight exceed threads.
package concurrency
