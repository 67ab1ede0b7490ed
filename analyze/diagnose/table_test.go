package diagnose

import (
	"strconv"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

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
	if tb.cells.len() != 50*5 {
		t.Fatalf("%d cells after one coarsening, want 250", tb.cells.len())
	}
	if got := tb.Total(nil); got != want {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
	for _, r := range tb.list() {
		if k, c := r.k, r.c; k[dimTime] >= 50 || c.N != 2 {
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

// allThreads comes from the input: a million distinct values, as a broken
// or hostile file can hold, must not make a million cells.
func TestTableBoundedByDistinctThreadCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("400k samples")
	}
	d := New(Options{})
	start := time.UnixMilli(1_700_000_000_000)
	const n = 400_000
	for i := 0; i < n; i++ {
		s := samples.Sample{Label: "upload", Thread: "TG 1-1", Start: start.Add(time.Duration(i) * time.Millisecond),
			Elapsed: 5 * time.Millisecond, AllThreads: i + 1, GrpThreads: i + 1, Code: "200", Success: i%10 != 0,
			Kind: samples.KindHTTP,
			Has:  samples.FieldStart | samples.FieldElapsed | samples.FieldThreads | samples.FieldSuccess | samples.FieldLabel | samples.FieldCode}
		if !s.Success {
			s.Code = "400"
		}
		d.Add(&s)
	}
	if d.table.cells.len() > maxCells+1 || d.threadShift == 0 {
		t.Fatalf("%d cells, thread shift %d", d.table.cells.len(), d.threadShift)
	}
	tot := d.table.Total(nil)
	if tot.N != n || tot.Fail != n/10 {
		t.Fatalf("table holds %+v, want %d requests and %d failures", tot, n, n/10)
	}
	if r := d.Result(); r.Requests != n || r.Failures != n/10 {
		t.Errorf("result: %d requests, %d failures", r.Requests, r.Failures)
	}
}

func groupRun(t *testing.T, n int, thread func(i int) string, failed func(i int) bool) (*Diagnoser, Result) {
	t.Helper()
	d := New(Options{})
	start := time.UnixMilli(1_700_000_000_000)
	for i := 0; i < n; i++ {
		s := samples.Sample{Label: "upload", Thread: thread(i), Start: start.Add(time.Duration(i) * 10 * time.Millisecond),
			Elapsed: 5 * time.Millisecond, AllThreads: 10, GrpThreads: 10, Code: "200", Success: true, Kind: samples.KindHTTP,
			Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads | samples.FieldSuccess | samples.FieldLabel | samples.FieldCode}
		if failed(i) {
			s.Code, s.Success = "400", false
		}
		d.Add(&s)
	}
	return d, d.Result()
}

// Failures confined to one of three groups name that group.
func TestThreadGroupConfined(t *testing.T) {
	names := []string{"Uploads 1-1", "Reads 1-1", "Admin 1-1"}
	_, r := groupRun(t, 3000, func(i int) string { return names[i%3] }, func(i int) bool { return i%3 == 0 && i%4 != 0 })
	f := r.Cause("thread-group")
	ev, _ := f.Evidence.(*ThreadGroupEvidence)
	if f.Verdict != Likely || ev == nil || len(ev.Confined) != 1 || ev.Confined[0] != "Uploads" {
		t.Fatalf("%s: %s %+v", f.Verdict, f.Summary, ev)
	}
}

// Thread names unique per thread are not thread groups: a split of them
// would fit the failures by chance, and they must not make a cell each.
func TestThreadGroupsFromUniqueNames(t *testing.T) {
	d, r := groupRun(t, 5000, func(i int) string { return "g" + strconv.Itoa(i) + " 1-1" }, func(i int) bool { return i%3 == 0 })
	if len(d.groups) > maxGroups+1 {
		t.Errorf("%d groups kept", len(d.groups))
	}
	f := r.Cause("thread-group")
	ev, _ := f.Evidence.(*ThreadGroupEvidence)
	if f.Verdict != NotAssessable || ev == nil || len(ev.Groups) > maxGroupsListed || ev.MoreGroups == 0 {
		t.Errorf("%s: %s (%d groups listed, %d more)", f.Verdict, f.Summary, len(ev.Groups), ev.MoreGroups)
	}
}
