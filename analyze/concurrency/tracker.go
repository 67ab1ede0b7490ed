package concurrency

import (
	"github.com/jtlscope/jtlscope/samples"
)

// Level is the concurrency a request saw when it started.
type Level struct {
	// Threads is the run's active threads: JMeter's allThreads for the
	// sample, added up over load generators (see Threads); -1 when not
	// recorded.
	Threads int
	// GroupThreads is JMeter's grpThreads, on the sample's own engine;
	// -1 when not recorded.
	GroupThreads int
	// InFlight counts requests running when this one started, itself
	// included (so the first request sees 1).
	InFlight int
	// InFlightLabel counts only requests with the same label, itself
	// included: a server limit on uploads shows here more sharply than in
	// a count that mixes in cheap reads.
	InFlightLabel int
}

// Tracker measures in-flight requests. Requests must be given in start
// order (samples.StreamOptions.Ordered); a request that starts before the
// previous one is still counted, against the state at the later time.
type Tracker struct {
	all     endHeap
	byLabel map[string]*endHeap
	maxAll  int
	threads *Threads
}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker { return &Tracker{byLabel: map[string]*endHeap{}, threads: NewThreads()} }

// Observe records r and returns the concurrency it started into.
func (t *Tracker) Observe(r *samples.Sample) Level {
	lv := Level{Threads: t.threads.Observe(r), GroupThreads: -1}
	if r.Has&samples.FieldThreads != 0 {
		lv.GroupThreads = r.GrpThreads
	}
	if r.Has&samples.FieldStart == 0 {
		return lv
	}
	start, end := r.Start.UnixNano(), r.End().UnixNano()
	lv.InFlight = t.all.admit(start, end)
	if lv.InFlight > t.maxAll {
		t.maxAll = lv.InFlight
	}
	h := t.byLabel[r.Label]
	if h == nil {
		h = &endHeap{}
		t.byLabel[r.Label] = h
	}
	lv.InFlightLabel = h.admit(start, end)
	return lv
}

// MaxInFlight is the largest InFlight seen.
func (t *Tracker) MaxInFlight() int { return t.maxAll }

// Engines is how many load generators' thread counts were added up.
func (t *Tracker) Engines() int { return t.threads.Engines() }

// endHeap holds the end times of running requests, a min-heap written out
// rather than through container/heap, whose interface boxed every end
// time (an allocation per request).
type endHeap []int64

// admit drops requests that ended by start, adds this one, and returns
// how many are running.
func (h *endHeap) admit(start, end int64) int {
	for len(*h) > 0 && (*h)[0] <= start {
		h.pop()
	}
	h.push(end)
	return len(*h)
}

func (h *endHeap) push(x int64) {
	*h = append(*h, x)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p] <= x {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = x
}

func (h *endHeap) pop() {
	a := *h
	n := len(a) - 1
	x := a[n]
	*h = a[:n]
	a = a[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && a[c+1] < a[c] {
			c++
		}
		if x <= a[c] {
			break
		}
		a[i] = a[c]
		i = c
	}
	if n > 0 {
		a[i] = x
	}
}

// Bin is the level that stands for n when adjacent levels are merged in
// bins of 2^shift, aligned at 1: the middle of n's bin, rounded down.
// Bins nest, so binning an already binned level at a larger shift gives
// the same as binning the original. Levels ≤ 0 (unknown) are kept.
// Capacity and diagnose merge levels this way when an input has more
// distinct thread counts than they keep apart.
func Bin(n, shift int) int {
	if n <= 0 || shift <= 0 {
		return n
	}
	w := 1 << shift
	return (n-1)/w*w + 1 + (w-1)/2
}
