package stats

import (
	"testing"
	"time"
)

// RecordN(v, n) is n calls of Record(v), in the exact values and in the
// histogram alike.
func TestRecordNEqualsRepeatedRecord(t *testing.T) {
	for _, budget := range []int{8 * 1000, 8 * 10} { // stays exact; spills
		one, many := NewDurations(budget, time.Millisecond), NewDurations(budget, time.Millisecond)
		for i, c := range []struct {
			v time.Duration
			n uint64
		}{{3 * time.Millisecond, 5}, {700 * time.Millisecond, 1}, {40 * time.Millisecond, 20}, {time.Second, 0}} {
			for j := uint64(0); j < c.n; j++ {
				if err := one.Record(c.v); err != nil {
					t.Fatal(err)
				}
			}
			if err := many.RecordN(c.v, c.n); err != nil {
				t.Fatalf("%d: %v", i, err)
			}
		}
		if one.Exact() != many.Exact() || one.Count() != many.Count() || one.Min() != many.Min() ||
			one.Max() != many.Max() || one.Mean() != many.Mean() {
			t.Fatalf("budget %d: exact %v/%v count %d/%d min %v/%v max %v/%v mean %v/%v", budget,
				one.Exact(), many.Exact(), one.Count(), many.Count(), one.Min(), many.Min(), one.Max(), many.Max(), one.Mean(), many.Mean())
		}
		for _, p := range []float64{.01, .5, .9, .99} {
			a, _ := one.Quantile(p)
			b, _ := many.Quantile(p)
			if a != b {
				t.Errorf("budget %d: p%v %v, RecordN %v", budget, p, a, b)
			}
		}
	}
}

// A count from the input can be huge: it must cost what one value costs.
func TestRecordNHugeCount(t *testing.T) {
	d := NewDurations(1<<20, time.Millisecond)
	if err := d.RecordN(100*time.Millisecond, 1<<40); err != nil {
		t.Fatal(err)
	}
	if d.Exact() || d.Count() != 1<<40 || d.Mean() != 100*time.Millisecond {
		t.Fatalf("exact %v count %d mean %v", d.Exact(), d.Count(), d.Mean())
	}
	if q, _ := d.Quantile(.99); q != 100*time.Millisecond {
		t.Errorf("p99 %v", q)
	}
	if err := d.RecordN(-time.Millisecond, 2); err == nil {
		t.Error("negative duration accepted")
	}
}
