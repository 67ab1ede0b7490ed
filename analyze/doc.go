// Package analyze turns a stream of samples into results. It owns the one
// pass: Run reads every sample once and hands it to each Accumulator, so
// that summary statistics, concurrency, duplicate IDs, token ages and
// multipart checks all come out of a single read of a file that may be
// many gigabytes. LimitLabels bounds what that pass can be made to hold:
// past MaxLabels distinct labels, later ones are counted together.
//
// The sub-packages hold the analyses. Each has an accumulator (Add a
// sample, then ask for the result) whose result is plain data with JSON
// tags, so that report can render it and other tools can read it. Nothing
// here formats for people or imports a table or chart library.
package analyze
