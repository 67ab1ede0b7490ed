package ids

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Bounds on what one request may contribute, whatever its size.
const (
	maxCandidates = 64      // candidates kept per request
	maxSegments   = 32      // URL path segments looked at
	maxParams     = 256     // query or form pairs looked at
	maxParts      = 64      // multipart parts looked at
	maxPartHeader = 8 << 10 // bytes of part headers before the blank line
	maxFieldJSON  = 64 << 10
	maxJSONTokens = 20000
	maxJSONDepth  = 32
	maxKeyLen     = 64 // longer JSON keys are data, not names
	maxLocNames   = 4096
)

// A Candidate is one value found in a request, with where it was found.
type Candidate struct {
	// Loc is the location: "header:x-request-id" (names lower case),
	// "form:recordingId", "form:metadata.agent" (a JSON leaf inside a form
	// field), "json:items[].id", "query:requestId", "path:4", "var:recId",
	// or "regex:PATTERN".
	Loc string
	// Key is the name the value was under (header, field, last JSON key,
	// variable); "" for path segments and regex matches.
	Key   string
	Value string
	Class Class
}

// An Extractor finds the ID candidates of requests. With no Select it
// keeps the values that Classify takes for IDs; with Select it keeps every
// non-empty value at the selected locations, ID-like or not.
//
// Set Select before the first Extract. An Extractor keeps scratch space
// and the location names it has built, so reuse one. It is not safe for
// concurrent use.
type Extractor struct {
	Select []Spec

	// Capped counts requests that had more than maxCandidates candidates;
	// the extra ones were dropped.
	Capped int64

	ready    bool
	want     uint8    // bit per kind (see kinds) that Select asks for
	selLocs  []string // Select's non-regex locations
	regexes  []Spec
	names    samples.Interner
	secret   map[string]bool // credential() answers by name
	buf      []byte
	jpath    []byte
	stack    []frame
	out      []Candidate
	isCapped bool
}

func (x *Extractor) init() {
	x.ready = true
	x.names.Max = maxLocNames
	if len(x.Select) == 0 {
		x.want = 0xff
		return
	}
	for _, sp := range x.Select {
		x.want |= 1 << kindRank(sp.Kind)
		if sp.Kind == "regex" {
			if sp.re != nil {
				x.regexes = append(x.regexes, sp)
			}
			continue
		}
		x.selLocs = append(x.selLocs, sp.String())
	}
}

func (x *Extractor) wants(kind string) bool { return x.want&(1<<kindRank(kind)) != 0 }

// Extract returns the candidates of the request r (one wire request, not a
// parent with sub-results), each location and value once. The slice is
// reused by the next call; the strings in it are r's or shared names.
func (x *Extractor) Extract(r *samples.Sample) []Candidate {
	if !x.ready {
		x.init()
	}
	x.out = x.out[:0]
	x.isCapped = false
	if x.wants("header") {
		x.headers(r)
	}
	if x.wants("path") || x.wants("query") {
		x.url(r)
	}
	if x.wants("form") || x.wants("json") {
		x.body(r)
	}
	if x.wants("var") {
		for _, v := range r.Vars {
			x.named("var:", v.Name, v.Value)
		}
	}
	for _, sp := range x.regexes {
		if m, ok := x.regexMatch(sp, r); ok {
			x.buf = append(x.buf[:0], sp.String()...)
			x.add(x.buf, "", m)
		}
	}
	if x.isCapped {
		x.Capped++
	}
	return x.out
}

// add keeps value at loc if it qualifies. loc may be scratch space.
func (x *Extractor) add(loc []byte, key, value string) {
	// Qualify first: most values are not IDs, and rejecting them costs
	// less than building their location.
	if value, class, ok := x.qualify(key, value); ok {
		x.keep(x.names.Bytes(loc), key, value, class)
	}
}

// addLoc is add with the location already a string.
func (x *Extractor) addLoc(loc, key, value string) {
	if value, class, ok := x.qualify(key, value); ok {
		x.keep(loc, key, value, class)
	}
}

// qualify trims value and says whether it may be kept, and as what.
func (x *Extractor) qualify(key, value string) (string, Class, bool) {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > maxValueLen {
		return "", NotID, false
	}
	class := Classify(key, value)
	if len(x.Select) == 0 {
		return value, class, class != NotID
	}
	if class == NotID {
		class = Selected
	}
	return value, class, true
}

// keep appends a candidate unless it is not selected, already there, or
// over the cap.
func (x *Extractor) keep(loc, key, value string, class Class) {
	if len(x.Select) > 0 && !x.selected(loc) {
		return
	}
	if len(x.out) >= maxCandidates {
		x.isCapped = true
		return
	}
	for _, c := range x.out {
		if c.Loc == loc && c.Value == value {
			return
		}
	}
	x.out = append(x.out, Candidate{Loc: loc, Key: key, Value: value, Class: class})
}

func (x *Extractor) selected(loc string) bool {
	if strings.HasPrefix(loc, "regex:") {
		return true // built from the spec itself
	}
	for _, s := range x.selLocs {
		if loc == s {
			return true
		}
	}
	return false
}

// named adds a value under a name chosen by the test plan or the API
// (form field, query parameter, variable). In auto mode names that look
// like credentials are left to the token analysis, unless they also say
// they are IDs ("sessionId", "idempotency_key").
func (x *Extractor) named(prefix, name, value string) {
	if len(x.Select) == 0 && x.credential(name) {
		return
	}
	x.buf = append(append(x.buf[:0], prefix...), name...)
	x.add(x.buf, name, value)
}

// credential reports whether a field, parameter or variable name looks
// like a credential and not also like an ID. redact.IsSecretParam is a
// regular expression; names repeat on every request, so answers are
// cached (up to maxLocNames names).
func (x *Extractor) credential(name string) bool {
	if c, ok := x.secret[name]; ok {
		return c
	}
	c := redact.IsSecretParam(name) && !hasIDWord(name)
	if x.secret == nil {
		x.secret = map[string]bool{}
	}
	if len(x.secret) < maxLocNames {
		x.secret[name] = c
	}
	return c
}

// transportHeaders describe the connection or the payload, never an
// application ID (and Content-Type's boundary is the multipart analysis's).
var transportHeaders = map[string]bool{
	"host": true, "content-type": true, "content-length": true, "user-agent": true,
	"date": true, "connection": true, "keep-alive": true, "accept": true,
	"accept-encoding": true, "accept-language": true, "accept-charset": true,
	"cache-control": true, "pragma": true, "content-encoding": true,
	"transfer-encoding": true, "te": true, "trailer": true, "upgrade": true,
	"expect": true, "origin": true, "referer": true, "if-none-match": true,
	"if-match": true, "if-modified-since": true, "if-unmodified-since": true,
	"if-range": true, "range": true, "via": true, "forwarded": true,
	"x-forwarded-for": true, "x-forwarded-host": true, "x-forwarded-proto": true,
	"dnt": true, "priority": true, "upgrade-insecure-requests": true,
	"content-disposition": true, "content-transfer-encoding": true,
}

// skipHeader reports whether a header, by its lower-case name, is a
// credential or a transport header.
func skipHeader(lname string) bool {
	// HTTP/2 pseudo-headers (":path", ":authority") repeat the URL.
	if strings.HasPrefix(lname, ":") || strings.HasPrefix(lname, "sec-") {
		return true
	}
	return redact.IsSecretHeader(lname) || transportHeaders[lname]
}

func (x *Extractor) headers(r *samples.Sample) {
	for _, h := range r.RequestHeaders {
		name := strings.TrimSpace(h.Name)
		if name == "" {
			continue
		}
		x.buf = append(x.buf[:0], "header:"...)
		for i := 0; i < len(name); i++ {
			x.buf = append(x.buf, lower(name[i]))
		}
		// The interned location gives a lower-case name without
		// allocating, which the checks below need.
		loc := x.names.Bytes(x.buf)
		if len(x.Select) == 0 && skipHeader(loc[len("header:"):]) {
			continue
		}
		x.addLoc(loc, name, h.Value)
	}
}

// url reads path segments and query parameters from r.URL, which may be
// absolute ("http://host/a/b?x=1") or a bare path.
func (x *Extractor) url(r *samples.Sample) {
	path, query := splitURL(r.URL)
	if x.wants("path") {
		n := 0
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "" {
				continue
			}
			if n >= maxSegments {
				break
			}
			x.pathSegment(n, seg)
			n++
		}
	}
	if x.wants("query") {
		x.pairs("query:", query)
	}
}

func (x *Extractor) pathSegment(n int, seg string) {
	if strings.IndexByte(seg, '%') >= 0 {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
	}
	x.buf = strconv.AppendInt(append(x.buf[:0], "path:"...), int64(n), 10)
	x.add(x.buf, "", seg)
}

// splitURL returns the path and raw query of u; the path is "" when u is
// neither absolute nor rooted (JMeter writes "null" for no URL).
func splitURL(u string) (path, query string) {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	path, query, _ = strings.Cut(u, "?")
	if i := strings.Index(path, "://"); i >= 0 {
		rest := path[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "", query
		}
		return rest[j:], query
	}
	if !strings.HasPrefix(path, "/") {
		return "", query
	}
	return path, query
}

// pairs reads "a=1&b=2" (a query or an urlencoded body).
func (x *Extractor) pairs(prefix, raw string) {
	n := 0
	for p := range strings.SplitSeq(raw, "&") {
		if n++; n > maxParams {
			return
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" || v == "" {
			continue
		}
		x.named(prefix, unescapeQuery(k), unescapeQuery(v))
	}
}

func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// body reads form fields and JSON from r.Params and r.RequestBody.
func (x *Extractor) body(r *samples.Sample) {
	n := 0
	for _, p := range r.Params {
		if n++; n > maxParams {
			break
		}
		x.field(p.Name, p.Value)
	}
	if r.RequestBodyIs != samples.BodySaved && r.RequestBodyIs != samples.BodyTruncated {
		return
	}
	body := r.RequestBody
	ct, ok := r.RequestHeader("Content-Type")
	if !ok || strings.TrimSpace(ct) == "" {
		ct = r.BodyMIME
	}
	// The media type, in its own case: lowering the header would copy
	// the boundary too.
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	lead := strings.TrimLeft(body, " \t\r\n")
	switch {
	case len(mt) > 10 && strings.EqualFold(mt[:10], "multipart/"):
		if x.wants("form") {
			x.multipart(body, headerParam(ct, "boundary"))
		}
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		if x.wants("form") {
			x.pairs("form:", body)
		}
	case containsFold(mt, "json") || lead != "" && (lead[0] == '{' || lead[0] == '['):
		if x.wants("json") {
			x.walkJSON("json:", "", body)
		}
	case mt == "" && strings.HasPrefix(lead, "--"):
		if x.wants("form") {
			x.multipart(lead, "")
		}
	case mt == "" && looksURLEncoded(body):
		// JMeter saves a GET's query string as its body too; it is
		// already in the URL.
		if _, q := splitURL(r.URL); body != q && x.wants("form") {
			x.pairs("form:", body)
		}
	}
}

func looksURLEncoded(s string) bool {
	return strings.IndexByte(s, '=') > 0 && !hasSpaceOrControl(s)
}

// field adds a form field, and the leaves of a JSON value inside it as
// "form:NAME.PATH".
func (x *Extractor) field(name, value string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return
	}
	x.named("form:", name, value)
	lead := strings.TrimLeft(value, " \t\r\n")
	if x.wants("form") && lead != "" && (lead[0] == '{' || lead[0] == '[') && len(value) <= maxFieldJSON {
		if len(x.Select) == 0 && x.credential(name) {
			return
		}
		x.walkJSON("form:", name, value)
	}
}

// jmeterFilePlaceholder is what JMeter saves instead of a file part.
const jmeterFilePlaceholder = "<actual file content, not shown here>"

// multipart reads the text fields of a multipart body. It is tolerant:
// when boundary is empty or not in the body, the first line of the body
// (if it starts with "--") gives it; LF line ends are accepted; a part
// without its closing delimiter (a truncated body) is dropped rather than
// read half. File parts are skipped: their content is the file, or
// JMeter's placeholder.
func (x *Extractor) multipart(body, boundary string) {
	if boundary == "" || delimAt(body, boundary, 0) < 0 {
		lead := strings.TrimLeft(body, " \t\r\n")
		if !strings.HasPrefix(lead, "--") {
			return
		}
		line, _, _ := strings.Cut(lead[2:], "\n")
		boundary = strings.TrimRight(line, " \t\r")
		if boundary == "" || len(boundary) > 200 {
			return
		}
	}
	i := delimAt(body, boundary, 0)
	for parts := 0; i >= 0 && parts < maxParts; parts++ {
		after := i + 2 + len(boundary)
		if strings.HasPrefix(body[after:], "--") {
			return // the close delimiter
		}
		nl := strings.IndexByte(body[after:], '\n')
		if nl < 0 {
			return
		}
		start := after + nl + 1
		next := delimAt(body, boundary, start)
		if next < 0 {
			return
		}
		part := body[start:next]
		// The line break before a delimiter belongs to the delimiter.
		part = strings.TrimSuffix(part, "\n")
		part = strings.TrimSuffix(part, "\r")
		x.part(part)
		i = next
	}
}

// delimAt returns the index of the next "--boundary" that starts a line,
// at or after from, or -1.
func delimAt(body, boundary string, from int) int {
	for from < len(body) {
		j := strings.Index(body[from:], boundary)
		if j < 0 {
			return -1
		}
		at := from + j - 2
		if at >= 0 && body[at] == '-' && body[at+1] == '-' && (at == 0 || body[at-1] == '\n') {
			return at
		}
		from += j + 1
	}
	return -1
}

// part reads one multipart part: its headers, then its value.
func (x *Extractor) part(p string) {
	var name string
	var file bool
	rest := p
	for {
		line, more, ok := strings.Cut(rest, "\n")
		if !ok || len(p)-len(more) > maxPartHeader {
			return // no blank line: not a well-formed part
		}
		rest = more
		line = strings.TrimRight(line, "\r")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Content-Disposition") {
			name = headerParam(v, "name")
			_, file = headerParamOK(v, "filename")
		}
	}
	if name == "" || file || rest == jmeterFilePlaceholder {
		return
	}
	x.field(name, rest)
}

// headerParam returns the value of the parameter key in a header value
// such as `form-data; name="a"; filename="b"` or
// `multipart/form-data; boundary=xyz`, or "".
func headerParam(v, key string) string {
	s, _ := headerParamOK(v, key)
	return s
}

func headerParamOK(v, key string) (string, bool) {
	for {
		i := strings.IndexByte(v, ';')
		if i < 0 {
			return "", false
		}
		v = strings.TrimLeft(v[i+1:], " \t")
		eq := strings.IndexByte(v, '=')
		if semi := strings.IndexByte(v, ';'); eq < 0 || semi >= 0 && semi < eq {
			continue // a parameter without a value
		}
		k := strings.TrimSpace(v[:eq])
		rest := strings.TrimLeft(v[eq+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := closingQuote(rest)
			val = rest[1:end]
			if strings.IndexByte(val, '\\') >= 0 {
				val = unbackslash(val)
			}
			v = rest[min(end+1, len(rest)):]
		} else {
			end := strings.IndexByte(rest, ';')
			if end < 0 {
				end = len(rest)
			}
			val = strings.TrimSpace(rest[:end])
			v = rest[end:]
		}
		if strings.EqualFold(k, key) {
			return val, true
		}
	}
}

// closingQuote returns the index of the quote closing the quoted string
// at the start of s, or len(s) when it is not closed.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(s)
}

func unbackslash(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// regexMatch returns the first capture group of sp's pattern in the URL,
// else in a header line ("Name: value"; credential headers are left out:
// they are the token analysis's), else in the body.
func (x *Extractor) regexMatch(sp Spec, r *samples.Sample) (string, bool) {
	if m := sp.re.FindStringSubmatch(r.URL); m != nil {
		return m[1], true
	}
	for _, h := range r.RequestHeaders {
		if redact.IsSecretHeader(h.Name) {
			continue
		}
		x.buf = append(append(append(x.buf[:0], h.Name...), ": "...), h.Value...)
		if m := sp.re.FindSubmatchIndex(x.buf); m != nil && m[2] >= 0 {
			return string(x.buf[m[2]:m[3]]), true
		}
	}
	if r.RequestBodyIs == samples.BodySaved || r.RequestBodyIs == samples.BodyTruncated {
		if m := sp.re.FindStringSubmatchIndex(r.RequestBody); m != nil && m[2] >= 0 {
			return r.RequestBody[m[2]:m[3]], true
		}
	}
	return "", false
}
