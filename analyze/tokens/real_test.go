package tokens

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// bundledRun is the run copied into the repository; tests on it never skip.
const bundledRun = "../../samples/testdata/jmeter/s6-clean"

const uploadLabel = "upload screen recording"

// bearerRE pulls bearer tokens out of the raw XML, independently of the
// code under test.
var bearerRE = regexp.MustCompile(`(?m)^Authorization: Bearer ([^\s<]+)`)

type observed struct {
	s   jtlSample
	use Use
}

func track(ss []jtlSample) (*Tracker, []observed) {
	tr := New()
	out := make([]observed, 0, len(ss))
	for i := range ss {
		out = append(out, observed{ss[i], tr.Observe(&ss[i].Sample)})
	}
	return tr, out
}

// TestRealXMLAges checks token ages computed from JWT iat against the mock
// server's own measurement, and the tokens' sharing against what the raw
// file shows.
func TestRealXMLAges(t *testing.T) {
	runs := []struct {
		name, dir string
		tokens    int // from run.md: one shared token, or one per thread
		ttl       time.Duration
	}{
		{"s6-clean (bundled)", bundledRun, 10, 0},
		{"s3-token-jwt", "s3-token-jwt", 1, 40 * time.Second},
		{"s1-concurrency", "s1-concurrency", 80, 0},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			dir := run.dir
			if dir != bundledRun {
				dir = runDir(t, dir)
			}
			path := filepath.Join(dir, "results.xml")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			truth := readTruth(t, filepath.Join(dir, "truth.jsonl"))
			tr, obs := track(readXML(t, path))
			res := tr.Result()

			// What the raw file says: each token's requests and threads.
			type seen struct {
				requests int
				threads  map[string]bool
			}
			want := map[string]*seen{}
			for _, o := range obs {
				for _, h := range o.s.RequestHeaders {
					if h.Name != "Authorization" {
						continue
					}
					fp := redact.Fingerprint(strings.TrimPrefix(h.Value, "Bearer "))
					if want[fp] == nil {
						want[fp] = &seen{threads: map[string]bool{}}
					}
					want[fp].requests++
					want[fp].threads[o.s.Thread] = true
				}
			}
			if n := len(bearerRE.FindAll(raw, -1)); n != res.WithToken {
				t.Errorf("%d Authorization: Bearer lines in the file, %d requests with a token", n, res.WithToken)
			}
			if len(res.Tokens) != run.tokens || len(want) != run.tokens {
				t.Fatalf("%d tokens found, %d in the file, want %d", len(res.Tokens), len(want), run.tokens)
			}
			for _, e := range res.Tokens {
				w := want[e.Fingerprint]
				if w == nil || e.Requests != w.requests || e.Threads != len(w.threads) || e.Kind != KindJWT || e.IssuedFrom != FromJWT {
					t.Errorf("token %+v, file shows %+v", e, w)
				}
			}
			if run.tokens == 1 {
				threads := res.Tokens[0].Threads
				if threads != 20 || res.SharedTokens != 1 || res.MaxThreadsPerToken != 20 || res.SharingInferred {
					t.Errorf("want one token shared by the 20 worker threads: %+v", res)
				}
			} else if res.SharedTokens != 0 || res.MaxThreadsPerToken != 1 {
				t.Errorf("want one token per thread: shared %d, max threads %d", res.SharedTokens, res.MaxThreadsPerToken)
			}

			// iat is whole seconds, floored, so the age from iat is older than
			// the server's (measured from the issuing instant, to when the
			// upload arrived) by up to 1 s, less the upload's few ms in flight.
			const lo, hi = -100 * time.Millisecond, 1100 * time.Millisecond
			joined, rejected := 0, 0
			for _, o := range obs {
				if o.s.Label == "get token" && !o.use.TokenRequest {
					t.Errorf("token request not recognised: %s", o.use)
				}
				v, ok := truth[o.s.recID]
				if o.s.Label != uploadLabel || !ok {
					continue
				}
				joined++
				if o.use.AgeFrom != FromJWT {
					t.Fatalf("upload %s: %s", o.s.recID, o.use)
				}
				server := time.Duration(v.TokenAgeMS) * time.Millisecond
				if d := o.use.Age - server; d < lo || d > hi {
					t.Errorf("upload %s: age %v, server says %v (difference %v, want %v..%v)", o.s.recID, o.use.Age, server, d, lo, hi)
				}
				if run.ttl == 0 {
					continue
				}
				switch v.Cause {
				case "token":
					rejected++
					if o.use.Age < run.ttl+lo {
						t.Errorf("upload %s rejected for its token at age %v < %v", o.s.recID, o.use.Age, run.ttl)
					}
				case "ok":
					if o.use.Age >= run.ttl+time.Second {
						t.Errorf("upload %s accepted at age %v", o.s.recID, o.use.Age)
					}
				}
			}
			if joined != len(truth) {
				t.Errorf("joined %d uploads to %d verdicts", joined, len(truth))
			}
			if run.ttl > 0 && rejected == 0 {
				t.Error("no upload was rejected for its token")
			}
			if res.AgeSources[FromJWT] != res.WithToken || res.HeadersNotSaved != 0 || len(res.Missing) != 0 {
				t.Errorf("age sources %v, headers not saved %d, missing %q", res.AgeSources, res.HeadersNotSaved, res.Missing)
			}
		})
	}
}

// TestRealCSVInferredAges checks ages inferred from token requests in the
// CSV files (no headers) against the server's measurement.
//
// Tolerance: the server measures from the instant it issued the token to
// the instant the upload arrived; the inference measures from the end of
// the token request to the start of the upload, both on JMeter's clock.
// The token was issued before its response reached JMeter, and the upload
// arrives after JMeter started it, so the server's age is the larger by
// both transfer times: tens of milliseconds on loopback. JMeter's
// millisecond timestamps add ±1 ms at each end. So server - inferred must
// be in -10 ms .. +100 ms.
func TestRealCSVInferredAges(t *testing.T) {
	runs := []struct {
		name, dir string
		entries   int // token requests the uses were attributed to
		threads   int // most threads on one of them
	}{
		{"s6-clean (bundled)", bundledRun, 10, 1},
		{"s3-token-jwt", "s3-token-jwt", 1, 20},
		{"s1-concurrency", "s1-concurrency", 80, 1},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			dir := run.dir
			if dir != bundledRun {
				dir = runDir(t, dir)
			}
			truth := readTruth(t, filepath.Join(dir, "truth.jsonl"))
			tr, obs := track(readCSV(t, filepath.Join(dir, "results.csv")))
			res := tr.Result()

			const lo, hi = -10 * time.Millisecond, 100 * time.Millisecond
			joined := 0
			var worst time.Duration
			for _, o := range obs {
				if o.s.Label == "get token" {
					if !o.use.TokenRequest || o.use.AgeFrom != "" {
						t.Errorf("token request: %s", o.use)
					}
					continue
				}
				if !o.use.Inferred() {
					t.Fatalf("%s by %s at %v not inferred: %s", o.s.Label, o.s.Thread, o.s.Start, o.use)
				}
				v, ok := truth[o.s.recID]
				if o.s.Label != uploadLabel || !ok {
					continue
				}
				joined++
				d := time.Duration(v.TokenAgeMS)*time.Millisecond - o.use.Age
				if d < lo || d > hi {
					t.Errorf("upload %s: inferred age %v, server says %dms (difference %v)", o.s.recID, o.use.Age, v.TokenAgeMS, d)
				}
				worst = max(worst, d, -d)
			}
			t.Logf("%d uploads: largest |server - inferred| = %v", joined, worst)
			if joined != len(truth) {
				t.Errorf("joined %d uploads to %d verdicts", joined, len(truth))
			}
			if len(res.Tokens) != run.entries || res.MaxThreadsPerToken != run.threads || res.SharingInferred != (run.threads > 1) {
				t.Errorf("%d entries, up to %d threads (inferred %v); want %d, %d", len(res.Tokens), res.MaxThreadsPerToken,
					res.SharingInferred, run.entries, run.threads)
			}
			for _, e := range res.Tokens {
				if !e.Inferred || e.Fingerprint != "" {
					t.Errorf("entry %+v", e)
				}
			}
			if res.WithToken != 0 || res.AgeSources[FromInference] != res.Requests-res.TokenRequests ||
				!strings.Contains(strings.Join(res.Missing, "\n"), "jmeter.save.saveservice.requestHeaders=true") {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

// TestRealNoTokenLeaks runs the real tokens through everything the package
// returns and searches the output for them.
func TestRealNoTokenLeaks(t *testing.T) {
	for _, dir := range []string{bundledRun, runDir(t, "s3-token-jwt")} {
		path := filepath.Join(dir, "results.xml")
		raw, err := os.ReadFile(path)
		if os.IsNotExist(err) && dir != bundledRun {
			t.Logf("skipping %s: %v", dir, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		secrets := map[string]bool{}
		for _, m := range bearerRE.FindAllSubmatch(raw, -1) {
			secrets[string(m[1])] = true
		}
		if len(secrets) == 0 {
			t.Fatalf("%s: no bearer tokens found", path)
		}
		var out strings.Builder
		tr, obs := track(readXML(t, path))
		for _, o := range obs {
			out.WriteString(o.use.String())
			out.WriteByte('\n')
		}
		res := tr.Result()
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(js)
		out.WriteString(res.String())
		for s := range secrets {
			// Damaged copies make ParseJWT fail in different places.
			for _, bad := range []string{s[:len(s)/2], s + ".x", strings.Replace(s, ".", ".!", 1), s[:len(s)-1] + "="} {
				if _, err := ParseJWT(bad); err != nil {
					out.WriteString(err.Error())
				}
			}
		}
		all := out.String()
		for s := range secrets {
			if leaks(all, s) {
				t.Errorf("%s: output contains token %s or a segment of it", path, redact.Fingerprint(s))
			}
			if !strings.Contains(string(js), redact.Fingerprint(s)) {
				t.Errorf("%s: result does not name token %s", path, redact.Fingerprint(s))
			}
		}
	}
}
