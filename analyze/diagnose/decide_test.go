package diagnose

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// A synthetic run: threads ramp up, each sends uploads one after the
// other, and a server model decides each upload's fate. The tests know
// which rule failed each upload, so they can check the attribution as
// the real-run tests do, on mixtures the shared runs do not have.

type upload struct {
	s     samples.Sample
	cause string // the rule that failed it, "" for a success
}

type server struct {
	// verdict returns the status, the elapsed time and the rule that
	// failed the upload ("" when it succeeded).
	verdict func(u *simUpload) (code string, elapsed time.Duration, cause string)
}

type simUpload struct {
	thread   int
	threads  int // active threads
	inFlight int
	start    time.Duration
	id       string
	token    string
	legacy   bool
	rng      *rand.Rand
}

type runSpec struct {
	threads  int
	rampup   time.Duration
	duration time.Duration
	think    time.Duration
	legacy   int // threads in a "legacy agents" group
	id       func(u *simUpload) string
	token    func(thread int, at time.Duration) string
	// tokenFetch, when set, makes each thread fetch a token at its start;
	// it returns the token request's code.
	tokenFetch func(thread int, at time.Duration) string
}

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func simulate(spec runSpec, srv server, seed uint64) []upload {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []upload
	total := spec.threads + spec.legacy
	started := func(at time.Duration) int {
		n := int(float64(spec.threads)*float64(at)/float64(spec.rampup)) + 1
		return min(n, spec.threads) + spec.legacy
	}
	next := make([]time.Duration, total)
	for i := range next {
		if i < spec.legacy {
			next[i] = time.Duration(i) * 100 * time.Millisecond
		} else {
			next[i] = time.Duration(i-spec.legacy) * spec.rampup / time.Duration(spec.threads)
		}
	}
	// end times of uploads in flight
	var inflight []time.Duration
	fetched := map[int]string{}
	for {
		// the thread with the earliest next start
		th := 0
		for i := range next {
			if next[i] < next[th] {
				th = i
			}
		}
		at := next[th]
		if at >= spec.duration {
			break
		}
		if spec.tokenFetch != nil {
			if _, ok := fetched[th]; !ok {
				code := spec.tokenFetch(th, at)
				fetched[th] = code
				s := samples.Sample{
					Start: t0.Add(at), Elapsed: 20 * time.Millisecond, Label: "get token", Thread: threadName(th, spec.legacy),
					Code: code, Success: code == "200", AllThreads: started(at), GrpThreads: started(at), Method: "POST",
					URL: "http://api/oauth/token", SampleCount: 1,
					Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread | samples.FieldCode | samples.FieldSuccess | samples.FieldThreads | samples.FieldURL,
				}
				out = append(out, upload{s: s})
				next[th] = at + 30*time.Millisecond
				continue
			}
		}
		kept := inflight[:0]
		for _, e := range inflight {
			if e > at {
				kept = append(kept, e)
			}
		}
		inflight = kept
		u := &simUpload{thread: th, threads: started(at), inFlight: len(inflight) + 1, start: at, legacy: th < spec.legacy, rng: rng}
		u.id = spec.id(u)
		if spec.token != nil {
			u.token = spec.token(th, at)
			if spec.tokenFetch != nil && fetched[th] != "200" {
				u.token = "NOTOKEN"
			}
		}
		code, el, cause := srv.verdict(u)
		inflight = append(inflight, at+el)
		s := samples.Sample{
			Start: t0.Add(at), Elapsed: el, Label: "upload", Thread: threadName(th, spec.legacy),
			Code: code, Success: code[0] == '2', AllThreads: u.threads, GrpThreads: u.threads,
			Vars: []samples.Var{{Name: "recId", Value: u.id}}, SampleCount: 1,
			Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread | samples.FieldCode | samples.FieldSuccess | samples.FieldThreads | samples.FieldVars,
		}
		if u.token != "" {
			s.RequestHeaders = []samples.Header{{Name: "Authorization", Value: "Bearer " + u.token}}
			s.Has |= samples.FieldRequestHeaders
		}
		out = append(out, upload{s: s, cause: cause})
		next[th] = at + el + spec.think
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].s.Start.Before(out[j].s.Start) })
	for i := range out {
		out[i].s.Source, out[i].s.Line = "sim", i+2
	}
	return out
}

func threadName(th, legacy int) string {
	if th < legacy {
		return fmt.Sprintf("legacy agents 1-%d", th+1)
	}
	return fmt.Sprintf("desktop agents 2-%d", th-legacy+1)
}

func uuid(u *simUpload) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", u.rng.Uint32(), u.rng.IntN(1<<16), u.rng.IntN(1<<12), u.rng.IntN(1<<12), u.rng.Uint64()>>16)
}

// diagnoseSim runs the diagnosis and checks the attribution against the
// simulated server's causes; it returns the result.
func diagnoseSim(t *testing.T, ups []upload) Result {
	t.Helper()
	d := New(Options{Seed: 1, Attribution: true})
	for i := range ups {
		d.Add(&ups[i].s)
	}
	res := d.Result()
	want := map[int]string{}
	for _, u := range ups {
		if u.cause != "" {
			want[u.s.Line] = u.cause
		}
	}
	agree, total := 0, 0
	confusion := map[string]int{}
	for _, a := range res.Attribution() {
		w, ok := want[a.Line]
		if !ok {
			continue
		}
		total++
		if a.Cause == w {
			agree++
		} else {
			confusion[w+"→"+a.Cause]++
		}
	}
	if total > 0 && float64(agree) < 0.95*float64(total) {
		t.Errorf("attribution agrees on %d of %d failures; %v\nverdict: %s", agree, total, confusion, res.Verdict)
	}
	return res
}

func likelySet(res Result) string {
	var out []string
	for _, c := range res.Causes {
		if c.Verdict == Likely {
			out = append(out, c.Cause)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// A shared token that expires and a concurrency limit that bites during
// the ramp: the token is checked before any work, the limit after it, as
// in a real server. Both are found, each with its own threshold, and each
// failure goes to its own cause.
func TestTokenThenLimit(t *testing.T) {
	spec := runSpec{threads: 60, rampup: 40 * time.Second, duration: 80 * time.Second, think: 200 * time.Millisecond,
		id:    uuid,
		token: func(int, time.Duration) string { return "sharedtoken0123456789abcdef0123456789" },
	}
	srv := server{verdict: func(u *simUpload) (string, time.Duration, string) {
		if u.start >= 50*time.Second {
			return "400", time.Millisecond, "token-age"
		}
		if u.inFlight > 30 {
			return "400", 1200 * time.Millisecond, "concurrency"
		}
		return "201", 1200 * time.Millisecond, ""
	}}
	res := diagnoseSim(t, simulate(spec, srv, 1))
	if got := likelySet(res); got != "concurrency,token-age" {
		t.Errorf("likely %s\nverdict: %s", got, res.Verdict)
	}
	if ev, ok := res.Cause("token-age").Evidence.(*TokenEvidence); !ok || ev.Onset == nil || ev.Onset.Value < 47 || ev.Onset.Value > 53 {
		t.Errorf("token-age onset %+v, want about 50 s", ev.Onset)
	}
	if !strings.Contains(res.Verdict, "2 causes") {
		t.Errorf("verdict does not name two causes: %s", res.Verdict)
	}
}

// Failures at random, whatever the load or the request: no cause.
func TestRandomFailuresHaveNoCause(t *testing.T) {
	spec := runSpec{threads: 40, rampup: 30 * time.Second, duration: 60 * time.Second, think: 100 * time.Millisecond, id: uuid,
		token: func(int, time.Duration) string { return "sharedtoken0123456789abcdef0123456789" }}
	srv := server{verdict: func(u *simUpload) (string, time.Duration, string) {
		if u.rng.Float64() < 0.1 {
			return "400", 2 * time.Millisecond, Unexplained
		}
		return "201", 150 * time.Millisecond, ""
	}}
	res := diagnoseSim(t, simulate(spec, srv, 2))
	if got := likelySet(res); got != "" {
		t.Errorf("random failures given likely causes %s\nverdict: %s", got, res.Verdict)
	}
	if res.Unexplained < res.Failures*9/10 {
		t.Errorf("%d of %d random failures unexplained", res.Unexplained, res.Failures)
	}
}

// IDs made from the millisecond clock collide when two threads start an
// upload in the same millisecond; the server keeps the first it sees and
// refuses the rest before any work. Either request of a pair may be
// first in start order.
func TestMillisecondIDsCollide(t *testing.T) {
	seen := map[string]bool{}
	spec := runSpec{threads: 40, rampup: 20 * time.Second, duration: 50 * time.Second, think: 0,
		id: func(u *simUpload) string { return fmt.Sprintf("rec-%d", t0.Add(u.start).UnixMilli()) },
	}
	srv := server{verdict: func(u *simUpload) (string, time.Duration, string) {
		if seen[u.id] {
			return "400", time.Millisecond, "duplicate-id"
		}
		seen[u.id] = true
		return "201", time.Duration(20+u.rng.IntN(20)) * time.Millisecond, ""
	}}
	ups := simulate(spec, srv, 3)
	// Threads that start together: move a share of starts onto the
	// previous upload's millisecond, reversing the order of some pairs.
	res := diagnoseSim(t, ups)
	if got := likelySet(res); got != "duplicate-id" {
		t.Errorf("likely %s\nverdict: %s", got, res.Verdict)
	}
	ev := res.Cause("duplicate-id").Evidence.(*DuplicateIDEvidence)
	if ev.Collisions.Groups == 0 || ev.Collisions.OneSucceeded < ev.Collisions.Groups*9/10 {
		t.Errorf("collision groups %+v: want most with exactly one success", ev.Collisions)
	}
	if !strings.Contains(ev.Shape, "millisecond") {
		t.Errorf("shape %q does not name millisecond timestamps", ev.Shape)
	}
}

// Threads whose token request got 429 send the extractor's default and
// every upload of theirs fails: the token requests' 429s start the
// chain, and rate limiting is not a cause of its own.
func TestTokenNeverObtained(t *testing.T) {
	spec := runSpec{threads: 30, rampup: 2 * time.Second, duration: 40 * time.Second, think: 200 * time.Millisecond, id: uuid,
		token: func(th int, at time.Duration) string { return fmt.Sprintf("token%02dabcdef0123456789abcdef0123", th) },
		tokenFetch: func(th int, at time.Duration) string {
			if th%3 == 0 {
				return "429"
			}
			return "200"
		},
	}
	srv := server{verdict: func(u *simUpload) (string, time.Duration, string) {
		if u.token == "NOTOKEN" {
			return "400", time.Millisecond, "token-invalid"
		}
		return "201", 100 * time.Millisecond, ""
	}}
	res := diagnoseSim(t, simulate(spec, srv, 4))
	if got := likelySet(res); got != "token-invalid" {
		t.Errorf("likely %s\nverdict: %s", got, res.Verdict)
	}
	if !strings.Contains(res.Verdict, "429 Too Many Requests from the token endpoint") {
		t.Errorf("the verdict does not chain the failures to the token endpoint's 429s: %s", res.Verdict)
	}
}

// A request with an expired token and a malformed body fails on the
// token: a server checks credentials before it reads the body.
func TestPipelineOrder(t *testing.T) {
	a, b := &choice{m: &Marker{cause: "multipart-boundary"}, strong: true, wholePurity: 1},
		&choice{m: &Marker{cause: "token-age"}, strong: true, wholePurity: 0.99}
	if a.beats(b) || !b.beats(a) {
		t.Error("the malformed body beat the expired token")
	}
	c := &choice{m: &Marker{cause: "concurrency"}, strong: true, wholePurity: 0.5}
	if c.beats(b) {
		t.Error("a concurrency limit beat a near-certain mechanism")
	}
}

func TestSplitLatency(t *testing.T) {
	for _, c := range []struct {
		bands map[int32]int64
		want  int32
	}{
		{map[int32]int64{1: 3000, 11: 800}, 11},          // 1 ms and ~1.2 s: slow from band 11
		{map[int32]int64{9: 1000, 10: 1200, 11: 900}, 0}, // one spread mode
		{map[int32]int64{1: 3000, 11: 5}, 0},             // too few slow ones
		{map[int32]int64{1: 500, 2: 500, 3: 10}, 0},      // no gap
	} {
		if got := splitLatency(c.bands); got != c.want {
			t.Errorf("splitLatency(%v) = %d, want %d", c.bands, got, c.want)
		}
	}
}

func TestKindsClassify(t *testing.T) {
	ks := newKindSet()
	mk := func(code, msg, fail string, ok bool) *samples.Sample {
		return &samples.Sample{Code: code, Message: msg, FailureMessage: fail, Success: ok, Has: samples.FieldSuccess | samples.FieldCode}
	}
	cases := []struct {
		s    *samples.Sample
		want string
	}{
		{mk("400", "Bad Request", "", false), "400"},
		{mk("503", "", "", false), "503"},
		{mk("Non HTTP response code: java.net.SocketTimeoutException", "Non HTTP response message: Read timed out", "", false), "non-http:read-timeout"},
		{mk("Non HTTP response code: org.apache.http.conn.ConnectTimeoutException", "", "", false), "non-http:connect-timeout"},
		{mk("Non HTTP response code: org.apache.http.NoHttpResponseException", "", "", false), "non-http:no-response"},
		{mk("Non HTTP response code: java.net.ConnectException", "Connection refused", "", false), "non-http:connection-refused"},
		{mk("Non HTTP response code: org.apache.http.conn.HttpHostConnectException", "Non HTTP response message: Connect to 10.0.0.1:8080 failed: Connection timed out", "", false), "non-http:connect-timeout"},
		{mk("200", "OK", "Duplicate login: 0075FE", false), "assertion"},
		{mk("200", "OK", "", true), ""},
	}
	for _, c := range cases {
		k, _ := ks.classify(c.s, StatusFilter{})
		got := ""
		if k > 0 {
			got = ks.def(k).name()
		}
		if got != c.want {
			t.Errorf("%q/%q: kind %q, want %q", c.s.Code, c.s.FailureMessage, got, c.want)
		}
	}
	// A filter narrows without changing what a failure is.
	f, _ := ParseStatus("4xx")
	if k, _ := ks.classify(mk("503", "", "", false), f); k != -1 {
		t.Errorf("a 503 under --status 4xx is kind %d, want -1 (left out)", k)
	}
	if k, _ := ks.classify(mk("400", "", "", true), f); k != 0 {
		t.Errorf("a 400 the plan accepted is kind %d, want 0 (a success)", k)
	}
}

// Connect time that grows with the load while the server's own time
// stays flat points at the load generator.
func TestConnectRisePointsAtTheClient(t *testing.T) {
	c := newClientSide(causeConnection)
	for lv := int32(1); lv <= 50; lv++ {
		c.connect[lv] = &connectSums{n: 30, connect: 30 * float64(lv), latency: 30 * 20}
	}
	if s := c.connectRise("threads"); !strings.Contains(s, "load generator") {
		t.Errorf("connect time 1 → 50 ms with a flat server: %q", s)
	}
	for lv := int32(1); lv <= 50; lv++ {
		c.connect[lv] = &connectSums{n: 30, connect: 30 * float64(lv), latency: 30 * 20 * float64(lv)}
	}
	if s := c.connectRise("threads"); s != "" {
		t.Errorf("the server slowed down too, yet: %q", s)
	}
}
