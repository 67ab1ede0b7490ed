package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// decodeAll reads every entry of data and returns how many there were.
func decodeAll(tb testing.TB, data []byte, opts samples.Options) int {
	d, err := NewDecoder(bytes.NewReader(data), "bench.har", opts)
	if err != nil {
		tb.Fatal(err)
	}
	var s samples.Sample
	n := 0
	for {
		err := d.Decode(&s)
		if err == io.EOF {
			return n
		}
		var pe *samples.ParseError
		if err != nil && !errors.As(err, &pe) {
			tb.Fatal(err)
		}
		if err == nil {
			n++
		}
	}
}

func benchFile(b *testing.B, pattern string, opts samples.Options) {
	_, data := readPublic(b, pattern)
	benchData(b, data, opts)
}

func benchData(b *testing.B, data []byte, opts samples.Options) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		decodeAll(b, data, opts)
	}
}

func BenchmarkDecode(b *testing.B) {
	summary := samples.Options{Need: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode | samples.FieldSuccess}
	for _, f := range []struct{ name, pattern string }{
		{"304", "*304.har"},
		{"timed_out", "*timed_out.har"},
		{"safari", "*safari.har"},
	} {
		b.Run(f.name, func(b *testing.B) { benchFile(b, f.pattern, samples.Options{}) })
		b.Run(f.name+"/summary", func(b *testing.B) { benchFile(b, f.pattern, summary) })
	}
	big := syntheticHAR(2000)
	b.Run("synthetic", func(b *testing.B) { benchData(b, big, samples.Options{}) })
	b.Run("synthetic/summary", func(b *testing.B) { benchData(b, big, summary) })
}

// syntheticHAR builds a Chrome-style HAR (indented, as DevTools writes it)
// of n entries: multipart uploads with a bearer token and JSON responses,
// alternating with GETs of a JSON resource.
func syntheticHAR(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n    \"pages\": [],\n    \"entries\": [\n")
	part := strings.Repeat("0123456789abcdef", 256) // 4 KB of "file"
	jsonBody := `{\"id\":\"4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b\",\"status\":\"accepted\",\"items\":[` + strings.Repeat(`{\"k\":\"value\",\"n\":12345},`, 40) + `{}]}`
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		id := fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i*7919)
		method, url, post := "GET", "https://api.example.com/v2/recordings/"+id+"?include=meta", ""
		if i%2 == 0 {
			method, url = "POST", "https://api.example.com/v2/recordings/"+id+"/upload"
			body := "--X-BOUNDARY-" + id + "\\r\\nContent-Disposition: form-data; name=\\\"meta\\\"\\r\\n\\r\\n{\\\"recordingId\\\":\\\"" + id + "\\\"}\\r\\n--X-BOUNDARY-" + id +
				"\\r\\nContent-Disposition: form-data; name=\\\"file\\\"; filename=\\\"screen.webm\\\"\\r\\nContent-Type: video/webm\\r\\n\\r\\n" + part + "\\r\\n--X-BOUNDARY-" + id + "--\\r\\n"
			post = `,
          "postData": {
            "mimeType": "multipart/form-data; boundary=X-BOUNDARY-` + id + `",
            "text": "` + body + `",
            "params": [
              {"name": "meta", "value": "{\"recordingId\":\"` + id + `\"}"},
              {"name": "file", "fileName": "screen.webm", "contentType": "video/webm", "value": "(binary)"}
            ]
          }`
		}
		fmt.Fprintf(&b, `      {
        "_initiator": {"type": "script", "stack": {"callFrames": [{"functionName": "upload", "url": "https://app.example.com/main.js", "lineNumber": 1, "columnNumber": 2}]}},
        "_priority": "High",
        "_resourceType": "fetch",
        "cache": {},
        "connection": "443",
        "request": {
          "method": "%s",
          "url": "%s",
          "httpVersion": "http/2.0",
          "headers": [
            {"name": ":authority", "value": "api.example.com"},
            {"name": ":method", "value": "%s"},
            {"name": "accept", "value": "application/json"},
            {"name": "accept-encoding", "value": "gzip, deflate, br"},
            {"name": "authorization", "value": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLSVkIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"},
            {"name": "content-type", "value": "multipart/form-data; boundary=X-BOUNDARY-%s"},
            {"name": "user-agent", "value": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},
            {"name": "x-request-id", "value": "%s"}
          ],
          "queryString": [],
          "cookies": [{"name": "session", "value": "s3cr3t", "path": "/", "domain": "api.example.com", "expires": null, "httpOnly": true, "secure": true}],
          "headersSize": -1,
          "bodySize": 4400%s
        },
        "response": {
          "status": %d,
          "statusText": "",
          "httpVersion": "http/2.0",
          "headers": [
            {"name": "content-type", "value": "application/json; charset=utf-8"},
            {"name": "date", "value": "Mon, 13 Nov 2023 10:00:%02d GMT"},
            {"name": "retry-after", "value": "1"},
            {"name": "server", "value": "envoy"},
            {"name": "x-request-id", "value": "%s"}
          ],
          "cookies": [],
          "content": {
            "size": 1200,
            "mimeType": "application/json",
            "text": "%s"
          },
          "redirectURL": "",
          "headersSize": -1,
          "bodySize": 640,
          "_transferSize": 900,
          "_error": null
        },
        "serverIPAddress": "203.0.113.10",
        "startedDateTime": "2023-11-13T10:00:%02d.%03dZ",
        "time": 123.456,
        "timings": {
          "blocked": 1.5,
          "dns": -1,
          "ssl": -1,
          "connect": -1,
          "send": 0.2,
          "wait": 110.1,
          "receive": 11.656,
          "_blocked_queueing": 1.2
        }
      }`, method, url, method, id, id, post, []int{200, 201, 429, 400}[i%4], i%60, id, jsonBody, i%60, i%1000)
	}
	b.WriteString("\n    ]\n  }\n}\n")
	return []byte(b.String())
}

// What the encoding/json alternatives decode per entry: the same members
// the hand-written reader takes.
type cmpNV struct{ Name, Value string }
type cmpEntry struct {
	StartedDateTime string
	Time            float64
	Request         struct {
		Method, URL           string
		Headers               []cmpNV
		HeadersSize, BodySize float64
		PostData              *struct {
			MimeType, Text string
			Params         []struct {
				Name, FileName string
				Value          json.RawMessage
			}
		}
	}
	Response struct {
		Status                float64
		StatusText            string
		Headers               []cmpNV
		HeadersSize, BodySize float64
		TransferSize          float64 `json:"_transferSize"`
		Error                 string  `json:"_error"`
		Content               struct {
			Size           float64
			Text, Encoding string
		}
	}
	Timings struct{ Blocked, DNS, Connect, SSL, Send, Wait, Receive float64 }
}

// BenchmarkEncodingJSON measures the alternatives to the hand-written
// entry reader, decoding the same members into a struct: /unmarshal has
// our framing scanner find each entry and json.Unmarshal decode it;
// /decoder walks to "entries" with json.Decoder.Token and Decodes each
// entry. /ours is BenchmarkDecode on the same file, for comparison.
func BenchmarkEncodingJSON(b *testing.B) {
	for _, f := range []struct{ name, pattern string }{{"304", "*304.har"}, {"timed_out", "*timed_out.har"}, {"safari", "*safari.har"}} {
		_, data := readPublic(b, f.pattern)
		b.Run(f.name+"/unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				d, _ := NewDecoder(bytes.NewReader(data), "x", samples.Options{})
				for {
					raw, err := d.next()
					if err == io.EOF {
						break
					}
					var e cmpEntry
					json.Unmarshal(raw, &e)
				}
			}
		})
		b.Run(f.name+"/decoder", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				dec := json.NewDecoder(bytes.NewReader(data))
				dec.Token()
				for t, _ := dec.Token(); t != "log"; t, _ = dec.Token() {
					var skip json.RawMessage
					dec.Decode(&skip)
				}
				dec.Token()
				for t, _ := dec.Token(); t != "entries"; t, _ = dec.Token() {
					var skip json.RawMessage
					dec.Decode(&skip)
				}
				dec.Token()
				for dec.More() {
					var e cmpEntry
					if err := dec.Decode(&e); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(f.name+"/ours", func(b *testing.B) { benchData(b, data, samples.Options{}) })
	}
}
