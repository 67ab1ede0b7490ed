package summary

import (
	"sort"
	"time"
)

// durations is a placeholder exact quantile set until analyze/stats lands.
type durations struct {
	v      []time.Duration
	sorted bool
}

func newDurations(exact bool) *durations { return &durations{} }

func (d *durations) Record(x time.Duration) { d.v = append(d.v, x); d.sorted = false }
func (d *durations) Merge(o *durations)     { d.v = append(d.v, o.v...); d.sorted = false }
func (d *durations) Method() string         { return "exact" }

// Quantile is Commons Math's LEGACY estimator, in milliseconds.
func (d *durations) Quantile(p float64) float64 {
	n := len(d.v)
	if n == 0 {
		return 0
	}
	if !d.sorted {
		sort.Slice(d.v, func(i, j int) bool { return d.v[i] < d.v[j] })
		d.sorted = true
	}
	pos := p * float64(n+1)
	if pos < 1 {
		return ms(d.v[0])
	}
	if pos >= float64(n) {
		return ms(d.v[n-1])
	}
	lo := int(pos)
	dif := pos - float64(lo)
	a, b := ms(d.v[lo-1]), ms(d.v[lo])
	return a + dif*(b-a)
}
