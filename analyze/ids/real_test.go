package ids

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

const (
	uploadLabel = "upload screen recording"
	getLabel    = "get recording"
)

func runFile(t testing.TB, run, name string) string {
	t.Helper()
	return samplestest.Path(t, "jmeter/"+run+"/"+name)
}

// readCSVRun reads a run's results.csv (header line, 17 columns and
// "recId") into samples sorted by start time.
func readCSVRun(t testing.TB, run string) []samples.Sample {
	t.Helper()
	f, err := os.Open(runFile(t, run, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"timeStamp", "elapsed", "label", "responseCode", "threadName", "URL", "IdleTime", "recId"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("%s: no column %q in %q", run, c, head)
		}
	}
	var out []samples.Sample
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s line %d: %v", run, line, err)
		}
		ts, err1 := strconv.ParseInt(rec[col["timeStamp"]], 10, 64)
		el, err2 := strconv.ParseInt(rec[col["elapsed"]], 10, 64)
		idle, err3 := strconv.ParseInt(rec[col["IdleTime"]], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s line %d: bad numbers in %q", run, line, rec)
		}
		out = append(out, samples.Sample{
			Source:  run,
			Line:    line,
			Start:   time.UnixMilli(ts),
			Elapsed: time.Duration(el) * time.Millisecond,
			Idle:    time.Duration(idle) * time.Millisecond,
			Label:   rec[col["label"]],
			Code:    rec[col["responseCode"]],
			Thread:  rec[col["threadName"]],
			URL:     rec[col["URL"]],
			Vars:    []samples.Var{{Name: "recId", Value: rec[col["recId"]]}},
			Kind:    samples.KindHTTP,
			Has:     samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread | samples.FieldURL | samples.FieldVars,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

type verdict struct {
	At          time.Time `json:"at"`
	RecordingID string    `json:"recording_id"`
	Status      int       `json:"status"`
	Cause       string    `json:"cause"`
}

func readTruth(t *testing.T, run string) map[string][]verdict {
	t.Helper()
	f, err := os.Open(runFile(t, run, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byID := map[string][]verdict{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v verdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("truth.jsonl: %v", err)
		}
		byID[v.RecordingID] = append(byID[v.RecordingID], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, vs := range byID {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].At.Before(vs[j].At) })
	}
	return byID
}

func TestS8DuplicateIDsCSV(t *testing.T) {
	reqs := readCSVRun(t, "s8-dupid-csv")
	truth := readTruth(t, "s8-dupid-csv")

	type earlier struct {
		end    time.Time
		thread string
	}
	seen := map[string][]earlier{}
	nth := map[string]int{}
	tr := New(Options{})
	uploads, dupids, oks := 0, 0, 0
	for i := range reqs {
		r := &reqs[i]
		uses := tr.Observe(r)
		if r.Label != uploadLabel {
			continue
		}
		uploads++
		id, _ := r.Var("recId")
		u := useAt(t, uses, "var:recId")
		if u.Endpoint != uploadLabel || u.Value != id {
			t.Fatalf("line %d: use %+v, want var:recId=%s at the upload", r.Line, u, id)
		}

		// Independent oracle: the earlier uploads of this ID.
		prev := seen[id]
		wantConc, wantOther := false, false
		for _, e := range prev {
			wantConc = wantConc || e.end.After(r.Start)
			wantOther = wantOther || e.thread != r.Thread
		}
		if u.Reused != (len(prev) > 0) || u.Uses != len(prev)+1 || u.Concurrent != wantConc || u.OtherThread != wantOther {
			t.Errorf("line %d (%s, %d earlier uses): reused=%v uses=%d concurrent=%v other=%v, want concurrent=%v other=%v",
				r.Line, id, len(prev), u.Reused, u.Uses, u.Concurrent, u.OtherThread, wantConc, wantOther)
		}
		seen[id] = append(prev, earlier{r.End(), r.Thread})

		// The server's verdict for the n-th upload of this ID.
		n := nth[id]
		nth[id]++
		vs := truth[id]
		if n >= len(vs) {
			t.Errorf("line %d: upload %d of %s has no verdict (%d in truth.jsonl)", r.Line, n+1, id, len(vs))
			continue
		}
		v := vs[n]
		if strconv.Itoa(v.Status) != r.Code {
			t.Errorf("line %d: JMeter saw %s, the server says %d: the join is off", r.Line, r.Code, v.Status)
		}
		switch v.Cause {
		case "dupid":
			dupids++
			if !u.Reused {
				t.Errorf("line %d: the server rejected %s as a duplicate, but it was not seen as reused", r.Line, id)
			}
		case "ok":
			oks++
			if u.Reused {
				t.Errorf("line %d: the server accepted %s as new, but it was seen as reused", r.Line, id)
			}
		default:
			t.Errorf("line %d: unexpected cause %q", r.Line, v.Cause)
		}
	}
	if uploads == 0 || dupids == 0 || oks == 0 {
		t.Fatalf("%d uploads, %d dupid and %d ok verdicts: the data is not what this test expects", uploads, dupids, oks)
	}
	if oks != len(seen) {
		t.Errorf("%d ok verdicts for %d distinct IDs, want one first use each", oks, len(seen))
	}

	res := tr.Result()
	l := locAt(t, res, uploadLabel, "var:recId")
	if l.Distinct != 40 || int(l.Distinct) != len(seen) {
		t.Errorf("upload var:recId: %d distinct, want 40 (the CSV Data Set's rows; %d in the file)", l.Distinct, len(seen))
	}
	if int(l.Requests) != uploads || int(l.Reused) != uploads-len(seen) || int(l.Reused) != dupids {
		t.Errorf("upload var:recId: %d requests, %d reused; want %d and %d (the dupid verdicts: %d)",
			l.Requests, l.Reused, uploads, uploads-len(seen), dupids)
	}
	if l.ReusedOtherThread == 0 || l.ReusedOtherThread > l.Reused || l.ReusedConcurrent > l.Reused {
		t.Errorf("upload var:recId: %d reused, %d from other threads, %d concurrent", l.Reused, l.ReusedOtherThread, l.ReusedConcurrent)
	}
	if len(l.Top) != 5 || l.Top[0].Uses < l.Top[4].Uses || !strings.HasPrefix(l.Top[0].Value, "rec-") {
		t.Errorf("upload var:recId top: %+v", l.Top)
	}
	// The token request carries the variable too, as its own location.
	if tok := locAt(t, res, "get token", "var:recId"); tok.Reused != 0 {
		t.Errorf("get token var:recId: %+v, want no reuse (one token per thread)", tok)
	}
	// get recording carries the ID in its path and variable: one ID.
	found := false
	for _, al := range res.Aliases {
		if al.Endpoint == getLabel && strings.Join(al.Locations, " ") == "path:4 var:recId" && al.Agreement == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("aliases %+v: want path:4 and var:recId as one ID at %q", res.Aliases, getLabel)
	}
}

func TestS1NoReuseCSV(t *testing.T) {
	reqs := readCSVRun(t, "s1-concurrency")
	tr := New(Options{})
	uploads := 0
	for i := range reqs {
		for _, u := range tr.Observe(&reqs[i]) {
			if u.Reused {
				t.Errorf("line %d: %s %s=%s reused", reqs[i].Line, u.Endpoint, u.Loc, u.Value)
			}
			if u.Class != UUID {
				t.Errorf("line %d: %s=%s classed %q, want uuid", reqs[i].Line, u.Loc, u.Value, u.Class)
			}
		}
		if reqs[i].Label == uploadLabel {
			uploads++
		}
	}
	res := tr.Result()
	for _, l := range res.Locations {
		if l.Reused != 0 || l.Distinct != l.Requests {
			t.Errorf("%s %s: %d requests, %d distinct, %d reused", l.Endpoint, l.Location, l.Requests, l.Distinct, l.Reused)
		}
	}
	if l := locAt(t, res, uploadLabel, "var:recId"); int(l.Requests) != uploads {
		t.Errorf("upload var:recId: %d requests, want %d", l.Requests, uploads)
	}
	if l := locAt(t, res, getLabel, "path:4"); l.Requests == 0 {
		t.Errorf("get recording path:4 not found")
	}
}

// xmlSample is the part of a JTL XML httpSample this package needs. The
// team's XML decoder is not available to this package yet.
type xmlSample struct {
	TS            int64  `xml:"ts,attr"`
	T             int64  `xml:"t,attr"`
	TN            string `xml:"tn,attr"`
	LB            string `xml:"lb,attr"`
	RC            string `xml:"rc,attr"`
	RecID         string `xml:"recId,attr"`
	RequestHeader string `xml:"requestHeader"`
	QueryString   string `xml:"queryString"`
	Method        string `xml:"method"`
	URL           string `xml:"java.net.URL"`
}

// illegalRef matches character references XML 1.0 forbids (JMeter
// writes them for control bytes in bodies); encoding/xml rejects them.
var illegalRef = regexp.MustCompile(`&#(x0*([0-8bBcCeEfF]|1[0-9a-fA-F])|0*([0-8]|1[124-9]|2[0-9]|3[01]));`)

func readXMLRun(t testing.TB, run string) []samples.Sample {
	t.Helper()
	return readXMLFile(t, runFile(t, run, "results.xml"))
}

// readXMLFile reads the httpSamples of a JTL XML file, sorted by start.
func readXMLFile(t testing.TB, path string) []samples.Sample {
	t.Helper()
	run := filepath.Base(filepath.Dir(path))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = illegalRef.ReplaceAll(raw, []byte("\uFFFD"))
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var out []samples.Sample
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s results.xml: %v", run, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "httpSample" && se.Name.Local != "sample" {
			continue
		}
		var x xmlSample
		if err := dec.DecodeElement(&x, &se); err != nil {
			t.Fatalf("%s results.xml: %v", run, err)
		}
		s := samples.Sample{
			Source:  run,
			Start:   time.UnixMilli(x.TS),
			Elapsed: time.Duration(x.T) * time.Millisecond,
			Label:   x.LB,
			Code:    x.RC,
			Thread:  x.TN,
			Method:  x.Method,
			URL:     x.URL,
			Vars:    []samples.Var{{Name: "recId", Value: x.RecID}},
			Kind:    samples.KindHTTP,
		}
		for _, line := range strings.Split(x.RequestHeader, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				s.RequestHeaders = append(s.RequestHeaders, samples.Header{Name: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
			}
		}
		if x.QueryString != "" {
			s.RequestBody, s.RequestBodyIs = x.QueryString, samples.BodySaved
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// In the XML the upload carries its ID three ways; auto-detection must
// find exactly those three, and see them agree.
func TestS8XMLLocationsAgree(t *testing.T) {
	reqs := readXMLRun(t, "s8-dupid-csv")
	want := []string{"header:x-genesys-recording-id", "form:recordingId", "var:recId"}
	tr := New(Options{})
	uploads, reused := 0, 0
	first := map[string]bool{}
	for i := range reqs {
		r := &reqs[i]
		uses := tr.Observe(r)
		if r.Label != uploadLabel {
			continue
		}
		uploads++
		id, _ := r.Var("recId")
		if len(uses) != 3 {
			t.Fatalf("upload %d: uses %+v, want %q", uploads, uses, want)
		}
		primaries := 0
		for k, u := range uses {
			if u.Loc != want[k] || u.Value != id || u.Group != 0 {
				t.Errorf("upload %d: use %d is %s=%s group %d, want %s=%s group 0", uploads, k, u.Loc, u.Value, u.Group, want[k], id)
			}
			if u.Reused != first[id] {
				t.Errorf("upload %d: %s reused=%v, want %v", uploads, u.Loc, u.Reused, first[id])
			}
			if u.Primary {
				primaries++
			}
		}
		if primaries != 1 || !uses[0].Primary {
			t.Errorf("upload %d: want the header as the one primary use: %+v", uploads, uses)
		}
		if uses[0].Reused {
			reused++
		}
		first[id] = true
	}
	if uploads == 0 {
		t.Fatal("no uploads in results.xml")
	}
	res := tr.Result()
	var got []string
	for _, l := range res.Locations {
		if l.Endpoint != uploadLabel {
			continue
		}
		got = append(got, l.Location)
		if int(l.Requests) != uploads || l.Distinct != 40 || int(l.Reused) != reused || l.Class != Prefixed {
			t.Errorf("%s: %+v, want %d requests, 40 distinct, %d reused, prefixed", l.Location, l, uploads, reused)
		}
	}
	sort.Strings(got)
	sorted := append([]string(nil), want...)
	sort.Strings(sorted)
	if strings.Join(got, " ") != strings.Join(sorted, " ") {
		t.Errorf("upload locations %q, want %q", got, sorted)
	}
	ok := false
	for _, al := range res.Aliases {
		if al.Endpoint == uploadLabel {
			ok = strings.Join(al.Locations, " ") == strings.Join(want, " ") && al.Agreement == 1 && int(al.Requests) == uploads
			if !ok {
				t.Errorf("upload alias %+v, want %q agreeing on %d requests", al, want, uploads)
			}
		}
	}
	if !ok {
		t.Errorf("no alias for the upload in %+v", res.Aliases)
	}
	// No secret reached the result.
	out, _ := json.Marshal(res)
	if bytes.Contains(out, []byte("eyJ")) || bytes.Contains(out, []byte("Bearer")) {
		t.Errorf("a token leaked into the result")
	}
}
