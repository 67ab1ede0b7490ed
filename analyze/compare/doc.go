// Package compare tells whether a run got better or worse than a
// baseline, per label, without crying wolf on noise.
//
// Requests within a run are not independent: latencies a few seconds
// apart share the server's state. So every interval here comes from a
// block bootstrap that resamples whole time windows of each run
// (DefaultBlock long) rather than single requests, which would give
// intervals far too narrow and flag every trivial shift. A metric is
// "worse" or "better" only when its 95% interval excludes zero, and "~"
// otherwise, in the spirit of benchstat.
package compare
