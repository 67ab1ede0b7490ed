// Package diagnose attributes failures to causes, with evidence.
//
// A load test's 400s have several usual suspects: a concurrency limit,
// duplicate IDs, a stale shared token, malformed multipart bodies, rate
// limiting. Each suspect is a Cause: it looks at every request once
// (Observe) and contributes a few small features to that request's key;
// after the pass it judges itself (Assess) from the table of feature
// combinations with their request and failure counts.
//
// The hard part is confounding. In a ramp, concurrency, token age and
// elapsed time all rise together, and IDs built from timestamps collide
// more often under load. So a cause is only called likely when its
// association with failures survives stratification by the other causes'
// indicators and by concurrency level (Cochran–Mantel–Haenszel); when no
// stratum varies one factor while holding the other, the two cannot be
// separated with this data and the result says so, with the test that
// would separate them.
//
// Memory: the table has one cell per distinct feature combination, not
// one per request; only failures are kept individually, for the
// per-sample attribution.
package diagnose
