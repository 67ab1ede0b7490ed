// Package diagnose attributes failures to causes, with evidence.
//
// A load test's failures have several usual suspects at once: a
// concurrency limit, duplicate or colliding IDs, a stale shared token, a
// token never validly obtained, malformed multipart bodies, rate limiting,
// client-side timeouts and connection errors. Each suspect is a Cause: it
// looks at every request once (observe) and writes a few small features
// into the request's key; the table counts requests per distinct key, so
// memory does not grow with the file.
//
// After the pass, the failures are split by kind (kind.go): what the
// client saw (an HTTP status, a class of non-HTTP error, a failed
// assertion), and within a kind two well separated response-time modes,
// which are two mechanisms (a check before any work, a limit after it).
// For each kind, decide.go is the one place that decides: every cause
// offers a marker (propose), the requests that show it; the purest marker
// whose requests fail far more often than comparable ones is taken first,
// with the requests it marks, and the others are offered again on what is
// left, so that each cause is judged on what it adds given the others and
// each threshold is estimated on the failures the others do not explain.
// The same file puts each failure down to one chosen cause, or to none
// (unexplained). Each cause file then writes its finding (assess): the
// verdict decide gave it, its evidence and summary. prose.go holds the
// wording helpers they share; verdict.go writes the plain answer.
//
// Confounding is the hard part: in a ramp, concurrency, token age and
// elapsed time rise together, and IDs built from timestamps collide more
// often under load. What separates them here: failures are explained per
// kind and response-time mode (a token check answers in a millisecond, a
// capacity limit after the work); a cause is taken on what it adds once
// the causes before it have taken their requests; a token's lifetime
// found on one kind holds for the others; and where two markers pick out
// the same requests, the result says the data cannot tell them apart.
package diagnose
