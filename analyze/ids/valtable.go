package ids

import "math/bits"

// A valGen holds the valState of each (value, location) a Tracker has
// seen in one generation (see valTable), keyed by the value's 64-bit hash and the location's number. A big
// run has millions of values, most seen once, so the table is built for
// that rather than being a Go map per location:
//
//   - One table for all locations, and a value's home slot depends on
//     the value alone: the locations of one value sit side by side. A
//     request that carries one ID several ways finds all its slots in the
//     cache line the first lookup brought in, and one that reads back an
//     ID written a little earlier ("GET /recordings/{id}" after the
//     upload) finds them in a line that is likely still cached. At
//     millions of values a lookup that misses the caches (and the TLB)
//     costs more than all the rest of Observe.
//   - A slot is 16 bytes: the hash, and the location and state packed in
//     a word. A state that does not pack (see pack) lives in a map beside.
//   - Open addressing with linear probing; the home slot is taken by
//     multiplying, not masking, so any size works.
//   - A big table is a list of 64 KB chunks and grows by a quarter, in
//     place (see grow): no copy of the table is made, so growing touches
//     no memory but the new chunks (a fresh page costs more to fault in
//     than to fill), and the table is on average about 3/4 full.
//
// Key 0 marks an empty slot; a hash of 0 is stored as 1.
type valGen struct {
	// chunks hold the slots, chunkLen each, except that a table of
	// fewer than chunkLen slots is one shorter chunk.
	chunks [][]valSlot
	size   int // slots
	n      int // entries held
	limit  int // n at which the table grows
	// Packed ends count units of unit µs from base; both are set by the
	// first end there is to pack.
	base, unit int64
	hasBase    bool
	// wide holds the states that do not pack; their slots say so.
	wide map[wideKey]valState
}

type valSlot struct{ key, val uint64 }

type wideKey struct {
	key uint64
	loc uint32
}

const (
	minSlots  = 8
	chunkBits = 12
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
	// A table grows when more than maxLoadNum/maxLoadDen of its slots
	// are taken: past that, linear probing clusters badly.
	maxLoadNum, maxLoadDen = 13, 16
)

// A slot's val is, from the low bit up: end (endBits), thread
// (threadBits), uses (usesBits), location (locBits), and a flag saying
// the state is in wide.
//
// end is 0 for "no end" (valState.end == 0), else the end in units after
// base, plus 1. The unit is a millisecond if the first end is a whole one
// (JTL times are), else a microsecond (HAR's often are not), and an end
// that is not a whole unit does not pack. base is 2^30 units before the
// first end, so that requests out of order still pack: 12 days before it
// to 87 days after in ms, 18 minutes to 2 hours in µs.
//
// Locations are numbered from 0 up, and alias groups (see alias.go) from
// the top down.
const (
	endBits    = 33
	threadBits = 14
	usesBits   = 5
	locBits    = 11

	threadShift = endBits
	usesShift   = threadShift + threadBits
	locShift    = usesShift + usesBits
	wideFlag    = 1 << 63

	endMask       = 1<<endBits - 1
	baseBefore    = 1 << 30 // units
	maxTableLocs  = 1 << locBits
	locMask       = maxTableLocs - 1
	maxSlotThread = 1<<threadBits - 1
	maxSlotUses   = 1<<usesBits - 1
	usecPerMilli  = 1000
)

// pack returns the state v of location loc packed into a slot's val; ok
// is false when v needs the wide map, in which case val has the location
// and the flag.
func (t *valGen) pack(loc uint32, v valState) (val uint64, ok bool) {
	val = uint64(loc) << locShift
	if v.uses > maxSlotUses || v.thread > maxSlotThread {
		return val | wideFlag, false
	}
	var end uint64
	if v.end != 0 {
		if !t.hasBase {
			t.unit = usecPerMilli
			if v.end%usecPerMilli != 0 {
				t.unit = 1
			}
			t.base, t.hasBase = v.end/t.unit-baseBefore, true
		}
		if v.end%t.unit != 0 {
			return val | wideFlag, false
		}
		d := v.end/t.unit - t.base
		if d < 0 || d >= endMask {
			return val | wideFlag, false
		}
		end = uint64(d) + 1
	}
	return val | end | uint64(v.thread)<<threadShift | uint64(v.uses)<<usesShift, true
}

func (t *valGen) unpack(key, val uint64) valState {
	if val&wideFlag != 0 {
		return t.wide[wideKey{key, uint32(val >> locShift & locMask)}]
	}
	v := valState{
		uses:   uint32(val >> usesShift & maxSlotUses),
		thread: uint32(val >> threadShift & maxSlotThread),
	}
	if e := val & endMask; e != 0 {
		v.end = (t.base + int64(e-1)) * t.unit
	}
	return v
}

// tableKey is the key a hash is stored under: any value but 0.
func tableKey(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// home is the slot a key's probe starts at, of n slots.
func home(key uint64, n int) int {
	hi, _ := bits.Mul64(key, uint64(n))
	return int(hi)
}

func (t *valGen) at(i int) *valSlot { return &t.chunks[i>>chunkBits][i&chunkMask] }

// find returns the index of the slot holding (key, loc), or of the empty
// slot where it would go, and whether it was found. The table has an
// empty slot: it grows before it fills.
func (t *valGen) find(key uint64, loc uint32) (int, bool) {
	i := home(key, t.size)
	for {
		s := t.at(i)
		if s.key == key && uint32(s.val>>locShift&locMask) == loc {
			return i, true
		}
		if s.key == 0 {
			return i, false
		}
		if i++; i == t.size {
			i = 0
		}
	}
}

// lookup returns the slot index for the value with hash h at location loc
// (see find), its state and whether it was there. Pass the index to set
// before any other change to the table.
//
// (The valTable methods of the same names say the same of both
// generations.)
func (t *valGen) lookup(h uint64, loc uint32) (int, valState, bool) {
	if t.size == 0 {
		t.resize(minSlots)
	}
	key := tableKey(h)
	i, ok := t.find(key, loc)
	if !ok {
		return i, valState{}, false
	}
	return i, t.unpack(key, t.at(i).val), true
}

// lookupShared is lookup for (h, shared), which also reports whether the
// table holds h under a location for which apart is true: all the slots of
// a value sit between its home and the empty slot where the probe stops.
func (t *valGen) lookupShared(h uint64, shared uint32, apart func(loc uint32) bool) (i int, v valState, ok, isApart bool) {
	if t.size == 0 {
		t.resize(minSlots)
	}
	key := tableKey(h)
	i = home(key, t.size)
	for {
		s := t.at(i)
		if s.key == key {
			loc := uint32(s.val >> locShift & locMask)
			if loc == shared {
				return i, t.unpack(key, s.val), true, false
			}
			isApart = isApart || apart(loc)
		}
		if s.key == 0 {
			return i, valState{}, false, isApart
		}
		if i++; i == t.size {
			i = 0
		}
	}
}

// relabel moves the state of (h, from), if there is one, to (h, to),
// which must not be there, and returns it.
func (t *valGen) relabel(h uint64, from, to uint32) (valState, bool) {
	if t.size == 0 {
		return valState{}, false
	}
	key := tableKey(h)
	i, ok := t.find(key, from)
	if !ok {
		return valState{}, false
	}
	s := t.at(i)
	v := t.unpack(key, s.val)
	s.val = s.val&^(locMask<<locShift) | uint64(to)<<locShift
	if s.val&wideFlag != 0 {
		delete(t.wide, wideKey{key, from})
		t.wide[wideKey{key, to}] = v
	}
	return v, true
}

// set stores v for (h, loc) at slot i, as returned by lookup; existed is
// lookup's third result.
func (t *valGen) set(i int, h uint64, loc uint32, v valState, existed bool) {
	key := tableKey(h)
	s := t.at(i)
	if existed && s.val&wideFlag != 0 {
		t.wide[wideKey{key, loc}] = v // once wide, always wide: it is rare
		return
	}
	val, ok := t.pack(loc, v)
	if !ok {
		if t.wide == nil {
			t.wide = map[wideKey]valState{}
		}
		t.wide[wideKey{key, loc}] = v
	}
	s.key, s.val = key, val
	if !existed {
		if t.n++; t.n > t.limit {
			t.grow()
		}
	}
}

// grow makes room: a small table doubles into a new chunk, a big one
// grows by a quarter in place.
func (t *valGen) grow() {
	if t.size < chunkLen {
		t.resize(2 * t.size)
		return
	}
	old := t.size
	size := old + (old/4+chunkMask)&^chunkMask
	for len(t.chunks)*chunkLen < size {
		t.chunks = append(t.chunks, make([]valSlot, chunkLen))
	}
	t.setSize(size)
	// Take the slots from the top down and put each at or after its new
	// home, which lies above it (homes scale with the size): every slot
	// above the one taken is then in the new layout, and each key placed
	// has no empty slot between its home and itself, which is all linear
	// probing needs. The few keys whose new home is not above them, or
	// whose probe would wrap around, go in last.
	var late []valSlot
	for p := old - 1; p >= 0; p-- {
		c := t.chunks[p>>chunkBits]
		e := c[p&chunkMask]
		if e.key == 0 {
			continue
		}
		c[p&chunkMask] = valSlot{}
		if q := home(e.key, size); q <= p || !t.placeBelow(e, q, size) {
			late = append(late, e)
		}
	}
	for _, e := range late {
		*t.at(t.free(e.key)) = e
	}
}

// placeBelow puts e in the first empty slot from q on, and reports
// whether there was one below end.
func (t *valGen) placeBelow(e valSlot, q, end int) bool {
	for q < end {
		c := t.chunks[q>>chunkBits]
		for j := q & chunkMask; j < len(c) && q < end; j, q = j+1, q+1 {
			if c[j].key == 0 {
				c[j] = e
				return true
			}
		}
	}
	return false
}

// free returns the index of the first empty slot from key's home on.
func (t *valGen) free(key uint64) int {
	i := home(key, t.size)
	for t.at(i).key != 0 {
		if i++; i == t.size {
			i = 0
		}
	}
	return i
}

// resize moves the slots of a small table into one new chunk of size
// slots.
func (t *valGen) resize(size int) {
	var old []valSlot
	if len(t.chunks) > 0 {
		old = t.chunks[0]
	}
	t.chunks = [][]valSlot{make([]valSlot, size)}
	t.setSize(size)
	for _, s := range old {
		if s.key != 0 {
			*t.at(t.free(s.key)) = s
		}
	}
}

func (t *valGen) setSize(size int) {
	t.size = size
	t.limit = size * maxLoadNum / maxLoadDen
}

// A valTable is the valGens of a Tracker. A run with fresh IDs has as many
// values as requests (50 million in 10 GB of JTL, a gigabyte of table),
// so the table keeps two generations: cur takes every new value, and when
// it holds genMax of them it becomes old and a new cur starts; the old
// old is dropped. A value found only in old moves to cur when set. So a
// value is remembered until at least genMax other values have been seen
// after its last use, and memory stays within two generations whatever
// the run. The causes that reuse finds (a constant, a recycled set, two
// requests at once with one ID) reuse a value within far fewer.
type valTable struct {
	cur, old valGen
	// genMax is the number of values at which cur becomes old; 0 means
	// no limit.
	genMax int
	// fromOld says that the last lookup found its value in old only, so
	// set must add it to cur.
	fromOld bool
	// rotations counts the generations dropped.
	rotations int
}

// defaultGenValues is genMax by default: about 64 MB a generation.
const defaultGenValues = 3 << 20

// rotate starts a new generation when cur is full. It is called before a
// lookup, never between a lookup and its set.
func (t *valTable) rotate() {
	if t.genMax <= 0 || t.cur.n < t.genMax {
		return
	}
	if t.old.size > 0 {
		t.rotations++
	}
	t.old, t.cur = t.cur, valGen{}
}

func (t *valTable) lookup(h uint64, loc uint32) (int, valState, bool) {
	t.rotate()
	i, v, ok := t.cur.lookup(h, loc)
	t.fromOld = false
	if !ok && t.old.size > 0 {
		if _, ov, found := t.old.lookup(h, loc); found {
			t.fromOld = true
			return i, ov, true
		}
	}
	return i, v, ok
}

func (t *valTable) lookupShared(h uint64, shared uint32, apart func(loc uint32) bool) (int, valState, bool, bool) {
	t.rotate()
	i, v, ok, isApart := t.cur.lookupShared(h, shared, apart)
	t.fromOld = false
	if !ok && t.old.size > 0 {
		_, ov, found, oldApart := t.old.lookupShared(h, shared, apart)
		isApart = isApart || oldApart
		if found {
			t.fromOld = true
			return i, ov, true, isApart
		}
	}
	return i, v, ok, isApart
}

func (t *valTable) relabel(h uint64, from, to uint32) (valState, bool) {
	if v, ok := t.cur.relabel(h, from, to); ok {
		return v, true
	}
	return t.old.relabel(h, from, to)
}

func (t *valTable) set(i int, h uint64, loc uint32, v valState, existed bool) {
	t.cur.set(i, h, loc, v, existed && !t.fromOld)
	t.fromOld = false
}

// held is the number of values held, in both generations.
func (t *valTable) held() int { return t.cur.n + t.old.n }
