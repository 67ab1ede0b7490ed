package main

import (
	"bufio"
	"strconv"
	"time"
)

// An encoder writes samples in one format.
type encoder interface {
	begin() error
	sample(s *sample) error
	end() error
}

func newEncoder(format, columns string, w *bufio.Writer) encoder {
	switch format {
	case "xml":
		return &xmlEnc{w: w}
	case "har":
		return &harEnc{w: w}
	}
	return &csvEnc{w: w, v213: columns == "2.13"}
}

var (
	messages = map[int]string{200: "OK", 201: "Created", 400: "Bad Request", 429: "Too Many Requests"}
	paths    = []string{"/oauth/token", "/api/v2/recordings/screen", "/api/v2/recordings/screen/"}
	methods  = []string{"POST", "POST", "GET"}
)

const host = "http://127.0.0.1:18080"

func threadName(s *sample) string {
	if s.thread == 0 {
		return "setUp token 1-1"
	}
	return "desktop agents 1-" + strconv.Itoa(s.thread)
}

func url(s *sample) string {
	u := host + paths[s.label]
	if s.label == 2 {
		u += s.recID
	}
	return u
}

func bytesOf(s *sample) int {
	switch {
	case s.label == 0:
		return 372
	case s.code >= 400:
		return 261
	case s.label == 1:
		return 177
	}
	return 173
}

// csvEnc writes JMeter 5.x's default 17 columns plus the sample variable
// recId, with a header line; with v213, the columns of the real runs in
// shared/data/jmeter instead (JMeter 2.13 with hostname and connect time
// saved: no sentBytes, Hostname after Latency), with the recording ID
// set on every row as their test plan sets it.
type csvEnc struct {
	w    *bufio.Writer
	buf  []byte
	v213 bool
}

func (e *csvEnc) begin() error {
	h := "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect,\"recId\"\n"
	if e.v213 {
		h = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,URL,Latency,Hostname,IdleTime,Connect,\"recId\"\n"
	}
	_, err := e.w.WriteString(h)
	return err
}

func (e *csvEnc) sample(s *sample) error {
	b := e.buf[:0]
	b = strconv.AppendInt(b, s.start, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, s.elapsed, 10)
	b = append(b, ',')
	b = append(b, labels[s.label]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.code), 10)
	b = append(b, ',')
	b = append(b, messages[s.code]...)
	b = append(b, ',')
	b = append(b, threadName(s)...)
	b = append(b, ",text,"...)
	b = strconv.AppendBool(b, s.ok)
	b = append(b, ',', ',')
	b = strconv.AppendInt(b, int64(bytesOf(s)), 10)
	b = append(b, ',')
	if !e.v213 {
		sent := 250
		if s.label == 1 {
			sent = 20599
		}
		b = strconv.AppendInt(b, int64(sent), 10)
		b = append(b, ',')
	}
	b = strconv.AppendInt(b, int64(s.grp), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.all), 10)
	b = append(b, ',')
	b = append(b, url(s)...)
	b = append(b, ',')
	b = strconv.AppendInt(b, s.latency, 10)
	if e.v213 {
		b = append(b, ",vm"...)
	}
	b = append(b, ",0,"...)
	b = strconv.AppendInt(b, s.connect, 10)
	b = append(b, ',')
	b = append(b, s.recID...)
	b = append(b, '\n')
	e.buf = b
	_, err := e.w.Write(b)
	return err
}

func (e *csvEnc) end() error { return nil }

// xmlEnc writes JMeter's XML with request headers, the multipart body in
// queryString and the response body of failures, as in the real runs.
type xmlEnc struct {
	w   *bufio.Writer
	buf []byte
}

func (e *xmlEnc) begin() error {
	_, err := e.w.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n")
	return err
}

func (e *xmlEnc) sample(s *sample) error {
	b := e.buf[:0]
	b = append(b, `<httpSample t="`...)
	b = strconv.AppendInt(b, s.elapsed, 10)
	b = append(b, `" it="0" lt="`...)
	b = strconv.AppendInt(b, s.latency, 10)
	b = append(b, `" ct="`...)
	b = strconv.AppendInt(b, s.connect, 10)
	b = append(b, `" ts="`...)
	b = strconv.AppendInt(b, s.start, 10)
	b = append(b, `" s="`...)
	b = strconv.AppendBool(b, s.ok)
	b = append(b, `" lb="`...)
	b = append(b, labels[s.label]...)
	b = append(b, `" rc="`...)
	b = strconv.AppendInt(b, int64(s.code), 10)
	b = append(b, `" rm="`...)
	b = append(b, messages[s.code]...)
	b = append(b, `" tn="`...)
	b = append(b, threadName(s)...)
	b = append(b, `" dt="text" by="`...)
	b = strconv.AppendInt(b, int64(bytesOf(s)), 10)
	b = append(b, `" ng="`...)
	b = strconv.AppendInt(b, int64(s.grp), 10)
	b = append(b, `" na="`...)
	b = strconv.AppendInt(b, int64(s.all), 10)
	b = append(b, `" hn="gen" recId="`...)
	b = append(b, s.recID...)
	b = append(b, "\">\n  <responseHeader class=\"java.lang.String\">HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(s.code), 10)
	b = append(b, ' ')
	b = append(b, messages[s.code]...)
	b = append(b, "\nContent-Type: application/json\n"...)
	if s.retryAfter {
		b = append(b, "Retry-After: 1\n"...)
	}
	b = append(b, "</responseHeader>\n  <requestHeader class=\"java.lang.String\">Connection: keep-alive\n"...)
	if s.token != "" {
		b = append(b, "Authorization: Bearer "...)
		b = append(b, s.token...)
		b = append(b, '\n')
	}
	if s.label == 1 {
		b = append(b, "x-genesys-recording-id: "...)
		b = append(b, s.recID...)
		b = append(b, "\nContent-Type: multipart/form-data; boundary="...)
		b = append(b, s.headerBoundary...)
		b = append(b, '\n')
	}
	b = append(b, "Host: 127.0.0.1:18080\nUser-Agent: Apache-HttpClient/4.5.14 (Java/17.0.15)\n</requestHeader>\n"...)
	if !s.ok {
		b = append(b, `  <responseData class="java.lang.String">{&quot;message&quot;:&quot;invalid request payload&quot;,&quot;code&quot;:&quot;bad.request&quot;,&quot;status&quot;:400}</responseData>`+"\n"...)
	}
	b = append(b, "  <method class=\"java.lang.String\">"...)
	b = append(b, methods[s.label]...)
	b = append(b, "</method>\n  <queryString class=\"java.lang.String\">"...)
	switch s.label {
	case 0:
		b = append(b, "grant_type=client_credentials"...)
	case 1:
		b = multipartBody(b, s, "&#xd;\n", true)
	}
	b = append(b, "</queryString>\n  <java.net.URL>"...)
	b = append(b, url(s)...)
	b = append(b, "</java.net.URL>\n</httpSample>\n"...)
	e.buf = b
	_, err := e.w.Write(b)
	return err
}

func (e *xmlEnc) end() error {
	_, err := e.w.WriteString("\n</testResults>\n")
	return err
}

// multipartBody appends the upload body as JMeter saves it, with nl as
// the line break (XML: "&#xd;\n", JSON: "\r\n").
func multipartBody(b []byte, s *sample, nl string, xmlEscape bool) []byte {
	q := `"`
	lt, gt := "<", ">"
	if xmlEscape {
		q, lt, gt = "&quot;", "&lt;", "&gt;"
	} else {
		q = `\"`
	}
	part := func(name, ctype, value string) {
		b = append(b, "--"...)
		b = append(b, s.boundary...)
		b = append(b, nl...)
		b = append(b, "Content-Disposition: form-data; name="+q+name+q...)
		if name == "file" {
			b = append(b, "; filename="+q+"clip.webm"+q...)
		}
		b = append(b, nl...)
		b = append(b, "Content-Type: "+ctype+nl+nl...)
		b = append(b, value...)
		b = append(b, nl...)
	}
	part("recordingId", "text/plain; charset=US-ASCII", s.recID)
	part("metadata", "text/plain; charset=US-ASCII", "{"+q+"media"+q+":"+q+"screen"+q+"}")
	part("file", "video/webm", lt+"actual file content, not shown here"+gt)
	b = append(b, "--"...)
	b = append(b, s.boundary...)
	b = append(b, "--"...)
	b = append(b, nl...)
	return b
}

// harEnc writes a HAR 1.2 log, one entry per sample, as a browser or a
// proxy in front of the load generator would capture it.
type harEnc struct {
	w     *bufio.Writer
	buf   []byte
	first bool
}

func (e *harEnc) begin() error {
	e.first = true
	_, err := e.w.WriteString(`{"log":{"version":"1.2","creator":{"name":"jtlscope gen","version":"1"},"pages":[],"entries":[` + "\n")
	return err
}

func (e *harEnc) sample(s *sample) error {
	b := e.buf[:0]
	if !e.first {
		b = append(b, ",\n"...)
	}
	e.first = false
	b = append(b, `{"startedDateTime":"`...)
	b = time.UnixMilli(s.start).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","time":`...)
	b = strconv.AppendInt(b, s.elapsed, 10)
	b = append(b, `,"request":{"method":"`...)
	b = append(b, methods[s.label]...)
	b = append(b, `","url":"`...)
	b = append(b, url(s)...)
	b = append(b, `","httpVersion":"HTTP/1.1","cookies":[],"headers":[`...)
	if s.token != "" {
		b = append(b, `{"name":"Authorization","value":"Bearer `...)
		b = append(b, s.token...)
		b = append(b, `"},`...)
	}
	if s.label == 1 {
		b = append(b, `{"name":"x-genesys-recording-id","value":"`...)
		b = append(b, s.recID...)
		b = append(b, `"},{"name":"Content-Type","value":"multipart/form-data; boundary=`...)
		b = append(b, s.headerBoundary...)
		b = append(b, `"},`...)
	}
	b = append(b, `{"name":"Host","value":"127.0.0.1:18080"}],"queryString":[],"headersSize":-1,"bodySize":-1`...)
	if s.label == 1 {
		b = append(b, `,"postData":{"mimeType":"multipart/form-data; boundary=`...)
		b = append(b, s.boundary...)
		b = append(b, `","text":"`...)
		b = multipartBody(b, s, `\r\n`, false)
		b = append(b, `"}`...)
	}
	b = append(b, `},"response":{"status":`...)
	b = strconv.AppendInt(b, int64(s.code), 10)
	b = append(b, `,"statusText":"`...)
	b = append(b, messages[s.code]...)
	b = append(b, `","httpVersion":"HTTP/1.1","cookies":[],"headers":[{"name":"Content-Type","value":"application/json"}`...)
	if s.retryAfter {
		b = append(b, `,{"name":"Retry-After","value":"1"}`...)
	}
	b = append(b, `],"content":{"size":`...)
	b = strconv.AppendInt(b, int64(bytesOf(s)), 10)
	b = append(b, `,"mimeType":"application/json"`...)
	if !s.ok {
		b = append(b, `,"text":"{\"message\":\"invalid request payload\",\"code\":\"bad.request\",\"status\":400}"`...)
	}
	b = append(b, `},"redirectURL":"","headersSize":-1,"bodySize":`...)
	b = strconv.AppendInt(b, int64(bytesOf(s)), 10)
	b = append(b, `},"cache":{},"timings":{"blocked":-1,"dns":-1,"connect":`...)
	b = strconv.AppendInt(b, s.connect, 10)
	b = append(b, `,"send":0,"wait":`...)
	b = strconv.AppendInt(b, s.latency, 10)
	b = append(b, `,"receive":`...)
	b = strconv.AppendInt(b, max(s.elapsed-s.latency, 0), 10)
	b = append(b, `}}`...)
	e.buf = b
	_, err := e.w.Write(b)
	return err
}

func (e *harEnc) end() error {
	_, err := e.w.WriteString("\n]}}\n")
	return err
}
