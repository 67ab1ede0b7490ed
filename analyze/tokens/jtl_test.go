package tokens

// Minimal readers for the real JMeter runs, written here because the
// project's decoders are not ready yet. They read just what this package
// needs and fail the test on anything unexpected.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// runDir returns the folder of a shared run, skipping the test when the
// shared data is not there.
func runDir(t testing.TB, name string) string {
	return samplestest.Path(t, "jmeter/"+name)
}

// jtlSample is a sample and the recId it carried.
type jtlSample struct {
	samples.Sample
	recID string
}

// illegalRef matches character references to code points XML 1.0 forbids,
// which JMeter writes for control characters in bodies.
var illegalRef = regexp.MustCompile(`&#(x0*([0-8bBcCeE]|1[0-9a-fA-F])|0*([0-8]|1[124-9]|2[0-9]|3[01]));`)

// xmlCache keeps parsed XML files: several tests read the same large
// file, and encoding/xml takes seconds over it.
var xmlCache = map[string][]jtlSample{}

// readXML reads the httpSample and sample elements of a JTL XML file,
// sorted by start time. Callers must not modify the samples.
func readXML(t testing.TB, path string) []jtlSample {
	if ss, ok := xmlCache[path]; ok {
		return ss
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = illegalRef.ReplaceAll(data, nil)
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []jtlSample
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "httpSample" || se.Name.Local == "sample") {
			out = append(out, readXMLSample(t, dec, se))
		}
	}
	sortByStart(out)
	xmlCache[path] = out
	return out
}

func readXMLSample(t testing.TB, dec *xml.Decoder, se xml.StartElement) jtlSample {
	var s jtlSample
	s.Has = samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread |
		samples.FieldCode | samples.FieldSuccess | samples.FieldHostname
	s.SampleCount = 1
	if se.Name.Local == "httpSample" {
		s.Kind = samples.KindHTTP
	}
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "ts":
			s.Start = time.UnixMilli(atoi(t, a.Value))
		case "t":
			s.Elapsed = time.Duration(atoi(t, a.Value)) * time.Millisecond
		case "lb":
			s.Label = a.Value
		case "tn":
			s.Thread = a.Value
		case "rc":
			s.Code = a.Value
		case "s":
			s.Success = a.Value == "true"
		case "hn":
			s.Hostname = a.Value
		case "recId":
			s.recID = a.Value
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("reading sample %q: %v", s.Label, err)
		}
		switch el := tok.(type) {
		case xml.EndElement:
			return s
		case xml.StartElement:
			if el.Name.Local == "httpSample" || el.Name.Local == "sample" {
				s.Children = append(s.Children, readXMLSample(t, dec, el).Sample)
				continue
			}
			var text string
			if err := dec.DecodeElement(&text, &el); err != nil {
				t.Fatalf("reading %s of %q: %v", el.Name.Local, s.Label, err)
			}
			switch el.Name.Local {
			case "requestHeader":
				s.RequestHeaders = parseHeaders(text)
				s.Has |= samples.FieldRequestHeaders
			case "responseData":
				s.ResponseBody, s.ResponseBodyIs = text, samples.BodySaved
				s.Has |= samples.FieldResponseBody
			case "queryString":
				s.RequestBody, s.RequestBodyIs = text, samples.BodySaved
				s.Has |= samples.FieldRequestBody
			case "method":
				s.Method = text
				s.Has |= samples.FieldMethod
			case "java.net.URL":
				s.URL = text
				s.Has |= samples.FieldURL
			}
		}
	}
}

func parseHeaders(block string) []samples.Header {
	var hs []samples.Header
	for line := range strings.Lines(block) {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if ok {
			hs = append(hs, samples.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
		}
	}
	return hs
}

// readCSV reads a JTL CSV with a header line, sorted by start time.
func readCSV(t testing.TB, path string) []jtlSample {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	head, err := r.Read()
	if err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	if len(head) != 18 {
		t.Fatalf("%s: %d columns, want 17 + recId", path, len(head))
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []jtlSample
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var s jtlSample
		s.Start = time.UnixMilli(atoi(t, rec[col["timeStamp"]]))
		s.Elapsed = time.Duration(atoi(t, rec[col["elapsed"]])) * time.Millisecond
		s.Label = rec[col["label"]]
		s.Code = rec[col["responseCode"]]
		s.Thread = rec[col["threadName"]]
		s.Success = rec[col["success"]] == "true"
		s.URL = rec[col["URL"]]
		s.Hostname = rec[col["Hostname"]]
		s.recID = rec[col["recId"]]
		s.SampleCount = 1
		// No FieldRequestHeaders and no FieldMethod: a CSV records neither.
		s.Has = samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode |
			samples.FieldThread | samples.FieldSuccess | samples.FieldURL | samples.FieldHostname
		out = append(out, s)
	}
	sortByStart(out)
	return out
}

func sortByStart(ss []jtlSample) {
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].Start.Before(ss[j].Start) })
}

func atoi(t testing.TB, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// verdict is one line of the mock server's truth.jsonl.
type verdict struct {
	RecordingID string `json:"recording_id"`
	Status      int    `json:"status"`
	Cause       string `json:"cause"`
	TokenAgeMS  int64  `json:"token_age_ms"`
}

func readTruth(t testing.TB, path string) map[string]verdict {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]verdict{}
	for line := range strings.Lines(string(data)) {
		var v verdict
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, dup := out[v.RecordingID]; dup {
			t.Fatalf("%s: recording id repeats; these runs use one id per upload", path)
		}
		out[v.RecordingID] = v
	}
	return out
}
