package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/ids"
	"github.com/jtlscope/jtlscope/samples"
)

// duplicateID asks whether failing requests shared an ID with another
// request to the same endpoint: a static header, a CSV Data Set that
// recycles, IDs built from a millisecond clock that collide under load.
//
// Two requests that start in the same millisecond with the same ID reach
// the server in either order, so "the later use in start order" is only
// half the story: a collision marks every request of the group, and the
// server's signature is that one of them (the one it stored first)
// succeeds. So the marker is every request that shared its ID (the later
// uses, and a first use that a later one overlapped in time), and its
// purity is counted against the later uses alone: in each group, one
// request is expected to go through.
type duplicateID struct {
	tr *ids.Tracker
	d  *Diagnoser
	// dimReused holds, per (endpoint, location) bit, whether the request
	// reused a value seen before; dimCollided whether a later request
	// with the same value overlapped it (a first use in a collision);
	// dimKeeper marks the one request of a collision group whose failures
	// all failed that the server took first (see settle).
	dimReused, dimCollided, dimKeeper int
	locs                              map[string]int // "endpoint\x00location" -> bit
	name                              []string       // bit -> "endpoint\x00location"
	seenIDs                           int64

	// pending holds the first uses still in flight, by value: a later use
	// that starts before one ends collides with it.
	pending map[uint64]int32
	// slab holds the pending first uses, free the slots to reuse: a run
	// of a million uploads makes a million first uses, which should not
	// be a million allocations.
	slab []firstUse
	free []int32
	// cur are the first uses of the request being observed, registered in
	// pending once its key is final (counted); joins the groups it
	// collided with, joined then too.
	cur      []pendingKey
	joins    []int32
	curMS    int64
	curStart int64
	curEnd   int64
	swept    int64
	groups   CollisionGroups
}

type pendingKey struct {
	h   uint64
	bit int
}

// firstUse is a first use of a value while it may still collide, and
// the requests that collided with it.
type firstUse struct {
	first    member
	others   []member
	end      int64 // Unix ms
	bit      int
	collided bool
}

// member is one request of a collision group, as the table counted it.
type member struct {
	raw     Key
	failed  bool
	failure int
	ms      int64 // elapsed
}

// maxMembers bounds a group's members: a static ID under load makes one
// group of everything in flight with its first use, and the first few
// say as much as all of them.
const maxMembers = 64

// CollisionGroups describes the groups of requests that shared an ID
// while in flight together.
type CollisionGroups struct {
	Groups int64 `json:"groups"`
	// OneSucceeded counts groups where exactly one request succeeded:
	// the server stored the first it saw and refused the rest.
	OneSucceeded int64 `json:"one_succeeded"`
	AllFailed    int64 `json:"all_failed"`
	AllSucceeded int64 `json:"all_succeeded"`
	Requests     int64 `json:"requests"`
	Failures     int64 `json:"failures"`
}

// maxBits is how many (endpoint, location) pairs get a bit in the key;
// later ones are still tracked by ids but cannot be chosen as the marker.
const maxIDBits = 31

// maxPending bounds the first uses waiting for a collision; past it the
// oldest are settled (a run with more requests in flight than this does
// not exist; a broken file with out-of-order times might).
const maxPending = 1 << 16

func newDuplicateID(specs []ids.Spec) *duplicateID {
	return &duplicateID{
		tr:      ids.New(ids.Options{Select: specs}),
		locs:    map[string]int{},
		pending: map[uint64]int32{},
	}
}

func (c *duplicateID) Name() string { return "duplicate-id" }
func (c *duplicateID) setup(t *Table) {
	c.dimReused = t.addDim("id_reused")
	c.dimCollided = t.addDim("id_collided")
	c.dimKeeper = t.addDim("id_keeper")
}

func (c *duplicateID) observe(r *samples.Sample, rc *request, k *Key) {
	start, end := r.Start.UnixMilli(), r.End().UnixMilli()
	c.cur, c.joins, c.curStart, c.curEnd, c.curMS = c.cur[:0], c.joins[:0], start, end, r.Elapsed.Milliseconds()
	c.sweep(start)
	uses := c.tr.Observe(r)
	if len(uses) > 0 {
		c.seenIDs++
	}
	var mask int32
	for _, u := range uses {
		if !u.Primary {
			continue
		}
		key := u.Endpoint + "\x00" + u.Loc
		bit, ok := c.locs[key]
		if !ok {
			if len(c.name) >= maxIDBits {
				continue
			}
			bit = len(c.name)
			c.locs[key] = bit
			c.name = append(c.name, key)
		}
		h := u.Hash ^ uint64(bit)*0x9e3779b97f4a7c15
		if !u.Reused {
			c.cur = append(c.cur, pendingKey{h, bit})
			continue
		}
		mask |= 1 << bit
		if i, ok := c.pending[h]; ok && start <= c.slab[i].end {
			c.collide(&c.slab[i])
			c.joins = append(c.joins, i)
		}
	}
	k[c.dimReused] = mask
}

// counted registers the current request's first uses once its key is
// final.
func (c *duplicateID) counted(raw Key, rc *request) {
	m := member{raw: raw, failed: rc.failed, failure: rc.failure, ms: c.curMS}
	for _, i := range c.joins {
		if fu := &c.slab[i]; len(fu.others) < maxMembers {
			fu.others = append(fu.others, m)
		}
	}
	for _, pk := range c.cur {
		if len(c.pending) >= maxPending {
			c.sweep(1<<62 - 1)
		}
		if old, ok := c.pending[pk.h]; ok {
			// The same value first used again after its group settled:
			// start over.
			c.release(pk.h, old)
		}
		var i int32
		if n := len(c.free); n > 0 {
			i, c.free = c.free[n-1], c.free[:n-1]
		} else {
			c.slab = append(c.slab, firstUse{})
			i = int32(len(c.slab) - 1)
		}
		c.slab[i] = firstUse{first: m, end: c.curEnd, bit: pk.bit, others: c.slab[i].others[:0]}
		c.pending[pk.h] = i
	}
}

// collide marks a first use as part of a collision, moving it to the
// table cell of a request that shared its ID.
func (c *duplicateID) collide(fu *firstUse) {
	if fu.collided {
		return
	}
	fu.collided = true
	c.flag(&fu.first, c.dimCollided, 1<<fu.bit)
}

// flag sets bits of a dimension in a counted request's key, moving it to
// its new cell.
func (c *duplicateID) flag(m *member, dim int, bits int32) {
	to := m.raw
	to[dim] |= bits
	d := c.d
	d.table.move(d.coarse(m.raw), d.coarse(to), m.failed)
	if m.failure >= 0 && m.failure < len(d.failures) {
		d.failures[m.failure].key = to
	}
	m.raw = to
}

// sweep settles the first uses that ended before now: nothing starting
// later can collide with them.
func (c *duplicateID) sweep(now int64) {
	if len(c.pending) == 0 || (now-c.swept < 1000 && len(c.pending) < maxPending) {
		return
	}
	c.swept = now
	for h, i := range c.pending {
		if c.slab[i].end < now {
			c.release(h, i)
		}
	}
}

// settle counts a collision group once nothing more can join it. When
// every request of the group failed, the one the server took first (and
// that then failed for another reason) was not refused for its ID: it is
// the one that went furthest, the slowest to answer. It is marked so that
// the attribution does not put its failure down to the ID; the markers
// the causes are judged by do not look at it, since it is read off the
// outcome.
// release settles a pending first use and frees its slot.
func (c *duplicateID) release(h uint64, i int32) {
	c.settle(&c.slab[i])
	delete(c.pending, h)
	c.free = append(c.free, i)
}

func (c *duplicateID) settle(fu *firstUse) {
	if !fu.collided {
		return
	}
	g := &c.groups
	members := int32(1 + len(fu.others))
	fails := b2i(fu.first.failed)
	keeper := &fu.first
	for i := range fu.others {
		o := &fu.others[i]
		fails += b2i(o.failed)
		if o.ms > keeper.ms {
			keeper = o
		}
	}
	g.Groups++
	g.Requests += int64(members)
	g.Failures += int64(fails)
	switch fails {
	case members - 1:
		g.OneSucceeded++
	case members:
		g.AllFailed++
		c.flag(keeper, c.dimKeeper, 1)
	case 0:
		g.AllSucceeded++
	}
}

// settleCollisions settles every first use still pending, at the end of
// the pass.
func (d *Diagnoser) settleCollisions() {
	if c := d.dupid; c != nil {
		for h, i := range c.pending {
			c.release(h, i)
		}
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// ReusePoint is one time window of the reuse-over-time chart.
type ReusePoint struct {
	T            float64 `json:"t"` // seconds from the first request
	Requests     int64   `json:"requests"`
	Reused       int64   `json:"reused"`
	ReusedFailed int64   `json:"reused_failed"`
}

// DuplicateIDEvidence is the evidence of the duplicate-id cause.
type DuplicateIDEvidence struct {
	// Endpoint and Location name the ID whose sharing best matches the
	// failures.
	Endpoint string `json:"endpoint,omitempty"`
	Location string `json:"location,omitempty"`
	// Reused and Fresh are the failure rates of requests that shared the
	// ID (later uses and collided first uses) and of the others.
	Reused Counts `json:"reused"`
	Fresh  Counts `json:"fresh"`
	// Collisions are the groups of requests in flight together with one
	// ID; Shape says how the IDs look.
	Collisions CollisionGroups `json:"collisions"`
	Shape      string          `json:"shape,omitempty"`
	// AfterRateLimit counts the reuses sent right after a 429 on the same
	// thread: resends of an ID the server may already have stored.
	AfterRateLimit *Counts `json:"after_rate_limit,omitempty"`
	// ByLevel is how often shared IDs failed requests at each band of load.
	ByLevel  []LevelRate  `json:"by_level,omitempty"`
	OverTime []ReusePoint `json:"over_time,omitempty"`
	// WindowS is the width of the OverTime windows in seconds.
	WindowS float64    `json:"window_s,omitempty"`
	IDs     ids.Result `json:"ids"`
}

func (c *duplicateID) marker(bit int) *Marker {
	mask := int32(1) << bit
	dr, dc, dk := c.dimReused, c.dimCollided, c.dimKeeper
	return &Marker{
		cause:         c.Name(),
		match:         func(k Key) bool { return (k[dr]|k[dc])&mask != 0 },
		atRisk:        func(k Key) bool { return k[dr]&mask != 0 },
		spared:        func(k Key) bool { return k[dk] != 0 },
		mechanism:     true,
		deterministic: true,
		index:         bit,
		detail:        c.describeBit(bit),
	}
}

func (c *duplicateID) propose(a *assessment, p *population) *Marker {
	if !p.answered() {
		return nil
	}
	with, all, _ := a.bitCounts(p, func(k Key) uint32 { return uint32(k[c.dimReused] | k[c.dimCollided]) }, nil)
	best, bestDev := -1, 0.0
	for bit := range c.name {
		cnt := with[bit]
		if cnt.Fail == 0 {
			continue
		}
		if d := splitDeviance(cnt, all); best < 0 || d < bestDev {
			best, bestDev = bit, d
		}
	}
	if best < 0 {
		return nil
	}
	return c.marker(best)
}

func (c *duplicateID) describeBit(bit int) string {
	_, loc, _ := strings.Cut(c.name[bit], "\x00")
	return "shared " + describeLoc(ids.Location{Location: loc}) + " values"
}

func (c *duplicateID) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), mechanism: true, Verdict: Unlikely}
	res := c.tr.Result()
	ev := &DuplicateIDEvidence{IDs: res, Collisions: c.groups}
	f.Evidence = ev
	if a.failures > 0 && !a.anyAnswered() {
		f.Summary = "No failure got an answer from the server, so none was refused for its ID."
		return f
	}
	pop := v.ownPop(a)
	if pop == nil {
		pop = &population{}
	}
	failingLocs := c.locationsOnFailingLabels(a, res)
	if len(failingLocs) == 0 {
		f.Verdict = NotAssessable
		// Say why: saving more helps only when IDs were not saved.
		switch {
		case a.failures == 0:
			f.Summary = "No request failed, so ID reuse cannot be set against failures."
		case res.Unmatched():
			f.Summary = fmt.Sprintf("The ID named with --id (%s) was found in no request: check the location (header:NAME, form:FIELD, json:PATH, var:NAME, query:NAME, path:N or regex:EXPR), or leave --id out to detect IDs.", strings.Join(res.Selected, ", "))
		case len(res.Locations) > 0:
			f.Summary = fmt.Sprintf("IDs were found (%s), but not in the failing requests.", describeLoc(res.Locations[0]))
		default:
			f.Summary = "No ID-like values were found in the failing requests (no headers, bodies or sample variables with IDs were saved)."
			f.Missing = a.advice("save the ID as a sample variable (sample_variables=recId), or save request headers and bodies (XML output with jmeter.save.saveservice.requestHeaders=true and samplerData=true)",
				"export the HAR with content (Chrome and Edge: \"Save all as HAR with content\"; Firefox: \"Save All As HAR\"), so that request bodies are kept; Chrome does not record FormData file uploads, so send the ID in a header or the URL too")
		}
		return f
	}
	m := v.proposed
	if len(v.chosen) > 0 {
		m = v.chosen[0].m
	}
	if m == nil {
		loc := failingLocs[0]
		f.Summary = fmt.Sprintf("No failing request shared an ID with another (%s: %s in %s).",
			describeLoc(loc), count(loc.Distinct, "value"), count(loc.Requests, "request"))
		f.short = "no failing request shared an ID with another"
		return f
	}
	endpoint, loc, _ := strings.Cut(c.name[m.index], "\x00")
	ev.Endpoint, ev.Location = endpoint, loc
	ev.Reused = a.table.total(pop.where(func(k Key) bool { return m.match(k) }))
	ev.Fresh = a.table.total(pop.where(func(k Key) bool { return !m.match(k) }))
	ev.OverTime = reuseOverTime(a, pop, m.match)
	ev.WindowS = a.window.Seconds()
	if rl := a.table.Dim("rate_limit"); rl >= 0 {
		after := a.table.total(pop.where(func(k Key) bool {
			return m.atRisk(k) && (k[rl] == rlAfter || k[rl] == rlTooSoon)
		}))
		if after.N > 0 {
			ev.AfterRateLimit = &after
		}
	}
	var l ids.Location
	for _, x := range res.Locations {
		if x.Endpoint == endpoint && x.Location == loc {
			l = x
		}
	}
	ev.Shape = idShape(l, c.groups)
	f.detail = fmt.Sprintf("%s shared by more than one request", describeLoc(l))
	f.Summary = fmt.Sprintf("%s of requests that shared an ID (%s) with another request failed, against %s of the others.",
		capitalize(naturalRate(ev.Reused)), describeLoc(l), naturalRate(ev.Fresh))
	if g := c.groups; g.Groups > 0 {
		f.Summary += fmt.Sprintf(" %s of requests were in flight together with the same ID (%s)", count(g.Groups, "group"), countNum(g.Requests)+" requests")
		if g.OneSucceeded > 0 {
			f.Summary += fmt.Sprintf("; in %s of them exactly one succeeded: the server kept the first it saw and refused the others", countNum(g.OneSucceeded))
		}
		f.Summary += "."
	}
	if l.Distinct > 0 {
		f.Summary += fmt.Sprintf(" %s requests carried %s distinct values", countNum(l.Requests), countNum(l.Distinct))
		if ev.Shape != "" {
			f.Summary += " (" + ev.Shape + ")"
		}
		f.Summary += "."
	}
	var rise string
	ev.ByLevel, rise = a.byLevel(pop, m)
	f.Summary += rise
	if ar := ev.AfterRateLimit; ar != nil {
		f.Summary += fmt.Sprintf(" %s of the reuses were resends right after a 429 and failed; %s other resends succeeded: the server had stored some first attempts before refusing them.",
			countNum(ar.Fail), countNum(ar.N-ar.Fail))
	}
	return f
}

// idShape says how the IDs look: what made them repeat.
func idShape(l ids.Location, g CollisionGroups) string {
	switch {
	case l.Constant:
		return "a constant: a static header or body"
	case l.Class == ids.Epoch && g.Groups > 0:
		return "millisecond timestamps, which collide when two requests start in the same millisecond"
	case l.Class == ids.Epoch:
		return "timestamps"
	case l.Reused > 0 && l.ReusedConcurrent*2 < l.Reused && l.Distinct*2 < l.Requests:
		if l.ReusedOtherThread > 0 {
			return "a small set reused across threads: a recycled data set"
		}
		return "a small set reused: a recycled data set"
	case g.Groups > 0:
		return "reused while an earlier request with the same ID was still in flight"
	}
	return ""
}

// locationsOnFailingLabels are the ID locations on endpoints that fail,
// most requests first.
func (c *duplicateID) locationsOnFailingLabels(a *assessment, res ids.Result) []ids.Location {
	failing := map[string]bool{}
	for l, cnt := range a.table.Marginal(dimLabel, func(k Key) bool { return k[dimKind] >= 0 }) {
		if cnt.Fail > 0 {
			failing[a.labels[l]] = true
		}
	}
	var out []ids.Location
	for _, l := range res.Locations {
		if failing[l.Endpoint] || endpointOfFailing(l.Endpoint, failing) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Requests > out[j].Requests })
	return out
}

// endpointOfFailing accepts endpoint names that are not labels (a method
// and path template) when some failing label contains them.
func endpointOfFailing(endpoint string, failing map[string]bool) bool {
	for l := range failing {
		if strings.Contains(l, endpoint) || strings.Contains(endpoint, l) {
			return true
		}
	}
	return false
}

func describeLoc(l ids.Location) string {
	kind, name, _ := strings.Cut(l.Location, ":")
	switch kind {
	case "header":
		return "header " + name
	case "form":
		return "form field " + name
	case "var":
		return "JMeter variable " + name
	case "json":
		return "JSON field " + name
	case "query":
		return "query parameter " + name
	case "path":
		return "URL path segment " + name
	}
	return l.Location
}

// reuseOverTime counts, per time window, requests of the population,
// those that shared the ID, and those of them that failed.
func reuseOverTime(a *assessment, pop *population, reused func(Key) bool) []ReusePoint {
	by := map[int32]*ReusePoint{}
	for _, r := range a.table.list() {
		k, cnt := r.k, &r.c
		if !pop.in(k) {
			continue
		}
		p := by[k[dimTime]]
		if p == nil {
			p = &ReusePoint{T: float64(k[dimTime]) * a.window.Seconds()}
			by[k[dimTime]] = p
		}
		p.Requests += cnt.N
		if reused(k) {
			p.Reused += cnt.N
			p.ReusedFailed += cnt.Fail
		}
	}
	out := make([]ReusePoint, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out
}

// unmatchedID returns the --id locations when f is the duplicate-ID
// finding and they matched no request.
func unmatchedID(f *Finding) (string, bool) {
	ev, ok := f.Evidence.(*DuplicateIDEvidence)
	if !ok || !ev.IDs.Unmatched() {
		return "", false
	}
	return strings.Join(ev.IDs.Selected, ", "), true
}
