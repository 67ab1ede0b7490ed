package ids

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The table against a Go map: hashes of 0, states that pack and states
// that do not, relabelled slots, and growth from 8 slots through many
// chunks, checking the linear-probing rule after each growth.
func TestValTable(t *testing.T) {
	type key struct {
		h   uint64
		loc uint32
	}
	rnd := rand.New(rand.NewPCG(11, 12))
	var tb valGen
	ref := map[key]valState{}
	var keys []key
	const base = 1795652504000000 // µs
	state := func() valState {
		v := valState{uses: uint32(1 + rnd.IntN(20)), thread: uint32(rnd.IntN(300))}
		switch p := rnd.IntN(100); {
		case p < 2:
			v.uses = uint32(maxSlotUses + rnd.IntN(1000))
		case p < 4:
			v.uses = math.MaxUint32
		case p < 6:
			v.thread = maxSlotThread + 1 + uint32(rnd.IntN(1000))
		case p < 8:
			v.thread = 1<<31 | rnd.Uint32()
		}
		switch p := rnd.IntN(100); {
		case p < 5: // no end
		case p < 7: // not a whole ms
			v.end = base + int64(rnd.IntN(1e9))
		case p < 9: // far away: 1960, 2300
			v.end = -315619200000000 + int64(rnd.IntN(2))*10651363200000000
		default:
			v.end = base + int64(rnd.IntN(1e6))*1000
		}
		return v
	}
	lastSize := 0
	for i := range 300000 {
		var k key
		if len(keys) > 0 && rnd.IntN(3) == 0 {
			k = keys[rnd.IntN(len(keys))]
		} else {
			k = key{rnd.Uint64(), uint32(rnd.IntN(5))}
			if i == 1000 {
				k.h = 0
			}
		}
		slot, v, ok := tb.lookup(k.h, k.loc)
		want, wantOK := ref[k]
		if ok != wantOK || v != want {
			t.Fatalf("op %d: lookup %x/%d = %+v %v, want %+v %v", i, k.h, k.loc, v, ok, want, wantOK)
		}
		if !ok {
			keys = append(keys, k)
		}
		v = state()
		tb.set(slot, k.h, k.loc, v, ok)
		ref[k] = v
		if rnd.IntN(50) == 0 { // move a value to another location
			k := keys[rnd.IntN(len(keys))]
			to := uint32(100 + rnd.IntN(1000))
			if _, taken := ref[key{k.h, to}]; !taken {
				v, ok := tb.relabel(k.h, k.loc, to)
				if !ok || v != ref[k] {
					t.Fatalf("relabel %x/%d: %+v %v, want %+v", k.h, k.loc, v, ok, ref[k])
				}
				delete(ref, k)
				ref[key{k.h, to}] = v
				for j := range keys {
					if keys[j] == k {
						keys[j] = key{k.h, to}
					}
				}
			}
		}
		if tb.size != lastSize {
			lastSize = tb.size
			checkProbing(t, &tb)
		}
	}
	if tb.n != len(ref) {
		t.Errorf("%d entries, want %d", tb.n, len(ref))
	}
	for k, want := range ref {
		if _, v, ok := tb.lookup(k.h, k.loc); !ok || v != want {
			t.Fatalf("%x/%d: %+v %v, want %+v", k.h, k.loc, v, ok, want)
		}
	}
	if tb.size < 64*chunkLen || len(tb.wide) == 0 {
		t.Errorf("%d slots, %d wide: the test did not grow the table far or keep wide states", tb.size, len(tb.wide))
	}
	if load := float64(tb.n) / float64(tb.size); load > maxLoadNum/float64(maxLoadDen) || load < 0.5 {
		t.Errorf("load %.2f", load)
	}
}

// checkProbing checks that every key can be found: no empty slot between
// its home and where it is.
func checkProbing(t *testing.T, tb *valGen) {
	t.Helper()
	n := 0
	for p := range tb.size {
		s := tb.at(p)
		if s.key == 0 {
			continue
		}
		n++
		for i := home(s.key, tb.size); i != p; i = (i + 1) % tb.size {
			if tb.at(i).key == 0 {
				t.Fatalf("size %d: key %x at %d, home %d, empty slot at %d", tb.size, s.key, p, home(s.key, tb.size), i)
			}
		}
	}
	if n != tb.n {
		t.Fatalf("size %d: %d keys in slots, %d counted", tb.size, n, tb.n)
	}
}

// BenchmarkScaleTable is the table alone: lookups and inserts of fresh
// hashes into a table of 1M and more.
func BenchmarkScaleTable(b *testing.B) {
	var tb valTable
	rnd := rand.New(rand.NewPCG(1, 2))
	put := func() {
		h := rnd.Uint64()
		i, v, ok := tb.lookup(h, 1)
		v.uses++
		v.end = 1795652504000000
		tb.set(i, h, 1, v, ok)
	}
	for range 1 << 20 {
		put()
	}
	b.ReportAllocs()
	for b.Loop() {
		put()
	}
}

// The generations: memory stays within two of them whatever the number of
// values, a value used again within genMax others is always found with
// its state (uses, thread, end), and one used again only after more than
// 2×genMax others is forgotten.
func TestValTableGenerations(t *testing.T) {
	const genMax = 1000
	tb := valTable{genMax: genMax}
	rnd := rand.New(rand.NewPCG(5, 6))
	const end = 1795652504000000
	put := func(h uint64) valState {
		i, v, ok := tb.lookup(h, 3)
		v.uses++
		v.thread = 7
		v.end = end + int64(v.uses)*1000
		tb.set(i, h, 3, v, ok)
		return v
	}
	const hot = 0xfeedface // used every 500 fresh values: never forgotten
	early := uint64(0xabcdef)
	put(early)
	for n := 1; n <= 20*genMax; n++ {
		put(rnd.Uint64() | 1<<63)
		if n%500 == 0 {
			v := put(hot)
			if want := uint32(n / 500); v.uses != want {
				t.Fatalf("after %d values the hot value has %d uses, want %d", n, v.uses, want)
			}
		}
		if held := tb.held(); held > 2*genMax+1 {
			t.Fatalf("%d values held after %d, want at most %d", held, n, 2*genMax+1)
		}
	}
	if tb.rotations == 0 {
		t.Fatalf("no generation was dropped: the test checks nothing")
	}
	_, v, ok := tb.lookup(hot, 3)
	if !ok || v.thread != 7 || v.end != end+int64(v.uses)*1000 {
		t.Errorf("hot value: found %v, state %+v", ok, v)
	}
	if _, _, ok := tb.lookup(early, 3); ok {
		t.Errorf("a value last used %d values ago is still held", 20*genMax)
	}
}

// A Tracker past its MaxValues says so, and still finds the reuse of a
// value that comes back often.
func TestTrackerMaxValues(t *testing.T) {
	tr := New(Options{MaxValues: 500})
	for i := range 5000 {
		fresh := at(getRecording(fmt.Sprintf("4f1c2a7e-%04x-4b5c-9d1e-%012x", i%0xffff, i)), "t 1-1", i*10, 5)
		tr.Observe(&fresh)
		if i%100 == 0 {
			same := at(getRecording("0b9f5d3c-1111-4a2b-8c3d-5e6f7a8b9c0d"), "t 1-2", i*10+1, 5)
			tr.Observe(&same)
		}
	}
	res := tr.Result()
	var warned bool
	for _, w := range res.Warnings {
		warned = warned || strings.Contains(w, "more distinct ID values than memory keeps")
	}
	if !warned {
		t.Errorf("no warning about forgotten values: %q", res.Warnings)
	}
	var reused int64
	for _, l := range res.Locations {
		reused = max(reused, l.Reused)
	}
	if reused < 49 {
		t.Errorf("the value used 50 times was reused %d times, want 49", reused)
	}
}
