package ids

import (
	"hash/maphash"
	"math"

	"github.com/jtlscope/jtlscope/samples"
)

// Options configure a Tracker.
type Options struct {
	// Select, when not empty, names the locations to track and turns
	// auto-detection off: every value there counts, ID-like or not.
	Select []Spec
	// Allow names locations whose values are constant by design (a tenant
	// or organisation ID, an API client ID): they are not tracked. Nothing
	// is allow-listed unless the user says so.
	Allow []Spec
	// Examples is how many of the most reused values each location keeps
	// for the result; 0 means 5.
	Examples int
	// MaxLocations bounds the (endpoint, location) pairs tracked; later
	// ones are counted in Result.DroppedLocations. 0 means 1024.
	MaxLocations int
}

// A Use is one ID-like value on one request, as Observe saw it.
type Use struct {
	Endpoint string
	Loc      string
	Class    Class
	// Value is the value as found; it may be a secret (see Result for
	// what is safe to print).
	Value string
	// Uses counts the requests that carried this value at this (endpoint,
	// location) so far, this one included: 1 is a first use.
	Uses int
	// Reused: the value was seen before at this (endpoint, location).
	Reused bool
	// Concurrent: an earlier use was still in flight when this one started.
	Concurrent bool
	// OtherThread: an earlier use came from another thread. False when
	// the source records no thread names (HAR).
	OtherThread bool
	// Group numbers the distinct values of this request: uses with equal
	// values share a Group, so a header, a form field and a variable that
	// carry the same ID are one logical ID.
	Group int
	// Primary marks one use per Group, the one to count so that a reuse is
	// counted once per request: the first location in the order header,
	// form, json, query, path, regex, var.
	Primary bool
}

// A Tracker follows ID values through a run. Feed it requests in start-time
// order (Add, or Observe per request); read Result at the end. It is not
// safe for concurrent use.
type Tracker struct {
	opts     Options
	x        Extractor
	seed     maphash.Seed
	locs     map[locKey]*locState
	order    []*locState
	pairs    map[[2]int32]*pairStat
	requests int64
	withIDs  int64
	dropped  int64

	observe func(*samples.Sample) // Observe as a func, made once

	// Scratch for the current request.
	uses   []Use
	hashes []uint64
	states []*locState
	firsts []int
}

type locKey struct{ endpoint, loc string }

// locState is what a Tracker knows about one (endpoint, location).
type locState struct {
	id             int32
	endpoint, loc  string
	values         map[uint64]valState
	classes        [len(classOrder)]int64
	requests       int64
	reused         int64
	reusedThread   int64
	reusedConc     int64
	lastReq        int64 // the request serial last counted, so each request counts once
	lastReused     bool
	lastThread     bool
	lastConcurrent bool
	top            []example
	examplesWanted int
}

// valState is all a Tracker keeps per distinct value: 16 bytes.
type valState struct {
	uses   uint32
	thread uint32 // 0: no thread recorded; manyThreads; else a thread hash
	end    int64  // latest end of the uses so far, Unix µs
}

// manyThreads marks a value used by more than one thread; thread hashes
// have bit 1 set, so none equals it (or 0).
const manyThreads = 1

// An example is a much-reused value whose text is kept for the result.
// The text is a copy (the value may be a slice of a megabyte body) in a
// buffer reused when another value takes the slot.
type example struct {
	hash uint64
	text []byte
	uses uint32
}

// pairStat counts, for two locations of one endpoint, the requests that
// carried both and those where the two values were equal.
type pairStat struct{ both, equal int64 }

// New returns a Tracker.
func New(opts Options) *Tracker {
	if opts.Examples <= 0 {
		opts.Examples = 5
	}
	if opts.MaxLocations <= 0 {
		opts.MaxLocations = 1024
	}
	t := &Tracker{
		opts:  opts,
		x:     Extractor{Select: opts.Select},
		seed:  maphash.MakeSeed(),
		locs:  map[locKey]*locState{},
		pairs: map[[2]int32]*pairStat{},
	}
	return t
}

// Add observes each wire request of s (s itself, or its sub-results); it
// makes a Tracker an analyze.Accumulator.
func (t *Tracker) Add(s *samples.Sample) {
	if t.observe == nil {
		t.observe = func(r *samples.Sample) { t.Observe(r) }
	}
	s.Requests(t.observe)
}

// Observe records the request r and returns its ID uses, in the order they
// were found. The slice is reused by the next call.
func (t *Tracker) Observe(r *samples.Sample) []Use {
	t.requests++
	t.uses, t.hashes, t.states = t.uses[:0], t.hashes[:0], t.states[:0]
	cands := t.x.Extract(r)
	if len(cands) == 0 {
		return nil
	}
	endpoint := t.x.endpoint(r)
	timed := !r.Start.IsZero()
	var start, end int64
	if timed {
		start, end = r.Start.UnixMicro(), r.End().UnixMicro()
	}
	var thread uint32
	if r.Thread != "" {
		thread = uint32(maphash.String(t.seed, r.Thread)) | 2
	}
	for _, c := range cands {
		if t.allowed(c.Loc) {
			continue
		}
		ls := t.state(endpoint, c.Loc)
		if ls == nil {
			continue
		}
		h := maphash.String(t.seed, c.Value)
		u := ls.use(t.requests, h, c, thread, timed, start, end)
		u.Endpoint = endpoint
		t.uses = append(t.uses, u)
		t.hashes = append(t.hashes, h)
		t.states = append(t.states, ls)
	}
	if len(t.uses) == 0 {
		return nil
	}
	t.withIDs++
	t.group()
	t.countPairs()
	return t.uses
}

func (t *Tracker) allowed(loc string) bool {
	for _, sp := range t.opts.Allow {
		if sp.Matches(loc) {
			return true
		}
	}
	return false
}

func (t *Tracker) state(endpoint, loc string) *locState {
	k := locKey{endpoint, loc}
	if ls := t.locs[k]; ls != nil {
		return ls
	}
	if len(t.order) >= t.opts.MaxLocations {
		t.dropped++
		return nil
	}
	ls := &locState{
		id:             int32(len(t.order)),
		endpoint:       endpoint,
		loc:            loc,
		values:         map[uint64]valState{},
		examplesWanted: t.opts.Examples,
		lastReq:        -1,
	}
	t.locs[k] = ls
	t.order = append(t.order, ls)
	return ls
}

// use records one use of the value with hash h on request serial req.
func (ls *locState) use(req int64, h uint64, c Candidate, thread uint32, timed bool, start, end int64) Use {
	v, seen := ls.values[h]
	u := Use{Loc: c.Loc, Class: c.Class, Value: c.Value}
	if seen {
		u.Reused = true
		u.Concurrent = timed && v.end > start
		u.OtherThread = thread != 0 && v.thread != 0 && v.thread != thread
	}
	if v.uses < math.MaxUint32 {
		v.uses++
	}
	u.Uses = int(v.uses)
	switch {
	case thread == 0: // says nothing about threads
	case v.thread == 0:
		v.thread = thread
	case v.thread != thread:
		v.thread = manyThreads
	}
	if timed && (!seen || end > v.end) {
		v.end = end
	}
	ls.values[h] = v
	ls.classes[classIndex(c.Class)]++

	// A request with several values at one location (a JSON array)
	// counts once, as reused if any of them was.
	if ls.lastReq != req {
		ls.lastReq = req
		ls.requests++
		ls.lastReused, ls.lastThread, ls.lastConcurrent = false, false, false
	}
	if u.Reused && !ls.lastReused {
		ls.lastReused = true
		ls.reused++
	}
	if u.OtherThread && !ls.lastThread {
		ls.lastThread = true
		ls.reusedThread++
	}
	if u.Concurrent && !ls.lastConcurrent {
		ls.lastConcurrent = true
		ls.reusedConc++
	}
	if v.uses >= 2 {
		ls.remember(h, c.Value, v.uses)
	}
	return u
}

// remember keeps the top examplesWanted values by use count. Counts grow
// by one at a time and are exact (they come from values), so swapping a
// value in when it overtakes the smallest kept one keeps the true top.
func (ls *locState) remember(h uint64, value string, uses uint32) {
	low := -1
	for i := range ls.top {
		if ls.top[i].hash == h {
			ls.top[i].uses = uses
			return
		}
		if low < 0 || ls.top[i].uses < ls.top[low].uses {
			low = i
		}
	}
	switch {
	case len(ls.top) < ls.examplesWanted:
		ls.top = append(ls.top, example{hash: h, text: []byte(value), uses: uses})
	case uses > ls.top[low].uses:
		e := &ls.top[low]
		e.hash, e.text, e.uses = h, append(e.text[:0], value...), uses
	}
}

// group numbers the distinct values of the current request and marks one
// primary use per value.
func (t *Tracker) group() {
	for i := range t.uses {
		t.uses[i].Group = -1
	}
	g := 0
	for i := range t.uses {
		if t.uses[i].Group >= 0 {
			continue
		}
		best := i
		for j := i; j < len(t.uses); j++ {
			if t.hashes[j] != t.hashes[i] {
				continue
			}
			t.uses[j].Group = g
			if kindRank(locKind(t.uses[j].Loc)) < kindRank(locKind(t.uses[best].Loc)) {
				best = j
			}
		}
		t.uses[best].Primary = true
		g++
	}
}

// maxPairLocs bounds the locations of one request compared pairwise.
const maxPairLocs = 16

// countPairs counts, for each two locations of this request, whether they
// carried the same value. A location with several values on the request
// takes part with its first.
func (t *Tracker) countPairs() {
	firsts := t.firsts[:0]
	for i := range t.uses {
		if len(firsts) == maxPairLocs {
			break
		}
		if t.firstOf(i) {
			firsts = append(firsts, i)
		}
	}
	for bi := 1; bi < len(firsts); bi++ {
		for ai := 0; ai < bi; ai++ {
			i, j := firsts[ai], firsts[bi]
			k := [2]int32{t.states[i].id, t.states[j].id}
			if k[0] > k[1] {
				k[0], k[1] = k[1], k[0]
			}
			ps := t.pairs[k]
			if ps == nil {
				ps = &pairStat{}
				t.pairs[k] = ps
			}
			ps.both++
			if t.hashes[i] == t.hashes[j] {
				ps.equal++
			}
		}
	}
	t.firsts = firsts
}

// firstOf reports whether use i is the first of its location on this
// request.
func (t *Tracker) firstOf(i int) bool {
	for j := 0; j < i; j++ {
		if t.states[j] == t.states[i] {
			return false
		}
	}
	return true
}
