package stats

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// Sketch layout: values are counted in microseconds; below 2^sketchSub µs
// each value has its own bucket, above it every power of two is split
// into 2^sketchSub equal buckets, so a bucket is at most 2^−sketchSub of
// its lower edge wide and its middle within half of that of any value in
// it: 2^−7 ≈ 0.78%.
const (
	sketchSub = 6
	sketchN   = 1 << sketchSub
	// SketchRelativeError bounds |estimate − exact| / exact for a Sketch's
	// quantiles once it has compacted, apart from rounding to the
	// microsecond.
	SketchRelativeError = 1.0 / (2 << sketchSub)
)

// A Sketch collects durations for the percentiles of one time window or
// one concurrency level, where there may be a thousand of them: it keeps
// the values themselves (exact LEGACY quantiles, as the summary gives)
// until Compact is called, then a log-linear histogram over only the
// range of buckets the window touched, counts of 4 bytes: a window whose
// latencies span 2 ms to 500 ms holds about 570 buckets, 2.3 KB.
//
// Quantiles use the LEGACY estimator over the order statistics, each
// taken as the middle of its bucket and clamped to [Min, Max], so an
// estimate is within SketchRelativeError of the exact one and never
// outside the values seen. Chosen over DDSketch and HdrHistogram by
// measurement (.ci/quantbench; README, Percentiles).
//
// The zero value is an empty, exact Sketch.
type Sketch struct {
	values  []time.Duration // exact values, until compacted
	sorted  bool
	compact bool
	lo      int      // bucket index of counts[0]
	counts  []uint32 // compacted: counts of buckets lo, lo+1, ...
	n       uint64
	min     time.Duration
	max     time.Duration
}

func sketchBucket(d time.Duration) int {
	v := uint64(max(d, 0)) / uint64(time.Microsecond)
	if v < sketchN {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - sketchSub
	return (shift+1)*sketchN + int(v>>shift) - sketchN
}

// sketchMid is the middle of bucket i, in nanoseconds.
func sketchMid(i int) float64 {
	if i < sketchN {
		return float64(i) * float64(time.Microsecond)
	}
	shift := i/sketchN - 1
	lo := uint64(sketchN+i%sketchN) << shift
	width := uint64(1) << shift
	return (float64(lo) + float64(width-1)/2) * float64(time.Microsecond)
}

// Add records one duration; negative ones count as 0.
func (s *Sketch) Add(d time.Duration) {
	d = max(d, 0)
	if s.n == 0 || d < s.min {
		s.min = d
	}
	if d > s.max {
		s.max = d
	}
	s.n++
	if !s.compact {
		s.values = append(s.values, d)
		s.sorted = false
		return
	}
	s.bump(sketchBucket(d), 1)
}

// bump adds c to bucket i, widening the range held when needed.
func (s *Sketch) bump(i int, c uint32) {
	switch {
	case len(s.counts) == 0:
		s.lo = i
		s.counts = append(s.counts[:0], 0)
	case i < s.lo:
		// Grow by a few octaves' worth at once: values arrive in any
		// order, and one copy per new low bucket would be quadratic.
		lo := max(0, min(i, s.lo-len(s.counts)/2, s.lo-sketchN))
		grown := make([]uint32, len(s.counts)+s.lo-lo, len(s.counts)+s.lo-lo+sketchN)
		copy(grown[s.lo-lo:], s.counts)
		s.counts, s.lo = grown, lo
	case i >= s.lo+len(s.counts):
		s.counts = append(s.counts, make([]uint32, i-s.lo-len(s.counts)+1)...)
	}
	s.counts[i-s.lo] += c
}

// Compact moves the exact values into buckets and frees them; later values
// go to the buckets too.
func (s *Sketch) Compact() {
	if s.compact {
		return
	}
	s.compact = true
	for _, v := range s.values {
		s.bump(sketchBucket(v), 1)
	}
	s.values, s.sorted = nil, false
}

// Exact reports whether the quantiles are computed from every value.
func (s *Sketch) Exact() bool { return !s.compact }

// Count, Min and Max are exact.
func (s *Sketch) Count() int64 { return int64(s.n) }

// Min returns the smallest value (0 when empty).
func (s *Sketch) Min() time.Duration { return s.min }

// Max returns the largest value (0 when empty).
func (s *Sketch) Max() time.Duration { return s.max }

// Len is how many values are kept exactly (0 once compacted).
func (s *Sketch) Len() int { return len(s.values) }

// Bytes estimates the memory held.
func (s *Sketch) Bytes() int { return 64 + 8*cap(s.values) + 4*cap(s.counts) }

// Merge adds o's values; the result is exact only if both were.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		return
	}
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	if !s.compact && !o.compact {
		s.values = append(s.values, o.values...)
		s.sorted = false
		return
	}
	s.Compact()
	for _, v := range o.values {
		s.bump(sketchBucket(v), 1)
	}
	for j, c := range o.counts {
		if c > 0 {
			s.bump(o.lo+j, c)
		}
	}
}

// Quantile returns the LEGACY p-quantile in milliseconds, NaN when empty.
func (s *Sketch) Quantile(p float64) float64 {
	if s.n == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	if !s.compact {
		if !s.sorted {
			slices.Sort(s.values)
			s.sorted = true
		}
		return legacy(len(s.values), p, func(i int) float64 { return float64(s.values[i]) }) / 1e6
	}
	if s.n > math.MaxInt32 {
		return float64(s.max) / 1e6
	}
	return legacy(int(s.n), p, s.orderStat) / 1e6
}

// orderStat returns the (i+1)-th smallest value in nanoseconds.
func (s *Sketch) orderStat(i int) float64 {
	rank := uint64(i) + 1
	switch rank {
	case 1:
		return float64(s.min)
	case s.n:
		return float64(s.max)
	}
	for j, c := range s.counts {
		if rank <= uint64(c) {
			return min(max(sketchMid(s.lo+j), float64(s.min)), float64(s.max))
		}
		rank -= uint64(c)
	}
	return float64(s.max)
}

// Each calls fn for every value kept (exact) or every non-empty bucket
// (compacted, at the bucket's middle clamped to [Min, Max]), with its
// count; values in milliseconds.
func (s *Sketch) Each(fn func(ms float64, count int64)) {
	if !s.compact {
		for _, v := range s.values {
			fn(float64(v)/1e6, 1)
		}
		return
	}
	for j, c := range s.counts {
		if c > 0 {
			fn(min(max(sketchMid(s.lo+j), float64(s.min)), float64(s.max))/1e6, int64(c))
		}
	}
}
