// Package har decodes HTTP Archive files (HAR 1.1 and 1.2, as Chrome,
// Firefox, Safari, Playwright, mitmproxy, Charles, Fiddler, Insomnia and
// others write them) into samples.Sample values, one entry at a time.
//
// # Streaming
//
// A HAR is one JSON document, often hundreds of megabytes because bodies
// are embedded. The decoder never reads it whole: a scanner walks the
// framing (the top-level object, "log", "entries") and finds where each
// entry ends, checking only that strings close and brackets match; the
// entry's bytes are then read by a small purpose-built JSON reader that
// takes the members we map and steps over the rest. That reader exists for
// speed: encoding/json runs every byte through its state machine, and
// decoding each entry with it (json.Decoder.Decode, or json.Unmarshal of
// the entry's bytes) measured 2 to 5 times slower on real HARs, whose
// bytes are mostly long strings that bytes.IndexByte crosses at memory
// speed. Memory follows the largest entry, not the file; an entry over
// samples.MaxRecord is skipped with a ParseError. "pages", "creator" and
// "browser" may come before or after "entries". Nothing recurses on the
// input, so JSON nested a million levels deep is walked (or rejected)
// without growing the stack. With Options.Need set, headers and bodies
// nobody asked for are stepped over rather than decoded.
//
// # Mapping
//
// HAR has no labels, and a summary per URL would give every request its own
// row. Label is "METHOD scheme://host/path" with the query, fragment and
// user info dropped and path segments that look like identifiers replaced
// by {id}, so that requests to one endpoint group together:
// "POST https://api.example.com/recordings/{id}/chunks". A segment is an
// identifier when it is all digits (a bare number in a REST path is a row
// ID; versions are spelled v2), has a run of 8 or more digits (epoch
// milliseconds, order numbers), is a UUID, 16 or more hex digits with at
// least one digit among them (hashes, Mongo IDs), or a ULID. URL keeps the
// URL as recorded.
//
// Elapsed is the entry's time, or the sum of its non-negative timings when
// time is missing or -1; Latency is time to the first byte (Elapsed minus
// receive); Connect is dns + connect (the spec puts ssl inside connect;
// Firefox reports it apart, so it is added for Firefox captures and
// whenever ssl is longer than connect). -1 and null timings mean "does not
// apply". Code is the status; an entry with status 0 or -1 got no HTTP
// response: its Code is "Non HTTP response code: " and the producer's
// error (_error, _failureText) or "no response", and its Message "Non HTTP
// response message: " and the same, as JMeter writes exceptions. Bytes is the response's headersSize + bodySize (or
// _transferSize when both are -1); SentBytes is the request's. Thread is
// empty: a browser has no threads.
//
// Headers are kept in order with duplicates (Firefox repeats Content-Type
// by design). Cookie arrays are not read: they are secrets and the same
// values are in the Cookie and Set-Cookie headers. postData.text is the
// request body, postData.mimeType its BodyMIME (it keeps the multipart
// boundary even where a capture drops the header), postData.params its
// Params; a param with a fileName has the value "(file: NAME)", since the
// file's bytes, where kept at all, belong to the body. Params without text,
// and Playwright bodies kept in side files (_sha1, _file), are
// BodyUnreadable. A response body is content.text, base64-decoded when
// encoding says so, and kept only when it is UTF-8 text; bodies are cut at
// samples.MaxBody and then marked BodyTruncated. Strings that are not
// valid UTF-8 have the bad bytes replaced by U+FFFD, as encoding/json does.
//
// # Tolerance
//
// Real HARs break the spec: members missing, null where a string belongs
// (Charles' redirectURL), numbers in quotes, no version (Polly.JS), a JSONP
// wrapper (Firebug's HAR Viewer), a BOM. All of that is read. An entry that
// is not an object, or has a member of a type we cannot use (an object
// where a number belongs), or more than 16384 headers or params, is
// skipped with a *samples.ParseError naming its line, and the next entry
// is read. Broken framing (invalid JSON
// between entries, a file cut off mid-entry) ends the input with a
// ParseError saying where, after every complete entry has been returned.
// Messages name members and positions, never values, which may be tokens.
package har
