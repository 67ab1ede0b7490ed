package stats

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Histogram layout. Values are counted in units (1 ns unless NewHistogram
// says otherwise). Values below 2^subBits units get one bucket each and
// are exact. Above that, every power-of-two range [2^e, 2^(e+1)) is split
// into 2^subBits equal buckets of width 2^(e−subBits), so a bucket's width
// is at most 2^−subBits of its lower edge. Reporting the middle of the
// bucket therefore errs by less than half of that: with subBits = 9 the
// relative error is below 2^−10 ≈ 0.098 %.
//
// A chunk holds the buckets of one power of two (chunk 0 holds the exact
// values) and is allocated on first use: a run whose latencies span 1 ms to
// 10 s touches 14 chunks of 4 KiB.
const (
	subBits  = 9
	subCount = 1 << subBits
	// MaxRelativeError bounds |estimate − true| / true for every value a
	// Histogram reports (quantiles included), apart from the rounding to
	// its unit.
	MaxRelativeError = 1.0 / (2 << subBits)
)

type chunk struct {
	total  uint64
	counts [subCount]uint64
}

// summary keeps the exact count, sum, minimum and maximum of durations.
// The sum is 128-bit so that a billion samples of a minute do not overflow.
type summary struct {
	count        uint64
	sumHi, sumLo uint64
	min, max     time.Duration
}

func (s *summary) add(d time.Duration) {
	if s.count == 0 || d < s.min {
		s.min = d
	}
	if s.count == 0 || d > s.max {
		s.max = d
	}
	s.count++
	var carry uint64
	s.sumLo, carry = bits.Add64(s.sumLo, uint64(d), 0)
	s.sumHi += carry
}

// addN adds n copies of d (n > 0).
func (s *summary) addN(d time.Duration, n uint64) {
	if s.count == 0 || d < s.min {
		s.min = d
	}
	if s.count == 0 || d > s.max {
		s.max = d
	}
	s.count += n
	hi, lo := bits.Mul64(uint64(d), n)
	var carry uint64
	s.sumLo, carry = bits.Add64(s.sumLo, lo, 0)
	s.sumHi += hi + carry
}

func (s *summary) merge(o *summary) {
	if o.count == 0 {
		return
	}
	if s.count == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.count == 0 || o.max > s.max {
		s.max = o.max
	}
	s.count += o.count
	var carry uint64
	s.sumLo, carry = bits.Add64(s.sumLo, o.sumLo, 0)
	s.sumHi += o.sumHi + carry
}

func (s *summary) mean() time.Duration {
	if s.count == 0 {
		return 0
	}
	sum := float64(s.sumHi)*0x1p64 + float64(s.sumLo)
	return durationOf(sum / float64(s.count))
}

// durationOf rounds nanoseconds to a Duration. float64 cannot hold
// MaxInt64, which rounds up to 2^63 and would wrap to a negative value.
func durationOf(ns float64) time.Duration {
	if ns >= 0x1p63 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(ns))
}

// A Histogram records non-negative durations in log-linear buckets (the
// HdrHistogram layout) so that percentiles of any number of samples cost a
// bounded amount of memory: at most 55 chunks of 4 KiB, allocated as values
// arrive, and about 100 bytes when idle. Count, Min, Max and Mean are
// exact; Quantile is within MaxRelativeError (0.098 %) of the exact LEGACY
// quantile, and exact when the values are whole units below 512 units.
// With a unit above 1 ns, values are also rounded to the unit (half a
// unit at most).
//
// The zero value is an empty histogram counting nanoseconds. A Histogram
// is not safe for concurrent use.
type Histogram struct {
	unit   time.Duration
	chunks []*chunk
	summary
}

// NewHistogram returns an empty histogram that counts in the given unit:
// values are rounded to the nearest unit before bucketing, and values
// below 512 units are exact. JMeter records whole milliseconds, so
// time.Millisecond keeps every latency under 512 ms exact; HAR timings
// have sub-millisecond parts and suit time.Microsecond. A unit ≤ 1 ns
// means nanoseconds.
func NewHistogram(unit time.Duration) *Histogram {
	if unit <= 1 {
		unit = 0
	}
	return &Histogram{unit: unit}
}

func (h *Histogram) units() uint64 {
	if h.unit <= 1 {
		return 1
	}
	return uint64(h.unit)
}

// Record adds one duration. It returns ErrInvalid, and records nothing,
// for a negative duration (HAR uses −1 for "not applicable").
func (h *Histogram) Record(d time.Duration) error {
	if d < 0 {
		return invalidf("negative duration %v", d)
	}
	u := h.units()
	v := uint64(d)
	if u > 1 {
		v = (v + u/2) / u
	}
	ci, si := bucketOf(v)
	if ci >= len(h.chunks) {
		h.chunks = append(h.chunks, make([]*chunk, ci+1-len(h.chunks))...)
	}
	c := h.chunks[ci]
	if c == nil {
		c = new(chunk)
		h.chunks[ci] = c
	}
	c.counts[si]++
	c.total++
	h.add(d)
	return nil
}

// RecordN adds n copies of one duration in constant time: a JMeter
// Statistical-mode row stands for n samples, and n comes from the input.
// It repeats Record's bucket lookup rather than sharing it: Record is on
// every sample's path, and a shared helper measured 30% slower there
// (BenchmarkHistogramRecord, 3.4 → 4.4 ns).
func (h *Histogram) RecordN(d time.Duration, n uint64) error {
	if d < 0 {
		return invalidf("negative duration %v", d)
	}
	if n == 0 {
		return nil
	}
	u := h.units()
	v := uint64(d)
	if u > 1 {
		v = (v + u/2) / u
	}
	ci, si := bucketOf(v)
	if ci >= len(h.chunks) {
		h.chunks = append(h.chunks, make([]*chunk, ci+1-len(h.chunks))...)
	}
	c := h.chunks[ci]
	if c == nil {
		c = new(chunk)
		h.chunks[ci] = c
	}
	c.counts[si] += n
	c.total += n
	h.addN(d, n)
	return nil
}

// bucketOf returns the chunk and sub-bucket of a value in units.
func bucketOf(v uint64) (ci, si int) {
	if v < subCount {
		return 0, int(v)
	}
	shift := bits.Len64(v) - 1 - subBits
	return shift + 1, int(v>>shift) - subCount
}

// bucketMid returns the middle of the values a bucket holds, in units.
func bucketMid(ci, si int) float64 {
	if ci == 0 {
		return float64(si)
	}
	width := uint64(1) << (ci - 1)
	lo := uint64(subCount+si) << (ci - 1)
	return float64(lo) + float64(width-1)/2
}

// Count returns the number of recorded values.
func (h *Histogram) Count() int64 { return int64(h.count) }

// Min returns the smallest recorded value, exactly (0 when empty).
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest recorded value, exactly (0 when empty).
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the exact mean, rounded to the nanosecond (0 when empty).
func (h *Histogram) Mean() time.Duration { return h.mean() }

// Quantile returns the p-quantile (0 ≤ p ≤ 1) with the LEGACY estimator
// of QuantileSorted applied to the bucketed values, each order statistic
// taken as the middle of its bucket and clamped to [Min, Max]. It returns
// ErrEmpty when nothing was recorded and ErrInvalid for p outside [0, 1].
func (h *Histogram) Quantile(p float64) (time.Duration, error) {
	if h.count == 0 {
		return 0, fmt.Errorf("%w: quantile of an empty histogram", ErrEmpty)
	}
	if err := checkP(p); err != nil {
		return 0, err
	}
	if h.count > math.MaxInt {
		return 0, invalidf("histogram holds too many values (%d)", h.count)
	}
	return durationOf(legacy(int(h.count), p, h.orderStat)), nil
}

// orderStat returns the (i+1)-th smallest value in nanoseconds.
func (h *Histogram) orderStat(i int) float64 {
	switch rank := uint64(i) + 1; {
	case rank == 1:
		return float64(h.min)
	case rank == h.count:
		return float64(h.max)
	default:
		for ci, c := range h.chunks {
			if c == nil {
				continue
			}
			if rank > c.total {
				rank -= c.total
				continue
			}
			for si, n := range c.counts {
				if rank <= n {
					v := bucketMid(ci, si) * float64(h.units())
					return min(max(v, float64(h.min)), float64(h.max))
				}
				rank -= n
			}
		}
	}
	return float64(h.max) // not reached: the chunk totals sum to count
}

// Merge adds every value recorded in o. It returns ErrInvalid, and leaves
// h unchanged, when the two histograms count in different units.
func (h *Histogram) Merge(o *Histogram) error {
	if h.units() != o.units() {
		return invalidf("merging histograms with units %v and %v", time.Duration(h.units()), time.Duration(o.units()))
	}
	if len(o.chunks) > len(h.chunks) {
		h.chunks = append(h.chunks, make([]*chunk, len(o.chunks)-len(h.chunks))...)
	}
	for ci, oc := range o.chunks {
		if oc == nil {
			continue
		}
		c := h.chunks[ci]
		if c == nil {
			c = new(chunk)
			h.chunks[ci] = c
		}
		for si, n := range oc.counts {
			c.counts[si] += n
		}
		c.total += oc.total
	}
	h.merge(&o.summary)
	return nil
}

// Bytes estimates the memory the histogram holds, for budgeting.
func (h *Histogram) Bytes() int {
	n := 96 + 8*cap(h.chunks)
	for _, c := range h.chunks {
		if c != nil {
			n += 8 * (subCount + 1)
		}
	}
	return n
}
