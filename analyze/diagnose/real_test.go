package diagnose_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/har"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// The runs in shared/data/jmeter (and samples/testdata/jmeter) were made
// against a mock upload API with one or several failure modes switched
// on; the server wrote its own verdict for every upload in truth.jsonl,
// and run.md states the onsets measured from it. These tests join
// jtlscope's diagnosis to both.

// truthCause maps the server's verdicts to jtlscope's causes; "" is a
// failure no cause should explain (random rejections).
var truthCause = map[string]string{
	"concurrency":    "concurrency",
	"dupid":          "duplicate-id",
	"token":          "token-age",
	"boundary":       "multipart-boundary",
	"multipart":      "multipart-boundary",
	"rate":           "rate-limit",
	"auth":           "token-invalid",
	"bad_token":      "token-invalid",
	"timeout_client": "client-timeout",
	"random":         "",
}

type verdict struct {
	At          time.Time `json:"at"`
	RecordingID string    `json:"recording_id"`
	Status      int       `json:"status"`
	Cause       string    `json:"cause"`
}

// open opens name in dir, or name.gz.
func open(t *testing.T, dir, name string) io.ReadCloser {
	t.Helper()
	if f, err := os.Open(filepath.Join(dir, name)); err == nil {
		return f
	}
	f, err := os.Open(filepath.Join(dir, name+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return struct {
		io.Reader
		io.Closer
	}{z, f}
}

func readTruth(t *testing.T, dir string) []verdict {
	t.Helper()
	f := open(t, dir, "truth.jsonl")
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

// onsetTruth reads the onsets run.md states: "**onset 50 threads**" on a
// `concurrency` or timeouts line, "token-age onset = 50 s".
func onsetTruth(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "run.md"))
	if err != nil {
		return nil
	}
	out := map[string]float64{}
	level := regexp.MustCompile("(?m)^- `?([a-z_]+)`?: base .*\\*\\*onset (\\d+) threads\\*\\*")
	for _, m := range level.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case "concurrency":
			out["concurrency"] = v
		case "timeouts", "timeout_client":
			out["client-timeout"] = v
		case "rate":
			out["rate-limit"] = v
		}
	}
	if m := regexp.MustCompile(`token-age onset = (?:the TTL, )?(\d+(?:\.\d+)?) s`).FindStringSubmatch(string(b)); m != nil {
		out["token-age"], _ = strconv.ParseFloat(m[1], 64)
	}
	return out
}

type upload struct {
	key     string // source:line
	id      string
	start   time.Time
	status  int
	elapsed time.Duration
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
			ups = append(ups, upload{fmt.Sprintf("%s:%d", r.Source, r.Line), id, r.Start, r.Status(), r.Elapsed})
		})
	})
	if err := analyze.Run(context.Background(), st, d, rec); err != nil {
		t.Fatal(err)
	}
	return d.Result(), ups
}

// worked are the server's verdicts given after the upload's work; the
// others refuse before any (and answer fast).
var worked = map[string]bool{"ok": true, "concurrency": true, "timeout_client": true}

// join matches uploads to the server's verdicts by recording ID. When an
// ID repeats, uploads that started in the same millisecond reach the
// server in either order, so within each ID the uploads and verdicts are
// paired as run.md describes: by the least disagreement on the status and
// on whether the server did its work (the slower upload did), else the
// n-th upload by start time with the n-th verdict by arrival.
func join(ups []upload, truth []verdict) map[string]verdict {
	byID := map[string][]verdict{}
	for _, v := range truth {
		byID[v.RecordingID] = append(byID[v.RecordingID], v)
	}
	for _, vs := range byID {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].At.Before(vs[j].At) })
	}
	sort.SliceStable(ups, func(i, j int) bool { return ups[i].start.Before(ups[j].start) })
	upsByID := map[string][]upload{}
	var order []string
	for _, u := range ups {
		if _, ok := upsByID[u.id]; !ok {
			order = append(order, u.id)
		}
		upsByID[u.id] = append(upsByID[u.id], u)
	}
	out := map[string]verdict{}
	for _, id := range order {
		us, vs := upsByID[id], byID[id]
		n := min(len(us), len(vs))
		perm := identity(n)
		if n > 1 && n <= 6 && len(us) == len(vs) {
			perm = bestPairing(us, vs)
		}
		for i := 0; i < n; i++ {
			out[us[i].key] = vs[perm[i]]
		}
	}
	return out
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// bestPairing tries every pairing of a small group: status disagreements
// weigh most, then an upload that did the work (the slowest of its group)
// paired with a verdict given before any, or the reverse; ties keep the
// order.
func bestPairing(us []upload, vs []verdict) []int {
	slowest := 0
	for i, u := range us {
		if u.elapsed > us[slowest].elapsed {
			slowest = i
		}
	}
	cost := func(p []int) int {
		c := 0
		for i, j := range p {
			if us[i].status != vs[j].Status {
				c += 10
			}
			if (i == slowest) != worked[vs[j].Cause] && len(us) == 2 {
				c++
			}
		}
		return c
	}
	best := identity(len(us))
	bestCost := cost(best)
	var permute func(p []int, k int)
	permute = func(p []int, k int) {
		if k == len(p) {
			if c := cost(p); c < bestCost {
				bestCost = c
				best = append([]int(nil), p...)
			}
			return
		}
		for i := k; i < len(p); i++ {
			p[k], p[i] = p[i], p[k]
			permute(p, k+1)
			p[k], p[i] = p[i], p[k]
		}
	}
	permute(identity(len(us)), 0)
	return best
}

// runs lists the real runs: the shared ones and the repository's own.
func runs(t *testing.T) []string {
	dirs := samplestest.Glob(t, "jmeter/*")
	more, _ := filepath.Glob("../../samples/testdata/jmeter/*")
	for _, d := range more {
		if _, err := os.Stat(filepath.Join(d, "truth.jsonl")); err == nil {
			dirs = append(dirs, d)
		} else if _, err := os.Stat(filepath.Join(d, "truth.jsonl.gz")); err == nil {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func resultFile(dir, base string) string {
	p := filepath.Join(dir, base)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if _, err := os.Stat(p + ".gz"); err == nil {
		return p + ".gz"
	}
	return ""
}

// TestDiagnosisAgreesWithServerTruth: on every run, the likely causes are
// the causes the server gave (no more, no fewer), each failing upload is
// put down to the server's cause (95% of them at least), and each onset
// is within 10% of the one run.md states.
func TestDiagnosisAgreesWithServerTruth(t *testing.T) {
	dirs := runs(t)
	if len(dirs) == 0 {
		t.Skip("skipped, no real data: the shared JMeter runs are absent")
	}
	for _, dir := range dirs {
		truth := readTruth(t, dir)
		counts := map[string]int{}
		var failed int
		for _, v := range truth {
			if v.Status >= 400 {
				counts[v.Cause]++
				failed++
			}
		}
		// Causes the server gave for a real share of the failures: a
		// handful of uploads is no cause to require.
		want := map[string]bool{}
		for c, n := range counts {
			if name := truthCause[c]; name != "" && (n >= 10 && n*100 >= failed) {
				want[name] = true
			}
		}
		onsets := onsetTruth(t, dir)
		for _, base := range []string{"results.xml", "results.csv", "capture.har"} {
			file := resultFile(dir, base)
			if file == "" {
				continue
			}
			name := filepath.Base(dir) + "/" + base
			t.Run(name, func(t *testing.T) {
				t.Parallel() // a run is read and judged on its own
				res, ups := diagnoseFile(t, file)
				// A cause this file cannot show (a CSV has no bodies) is not
				// required; the thread group that carries it may stand in.
				wantHere := map[string]bool{}
				standIn := false
				for c := range want {
					if f := res.Cause(c); f != nil && f.Verdict == diagnose.NotAssessable {
						if f.Missing == "" {
							t.Errorf("%s is not assessable but says nothing about what to save", c)
						}
						standIn = true
						continue
					}
					wantHere[c] = true
				}
				got := map[string]bool{}
				for _, c := range res.Causes {
					if c.Verdict == diagnose.Likely && !(standIn && c.Cause == "thread-group") {
						got[c.Cause] = true
					}
				}
				if fmt.Sprint(sortedSet(got)) != fmt.Sprint(sortedSet(wantHere)) {
					t.Errorf("likely causes %v, the server's %v\nverdict: %s", sortedSet(got), sortedSet(wantHere), res.Verdict)
				}
				if len(want) == 0 {
					return
				}
				byKey := join(ups, truth)
				agree, total := 0, 0
				confusion := map[string]int{}
				for _, a := range res.Attribution() {
					v, ok := byKey[fmt.Sprintf("%s:%d", a.Source, a.Line)]
					if !ok || v.Status < 400 {
						continue
					}
					total++
					wantC := truthCause[v.Cause]
					if wantC == "" {
						wantC = diagnose.Unexplained
					}
					if a.Cause == wantC || (standIn && a.Cause == "thread-group" && !wantHere[wantC]) {
						agree++
					} else {
						confusion[v.Cause+"→"+a.Cause]++
					}
				}
				if total < failed*9/10 {
					t.Fatalf("joined %d failures to the server's verdicts, want about %d", total, failed)
				}
				share := float64(agree) / float64(total)
				t.Logf("%s: attribution agrees on %d of %d failures (%.1f%%); disagreements %v", name, agree, total, 100*share, confusion)
				if share < 0.95 {
					t.Errorf("attribution agrees with the server on %.1f%% of failures, want ≥ 95%%; disagreements %v", 100*share, confusion)
				}
				for cause, want := range onsets {
					if !wantHere[cause] {
						continue
					}
					got, ok := onsetOf(res.Cause(cause))
					if !ok {
						t.Errorf("%s: no onset, run.md says %v", cause, want)
						continue
					}
					t.Logf("%s onset %v, run.md %v", cause, got, want)
					if math.Abs(got-want) > 0.1*want {
						t.Errorf("%s onset %v, run.md says %v: more than 10%% off", cause, got, want)
					}
				}
			})
		}
	}
}

func onsetOf(f *diagnose.Finding) (float64, bool) {
	if f == nil {
		return 0, false
	}
	var on *diagnose.Onset
	switch ev := f.Evidence.(type) {
	case *diagnose.ConcurrencyEvidence:
		on = ev.Onset
	case *diagnose.TokenEvidence:
		on = ev.Onset
	case *diagnose.ClientEvidence:
		on = ev.Onset
	case *diagnose.RateLimitEvidence:
		on = ev.Onset
	}
	if on == nil {
		return 0, false
	}
	return on.Value, true
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
