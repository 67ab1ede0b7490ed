package stats

import (
	"fmt"
	"slices"
	"time"
)

// DefaultBudget is the memory a Durations spends on exact values when not
// told otherwise: 8 MiB, one million values.
const DefaultBudget = 8 << 20

// Durations collects durations for percentiles: it keeps every value, and
// so reports exact LEGACY quantiles, until they would take more than its
// memory budget, then moves them into a Histogram and continues there
// within MaxRelativeError. Small files get the same percentiles as
// JMeter's dashboard with statistic_window=-1; huge ones get bounded
// memory. Count, Min, Max and Mean are exact either way.
//
// The zero value is ready to use with DefaultBudget and a nanosecond
// histogram. A Durations is not safe for concurrent use, and Quantile
// sorts the kept values in place.
type Durations struct {
	budget int
	unit   time.Duration
	values []time.Duration
	sorted bool
	hist   *Histogram
	summary
}

// NewDurations returns an empty Durations that keeps exact values while
// they take at most budget bytes (8 per value; budget ≤ 0 means
// DefaultBudget) and then switches to a histogram counting in unit (see
// NewHistogram).
func NewDurations(budget int, unit time.Duration) *Durations {
	return &Durations{budget: budget, unit: unit}
}

func (d *Durations) maxExact() int {
	b := d.budget
	if b <= 0 {
		b = DefaultBudget
	}
	return b / 8
}

// Record adds one duration; a negative one is rejected with ErrInvalid.
func (d *Durations) Record(v time.Duration) error {
	if v < 0 {
		return invalidf("negative duration %v", v)
	}
	limit := d.maxExact()
	if d.hist == nil && len(d.values) == limit {
		d.spill()
	}
	if d.hist != nil {
		return d.hist.Record(v)
	}
	if len(d.values) == cap(d.values) {
		// Grow by hand so that the slice never holds more than the
		// budget, as append's doubling would.
		grown := make([]time.Duration, len(d.values), min(max(2*cap(d.values), 64), limit))
		copy(grown, d.values)
		d.values = grown
	}
	d.values = append(d.values, v)
	d.sorted = false
	d.add(v)
	return nil
}

// RecordN adds n copies of one duration. Copies that fit the budget are
// kept as exact values; beyond it the values move to the histogram, which
// counts all n at once, so a huge n (it comes from the input) costs no
// more than one.
func (d *Durations) RecordN(v time.Duration, n uint64) error {
	if v < 0 {
		return invalidf("negative duration %v", v)
	}
	if d.hist == nil && uint64(len(d.values))+n > uint64(d.maxExact()) {
		d.spill()
	}
	if d.hist != nil {
		return d.hist.RecordN(v, n)
	}
	for ; n > 0; n-- {
		if err := d.Record(v); err != nil {
			return err
		}
	}
	return nil
}

// spill moves the exact values into a histogram and frees them.
func (d *Durations) spill() {
	h := NewHistogram(d.unit)
	for _, v := range d.values {
		_ = h.Record(v) // values were checked when recorded
	}
	d.hist, d.values, d.sorted = h, nil, false
}

// Compact moves the exact values into the histogram now, whatever the
// budget: callers that share one memory budget among many Durations (one
// per label) decide themselves when to give up exactness.
func (d *Durations) Compact() {
	if d.hist == nil {
		d.spill()
	}
}

// Exact reports whether quantiles are still computed from every value.
func (d *Durations) Exact() bool { return d.hist == nil }

func (d *Durations) sum() *summary {
	if d.hist != nil {
		return &d.hist.summary
	}
	return &d.summary
}

// Count returns the number of recorded values.
func (d *Durations) Count() int64 { return int64(d.sum().count) }

// Min returns the smallest recorded value (0 when empty).
func (d *Durations) Min() time.Duration { return d.sum().min }

// Max returns the largest recorded value (0 when empty).
func (d *Durations) Max() time.Duration { return d.sum().max }

// Mean returns the exact mean, rounded to the nanosecond (0 when empty).
func (d *Durations) Mean() time.Duration { return d.sum().mean() }

// Quantile returns the LEGACY p-quantile (see QuantileSorted), exact while
// Exact reports true. It returns ErrEmpty when nothing was recorded and
// ErrInvalid for p outside [0, 1].
func (d *Durations) Quantile(p float64) (time.Duration, error) {
	if d.hist != nil {
		return d.hist.Quantile(p)
	}
	if len(d.values) == 0 {
		return 0, fmt.Errorf("%w: quantile of no durations", ErrEmpty)
	}
	if err := checkP(p); err != nil {
		return 0, err
	}
	if !d.sorted {
		slices.Sort(d.values)
		d.sorted = true
	}
	return durationOf(legacy(len(d.values), p, func(i int) float64 { return float64(d.values[i]) })), nil
}

// Merge adds every value recorded in o, staying exact while the union fits
// in d's budget. o is not modified. It returns ErrInvalid, leaving d
// unchanged, when o has spilled into a histogram whose unit differs from
// d's.
func (d *Durations) Merge(o *Durations) error {
	if o.hist == nil && d.hist == nil && len(d.values)+len(o.values) <= d.maxExact() {
		d.values = append(d.values, o.values...)
		d.sorted = false
		d.merge(&o.summary)
		return nil
	}
	if o.hist != nil && NewHistogram(d.unit).units() != o.hist.units() {
		return invalidf("merging durations with histogram units %v and %v", d.unit, o.unit)
	}
	if d.hist == nil {
		d.spill()
	}
	if o.hist != nil {
		return d.hist.Merge(o.hist)
	}
	for _, v := range o.values {
		_ = d.hist.Record(v)
	}
	return nil
}
