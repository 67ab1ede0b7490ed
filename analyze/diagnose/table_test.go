package diagnose

import "testing"

func TestCoarsenTimeMergesAndKeepsTotals(t *testing.T) {
	tb := newTable()
	var want Counts
	for tm := int32(0); tm < 100; tm++ {
		for lv := int32(0); lv < 5; lv++ {
			var k Key
			k[dimTime], k[dimThreads] = tm, lv
			tb.add(k, tm%3 == 0)
			want.add(Counts{1, map[bool]int64{true: 1}[tm%3 == 0]})
		}
	}
	tb.coarsenTime(dimTime)
	if len(tb.cells) != 50*5 {
		t.Fatalf("%d cells after one coarsening, want 250", len(tb.cells))
	}
	if got := tb.Total(nil); got != want {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
	for k, c := range tb.cells {
		if k[dimTime] >= 50 || c.N != 2 {
			t.Fatalf("cell %v has %+v", k[dimTime], c)
		}
	}
}

func TestInFlightBinIsExactWhenSmallAndMonotonic(t *testing.T) {
	prev := int32(-1)
	for n := 0; n < 100_000; n++ {
		b := inFlightBin(n)
		if n <= 64 && b != int32(n) {
			t.Fatalf("inFlightBin(%d) = %d, want exact", n, b)
		}
		if b < prev || b > int32(n) || float64(n-int(b)) > 0.13*float64(n) {
			t.Fatalf("inFlightBin(%d) = %d after %d", n, b, prev)
		}
		prev = b
	}
}
