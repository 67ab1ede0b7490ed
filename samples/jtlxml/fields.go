package jtlxml

import (
	"bytes"
	"encoding/base64"
	"math"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// What JMeter writes in place of a body it did not keep.
const (
	notRepeatable = "<Entity was not repeatable, cannot view what was sent>"
	nonText       = "Non-TEXT response data, cannot record:"
)

// attrs applies the attributes of the start tag just read to f.
func (d *Decoder) attrs(f *frame) {
	sc := d.sc
	d.vars = d.vars[:0]
	for i := range sc.attrs {
		a := &sc.attrs[i]
		v := a.value
		if a.amp {
			d.abuf, _ = sc.decode(d.abuf[:0], v, a.at, true, math.MaxInt)
			v = d.abuf
		}
		d.set(f, a.name, v, a.at)
	}
	if len(d.vars) > 0 && d.want.vars {
		f.s.Vars = d.takeVars(d.vars)
		f.s.Has |= samples.FieldVars
	}
}

// set applies one attribute (or, for plugin elements, one field element
// under the same short name) to f. v is valid only during the call.
func (d *Decoder) set(f *frame, name, v []byte, at int) {
	s := &f.s
	var k attrKey
	switch string(name) {
	case "t":
		k = atT
		d.dur(&s.Elapsed, s, samples.FieldElapsed, k, v, at)
	case "it":
		k = atIt
		d.dur(&s.Idle, s, samples.FieldIdle, k, v, at)
	case "lt":
		k = atLt
		d.dur(&s.Latency, s, samples.FieldLatency, k, v, at)
	case "ct":
		k = atCt
		d.dur(&s.Connect, s, samples.FieldConnect, k, v, at)
	case "ts":
		k = atTs
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.Start = time.UnixMilli(n)
			s.Has |= samples.FieldStart
		}
	case "s":
		k = atS
		s.Success = isTrue(v)
		s.Has |= samples.FieldSuccess
	case "lb":
		k = atLb
		s.Label = d.intern(k, v)
		s.Has |= samples.FieldLabel
	case "rc":
		k = atRc
		s.Code = d.intern(k, v)
		s.Has |= samples.FieldCode
		f.hasRC = true
	case "rs": // the response code in old files; rc wins
		k = atRs
		if !f.hasRC {
			s.Code = d.intern(k, v)
			s.Has |= samples.FieldCode
		}
	case "rm":
		k = atRm
		s.Message = d.intern(k, v)
		s.Has |= samples.FieldMessage
	case "tn":
		k = atTn
		s.Thread = d.intern(k, v)
		s.Has |= samples.FieldThread
	case "dt":
		k = atDt
		s.DataType = d.intern(k, v)
		s.Has |= samples.FieldDataType
	case "de":
		k = atDe
		s.Encoding = d.intern(k, v)
		s.Has |= samples.FieldEncoding
	case "by":
		k = atBy
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.Bytes = n
			s.Has |= samples.FieldBytes
		}
	case "sby":
		k = atSby
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.SentBytes = n
			s.Has |= samples.FieldSentBytes
		}
	case "sc":
		k = atSc
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.SampleCount = int(n)
			s.Has |= samples.FieldSampleCount
			f.hasSC = true
		}
	case "ec":
		k = atEc
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.ErrorCount = int(n)
			s.Has |= samples.FieldSampleCount
		}
	case "ng":
		k = atNg
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.GrpThreads = int(n)
			s.Has |= samples.FieldThreads
		}
	case "na":
		k = atNa
		if n, ok := d.num(attrNames[k], v, at); ok {
			s.AllThreads = int(n)
			s.Has |= samples.FieldThreads
		}
	case "hn":
		k = atHn
		s.Hostname = d.intern(k, v)
		s.Has |= samples.FieldHostname
	case "class", "reference":
		return // XStream bookkeeping, not data
	default:
		// A sample_variables value, under a name XStream mangled.
		vn := d.varName(name)
		if d.want.vars {
			d.vars = append(d.vars, samples.Var{Name: vn, Value: string(v)})
		}
		d.meta.addVar(vn)
		return
	}
	d.meta.addAttr(k)
}

// attrKey numbers the attributes JMeter writes, in its order.
type attrKey uint8

const (
	atT attrKey = iota
	atIt
	atLt
	atCt
	atTs
	atS
	atLb
	atRc
	atRs
	atRm
	atTn
	atDt
	atDe
	atBy
	atSby
	atSc
	atEc
	atNg
	atNa
	atHn
)

var attrNames = [...]string{"t", "it", "lt", "ct", "ts", "s", "lb", "rc", "rs", "rm", "tn", "dt", "de", "by", "sby", "sc", "ec", "ng", "na", "hn"}

// intern returns v as a string shared with earlier equal values. A few
// recent values of the attribute are tried before the interner's map:
// codes, messages, labels and thread names repeat from sample to sample.
func (d *Decoder) intern(k attrKey, v []byte) string {
	r := &d.recent[k]
	for _, str := range r.vals {
		if string(v) == str {
			return str
		}
	}
	str := d.in.Bytes(v)
	r.vals[r.next] = str
	r.next = (r.next + 1) % len(r.vals)
	return str
}

// recentValues is a tiny round-robin cache of one attribute's values.
type recentValues struct {
	vals [4]string
	next int
}

func (d *Decoder) dur(dst *time.Duration, s *samples.Sample, bit samples.Fields, k attrKey, v []byte, at int) {
	if n, ok := d.num(attrNames[k], v, at); ok {
		*dst = time.Duration(n) * time.Millisecond
		s.Has |= bit
	}
}

// num parses an integer attribute; a bad one is reported and left out.
func (d *Decoder) num(key string, v []byte, at int) (int64, bool) {
	if n, ok := parseInt(v); ok {
		return n, true
	}
	d.sc.warnAt(at, "%s=\"%s\" is not a whole number; left out", key, printable(v, 24))
	return 0, false
}

// parseInt parses a decimal integer of at most 18 digits, so that it
// cannot overflow; surrounding spaces are allowed.
func parseInt(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// isTrue reads a boolean the way Java's Boolean.parseBoolean does.
func isTrue(b []byte) bool { return len(b) == 4 && bytes.EqualFold(b, []byte("true")) }

// varName undoes XStream's XmlFriendlyNameCoder: "__" was "_", "_-" was
// "$", and "_." plus four hex digits was a character not allowed in names.
func (d *Decoder) varName(b []byte) string {
	if bytes.IndexByte(b, '_') < 0 {
		return d.in.Bytes(b)
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '_' && i+1 < len(b) {
			switch b[i+1] {
			case '_':
				out = append(out, '_')
				i++
				continue
			case '-':
				out = append(out, '$')
				i++
				continue
			case '.':
				if i+5 < len(b) {
					if r, ok := parseCharRef(append([]byte{'x'}, b[i+2:i+6]...)); ok {
						out = append(out, string(r)...)
						i += 5
						continue
					}
				}
			}
		}
		out = append(out, c)
	}
	return d.in.Bytes(out)
}

// pluginKeys maps the fields of a SampleResult that XStream wrote as child
// elements (jmeter-plugins samplers have no alias in saveservice.properties)
// to the attribute JMeter would have written.
var pluginKeys = map[string]struct{ elem, attr string }{}

func init() {
	for _, p := range [][2]string{
		{"timeStamp", "ts"}, {"elapsedTime", "t"}, {"latency", "lt"},
		{"connectTime", "ct"}, {"idleTime", "it"}, {"label", "lb"},
		{"responseCode", "rc"}, {"responseMessage", "rm"}, {"threadName", "tn"},
		{"dataType", "dt"}, {"dataEncoding", "de"}, {"success", "s"},
		{"bytes", "by"}, {"sentBytes", "sby"}, {"sampleCount", "sc"},
		{"errorCount", "ec"}, {"groupThreads", "ng"}, {"allThreads", "na"},
		{"hostname", "hn"},
	} {
		pluginKeys[p[0]] = struct{ elem, attr string }{p[0], p[1]}
	}
}

// field reads a child element of the sample frame fi that is a field of
// it. It reports false for an element it does not know.
func (d *Decoder) field(fi int) (bool, error) {
	sc := d.sc
	name := fieldName(sc.name)
	w := &d.want
	switch name {
	case "":
		return d.pluginField(fi)
	case "responseHeader", "responseHeaders", "requestHeader", "requestHeaders":
		req := name[:3] == "req"
		keep := (req && w.reqHeaders) || (!req && w.respHeaders)
		if req {
			d.meta.reqHeaders = true
		} else {
			d.meta.respHeaders = true
		}
		t, _, err := d.leaf(name, keep, d.maxBody)
		if err != nil || !keep {
			return true, err
		}
		s := &d.stack[fi].s
		if req {
			s.RequestHeaders = d.headers(t, false)
			s.Has |= samples.FieldRequestHeaders
		} else {
			s.ResponseHeaders = d.headers(t, true)
			s.Has |= samples.FieldResponseHeaders
		}
		return true, nil

	case "responseData":
		plugin := d.stack[fi].plugin
		d.stack[fi].savedRespData = true
		t, cut, err := d.leaf(name, w.respBody, d.maxBody)
		if err != nil || !w.respBody {
			return true, err
		}
		s := &d.stack[fi].s
		s.Has |= samples.FieldResponseBody
		switch {
		case bytes.HasPrefix(t, []byte(nonText)):
			s.ResponseBodyIs = samples.BodyUnreadable
		case plugin && !cut:
			// XStream writes a byte[] field as base64.
			s.ResponseBody, s.ResponseBodyIs = fromBase64(t), samples.BodySaved
		default:
			s.ResponseBody, s.ResponseBodyIs = string(t), bodyState(cut)
		}
		return true, nil

	case "queryString":
		d.stack[fi].savedSamplerData = true
		t, cut, err := d.leaf(name, w.reqBody, d.maxBody)
		if err != nil || !w.reqBody {
			return true, err
		}
		f := &d.stack[fi]
		f.hasQuery = true
		setRequestBody(&f.s, t, cut)
		return true, nil

	case "samplerData":
		d.stack[fi].savedSamplerData = true
		t, cut, err := d.leaf(name, w.samplerData, d.maxBody)
		if err != nil || !w.samplerData {
			return true, err
		}
		f := &d.stack[fi]
		f.samplerData, f.hasSamplerData, f.samplerDataCut = string(t), true, cut
		return true, nil

	case "cookies":
		d.stack[fi].savedSamplerData = true
		t, _, err := d.leaf(name, w.cookies, d.maxBody)
		if err != nil || !w.cookies {
			return true, err
		}
		s := &d.stack[fi].s
		s.Cookies = string(t)
		s.Has |= samples.FieldCookies
		return true, nil

	case "method":
		d.stack[fi].savedSamplerData = true
		t, _, err := d.leaf(name, w.method, smallLimit)
		if err != nil || !w.method {
			return true, err
		}
		s := &d.stack[fi].s
		s.Method = d.in.Bytes(bytes.TrimSpace(t))
		s.Has |= samples.FieldMethod
		return true, nil

	case "java.net.URL", "url", "location":
		d.meta.url = true
		t, _, err := d.leaf(name, w.url, d.maxBody)
		if err != nil || !w.url {
			return true, err
		}
		s := &d.stack[fi].s
		s.URL = urlString(bytes.TrimSpace(t))
		s.Has |= samples.FieldURL
		return true, nil

	case "responseFile", "resultFileName":
		// Sample has no field for the file "Save Responses to a file" wrote.
		d.meta.responseFile = true
		_, _, err := d.leaf(name, false, 0)
		return true, err

	case "redirectLocation":
		// Sample has no field for it; the redirect hops are sub-results.
		_, _, err := d.leaf(name, false, 0)
		return true, err

	case "subResults", "assertionResults":
		if sc.selfClosing {
			return true, nil
		}
		kind := frameSubResults
		if name == "assertionResults" {
			kind = frameAssertions
		}
		d.stack = append(d.stack, frame{kind: kind, name: d.in.String(name)})
		return true, nil

	case "startTime", "endTime":
		if !d.stack[fi].plugin {
			return false, nil
		}
		t, _, err := d.leaf(name, true, smallLimit)
		if err != nil {
			return true, err
		}
		// A problem is reported at the end tag: the buffer may have moved
		// since the start tag.
		if n, ok := d.num(name, t, sc.tagStart); ok {
			if name == "startTime" {
				d.stack[fi].startTime = n
			} else {
				d.stack[fi].endTime = n
			}
		}
		return true, nil
	}
	return false, nil
}

// pluginField reads a field element of a plugin sample (<responseCode>,
// <threadName>...) as the attribute it stands for.
func (d *Decoder) pluginField(fi int) (bool, error) {
	sc := d.sc
	pk, ok := pluginKeys[string(sc.name)]
	if !ok || !d.stack[fi].plugin {
		return false, nil
	}
	t, _, err := d.leaf(pk.elem, true, smallLimit)
	if err != nil {
		return true, err
	}
	// A problem is reported at the end tag: the buffer may have moved
	// since the start tag.
	d.set(&d.stack[fi], []byte(pk.attr), bytes.TrimSpace(t), sc.tagStart)
	return true, nil
}

// fieldName returns the element name as a literal for the fields this
// decoder reads, "" for others.
func fieldName(b []byte) string {
	switch string(b) {
	case "responseHeader":
		return "responseHeader"
	case "responseHeaders":
		return "responseHeaders"
	case "requestHeader":
		return "requestHeader"
	case "requestHeaders":
		return "requestHeaders"
	case "responseData":
		return "responseData"
	case "queryString":
		return "queryString"
	case "samplerData":
		return "samplerData"
	case "cookies":
		return "cookies"
	case "method":
		return "method"
	case "java.net.URL":
		return "java.net.URL"
	case "url":
		return "url"
	case "location":
		return "location"
	case "responseFile":
		return "responseFile"
	case "resultFileName":
		return "resultFileName"
	case "redirectLocation":
		return "redirectLocation"
	case "subResults":
		return "subResults"
	case "assertionResults":
		return "assertionResults"
	case "startTime":
		return "startTime"
	case "endTime":
		return "endTime"
	}
	return ""
}

func bodyState(cut bool) samples.BodyState {
	if cut {
		return samples.BodyTruncated
	}
	return samples.BodySaved
}

func setRequestBody(s *samples.Sample, t []byte, cut bool) {
	s.Has |= samples.FieldRequestBody
	if bytes.Equal(bytes.TrimSpace(t), []byte(notRepeatable)) {
		s.RequestBody, s.RequestBodyIs = "", samples.BodyUnreadable
		return
	}
	s.RequestBody, s.RequestBodyIs = string(t), bodyState(cut)
}

// setBodyString is setRequestBody for a string already made.
func setBodyString(s *samples.Sample, body string, cut bool) {
	s.Has |= samples.FieldRequestBody
	if strings.TrimSpace(body) == notRepeatable {
		s.RequestBody, s.RequestBodyIs = "", samples.BodyUnreadable
		return
	}
	s.RequestBody, s.RequestBodyIs = body, bodyState(cut)
}

// urlString is the URL as written, or "" for JMeter's literal "null".
func urlString(b []byte) string {
	if string(b) == "null" {
		return ""
	}
	return string(b)
}

// fromBase64 decodes XStream's base64 for byte[] fields; text that is not
// base64 is kept as it is.
func fromBase64(t []byte) string {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(t)))
	n, err := base64.StdEncoding.Decode(out, t) // skips the line breaks
	if err != nil {
		return string(t)
	}
	return string(out[:n])
}

// headers parses a requestHeader or responseHeader block, one "Name:
// value" per line. A response block starts with the status line, which is
// not a header. Names are interned; values share one string per block.
func (d *Decoder) headers(t []byte, response bool) []samples.Header {
	if len(t) == 0 {
		return nil
	}
	block := string(t)
	hs := d.hdrs[:0]
	for i := 0; i < len(t); {
		j := bytes.IndexByte(t[i:], '\n')
		end := len(t)
		if j >= 0 {
			end = i + j
		}
		line := t[i:end]
		start := i
		i = end + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			continue
		}
		if response && bytes.HasPrefix(line, []byte("HTTP/")) {
			continue // the status line, here or after a 100 Continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(hs) > 0 {
			// An obsolete folded continuation line: part of the last value.
			last := &hs[len(hs)-1]
			last.Value += " " + strings.TrimSpace(block[start:start+len(line)])
			continue
		}
		c := bytes.IndexByte(line, ':')
		if c <= 0 {
			continue // not a header line
		}
		name := bytes.TrimSpace(line[:c])
		vs, ve := start+c+1, start+len(line)
		for vs < ve && (block[vs] == ' ' || block[vs] == '\t') {
			vs++
		}
		for ve > vs && (block[ve-1] == ' ' || block[ve-1] == '\t') {
			ve--
		}
		hs = append(hs, samples.Header{Name: d.in.Bytes(name), Value: block[vs:ve]})
	}
	d.hdrs = hs
	if len(hs) == 0 {
		return nil
	}
	return d.takeHeaders(hs)
}

// slabSize is how many headers or variables one allocation serves: the
// Sample passed to Decode is reused, so every sample needs slices of its
// own, but not an allocation of its own.
const slabSize = 1024

// takeHeaders copies hs into fresh memory that nothing else will write.
func (d *Decoder) takeHeaders(hs []samples.Header) []samples.Header {
	if cap(d.hslab)-len(d.hslab) < len(hs) {
		d.hslab = make([]samples.Header, 0, max(slabSize, len(hs)))
	}
	n := len(d.hslab)
	d.hslab = append(d.hslab, hs...)
	return d.hslab[n:len(d.hslab):len(d.hslab)]
}

func (d *Decoder) takeVars(vs []samples.Var) []samples.Var {
	if cap(d.vslab)-len(d.vslab) < len(vs) {
		d.vslab = make([]samples.Var, 0, max(slabSize, len(vs)))
	}
	n := len(d.vslab)
	d.vslab = append(d.vslab, vs...)
	return d.vslab[n:len(d.vslab):len(d.vslab)]
}

// finish completes a sample frame once its end tag is read.
func (d *Decoder) finish(f *frame) {
	s := &f.s
	if f.plugin {
		// jmeter-plugins' WebDriver sampler leaves timeStamp at 0 and keeps
		// the start in startTime.
		if s.Start.UnixMilli() == 0 && f.startTime > 0 {
			s.Start = time.UnixMilli(f.startTime)
			s.Has |= samples.FieldStart
		}
		if s.Elapsed == 0 && f.startTime > 0 && f.endTime > f.startTime {
			s.Elapsed = time.Duration(f.endTime-f.startTime) * time.Millisecond
			s.Has |= samples.FieldElapsed
		}
	}
	if !f.hasSC {
		s.SampleCount = 1
	}
	if f.hasSamplerData && !f.hasQuery {
		d.fromSamplerData(f)
	}
	// The message decides before the element name: JMeter's dashboard
	// knows controller rows by it alone, and controllers such as bzm's
	// Parallel Controller write their rows as <httpSample>.
	switch {
	case samples.IsTransactionMessage(s.Message):
		s.Kind = samples.KindTransaction
	case f.http:
		s.Kind = samples.KindHTTP
	default:
		s.Kind = samples.KindSample
	}
	d.meta.samples++
	if s.Success {
		d.meta.succeeded++
	}
	if f.savedRespData {
		d.meta.respData.add(s.Success)
	}
	if f.savedSamplerData {
		d.meta.samplerData.add(s.Success)
	}
}

// fromSamplerData fills the request fields from <samplerData> when there
// was no <queryString>. For HTTP, JMeter renders it as
// "POST url\n\nPOST data:\n<body>\n\n[no cookies]\n" (HTTPSampleResult.getSamplerData);
// for other samplers it is the request itself (a JDBC query, a script).
func (d *Decoder) fromSamplerData(f *frame) {
	s := &f.s
	sd := f.samplerData
	if !f.http {
		if d.want.reqBody {
			setBodyString(s, sd, f.samplerDataCut)
		}
		return
	}
	first, rest, _ := strings.Cut(sd, "\n")
	method, url, ok := strings.Cut(first, " ")
	if !ok || !isMethod(method) {
		return
	}
	if d.want.method && s.Has&samples.FieldMethod == 0 {
		s.Method = d.in.String(method)
		s.Has |= samples.FieldMethod
	}
	if d.want.url && s.Has&samples.FieldURL == 0 {
		s.URL = urlString([]byte(strings.TrimSpace(url)))
		s.Has |= samples.FieldURL
	}
	cookies := ""
	body, hasBody := "", false
	if p := "\n" + method + " data:\n"; strings.HasPrefix(rest, p) {
		rest = rest[len(p):]
		hasBody = true
	}
	if i := strings.LastIndex(rest, "\n[no cookies]\n"); i >= 0 {
		body = rest[:i]
	} else if i := strings.LastIndex(rest, "\nCookie Data:\n"); i >= 0 {
		body = rest[:i]
		cookies = strings.TrimSuffix(rest[i+len("\nCookie Data:\n"):], "\n")
	} else {
		body = rest
	}
	if hasBody && d.want.reqBody {
		// The body is followed by "\n" before the cookie part.
		setBodyString(s, strings.TrimSuffix(body, "\n"), f.samplerDataCut)
	}
	if cookies != "" && d.want.cookies && s.Has&samples.FieldCookies == 0 {
		s.Cookies = cookies
		s.Has |= samples.FieldCookies
	}
}

// isMethod reports whether m looks like an HTTP method token.
func isMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
