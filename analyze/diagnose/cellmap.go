package diagnose

import "math/bits"

// cellMap is the Table's cells during the pass: an open-addressing hash
// table from Key to Counts with the counts inline. Every request adds to
// one cell, and the cells of a long run do not fit in the caches: a Go
// map (a slot holding the key and a pointer to the counts) costs two or
// three cache misses per request where this costs one. A slot with N == 0
// is empty: every cell holds at least one request.
type cellMap struct {
	slots []cellSlot
	n     int
	mask  int
}

type cellSlot struct {
	k Key
	c Counts
}

// minCellSlots is the size of a new map; it doubles when more than
// three quarters of the slots are taken.
const minCellSlots = 64

func newCellMap(hint int) *cellMap {
	size := minCellSlots
	for size*3/4 < hint {
		size *= 2
	}
	return &cellMap{slots: make([]cellSlot, size), mask: size - 1}
}

func (m *cellMap) len() int { return m.n }

// hashKey mixes the key's 20 values, two at a time.
func hashKey(k *Key) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for i := 0; i < len(k); i += 2 {
		w := uint64(uint32(k[i])) | uint64(uint32(k[i+1]))<<32
		hi, lo := bits.Mul64(h^w, 0xbf58476d1ce4e5b9)
		h = hi ^ lo
	}
	return h
}

// find returns the slot of k, or the empty slot where it would go.
func (m *cellMap) find(k *Key) *cellSlot {
	i := int(hashKey(k)) & m.mask
	for {
		s := &m.slots[i]
		if s.c.N == 0 || s.k == *k {
			return s
		}
		i = (i + 1) & m.mask
	}
}

// get returns the counts of k, or nil.
func (m *cellMap) get(k Key) *Counts {
	s := m.find(&k)
	if s.c.N == 0 {
		return nil
	}
	return &s.c
}

// add adds c to the counts of k, making the cell when it is new.
func (m *cellMap) add(k Key, c Counts) {
	s := m.find(&k)
	if s.c.N == 0 {
		s.k = k
		s.c = c
		if m.n++; m.n > len(m.slots)*3/4 {
			m.grow()
		}
		return
	}
	s.c.add(c)
}

func (m *cellMap) grow() {
	old := m.slots
	m.slots = make([]cellSlot, 2*len(old))
	m.mask = len(m.slots) - 1
	for i := range old {
		if s := &old[i]; s.c.N != 0 {
			*m.find(&s.k) = *s
		}
	}
}

// remove deletes the cell of k, shifting later slots of its probe run
// back (linear probing needs no tombstones that way).
func (m *cellMap) remove(k Key) {
	i := int(hashKey(&k)) & m.mask
	for {
		s := &m.slots[i]
		if s.c.N == 0 {
			return
		}
		if s.k == k {
			break
		}
		i = (i + 1) & m.mask
	}
	m.n--
	for {
		m.slots[i] = cellSlot{}
		j := i
		for {
			j = (j + 1) & m.mask
			s := &m.slots[j]
			if s.c.N == 0 {
				return
			}
			// s may move to i if its home is not in (i, j].
			h := int(hashKey(&s.k)) & m.mask
			if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
				m.slots[i] = *s
				i = j
				break
			}
		}
	}
}

// each calls fn for every cell, in slot order.
func (m *cellMap) each(fn func(k *Key, c *Counts)) {
	for i := range m.slots {
		if s := &m.slots[i]; s.c.N != 0 {
			fn(&s.k, &s.c)
		}
	}
}
