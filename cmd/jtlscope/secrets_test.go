package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Secrets in traces must never reach any output. The test plants every
// kind of secret issue 13 found leaking (and the vendor formats of the
// gitleaks rule set) in every field of every input format, each with a
// value of its own, runs every command in every format, and searches every
// byte written (stdout, stderr, every file of the report directory,
// --attribution) for the values and for their first 12 characters. A leak
// names the field and the kind.

// A secretKind is a way a secret is written; %s is the secret.
type secretKind struct {
	name string
	tmpl string
	// value makes the secret from a unique seed when the kind needs a
	// shape of its own (a vendor prefix, digits); nil: the seed itself.
	value func(seed string) string
}

var secretKinds = []secretKind{
	{name: "query token", tmpl: "GET /x?token=%s"},
	{name: "bearer", tmpl: "Bearer %s"},
	{name: "url user-info", tmpl: "https://admin:%s@host/v1"},
	{name: "xml AWSAccessKeyId", tmpl: "<Error><AWSAccessKeyId>%s</AWSAccessKeyId></Error>"},
	{name: "xml SignatureProvided", tmpl: "<Error><SignatureProvided>%s</SignatureProvided></Error>"},
	{name: "xml password", tmpl: "<login><password>%s</password></login>"},
	{name: "password quoted", tmpl: "password='%s'"},
	{name: "password colon", tmpl: "password: %s"},
	{name: "json newPassword", tmpl: `{"newPassword":"%s"}`},
	{name: "json apiToken", tmpl: `{"apiToken": "%s"}`},
	{name: "json secretKey", tmpl: `{"secretKey":"%s"}`},
	{name: "json password number", tmpl: `{"user":"bob","password":%s}`, value: digits},
	{name: "prose invalid token", tmpl: "Invalid token: %s"},
	{name: "github", tmpl: "upstream refused %s", value: func(s string) string { return "ghp_" + pad(s, 36) }},
	{name: "stripe", tmpl: "charge failed for %s", value: func(s string) string { return "sk_live_" + pad(s, 24) }},
	{name: "aws", tmpl: "key %s denied", value: func(s string) string { return "AKIA" + pad(base32ish(s), 16) }},
	{name: "slack", tmpl: "post with %s", value: func(s string) string { return "xoxb-1234567890-" + pad(s, 24) }},
	{name: "cookie", tmpl: "Cookie: JSESSIONID=%s; theme=dark"},
	{name: "api_key", tmpl: "https://api.example.com/v1/x?api_key=%s&page=2"},
	{name: "basic", tmpl: "Authorization: Basic %s", value: func(s string) string { return base64.StdEncoding.EncodeToString([]byte("bob:" + s)) }},
	{name: "jwt", tmpl: "token %s rejected", value: jwtFor},
	{name: "PRIVATE-TOKEN line", tmpl: "PRIVATE-TOKEN: %s"},
	{name: "X-Goog-Api-Key line", tmpl: "X-Goog-Api-Key: %s"},
	{name: "X-Session-Token line", tmpl: "X-Session-Token: %s"},
	{name: "X-Auth line", tmpl: "X-Auth: %s"},
}

func digits(seed string) string {
	var b strings.Builder
	b.WriteString("97531")
	for _, c := range seed {
		b.WriteByte(byte('0' + int(c)%10))
	}
	return b.String()
}

func pad(s string, n int) string {
	for len(s) < n {
		s += s
	}
	return s[:n]
}

// base32ish maps s onto the AWS key alphabet (capitals, digits 2-7).
func base32ish(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return 'Q' + (r-'0')%8
		}
		return r
	}, strings.ToUpper(s))
}

func jwtFor(seed string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"`+seed+`","iat":1700000000}`)) + "." + enc.EncodeToString([]byte("sig-"+seed))
}

// plant keeps every secret with where it was put.
type plant struct {
	secrets map[string]string // value → "field / kind"
	n       int
}

// put returns the kind's text for field with a fresh secret in it.
func (p *plant) put(field string, k secretKind) string {
	p.n++
	seed := fmt.Sprintf("Zs%02d%03dQx7Wv", len(field)%97, p.n)
	v := seed
	if k.value != nil {
		v = k.value(seed)
	}
	p.secrets[v] = field + " / " + k.name
	return fmt.Sprintf(k.tmpl, v)
}

// raw plants a bare secret (a credential header's or variable's value).
func (p *plant) raw(field string) string {
	p.n++
	v := fmt.Sprintf("Zr%03dRaWsEcReT%03d", p.n, p.n)
	p.secrets[v] = field
	return v
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// secretCSV plants every kind in each text column of a JTL CSV, and raw
// secrets in the credential-named sample variables.
func secretCSV(p *plant) string {
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,Hostname,IdleTime,Connect,\"authToken\",\"sessionToken\",\"csrf\",\"note\"\n")
	fields := []string{"label", "responseCode", "responseMessage", "threadName", "failureMessage", "URL", "Hostname", "note"}
	i := 0
	// The credential variables hold the same values on every row, as a
	// shared token would: they must be seen as credentials, not reused IDs.
	authTok, sessTok, csrf := p.raw("csv var authToken"), p.raw("csv var sessionToken"), p.raw("csv var csrf")
	for _, f := range fields {
		for _, k := range secretKinds {
			vals := map[string]string{"label": "upload", "responseCode": "400", "responseMessage": "Bad Request",
				"threadName": fmt.Sprintf("TG 1-%d", i%8+1), "failureMessage": "", "URL": "http://h/up", "Hostname": "gen1", "note": "n"}
			vals[f] = p.put("csv "+f, k)
			ok := "false"
			if i%3 == 0 {
				ok, vals["responseCode"] = "true", "200"
				if f == "responseCode" {
					ok = "false"
				}
			}
			fmt.Fprintf(&b, "%d,%d,%s,%s,%s,%s,text,%s,%s,100,50,%d,%d,%s,%d,%s,0,0,%s,%s,%s,%s\n",
				1_700_000_000_000+int64(i)*200, 50+i%40, csvQuote(vals["label"]), csvQuote(vals["responseCode"]),
				csvQuote(vals["responseMessage"]), csvQuote(vals["threadName"]), ok, csvQuote(vals["failureMessage"]),
				i%8+1, i%8+1, csvQuote(vals["URL"]), 40+i%40, csvQuote(vals["Hostname"]), authTok, sessTok, csrf, csvQuote(vals["note"]))
			i++
		}
	}
	return b.String()
}

// secretXML plants every kind in the attributes and elements of JMeter's
// XML: label, code, message, thread, hostname, URL, query string (a
// multipart body with an anomaly, so that anomaly examples are printed),
// headers, cookies, response data, assertion messages; and raw secrets in
// credential headers that are not on any fixed list.
func secretXML(p *plant) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n")
	esc := html.EscapeString
	fields := []string{"lb", "rc", "rm", "tn", "hn", "java.net.URL", "queryString", "requestHeader", "responseHeader", "cookies", "responseData", "failureMessage"}
	shared := map[string]string{}
	for _, h := range []string{"PRIVATE-TOKEN", "X-Goog-Api-Key", "X-Session-Token", "X-Auth"} {
		shared[h] = p.raw("xml header " + h)
	}
	i := 0
	for _, f := range fields {
		for _, k := range secretKinds {
			v := map[string]string{"lb": "upload", "rc": "400", "rm": "Bad Request", "tn": fmt.Sprintf("TG 1-%d", i%8+1),
				"hn": "gen1", "java.net.URL": "http://h/up", "queryString": "", "requestHeader": "", "responseHeader": "",
				"cookies": "", "responseData": `{"message":"bad"}`, "failureMessage": "failed"}
			text := p.put("xml "+f, k)
			switch f {
			case "requestHeader", "responseHeader":
				v[f] = "X-Note: " + text + "\n"
			case "queryString":
				// A multipart body whose boundary differs from the header's:
				// an anomaly, whose examples name the label.
				v["lb"] = "POST /up?token=" + p.raw("xml multipart label")
				v[f] = "--other\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n" + text + "\r\n--other--\r\n"
			default:
				v[f] = text
			}
			ok := "false"
			if i%3 == 0 {
				ok, v["rc"] = "true", "200"
			}
			fmt.Fprintf(&b, `<httpSample t="%d" lt="%d" ts="%d" s="%s" lb="%s" rc="%s" rm="%s" tn="%s" hn="%s" dt="text" by="100" sby="50" ng="%d" na="%d">
  <requestHeader class="java.lang.String">Content-Type: multipart/form-data; boundary=declared
PRIVATE-TOKEN: %s
X-Goog-Api-Key: %s
X-Session-Token: %s
X-Auth: %s
Authorization: Bearer %s
%s</requestHeader>
  <responseHeader class="java.lang.String">HTTP/1.1 %s X
%s</responseHeader>
  <responseData class="java.lang.String">%s</responseData>
  <cookies class="java.lang.String">%s</cookies>
  <method class="java.lang.String">POST</method>
  <queryString class="java.lang.String">%s</queryString>
  <java.net.URL>%s</java.net.URL>
  <assertionResult><name>check</name><failure>true</failure><error>false</error><failureMessage>%s</failureMessage></assertionResult>
</httpSample>
`, 50+i%40, 40+i%40, 1_700_000_000_000+int64(i)*200, ok, esc(v["lb"]), esc(v["rc"]), esc(v["rm"]), esc(v["tn"]), esc(v["hn"]),
				i%8+1, i%8+1, shared["PRIVATE-TOKEN"], shared["X-Goog-Api-Key"], shared["X-Session-Token"], shared["X-Auth"],
				p.raw("xml authorization"), esc(v["requestHeader"]), esc(v["rc"]), esc(v["responseHeader"]), esc(v["responseData"]),
				esc(v["cookies"]), esc(v["queryString"]), esc(v["java.net.URL"]), esc(v["failureMessage"]))
			i++
		}
	}
	b.WriteString("</testResults>\n")
	return b.String()
}

// secretHAR plants every kind in a HAR's URL, headers, cookies, query
// string, post data and its params, status text, response headers and
// content, and comment.
func secretHAR(p *plant) string {
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	fields := []string{"url", "request header", "cookie", "queryString", "postData", "param", "statusText", "response header", "content", "comment"}
	var entries []string
	i := 0
	for _, f := range fields {
		for _, k := range secretKinds {
			text := p.put("har "+f, k)
			url := "https://api.example.com/v1/up"
			v := map[string]string{"request header": "n", "cookie": "c", "queryString": "q", "postData": "a=b", "param": "p",
				"statusText": "Bad Request", "response header": "n", "content": `{"message":"bad"}`, "comment": ""}
			if f == "url" {
				url = "https://api.example.com/v1/up?note=" + strings.ReplaceAll(text, " ", "+")
				if strings.HasPrefix(text, "https://") {
					url = text
				}
			} else {
				v[f] = text
			}
			status := 400
			if i%3 == 0 {
				status = 200
			}
			entries = append(entries, fmt.Sprintf(`{"startedDateTime":"2026-11-26T00:%02d:%02d.000Z","time":%d,"comment":%s,
"request":{"method":"POST","url":%s,"httpVersion":"HTTP/1.1",
"headers":[{"name":"Authorization","value":"Bearer %s"},{"name":"PRIVATE-TOKEN","value":"%s"},{"name":"X-Note","value":%s}],
"cookies":[{"name":"JSESSIONID","value":%s}],"queryString":[{"name":"note","value":%s}],"headersSize":-1,"bodySize":-1,
"postData":{"mimeType":"application/x-www-form-urlencoded","text":%s,"params":[{"name":"note","value":%s}]}},
"response":{"status":%d,"statusText":%s,"httpVersion":"HTTP/1.1",
"headers":[{"name":"X-Note","value":%s}],"cookies":[],
"content":{"size":20,"mimeType":"application/json","text":%s},
"redirectURL":"","headersSize":-1,"bodySize":20},"cache":{},"timings":{"send":0,"wait":%d,"receive":1}}`,
				i/60, i%60, 20+i%40, js(v["comment"]), js(url), p.raw("har authorization"), p.raw("har private-token"), js(v["request header"]),
				js(v["cookie"]), js(v["queryString"]), js(v["postData"]), js(v["param"]), status, js(v["statusText"]),
				js(v["response header"]), js(v["content"]), 19+i%40))
			i++
		}
	}
	return `{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[` + strings.Join(entries, ",\n") + "]}}\n"
}

func TestNoSecretInAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every command on every format")
	}
	dir := t.TempDir()
	p := &plant{secrets: map[string]string{}}
	inputs := map[string]string{"secrets.csv": secretCSV(p), "secrets.xml": secretXML(p), "secrets.har": secretHAR(p)}
	var paths []string
	for name, content := range inputs {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	var runs [][]string
	for _, in := range paths {
		ext := filepath.Ext(in)
		for _, f := range []string{"table", "json", "csv", "markdown"} {
			runs = append(runs, []string{"summary", "--format", f, in})
		}
		for _, f := range []string{"table", "json", "markdown"} {
			runs = append(runs, []string{"diagnose", "--format", f, "--attribution", filepath.Join(out, "attr-"+f+ext+".csv"), in})
			runs = append(runs, []string{"compare", "--format", f, "--resamples", "19", in, "--", in})
		}
		runs = append(runs, []string{"report", "-o", filepath.Join(out, "report"+ext), in})
	}
	runs = append(runs, []string{"summary", paths[0], paths[1], paths[2]})
	// Errors echo input back: a missing file, a file that is not a JTL.
	runs = append(runs, []string{"summary", filepath.Join(dir, "missing?api_key="+p.raw("file name"))})
	notJTL := filepath.Join(dir, "notjtl.csv")
	os.WriteFile(notJTL, []byte("password,"+p.raw("not a JTL header")+"\nx,y\n"), 0o644)
	runs = append(runs, []string{"summary", notJTL})

	var outputs []string
	for _, args := range runs {
		stdout, stderr, code := jtlscope(t, "", args...)
		if args[0] != "summary" || len(args) > 2 && args[1] == "--format" {
			if code != exitOK && code != exitSLA {
				t.Errorf("%v: exit %d: %s", args, code, stderr)
			}
		}
		outputs = append(outputs, strings.Join(args, " ")+" (stdout)\x00"+stdout, strings.Join(args, " ")+" (stderr)\x00"+stderr)
		if args[0] == "diagnose" && args[2] == "json" {
			checkCredentialsAreNotIDs(t, args, stdout)
		}
	}
	n := 0
	filepath.Walk(out, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || strings.HasSuffix(path, ".png") {
			return err // PNG text is drawn as pixels
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		outputs = append(outputs, path+"\x00"+string(b))
		return nil
	})
	if n < 30 {
		t.Fatalf("only %d output files: the commands did not write their outputs", n)
	}
	leaks := map[string]bool{}
	for _, o := range outputs {
		where, text, _ := strings.Cut(o, "\x00")
		for s, field := range p.secrets {
			if strings.Contains(text, s) || strings.Contains(text, s[:12]) {
				key := field + " → " + where
				if !leaks[key] {
					leaks[key] = true
					i := strings.Index(text, s[:12])
					t.Errorf("%s: a secret planted in %s leaks: …%s…", where, field, text[max(0, i-60):min(len(text), i+60)])
				}
			}
		}
	}
	if len(p.secrets) < 3*len(secretKinds) {
		t.Fatalf("only %d secrets planted", len(p.secrets))
	}
}

// Credentials in headers and variables that no fixed list names are not
// reused IDs: the duplicate-ID evidence must not be about them.
func checkCredentialsAreNotIDs(t *testing.T, args []string, out string) {
	t.Helper()
	var res struct {
		Verdict string `json:"verdict"`
		Causes  []struct {
			Cause    string          `json:"cause"`
			Evidence json.RawMessage `json:"evidence"`
		} `json:"causes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Errorf("%v: %v", args, err)
		return
	}
	loc := regexp.MustCompile(`(?i)"location":\s*"(header:(private-token|x-goog-api-key|x-session-token|x-auth|authorization)|var:(authToken|sessionToken|csrf))"`)
	for _, c := range res.Causes {
		if c.Cause == "duplicate-id" {
			if m := loc.FindString(string(c.Evidence)); m != "" {
				t.Errorf("%v: a credential taken for an ID: %s", args, m)
			}
		}
	}
	if strings.Contains(strings.ToLower(res.Verdict), "private-token") {
		t.Errorf("%v: verdict %q", args, res.Verdict)
	}
}
