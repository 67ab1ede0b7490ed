package stats

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// BootstrapOptions tune the block bootstrap; the zero value gives the
// defaults.
type BootstrapOptions struct {
	// Resamples is the number of resamples (default 999).
	Resamples int
	// Level is the confidence level (default 0.95).
	Level float64
	// Seed makes the result reproducible.
	Seed uint64
}

// QuantileDiff estimates Q_p(x) − Q_p(y), the difference of the LEGACY
// p-quantiles of two runs (p = 0.95 for the p95 regression), with a
// percentile block-bootstrap interval. xBlocks[i] names the block of
// x[i] (a time window, say), and likewise for y: blocks are resampled
// whole, each run separately, because latencies close in time are
// correlated and resampling single requests would give intervals that
// are far too narrow. Nil blocks make every value its own block.
//
// It returns ErrEmpty for an empty sample and ErrInvalid for NaN, a p or
// level out of range, or blocks of the wrong length.
func QuantileDiff(x, y []float64, xBlocks, yBlocks []int, p float64, opt *BootstrapOptions) (Estimate, error) {
	o := BootstrapOptions{}
	if opt != nil {
		o = *opt
	}
	if o.Resamples == 0 {
		o.Resamples = 999
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if err := checkLevel(o.Level); err != nil {
		return Estimate{}, err
	}
	if err := checkP(p); err != nil {
		return Estimate{}, err
	}
	if o.Resamples < 1 {
		return Estimate{}, invalidf("%d bootstrap resamples", o.Resamples)
	}
	if len(x) == 0 || len(y) == 0 {
		return Estimate{}, fmt.Errorf("%w: quantile difference of %d and %d values", ErrEmpty, len(x), len(y))
	}
	if !finite(x) || !finite(y) {
		return Estimate{}, invalidf("NaN or infinite value")
	}
	if (xBlocks != nil && len(xBlocks) != len(x)) || (yBlocks != nil && len(yBlocks) != len(y)) {
		return Estimate{}, invalidf("%d and %d block ids for %d and %d values", len(xBlocks), len(yBlocks), len(x), len(y))
	}
	quantile := func(v []float64) float64 {
		slices.Sort(v)
		return legacy(len(v), p, func(i int) float64 { return v[i] })
	}
	est := quantile(slices.Clone(x)) - quantile(slices.Clone(y))

	rng := rand.New(rand.NewPCG(o.Seed, 0x2545f4914f6cdd1d))
	bx, by := newBlockSampler(x, xBlocks), newBlockSampler(y, yBlocks)
	diffs := make([]float64, o.Resamples)
	var bufX, bufY []float64
	for r := range diffs {
		bufX = bx.draw(rng, bufX[:0])
		bufY = by.draw(rng, bufY[:0])
		diffs[r] = quantile(bufX) - quantile(bufY)
	}
	slices.Sort(diffs)
	a := (1 - o.Level) / 2
	at := func(i int) float64 { return diffs[i] }
	return Estimate{Value: est, CI: Interval{
		Lo: legacy(len(diffs), a, at), Hi: legacy(len(diffs), 1-a, at), Level: o.Level}}, nil
}

// blockSampler draws a resample of whole blocks, as many blocks as the
// sample has.
type blockSampler struct {
	v      []float64
	groups [][]int
}

func newBlockSampler(v []float64, blocks []int) blockSampler {
	if blocks == nil {
		blocks = make([]int, len(v))
		for i := range blocks {
			blocks[i] = i
		}
	}
	return blockSampler{v: v, groups: groupRows(blocks)}
}

func (b blockSampler) draw(rng *rand.Rand, dst []float64) []float64 {
	for range b.groups {
		for _, i := range b.groups[rng.IntN(len(b.groups))] {
			dst = append(dst, b.v[i])
		}
	}
	return dst
}
