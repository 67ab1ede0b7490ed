// Package ids finds identifiers in requests and tells whether each one was
// fresh or reused, so that diagnose can blame HTTP 400s on duplicate IDs: a
// static header, a CSV Data Set that recycles its rows, IDs built from a
// millisecond timestamp that collide under load.
//
// It owns three things:
//   - Extraction (Extractor): the candidate values of one request, each with
//     a location such as "header:x-request-id", "form:recordingId",
//     "json:metadata.id", "query:requestId", "path:4" or "var:recId".
//   - ID-likeness (Classify): which values look like identifiers (UUIDs,
//     ULIDs, ObjectIds, long hex, random base64url, "rec-000123", epoch
//     milliseconds) or sit under a key that says so. A user may instead
//     name the locations with ParseSpec.
//   - Reuse tracking (Tracker): for each (endpoint, location), whether a
//     value was seen before, by another thread, while an earlier use was
//     still in flight. Reuse is counted per endpoint because reading back
//     what you just wrote ("GET /recordings/{id}" after the upload) is
//     normal, and because JMeter variables persist per thread and so turn
//     up on unrelated requests.
//
// Memory grows with the number of distinct values, not of requests: a value
// is kept as its 64-bit hash and its state, packed in a 16-byte slot of one
// open-addressing table for the whole Tracker (valtable.go; about 22 bytes
// a value with the table's slack), and its text only while it is among the
// few most reused of its location. Locations that carry one ID several ways
// share a slot per value (alias.go), so an ID sent as a header, a form
// field and a variable costs one slot, not three. Secrets never reach a
// Result: credential headers are not extracted, and values at locations
// whose name looks like a credential are shown as fingerprints.
package ids
