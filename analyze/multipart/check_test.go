package multipart

import (
	"io"
	"mime/multipart"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// crlf turns the LFs of a hand-written body into CRLFs.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// jmeterBody is the shape JMeter 2.13's HttpClient4 sampler sends with
// "Browser-compatible headers" off: CRLF framing, Content-Transfer-Encoding
// on every part, and the file part's bytes replaced by the placeholder.
const jmeterBoundary = "ipMIgl_erdyyH4Cb4_iGTH2aNYBVzw7ih"

var jmeterBody = crlf(`--ipMIgl_erdyyH4Cb4_iGTH2aNYBVzw7ih
Content-Disposition: form-data; name="recordingId"
Content-Type: text/plain; charset=US-ASCII
Content-Transfer-Encoding: 8bit

461bd14b-2ec5-46c6-82fe-49b36fb848aa
--ipMIgl_erdyyH4Cb4_iGTH2aNYBVzw7ih
Content-Disposition: form-data; name="metadata"
Content-Type: text/plain; charset=US-ASCII
Content-Transfer-Encoding: 8bit

{"agent":"1","media":"screen"}
--ipMIgl_erdyyH4Cb4_iGTH2aNYBVzw7ih
Content-Disposition: form-data; name="file"; filename="clip.webm"
Content-Type: video/webm
Content-Transfer-Encoding: binary

<actual file content, not shown here>
--ipMIgl_erdyyH4Cb4_iGTH2aNYBVzw7ih--
`)

// A plain, well-formed body as a browser sends it: no anomaly at all.
const plainBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

func plain(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + plainBoundary + "\n" + p + "\n")
	}
	b.WriteString("--" + plainBoundary + "--\n")
	return crlf(b.String())
}

var plainBody = plain(
	"Content-Disposition: form-data; name=\"recordingId\"\n\nabc-123",
	"Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\nContent-Type: text/plain\n\nhello\nworld",
)

func saved(ct, body string) Request {
	r := Request{Body: body, BodyIs: samples.BodySaved, HeadersKnown: true}
	if ct != "" {
		r.ContentTypes = []string{ct}
	}
	return r
}

func formData(b string) string { return "multipart/form-data; boundary=" + b }

func kinds(c Check) []Kind {
	var ks []Kind
	for _, a := range c.Anomalies {
		ks = append(ks, a.Kind)
	}
	slices.Sort(ks)
	return ks
}

func TestInspect(t *testing.T) {
	long70 := strings.Repeat("a", 70)
	long71 := strings.Repeat("b", 71)
	tests := []struct {
		name string
		req  Request
		want []Kind // exactly these kinds, in any order
		// what else to look at; "" means not checked
		boundary, bodyBoundary string
		parts                  int
		detail                 string // a substring of the first anomaly's detail
	}{
		{
			name:     "jmeter well-formed",
			req:      saved(formData(jmeterBoundary)+"; charset=US-ASCII", jmeterBody),
			want:     []Kind{ContentTransferEncoding, ExtraParams},
			boundary: jmeterBoundary, bodyBoundary: jmeterBoundary, parts: 3,
		},
		{
			name:     "browser well-formed",
			req:      saved(formData(plainBoundary), plainBody),
			boundary: plainBoundary, bodyBoundary: plainBoundary, parts: 2,
		},
		{
			name:     "legacy agents: header boundary from a Header Manager",
			req:      saved(formData("----legacyBoundary7MA4YWxk"), jmeterBody),
			want:     []Kind{BoundaryMismatch, ContentTransferEncoding},
			boundary: "----legacyBoundary7MA4YWxk", bodyBoundary: jmeterBoundary, parts: 3,
			detail: "header says boundary=----legacyBoundary7MA4YWxk, body uses " + jmeterBoundary,
		},
		{
			name:   "mismatch in leading dashes only",
			req:    saved(formData("--abc"), crlf("--abc\nContent-Disposition: form-data; name=\"a\"\n\nx\n--abc--\n")),
			want:   []Kind{BoundaryMismatch},
			detail: "leading dashes",
		},
		{
			name:  "LF-only framing",
			req:   saved(formData(plainBoundary), strings.ReplaceAll(plainBody, "\r\n", "\n")),
			want:  []Kind{LFOnly},
			parts: 2, detail: "every line break",
		},
		{
			name:   "one bare LF among CRLFs",
			req:    saved(formData(plainBoundary), strings.Replace(plainBody, "abc-123\r\n", "abc-123\n", 1)),
			want:   []Kind{LFOnly},
			detail: "1 of ",
		},
		{
			name:  "missing close delimiter",
			req:   saved(formData(plainBoundary), strings.TrimSuffix(plainBody, "--"+plainBoundary+"--\r\n")),
			want:  []Kind{NoCloseDelimiter},
			parts: 2,
		},
		{
			name:  "ends after a delimiter",
			req:   saved(formData("b"), crlf("--b\nContent-Disposition: form-data; name=\"a\"\n\nx\n--b")),
			want:  []Kind{NoCloseDelimiter},
			parts: 1,
		},
		{
			name:     "quoted boundary with spaces",
			req:      saved(`multipart/form-data; boundary="simple boundary"`, crlf("--simple boundary\nContent-Disposition: form-data; name=\"a\"\n\nx\n--simple boundary--\n")),
			boundary: "simple boundary", parts: 1,
		},
		{
			name:     "unquoted boundary with spaces",
			req:      saved(`multipart/form-data; boundary=simple boundary`, crlf("--simple boundary\nContent-Disposition: form-data; name=\"a\"\n\nx\n--simple boundary--\n")),
			want:     []Kind{BoundaryUnquoted},
			boundary: "simple boundary", parts: 1,
		},
		{
			name: "unquoted boundary with '='",
			req:  saved(`multipart/form-data; boundary=----=_Part_0_1`, crlf("------=_Part_0_1\nContent-Disposition: form-data; name=\"a\"\n\nx\n------=_Part_0_1--\n")),
			want: []Kind{BoundaryUnquoted}, boundary: "----=_Part_0_1", detail: "'='",
		},
		{
			name:     "boundary of 70 characters",
			req:      saved(formData(long70), crlf("--"+long70+"\nContent-Disposition: form-data; name=\"a\"\n\nx\n--"+long70+"--\n")),
			boundary: long70,
		},
		{
			name:     "boundary of 71 characters",
			req:      saved(formData(long71), crlf("--"+long71+"\nContent-Disposition: form-data; name=\"a\"\n\nx\n--"+long71+"--\n")),
			want:     []Kind{BoundaryTooLong},
			boundary: long71, detail: "71 characters",
		},
		{
			name:   "boundary with a character outside bchars",
			req:    saved(`multipart/form-data; boundary="a@b"`, crlf("--a@b\nContent-Disposition: form-data; name=\"a\"\n\nx\n--a@b--\n")),
			want:   []Kind{BoundaryInvalid},
			detail: "'@'",
		},
		{
			name: "boundary ending with a space",
			req:  saved(`multipart/form-data; boundary="ab "`, crlf("--ab \nContent-Disposition: form-data; name=\"a\"\n\nx\n--ab --\n")),
			// The scanner cannot tell the space from transport padding on
			// the delimiter lines, which is why RFC 2046 forbids it.
			want: []Kind{BoundaryInvalid},
		},
		{
			name: "Content-Disposition: attachment",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: attachment; name=\"f\"; filename=\"a.txt\"\nContent-Type: text/plain\n\nx")),
			want: []Kind{PartNotFormData}, detail: `part 1 ("f") has Content-Disposition: attachment`,
		},
		{
			name: "part without name",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"\n\nx", "Content-Disposition: form-data\n\ny")),
			want: []Kind{PartNoName}, parts: 2, detail: "part 2 has no name=",
		},
		{
			name: "part without Content-Disposition",
			req:  saved(formData(plainBoundary), plain("Content-Type: text/plain\n\nx")),
			want: []Kind{PartNoDisposition},
		},
		{
			name: "part without headers at all",
			req:  saved(formData(plainBoundary), plain("\nx")),
			want: []Kind{PartNoDisposition},
		},
		{
			name:         "Postman: no boundary parameter",
			req:          saved("multipart/form-data", crlf("--------------------------123456789012345678901234\nContent-Disposition: form-data; name=\"a\"\n\nx\n--------------------------123456789012345678901234--\n")),
			want:         []Kind{BoundaryMissing},
			bodyBoundary: "------------------------123456789012345678901234", parts: 1,
		},
		{
			name: "empty boundary parameter",
			req:  saved(`multipart/form-data; boundary=""`, plainBody),
			want: []Kind{BoundaryMissing}, bodyBoundary: plainBoundary,
		},
		{
			name: "Firefox: the same Content-Type twice",
			req: Request{ContentTypes: []string{formData(plainBoundary), formData(plainBoundary)},
				Body: plainBody, BodyIs: samples.BodySaved},
			want: []Kind{DuplicateContentType}, detail: "2 Content-Type headers, all the same",
		},
		{
			name: "two Content-Types with different boundaries",
			req: Request{ContentTypes: []string{formData(plainBoundary), formData("other")},
				Body: plainBody, BodyIs: samples.BodySaved},
			want: []Kind{DuplicateContentType}, detail: "another boundary=other",
		},
		{
			name: "extra parameters",
			req:  saved(formData(plainBoundary)+"; charset=UTF-8; foo=bar", plainBody),
			want: []Kind{ExtraParams}, detail: "charset, foo",
		},
		{
			name: "multipart/related takes its own parameters and parts",
			req: saved(`multipart/related; type="application/json"; boundary=rel`,
				crlf("--rel\nContent-Type: application/json\n\n{}\n--rel\nContent-Type: image/png\nContent-ID: <x>\n\nPNG\n--rel--\n")),
			parts: 2,
		},
		{
			name:  "empty body",
			req:   saved(formData(plainBoundary), ""),
			want:  []Kind{EmptyBody},
			parts: 0,
		},
		{
			name: "no parts",
			req:  saved(formData("b"), crlf("--b--\n")),
			want: []Kind{NoParts}, parts: 0,
		},
		{
			name: "no parts, no boundary parameter",
			req:  saved("multipart/form-data", crlf("--b--\n")),
			want: []Kind{BoundaryMissing, NoParts}, bodyBoundary: "b",
		},
		{
			name: "JSON under a multipart Content-Type",
			req:  saved(formData("b"), `{"recordingId":"x"}`),
			want: []Kind{NoDelimiter}, detail: "no --b line",
		},
		{
			name:         "multipart body under a urlencoded Content-Type",
			req:          saved("application/x-www-form-urlencoded", plainBody),
			want:         []Kind{ContentTypeNotMultipart},
			bodyBoundary: plainBoundary, parts: 2,
			detail: "Content-Type is application/x-www-form-urlencoded",
		},
		{
			name:   "multipart body without Content-Type",
			req:    saved("", plainBody),
			want:   []Kind{ContentTypeNotMultipart},
			detail: "no Content-Type",
		},
		{
			name:  "multipart body, headers not recorded",
			req:   Request{Body: plainBody, BodyIs: samples.BodySaved},
			parts: 2, bodyBoundary: plainBoundary,
		},
		{
			name:     "HAR: boundary from postData.mimeType",
			req:      Request{BodyMIME: formData(plainBoundary), Body: plainBody, BodyIs: samples.BodySaved},
			boundary: plainBoundary, parts: 2,
		},
		{
			name:  "transport padding",
			req:   saved(formData("b"), "--b  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--\r\n"),
			want:  []Kind{TransportPadding},
			parts: 1,
		},
		{
			name:  "a content line starting with the delimiter",
			req:   saved(formData("b"), crlf("--b\nContent-Disposition: form-data; name=\"a\"\n\nx\n--bogus\ny\n--b--\n")),
			want:  []Kind{BoundaryInContent},
			parts: 1, detail: "part 1 has a line",
		},
		{
			name: "preamble",
			req:  saved(formData(plainBoundary), "This is a preamble.\r\n"+plainBody),
			want: []Kind{Preamble}, parts: 2, detail: "19 bytes",
		},
		{
			name: "a leading CRLF is no preamble",
			req:  saved(formData(plainBoundary), "\r\n"+plainBody),
		},
		{
			name: "epilogue",
			req:  saved(formData(plainBoundary), plainBody+"--"+plainBoundary+"\r\n"),
			want: []Kind{Epilogue}, parts: 2,
		},
		{
			name: "text after the close delimiter on its line",
			req:  saved(formData("b"), crlf("--b\nContent-Disposition: form-data; name=\"a\"\n\nx\n--b--junk\n")),
			want: []Kind{DelimiterTrailer},
		},
		{
			name: "a lone CR after the close delimiter",
			req:  saved(formData("b"), "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--\r"),
			want: []Kind{DelimiterTrailer},
		},
		{
			name: "header line without a colon",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"\nX-Broken\n\nx")),
			want: []Kind{PartHeaderMalformed}, detail: "no colon",
		},
		{
			name: "space before the colon",
			req:  saved(formData(plainBoundary), plain("Content-Disposition : form-data; name=\"a\"\n\nx")),
			want: []Kind{PartHeaderMalformed, PartNoDisposition},
		},
		{
			name: "headers not followed by a blank line",
			req:  saved(formData("b"), crlf("--b\nContent-Disposition: form-data; name=\"a\"\n--b--\n")),
			want: []Kind{PartHeaderMalformed}, parts: 1, detail: "blank line",
		},
		{
			name: "quoted name not closed",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\n\nx")),
			want: []Kind{PartHeaderMalformed},
		},
		{
			name: "name given twice",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"; name=\"c\"\n\nx")),
			want: []Kind{PartHeaderMalformed}, detail: "name= appears twice",
		},
		{
			name: "a disposition parameter without a value",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"; x\n\nx")),
			want: []Kind{PartHeaderMalformed}, detail: "x= is malformed: no value",
		},
		{
			name: "a disposition parameter with an empty value",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"; x=\n\nx")),
			want: []Kind{PartHeaderMalformed}, detail: "x= is malformed: empty value",
		},
		{
			name: "multipart/mixed: a part header line without a colon",
			req:  saved("multipart/mixed; boundary=b", "--b\r\nbroken\r\n\r\nx\r\n--b--\r\n"),
			want: []Kind{PartHeaderMalformed},
		},
		{
			name: "control character in a part header",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\x00b\"\n\nx")),
			want: []Kind{PartHeaderMalformed}, detail: "control character",
		},
		{
			name: "quoted-pairs in name, and a Windows path in filename",
			req: saved(formData(plainBoundary), plain(`Content-Disposition: form-data; name="a\"b\/c"; filename="C:\Users\x.txt"`+
				"\nContent-Type: text/plain\n\nx")),
		},
		{
			name: "folded header line",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data;\n name=\"a\"\n\nx")),
		},
		{
			name: "filename*",
			req: saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"; filename*=UTF-8''%C3%A4.txt\n"+
				"Content-Type: text/plain\n\nx")),
			want: []Kind{FilenameStar},
		},
		{
			name: "unquoted name",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=a\n\nx")),
			want: []Kind{ParamUnquoted},
		},
		{
			name: "extra part header",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"\nContent-Length: 1\n\nx")),
			want: []Kind{PartExtraHeader}, detail: "Content-Length",
		},
		{
			name: "file part without Content-Type",
			req:  saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\n\nx")),
			want: []Kind{PartNoContentType},
		},
		{
			name: "an empty part before a delimiter",
			req:  saved(formData("b"), "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b--\r\n"),
		},
		{
			name: "several anomalies of one kind count once",
			req: saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"a\"\nContent-Transfer-Encoding: 8bit\n\nx",
				"Content-Disposition: form-data; name=\"b\"\nContent-Transfer-Encoding: 8bit\n\ny")),
			want: []Kind{ContentTransferEncoding}, detail: `part 1 ("a")`,
		},
	}
	covered := map[Kind]bool{}
	for _, tt := range tests {
		for _, k := range tt.want {
			covered[k] = true
		}
		t.Run(tt.name, func(t *testing.T) {
			c := Inspect(tt.req)
			if !c.Multipart {
				t.Fatalf("not multipart")
			}
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if got := kinds(c); !slices.Equal(got, want) {
				t.Fatalf("kinds = %v, want %v\n%+v", got, want, c.Anomalies)
			}
			for _, a := range c.Anomalies {
				if a.Severity != a.Kind.Severity() || a.Severity == "" || a.Count < 1 || a.Detail == "" {
					t.Errorf("bad anomaly %+v", a)
				}
			}
			if tt.boundary != "" && c.Boundary != tt.boundary {
				t.Errorf("Boundary = %q, want %q", c.Boundary, tt.boundary)
			}
			if tt.bodyBoundary != "" && c.BodyBoundary != tt.bodyBoundary {
				t.Errorf("BodyBoundary = %q, want %q", c.BodyBoundary, tt.bodyBoundary)
			}
			if tt.parts != 0 && c.Parts != tt.parts {
				t.Errorf("Parts = %d, want %d", c.Parts, tt.parts)
			}
			if tt.detail != "" && (len(c.Anomalies) == 0 || !strings.Contains(c.Anomalies[0].Detail, tt.detail)) {
				t.Errorf("detail %q not in %+v", tt.detail, c.Anomalies)
			}
			if !c.Checked || c.Unverifiable != "" {
				t.Errorf("Checked = %v, Unverifiable = %q", c.Checked, c.Unverifiable)
			}
			if c.Worst() != Error && c.Worst() != Warning {
				agreesWithStdlib(t, tt.req, c)
			}
		})
	}
	// Every kind Inspect can find has a case above (BoundaryReused needs
	// several requests: see checker_test.go).
	for _, k := range Kinds() {
		if !covered[k] && k != BoundaryReused {
			t.Errorf("no test case finds %s", k)
		}
	}
}

// agreesWithStdlib checks a body Inspect found nothing wrong with against
// Go's own parser, which was written by other people from the same RFCs:
// it must read the same parts with the same names.
func agreesWithStdlib(t *testing.T, req Request, c Check) {
	t.Helper()
	if c.BodyBoundary == "" {
		return
	}
	mr := multipart.NewReader(strings.NewReader(req.Body), c.BodyBoundary)
	n := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("mime/multipart fails on a body Inspect passed: %v", err)
		}
		if n < len(c.Fields) && isFormData(c.MediaType) && p.FormName() != c.Fields[n].Name {
			t.Errorf("part %d: mime/multipart reads name %q, Inspect %q", n+1, p.FormName(), c.Fields[n].Name)
		}
		n++
	}
	if n != c.Parts {
		t.Errorf("mime/multipart reads %d parts, Inspect %d", n, c.Parts)
	}
}

func TestInspectFields(t *testing.T) {
	c := Inspect(saved(formData(jmeterBoundary)+"; charset=US-ASCII", jmeterBody))
	want := []Field{
		{Name: "recordingId", ContentType: "text/plain", Value: "461bd14b-2ec5-46c6-82fe-49b36fb848aa", Size: 36},
		{Name: "metadata", ContentType: "text/plain", Value: `{"agent":"1","media":"screen"}`, Size: 30},
		{Name: "file", Filename: "clip.webm", HasFilename: true, ContentType: "video/webm", Size: -1, Hidden: true},
	}
	if !slices.Equal(c.Fields, want) {
		t.Errorf("fields:\n got %+v\nwant %+v", c.Fields, want)
	}
}

func TestInspectSecretField(t *testing.T) {
	c := Inspect(saved(formData(plainBoundary), plain("Content-Disposition: form-data; name=\"client_secret\"\n\ns3cr3t-value")))
	if len(c.Fields) != 1 || strings.Contains(c.Fields[0].Value, "s3cr3t") || c.Fields[0].Value == "" {
		t.Errorf("secret field value not masked: %+v", c.Fields)
	}
}

func TestInspectNotMultipart(t *testing.T) {
	for name, req := range map[string]Request{
		"GET without body":                   {HeadersKnown: true, BodyIs: samples.BodySaved},
		"JSON":                               saved("application/json", `{"a":1}`),
		"SQL comment":                        saved("text/plain", "-- select\nselect 1;\n-- select\n"),
		"YAML documents":                     saved("application/yaml", "---\nkey: value\n---\nkey: other\n"),
		"CSV, nothing kept":                  {},
		"not multipart type, body not saved": {ContentTypes: []string{"application/json"}, BodyIs: samples.BodyNotSaved},
	} {
		if c := Inspect(req); c.Multipart || len(c.Anomalies) > 0 {
			t.Errorf("%s: %+v", name, c)
		}
	}
}

func TestInspectUnverifiable(t *testing.T) {
	legacyCut := jmeterBody[:200]
	tests := []struct {
		name string
		req  Request
		why  string
		want []Kind
	}{
		{"body not saved", Request{ContentTypes: []string{formData("b")}, BodyIs: samples.BodyNotSaved}, NotSaved, nil},
		{"not saved, header without boundary", Request{ContentTypes: []string{"multipart/form-data"}, BodyIs: samples.BodyNotSaved},
			NotSaved, []Kind{BoundaryMissing}},
		{"HAR body without text", Request{BodyMIME: formData("b"), BodyIs: samples.BodyUnreadable}, Unreadable, nil},
		{"JMeter: entity not repeatable", saved(formData("b"), notRepeatable), Unreadable, nil},
		{"HAR params only", Request{ContentTypes: []string{formData("b")}, BodyIs: samples.BodySaved, HasParams: true}, ParamsOnly, nil},
		// A cut body proves nothing by its end, but its start still shows
		// the wrong boundary.
		{"truncated, legacy", Request{ContentTypes: []string{formData("----legacyBoundary7MA4YWxk")}, Body: legacyCut, BodyIs: samples.BodyTruncated},
			Truncated, []Kind{BoundaryMismatch, ContentTransferEncoding}},
		{"truncated inside a delimiter", Request{ContentTypes: []string{formData(jmeterBoundary)}, Body: jmeterBody[:len(jmeterBody)-5], BodyIs: samples.BodyTruncated},
			Truncated, []Kind{ContentTransferEncoding}},
		{"truncated inside headers", Request{ContentTypes: []string{formData(jmeterBoundary)}, Body: jmeterBody[:60], BodyIs: samples.BodyTruncated},
			Truncated, nil},
	}
	for _, tt := range tests {
		c := Inspect(tt.req)
		slices.Sort(tt.want)
		if !c.Multipart || c.Checked || c.Unverifiable != tt.why || !slices.Equal(kinds(c), tt.want) {
			t.Errorf("%s: Multipart %v, Checked %v, Unverifiable %q, kinds %v; want %q, %v",
				tt.name, c.Multipart, c.Checked, c.Unverifiable, kinds(c), tt.why, tt.want)
		}
	}
}

// TestInspectTestdata runs the real JMeter bodies kept in testdata.
func TestInspectTestdata(t *testing.T) {
	for file, want := range map[string][]Kind{
		"jmeter-legacy.txt":    {BoundaryMismatch, ContentTransferEncoding},
		"jmeter-desktop.txt":   {ContentTransferEncoding, ExtraParams},
		"jmeter-desktop-2.txt": {ContentTransferEncoding, ExtraParams},
	} {
		ct, body := readTestdata(t, file)
		c := Inspect(saved(ct, body))
		slices.Sort(want)
		if got := kinds(c); !slices.Equal(got, want) || c.Parts != 3 {
			t.Errorf("%s: kinds %v, parts %d; want %v, 3", file, got, c.Parts, want)
		}
	}
}

// readTestdata reads a testdata file: a Content-Type header line, then
// the body verbatim.
func readTestdata(tb testing.TB, name string) (contentType, body string) {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	line, body, ok := strings.Cut(string(b), "\n")
	ct, ok2 := strings.CutPrefix(line, "Content-Type: ")
	if !ok || !ok2 {
		tb.Fatalf("%s: no Content-Type line", name)
	}
	return ct, body
}

func TestInspectQuotedPairs(t *testing.T) {
	c := Inspect(saved(formData(plainBoundary), plain(`Content-Disposition: form-data; name="a\"b\/c"; filename="C:\Users\x.txt"`+
		"\nContent-Type: text/plain\n\nx")))
	if len(c.Fields) != 1 || c.Fields[0].Name != `a"b/c` || c.Fields[0].Filename != `C:\Users\x.txt` {
		t.Errorf("fields: %+v", c.Fields)
	}
}
