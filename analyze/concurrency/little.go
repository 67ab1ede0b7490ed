package concurrency

import (
	"fmt"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Little's law: a consistency check between measured concurrency and
// throughput × latency.

// LittleCheck compares the time-averaged number of requests in flight,
// measured from the intervals, with X·W from the same requests, and with
// the threads that sent them.
type LittleCheck struct {
	// MeanInFlight is Σ elapsed / span: the time-average of in-flight
	// requests (exactly Little's L when every request lies in the span).
	MeanInFlight float64 `json:"mean_in_flight"`
	// Throughput is requests per second over the span (X).
	Throughput float64 `json:"throughput_per_s"`
	// MeanResponseS is the mean elapsed in seconds (W).
	MeanResponseS float64 `json:"mean_response_s"`
	// MeanThreads is the time-average of the run's active threads
	// (JMeter's allThreads, added up over load generators: see Threads),
	// 0 when not recorded.
	MeanThreads float64 `json:"mean_threads,omitempty"`
	// Engines is how many load generators' thread counts were added up,
	// when more than one.
	Engines int `json:"engines,omitempty"`
	// BusyShare is MeanInFlight / MeanThreads when that is a share (at
	// most 1, and 1 when in flight exceeds the threads by no more than
	// JMeter's per-request thread counts explain, 5%): the part of the
	// threads' time spent waiting on a response;
	// the rest is think time, timers and the load generator's own work.
	// Low values mean the thread count overstates the load on the server.
	BusyShare float64 `json:"busy_share,omitempty"`
	// InFlightPerThread is MeanInFlight / MeanThreads when it is above 1
	// by more than 5%, which threads sending one request at a time cannot
	// give; Mismatch
	// says why it happened. BusyShare is then left out.
	InFlightPerThread float64 `json:"in_flight_per_thread,omitempty"`
	// ParallelShare is the share of requests that started while an earlier
	// request of the same thread (on the same engine) was still running,
	// given with InFlightPerThread.
	ParallelShare float64 `json:"parallel_share,omitempty"`
	// Mismatch explains, in a sentence, why requests in flight exceed the
	// threads; "" when they do not.
	Mismatch string `json:"mismatch,omitempty"`
	// EndTimestamps is set when one thread's requests overlap with
	// timestamps read as start times and not when read as end times: the
	// file was probably written with sampleresult.timestamp.start=false,
	// which shifts every request by its own elapsed time and inflates the
	// requests counted in flight.
	EndTimestamps bool `json:"end_timestamps,omitempty"`
}

// Little accumulates a LittleCheck. Give it requests in start order, as a
// Tracker.
type Little struct {
	n           int64
	sumElapsed  time.Duration
	first, last time.Time

	// The run's threads as a step function of time, integrated from the
	// first request with a count: area is thread-nanoseconds up to at.
	threads   Threads
	level     int
	at        time.Time
	from      time.Time
	area      float64
	hasThread bool

	// last is each thread's latest request, to see requests of one
	// thread that overlap, with timestamps read as start times (as
	// everywhere) and as end times (sampleresult.timestamp.start=false).
	lastOf      map[threadKey]span
	parallel    int64
	parallelEnd int64
	threaded    int64
}

// span is a request's timestamp and end, in Unix nanoseconds.
type span struct{ ts, end int64 }

// maxThreadsTracked bounds lastEnd; thread names come from the input.
const maxThreadsTracked = 100_000

// maxThreadedSampled bounds the requests the parallel-share estimate looks
// at: a million tells whether a file's timestamps are end times as well
// as ten billion do, and the per-thread lookup is the costliest step of
// the check on a large file.
const maxThreadedSampled = 1 << 20

// threadKey is a thread of one load generator.
type threadKey struct {
	engine engineKey
	thread string
}

// Add counts one request.
func (l *Little) Add(r *samples.Sample) {
	if r.Has&samples.FieldStart == 0 {
		return
	}
	if l.n == 0 || r.Start.Before(l.first) {
		l.first = r.Start
	}
	end := r.End()
	if end.After(l.last) {
		l.last = end
	}
	l.n++
	l.sumElapsed += r.Elapsed
	if l.lastOf == nil {
		l.lastOf = map[threadKey]span{}
	}
	if n := l.threads.Observe(r); n >= 0 {
		if l.hasThread {
			if dt := r.Start.Sub(l.at); dt > 0 {
				l.area += float64(l.level) * float64(dt)
			}
		} else {
			l.hasThread, l.from = true, r.Start
		}
		if !r.Start.Before(l.at) {
			l.at = r.Start
		}
		l.level = n
	}
	if r.Has&samples.FieldThread != 0 && r.Thread != "" && l.threaded < maxThreadedSampled {
		key := threadKey{engineOf(r), r.Thread}
		prev, ok := l.lastOf[key]
		if ok || len(l.lastOf) < maxThreadsTracked {
			l.threaded++
			ts, e := r.Start.UnixNano(), end.UnixNano()
			if ok && ts < prev.end {
				l.parallel++
			}
			// Read as an end time, the request ran from ts-(e-ts) to ts.
			if ok && 2*ts-e < prev.ts {
				l.parallelEnd++
			}
			l.lastOf[key] = span{max(prev.ts, ts), max(prev.end, e)}
		}
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
	var parallel, endRead float64
	if l.threaded > 0 {
		parallel = float64(l.parallel) / float64(l.threaded)
		endRead = float64(l.parallelEnd) / float64(l.threaded)
	}
	// A handful of overlaps in a tiny file is no evidence either way.
	c.EndTimestamps = l.parallel >= 5 && parallel >= 0.05 && endRead < parallel/10
	if !l.hasThread {
		return c
	}
	area := l.area
	if dt := l.last.Sub(l.at); dt > 0 {
		area += float64(l.level) * float64(dt)
	}
	if d := l.last.Sub(l.from); d > 0 {
		c.MeanThreads = area / float64(d)
	}
	if e := l.threads.Engines(); e > 1 {
		c.Engines = e
	}
	if c.MeanThreads <= 0 {
		return c
	}
	ratio := c.MeanInFlight / c.MeanThreads
	if ratio <= littleTolerance {
		c.BusyShare = min(ratio, 1)
		return c
	}
	c.InFlightPerThread = ratio
	c.ParallelShare = parallel
	c.Mismatch = mismatch(ratio, parallel, c.EndTimestamps, l.threaded > 0)
	return c
}

// littleTolerance is how far requests in flight may exceed the threads
// and still count as the threads being busy all the time: JMeter takes
// the thread count once per request, so the time-averaged threads lag a
// ramp by a few percent, and a handful of overlapping requests adds as
// much. "1.0 times the threads, so requests in flight exceed threads"
// says nothing true.
const littleTolerance = 1.05

// mismatch says why requests in flight (ratio times the threads) exceed
// the threads that sent them. parallel is the share of requests that
// overlap an earlier one of their thread; endStamped says the overlap
// goes away with timestamps read as end times; named tells whether
// requests carried thread names, without which neither can be seen.
func mismatch(ratio, parallel float64, endStamped, named bool) string {
	switch {
	case endStamped:
		return fmt.Sprintf("Read as start times (JMeter's default since 2.2), %.0f%% of requests overlap an earlier request "+
			"of their own thread; read as end times, almost none do. The file was probably written with "+
			"sampleresult.timestamp.start=false, so every request's interval, and the requests in flight, "+
			"are shifted by its own elapsed time.", 100*parallel)
	case parallel >= 0.01:
		return fmt.Sprintf("%.0f%% of requests started while an earlier request of the same thread was still running: "+
			"the test sends requests in parallel from one thread (a Parallel Controller, embedded resources, "+
			"asynchronous samplers), or one file mixes load generators with the same thread names "+
			"(JMeter before 5.0 in distributed mode without hostname=true). So requests in flight exceed threads.", 100*parallel)
	case !named:
		return "The input has no thread names, so it cannot tell whether threads sent requests in parallel " +
			"(a Parallel Controller, embedded resources) or the thread counts cover only part of the load " +
			"(one load generator of several: give every generator's file, with jmeter.save.saveservice.hostname=true)."
	}
	return "No thread ran two requests at once, so the thread counts in the input cover only part of the load that sent " +
		"these requests: a load generator whose file is missing, or counts saved as 0. " +
		"Give every generator's file, with jmeter.save.saveservice.hostname=true."
}
