package ids

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// bundledRun is the JMeter run copied into the repository.
const bundledRun = "../../samples/testdata/jmeter/s6-clean/results.xml"

func FuzzExtract(f *testing.F) {
	const u1 = "aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5"
	f.Add(uploadBody, "multipart/form-data; boundary=zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz; charset=US-ASCII",
		"http://127.0.0.1:18080/api/v2/recordings/screen", "rec-0001")
	f.Add(strings.ReplaceAll(uploadBody, "\r\n", "\n"), "", "/api/v2/recordings/screen/rec-0001", "")
	f.Add("grant_type=client_credentials", "application/x-www-form-urlencoded", "http://127.0.0.1:18080/oauth/token", "")
	f.Add(`{"metadata":{"id":"`+u1+`"},"items":[{"id":1795653120373}],"byId":{"`+u1+`":[[{"x":"rec-0001"}]]}}`,
		"application/json", "https://h/a?requestId="+u1+"&x=%zz", u1)
	f.Add("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\n--b--", "multipart/form-data; boundary=\"b", "http://h", "{"+u1+"}")
	// Real bodies from the bundled run.
	if _, err := os.Stat(bundledRun); err == nil {
		n := 0
		for _, s := range readXMLFile(f, bundledRun) {
			if s.RequestBody != "" && n < 4 {
				ct, _ := s.RequestHeader("Content-Type")
				id, _ := s.Var("recId")
				f.Add(s.RequestBody, ct, s.URL, id)
				n++
			}
		}
	}
	f.Fuzz(func(t *testing.T, body, contentType, url, id string) {
		s := samples.Sample{
			Label:  "fuzz",
			URL:    url,
			Thread: "t",
			RequestHeaders: []samples.Header{
				{Name: "Content-Type", Value: contentType},
				{Name: "X-Request-Id", Value: id},
				{Name: "Authorization", Value: "Bearer " + id},
			},
			BodyMIME:      contentType,
			RequestBody:   body,
			RequestBodyIs: samples.BodySaved,
			Params:        []samples.Var{{Name: "recordingId", Value: id}},
			Vars:          []samples.Var{{Name: "recId", Value: id}},
		}
		var x Extractor
		cands := x.Extract(&s)
		if len(cands) > maxCandidates {
			t.Fatalf("%d candidates, more than the cap", len(cands))
		}
		for i, c := range cands {
			kind, name, ok := strings.Cut(c.Loc, ":")
			if !ok || name == "" || kindRank(kind) == len(kinds) {
				t.Errorf("bad location %q", c.Loc)
			}
			if c.Value == "" || c.Value != strings.TrimSpace(c.Value) || len(c.Value) > maxValueLen {
				t.Errorf("%s: bad value %q", c.Loc, c.Value)
			}
			if c.Class == NotID || Classify(c.Key, c.Value) != c.Class {
				t.Errorf("%s=%q: class %q, Classify says %q", c.Loc, c.Value, c.Class, Classify(c.Key, c.Value))
			}
			if c.Loc == "header:authorization" {
				t.Errorf("a credential header was extracted")
			}
			if (kind == "header" || kind == "var") && !strings.Contains(contentType+id, c.Value) {
				t.Errorf("%s=%q is not in the input", c.Loc, c.Value)
			}
			for _, d := range cands[:i] {
				if d.Loc == c.Loc && d.Value == c.Value {
					t.Errorf("%s=%q twice", c.Loc, c.Value)
				}
			}
		}
		if len(cands) < maxCandidates && strings.TrimSpace(id) != "" && Classify("recId", strings.TrimSpace(id)) != NotID {
			found := false
			for _, c := range cands {
				found = found || c.Loc == "var:recId"
			}
			if !found {
				t.Errorf("var:recId=%q is ID-like but was not extracted", id)
			}
		}

		// The same request through a Tracker, twice: the second is a reuse
		// of every value.
		tr := New(Options{})
		tr.Observe(&s)
		for _, u := range tr.Observe(&s) {
			if !u.Reused || u.Uses != 2 {
				t.Errorf("%s=%q: second sight reused=%v uses=%d", u.Loc, u.Value, u.Reused, u.Uses)
			}
		}
		if _, err := json.Marshal(tr.Result()); err != nil {
			t.Errorf("result does not marshal: %v", err)
		}
	})
}
