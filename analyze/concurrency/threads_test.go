package concurrency

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func threaded(source, host, thread string, startMS int64, all int) *samples.Sample {
	s := req("a", startMS, 10)
	s.Source, s.Hostname, s.Thread, s.AllThreads = source, host, thread, all
	s.Has |= samples.FieldThreads | samples.FieldThread
	return s
}

func TestEngineKeys(t *testing.T) {
	for _, c := range []struct {
		source, host, thread, want string
	}{
		{"a.csv", "", "Users 1-1", "file a.csv"},
		{"a.csv", "gen1", "Users 1-1", "host gen1"},
		{"a.csv", "gen1", "10.0.0.5:1099-Users 1-1", "engine 10.0.0.5:1099"},
		{"a.csv", "", "load-gen-2.example:4000-Users 1-12", "engine load-gen-2.example:4000"},
		{"a.csv", "", "[::1]:1099-Users 1-1", "engine [::1]:1099"},
		// Not a distributed prefix: a space comes first, or no port.
		{"a.csv", "", "Users 1:2-3", "file a.csv"},
		{"a.csv", "", "host:-Users 1-1", "file a.csv"},
		{"a.csv", "", "Users 1-1", "file a.csv"},
	} {
		s := threaded(c.source, c.host, c.thread, 0, 1)
		if got := Engine(s); got != c.want {
			t.Errorf("%q/%q/%q: %q, want %q", c.source, c.host, c.thread, got, c.want)
		}
	}
}

// TestThreadsAddUpEngines: one engine gives its own allThreads; several
// add their latest counts; rows without counts are unknown.
func TestThreadsAddUpEngines(t *testing.T) {
	th := NewThreads()
	if n := th.Observe(threaded("a.csv", "", "U 1-1", 0, 5)); n != 5 {
		t.Fatalf("one engine: %d", n)
	}
	if n := th.Observe(threaded("a.csv", "", "U 1-2", 1, 6)); n != 6 {
		t.Fatalf("one engine, later: %d", n)
	}
	if n := th.Observe(threaded("b.csv", "", "U 1-1", 2, 4)); n != 10 {
		t.Fatalf("second engine: %d, want 6+4", n)
	}
	if n := th.Observe(threaded("a.csv", "", "U 1-1", 3, 2)); n != 6 {
		t.Fatalf("first engine drops to 2: %d, want 2+4", n)
	}
	none := req("a", 4, 1)
	if n := th.Observe(none); n != -1 {
		t.Fatalf("no thread counts: %d", n)
	}
	zero := threaded("a.csv", "", "U 1-1", 5, 0)
	if n := th.Observe(zero); n != -1 || th.Engines() != 2 {
		t.Fatalf("a 0 count (not filled by JMeter): %d, %d engines", n, th.Engines())
	}
	// A hostile input naming a new engine on every row stays bounded and
	// never counts below the engines kept apart.
	for i := 0; i < 3*maxEngines; i++ {
		th.Observe(threaded("c.csv", fmt.Sprintf("h%d", i), "U 1-1", int64(10+i), 1))
	}
	if th.Engines() > maxEngines+1 {
		t.Errorf("%d engines kept", th.Engines())
	}
}

// TestLittleTimeAverage: thread counts are averaged over time, not over
// samples. Two equal halves, 10 threads with fast responses (many
// samples) and 100 threads with slow ones (few), average 55 threads; the
// mean over samples would say about 18 and put requests in flight at
// three times the threads.
func TestLittleTimeAverage(t *testing.T) {
	var l Little
	for th := 0; th < 10; th++ {
		for k := 0; k < 1000; k++ { // 100 s of 100 ms requests
			s := threaded("x", "", fmt.Sprintf("U 1-%d", th), int64(k*100+th), 10)
			s.Elapsed = 100 * time.Millisecond
			l.Add(s)
		}
	}
	var phase2 []*samples.Sample
	for th := 0; th < 100; th++ {
		for k := 0; k < 10; k++ { // 100 s of 10 s requests
			s := threaded("x", "", fmt.Sprintf("U 1-%d", th), 100_000+int64(k*10_000+th), 100)
			s.Elapsed = 10 * time.Second
			phase2 = append(phase2, s)
		}
	}
	sortByStart(phase2)
	for _, s := range phase2 {
		l.Add(s)
	}
	c := l.Result()
	if c.MeanThreads < 53 || c.MeanThreads > 57 {
		t.Errorf("mean threads %.1f, want about 55", c.MeanThreads)
	}
	if c.BusyShare <= 0 || c.BusyShare > 1 || c.InFlightPerThread != 0 || c.Mismatch != "" {
		t.Errorf("closed loop without think time: %+v", c)
	}
}

// closedLoop runs threads threads for 50 iterations of 900 ms in every
// second, each sending parallel requests at once, all with allThreads
// counted, and returns the check.
func closedLoop(threads, parallel, counted int) LittleCheck {
	var l Little
	var rs []*samples.Sample
	for th := 0; th < threads; th++ {
		for k := 0; k < 50; k++ {
			for p := 0; p < parallel; p++ {
				s := threaded("x", "", fmt.Sprintf("U 1-%d", th), int64(k*1000+th), counted)
				s.Elapsed = 900 * time.Millisecond
				rs = append(rs, s)
			}
		}
	}
	sortByStart(rs)
	for _, s := range rs {
		l.Add(s)
	}
	return l.Result()
}

// TestLittleNeverAbove100: requests in flight above the threads give no
// share but the ratio and a reason.
func TestLittleNeverAbove100(t *testing.T) {
	// A Parallel Controller: each of 4 threads runs 3 requests at once.
	c := closedLoop(4, 3, 4)
	if c.BusyShare != 0 || c.InFlightPerThread < 2.5 || c.ParallelShare < 0.6 || !strings.Contains(c.Mismatch, "in parallel") {
		t.Fatalf("parallel requests: %+v", c)
	}
	// One generator's counts for two generators' requests, no overlap
	// within a thread: the counts cover only part of the load.
	c = closedLoop(8, 1, 4)
	if c.BusyShare != 0 || c.InFlightPerThread < 1.5 || c.ParallelShare != 0 || !strings.Contains(c.Mismatch, "cover only part of the load") {
		t.Fatalf("undercounted threads: %+v", c)
	}
	// A few percent more in flight than threads is JMeter's per-request
	// thread counts, not parallel requests: busy all the time, no
	// mismatch (f24's "1.0 times the 5.0 JMeter threads … So requests
	// in flight exceed threads"). 60 of 61 requests of each thread run
	// one at a time, one overlaps.
	var l Little
	var rs []*samples.Sample
	for th := 0; th < 5; th++ {
		for k := 0; k < 60; k++ {
			s := threaded("x", "", fmt.Sprintf("U 1-%d", th), int64(k*1000+th), 5)
			s.Elapsed = 1000 * time.Millisecond
			rs = append(rs, s)
		}
		s := threaded("x", "", fmt.Sprintf("U 1-%d", th), int64(30_500+th), 5)
		s.Elapsed = 1000 * time.Millisecond
		rs = append(rs, s)
	}
	sortByStart(rs)
	for _, s := range rs {
		l.Add(s)
	}
	if c = l.Result(); c.BusyShare != 1 || c.InFlightPerThread != 0 || c.Mismatch != "" || c.MeanInFlight <= c.MeanThreads {
		t.Fatalf("in flight 1–2%% above the threads: %+v", c)
	}
	// Counted right, the same load is a share.
	if c = closedLoop(8, 1, 8); c.BusyShare < 0.85 || c.BusyShare > 0.95 || c.Mismatch != "" {
		t.Fatalf("8 threads busy 90%% of the time: %+v", c)
	}
}

func sortByStart(rs []*samples.Sample) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
}

// TestLittleSeesEndTimestamps: one thread's back-to-back requests stamped
// with their end (sampleresult.timestamp.start=false) overlap when read as
// start times; the reason given is the timestamps, not parallel requests.
func TestLittleSeesEndTimestamps(t *testing.T) {
	var l Little
	end := int64(0)
	for k := 0; k < 200; k++ {
		el := int64(100 + 80*(k%5))
		end += el + 2
		s := threaded("x", "", "U 1-1", end, 1) // stamped with its end
		s.Elapsed = time.Duration(el) * time.Millisecond
		l.Add(s)
	}
	c := l.Result()
	if !c.EndTimestamps || c.BusyShare > 1 || c.Mismatch != "" {
		t.Fatalf("%+v", c)
	}
	// Stamped with their start, the same requests raise no doubt.
	var m Little
	start := int64(0)
	for k := 0; k < 200; k++ {
		el := int64(100 + 80*(k%5))
		s := threaded("x", "", "U 1-1", start, 1)
		s.Elapsed = time.Duration(el) * time.Millisecond
		m.Add(s)
		start += el + 2
	}
	if c := m.Result(); c.EndTimestamps || c.Mismatch != "" || c.BusyShare < 0.95 {
		t.Fatalf("start-stamped: %+v", c)
	}
}
