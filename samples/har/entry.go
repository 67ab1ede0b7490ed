package har

// entry holds what we read of one HAR entry, as views into its bytes. It
// is reused from entry to entry (its slices keep their capacity), and
// turned into a Sample by Decoder.fill.
type entry struct {
	started jstr
	time    num
	req     request
	resp    response
	tim     timings
}

type request struct {
	has                   bool
	method, url           jstr
	headers               []pair
	hasHeaders            bool
	headersSize, bodySize num
	post                  postData
}

type postData struct {
	has      bool
	mimeType jstr
	text     jstr
	encoding jstr // martian writes base64 request bodies with this
	params   []param
	attached bool // Playwright keeps the body in a file (_sha1, _file)
}

type response struct {
	has                   bool
	status                num
	statusText            jstr
	headers               []pair
	hasHeaders            bool
	headersSize, bodySize num
	transferSize          num
	content               content
	errText               jstr // Chrome's and mitmproxy's _error, Playwright's _failureText
}

type content struct {
	has      bool
	size     num
	text     jstr
	encoding jstr
	attached bool
}

type timings struct {
	has                                          bool
	blocked, dns, connect, ssl, send, wait, recv num
}

type pair struct {
	name, value jstr
}

type param struct {
	name, value, fileName jstr
}

func (e *entry) reset() {
	rh, ph, pp := e.req.headers[:0], e.resp.headers[:0], e.req.post.params[:0]
	*e = entry{}
	e.req.headers, e.resp.headers, e.req.post.params = rh, ph, pp
}

// maxList is the most headers or params an entry may have. Real requests
// have tens; a list of millions of empty headers fits in MaxRecord and
// would cost gigabytes once decoded, so such an entry is skipped.
const maxList = 1 << 14

// want says which parts of an entry to read; the rest is skipped, which is
// cheaper than reading it.
type want struct {
	reqHeaders, respHeaders bool
	reqBody, respBody       bool
}

// entry reads one entry object into e.
func (p *parser) entry(e *entry, w want) {
	e.reset()
	if !p.object("the entry") {
		return
	}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			break
		}
		switch string(k) {
		case "startedDateTime":
			e.started = p.str("startedDateTime")
		case "time":
			e.time = p.num("time")
		case "request":
			p.request(&e.req, w)
		case "response":
			p.response(&e.resp, w)
		case "timings":
			p.timings(&e.tim)
		default:
			p.skip()
		}
	}
	if p.err == nil {
		if p.ws(); p.i != len(p.b) {
			p.fail(p.i, "unexpected data after the entry")
		}
	}
}

func (p *parser) request(r *request, w want) {
	if !p.object("request") {
		return
	}
	// A member given twice counts once, the last time, as in encoding/json.
	*r = request{has: true, headers: r.headers[:0], post: postData{params: r.post.params[:0]}}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "method":
			r.method = p.str("request.method")
		case "url":
			r.url = p.str("request.url")
		case "headers":
			if w.reqHeaders {
				r.headers, r.hasHeaders = p.headers(r.headers[:0], &requestHeaders)
			} else {
				p.skip()
			}
		case "headersSize":
			r.headersSize = p.num("request.headersSize")
		case "bodySize":
			r.bodySize = p.num("request.bodySize")
		case "postData":
			if w.reqBody {
				p.postData(&r.post)
			} else {
				p.skip()
			}
		default:
			p.skip()
		}
	}
}

func (p *parser) response(r *response, w want) {
	if !p.object("response") {
		return
	}
	*r = response{has: true, headers: r.headers[:0]}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "status":
			r.status = p.num("response.status")
		case "statusText":
			r.statusText = p.str("response.statusText")
		case "headers":
			if w.respHeaders {
				r.headers, r.hasHeaders = p.headers(r.headers[:0], &responseHeaders)
			} else {
				p.skip()
			}
		case "headersSize":
			r.headersSize = p.num("response.headersSize")
		case "bodySize":
			r.bodySize = p.num("response.bodySize")
		case "content":
			p.content(&r.content, w.respBody)
		case "_transferSize":
			r.transferSize = p.customNum()
		case "_error", "_failureText":
			if s := p.customStr(); len(s.b) > 0 {
				r.errText = s
			}
		default:
			p.skip()
		}
	}
}

func (p *parser) content(c *content, body bool) {
	if !p.object("response.content") {
		return
	}
	*c = content{has: true}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "size":
			c.size = p.num("response.content.size")
		case "text":
			if body {
				c.text = p.str("response.content.text")
			} else {
				p.skip()
			}
		case "encoding":
			c.encoding = p.str("response.content.encoding")
		case "_sha1", "_file":
			c.attached = p.customStr().set || c.attached
		default:
			p.skip()
		}
	}
}

func (p *parser) postData(d *postData) {
	if !p.object("request.postData") {
		return
	}
	*d = postData{has: true, params: d.params[:0]}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "mimeType":
			d.mimeType = p.str("request.postData.mimeType")
		case "text":
			d.text = p.str("request.postData.text")
		case "encoding":
			d.encoding = p.customStr()
		case "params":
			d.params = p.params(d.params[:0])
		case "_sha1", "_file":
			d.attached = p.customStr().set || d.attached
		default:
			p.skip()
		}
	}
}

func (p *parser) params(ps []param) []param {
	if !p.array("request.postData.params") {
		return ps
	}
	for first := true; p.elem(&first); {
		if !p.object("request.postData.params[]") {
			continue
		}
		if len(ps) == maxList {
			p.fail(p.i, "request.postData.params has more than %d elements", maxList)
			return ps
		}
		var pr param
		for first := true; ; {
			k, ok := p.member(&first)
			if !ok {
				break
			}
			switch string(k) {
			case "name":
				pr.name = p.any("request.postData.params[].name")
			case "value":
				pr.value = p.any("request.postData.params[].value")
			case "fileName":
				pr.fileName = p.str("request.postData.params[].fileName")
			default:
				p.skip()
			}
		}
		ps = append(ps, pr)
	}
	return ps
}

// headerPaths name the parts of a headers array in messages; they are
// spelled out so that reading a header builds no strings.
type headerPaths struct{ array, elem, name, value string }

var (
	requestHeaders  = headerPaths{"request.headers", "request.headers[]", "request.headers[].name", "request.headers[].value"}
	responseHeaders = headerPaths{"response.headers", "response.headers[]", "response.headers[].name", "response.headers[].value"}
)

// headers reads a headers array; null reads as no headers, not recorded.
func (p *parser) headers(hs []pair, path *headerPaths) ([]pair, bool) {
	if !p.array(path.array) {
		return hs, false
	}
	for first := true; p.elem(&first); {
		if !p.object(path.elem) {
			continue
		}
		if len(hs) == maxList {
			p.fail(p.i, "%s has more than %d elements", path.array, maxList)
			return hs, false
		}
		var h pair
		for first := true; ; {
			k, ok := p.member(&first)
			if !ok {
				break
			}
			switch string(k) {
			case "name":
				h.name = p.str(path.name)
			case "value":
				h.value = p.str(path.value)
			default:
				p.skip()
			}
		}
		hs = append(hs, h)
	}
	return hs, true
}

func (p *parser) timings(t *timings) {
	if !p.object("timings") {
		return
	}
	*t = timings{has: true}
	for first := true; ; {
		k, ok := p.member(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "blocked":
			t.blocked = p.num("timings.blocked")
		case "dns":
			t.dns = p.num("timings.dns")
		case "connect":
			t.connect = p.num("timings.connect")
		case "ssl":
			t.ssl = p.num("timings.ssl")
		case "send":
			t.send = p.num("timings.send")
		case "wait":
			t.wait = p.num("timings.wait")
		case "receive":
			t.recv = p.num("timings.receive")
		default:
			p.skip()
		}
	}
}

// customNum reads a producer's own number member. A value of another type
// is skipped and reads as unset instead of failing the entry: the spec
// does not define these members, so a tool that writes them differently is
// not wrong.
func (p *parser) customNum() num {
	switch c := p.peek(); {
	case c == '-' || c == 'n' || c >= '0' && c <= '9':
		return p.num("a custom member")
	}
	p.skip()
	return num{}
}

// customStr is customNum for strings: objects and arrays read as unset.
func (p *parser) customStr() jstr {
	switch p.peek() {
	case '{', '[':
		p.skip()
		return jstr{}
	}
	return p.str("a custom member")
}
