package multipart

import (
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// FuzzCheck feeds Inspect any Content-Type and body. It must not panic or
// hang, its Check must be consistent, and a body it finds nothing wrong
// with must read the same under Go's mime/multipart.
func FuzzCheck(f *testing.F) {
	for _, name := range []string{"jmeter-legacy.txt", "jmeter-desktop.txt", "jmeter-desktop-2.txt"} {
		ct, body := readTestdata(f, name)
		f.Add(ct, body, uint8(samples.BodySaved))
		f.Add(ct, body[:len(body)/2], uint8(samples.BodyTruncated))
		f.Add(ct, strings.ReplaceAll(body, "\r\n", "\n"), uint8(samples.BodySaved))
	}
	f.Add(formData(plainBoundary), plainBody, uint8(samples.BodySaved))
	f.Add("", plainBody, uint8(samples.BodySaved))
	f.Add("multipart/form-data", "--b--\r\n", uint8(samples.BodySaved))
	f.Add(`multipart/form-data; boundary="a b"; charset=x`+"\n"+formData("c"), "--a b\r\n\r\n\r\n--a b--", uint8(samples.BodySaved))
	f.Add(formData("b"), "--b\r\nContent-Disposition: form-data;\r\n name*=x\r\n\r\n--bb\r\n--b--junk", uint8(samples.BodySaved))
	f.Fuzz(func(t *testing.T, contentTypes, body string, state uint8) {
		req := Request{Body: body, BodyIs: samples.BodyState(state % 4), HeadersKnown: state&4 != 0}
		if contentTypes != "" {
			req.ContentTypes = strings.Split(contentTypes, "\n")
		}
		c := Inspect(req)
		if !c.Multipart {
			if len(c.Anomalies) > 0 || len(c.Fields) > 0 || c.Checked {
				t.Fatalf("not multipart, yet %+v", c)
			}
			return
		}
		seen := map[Kind]bool{}
		for _, a := range c.Anomalies {
			if a.Severity == "" || a.Severity != a.Kind.Severity() || a.Count < 1 || a.Detail == "" || seen[a.Kind] {
				t.Fatalf("bad anomaly %+v in %+v", a, c.Anomalies)
			}
			seen[a.Kind] = true
		}
		if c.Checked == (c.Unverifiable != "") {
			t.Fatalf("Checked %v, Unverifiable %q", c.Checked, c.Unverifiable)
		}
		if len(c.Fields) > MaxFields || len(c.Fields) > c.Parts {
			t.Fatalf("%d fields, %d parts", len(c.Fields), c.Parts)
		}
		for _, fd := range c.Fields {
			if len(fd.Value) > MaxValue || (fd.Hidden && fd.Size != -1) {
				t.Fatalf("bad field %+v", fd)
			}
		}
		if c.Checked && c.Worst() != Error && c.Worst() != Warning && c.Parts > 0 {
			agreesWithStdlib(t, req, c)
		}
	})
}
