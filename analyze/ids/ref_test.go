package ids

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// refTracker is the Tracker written the plain way: a Go map per location
// keyed by the value's text, the threads of each value as a set, and a
// fresh Extractor per request (so that no cache carries over). The
// Tracker's packed table, caches and fast paths must give exactly what
// it gives.
type refTracker struct {
	opts              Options
	locs              map[locKey]*refLoc
	order             []*refLoc
	pairs             map[[2]string]*pairStat
	requests, withIDs int64
	dropped           int64
}

type refLoc struct {
	id                            int32 // its place in order
	endpoint, loc                 string
	vals                          map[string]*refVal
	classes                       map[Class]int64
	requests, reused, reusedOther int64
	reusedConc                    int64
	lastReq                       int64
	lastReused, lastOther         bool
	lastConc                      bool
	top                           []refExample
}

type refVal struct {
	uses    int
	threads map[string]bool
	end     int64
}

type refExample struct {
	value string
	uses  int
}

func newRef(opts Options) *refTracker {
	if opts.Examples <= 0 {
		opts.Examples = 5
	}
	if opts.MaxLocations <= 0 {
		opts.MaxLocations = 1024
	}
	return &refTracker{opts: opts, locs: map[locKey]*refLoc{}, pairs: map[[2]string]*pairStat{}}
}

func (rt *refTracker) observe(r *samples.Sample) []Use {
	rt.requests++
	x := Extractor{Select: rt.opts.Select}
	cands := x.Extract(r)
	endpoint := x.endpoint(r)
	var uses []Use
	var at []*refLoc
outer:
	for _, c := range cands {
		for _, sp := range rt.opts.Allow {
			if sp.Matches(c.Loc) {
				continue outer
			}
		}
		k := locKey{endpoint, c.Loc}
		ls := rt.locs[k]
		if ls == nil {
			if len(rt.order) >= rt.opts.MaxLocations {
				rt.dropped++
				continue
			}
			ls = &refLoc{id: int32(len(rt.order)), endpoint: endpoint, loc: c.Loc, vals: map[string]*refVal{}, classes: map[Class]int64{}, lastReq: -1}
			rt.locs[k] = ls
			rt.order = append(rt.order, ls)
		}
		uses = append(uses, rt.use(ls, r, c, endpoint))
		at = append(at, ls)
	}
	if len(uses) == 0 {
		return nil
	}
	rt.withIDs++
	// Groups by value text; the primary is the first of the best rank.
	for i := range uses {
		uses[i].Group = -1
	}
	g := 0
	for i := range uses {
		if uses[i].Group >= 0 {
			continue
		}
		best := i
		for j := i; j < len(uses); j++ {
			if uses[j].Value == uses[i].Value {
				uses[j].Group = g
				if kindRank(locKind(uses[j].Loc)) < kindRank(locKind(uses[best].Loc)) {
					best = j
				}
			}
		}
		uses[best].Primary = true
		g++
	}
	// Pairs: the first value of each location, at most maxPairLocs.
	var firsts []int
	for i := range uses {
		first := true
		for j := 0; j < i; j++ {
			first = first && at[j] != at[i]
		}
		if first && len(firsts) < maxPairLocs {
			firsts = append(firsts, i)
		}
	}
	for b := 1; b < len(firsts); b++ {
		for a := 0; a < b; a++ {
			i, j := firsts[a], firsts[b]
			k := [2]string{at[i].endpoint + "\x00" + at[i].loc, at[j].endpoint + "\x00" + at[j].loc}
			if k[0] > k[1] {
				k[0], k[1] = k[1], k[0]
			}
			ps := rt.pairs[k]
			if ps == nil {
				ps = &pairStat{}
				rt.pairs[k] = ps
			}
			ps.both++
			if uses[i].Value == uses[j].Value {
				ps.equal++
			}
		}
	}
	return uses
}

func (rt *refTracker) use(ls *refLoc, r *samples.Sample, c Candidate, endpoint string) Use {
	u := Use{Endpoint: endpoint, Loc: c.Loc, LocID: ls.id, Class: c.Class, Value: c.Value}
	timed := !r.Start.IsZero()
	var start, end int64
	if timed {
		start, end = r.Start.UnixMicro(), r.End().UnixMicro()
	}
	v := ls.vals[c.Value]
	if v != nil {
		u.Reused = true
		u.Concurrent = timed && v.end > start
		for th := range v.threads {
			u.OtherThread = u.OtherThread || r.Thread != "" && th != r.Thread
		}
	} else {
		v = &refVal{threads: map[string]bool{}}
		ls.vals[c.Value] = v
		if timed {
			v.end = end
		}
	}
	v.uses++
	u.Uses = v.uses
	if r.Thread != "" {
		v.threads[r.Thread] = true
	}
	if timed && end > v.end {
		v.end = end
	}
	ls.classes[c.Class]++
	if ls.lastReq != rt.requests {
		ls.lastReq = rt.requests
		ls.requests++
		ls.lastReused, ls.lastOther, ls.lastConc = false, false, false
	}
	if u.Reused && !ls.lastReused {
		ls.lastReused = true
		ls.reused++
	}
	if u.OtherThread && !ls.lastOther {
		ls.lastOther = true
		ls.reusedOther++
	}
	if u.Concurrent && !ls.lastConc {
		ls.lastConc = true
		ls.reusedConc++
	}
	if v.uses >= 2 {
		rt.remember(ls, c.Value, v.uses)
	}
	return u
}

// remember is the Tracker's top-k rule, by value text.
func (rt *refTracker) remember(ls *refLoc, value string, uses int) {
	low := -1
	for i := range ls.top {
		if ls.top[i].value == value {
			ls.top[i].uses = uses
			return
		}
		if low < 0 || ls.top[i].uses < ls.top[low].uses {
			low = i
		}
	}
	switch {
	case len(ls.top) < rt.opts.Examples:
		ls.top = append(ls.top, refExample{value, uses})
	case uses > ls.top[low].uses:
		ls.top[low] = refExample{value, uses}
	}
}

// compare checks the Tracker's result against the reference's.
func (rt *refTracker) compare(t *testing.T, tr *Tracker) {
	t.Helper()
	res := tr.Result()
	if res.Requests != rt.requests || res.RequestsWithIDs != rt.withIDs || res.DroppedLocations != rt.dropped {
		t.Errorf("requests %d/%d with IDs %d/%d dropped %d/%d (tracker/reference)",
			res.Requests, rt.requests, res.RequestsWithIDs, rt.withIDs, res.DroppedLocations, rt.dropped)
	}
	if len(res.Locations) != len(rt.order) {
		t.Fatalf("%d locations, reference %d", len(res.Locations), len(rt.order))
	}
	byKey := map[locKey]Location{}
	for _, l := range res.Locations {
		byKey[locKey{l.Endpoint, l.Location}] = l
	}
	for _, ls := range rt.order {
		l, ok := byKey[locKey{redact.Text(ls.endpoint), ls.loc}]
		if !ok {
			t.Errorf("%s %s: missing", ls.endpoint, ls.loc)
			continue
		}
		want := Location{
			Endpoint: redact.Text(ls.endpoint), Location: ls.loc, Class: l.Class,
			Requests: ls.requests, Distinct: int64(len(ls.vals)), Reused: ls.reused,
			ReusedOtherThread: ls.reusedOther, ReusedConcurrent: ls.reusedConc,
			Constant: len(ls.vals) == 1 && ls.requests > 1, Redacted: secretLocation(ls.loc),
		}
		if ls.classes[l.Class] != maxCount(ls.classes) {
			t.Errorf("%s %s: class %q is not the commonest in %v", ls.endpoint, ls.loc, l.Class, ls.classes)
		}
		top := append([]refExample(nil), ls.top...)
		sort.Slice(top, func(i, j int) bool {
			if top[i].uses != top[j].uses {
				return top[i].uses > top[j].uses
			}
			return top[i].value < top[j].value
		})
		for _, e := range top {
			v := redact.Text(e.value)
			if want.Redacted {
				v = redact.Fingerprint(e.value)
			}
			want.Top = append(want.Top, Value{v, int64(e.uses)})
		}
		if fmt.Sprint(l) != fmt.Sprint(want) {
			t.Errorf("location differs:\n got %+v\nwant %+v", l, want)
		}
	}
	pairs := map[[2]string]pairStat{}
	for k, ps := range tr.pairs {
		a, b := tr.order[k[0]], tr.order[k[1]]
		pk := [2]string{a.endpoint + "\x00" + a.loc, b.endpoint + "\x00" + b.loc}
		if pk[0] > pk[1] {
			pk[0], pk[1] = pk[1], pk[0]
		}
		pairs[pk] = *ps
	}
	if len(pairs) != len(rt.pairs) {
		t.Errorf("%d pairs, reference %d", len(pairs), len(rt.pairs))
	}
	for k, ps := range rt.pairs {
		if pairs[k] != *ps {
			t.Errorf("pair %q: %+v, reference %+v", k, pairs[k], *ps)
		}
	}
}

func maxCount(m map[Class]int64) int64 {
	var n int64
	for _, c := range m {
		n = max(n, c)
	}
	return n
}

// refWorkload makes requests that exercise what the Tracker packs and
// caches: IDs carried two or three ways that nearly always agree,
// recycled IDs used hundreds of times, fresh ones, JSON arrays, requests
// out of time order or without a time, times that are not whole
// milliseconds or lie far from the rest, requests without a thread.
type refWorkload struct {
	rnd       *rand.Rand
	endpoints int
	now       time.Time
	fresh     int
	prev      string
	har       bool // times in µs, no thread names
}

func (w *refWorkload) id() string {
	switch p := w.rnd.IntN(100); {
	case p < 40: // recycled: a CSV Data Set of 12 rows
		return fmt.Sprintf("rec-%04d", w.rnd.IntN(12))
	case p < 45:
		return fmt.Sprintf("%08x-b3e8-4de8-8406-ca78b21dcdb5", w.rnd.IntN(3000))
	}
	w.fresh++
	return fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", w.fresh, w.rnd.Uint64()&(1<<48-1))
}

func (w *refWorkload) next() samples.Sample {
	r := w.rnd
	id := w.id()
	s := samples.Sample{Label: fmt.Sprintf("endpoint %d", r.IntN(w.endpoints)), Method: "POST"}
	if r.IntN(20) != 0 && !w.har {
		s.Thread = fmt.Sprintf("group 1-%d", r.IntN(8))
	}
	w.now = w.now.Add(time.Duration(r.IntN(40)) * time.Millisecond)
	switch p := r.IntN(100); {
	case p < 3: // no time
	case p < 8: // late: before requests already seen
		s.Start = w.now.Add(-time.Duration(r.IntN(5000)) * time.Millisecond)
	case p < 10: // not a whole millisecond (HAR)
		s.Start = w.now.Add(time.Duration(r.IntN(999)+1) * time.Microsecond)
	case p < 11: // far from the rest: 1960, or 2300
		s.Start = time.Date(1960+340*r.IntN(2), 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	default:
		s.Start = w.now
	}
	s.Elapsed = time.Duration(r.IntN(300)) * time.Millisecond
	if w.har && !s.Start.IsZero() {
		s.Start = s.Start.Add(time.Duration(r.IntN(1000)) * time.Microsecond)
		s.Elapsed += time.Duration(r.IntN(1000)) * time.Microsecond
	}
	if r.IntN(10) == 0 {
		s.Idle = time.Duration(r.IntN(100)) * time.Millisecond
	}
	// The ID in the path, a header and a variable, nearly always the
	// same: aliases with a few disagreements and absences, fewer at
	// endpoint 0, so that its locations are grouped.
	noise := 30
	if s.Label == "endpoint 0" {
		noise = 1500
	}
	// A disagreeing location carries another ID, often the previous
	// request's (a variable not yet updated).
	prev := w.prev
	w.prev = id
	other := func() string {
		switch {
		case r.IntN(noise) != 0:
			return id
		case prev != "" && r.IntN(2) == 0:
			return prev
		}
		return w.id()
	}
	if r.IntN(noise) != 0 {
		s.URL = "http://h:8080/api/items/" + other()
	} else {
		s.URL = "http://h:8080/api/items"
	}
	if r.IntN(noise) != 0 {
		s.RequestHeaders = append(s.RequestHeaders, samples.Header{Name: "X-Request-Id", Value: other()})
	}
	if r.IntN(noise) != 0 {
		s.Vars = append(s.Vars, samples.Var{Name: "recId", Value: other()})
	}
	if r.IntN(15) == 0 {
		s.RequestBody = fmt.Sprintf(`{"items":[{"id":%q},{"id":%q},{"id":%q}]}`, other(), w.id(), id)
		s.RequestBodyIs = samples.BodySaved
		s.RequestHeaders = append(s.RequestHeaders, samples.Header{Name: "Content-Type", Value: "application/json"})
	}
	return s
}

func TestTrackerMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name      string
		seed      uint64
		n         int
		endpoints int
		opts      Options
		groups    bool // alias groups must form, share and split
	}{
		{"few endpoints", 1, 30000, 3, Options{}, true},
		{"many requests", 2, 60000, 2, Options{Examples: 3}, true},
		{"location limit", 3, 20000, 40, Options{MaxLocations: 50}, false},
		// More locations than a table slot can name: the rest are kept
		// in a map per location.
		{"over table locations", 4, 40000, 500, Options{MaxLocations: 2100}, false},
		{"allow list", 5, 10000, 3, Options{Allow: mustSpecs(t, "header:x-request-id")}, false},
		{"selected", 6, 20000, 1, Options{Select: mustSpecs(t, "var:recId", "path:2")}, true},
		{"har", 7, 30000, 2, Options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &refWorkload{rnd: rand.New(rand.NewPCG(tc.seed, 99)), endpoints: tc.endpoints,
				now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), har: tc.name == "har"}
			tr, ref := New(tc.opts), newRef(tc.opts)
			for i := range tc.n {
				s := w.next()
				got := tr.Observe(&s)
				want := ref.observe(&s)
				if len(got) != len(want) {
					t.Fatalf("request %d: %d uses, reference %d\n got %+v\nwant %+v", i, len(got), len(want), got, want)
				}
				for k := range got {
					got[k].Hash = 0 // the reference does not hash
					if got[k] != want[k] {
						t.Fatalf("request %d use %d:\n got %+v\nwant %+v", i, k, got[k], want[k])
					}
				}
			}
			ref.compare(t, tr)
			if tc.groups {
				var agree, disagree, splits int64
				for _, g := range tr.groups {
					agree, disagree, splits = agree+g.agree, disagree+g.disagree, splits+g.splits
				}
				if agree == 0 || disagree == 0 || splits == 0 {
					t.Errorf("%d groups agreed %d times, disagreed %d, split %d values: the test does not test them",
						len(tr.groups), agree, disagree, splits)
				}
			}
		})
	}
}

func mustSpecs(t *testing.T, list ...string) []Spec {
	t.Helper()
	specs, err := ParseSpecs(list)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// Thread names past what a slot can number get hashed numbers; reuse by
// another thread is still seen.
func TestManyThreads(t *testing.T) {
	tr := New(Options{})
	for i := range maxThreadIDs {
		tr.threadID(fmt.Sprintf("filler %d", i))
	}
	a := samples.Sample{Label: "x", Thread: "late 1", Vars: []samples.Var{{Name: "recId", Value: "rec-0001"}}}
	b := a
	b.Thread = "late 2"
	if id, again := tr.threadID(a.Thread), tr.threadID(a.Thread); id <= maxSlotThread || id != again {
		t.Fatalf("thread %d: want a stable hashed number above %d", tr.threadID(a.Thread), maxSlotThread)
	}
	long := strings.Repeat("x", maxThreadName+1)
	if tr.threadID(long) <= maxSlotThread {
		t.Errorf("a name of %d bytes was numbered", len(long))
	}
	if u := tr.Observe(&a)[0]; u.Reused {
		t.Errorf("first use: %+v", u)
	}
	if u := tr.Observe(&a)[0]; !u.Reused || u.OtherThread || u.Uses != 2 {
		t.Errorf("same thread again: %+v", u)
	}
	if u := tr.Observe(&b)[0]; !u.Reused || !u.OtherThread || u.Uses != 3 {
		t.Errorf("another thread: %+v", u)
	}
}
