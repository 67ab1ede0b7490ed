package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets in traces must never reach any output: a JWT and an opaque
// bearer token, cookies, Set-Cookie, API keys and passwords in query
// strings and bodies, even when they turn up in labels, messages and
// response bodies. The test plants known values in an XML JTL and a HAR,
// runs every command in every format, and searches every byte written.

const (
	secretJWT    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzZWNyZXQtdGVzdCIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXNlY3JldC14eXo"
	secretOpaque = "opaqueTok3nValue1234567890abcdef"
)

var secrets = []string{
	secretJWT,
	"c2lnbmF0dXJlLXNlY3JldC14eXo", // the JWT's signature alone
	secretOpaque,
	"sess-abcdef1234567890",      // Cookie
	"setcookie-secret-987654321", // Set-Cookie
	"AKIAQUERYSECRET111222",      // api_key in a URL
	"hunter2-pass-secret",        // password in a form body and a URL
	"label-secret-token-2222",    // a token in a label
	"resp-access-token-secret-333",
	"msg-bearer-secret-44444444",
}

func secretXML() string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n")
	for i := 0; i < 40; i++ {
		ok, rc, rm := "true", "200", "OK"
		if i%4 == 3 {
			ok, rc, rm = "false", "400", "Bearer msg-bearer-secret-44444444 rejected"
		}
		tok := secretJWT
		if i%2 == 1 {
			tok = secretOpaque
		}
		label := "upload"
		if i%5 == 0 {
			label = "GET /x?token=label-secret-token-2222"
		}
		fmt.Fprintf(&b, `<httpSample t="%d" lt="%d" ts="%d" s="%s" lb="%s" rc="%s" rm="%s" tn="TG 1-%d" dt="text" by="100" ng="%d" na="%d">
  <responseHeader class="java.lang.String">HTTP/1.1 %s X
Set-Cookie: sid=setcookie-secret-987654321; Path=/
</responseHeader>
  <requestHeader class="java.lang.String">Authorization: Bearer %s
Cookie: JSESSIONID=sess-abcdef1234567890
Content-Type: application/x-www-form-urlencoded
</requestHeader>
  <responseData class="java.lang.String">{&quot;message&quot;:&quot;bad&quot;,&quot;access_token&quot;:&quot;resp-access-token-secret-333&quot;}</responseData>
  <method class="java.lang.String">POST</method>
  <queryString class="java.lang.String">user=bob&amp;password=hunter2-pass-secret</queryString>
  <java.net.URL>https://api.example.com/v1/x?api_key=AKIAQUERYSECRET111222&amp;password=hunter2-pass-secret</java.net.URL>
</httpSample>
`, 50+i, 40+i, 1700000000000+int64(i)*500, ok, label, rc, rm, i%8+1, i%8+1, i%8+1, rc, tok)
	}
	b.WriteString("</testResults>\n")
	return b.String()
}

func secretHAR() string {
	var b strings.Builder
	b.WriteString(`{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[`)
	for i := 0; i < 20; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		status := 200
		if i%3 == 2 {
			status = 401
		}
		fmt.Fprintf(&b, `{"startedDateTime":"2026-11-26T00:00:%02d.000Z","time":%d,
"request":{"method":"POST","url":"https://api.example.com/v1/x?api_key=AKIAQUERYSECRET111222&password=hunter2-pass-secret","httpVersion":"HTTP/1.1",
"headers":[{"name":"Authorization","value":"Bearer %s"},{"name":"Cookie","value":"JSESSIONID=sess-abcdef1234567890"}],
"cookies":[{"name":"JSESSIONID","value":"sess-abcdef1234567890"}],"queryString":[],"headersSize":-1,"bodySize":-1,
"postData":{"mimeType":"application/x-www-form-urlencoded","text":"user=bob&password=hunter2-pass-secret"}},
"response":{"status":%d,"statusText":"Bearer msg-bearer-secret-44444444","httpVersion":"HTTP/1.1",
"headers":[{"name":"Set-Cookie","value":"sid=setcookie-secret-987654321"}],"cookies":[],
"content":{"size":80,"mimeType":"application/json","text":"{\"error\":\"invalid_token\",\"access_token\":\"resp-access-token-secret-333\"}"},
"redirectURL":"","headersSize":-1,"bodySize":80},"cache":{},"timings":{"send":0,"wait":%d,"receive":1}}`, i, 20+i, secretJWT, status, 19+i)
	}
	b.WriteString("]}}\n")
	return b.String()
}

func TestNoSecretInAnyOutput(t *testing.T) {
	dir := t.TempDir()
	xml := filepath.Join(dir, "secrets.xml")
	har := filepath.Join(dir, "secrets.har")
	if err := os.WriteFile(xml, []byte(secretXML()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(har, []byte(secretHAR()), 0o644); err != nil {
		t.Fatal(err)
	}
	var runs [][]string
	for _, in := range []string{xml, har} {
		for _, f := range []string{"table", "json", "csv", "markdown"} {
			runs = append(runs, []string{"summary", "--format", f, in})
		}
		for _, f := range []string{"table", "json", "markdown"} {
			runs = append(runs, []string{"diagnose", "--format", f, "--attribution", filepath.Join(dir, "attr-"+f+filepath.Ext(in)+".csv"), in})
			runs = append(runs, []string{"compare", "--format", f, "--resamples", "49", in, "--", in})
		}
		runs = append(runs, []string{"report", "-o", filepath.Join(dir, "report"+filepath.Ext(in)), in})
	}
	// A bad flag value and a missing file echo input back in errors.
	runs = append(runs, []string{"summary", "--input-format", "xml", filepath.Join(dir, "missing?api_key=AKIAQUERYSECRET111222")})
	for i, args := range runs {
		out, errOut, code := jtlscope(t, "", args...)
		if i < len(runs)-1 && code != exitOK {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(errOut, s) {
				t.Errorf("%v: output contains the secret %q", args, s)
			}
		}
	}
	// Every file written: attribution CSVs, the reports' HTML, Markdown,
	// SVG, CSV and JSON (PNG text is drawn, but search it too).
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || p == xml || p == har {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains the secret %q", p, s)
			}
		}
		return nil
	})
	if n < 20 {
		t.Fatalf("only %d output files searched: the commands did not write their outputs", n)
	}
}
