package samples

import (
	"strings"
	"time"
)

// A Sample is one result read from a JTL row, a JTL XML element or a HAR
// entry. Which fields the source actually recorded is in Has: a zero
// GrpThreads means "no thread counts" only when Has&FieldThreads is clear.
//
// Strings and slices in a Sample are never written to again by the decoder
// that produced them, so a consumer may keep them. The Sample value itself
// may be reused: copy it (or Clone it) to keep it past the next read.
type Sample struct {
	// Source is the input name as the user gave it ("-" for stdin) and Line
	// the 1-based line where the record starts, for messages and for joining
	// results back to the file.
	Source string
	Line   int

	// Start is when the sample started. JMeter writes its start time by
	// default (sampleresult.timestamp.start=true since 2.2), and a JTL does
	// not say which was used; we take it as the start.
	Start time.Time
	// Elapsed is JMeter's elapsed time: end - start - Idle. For HAR it is the
	// entry's time.
	Elapsed time.Duration
	// Latency is time to the first byte of the response; it includes Connect.
	Latency time.Duration
	// Connect is time to establish the connection (DNS and TLS included);
	// JMeter writes 0 when a keep-alive connection was reused.
	Connect time.Duration
	// Idle is time excluded from Elapsed (only Transaction Controllers set it).
	Idle time.Duration

	Label  string
	Thread string // JMeter thread name, "<group> <groupNo>-<threadNo>"
	// GrpThreads and AllThreads are JMeter's active-thread counts taken when
	// the sample ended: threads in think time are included.
	GrpThreads int
	AllThreads int

	// Code is the response code exactly as written: "200", "400", "",
	// "Non HTTP response code: java.net.SocketTimeoutException".
	Code           string
	Message        string
	Success        bool
	FailureMessage string // message of the first failing assertion

	Bytes     int64 // received, headers and body
	SentBytes int64
	URL       string // "" when not recorded or when JMeter wrote its literal "null"
	Method    string
	DataType  string // "text", "bin" or ""
	Encoding  string
	Hostname  string // the load generator that ran the sample

	// SampleCount and ErrorCount are >1 only in JMeter's Statistical remote
	// mode, where one row stands for several samples. Decoders set 1 and 0
	// when the source does not record them.
	SampleCount int
	ErrorCount  int

	// Vars are the sample_variables columns (CSV) or attributes (XML), in file
	// order. XML names are unmangled ("last__ok" is stored as "last_ok").
	Vars []Var

	RequestHeaders []Header
	RequestBody    string
	RequestBodyIs  BodyState
	// BodyMIME is the request body's media type when the source records it
	// apart from the headers (HAR postData.mimeType, which keeps the
	// multipart boundary even when a capture drops the header).
	BodyMIME string
	// Params are form fields the source recorded as parsed pairs (HAR
	// postData.params) instead of, or beside, the raw body.
	Params          []Var
	ResponseHeaders []Header
	ResponseBody    string
	ResponseBodyIs  BodyState
	Cookies         string // JMeter's <cookies> text, a secret

	Assertions []Assertion

	Kind Kind
	// Children are sub-results in the order they were written: redirect
	// hops, embedded resources, the samplers inside a Transaction Controller
	// with "Generate parent sample" on, or 5.x CSV rows labelled "<label>-N".
	// See Requests for how they count.
	Children []Sample

	Has Fields
}

// End is when the sample ended. For Transaction Controller rows the idle
// time between children is part of the wall-clock span.
func (s *Sample) End() time.Time { return s.Start.Add(s.Elapsed + s.Idle) }

// Status is the numeric HTTP status, or 0 when Code is not a 3-digit number
// (empty, or a "Non HTTP response code: ..." message).
func (s *Sample) Status() int { return ParseStatus(s.Code) }

// ParseStatus returns the numeric HTTP status in code, or 0 when code is not
// exactly three digits.
func ParseStatus(code string) int {
	if len(code) != 3 {
		return 0
	}
	n := 0
	for i := 0; i < 3; i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if n < 100 {
		return 0
	}
	return n
}

// Var returns the value of the sample variable name and whether it is there.
func (s *Sample) Var(name string) (string, bool) {
	for _, v := range s.Vars {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// RequestHeader returns the first request header called name (any case).
func (s *Sample) RequestHeader(name string) (string, bool) {
	return headerValue(s.RequestHeaders, name)
}

// ResponseHeader returns the first response header called name (any case).
func (s *Sample) ResponseHeader(name string) (string, bool) {
	return headerValue(s.ResponseHeaders, name)
}

func headerValue(hs []Header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// Walk calls fn for s and then for every sub-result, depth first, in the
// order they were written. depth is 0 for s itself.
func (s *Sample) Walk(fn func(s *Sample, depth int)) { s.walk(fn, 0) }

func (s *Sample) walk(fn func(*Sample, int), depth int) {
	fn(s, depth)
	for i := range s.Children {
		s.Children[i].walk(fn, depth+1)
	}
}

// The counting rule, the same for every format and layout:
//
//   - A sampler's result is one request, whatever sub-results it has:
//     the redirect hops JMeter followed and the embedded resources it
//     downloaded are part of it (its code is the final hop's, its time
//     and bytes cover them all). In XML they are nested elements; in a
//     5.x CSV, rows labelled "<label>-<n>" that the CSV decoder attaches
//     to their parent.
//   - A Transaction Controller row is a transaction, not a request. The
//     samplers inside it are requests, whether the file nests them
//     ("Generate parent sample" in XML) or writes them as rows of their
//     own (CSV, or the parent option off).
//
// Requests applies the rule; SubResults lists what it leaves out, for
// those who want every hop and resource counted too (--subresults).

// Requests calls fn for each request s stands for: s itself, unless it is
// a transaction, whose samplers (inside nested transactions too) are the
// requests. A transaction row without children yields nothing.
func (s *Sample) Requests(fn func(*Sample)) {
	if s.Kind != KindTransaction {
		fn(s)
		return
	}
	for i := range s.Children {
		s.Children[i].Requests(fn)
	}
}

// SubResults calls fn for every sub-result of the requests in s (redirect
// hops, embedded resources, and theirs), depth first in the order they
// were written: what Requests counts as part of its parent.
func (s *Sample) SubResults(fn func(*Sample)) {
	s.Requests(func(r *Sample) {
		for i := range r.Children {
			r.Children[i].Walk(func(c *Sample, _ int) { fn(c) })
		}
	})
}

// FailedSubResults calls fn for each failing sub-result of s none of whose
// own sub-results failed: the resource or hop a failed request often
// stands for. JMeter fails a page whose embedded resource failed, with the
// page's own code (200) and "Embedded resource download error: ..." as
// its message; the 404 is on the sub-result.
func (s *Sample) FailedSubResults(fn func(*Sample)) {
	for i := range s.Children {
		c := &s.Children[i]
		n := 0
		c.FailedSubResults(func(d *Sample) { n++; fn(d) })
		if n == 0 && !c.Success {
			fn(c)
		}
	}
}

// Transactions calls fn for s when it is a transaction and for every
// transaction nested in it (a Parallel Controller inside a Transaction
// Controller), outermost first.
func (s *Sample) Transactions(fn func(*Sample)) {
	if s.Kind != KindTransaction {
		return
	}
	fn(s)
	for i := range s.Children {
		s.Children[i].Transactions(fn)
	}
}

// Clone returns a deep copy whose slices share nothing with s.
func (s *Sample) Clone() Sample {
	c := *s
	c.Vars = append([]Var(nil), s.Vars...)
	c.RequestHeaders = append([]Header(nil), s.RequestHeaders...)
	c.ResponseHeaders = append([]Header(nil), s.ResponseHeaders...)
	c.Params = append([]Var(nil), s.Params...)
	c.Assertions = append([]Assertion(nil), s.Assertions...)
	if s.Children != nil {
		c.Children = make([]Sample, len(s.Children))
		for i := range s.Children {
			c.Children[i] = s.Children[i].Clone()
		}
	}
	return c
}

// A Var is one sample_variables value.
type Var struct {
	Name, Value string
}

// A Header is one HTTP header line; names keep the case they were sent in.
type Header struct {
	Name, Value string
}

// An Assertion is one JMeter assertion result.
type Assertion struct {
	Name    string
	Failure bool
	Error   bool
	Message string
}

// BodyState says whether a body was saved, so that "empty" and "not
// recorded" are not confused.
type BodyState uint8

const (
	// BodyNotSaved: the source did not record the body (CSV never does; XML
	// only with response_data or response_data.on_error).
	BodyNotSaved BodyState = iota
	// BodySaved: the body is the text the source recorded, possibly with
	// JMeter's "<actual file content, not shown here>" in place of file
	// parts.
	BodySaved
	// BodyTruncated: the body is saved but was cut to a size limit (by the
	// writer or by the decoder, to keep memory bounded).
	BodyTruncated
	// BodyUnreadable: the source says the body existed but could not keep it
	// ("<Entity was not repeatable, cannot view what was sent>", a HAR
	// binary body without text, a non-text response JMeter refused to save).
	BodyUnreadable
)

func (b BodyState) String() string {
	switch b {
	case BodySaved:
		return "saved"
	case BodyTruncated:
		return "truncated"
	case BodyUnreadable:
		return "unreadable"
	}
	return "not saved"
}

// Kind tells samplers apart from rows that summarise other rows.
type Kind uint8

const (
	// KindSample is any sampler result that is not known to be HTTP.
	KindSample Kind = iota
	// KindHTTP is an HTTP request (XML httpSample, a HAR entry, or a CSV row
	// with an http(s) URL).
	KindHTTP
	// KindTransaction is a Transaction Controller row; JMeter marks these
	// only by the message "Number of samples in transaction : N, ...".
	KindTransaction
)

func (k Kind) String() string {
	switch k {
	case KindHTTP:
		return "http"
	case KindTransaction:
		return "transaction"
	}
	return "sample"
}

// TransactionMessagePrefix starts the response message of every Transaction
// Controller row; JMeter's own dashboard recognises them the same way.
const TransactionMessagePrefix = "Number of samples in transaction"

// IsTransactionMessage reports whether msg is a Transaction Controller's.
func IsTransactionMessage(msg string) bool {
	return strings.HasPrefix(msg, TransactionMessagePrefix)
}

// Fields is a set of the fields a source recorded for a sample.
type Fields uint32

const (
	FieldStart Fields = 1 << iota
	FieldElapsed
	FieldLatency
	FieldConnect
	FieldIdle
	FieldLabel
	FieldThread
	FieldThreads // GrpThreads and AllThreads
	FieldCode
	FieldMessage
	FieldSuccess
	FieldFailureMessage
	FieldBytes
	FieldSentBytes
	FieldURL
	FieldMethod
	FieldDataType
	FieldHostname
	FieldVars
	FieldRequestHeaders
	FieldResponseHeaders
	FieldSampleCount
	FieldEncoding
	FieldRequestBody  // RequestBodyIs says whether it was saved
	FieldResponseBody // ResponseBodyIs says whether it was saved
	FieldAssertions
	FieldCookies
)

var fieldNames = []string{
	"start", "elapsed", "latency", "connect", "idle", "label", "thread",
	"threads", "code", "message", "success", "failure_message", "bytes",
	"sent_bytes", "url", "method", "data_type", "hostname", "vars",
	"request_headers", "response_headers", "sample_count", "encoding",
	"request_body", "response_body", "assertions", "cookies",
}

// Names lists the fields in f, in declaration order.
func (f Fields) Names() []string {
	var out []string
	for i, n := range fieldNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}
