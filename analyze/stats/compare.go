package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// MannWhitneyResult is the Wilcoxon–Mann–Whitney rank-sum test of whether
// values of x tend to be larger or smaller than values of y.
type MannWhitneyResult struct {
	// U counts the pairs with x > y, ties counting ½ (R's W).
	U float64 `json:"u"`
	// PSup is U/(n1·n2), the probability that a random x exceeds a random
	// y (ties half): the common-language effect size. ½ means no shift.
	PSup float64 `json:"pSup"`
	// Z is (U − n1·n2/2)/σ with the tie-corrected σ and no continuity
	// correction.
	Z float64 `json:"z"`
	// P is the two-sided p-value: exact when Exact, else from the normal
	// approximation with tie and continuity corrections, as R's
	// wilcox.test.
	P     float64 `json:"p"`
	Exact bool    `json:"exact"`
	N1    int     `json:"n1"`
	N2    int     `json:"n2"`
}

// exactLimit: like R, exact p-values are used when both samples have
// fewer than 50 values and there are no ties.
const exactLimit = 50

// MannWhitney runs the two-sided Mann–Whitney U test. Latencies within a
// run are autocorrelated, so for run-against-run comparisons pass one
// summary per window or per run (as benchstat does), not every request.
//
// It returns ErrEmpty when a sample is empty and ErrInvalid for NaN.
func MannWhitney(x, y []float64) (MannWhitneyResult, error) {
	if len(x) == 0 || len(y) == 0 {
		return MannWhitneyResult{}, fmt.Errorf("%w: Mann–Whitney test with %d and %d values", ErrEmpty, len(x), len(y))
	}
	if !finite(x) || !finite(y) {
		return MannWhitneyResult{}, invalidf("NaN or infinite value in a Mann–Whitney sample")
	}
	n1, n2 := float64(len(x)), float64(len(y))
	ranks, ties := midranks(append(slices.Clone(x), y...))
	r1 := 0.0
	for _, r := range ranks[:len(x)] {
		r1 += r
	}
	u := r1 - n1*(n1+1)/2
	res := MannWhitneyResult{U: u, PSup: u / (n1 * n2), N1: len(x), N2: len(y)}
	n := n1 + n2
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	mean := n1 * n2 / 2
	if sigma > 0 {
		res.Z = (u - mean) / sigma
	}
	if ties == 0 && len(x) < exactLimit && len(y) < exactLimit {
		res.Exact = true
		dist := uDist(len(x), len(y))
		k := int(math.Round(u))
		var p float64
		if u > mean {
			p = sumRange(dist, k, len(dist)-1)
		} else {
			p = sumRange(dist, 0, k)
		}
		res.P = min(1, 2*p)
		return res, nil
	}
	if sigma == 0 {
		res.P = 1 // every value tied: no evidence either way
		return res, nil
	}
	d := u - mean
	d -= math.Copysign(0.5, d) * boolF(d != 0)
	res.P = normalTwoSided(d / sigma)
	return res, nil
}

func boolF(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// midranks returns the ranks of v (1-based, ties sharing their mean rank)
// and Σ(t³ − t) over tie groups of size t.
func midranks(v []float64) ([]float64, float64) {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	ranks := make([]float64, len(v))
	ties := 0.0
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		r := float64(i+j+1) / 2
		for _, k := range idx[i:j] {
			ranks[k] = r
		}
		if t := float64(j - i); t > 1 {
			ties += t*t*t - t
		}
		i = j
	}
	return ranks, ties
}

// uDist returns P(U = u), u = 0..m·n, for samples of m and n untied values,
// by the recurrence p(m, n, u) = m/(m+n)·p(m−1, n, u−n) + n/(m+n)·p(m, n−1, u):
// the largest value is in the first sample, where it beats all n of the
// other, or in the second. All terms are positive, so the tails are as
// accurate as the centre.
func uDist(m, n int) []float64 {
	// prev[j] holds p(i−1, j, ·), cur[j] p(i, j, ·).
	prev := make([][]float64, n+1)
	for j := range prev {
		prev[j] = []float64{1} // p(0, j, 0) = 1
	}
	for i := 1; i <= m; i++ {
		cur := make([][]float64, n+1)
		cur[0] = []float64{1}
		for j := 1; j <= n; j++ {
			d := make([]float64, i*j+1)
			wa := float64(i) / float64(i+j)
			wb := float64(j) / float64(i+j)
			for u, pr := range prev[j] { // largest in the first sample: +j
				d[u+j] += wa * pr
			}
			for u, pr := range cur[j-1] {
				d[u] += wb * pr
			}
			cur[j] = d
		}
		prev = cur
	}
	return prev[n]
}

func sumRange(p []float64, lo, hi int) float64 {
	s := 0.0
	for i := max(lo, 0); i <= min(hi, len(p)-1); i++ {
		s += p[i]
	}
	return s
}

// HodgesLehmann returns the Hodges–Lehmann estimate of the shift between
// x and y, the median of all differences x_i − y_j, with the matching
// distribution-free interval: the differences of ranks C and n1·n2 + 1 − C,
// C from the exact U distribution when MannWhitney would be exact (as R's
// wilcox.test with conf.int), else from its normal approximation. A
// positive shift means x is larger (slower, for latencies).
//
// The n1·n2 differences are never stored: order statistics of them are
// found by bisection on the value, counting differences below it in
// linear time, so large samples cost O((n1+n2)·log) per order statistic.
//
// It returns ErrEmpty for an empty sample and ErrInvalid for NaN or a bad
// level.
func HodgesLehmann(x, y []float64, level float64) (Estimate, error) {
	if len(x) == 0 || len(y) == 0 {
		return Estimate{}, fmt.Errorf("%w: Hodges–Lehmann shift with %d and %d values", ErrEmpty, len(x), len(y))
	}
	if !finite(x) || !finite(y) {
		return Estimate{}, invalidf("NaN or infinite value in a Hodges–Lehmann sample")
	}
	z, err := zFor(level)
	if err != nil {
		return Estimate{}, err
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.Sort(xs)
	slices.Sort(ys)
	d := pairDiffs{x: xs, y: ys}
	total := len(xs) * len(ys)

	var est float64
	if total%2 == 1 {
		est = d.kth(total/2 + 1)
	} else {
		est = (d.kth(total/2) + d.kth(total/2+1)) / 2
	}

	_, ties := midranks(append(slices.Clone(x), y...))
	var c int
	if ties == 0 && len(x) < exactLimit && len(y) < exactLimit {
		// qwilcox(α/2): the smallest c with P(U ≤ c) ≥ α/2, then the
		// c-th smallest difference (R: diffs[qu], diffs[n1·n2 − qu + 1]).
		dist := uDist(len(x), len(y))
		a := (1 - level) / 2
		cum := 0.0
		for c = 0; c < len(dist); c++ {
			cum += dist[c]
			if cum >= a*(1-1e-12) {
				break
			}
		}
	} else {
		n1, n2 := float64(len(x)), float64(len(y))
		sd := math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
		c = int(math.Floor(n1*n2/2 - z*sd))
	}
	c = min(max(c, 1), total)
	ci := Interval{Lo: d.kth(c), Hi: d.kth(total + 1 - c), Level: level}
	return Estimate{Value: est, CI: ci}, nil
}

// pairDiffs are the differences x_i − y_j of two sorted samples.
type pairDiffs struct{ x, y []float64 }

// countLE returns the number of differences ≤ t, with the largest of
// them. For increasing x_i the y_j that qualify (y_j ≥ x_i − t) form a
// suffix that only shrinks, so one pointer sweep suffices.
func (d pairDiffs) countLE(t float64) (int, float64) {
	n, best := 0, math.Inf(-1)
	j := 0
	for _, xi := range d.x {
		for j < len(d.y) && xi-d.y[j] > t {
			j++
		}
		n += len(d.y) - j
		if j < len(d.y) {
			best = max(best, xi-d.y[j])
		}
	}
	return n, best
}

// kth returns the k-th smallest difference (1-based) by bisection over the
// ordered bit patterns of float64, which ends on an exact difference after
// at most 64 steps.
func (d pairDiffs) kth(k int) float64 {
	lo := d.x[0] - d.y[len(d.y)-1] // the smallest difference
	hi := d.x[len(d.x)-1] - d.y[0] // the largest
	if n, _ := d.countLE(lo); n >= k {
		return lo
	}
	// Invariant: count(lo) < k ≤ count(hi).
	for {
		mid := midFloat(lo, hi)
		if mid == lo || mid == hi {
			_, v := d.countLE(hi)
			return v
		}
		if n, _ := d.countLE(mid); n >= k {
			hi = mid
		} else {
			lo = mid
		}
	}
}

// midFloat returns a float64 halfway between a < b in the ordering of
// their bit patterns, so that bisection ends after at most 64 steps.
func midFloat(a, b float64) float64 {
	ka, kb := orderKey(a), orderKey(b)
	return fromOrderKey(ka + (kb-ka)/2)
}

func orderKey(f float64) uint64 {
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

func fromOrderKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
