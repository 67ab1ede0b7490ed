// Package samplestest finds the real input data that tests run against.
//
// The team's shared data (real JMeter runs with the server's verdict per
// upload, public JTL and HAR files under licences that keep them out of
// the repository) lives beside the module: ../shared/data from the
// module root. JTLSCOPE_DATA points elsewhere. Tests never name a path of
// one machine: they ask Dir or Path, which skip the test with a message
// when the data is absent, and fail it under CI (CI=true), where a
// silently skipped real-data test would hide a regression.
package samplestest
