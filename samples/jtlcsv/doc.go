// Package jtlcsv decodes JMeter's CSV result files (JTL CSV, the
// "csv" output_format) into samples.Sample values. It registers itself with
// samples as the "csv" format, the fallback that Open tries after XML and
// HAR; import it for that side effect.
//
// # Columns
//
// A header line names the columns; names are matched in any case and
// order (writers other than JMeter reorder them), "quoted" names are
// sample_variables and land in Sample.Vars in file order, and unknown names
// are kept as variables too. Without a header the columns come from
// Options.Properties (jmeter.save.saveservice.* flags and sample_variables,
// on top of each release's defaults) or, failing that, from the first row:
// the default column sets of JMeter 5.x (17 columns), 3.1 to 4.0 (16), 3.0
// (14), 2.13 (12) and early 2.x (10) are tried against its field count and
// value shapes, and Meta.Notes says which was assumed. The _ns columns of
// JMeter's nanosecond-timing branch win over their millisecond twins.
//
// The delimiter is Options.Delimiter, else the one that makes the header
// (or the first row) read, out of , TAB ; and |. Timestamps are epoch
// milliseconds or SimpleDateFormat text (Options.TimestampFormat, the
// timestamp_format property, or JMeter's own fallback list), in
// Options.Location unless the pattern has a zone.
//
// # Records
//
// Records follow JMeter's reader (CSVSaveService.csvReadFile): CR, LF and
// CRLF end a record, quoted fields may hold delimiters, doubled quotes and
// line breaks (kept as written). The literal URL "null" becomes "". Rows
// labelled "<label>-<n>" that JMeter 5 writes after their parent for
// sub-results are attached to the parent's Children when every guarantee
// JMeter gives about them holds, found among the rows of the parent's
// thread rather than by adjacency, since other threads' rows fall in
// between (see link.go). Samples still come out in file order.
//
// # Bad input
//
// A record that cannot be read (wrong field count, a value that is not a
// number, a timestamp or true/false, a negative elapsed time, a stray
// quote, a NUL byte, more than samples.MaxRecord bytes) is skipped with a
// *samples.ParseError naming the line, the column and the byte offset, and
// decoding resumes at the next line. A last line cut off by a killed test
// is reported as such. Invalid UTF-8 does not cost the row: the bad bytes
// become U+FFFD and Meta counts the rows. An empty or header-only file
// gives io.EOF at once, with a note in Meta.
//
// # Speed
//
// This is the hot path of every command. Input is read in blocks of whole
// lines (chunk.go); a line is split in one pass, eight bytes at a time
// (scan.go); numbers are parsed from the bytes; repeated strings come from
// a per-column cache in front of samples.Interner (intern.go), and Vars
// from an append-only arena, so that a steady-state row allocates nothing
// but genuinely new strings (a UUID variable). Options.Need skips the
// strings nobody asked for. After the first 8 MiB, parsing moves to one
// goroutine per core (parallel.go).
package jtlcsv
