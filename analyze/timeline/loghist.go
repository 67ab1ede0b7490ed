package timeline

import (
	"math"
	"time"
)

// logHist is a coarse latency histogram for one window: 8 buckets per
// power of two from 1 µs to about 73 minutes, so a bucket is at most 9%
// wide and a percentile read from its middle is within about 4.5%. That
// is plenty for a chart of percentiles over time and costs 1 KiB a
// window; the summary table uses the precise histogram of analyze/stats.
type logHist struct {
	counts [logBuckets]uint32
	n      uint32
}

const (
	perOctave  = 8
	octaves    = 32
	logBuckets = perOctave * octaves
)

func bucketOf(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		return 0
	}
	b := int(math.Log2(us) * perOctave)
	if b >= logBuckets {
		b = logBuckets - 1
	}
	return b
}

func (h *logHist) add(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.n++
}

func (h *logHist) merge(o *logHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the p-quantile in milliseconds, from the geometric
// middle of its bucket; 0 when empty.
func (h *logHist) quantile(p float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint32(math.Ceil(p * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint32
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			mid := math.Exp2((float64(i) + 0.5) / perOctave) // µs
			if i == 0 {
				mid = 0.5
			}
			return mid / 1000
		}
	}
	return 0
}
