package concurrency

import (
	"container/heap"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Level is the concurrency a request saw when it started.
type Level struct {
	// Threads is JMeter's allThreads for the sample, -1 when not recorded.
	Threads int
	// GroupThreads is JMeter's grpThreads, -1 when not recorded.
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
}

// NewTracker returns an empty Tracker.
func NewTracker() *Tracker { return &Tracker{byLabel: map[string]*endHeap{}} }

// Observe records r and returns the concurrency it started into.
func (t *Tracker) Observe(r *samples.Sample) Level {
	lv := Level{Threads: -1, GroupThreads: -1}
	if r.Has&samples.FieldThreads != 0 {
		lv.Threads, lv.GroupThreads = r.AllThreads, r.GrpThreads
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

// endHeap holds the end times of running requests.
type endHeap []int64

// admit drops requests that ended by start, adds this one, and returns
// how many are running.
func (h *endHeap) admit(start, end int64) int {
	for len(*h) > 0 && (*h)[0] <= start {
		heap.Pop(h)
	}
	heap.Push(h, end)
	return len(*h)
}

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Little's law: a consistency check between measured concurrency and
// throughput × latency.

// LittleCheck compares the time-averaged number of requests in flight,
// measured from the intervals, with X·W from the same requests.
type LittleCheck struct {
	// MeanInFlight is Σ elapsed / span: the time-average of in-flight
	// requests (exactly Little's L when every request lies in the span).
	MeanInFlight float64 `json:"mean_in_flight"`
	// Throughput is requests per second over the span (X).
	Throughput float64 `json:"throughput_per_s"`
	// MeanResponseS is the mean elapsed in seconds (W).
	MeanResponseS float64 `json:"mean_response_s"`
	// MeanThreads is the mean of JMeter's allThreads over samples, 0 when
	// not recorded.
	MeanThreads float64 `json:"mean_threads,omitempty"`
	// BusyShare is MeanInFlight / MeanThreads: the share of the threads'
	// time spent waiting on a response; the rest is think time, timers and
	// the load generator's own work. Low values mean the thread count
	// overstates the load on the server.
	BusyShare float64 `json:"busy_share,omitempty"`
}

// Little accumulates a LittleCheck.
type Little struct {
	n           int64
	sumElapsed  time.Duration
	first, last time.Time
	sumThreads  float64
	nThreads    int64
}

// Add counts one request.
func (l *Little) Add(r *samples.Sample) {
	if r.Has&samples.FieldStart == 0 {
		return
	}
	if l.n == 0 || r.Start.Before(l.first) {
		l.first = r.Start
	}
	if end := r.End(); end.After(l.last) {
		l.last = end
	}
	l.n++
	l.sumElapsed += r.Elapsed
	if r.Has&samples.FieldThreads != 0 {
		l.sumThreads += float64(r.AllThreads)
		l.nThreads++
	}
}

// Result computes the check; the zero value when nothing was added.
func (l *Little) Result() LittleCheck {
	span := l.last.Sub(l.first).Seconds()
	if l.n == 0 || span <= 0 {
		return LittleCheck{}
	}
	c := LittleCheck{
		MeanInFlight:  l.sumElapsed.Seconds() / span,
		Throughput:    float64(l.n) / span,
		MeanResponseS: l.sumElapsed.Seconds() / float64(l.n),
	}
	if l.nThreads > 0 {
		c.MeanThreads = l.sumThreads / float64(l.nThreads)
		if c.MeanThreads > 0 {
			c.BusyShare = c.MeanInFlight / c.MeanThreads
		}
	}
	return c
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
