package multipart

import (
	"strings"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// A scan walks one multipart body from delimiter to delimiter. Every
// search moves forward, so a scan is linear in the body's length whatever
// the input.
type scan struct {
	s         string
	b         string // the boundary the body is framed with
	formData  bool   // check the parts against RFC 7578
	truncated bool   // the body was cut: its end proves nothing
	crlf, lf  int    // line breaks in the framing, by kind
	// c is what the scan found. It is held by value, not by pointer:
	// escape analysis does not tell a struct's fields apart, and a pointer
	// here would send every Check to the heap.
	c Check
	// secret says whether a field name holds a credential.
	secret func(name string) bool
}

// A delim is a delimiter line: "--" boundary ["--"] padding line-break.
type delim struct {
	close   bool // "--boundary--"
	padding bool // blanks after the boundary
	eol     bool // the line ends in a line break (not the end of the body)
	lf      bool // that line break is a bare LF
	trailer bool // text after a close delimiter on its line
	next    int  // where the next line starts
}

// scanBody checks the framing and the parts of body. boundary is the one
// the request declares, "" when it declares none.
func (sc *scan) scanBody(body, boundary string, formData, truncated bool) {
	sc.s, sc.b, sc.formData, sc.truncated = body, boundary, formData, truncated
	c := &sc.c
	start, d := -1, delim{}
	if boundary != "" {
		start, d = sc.first()
	}
	if start < 0 {
		guess := guessBoundary(body)
		switch {
		case guess == "" && boundary != "":
			c.add(NoDelimiter, 0, "body has no --"+show(boundary)+" line")
			return
		case guess == "":
			c.add(NoDelimiter, 0, "body has no boundary line")
			return
		case boundary != "":
			c.add(BoundaryMismatch, 0, mismatch(boundary, guess))
		}
		sc.b = guess
		if start, d = sc.first(); start < 0 {
			c.add(NoDelimiter, 0, "body has no boundary line")
			return
		}
	}
	c.BodyBoundary = sc.b
	sc.run(start, d)
}

func mismatch(header, body string) string {
	d := "header says boundary=" + show(header) + ", body uses " + show(body)
	switch {
	case strings.EqualFold(header, body):
		d += " (they differ only in letter case)"
	case strings.TrimLeft(header, "-") == strings.TrimLeft(body, "-"):
		d += ` (they differ in leading dashes: a delimiter line is "--" and then the boundary)`
	}
	return d
}

// first finds the first delimiter line.
func (sc *scan) first() (int, delim) {
	for i := dashLine(sc.s, 0); i >= 0; i = dashLine(sc.s, i+1) {
		if d, ok := sc.delimAt(i); ok {
			return i, d
		}
	}
	return -1, delim{}
}

// run checks the body from its first delimiter, at i.
func (sc *scan) run(i int, d delim) {
	s, c := sc.s, &sc.c
	if i > 0 {
		// The line break before a delimiter belongs to it (RFC 2046).
		pre := s[:i-1]
		if strings.HasSuffix(pre, "\r") {
			pre = pre[:len(pre)-1]
			sc.crlf++
		} else {
			sc.lf++
		}
		if pre != "" {
			c.add(Preamble, 0, itoa(len(pre))+" bytes before the first boundary")
		}
	}
	part := 0
	for {
		if d.padding {
			c.addf(TransportPadding, 0, func() string { return "blanks after --" + show(sc.b) + " on a delimiter line" })
		}
		if d.eol {
			sc.count(d.lf)
		}
		if d.close {
			if part == 0 {
				c.add(NoParts, 0, "the first delimiter is the close delimiter: the body has no parts")
			}
			sc.epilogue(d)
			break
		}
		if !d.eol {
			if !sc.truncated {
				c.add(NoCloseDelimiter, part, "body ends after a delimiter, without --"+show(sc.b)+"--")
			}
			break
		}
		part++
		h, cs, next, how := sc.headers(d.next)
		if how == endOfBody {
			if !sc.truncated {
				c.add(NoCloseDelimiter, part, "body ends inside the headers of part "+itoa(part)+", without --"+show(sc.b)+"--")
			}
			break
		}
		end, found := cs, true
		if how == blankLine {
			end, next, found = sc.content(cs, part)
		} else {
			c.addf(PartHeaderMalformed, part, func() string {
				return "part " + itoa(part) + ": headers not followed by a blank line"
			})
		}
		sc.part(part, &h, s[cs:end])
		if !found {
			if !sc.truncated {
				c.add(NoCloseDelimiter, part, "body ends inside part "+itoa(part)+", without --"+show(sc.b)+"--")
			}
			break
		}
		d = next
	}
	c.Parts = part
	if sc.lf > 0 {
		detail := "every line break in the framing is a bare LF, not CRLF"
		if sc.crlf > 0 {
			detail = itoa(sc.lf) + " of " + itoa(sc.lf+sc.crlf) + " line breaks in the framing are a bare LF, not CRLF"
		}
		c.add(LFOnly, 0, detail)
	}
}

func (sc *scan) count(lf bool) {
	if lf {
		sc.lf++
	} else {
		sc.crlf++
	}
}

// delimAt reports whether the line at i (which starts with "--") is a
// delimiter of sc.b and describes it.
func (sc *scan) delimAt(i int) (d delim, ok bool) {
	s := sc.s
	j := i + 2
	if !strings.HasPrefix(s[j:], sc.b) {
		return d, false
	}
	j += len(sc.b)
	if strings.HasPrefix(s[j:], "--") {
		d.close = true
		j += 2
	}
	k := j
	for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
		k++
	}
	d.padding = k > j
	rest := s[k:]
	switch {
	case rest == "":
		d.next = len(s)
	case rest[0] == '\n':
		d.eol, d.lf, d.next = true, true, k+1
	case strings.HasPrefix(rest, "\r\n"):
		d.eol, d.next = true, k+2
	case d.close:
		// "--b--x": the end all the same, with text where only a line
		// break may be (unless a cut body ends between CR and LF).
		d.trailer, d.next = !(sc.truncated && rest == "\r"), len(s)
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			d.next = k + nl + 1
		}
	case rest == "\r":
		// The body ends inside the delimiter's line break.
		d.next = len(s)
	default:
		// "--bx" is no delimiter: the boundary is only a prefix.
		return d, false
	}
	return d, true
}

// epilogue reports text after the close delimiter d.
func (sc *scan) epilogue(d delim) {
	if d.trailer {
		sc.c.add(DelimiterTrailer, 0, "text after the close delimiter --"+show(sc.b)+"-- on its line")
	}
	if strings.TrimSpace(sc.s[d.next:]) != "" {
		sc.c.add(Epilogue, 0, "text after the close delimiter --"+show(sc.b)+"--")
	}
}

// How a part's header block ended.
const (
	blankLine = iota // as it should
	delimiter        // at a delimiter line, with no blank line first
	endOfBody
)

// partHeaders are the headers of one part that RFC 7578 speaks of.
type partHeaders struct {
	disposition, ctype, cte          string
	hasDisposition, hasCtype, hasCTE bool
	extra                            string // the name of the first other header
	malformed                        string // what is wrong with the block
}

// headers reads the header block of a part, starting at p. It returns
// where the content starts and, when the block ended at a delimiter, that
// delimiter.
func (sc *scan) headers(p int) (h partHeaders, content int, d delim, how int) {
	s := sc.s
	var last *string // the value a folded line continues, if one we keep
	lines := 0
	for {
		nl := strings.IndexByte(s[p:], '\n')
		if nl < 0 {
			if dd, ok := sc.delimAt0(p); ok {
				return h, p, dd, delimiter
			}
			return h, len(s), d, endOfBody
		}
		line := s[p : p+nl]
		lf := !strings.HasSuffix(line, "\r")
		if !lf {
			line = line[:len(line)-1]
		}
		if strings.HasPrefix(line, "--") {
			if dd, ok := sc.delimAt(p); ok {
				return h, p, dd, delimiter
			}
		}
		sc.count(lf)
		p += nl + 1
		if line == "" {
			return h, p, d, blankLine
		}
		lines++
		if line[0] == ' ' || line[0] == '\t' {
			// A folded line (obsolete, but MIME allows it) continues the
			// previous header.
			if lines == 1 {
				h.bad("the first header line starts with a blank")
			} else if last != nil {
				*last += " " + trimOWS(line)
			}
			continue
		}
		last = nil
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			h.bad("a header line has no colon")
			continue
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		if !isToken(name) {
			h.bad("bad header name " + show(name))
			continue
		}
		if hasCTL(value) {
			// RFC 7230 allows none; Go's textproto rejects the line.
			h.bad("the " + show(name) + " header has a control character")
		}
		switch {
		case strings.EqualFold(name, "Content-Disposition"):
			if !h.hasDisposition {
				h.disposition, h.hasDisposition, last = value, true, &h.disposition
			}
		case strings.EqualFold(name, "Content-Type"):
			if !h.hasCtype {
				h.ctype, h.hasCtype, last = value, true, &h.ctype
			}
		case strings.EqualFold(name, "Content-Transfer-Encoding"):
			if !h.hasCTE {
				h.cte, h.hasCTE, last = value, true, &h.cte
			}
		default:
			if h.extra == "" {
				h.extra = name
			}
		}
	}
}

// hasCTL reports whether a header value holds a control character other
// than a tab.
func hasCTL(v string) bool {
	for i := 0; i < len(v); i++ {
		if (v[i] < ' ' && v[i] != '\t') || v[i] == 0x7f {
			return true
		}
	}
	return false
}

// delimAt0 is delimAt for a last line without a line break.
func (sc *scan) delimAt0(p int) (delim, bool) {
	if !strings.HasPrefix(sc.s[p:], "--") {
		return delim{}, false
	}
	return sc.delimAt(p)
}

func (h *partHeaders) bad(what string) {
	if h.malformed == "" {
		h.malformed = what
	}
}

// content finds the end of the content that starts at from: the next
// delimiter line. Lines that start with the delimiter but are none are
// reported.
func (sc *scan) content(from, n int) (end int, d delim, found bool) {
	s := sc.s
	for i := dashLine(s, from); i >= 0; i = dashLine(s, i+1) {
		if dd, ok := sc.delimAt(i); ok {
			end = i
			if i > from {
				// The line break before the delimiter is the delimiter's.
				end = i - 1
				lf := end == from || s[end-1] != '\r'
				if !lf {
					end--
				}
				sc.count(lf)
			}
			return end, dd, true
		}
		if !strings.HasPrefix(s[i+2:], sc.b) {
			continue
		}
		if sc.truncated && strings.IndexByte(s[i:], '\n') < 0 {
			// The cut may have fallen inside a delimiter line.
			continue
		}
		sc.c.addf(BoundaryInContent, n, func() string {
			return "part " + itoa(n) + " has a line that starts with the delimiter --" + show(sc.b) + " but is no delimiter"
		})
	}
	return len(s), d, false
}

// part checks the headers of part n and records it as a field.
func (sc *scan) part(n int, h *partHeaders, content string) {
	c := &sc.c
	f := Field{Size: len(content)}
	if content == filePlaceholder {
		f.Hidden, f.Size = true, -1
	}
	if h.hasCtype {
		f.ContentType, _ = splitValue(h.ctype)
	}
	if h.malformed != "" {
		c.addf(PartHeaderMalformed, n, func() string { return "part " + itoa(n) + ": " + h.malformed })
	}
	var name, filename param
	var hasName, star bool
	if h.hasDisposition {
		typ, rest := splitValue(h.disposition)
		var bad string // what is wrong with the parameters, for a strict parser
		it := params{rest}
		for p, ok := it.next(); ok; p, ok = it.next() {
			if p.malformed != "" && bad == "" {
				bad = show(p.name) + "= is malformed: " + p.malformed
			}
			switch {
			case strings.EqualFold(p.name, "name"):
				if hasName && bad == "" {
					bad = "name= appears twice"
				}
				if !hasName {
					name, hasName = p, true
				}
			case strings.EqualFold(p.name, "filename"):
				if f.HasFilename && bad == "" {
					bad = "filename= appears twice"
				}
				if !f.HasFilename {
					filename, f.HasFilename = p, true
				}
			case strings.EqualFold(p.name, "filename*"):
				star = true
			}
		}
		f.Name, f.Filename = name.value, filename.value
		if sc.formData {
			if bad != "" {
				c.addf(PartHeaderMalformed, n, func() string {
					return partLabel(n, name.value) + ": in Content-Disposition, " + bad
				})
			}
			sc.disposition(n, typ, hasName, star, name, filename, f.HasFilename)
		}
	} else if sc.formData {
		c.addf(PartNoDisposition, n, func() string { return "part " + itoa(n) + " has no Content-Disposition" })
	}
	if sc.formData {
		if h.hasCTE {
			c.addf(ContentTransferEncoding, n, func() string {
				return partLabel(n, f.Name) + " has Content-Transfer-Encoding: " + show(h.cte) + "; RFC 7578 says senders should not send it"
			})
		}
		if h.extra != "" {
			c.addf(PartExtraHeader, n, func() string {
				return partLabel(n, f.Name) + " has a " + show(h.extra) + " header, which receivers ignore"
			})
		}
		if f.HasFilename && !h.hasCtype {
			c.addf(PartNoContentType, n, func() string {
				return partLabel(n, f.Name) + " is a file without Content-Type; receivers assume text/plain"
			})
		}
	}
	if !f.HasFilename && !f.Hidden && len(content) <= MaxValue {
		f.Value = content
		if content != "" && sc.secret(f.Name) {
			f.Value = redact.Mask(content)
		}
	}
	if c.Fields == nil {
		// Most bodies have a handful of parts: one allocation, not three.
		c.Fields = make([]Field, 0, 4)
	}
	if len(c.Fields) < MaxFields {
		c.Fields = append(c.Fields, f)
	}
}

// disposition checks a part's Content-Disposition against RFC 7578 §4.2.
func (sc *scan) disposition(n int, typ string, hasName, star bool, name, filename param, hasFilename bool) {
	c := &sc.c
	if !strings.EqualFold(typ, "form-data") {
		c.addf(PartNotFormData, n, func() string {
			return partLabel(n, name.value) + " has Content-Disposition: " + showType(typ) + ", not form-data"
		})
	}
	if !hasName {
		c.addf(PartNoName, n, func() string { return "part " + itoa(n) + " has no name= in its Content-Disposition" })
	}
	for _, p := range [...]struct {
		param
		has bool
	}{{name, hasName}, {filename, hasFilename}} {
		if p.has && !p.quoted && p.malformed == "" {
			c.addf(ParamUnquoted, n, func() string {
				return partLabel(n, name.value) + " has an unquoted " + p.name + "="
			})
		}
	}
	if star {
		c.addf(FilenameStar, n, func() string {
			return partLabel(n, name.value) + " has filename*=, which RFC 7578 forbids"
		})
	}
}

func partLabel(n int, name string) string {
	if name == "" {
		return "part " + itoa(n)
	}
	return "part " + itoa(n) + " (" + quote(name) + ")"
}

// addf is add for details that cost something to build: detail is called
// only for the first occurrence of k.
func (c *Check) addf(k Kind, part int, detail func() string) {
	if !c.again(k) {
		c.Anomalies = append(c.Anomalies, Anomaly{Kind: k, Severity: k.Severity(), Detail: detail(), Part: part, Count: 1})
	}
}

// dashLine returns the first i >= from where a line starts with "--", or
// -1.
func dashLine(s string, from int) int {
	if from == 0 && strings.HasPrefix(s, "--") {
		return 0
	}
	if from > 0 {
		from-- // a line starting at from follows the '\n' before it
	}
	j := strings.Index(s[from:], "\n--")
	if j < 0 {
		return -1
	}
	return from + j + 1
}

// hasLine reports whether a line at or after from starts with "--" x.
func hasLine(s string, from int, x string) bool {
	for j := dashLine(s, from); j >= 0; j = dashLine(s, j+1) {
		if strings.HasPrefix(s[j+2:], x) {
			return true
		}
	}
	return false
}

// lineAt returns the line at i, without its line break and trailing
// blanks.
func lineAt(s string, i int) string {
	line := s[i:]
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	return strings.TrimRight(line, " \t\r")
}

// guessBoundary returns the boundary of the first line that starts with
// "--", or "". A body whose first delimiter is its close delimiter gives
// "b--" for "b": the trailing dashes are dropped when no other line
// starts with "--b--".
func guessBoundary(s string) string {
	for i := dashLine(s, 0); i >= 0; i = dashLine(s, i+1) {
		x := lineAt(s, i+2)
		if x == "" {
			continue
		}
		if len(x) > 2 && strings.HasSuffix(x, "--") && !hasLine(s, i+1, x) {
			x = x[:len(x)-2]
		}
		return x
	}
	return ""
}

// looksMultipart reports whether a body declared as something else is
// multipart, and its boundary. It asks for a lot, so that a YAML "---" or
// an SQL "-- comment" does not qualify: a first line "--b" with b made of
// RFC 2046 characters, a part header starting "Content-" right after it,
// and another line starting with "--b" later on.
func looksMultipart(body string) (string, bool) {
	s := strings.TrimLeft(body, "\r\n")
	if !strings.HasPrefix(s, "--") {
		return "", false
	}
	nl := strings.IndexByte(s, '\n')
	if nl < 0 {
		return "", false
	}
	b := strings.TrimRight(s[2:nl], " \t\r")
	if b == "" || len(b) > 200 || b[0] == ' ' {
		return "", false
	}
	for i := 0; i < len(b); i++ {
		if !isBchar(b[i]) {
			return "", false
		}
	}
	const prefix = "content-"
	next := s[nl+1:]
	if len(next) < len(prefix) || !strings.EqualFold(next[:len(prefix)], prefix) {
		return "", false
	}
	return b, hasLine(s, nl+1, b)
}
