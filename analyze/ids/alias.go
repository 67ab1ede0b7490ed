package ids

// Alias groups: locations of one endpoint that carry the same value on
// nearly every request (a header, a form field and the JMeter variable
// both were filled from; a path segment and a variable) keep one state
// per value between them instead of one each: on a big run, their slots
// and lookups are halved or thirded. Nothing a caller sees changes: every
// Use, count and example is what separate states would give (a test
// checks this against a plain implementation, ref_test.go).
//
// The sharing is per value. A value first seen on a request where every
// location of the group carried it, and only it, gets one slot under the
// group's own number: its state at each of the locations is that one,
// since they have all seen the same requests carry it. A request where the
// group disagrees (a location missing, another value, two values) first
// splits the shared slot of each value it carries into one slot per
// location, each with the shared state; from then on that value is
// tracked per location. So for any value and group there is either a
// shared slot or per-location slots, never both.

// aliasGroup is a set of locations whose new values may be shared.
type aliasGroup struct {
	id      uint32 // the location number its shared slots carry
	members []*locState
	// sharing is cleared when the group disagrees too often: new values
	// then get a slot per location, as they would anyway.
	sharing         bool
	agree, disagree int64
	splits          int64 // shared values split
	lastReq         int64 // the request on which the group was last handled
}

const (
	// linkAt is how many requests two locations must have been seen on
	// together before they are grouped: a group is for big runs, and the
	// agreement of a few requests proves little. They are looked at again
	// each time the count doubles.
	linkAt = 1024
	// maxGroup bounds the members of a group (a bit mask holds them).
	maxGroup = 16
)

// useGroups records the uses of the current request that are at
// locations of a group: all of a group's at once, in one shared slot, when
// the group agrees; otherwise it splits the shared slots of the values
// concerned and leaves the uses to be recorded one by one.
func (t *Tracker) useGroups() {
	for i := range t.uses {
		g := t.states[i].group
		if g == nil || g.lastReq == t.requests {
			continue
		}
		g.lastReq = t.requests
		if t.agrees(g, i) {
			g.agree++
			// Unless the value is tracked per location: then its uses
			// are recorded one by one.
			t.useShared(g, i)
			continue
		}
		g.disagree++
		if g.sharing && g.disagree > 64+g.agree/32 {
			g.sharing = false
		}
		for j := i; j < len(t.uses); j++ {
			if t.states[j].group == g {
				t.split(g, t.hashes[j])
			}
		}
	}
}

// agrees reports whether the current request carries one value at each
// location of g, the same everywhere; i is its first use there.
func (t *Tracker) agrees(g *aliasGroup, i int) bool {
	var seen uint32
	n := 0
	for j := i; j < len(t.uses); j++ {
		ls := t.states[j]
		if ls.group != g {
			continue
		}
		bit := uint32(1) << ls.member
		if t.hashes[j] != t.hashes[i] || seen&bit != 0 {
			return false
		}
		seen |= bit
		n++
	}
	return n == len(g.members)
}

// useShared records the uses at g's locations, which all carry the value
// of use i, in its shared slot, and reports whether it could: a value
// already tracked per location, or new while the group no longer shares,
// has none.
func (t *Tracker) useShared(g *aliasGroup, i int) bool {
	h := t.hashes[i]
	slot, v, seen, apart := t.vals.lookupShared(h, g.id, g.isMember)
	if !seen && (!g.sharing || apart) {
		return false
	}
	first := -1
	for j := i; j < len(t.uses); j++ {
		if t.states[j].group != g {
			continue
		}
		u := &t.uses[j]
		if first < 0 {
			first = j
			t.advance(u, &v, seen)
		} else {
			f := &t.uses[first]
			u.Uses, u.Reused, u.Concurrent, u.OtherThread = f.Uses, f.Reused, f.Concurrent, f.OtherThread
		}
		t.count(j, v.uses)
	}
	t.vals.set(slot, h, g.id, v, seen)
	return true
}

// isMember reports whether the location numbered loc is in g.
func (g *aliasGroup) isMember(loc uint32) bool {
	for _, m := range g.members {
		if uint32(m.id) == loc {
			return true
		}
	}
	return false
}

// split turns the shared slot of the value with hash h, if g has one,
// into one slot per location with the same state.
func (t *Tracker) split(g *aliasGroup, h uint64) {
	v, ok := t.vals.relabel(h, g.id, uint32(g.members[0].id))
	if !ok {
		return
	}
	g.splits++
	for _, m := range g.members[1:] {
		slot, _, _ := t.vals.lookup(h, uint32(m.id))
		t.vals.set(slot, h, uint32(m.id), v, false)
	}
}

// link groups locations of the current request (firsts are their first
// uses) that carry the same value and have agreed on nearly every request
// either was seen on.
func (t *Tracker) link(firsts []int) {
	for ai, i := range firsts {
		a := t.states[i]
		if !t.groupable(a) {
			continue
		}
		members := []*locState{a}
		for _, j := range firsts[ai+1:] {
			b := t.states[j]
			if len(members) < maxGroup && t.groupable(b) && t.hashes[j] == t.hashes[i] && t.agreed(a, b) {
				members = append(members, b)
			}
		}
		if len(members) < 2 {
			continue
		}
		id := t.nextGroupID()
		if id == 0 {
			return // out of numbers
		}
		g := &aliasGroup{id: id, members: members, sharing: true, lastReq: t.requests}
		for k, m := range members {
			m.group, m.member = g, uint8(k)
		}
		t.groups = append(t.groups, g)
	}
}

func (t *Tracker) groupable(ls *locState) bool {
	return ls.group == nil && ls.id < maxTableLocs
}

// agreed reports whether a and b were seen together on at least linkAt
// requests and 99% of the requests of each, and agreed on 99% of those.
func (t *Tracker) agreed(a, b *locState) bool {
	k := [2]int32{min(a.id, b.id), max(a.id, b.id)}
	ps := t.pairs[k]
	if ps == nil || ps.both < linkAt {
		return false
	}
	most := max(a.requests, b.requests)
	return ps.equal*100 >= ps.both*99 && ps.both*100 >= most*99
}

// nextGroupID returns a location number for a new group, from the top of
// the numbers a slot holds down to those locations may take, or 0 when
// none is left.
func (t *Tracker) nextGroupID() uint32 {
	id := maxTableLocs - 1 - len(t.groups)
	if id < min(t.opts.MaxLocations, maxTableLocs) {
		return 0
	}
	return uint32(id)
}
