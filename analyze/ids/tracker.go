package ids

import (
	"cmp"
	"hash/maphash"
	"math"
	"strings"

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
	// MaxValues bounds memory: a value is remembered until at least
	// MaxValues other (value, location) pairs have been seen after its
	// last use (see valTable), and at most twice that many are held.
	// 0 means about 3 million (64 MB).
	MaxValues int
}

// A Use is one ID-like value on one request, as Observe saw it.
type Use struct {
	Endpoint string
	Loc      string
	// LocID numbers the (Endpoint, Loc) pair, from 0 in the order the
	// Tracker first saw them, so that a caller can keep something per
	// location without building a key from the two strings.
	LocID int32
	Class Class
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
	// Hash is the value's 64-bit hash (the Tracker's seed): a caller that
	// follows values too need not hash them again.
	Hash uint64
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

	// vals holds the state of every (value, location) seen, and of every
	// value an alias group shares (see alias.go).
	vals valTable
	// threads numbers thread names from 2 (see valState.thread).
	threads     map[string]uint32
	threadNames []string // by number - 2
	threadCache [256]threadEntry
	groups      []*aliasGroup

	// recent caches locs by a cheap hash of the key (see recentSlot):
	// most requests carry the locations of the ones before.
	recent [64]*locState
	// pairCache does the same for pairs.
	pairCache [64]pairEntry

	// The current request: its time and thread, and its uses with, for
	// each, the value's hash, the location, and whether it is recorded.
	cur    request
	uses   []Use
	hashes []uint64
	states []*locState
	done   []bool
	firsts []int
}

// request is what the state of a value needs from the current request.
type request struct {
	thread     uint32
	timed      bool
	start, end int64 // Unix µs
}

type locKey struct{ endpoint, loc string }

type pairEntry struct {
	k  [2]int32
	ps *pairStat
}

// locState is what a Tracker knows about one (endpoint, location).
type locState struct {
	id            int32
	endpoint, loc string
	rank          int // kindRank of loc
	distinct      int64
	// values holds the values of a location numbered maxTableLocs or
	// more (Options.MaxLocations above it), which a valTable slot cannot
	// name; the others' are in Tracker.vals.
	values         map[uint64]valState
	group          *aliasGroup
	member         uint8 // index in group.members
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

// valState is all a Tracker knows of a distinct value at a location; a
// valTable keeps it, with the value's hash and the location, in 16 bytes.
type valState struct {
	uses   uint32
	thread uint32 // 0: no thread recorded; manyThreads; else threadID's
	end    int64  // latest end of the uses so far, Unix µs
}

// manyThreads marks a value used by more than one thread; thread numbers
// start at 2, so none equals it (or 0).
const manyThreads = 1

// Thread names are numbered, up to maxThreadIDs of them, so that a value's
// thread packs in a few bits and two threads never look like one. Past
// that, or for a name longer than maxThreadName, the number is a hash with
// the top bit set: two threads may then collide, with a chance of about
// 2^-31 per pair.
const (
	maxThreadIDs  = maxSlotThread - 1
	maxThreadName = 256
)

// threadID returns the number of the thread called name.
func (t *Tracker) threadID(name string) uint32 {
	// A run has a few hundred threads, each on row after row: a small
	// cache by a cheap hash of the name (two places, for collisions)
	// spares hashing it for the map.
	k := threadSlot(name)
	e := &t.threadCache[k]
	if e.name == name && e.name != "" {
		return e.id
	}
	if e2 := &t.threadCache[k^1]; e2.name == name && e2.name != "" {
		return e2.id
	}
	if e.name != "" && t.threadCache[k^1].name == "" {
		e = &t.threadCache[k^1]
	}
	if id, ok := t.threads[name]; ok {
		e.name, e.id = t.threadNames[id-2], id
		return id
	}
	if len(t.threads) >= maxThreadIDs || len(name) > maxThreadName {
		return uint32(maphash.String(t.seed, name)) | 1<<31
	}
	if t.threads == nil {
		t.threads = map[string]uint32{}
	}
	id := uint32(len(t.threads)) + 2
	// A copy: the name may be a slice of a big line.
	name = strings.Clone(name)
	t.threads[name] = id
	t.threadNames = append(t.threadNames, name)
	e.name, e.id = name, id
	return id
}

type threadEntry struct {
	name string
	id   uint32
}

// threadSlot picks the place of a thread name in Tracker.threadCache from
// its length and last bytes ("group 1-17"), where thread names differ.
func threadSlot(name string) int {
	x := uint64(len(name))
	for i := 1; i <= 4 && i <= len(name); i++ {
		x |= uint64(name[len(name)-i]) << (8 * i)
	}
	if len(name) > 0 {
		x |= uint64(name[len(name)/2]) << 40
	}
	return int(x * 0x9e3779b97f4a7c15 >> 56) // 256 places
}

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
	t.vals.genMax = cmp.Or(max(opts.MaxValues, 0), defaultGenValues)
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
	t.uses, t.hashes, t.states, t.done = t.uses[:0], t.hashes[:0], t.states[:0], t.done[:0]
	cands := t.x.Extract(r)
	if len(cands) == 0 {
		return nil
	}
	endpoint := t.x.endpoint(r)
	grouped := false
	for _, c := range cands {
		if t.allowed(c.Loc) {
			continue
		}
		ls := t.state(endpoint, c.Loc)
		if ls == nil {
			continue
		}
		// An ID sent several ways is hashed once.
		h := uint64(0)
		if n := len(t.uses); n > 0 && t.uses[n-1].Value == c.Value {
			h = t.hashes[n-1]
		} else {
			h = maphash.String(t.seed, c.Value)
		}
		t.uses = append(t.uses, Use{Endpoint: endpoint, Loc: c.Loc, LocID: ls.id, Class: c.Class, Value: c.Value, Hash: h})
		t.hashes = append(t.hashes, h)
		t.states = append(t.states, ls)
		t.done = append(t.done, false)
		grouped = grouped || ls.group != nil
	}
	if len(t.uses) == 0 {
		return nil
	}
	t.withIDs++
	t.cur = request{timed: !r.Start.IsZero()}
	if t.cur.timed {
		t.cur.start, t.cur.end = r.Start.UnixMicro(), r.End().UnixMicro()
	}
	if r.Thread != "" {
		t.cur.thread = t.threadID(r.Thread)
	}
	if grouped {
		t.useGroups()
	}
	for i := range t.uses {
		if !t.done[i] {
			t.use(i)
		}
	}
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
	// Two places in recent to look at, for the odd collision.
	r := recentSlot(endpoint, loc)
	for _, k := range [2]int{r, r ^ 1} {
		if ls := t.recent[k]; ls != nil && ls.endpoint == endpoint && ls.loc == loc {
			return ls
		}
	}
	if t.recent[r] != nil && t.recent[r^1] == nil {
		r ^= 1
	}
	k := locKey{endpoint, loc}
	if ls := t.locs[k]; ls != nil {
		t.recent[r] = ls
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
		rank:           kindRank(locKind(loc)),
		examplesWanted: t.opts.Examples,
		lastReq:        -1,
	}
	t.locs[k] = ls
	t.order = append(t.order, ls)
	t.recent[r] = ls
	return ls
}

// recentSlot picks the place of an (endpoint, location) in Tracker.recent
// from lengths and a few bytes, which is cheaper than hashing the strings
// and tells apart the few locations a run usually has.
func recentSlot(endpoint, loc string) int {
	x := uint64(len(endpoint)) | uint64(len(loc))<<8
	if n := len(endpoint); n > 0 {
		x |= uint64(endpoint[0])<<16 | uint64(endpoint[n/2])<<24 | uint64(endpoint[n-1])<<32
	}
	if n := len(loc); n > 0 {
		x |= uint64(loc[n/2])<<40 | uint64(loc[n-1])<<48
	}
	return int(x * 0x9e3779b97f4a7c15 >> 58) // 64 places
}

// use records use i of the current request at its own location.
func (t *Tracker) use(i int) {
	ls, h := t.states[i], t.hashes[i]
	if ls.id >= maxTableLocs {
		v, seen := ls.values[h]
		t.record(i, &v, seen)
		if ls.values == nil {
			ls.values = map[uint64]valState{}
		}
		ls.values[h] = v
		return
	}
	slot, v, seen := t.vals.lookup(h, uint32(ls.id))
	t.record(i, &v, seen)
	t.vals.set(slot, h, uint32(ls.id), v, seen)
}

// record fills in use i of the current request from v, the state of its
// value before the request (seen: there was one), updates v and counts
// the use at its location.
func (t *Tracker) record(i int, v *valState, seen bool) {
	t.advance(&t.uses[i], v, seen)
	t.count(i, v.uses)
}

// advance fills in u's reuse fields from the state v of its value, and
// moves v on by the current request.
func (t *Tracker) advance(u *Use, v *valState, seen bool) {
	cur := &t.cur
	if seen {
		u.Reused = true
		u.Concurrent = cur.timed && v.end > cur.start
		u.OtherThread = cur.thread != 0 && v.thread != 0 && v.thread != cur.thread
	}
	if v.uses < math.MaxUint32 {
		v.uses++
	}
	u.Uses = int(v.uses)
	switch {
	case cur.thread == 0: // says nothing about threads
	case v.thread == 0:
		v.thread = cur.thread
	case v.thread != cur.thread:
		v.thread = manyThreads
	}
	if cur.timed && (!seen || cur.end > v.end) {
		v.end = cur.end
	}
}

// count adds use i, now filled in, to its location's counts; uses is the
// value's count there.
func (t *Tracker) count(i int, uses uint32) {
	ls, u := t.states[i], &t.uses[i]
	if uses == 1 {
		ls.distinct++
	}
	ls.classes[classIndex(u.Class)]++
	// A request with several values at one location (a JSON array)
	// counts once, as reused if any of them was.
	if req := t.requests; ls.lastReq != req {
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
	if uses >= 2 {
		ls.remember(t.hashes[i], u.Value, uses)
	}
	t.done[i] = true
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
			if t.states[j].rank < t.states[best].rank {
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
	link := false
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
			ps := t.pair(k)
			ps.both++
			if t.hashes[i] == t.hashes[j] {
				ps.equal++
			}
			// Try grouping the pair's locations each time the count
			// doubles from linkAt on.
			link = link || ps.both >= linkAt && ps.both&(ps.both-1) == 0
		}
	}
	if link {
		t.link(firsts)
	}
	t.firsts = firsts
}

// pair returns the counts of the pair k, made on first use.
func (t *Tracker) pair(k [2]int32) *pairStat {
	e := &t.pairCache[(k[0]*7+k[1])&int32(len(t.pairCache)-1)]
	if e.ps != nil && e.k == k {
		return e.ps
	}
	ps := t.pairs[k]
	if ps == nil {
		ps = &pairStat{}
		t.pairs[k] = ps
	}
	e.k, e.ps = k, ps
	return ps
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
