package diagnose

import (
	"math/rand/v2"
	"testing"
)

// The cell map agrees with a Go map through adds, removals (which shift
// slots back) and growth, on keys that collide often.
func TestCellMapMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	m := newCellMap(0)
	ref := map[Key]Counts{}
	key := func() Key {
		var k Key
		k[rng.IntN(maxDims)] = int32(rng.IntN(40))
		k[dimTime] = int32(rng.IntN(60))
		return k
	}
	for i := 0; i < 200_000; i++ {
		k := key()
		switch rng.IntN(4) {
		case 0:
			if _, ok := ref[k]; ok {
				m.remove(k)
				delete(ref, k)
			}
		default:
			c := Counts{N: int64(1 + rng.IntN(3)), Fail: int64(rng.IntN(2))}
			m.add(k, c)
			r := ref[k]
			r.add(c)
			ref[k] = r
		}
		if i%5000 == 0 || i == 199_999 {
			if m.len() != len(ref) {
				t.Fatalf("step %d: %d cells, want %d", i, m.len(), len(ref))
			}
			seen := 0
			m.each(func(k *Key, c *Counts) {
				seen++
				if ref[*k] != *c {
					t.Fatalf("step %d: cell %v has %+v, want %+v", i, *k, *c, ref[*k])
				}
			})
			for k, c := range ref {
				if got := m.get(k); got == nil || *got != c {
					t.Fatalf("step %d: get(%v) = %v, want %+v", i, k, got, c)
				}
			}
			if seen != len(ref) {
				t.Fatalf("step %d: each saw %d cells, want %d", i, seen, len(ref))
			}
		}
	}
}
