package multipart

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// s4-boundary (shared data) is a real JMeter 2.13 run: 15 "desktop agents" threads
// upload well-formed bodies, 5 "legacy agents" threads send a hand-set
// Content-Type with a boundary their bodies do not use. truth.jsonl is
// the server's verdict on every upload.

// illegalRef matches the character references XStream writes for control
// characters, which XML 1.0 (and encoding/xml) refuses.
var illegalRef = regexp.MustCompile(`&#x(?:[0-8bcefBCEF]|1[0-9a-fA-F]);`)

type xmlSample struct {
	Label         string  `xml:"lb,attr"`
	Thread        string  `xml:"tn,attr"`
	Code          string  `xml:"rc,attr"`
	RecID         string  `xml:"recId,attr"`
	RequestHeader *string `xml:"requestHeader"`
	QueryString   *string `xml:"queryString"`
}

// readS4 decodes the uploads of results.xml into Samples by hand, the way
// the XML decoder will, so that this package can be tested before it
// exists.
func readS4(t *testing.T) []samples.Sample {
	t.Helper()
	raw, err := os.ReadFile(samplestest.Path(t, "jmeter/s4-boundary/results.xml"))
	if err != nil {
		t.Fatal(err)
	}
	raw = illegalRef.ReplaceAll(raw, nil)
	d := xml.NewDecoder(bytes.NewReader(raw))
	var out []samples.Sample
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "httpSample" {
			continue
		}
		line, _ := d.InputPos()
		var x xmlSample
		if err := d.DecodeElement(&x, &se); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		s := samples.Sample{
			Source: "results.xml", Line: line, Label: x.Label, Thread: x.Thread, Code: x.Code,
			Kind: samples.KindHTTP, Vars: []samples.Var{{Name: "recId", Value: x.RecID}},
		}
		if x.RequestHeader != nil {
			s.Has |= samples.FieldRequestHeaders
			for _, l := range strings.Split(*x.RequestHeader, "\n") {
				if name, value, ok := strings.Cut(l, ":"); ok {
					s.RequestHeaders = append(s.RequestHeaders, samples.Header{Name: name, Value: strings.TrimSpace(value)})
				}
			}
		}
		if x.QueryString != nil {
			s.Has |= samples.FieldRequestBody
			s.RequestBody, s.RequestBodyIs = *x.QueryString, samples.BodySaved
		}
		out = append(out, s)
	}
	return out
}

func TestRealS4Boundary(t *testing.T) {
	all := readS4(t)
	c := New()
	checks := map[string]Check{} // by recording id
	var legacy, desktop int
	for i := range all {
		s := &all[i]
		ch := c.Observe(s)
		if s.Label != "upload screen recording" {
			if ch.Multipart {
				t.Errorf("line %d: %q is not an upload but found multipart", s.Line, s.Label)
			}
			continue
		}
		id, _ := s.Var("recId")
		checks[id] = ch
		if !ch.Multipart || !ch.Checked {
			t.Errorf("line %d: upload not checked: %+v", s.Line, ch)
			continue
		}
		// The duplicate-ID analysis reads the id from the form.
		if len(ch.Fields) == 0 || ch.Fields[0].Name != "recordingId" || ch.Fields[0].Value != id {
			t.Errorf("line %d: fields %+v, want recordingId %s first", s.Line, ch.Fields, id)
		}
		switch {
		case strings.HasPrefix(s.Thread, "legacy agents"):
			legacy++
			if !ch.Has(BoundaryMismatch) || ch.Boundary != legacyBoundary || ch.BodyBoundary == legacyBoundary {
				t.Errorf("line %d: legacy upload: %+v", s.Line, ch)
			}
		case strings.HasPrefix(s.Thread, "desktop agents"):
			desktop++
			if ch.Worst() == Error {
				t.Errorf("line %d: desktop upload with an error: %+v", s.Line, ch.Anomalies)
			}
		default:
			t.Errorf("line %d: unexpected thread %q", s.Line, s.Thread)
		}
	}
	if legacy == 0 || desktop == 0 {
		t.Fatalf("%d legacy and %d desktop uploads", legacy, desktop)
	}

	// The server's verdicts, joined by recording id.
	f, err := os.Open(samplestest.Path(t, "jmeter/s4-boundary/truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rejected, accepted int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v struct {
			ID     string `json:"recording_id"`
			Status int    `json:"status"`
			Cause  string `json:"cause"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		ch, ok := checks[v.ID]
		if !ok {
			t.Errorf("verdict for %s, which no upload has", v.ID)
			continue
		}
		switch {
		case v.Cause == "boundary":
			rejected++
			if ch.Worst() != Error || !ch.Has(BoundaryMismatch) {
				t.Errorf("%s: server rejected its boundary, Inspect found %+v", v.ID, ch.Anomalies)
			}
		case v.Status < 300:
			accepted++
			if ch.Worst() == Error {
				t.Errorf("%s: server accepted it, Inspect found %+v", v.ID, ch.Anomalies)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rejected != legacy || accepted != desktop {
		t.Errorf("server rejected %d and accepted %d; the file has %d legacy and %d desktop uploads", rejected, accepted, legacy, desktop)
	}

	r := c.Result()
	if r.Multipart != int64(legacy+desktop) || r.BadRequests != int64(legacy) || r.BadRequestsWithErrors != r.BadRequests {
		t.Errorf("result: %d multipart, %d answered 400, %d of them explained", r.Multipart, r.BadRequests, r.BadRequestsWithErrors)
	}
	// HttpClient draws a fresh boundary per request: only the hand-set
	// header repeats.
	b := r.Boundaries
	if b.ReusedRequests != int64(legacy-1) || len(b.Top) != 1 || b.Top[0].Boundary != legacyBoundary || b.Top[0].Requests != int64(legacy) {
		t.Errorf("boundaries: %+v", b)
	}
	t.Logf("%d uploads: %d legacy, %d desktop; anomalies:", legacy+desktop, legacy, desktop)
	for _, k := range r.Anomalies {
		t.Logf("  %-26s %-7s %5d requests, %5d answered 400; e.g. %s", k.Kind, k.Severity, k.Requests, k.BadRequests, k.Examples[0].Detail)
	}
}
