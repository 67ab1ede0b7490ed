// Package timeline accumulates a run into time windows for the
// over-time charts of a report: active threads and requests in flight,
// response codes per second, throughput and goodput, latency percentiles.
//
// Windows start at one second and double in width (merging neighbours)
// whenever the run would need more than MaxWindows of them, so memory is
// fixed whatever the length of the run: a 30-second smoke test keeps
// 1-second detail, a 24-hour soak test gets windows of about two minutes.
package timeline
