package multipart

import (
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Request is what Inspect needs to know about one request.
type Request struct {
	// ContentTypes are the values of every Content-Type request header, in
	// the order they were sent.
	ContentTypes []string
	// HeadersKnown says the source recorded the request headers, so that a
	// missing Content-Type was really missing.
	HeadersKnown bool
	// Body is the request body as the source recorded it and BodyIs
	// whether it was recorded at all.
	Body   string
	BodyIs samples.BodyState
	// BodyMIME is the body's media type when the source keeps it apart
	// from the headers (HAR postData.mimeType); it stands in for a
	// Content-Type header the capture dropped.
	BodyMIME string
	// HasParams says the source recorded parsed form fields (HAR
	// postData.params).
	HasParams bool
}

// RequestOf returns what Inspect needs to know about s.
func RequestOf(s *samples.Sample) Request { return requestOf(s, nil) }

// requestOf is RequestOf appending the Content-Type values to buf, so
// that a caller checking millions of requests can reuse one slice.
func requestOf(s *samples.Sample, buf []string) Request {
	for _, h := range s.RequestHeaders {
		if strings.EqualFold(strings.TrimSpace(h.Name), "Content-Type") {
			buf = append(buf, h.Value)
		}
	}
	return Request{
		ContentTypes: buf,
		HeadersKnown: s.Has&samples.FieldRequestHeaders != 0 || len(s.RequestHeaders) > 0,
		Body:         s.RequestBody,
		BodyIs:       s.RequestBodyIs,
		BodyMIME:     s.BodyMIME,
		HasParams:    len(s.Params) > 0,
	}
}

// Via says what showed that a request is multipart.
type Via string

const (
	ViaHeader   Via = "header"    // the Content-Type header
	ViaBodyMIME Via = "body-mime" // HAR postData.mimeType, with no Content-Type header
	ViaBody     Via = "body"      // the body alone, under another or no Content-Type
)

// Reasons a multipart body could not be checked, in Check.Unverifiable.
const (
	NotSaved   = "not saved"   // the source did not record the body
	Truncated  = "truncated"   // the body was cut; only its start was checked
	Unreadable = "unreadable"  // the source had the body but could not keep it
	ParamsOnly = "params only" // only parsed form fields were recorded (HAR)
)

// A Check is what Inspect found in one request. Its strings are
// substrings of the request's header values and body: strings.Clone what
// you keep for long, or the whole body stays in memory.
type Check struct {
	// Multipart says the request is (or looks) multipart; nothing else is
	// set when it is false.
	Multipart bool `json:"multipart"`
	Via       Via  `json:"via,omitempty"`
	// MediaType is the declared multipart type ("multipart/form-data"), ""
	// when only the body showed it.
	MediaType string `json:"media_type,omitempty"`
	// Boundary is the boundary the request declares; BodyBoundary the one
	// its body is framed with, when it was found. They differ on a
	// BoundaryMismatch.
	Boundary     string `json:"boundary,omitempty"`
	BodyBoundary string `json:"body_boundary,omitempty"`
	// HeaderKnown says the request headers were recorded; when false the
	// header checks (boundary-missing, boundary-mismatch, extra-params ...)
	// could not be made.
	HeaderKnown bool `json:"header_known"`
	// Checked says the body was read to its end. Unverifiable says why it
	// was not (NotSaved, Truncated, Unreadable, ParamsOnly); anomalies in
	// the headers, or in the start of a truncated body, are still found.
	Checked      bool   `json:"checked"`
	Unverifiable string `json:"unverifiable,omitempty"`
	// Parts is the number of parts found.
	Parts     int       `json:"parts"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
	// Fields are the parts, in body order, at most MaxFields of them.
	Fields []Field `json:"fields,omitempty"`
}

// An Anomaly is one kind of deviation found in a request.
type Anomaly struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	// Detail says what was found, for people; it quotes boundaries, part
	// numbers and field names, never another header value.
	Detail string `json:"detail"`
	// Part is the 1-based part the first occurrence is in; 0 when it is
	// about the request as a whole.
	Part int `json:"part,omitempty"`
	// Count is how many times it occurs in the request (parts with it).
	Count int `json:"count"`
}

// A Field is one part of a multipart body.
type Field struct {
	Name        string `json:"name"`
	Filename    string `json:"filename,omitempty"`
	HasFilename bool   `json:"has_filename,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// Value is the content of a part without a filename when it is at most
	// MaxValue bytes; the value of a field whose name looks like a secret
	// (password, token ...) is replaced by its redact.Mask.
	Value string `json:"value,omitempty"`
	// Size is the content's length in bytes as recorded; -1 when Hidden.
	Size int `json:"size"`
	// Hidden says JMeter's "<actual file content, not shown here>" stands
	// for the content, which therefore could not be checked.
	Hidden bool `json:"hidden,omitempty"`
}

// Limits that keep a Check small whatever the body.
const (
	MaxFields = 1000
	MaxValue  = 256
)

// Worst returns the most serious severity among the anomalies, or "".
func (c *Check) Worst() Severity {
	var w Severity
	for _, a := range c.Anomalies {
		if w == "" || a.Severity.rank() < w.rank() {
			w = a.Severity
		}
	}
	return w
}

// Has reports whether the check found an anomaly of kind k.
func (c *Check) Has(k Kind) bool { return c.find(k) >= 0 }

func (c *Check) find(k Kind) int {
	for i := range c.Anomalies {
		if c.Anomalies[i].Kind == k {
			return i
		}
	}
	return -1
}

// add records an anomaly of kind k. A kind is listed once per request:
// later occurrences only raise its Count.
func (c *Check) add(k Kind, part int, detail string) {
	if !c.again(k) {
		c.Anomalies = append(c.Anomalies, Anomaly{Kind: k, Severity: k.Severity(), Detail: detail, Part: part, Count: 1})
	}
}

// again counts one more occurrence of k and reports whether k was already
// recorded, so that callers can skip building a detail nobody will read.
func (c *Check) again(k Kind) bool {
	if i := c.find(k); i >= 0 {
		c.Anomalies[i].Count++
		return true
	}
	return false
}

// The text JMeter writes in place of a file part's bytes, and in place of
// a body it could not read back.
const (
	filePlaceholder = "<actual file content, not shown here>"
	notRepeatable   = "<Entity was not repeatable, cannot view what was sent>"
)

// Inspect checks one request. It never fails: what it cannot read is an
// anomaly or makes the body Unverifiable.
func Inspect(r Request) Check { return inspect(r, redact.IsSecretParam) }

// inspect is Inspect with the test for secret field names given: the
// regular expression behind redact.IsSecretParam costs about a microsecond
// a name, a third of the scan of a JMeter body, and a Checker sees the
// same few names again and again.
func inspect(r Request, secret func(name string) bool) Check {
	sc := scan{secret: secret}
	sc.inspect(r)
	return sc.c
}

func (sc *scan) inspect(r Request) {
	c := &sc.c
	c.HeaderKnown = r.HeadersKnown || len(r.ContentTypes) > 0
	declared, via := r.BodyMIME, ViaBodyMIME
	if len(r.ContentTypes) > 0 {
		declared, via = r.ContentTypes[0], ViaHeader
	}
	mediaType, rest := splitValue(declared)
	readable := r.BodyIs == samples.BodySaved || r.BodyIs == samples.BodyTruncated

	var boundary string
	formData := isFormData(mediaType)
	if isMultipart(mediaType) {
		c.Multipart, c.Via, c.MediaType = true, via, mediaType
		boundary = c.checkContentType(rest, formData)
	} else {
		if !readable {
			return
		}
		b, ok := looksMultipart(r.Body)
		if !ok {
			return
		}
		c.Multipart, c.Via, c.BodyBoundary = true, ViaBody, b
		boundary, formData = b, true
		switch {
		case mediaType != "":
			c.add(ContentTypeNotMultipart, 0, "body is multipart (boundary "+show(b)+") but Content-Type is "+showType(mediaType))
		case c.HeaderKnown:
			c.add(ContentTypeNotMultipart, 0, "body is multipart (boundary "+show(b)+") but the request has no Content-Type")
		}
	}
	if len(r.ContentTypes) > 1 {
		c.duplicates(r.ContentTypes)
	}

	switch {
	case r.BodyIs == samples.BodyNotSaved:
		c.Unverifiable = NotSaved
		return
	case r.BodyIs == samples.BodyUnreadable, r.Body == notRepeatable:
		c.Unverifiable = Unreadable
		return
	case r.Body == "" && r.HasParams:
		c.Unverifiable = ParamsOnly
		return
	case r.BodyIs == samples.BodyTruncated:
		c.Unverifiable = Truncated
	case r.Body == "":
		c.add(EmptyBody, 0, "Content-Type is multipart but the body is empty")
		c.Checked = true
		return
	default:
		c.Checked = true
	}
	sc.scanBody(r.Body, boundary, formData, r.BodyIs == samples.BodyTruncated)
}

// checkContentType checks the parameters of a multipart Content-Type and
// returns its boundary ("" when there is none).
func (c *Check) checkContentType(rest string, formData bool) string {
	var boundary param
	found := false
	var extra string
	it := params{rest}
	for p, ok := it.next(); ok; p, ok = it.next() {
		switch {
		case strings.EqualFold(p.name, "boundary") && !found:
			boundary, found = p, true
		case strings.EqualFold(p.name, "boundary"):
			if boundary.value != p.value {
				extra = appendName(extra, "a second boundary")
			}
		case formData:
			extra = appendName(extra, show(p.name))
		}
	}
	if extra != "" {
		c.add(ExtraParams, 0, "Content-Type has parameters besides boundary: "+extra)
	}
	switch {
	case !found:
		c.add(BoundaryMissing, 0, "Content-Type "+showType(c.MediaType)+" has no boundary parameter")
		return ""
	case boundary.value == "":
		c.add(BoundaryMissing, 0, "the boundary parameter is empty")
		return ""
	}
	c.Boundary = boundary.value
	c.checkBoundary(boundary)
	return boundary.value
}

func appendName(list, name string) string {
	if list == "" {
		return name
	}
	return list + ", " + name
}

// duplicates reports a request with several Content-Type headers, saying
// whether they agree on the boundary (the only value it may quote).
func (c *Check) duplicates(values []string) {
	detail := itoa(len(values)) + " Content-Type headers"
	same := true
	for _, v := range values[1:] {
		same = same && v == values[0]
	}
	if same {
		detail += ", all the same"
	} else {
		detail += " with different values"
		first := boundaryOf(values[0])
		for _, v := range values[1:] {
			if b := boundaryOf(v); b != first {
				detail += "; the first says boundary=" + show(first) + ", another boundary=" + show(b)
				break
			}
		}
	}
	c.add(DuplicateContentType, 0, detail)
}

// boundaryOf returns the boundary parameter of a Content-Type value.
func boundaryOf(v string) string {
	_, rest := splitValue(v)
	it := params{rest}
	for p, ok := it.next(); ok; p, ok = it.next() {
		if strings.EqualFold(p.name, "boundary") {
			return p.value
		}
	}
	return ""
}

// show returns s fit for a detail: cut to 80 bytes, and quoted when it
// holds anything but printable ASCII or is empty.
func show(s string) string {
	const max = 80
	cut := len(s) > max
	if cut {
		s = s[:max]
	}
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] > ' ' && s[i] < 0x7f && s[i] != '"'
	}
	if !plain {
		s = strconv.QuoteToASCII(s)
	}
	if cut {
		s += "..."
	}
	return s
}

// quote returns s quoted for a detail, cut to 80 bytes.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// showType returns a media type fit for a detail: the type alone, without
// parameters, which can carry anything.
func showType(t string) string {
	if t == "" {
		return "empty"
	}
	return show(t)
}

func itoa(n int) string { return strconv.Itoa(n) }

func quoteByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c > ' ' && c < 0x7f:
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789ABCDEF"
	return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}
