package ids

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Benchmarks at the scale of a big run: millions of fresh UUIDs, where
// every lookup misses the CPU caches and the per-value tables keep growing.
// Run them with a fixed count so that the tables end at a known size, e.g.
//
//	go test -run '^$' -bench 'Scale' -benchtime 2000000x ./analyze/ids/

// recordingsURL is the URL prefix of the generated runs' GET requests.
const recordingsURL = "http://127.0.0.1:18080/api/v2/recordings/screen/"

// uuidText returns n distinct random-looking UUIDs as one string, each
// 36 bytes, so that taking one is slicing, not allocating. Different
// seeds give different UUIDs.
func uuidText(n int, seed uint64) string {
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b strings.Builder
	b.Grow(36 * n)
	for range n {
		fmt.Fprintf(&b, "%08x-%04x-4%03x-8%03x-%012x",
			rnd.Uint32(), rnd.Uint32()&0xffff, rnd.Uint32()&0xfff, rnd.Uint32()&0xfff, rnd.Uint64()&(1<<48-1))
	}
	return b.String()
}

// csvRows feeds a Tracker the rows of the generated concurrency run as the
// CSV decoder delivers them: an upload whose only candidate is the recId
// variable, then a GET with the ID in its path and in recId. The rows are
// two Samples rewritten in place, as a decoder reuses its Sample.
type csvRows struct {
	up, get samples.Sample
	urls    string // recordingsURL+id, for each id of ids
	ids     string
	n       int
	i       int // rows fed
}

func newCSVRows(n int, seed uint64) *csvRows {
	ids := uuidText(n, seed)
	var b strings.Builder
	b.Grow(n * (len(recordingsURL) + 36))
	for k := range n {
		b.WriteString(recordingsURL)
		b.WriteString(ids[36*k : 36*k+36])
	}
	c := &csvRows{ids: ids, urls: b.String(), n: n}
	c.up = samples.Sample{
		Label: "upload screen recording", Method: "POST", Code: "201",
		URL:  "http://127.0.0.1:18080/api/v2/recordings/screen",
		Vars: []samples.Var{{Name: "recId"}},
		Has:  samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldThread | samples.FieldURL | samples.FieldVars,
	}
	c.get = c.up
	c.get.Label, c.get.Method, c.get.Code = "get recording", "GET", "200"
	c.get.Vars = []samples.Var{{Name: "recId"}}
	return c
}

var threadNames = func() []string {
	out := make([]string, 200)
	for i := range out {
		out[i] = fmt.Sprintf("desktop agents 1-%d", i+1)
	}
	return out
}()

// getLag is how many uploads later an ID is read back: in the generated
// 1 GB file a GET comes a mean 194 rows after its upload.
const getLag = 97

// next returns the next row: even rows upload ID i/2, odd rows read the
// one uploaded getLag uploads before.
func (c *csvRows) next() *samples.Sample {
	k := (c.i / 2) % c.n
	if c.i%2 == 1 {
		k = (k - getLag + c.n) % c.n
	}
	start := t0.Add(time.Duration(c.i/4) * time.Millisecond) // JTL times are whole ms
	thread := threadNames[(c.i/2)%len(threadNames)]
	var s *samples.Sample
	if c.i%2 == 0 {
		s = &c.up
		s.Vars[0].Value = c.ids[36*k : 36*k+36]
		s.Elapsed = 80 * time.Millisecond
	} else {
		s = &c.get
		w := len(recordingsURL) + 36
		s.URL = c.urls[w*k : w*k+w]
		s.Vars[0].Value = c.ids[36*k : 36*k+36]
		s.Elapsed = 4 * time.Millisecond
	}
	s.Start, s.Thread = start, thread
	c.i++
	return s
}

// BenchmarkScaleObserveCSV observes CSV rows with fresh UUIDs after the
// Tracker has already seen 1M of them per location: the steady state of
// a 1 GB file. ns/op is per row (request).
//
// It also reports the heap the Tracker holds per ID at the end (B/ID,
// live after a GC): an ID is at three locations, the upload's variable and
// the GET's path and variable.
func BenchmarkScaleObserveCSV(b *testing.B) {
	const seen = 1 << 20
	warm := newCSVRows(seen, 1)
	rows := newCSVRows(1<<20, 2)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tr := New(Options{})
	for range 2 * seen {
		tr.Observe(warm.next())
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.Observe(rows.next())
	}
	b.StopTimer()
	checkFresh(b, tr, seen, rows)
	runtime.GC()
	runtime.ReadMemStats(&after)
	ids := seen + min(rows.i/2, rows.n)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(ids), "B/ID")
	runtime.KeepAlive(tr)
	runtime.KeepAlive(warm)
}

// checkFresh checks the benchmark measured what it says: every row
// carried a value new at its location, until the pool wrapped around.
func checkFresh(b *testing.B, tr *Tracker, seen int, rows *csvRows) {
	if rows.i > 2*rows.n {
		return
	}
	for _, l := range tr.Result().Locations {
		want := int64(seen + rows.i/2) // GET rows
		if l.Endpoint == rows.up.Label {
			want = int64(seen + (rows.i+1)/2)
		}
		if l.Distinct != want || l.Reused != 0 {
			b.Fatalf("%s %s: %d distinct, %d reused; want %d and 0", l.Endpoint, l.Location, l.Distinct, l.Reused, want)
		}
	}
}

// BenchmarkScaleMemory reports the heap a Tracker holds per distinct value
// of one location after n fresh UUIDs (B/value, live after a GC), and what
// it allocated on the way (alloc-B/value, growth included). Tables grow in
// steps, so the figure depends on where n falls; 2.6M is the generated
// 1 GB file. One op is the whole run; use -benchtime 1x.
func BenchmarkScaleMemory(b *testing.B) {
	ids := uuidText(2_600_000, 3)
	for _, n := range []int{1_000_000, 1_500_000, 2_000_000, 2_600_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				s := samples.Sample{Label: "upload", Start: t0, Elapsed: time.Millisecond, Thread: "t1",
					Vars: []samples.Var{{Name: "recId"}}}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				tr := New(Options{})
				for k := range n {
					s.Vars[0].Value = ids[36*k : 36*k+36]
					s.Start = s.Start.Add(time.Millisecond)
					tr.Observe(&s)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if l := tr.Result().Locations; len(l) != 1 || l[0].Distinct != int64(n) {
					b.Fatalf("locations %+v, want one with %d distinct values", l, n)
				}
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "B/value")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "alloc-B/value")
				runtime.KeepAlive(tr)
			}
		})
	}
}

// BenchmarkExtractCSVRow is the extraction alone on the GET row of the
// generated runs: a URL with five segments and a variable.
func BenchmarkExtractCSVRow(b *testing.B) {
	rows := newCSVRows(1, 4)
	rows.next()
	s := rows.next()
	var x Extractor
	b.ReportAllocs()
	for b.Loop() {
		if len(x.Extract(s)) != 2 {
			b.Fatal("want two candidates")
		}
	}
}

// BenchmarkObserveCSVWarm is BenchmarkScaleObserveCSV with a table that
// stays in the CPU caches: 8K IDs per Tracker, a new Tracker for each
// pool. It measures what Observe costs besides the cache misses of a big
// table.
func BenchmarkObserveCSVWarm(b *testing.B) {
	const n = 8 << 10
	rows := newCSVRows(n, 5)
	tr := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		if rows.i == 2*n {
			tr, rows.i = New(Options{}), 0
		}
		tr.Observe(rows.next())
	}
}
