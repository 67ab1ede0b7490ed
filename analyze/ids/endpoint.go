package ids

import (
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// Endpoint names the endpoint r was sent to, the scope within which a
// reused value counts as a duplicate: r's label, unless the label is
// URL-ish (a HAR entry's "GET https://host/a/{id}", a JMeter label left as
// the path), in which case it is the method and the URL with the query
// dropped and ID-like path segments replaced by "{id}".
func Endpoint(r *samples.Sample) string {
	var x Extractor
	return x.endpoint(r)
}

func (x *Extractor) endpoint(r *samples.Sample) string {
	if !x.ready {
		x.init()
	}
	if r.Label != "" && !urlish(r.Label) {
		return r.Label
	}
	u := r.URL
	method := r.Method
	if u == "" {
		// The label is all there is: "GET /a/b" or "/a/b".
		u = r.Label
		if m, rest, ok := strings.Cut(u, " "); ok && isMethod(m) {
			method, u = m, strings.TrimSpace(rest)
		}
	}
	b := x.buf[:0]
	if method != "" {
		b = append(append(b, method...), ' ')
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "://"); i >= 0 {
		// scheme://host, lower case, without user info.
		auth := u[i+3:]
		path := ""
		if j := strings.IndexByte(auth, '/'); j >= 0 {
			auth, path = auth[:j], auth[j:]
		}
		if j := strings.LastIndexByte(auth, '@'); j >= 0 {
			auth = auth[j+1:]
		}
		for _, s := range []string{u[:i], "://", auth} {
			for k := 0; k < len(s); k++ {
				b = append(b, lower(s[k]))
			}
		}
		u = path
	}
	for len(u) > 0 {
		seg, rest, more := strings.Cut(u, "/")
		if allDigits(seg) || seg != "" && shape(seg) != NotID {
			b = append(b, "{id}"...)
		} else {
			b = append(b, seg...)
		}
		if more {
			b = append(b, '/')
		}
		u = rest
	}
	x.buf = b
	return x.names.Bytes(b)
}

// urlish reports whether a label is a URL or path rather than a name.
func urlish(label string) bool {
	if m, rest, ok := strings.Cut(label, " "); ok && isMethod(m) {
		label = rest
	}
	return strings.HasPrefix(label, "/") || strings.HasPrefix(label, "http://") || strings.HasPrefix(label, "https://")
}

func isMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT":
		return true
	}
	return false
}
