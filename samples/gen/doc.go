// Command gen writes large, realistic JMeter results and HAR captures for
// benchmarks: the same shape as the real runs in shared/data/jmeter (an
// OAuth2 token request, a multipart screen-recording upload with a
// recording ID header and form field, a read-back GET, think time), as
// many samples as it takes to reach a size.
//
//	go run ./samples/gen -size 1GB -format csv -scenario concurrency -o big.csv
//
// Rows are written the way JMeter writes them: when a sample ends, stamped
// with its start, so files are not sorted by timestamp. A scenario switches
// one failure mode on, like the mock server of the real runs.
package main
