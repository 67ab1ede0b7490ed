package multipart

import "slices"

// A Kind names one anomaly. The names are stable: reports and other tools
// match on them. The comments give the item of the checklist in the team's
// reference notes (har-http.md §3.5) where there is one.
type Kind string

// Anomalies found in the request's Content-Type header.
const (
	// BoundaryMissing: a multipart Content-Type without a boundary
	// parameter, or with an empty one (M1). Postman, fetch and axios users
	// who set the header by hand get this.
	BoundaryMissing Kind = "boundary-missing"
	// BoundaryInvalid: characters outside RFC 2046's bchars, or a trailing
	// space (M3).
	BoundaryInvalid Kind = "boundary-invalid"
	// BoundaryTooLong: more than 70 characters (M3).
	BoundaryTooLong Kind = "boundary-too-long"
	// BoundaryUnquoted: a boundary with tspecials or spaces written without
	// quotes (M4). Strict parsers (Go's mime) fail; lenient ones cut it.
	BoundaryUnquoted Kind = "boundary-unquoted"
	// ExtraParams: multipart/form-data parameters other than boundary (M5),
	// such as the "; charset=US-ASCII" JMeter's HttpClient adds. RFC 7578
	// §8 defines none; some Tomcat and Spring versions then miss the
	// boundary.
	ExtraParams Kind = "extra-params"
	// DuplicateContentType: more than one Content-Type header (M15).
	DuplicateContentType Kind = "duplicate-content-type"
	// ContentTypeNotMultipart: the body is multipart but the Content-Type
	// says otherwise, or the request has none, so the server will not look
	// for parts.
	ContentTypeNotMultipart Kind = "content-type-not-multipart"
)

// Anomalies in the framing of the body.
const (
	// EmptyBody: a multipart Content-Type over an empty body (M13).
	EmptyBody Kind = "empty-body"
	// BoundaryMismatch: the body is framed with another boundary than the
	// one the header declares (M2); the server finds no parts. Old JMeter
	// with a recorded Content-Type in a Header Manager does this.
	BoundaryMismatch Kind = "boundary-mismatch"
	// NoDelimiter: the body has no "--boundary" line at all (M6).
	NoDelimiter Kind = "no-delimiter"
	// NoParts: the first delimiter is already the close delimiter (M13).
	NoParts Kind = "no-parts"
	// NoCloseDelimiter: the body ends without "--boundary--" (M7).
	NoCloseDelimiter Kind = "no-close-delimiter"
	// LFOnly: framing lines end in a bare LF instead of CRLF (M8). Go
	// accepts it; Commons FileUpload, Tomcat and busboy do not.
	LFOnly Kind = "lf-only"
	// TransportPadding: blanks after a boundary on its line. RFC 2046 says
	// receivers must accept them, but Commons FileUpload rejects
	// "Unexpected characters follow a boundary".
	TransportPadding Kind = "transport-padding"
	// BoundaryInContent: a line inside a part starts with the delimiter
	// (M12); parsers that search for the delimiter bytes stop there.
	BoundaryInContent Kind = "boundary-in-content"
	// DelimiterTrailer: text after the close delimiter on its own line
	// ("--b--x"). Commons FileUpload stops at "--b--"; Go's mime/multipart
	// fails.
	DelimiterTrailer Kind = "delimiter-trailer"
	// Preamble: text before the first delimiter, which receivers must
	// ignore.
	Preamble Kind = "preamble"
	// Epilogue: text after the close delimiter, which receivers must
	// ignore; sometimes a second body pasted after the first.
	Epilogue Kind = "epilogue"
)

// Anomalies in the parts (RFC 7578; checked for multipart/form-data only).
const (
	// PartHeaderMalformed: a part header line without a colon or with a bad
	// name, a quoted string left open, or headers not ended by a blank
	// line (busboy: "Malformed part header").
	PartHeaderMalformed Kind = "part-header-malformed"
	// PartNoDisposition: a part without Content-Disposition (M9).
	PartNoDisposition Kind = "part-no-disposition"
	// PartNotFormData: a Content-Disposition type other than form-data (M9).
	PartNotFormData Kind = "part-not-form-data"
	// PartNoName: a form-data part without name= (M9).
	PartNoName Kind = "part-no-name"
	// FilenameStar: a filename* parameter, which RFC 7578 §4.2 forbids (M10).
	FilenameStar Kind = "filename-star"
	// ParamUnquoted: name= or filename= without quotes (M10).
	ParamUnquoted Kind = "param-unquoted"
	// ContentTransferEncoding: a part with Content-Transfer-Encoding (M11),
	// which RFC 7578 §4.7 says senders should not send. JMeter adds it when
	// "Browser-compatible headers" is off.
	ContentTransferEncoding Kind = "content-transfer-encoding"
	// PartExtraHeader: a part header other than Content-Disposition,
	// Content-Type and Content-Transfer-Encoding, which receivers must
	// ignore (RFC 7578 §4.8).
	PartExtraHeader Kind = "part-extra-header"
	// PartNoContentType: a file part without Content-Type (M17); receivers
	// assume text/plain.
	PartNoContentType Kind = "part-no-content-type"
)

// BoundaryReused: the boundary was used by an earlier request too (M18).
// Boundaries need only be unique within a message, so this is no error,
// but it is evidence of a recorded body or header replayed by every
// thread. Only Checker finds it; Inspect sees one request.
const BoundaryReused Kind = "boundary-reused"

// Severity says how likely an anomaly is to make a server reject the
// request.
type Severity string

const (
	// Error: a server will very likely reject the request.
	Error Severity = "error"
	// Warning: against the RFCs, and rejected by some servers.
	Warning Severity = "warning"
	// Info: worth knowing, harmless on its own.
	Info Severity = "info"
)

// rank orders severities, worst first.
func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	case Info:
		return 2
	}
	return 3
}

// severities follows the checklist. Where it says "E/W" for the boundary
// syntax (M3), the empty boundary is reported as BoundaryMissing (error)
// and the rest as warnings: Commons FileUpload, Tomcat, Go and busboy all
// take any characters and any length, so these rarely explain a 400.
var severities = map[Kind]Severity{
	BoundaryMissing:         Error,
	BoundaryInvalid:         Warning,
	BoundaryTooLong:         Warning,
	BoundaryUnquoted:        Warning,
	ExtraParams:             Warning,
	DuplicateContentType:    Warning,
	ContentTypeNotMultipart: Error,
	EmptyBody:               Error,
	BoundaryMismatch:        Error,
	NoDelimiter:             Error,
	NoParts:                 Error,
	NoCloseDelimiter:        Error,
	LFOnly:                  Warning,
	TransportPadding:        Warning,
	BoundaryInContent:       Error,
	DelimiterTrailer:        Warning,
	Preamble:                Info,
	Epilogue:                Info,
	PartHeaderMalformed:     Error,
	PartNoDisposition:       Error,
	PartNotFormData:         Error,
	PartNoName:              Error,
	FilenameStar:            Warning,
	ParamUnquoted:           Warning,
	ContentTransferEncoding: Warning,
	PartExtraHeader:         Info,
	PartNoContentType:       Info,
	BoundaryReused:          Info,
}

// Severity is how serious anomalies of kind k are.
func (k Kind) Severity() Severity { return severities[k] }

// Kinds lists every kind, sorted by name.
func Kinds() []Kind {
	ks := make([]Kind, 0, len(severities))
	for k := range severities {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
