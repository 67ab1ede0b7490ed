package concurrency

import (
	"math"
	"math/rand"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/har"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

func req(label string, startMS, elapsedMS int64) *samples.Sample {
	return &samples.Sample{Label: label, Start: time.UnixMilli(startMS), Elapsed: time.Duration(elapsedMS) * time.Millisecond,
		Has: samples.FieldStart | samples.FieldElapsed}
}

// TestInFlightMatchesBruteForce checks the heap against counting overlaps
// directly on random intervals.
func TestInFlightMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var rs []*samples.Sample
	for i := 0; i < 2000; i++ {
		l := "a"
		if rng.Intn(3) == 0 {
			l = "b"
		}
		rs = append(rs, req(l, int64(rng.Intn(20000)), int64(rng.Intn(800))))
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
	tr := NewTracker()
	for i, r := range rs {
		lv := tr.Observe(r)
		all, same := 0, 0
		for _, o := range rs[:i+1] {
			if o.End().After(r.Start) || o == r {
				all++
				if o.Label == r.Label {
					same++
				}
			}
		}
		if lv.InFlight != all || lv.InFlightLabel != same {
			t.Fatalf("request %d: in flight %d/%d, brute force %d/%d", i, lv.InFlight, lv.InFlightLabel, all, same)
		}
	}
}

func TestThreadsOnlyWhenRecorded(t *testing.T) {
	tr := NewTracker()
	r := req("a", 0, 10)
	if lv := tr.Observe(r); lv.Threads != -1 || lv.GroupThreads != -1 {
		t.Fatalf("got %+v, want -1 for unrecorded thread counts", lv)
	}
	r = req("a", 1, 10)
	r.Has |= samples.FieldThreads
	r.AllThreads, r.GrpThreads = 7, 3
	if lv := tr.Observe(r); lv.Threads != 7 || lv.GroupThreads != 3 || lv.InFlight != 2 {
		t.Fatalf("got %+v", lv)
	}
}

// TestLittleClosedLoop: N threads each doing request (R) then think (Z)
// back to back give X = N/(R+Z) and L = X·R = N·R/(R+Z).
func TestLittleClosedLoop(t *testing.T) {
	const n, r, z = 10, 300, 700 // ms
	var l Little
	for th := 0; th < n; th++ {
		for k := 0; k < 100; k++ {
			s := req("a", int64(th*37+k*(r+z)), r)
			s.Has |= samples.FieldThreads
			s.AllThreads = n
			l.Add(s)
		}
	}
	c := l.Result()
	wantX := float64(n) / (float64(r+z) / 1000)
	if math.Abs(c.Throughput-wantX)/wantX > 0.01 {
		t.Errorf("throughput %.3f, want %.3f", c.Throughput, wantX)
	}
	if math.Abs(c.MeanInFlight-3) > 0.05 {
		t.Errorf("mean in flight %.3f, want 3", c.MeanInFlight)
	}
	if math.Abs(c.BusyShare-0.3) > 0.01 {
		t.Errorf("busy share %.3f, want 0.3", c.BusyShare)
	}
}

func TestBinNests(t *testing.T) {
	for n := -1; n < 5000; n++ {
		for s := 0; s < 12; s++ {
			b := Bin(n, s)
			if n <= 0 {
				if b != n {
					t.Fatalf("Bin(%d, %d) = %d, want unknown kept", n, s, b)
				}
				continue
			}
			w := 1 << s
			if lo := (n-1)/w*w + 1; b < lo || b >= lo+w {
				t.Fatalf("Bin(%d, %d) = %d, outside the bin from %d", n, s, b, lo)
			}
			if again := Bin(b, s+1); again != Bin(n, s+1) {
				t.Fatalf("Bin(Bin(%d, %d), %d) = %d, want %d", n, s, s+1, again, Bin(n, s+1))
			}
		}
	}
}

// TestInFlightOnRealHARs: a HAR has no thread counts, so its concurrency
// is the entries' own overlap. On every public HAR, the levels the
// Tracker gives (in the order the stream delivers the entries) equal a
// brute-force count over all intervals, Little's mean in flight equals a
// sweep over the same intervals, and captures of a page load do show
// several requests in flight.
func TestInFlightOnRealHARs(t *testing.T) {
	files, _ := filepath.Glob("../../samples/testdata/public/har/*.har")
	files = append(files, samplestest.Glob(t, "public/har/*.har")...)
	if len(files) == 0 {
		t.Fatal("no HAR files")
	}
	busiest := 0
	for _, f := range files {
		st, err := samples.OpenStream([]string{f}, samples.StreamOptions{Ordered: true})
		if err != nil {
			t.Fatal(err)
		}
		tr := NewTracker()
		var l Little
		type iv struct{ s, e int64 }
		var ivs []iv
		var got []int
		for st.Scan() {
			st.Sample().Requests(func(r *samples.Sample) {
				if r.Has&samples.FieldStart == 0 {
					return
				}
				lv := tr.Observe(r)
				l.Add(r)
				if lv.Threads != -1 {
					t.Errorf("%s: a HAR entry with a thread count %d", f, lv.Threads)
				}
				got = append(got, lv.InFlight)
				ivs = append(ivs, iv{r.Start.UnixNano(), r.End().UnixNano()})
			})
		}
		st.Close()
		if len(ivs) == 0 {
			continue
		}
		peak := 0
		for i, x := range ivs {
			n := 1 // itself
			for _, y := range ivs[:i] {
				if y.s <= x.s && y.e > x.s {
					n++
				}
			}
			if got[i] != n {
				t.Errorf("%s: entry %d: %d in flight, counted %d", filepath.Base(f), i, got[i], n)
				break
			}
			peak = max(peak, n)
		}
		if peak != tr.MaxInFlight() {
			t.Errorf("%s: MaxInFlight %d, counted %d", filepath.Base(f), tr.MaxInFlight(), peak)
		}
		busiest = max(busiest, peak)
		// The time-average in flight: the integral of the count over the
		// span, by a sweep over start and end points.
		type ev struct {
			at int64
			d  int
		}
		var evs []ev
		lo, hi := ivs[0].s, ivs[0].e
		for _, x := range ivs {
			evs = append(evs, ev{x.s, 1}, ev{x.e, -1})
			lo, hi = min(lo, x.s), max(hi, x.e)
		}
		sort.Slice(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
		var area float64
		cur := 0
		for i, e := range evs {
			if i > 0 {
				area += float64(cur) * float64(e.at-evs[i-1].at)
			}
			cur += e.d
		}
		if hi > lo {
			want := area / float64(hi-lo)
			if c := l.Result(); math.Abs(c.MeanInFlight-want) > 1e-6*math.Max(1, want) || c.MeanThreads != 0 || c.BusyShare != 0 {
				t.Errorf("%s: Little %+v, sweep gives %.4f in flight", filepath.Base(f), c, want)
			}
		}
	}
	if busiest < 8 {
		t.Errorf("no HAR had more than %d requests in flight; the public page loads have 8 and 10", busiest)
	}
}
