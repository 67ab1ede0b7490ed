package har

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// maxInterned is the longest string worth interning: longer header values
// (cookies, tokens) rarely repeat, and would crowd out those that do.
const maxInterned = 256

// fill turns the entry just read into s, resetting every field of s.
func (d *Decoder) fill(s *samples.Sample, e *entry) {
	*s = samples.Sample{
		Source:      d.name,
		Line:        d.entryLine,
		Kind:        samples.KindHTTP,
		SampleCount: 1,
	}
	var has samples.Fields

	if e.started.set {
		b := e.started.b
		if e.started.esc {
			b = appendUnescaped(d.scratch[:0], b)
		}
		if t, ok := parseTime(bytes.TrimSpace(b), d.loc, d.zones); ok {
			s.Start = t
			has |= samples.FieldStart
		}
	}
	has |= d.fillTimes(s, e)

	method := d.text(e.req.method, &d.names, maxName)
	url := e.req.url.b
	if e.req.url.esc {
		d.scratch2 = appendUnescaped(d.scratch2[:0], url)
		url = d.scratch2
	}
	if method != "" {
		s.Method = method
		has |= samples.FieldMethod
	}
	if len(url) > 0 && d.opts.Needs(samples.FieldURL) {
		s.URL = d.valid(url, samples.MaxBody)
		has |= samples.FieldURL
	}
	if d.opts.Needs(samples.FieldLabel) {
		d.label = appendLabel(d.label[:0], method, url)
		if len(d.label) > 0 {
			s.Label = d.labels.Bytes(validUTF8(d.label))
			has |= samples.FieldLabel
		}
	}

	has |= d.fillStatus(s, e)
	has |= d.fillHeaders(s, e)
	if d.want.reqBody {
		d.fillRequestBody(s, &e.req)
		has |= samples.FieldRequestBody
	}
	if d.want.respBody && e.resp.has {
		d.fillResponseBody(s, &e.resp.content)
		has |= samples.FieldResponseBody
	}
	s.Has = has
}

// fillTimes sets Elapsed, Latency and Connect from time and timings.
func (d *Decoder) fillTimes(s *samples.Sample, e *entry) samples.Fields {
	t := &e.tim
	// Firefox reports TLS apart from connect; the spec (and every other
	// writer) puts it inside. ssl longer than connect gives it away too.
	sslApart := d.sslApart || t.ssl.known() && t.connect.known() && t.ssl.v > t.connect.v
	phases := [...]num{t.blocked, t.dns, t.connect, t.send, t.wait}
	var before float64 // time before the first byte, by the timings
	seen := false
	for _, n := range phases {
		if n.known() {
			before += n.v
			seen = true
		}
	}
	if sslApart && t.ssl.known() {
		before += t.ssl.v
		seen = true
	}

	var has samples.Fields
	elapsed, ok := e.time.v, e.time.known()
	if !ok && (seen || t.recv.known()) {
		elapsed, ok = before+max(t.recv.v, 0), true
	}
	if el, valid := msDuration(elapsed); ok && valid {
		s.Elapsed = el
		has |= samples.FieldElapsed
		latency, known := 0.0, false
		switch {
		case t.recv.known():
			latency, known = max(elapsed-t.recv.v, 0), true
		case seen:
			latency, known = min(before, elapsed), true
		}
		if lat, valid := msDuration(latency); known && valid {
			s.Latency = lat
			has |= samples.FieldLatency
		}
	}
	if t.dns.set || t.connect.set {
		c := max(t.dns.v, 0) + max(t.connect.v, 0)
		if sslApart {
			c += max(t.ssl.v, 0)
		}
		if conn, valid := msDuration(c); valid {
			s.Connect = conn
			has |= samples.FieldConnect
		}
	}
	return has
}

// msDuration converts HAR milliseconds, keeping sub-millisecond precision.
// Values no capture can hold (over a year, or not a number) are refused.
func msDuration(ms float64) (time.Duration, bool) {
	const year = 365 * 24 * 3600 * 1e3
	if !(ms >= 0 && ms <= year) {
		return 0, false
	}
	return time.Duration(math.Round(ms * 1e6)), true
}

// nonHTTP starts Code for a request that got no HTTP response, as JMeter
// writes it for exceptions.
const (
	nonHTTP        = "Non HTTP response code: "
	nonHTTPMessage = "Non HTTP response message: "
	noResponse     = "no response"
)

// fillStatus sets Code, Message, Success, Bytes and SentBytes.
func (d *Decoder) fillStatus(s *samples.Sample, e *entry) samples.Fields {
	has := samples.FieldCode | samples.FieldSuccess
	r := &e.resp
	if st := r.status.v; r.has && r.status.set && st >= 1 && st < 1000 {
		code := int(st)
		s.Code = statusCode(code)
		s.Success = code >= 100 && code <= 399
		s.Message = d.text(r.statusText, &d.names, maxName)
		if r.statusText.set {
			has |= samples.FieldMessage
		}
	} else {
		// Status 0 or -1: aborted, blocked or failed before a response.
		reason := d.text(r.errText, nil, maxName)
		if reason == "" {
			reason = noResponse
		}
		d.label = append(append(d.label[:0], nonHTTP...), reason...)
		s.Code = d.names.Bytes(d.label)
		d.label = append(append(d.label[:0], nonHTTPMessage...), reason...)
		s.Message = d.names.Bytes(d.label)
		has |= samples.FieldMessage
	}
	if n, ok := size(r.headersSize, r.bodySize); ok {
		s.Bytes = n
		has |= samples.FieldBytes
	} else if r.transferSize.known() {
		s.Bytes = int64(min(r.transferSize.v, 1<<53))
		has |= samples.FieldBytes
	}
	if n, ok := size(e.req.headersSize, e.req.bodySize); ok {
		s.SentBytes = n
		has |= samples.FieldSentBytes
	}
	return has
}

// size adds a headers size and a body size, either of which may be -1.
func size(headers, body num) (int64, bool) {
	if !headers.known() && !body.known() {
		return 0, false
	}
	return int64(min(max(headers.v, 0)+max(body.v, 0), 1<<53)), true
}

var statusCodes [1000]string

func init() {
	for i := 100; i < 600; i++ {
		statusCodes[i] = strconv.Itoa(i)
	}
}

func statusCode(code int) string {
	if s := statusCodes[code]; s != "" {
		return s
	}
	return strconv.Itoa(code)
}

// fillHeaders copies the headers, both lists in one allocation.
func (d *Decoder) fillHeaders(s *samples.Sample, e *entry) samples.Fields {
	var has samples.Fields
	rq, rs := e.req.headers, e.resp.headers
	if !e.req.hasHeaders {
		rq = nil
	}
	if !e.resp.hasHeaders {
		rs = nil
	}
	var hs []samples.Header
	if n := len(rq) + len(rs); n > 0 {
		hs = make([]samples.Header, n)
	}
	for i, h := range rq {
		hs[i] = d.header(h)
	}
	for i, h := range rs {
		hs[len(rq)+i] = d.header(h)
	}
	if e.req.hasHeaders {
		// Full slice expressions, so that appending to one list cannot
		// write into the other.
		s.RequestHeaders = hs[:len(rq):len(rq)]
		has |= samples.FieldRequestHeaders
	}
	if e.resp.hasHeaders {
		s.ResponseHeaders = hs[len(rq):]
		has |= samples.FieldResponseHeaders
	}
	return has
}

func (d *Decoder) header(h pair) samples.Header {
	return samples.Header{
		Name:  d.text(h.name, &d.names, maxName),
		Value: d.text(h.value, &d.values, samples.MaxBody),
	}
}

// fillRequestBody sets the request body fields from postData.
func (d *Decoder) fillRequestBody(s *samples.Sample, r *request) {
	pd := &r.post
	if !pd.has {
		// No postData: an empty body when bodySize says so, else the
		// writer did not record it.
		if r.bodySize.set && r.bodySize.v == 0 {
			s.RequestBodyIs = samples.BodySaved
		}
		return
	}
	// A multipart type carries a per-request boundary: not worth interning.
	mimes := &d.names
	if bytes.Contains(pd.mimeType.b, []byte("boundary")) {
		mimes = nil
	}
	s.BodyMIME = d.text(pd.mimeType, mimes, maxName)
	if len(pd.params) > 0 {
		s.Params = make([]samples.Var, len(pd.params))
		for i, p := range pd.params {
			v := samples.Var{Name: d.text(p.name, &d.values, samples.MaxBody)}
			if p.fileName.set {
				// The file's bytes, when a writer keeps them (martian), are
				// the body's business; the param says which file it was.
				v.Value = "(file: " + d.text(p.fileName, nil, maxName) + ")"
			} else {
				v.Value = d.text(p.value, &d.values, samples.MaxBody)
			}
			s.Params[i] = v
		}
	}
	switch {
	case pd.attached:
		s.RequestBodyIs = samples.BodyUnreadable
	case len(pd.text.b) > 0:
		s.RequestBody, s.RequestBodyIs = d.body(pd.text, pd.encoding)
	case len(pd.params) > 0, r.bodySize.v > 0:
		// Params or a size without text: the bytes were not captured.
		s.RequestBodyIs = samples.BodyUnreadable
	default:
		s.RequestBodyIs = samples.BodySaved
	}
}

// fillResponseBody sets the response body fields from content.
func (d *Decoder) fillResponseBody(s *samples.Sample, c *content) {
	switch {
	case c.attached:
		s.ResponseBodyIs = samples.BodyUnreadable
	case !c.text.set:
		// No text: not recorded (Firefox and Chrome leave it out when
		// bodies are not saved).
	case len(c.text.b) == 0 && c.size.v > 0:
		s.ResponseBodyIs = samples.BodyUnreadable
	default:
		s.ResponseBody, s.ResponseBodyIs = d.body(c.text, c.encoding)
	}
}

// body decodes a body's text, base64 when encoding says so, and keeps it
// when it is UTF-8 text, cut to samples.MaxBody.
func (d *Decoder) body(text, encoding jstr) (string, samples.BodyState) {
	enc := encoding.b
	if encoding.esc {
		enc = appendUnescaped(nil, enc)
	}
	raw := text.b
	if text.esc {
		// Unescape no more than we keep: a 100 MB body costs 1 MB. One
		// byte over the limit tells cutUTF8 that there was more.
		d.unesc = appendUnescapedMax(d.unesc[:0], raw, samples.MaxBody+1)
		raw = d.unesc
	}
	switch {
	case len(enc) == 0:
		out, cut := cutUTF8(raw, samples.MaxBody)
		return string(validUTF8(out)), bodyState(cut)
	case bytes.EqualFold(enc, []byte("base64")):
		src := bytes.TrimSpace(raw)
		// 4 base64 bytes make 3: decode a little more than we keep.
		truncated := false
		if lim := (samples.MaxBody/3 + 2) * 4; len(src) > lim {
			src, truncated = src[:lim], true
		}
		// Unpadded input decodes to more than padded input of the same
		// length; size for the larger, or Decode writes past the end.
		n := base64.RawStdEncoding.DecodedLen(len(src))
		if cap(d.scratch) < n {
			d.scratch = make([]byte, n)
		}
		out, err := decodeBase64(d.scratch[:n], src)
		if err != nil && !truncated {
			return "", samples.BodyUnreadable
		}
		out, cut := cutUTF8(out, samples.MaxBody)
		if !utf8.Valid(out) {
			// Binary: an image, a protobuf, a gzip the writer did not undo.
			return "", samples.BodyUnreadable
		}
		return string(out), bodyState(cut || truncated)
	default:
		// An encoding we cannot undo.
		return "", samples.BodyUnreadable
	}
}

func bodyState(truncated bool) samples.BodyState {
	if truncated {
		return samples.BodyTruncated
	}
	return samples.BodySaved
}

// decodeBase64 decodes padded or unpadded standard base64.
func decodeBase64(dst, src []byte) ([]byte, error) {
	n, err := base64.StdEncoding.Decode(dst, src)
	if err != nil {
		if m, err2 := base64.RawStdEncoding.Decode(dst, bytes.TrimRight(src, "=")); err2 == nil {
			return dst[:m], nil
		}
	}
	return dst[:n], err
}

// cutUTF8 returns b cut to at most n bytes on a rune boundary, and whether
// it cut anything.
func cutUTF8(b []byte, n int) ([]byte, bool) {
	if len(b) <= n {
		return b, false
	}
	if n < 0 {
		n = 0
	}
	k := n
	for k > 0 && k > n-utf8.UTFMax && !utf8.RuneStart(b[k]) {
		k--
	}
	return b[:k], true
}

// text decodes a scalar to a string of at most limit bytes, through in
// when it is short enough to be worth sharing.
func (d *Decoder) text(j jstr, in *samples.Interner, limit int) string {
	if len(j.b) == 0 {
		return ""
	}
	b := j.b
	if j.esc {
		d.scratch = appendUnescapedMax(d.scratch[:0], b, limit+1)
		b = d.scratch
	}
	b, _ = cutUTF8(b, limit)
	b = validUTF8(b)
	if in != nil && len(b) <= maxInterned {
		return in.Bytes(b)
	}
	return string(b)
}

// valid is text for bytes that are already unescaped.
func (d *Decoder) valid(b []byte, limit int) string {
	b, _ = cutUTF8(b, limit)
	return string(validUTF8(b))
}

// validUTF8 replaces invalid UTF-8 with U+FFFD, as encoding/json does, so
// that what we hand on can be printed and marshalled.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}
