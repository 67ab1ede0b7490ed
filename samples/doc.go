// Package samples owns the one format-free model every other package works
// on: a Sample is one result, what JMeter calls a sample (one HTTP request, a
// Transaction Controller row, a JDBC call) or one HAR entry.
//
// The package also owns getting samples out of files: the Decoder interface
// that the format packages (jtlcsv, jtlxml, har) implement, the registry that
// lets Open pick a decoder by sniffing the content (never the file name), and
// Stream, which reads several files at once and merges them into one
// sequence, in start-time order when asked.
//
// Inputs are untrusted. A decoder that meets a record it cannot read returns
// a *ParseError naming the file and line (and byte offset where known) and
// carries on with the next record; Stream counts those problems and hands
// them to the caller instead of stopping, unless Options.Strict is set.
//
// Data flows one way: samples knows nothing of analyses or reports.
package samples
