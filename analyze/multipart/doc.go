// Package multipart checks multipart request bodies against RFC 2046
// §5.1.1 and RFC 7578, so that diagnose can tell a 400 caused by a
// malformed upload from one caused by anything else.
//
// It owns the strict scanner (Inspect), the anomaly kinds and their
// severities, and the accumulator (Checker) that runs it over every
// request of a test and sums up what it found, including boundaries
// reused across requests (evidence of a recorded body or header replayed
// by every thread).
//
// The scanner does not use mime/multipart on purpose: that package accepts
// bare-LF framing, transport padding and other deviations that real
// servers reject, and it stops at the first problem. Inspect reads the
// whole body, names every deviation with a stable Kind, and still returns
// the form fields it found, so that the duplicate-ID analysis can read a
// recordingId even from a body whose boundary is wrong.
//
// What cannot be checked is said, not guessed: a body that was not saved,
// was cut, or is JMeter's "<Entity was not repeatable ...>" leaves the
// request Unverifiable; JMeter's "<actual file content, not shown here>"
// marks a file part whose bytes are hidden (Field.Hidden), not an anomaly.
package multipart
