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

	// Locations built before: path segments by index, and variables by
	// their place in Sample.Vars (decoders give each row the same names).
	pathLocs    [maxSegments]string
	varLocs     []varLoc
	notIDSegs   [maxSegments]string // the last segment at each place that was not an ID
	dirs        [maxDirs]urlDir
	nextDir     int
	headerCache [64]headerEntry
	// The last value classified by its shape alone, and its class.
	lastValue []byte
	lastClass Class
}

// maxNotIDSeg bounds the segments remembered as not IDs; longer ones are
// rare and would keep their URL alive.
const maxNotIDSeg = 64

// varLoc is the location of a sample variable; skip says the name looks
// like a credential (auto mode).
type varLoc struct {
	name, loc string
	skip      bool
}

// maxVarLocs bounds the variables whose locations are remembered.
const maxVarLocs = 64

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

func (x *Extractor) wants(kind int) bool { return x.want&(1<<kind) != 0 }

// Extract returns the candidates of the request r (one wire request, not a
// parent with sub-results), each location and value once. The slice is
// reused by the next call; the strings in it are r's or shared names.
func (x *Extractor) Extract(r *samples.Sample) []Candidate {
	if !x.ready {
		x.init()
	}
	x.out = x.out[:0]
	x.isCapped = false
	if x.wants(kindHeader) {
		x.headers(r)
	}
	if x.wants(kindPath) || x.wants(kindQuery) {
		x.url(r)
	}
	if x.wants(kindForm) || x.wants(kindJSON) {
		x.body(r)
	}
	if x.wants(kindVar) {
		for i, v := range r.Vars {
			x.variable(i, v)
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

// addLoc is add with the location already a string; it reports whether
// the value qualified.
func (x *Extractor) addLoc(loc, key, value string) bool {
	value, class, ok := x.qualify(key, value)
	if ok {
		x.keep(loc, key, value, class)
	}
	return ok
}

// qualify trims value and says whether it may be kept, and as what.
func (x *Extractor) qualify(key, value string) (string, Class, bool) {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > maxValueLen {
		return "", NotID, false
	}
	// One ID often comes several ways on a request (a path segment and
	// a variable; a header, a form field and a variable): a class its
	// key had no part in holds for the same value under any key.
	var class Class
	if value == string(x.lastValue) {
		class = x.lastClass
	} else {
		class = Classify(key, value)
		if keyFree(class, value) {
			// A copy: the value may be a slice of a big body.
			x.lastValue, x.lastClass = append(x.lastValue[:0], value...), class
		}
	}
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

// variable adds the i-th sample variable v, as named would.
func (x *Extractor) variable(i int, v samples.Var) {
	if i >= maxVarLocs {
		x.named("var:", v.Name, v.Value)
		return
	}
	if i >= len(x.varLocs) {
		x.varLocs = append(x.varLocs, make([]varLoc, i+1-len(x.varLocs))...)
	}
	vl := &x.varLocs[i]
	if vl.name != v.Name || vl.loc == "" {
		vl.name = v.Name
		vl.skip = len(x.Select) == 0 && x.credential(v.Name)
		x.buf = append(append(x.buf[:0], "var:"...), v.Name...)
		vl.loc = x.names.Bytes(x.buf)
	}
	if !vl.skip {
		x.addLoc(vl.loc, v.Name, v.Value)
	}
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
	// A credential (by its name: PRIVATE-TOKEN, X-Goog-Api-Key,
	// X-Session-Token, X-Auth as well as Authorization) is the token
	// analysis's, not an ID, unless its name also says ID
	// (X-Session-Id), as for parameters.
	return redact.IsSecretHeader(lname) && !hasIDWord(lname) || transportHeaders[lname]
}

func (x *Extractor) headers(r *samples.Sample) {
	for _, h := range r.RequestHeaders {
		name := strings.TrimSpace(h.Name)
		if name == "" {
			continue
		}
		if loc, skip := x.headerLoc(name); !skip {
			x.addLoc(loc, name, h.Value)
		}
	}
}

// headerLoc returns the location of the header called name and whether
// to skip it. Requests repeat the same few headers, so the answers are
// cached by a cheap hash of the name.
func (x *Extractor) headerLoc(name string) (loc string, skip bool) {
	e := &x.headerCache[headerSlot(name)]
	if e.name == name && e.loc != "" {
		return e.loc, e.skip
	}
	x.buf = append(x.buf[:0], "header:"...)
	for i := 0; i < len(name); i++ {
		x.buf = append(x.buf, lower(name[i]))
	}
	// The interned location gives a lower-case name without allocating,
	// which the checks below need.
	loc = x.names.Bytes(x.buf)
	skip = len(x.Select) == 0 && skipHeader(loc[len("header:"):])
	if len(name) <= maxCachedHeader {
		// A copy: the name may be a slice of a big header block.
		*e = headerEntry{strings.Clone(name), loc, skip}
	}
	return loc, skip
}

type headerEntry struct {
	name, loc string
	skip      bool
}

const maxCachedHeader = 64

// headerSlot picks the place of a header name in Extractor.headerCache
// from its length and a few bytes.
func headerSlot(name string) int {
	x := uint64(len(name))
	if n := len(name); n > 0 {
		x |= uint64(name[0])<<8 | uint64(name[n/2])<<16 | uint64(name[n-1])<<24 | uint64(name[n-1-n/4])<<32
	}
	return int(x * 0x9e3779b97f4a7c15 >> 58) // 64 places
}

// url reads path segments and query parameters from r.URL, which may be
// absolute ("http://host/a/b?x=1") or a bare path.
func (x *Extractor) url(r *samples.Sample) {
	u := r.URL
	var start, end, n int
	var query string
	if d := x.knownDir(u); d != nil {
		// The segments before d's end are not IDs: start after them.
		start, end, n = len(d.prefix), len(u), d.segs
		if i := strings.IndexByte(u[start:], '#'); i >= 0 {
			end = start + i
		}
		if i := strings.IndexByte(u[start:end], '?'); i >= 0 {
			query, end = u[start+i+1:end], start+i
		}
	} else {
		start, end, query = pathBounds(u)
	}
	if x.wants(kindPath) {
		// dirEnd is where the path's last '/' so far ends, and dirSegs
		// the segments before it, while none of them is an ID.
		dirEnd, dirSegs, clean := 0, 0, true
		for p := start; p < end && n < maxSegments; {
			seg, next, slash := u[p:end], end, false
			if i := strings.IndexByte(seg, '/'); i >= 0 {
				seg, next, slash = seg[:i], p+i+1, true
			}
			if seg != "" {
				// URLs of one endpoint share most segments ("api",
				// "v2"): one that did not qualify at this place last
				// time does not now.
				if seg != x.notIDSegs[n] {
					if x.pathSegment(n, seg) {
						clean = false
					} else if len(seg) <= maxNotIDSeg {
						x.notIDSegs[n] = seg
					}
				}
				n++
			}
			if slash && clean {
				dirEnd, dirSegs = next, n
			}
			p = next
		}
		if dirEnd > start && dirEnd <= maxDir {
			x.rememberDir(u[:dirEnd], dirSegs)
		}
	}
	if x.wants(kindQuery) && query != "" {
		x.pairs("query:", query)
	}
}

// A urlDir is the start of URLs, up to and including a '/' of their path,
// none of whose path segments qualified (see qualify): a URL that starts
// with it needs only the segments after it looked at. An endpoint's URLs
// share one ("http://host/api/v2/recordings/screen/" before an ID).
type urlDir struct {
	prefix string
	segs   int // path segments in prefix
}

const (
	maxDirs = 4
	maxDir  = 256 // bytes; longer prefixes are not remembered
)

// knownDir returns the longest remembered prefix of u, or nil.
func (x *Extractor) knownDir(u string) *urlDir {
	var best *urlDir
	for k := range x.dirs {
		d := &x.dirs[k]
		if d.prefix != "" && strings.HasPrefix(u, d.prefix) && (best == nil || len(d.prefix) > len(best.prefix)) {
			best = d
		}
	}
	return best
}

func (x *Extractor) rememberDir(prefix string, segs int) {
	for _, d := range x.dirs {
		if d.prefix == prefix {
			return
		}
	}
	x.dirs[x.nextDir] = urlDir{prefix, segs}
	x.nextDir = (x.nextDir + 1) % maxDirs
}

// pathSegment adds the n-th path segment and reports whether it
// qualified as an ID (it may still have been dropped by the cap).
func (x *Extractor) pathSegment(n int, seg string) bool {
	if strings.IndexByte(seg, '%') >= 0 {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
	}
	loc := x.pathLocs[n]
	if loc == "" {
		x.buf = strconv.AppendInt(append(x.buf[:0], "path:"...), int64(n), 10)
		loc = x.names.Bytes(x.buf)
		x.pathLocs[n] = loc
	}
	return x.addLoc(loc, "", seg)
}

// splitURL returns the path and raw query of u; the path is "" when u is
// neither absolute nor rooted (JMeter writes "null" for no URL).
func splitURL(u string) (path, query string) {
	start, end, query := pathBounds(u)
	return u[start:end], query
}

// pathBounds returns where the path of u starts and ends (start == end
// when there is none) and its raw query.
func pathBounds(u string) (start, end int, query string) {
	end = len(u)
	if i := strings.IndexByte(u, '#'); i >= 0 {
		end = i
	}
	if i := strings.IndexByte(u[:end], '?'); i >= 0 {
		query, end = u[i+1:end], i
	}
	if i := strings.Index(u[:end], "://"); i >= 0 {
		j := strings.IndexByte(u[i+3:end], '/')
		if j < 0 {
			return end, end, query
		}
		return i + 3 + j, end, query
	}
	if !strings.HasPrefix(u[:end], "/") {
		return end, end, query
	}
	return 0, end, query
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
	lead := trimLeftSpace(body)
	switch {
	case len(mt) > 10 && strings.EqualFold(mt[:10], "multipart/"):
		if x.wants(kindForm) {
			x.multipart(body, headerParam(ct, "boundary"))
		}
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		if x.wants(kindForm) {
			x.pairs("form:", body)
		}
	case containsFold(mt, "json") || lead != "" && (lead[0] == '{' || lead[0] == '['):
		if x.wants(kindJSON) {
			x.walkJSON("json:", "", body)
		}
	case mt == "" && strings.HasPrefix(lead, "--"):
		if x.wants(kindForm) {
			x.multipart(lead, "")
		}
	case mt == "" && looksURLEncoded(body):
		// JMeter saves a GET's query string as its body too; it is
		// already in the URL.
		if _, q := splitURL(r.URL); body != q && x.wants(kindForm) {
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
	lead := trimLeftSpace(value)
	if x.wants(kindForm) && lead != "" && (lead[0] == '{' || lead[0] == '[') && len(value) <= maxFieldJSON {
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
		lead := trimLeftSpace(body)
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
		v = trimLeftBlank(v[i+1:])
		eq := strings.IndexByte(v, '=')
		if semi := strings.IndexByte(v, ';'); eq < 0 || semi >= 0 && semi < eq {
			continue // a parameter without a value
		}
		k := strings.TrimSpace(v[:eq])
		rest := trimLeftBlank(v[eq+1:])
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

// trimLeftSpace is strings.TrimLeft(s, " \t\r\n"), which builds its
// character set on every call.
func trimLeftSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	return s
}

// trimLeftBlank is strings.TrimLeft(s, " \t").
func trimLeftBlank(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}
