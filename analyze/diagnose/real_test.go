package diagnose_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// The runs in shared/data/jmeter were made against a mock upload API with
// one failure mode switched on; the server wrote its own verdict for every
// upload in truth.jsonl. These tests join jtlscope's diagnosis to it.

var truthCause = map[string]string{
	"concurrency": "concurrency",
	"dupid":       "duplicate-id",
	"token":       "token-age",
	"boundary":    "multipart-boundary",
	"rate":        "rate-limit",
}

type verdict struct {
	At          time.Time `json:"at"`
	RecordingID string    `json:"recording_id"`
	Status      int       `json:"status"`
	Cause       string    `json:"cause"`
}

func readTruth(t *testing.T, dir string) []verdict {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []verdict
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var v verdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

type upload struct {
	key   string // source:line
	id    string
	start time.Time
}

// diagnoseFile runs the diagnosis and, in the same pass, remembers every
// upload's recording ID for the join.
func diagnoseFile(t *testing.T, path string) (diagnose.Result, []upload) {
	t.Helper()
	st, err := samples.OpenStream([]string{path}, samples.StreamOptions{Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := diagnose.New(diagnose.Options{Seed: 1, Attribution: true})
	var ups []upload
	rec := analyze.Func(func(s *samples.Sample) {
		s.Requests(func(r *samples.Sample) {
			if r.Label != "upload screen recording" {
				return
			}
			id, _ := r.Var("recId")
			ups = append(ups, upload{fmt.Sprintf("%s:%d", r.Source, r.Line), id, r.Start})
		})
	})
	if err := analyze.Run(context.Background(), st, d, rec); err != nil {
		t.Fatal(err)
	}
	return d.Result(), ups
}

// join matches uploads to the server's verdicts by recording ID; when an
// ID repeats (s8), the n-th upload by start time goes with the n-th
// verdict by arrival.
func join(ups []upload, truth []verdict) map[string]verdict {
	byID := map[string][]verdict{}
	for _, v := range truth {
		byID[v.RecordingID] = append(byID[v.RecordingID], v)
	}
	for _, vs := range byID {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].At.Before(vs[j].At) })
	}
	sort.SliceStable(ups, func(i, j int) bool { return ups[i].start.Before(ups[j].start) })
	out := map[string]verdict{}
	used := map[string]int{}
	for _, u := range ups {
		vs := byID[u.id]
		if n := used[u.id]; n < len(vs) {
			out[u.key] = vs[n]
			used[u.id]++
		}
	}
	return out
}

func TestDiagnosisAgreesWithServerTruth(t *testing.T) {
	dirs := samplestest.Glob(t, "jmeter/*")
	if len(dirs) == 0 {
		t.Skip("skipped, no real data: the shared JMeter runs are absent")
	}
	for _, dir := range dirs {
		truth := readTruth(t, dir)
		counts := map[string]int{}
		for _, v := range truth {
			if v.Status >= 400 {
				counts[v.Cause]++
			}
		}
		want := ""
		for c, n := range counts {
			if want == "" || n > counts[want] {
				want = c
			}
		}
		for _, file := range []string{"results.xml", "results.csv"} {
			name := filepath.Base(dir) + "/" + file
			t.Run(name, func(t *testing.T) {
				res, ups := diagnoseFile(t, filepath.Join(dir, file))
				if want == "" {
					for _, c := range res.Causes {
						if c.Verdict == diagnose.Likely || c.Verdict == diagnose.Possible {
							t.Errorf("clean run: cause %s is %s (%s)", c.Cause, c.Verdict, c.Summary)
						}
					}
					return
				}
				wantCause := truthCause[want]
				top := res.Causes[0]
				if f := res.Cause(wantCause); f != nil && f.Verdict == diagnose.NotAssessable {
					// The CSV cannot show this cause: it must say so and say
					// what to save, and must not blame another mechanism.
					if f.Missing == "" {
						t.Errorf("%s is not assessable but says nothing about what to save", wantCause)
					}
					if top.Verdict == diagnose.Likely && top.Cause != "thread-group" {
						t.Errorf("top cause %s (%s) although the true cause %s is not assessable from this file", top.Cause, top.Verdict, wantCause)
					}
					return
				}
				if top.Cause != wantCause || top.Verdict != diagnose.Likely {
					t.Fatalf("top cause %s (%s), server says %s\nverdict: %s", top.Cause, top.Verdict, wantCause, res.Verdict)
				}
				byKey := join(ups, truth)
				agree, total := 0, 0
				for _, a := range res.Attribution() {
					v, ok := byKey[fmt.Sprintf("%s:%d", a.Source, a.Line)]
					if !ok || v.Status < 400 {
						continue
					}
					total++
					if a.Cause == truthCause[v.Cause] {
						agree++
					}
				}
				if total < counts[want]*9/10 {
					t.Fatalf("joined %d failures to the server's verdicts, want about %d", total, counts[want])
				}
				share := float64(agree) / float64(total)
				t.Logf("%s: top %s, attribution agrees on %d of %d failures (%.1f%%)", name, top.Cause, agree, total, 100*share)
				if share < 0.95 {
					t.Errorf("attribution agrees with the server on %.1f%% of failures, want ≥ 95%%", 100*share)
				}
			})
		}
	}
}
