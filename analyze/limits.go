package analyze

import (
	"fmt"

	"github.com/jtlscope/jtlscope/samples"
)

// MaxLabels is how many distinct labels the analyses see. A test that
// names its samplers after the URL (IDs included) can have a million: one
// summary row, one latency sketch and one comparison each would take
// gigabytes and a table nobody reads.
const MaxLabels = 5000

// OtherLabels is the label that stands for every label past MaxLabels.
const OtherLabels = "(other labels)"

// MaxCodes bounds the distinct response codes an analysis counts apart
// (per row where it has rows); later ones are counted under OtherCodes.
// Codes come from the input: a server that puts a request ID in its status
// line must not make a row as long as the file.
const MaxCodes = 100

// OtherCodes is the code that stands for every code past MaxCodes.
const OtherCodes = "(other codes)"

// AddCode adds n to code's count in m, counting codes past MaxCodes under
// OtherCodes.
func AddCode(m map[string]int64, code string, n int64) {
	if _, ok := m[code]; !ok && len(m) >= MaxCodes {
		code = OtherCodes
	}
	m[code] += n
}

// CodeCounts counts codes as AddCode does into a map, but keeps the
// first few codes in an array: a run has a handful of codes, and a
// compare of interned strings (equal pointers) is cheaper than hashing
// one for a map on every sample.
type CodeCounts struct {
	few  [fewCodes]codeCount
	nfew int
	more map[string]int64
}

// fewCodes is how many codes the array holds; fewCodes < MaxCodes, so
// every one of them would have had a place in the map.
const fewCodes = 8

type codeCount struct {
	code string
	n    int64
}

// Add adds n to code's count.
func (c *CodeCounts) Add(code string, n int64) {
	for i := range c.few[:c.nfew] {
		if c.few[i].code == code {
			c.few[i].n += n
			return
		}
	}
	if _, ok := c.more[code]; !ok {
		if c.nfew < fewCodes {
			c.few[c.nfew] = codeCount{code, n}
			c.nfew++
			return
		}
		if c.nfew+len(c.more) >= MaxCodes {
			code = OtherCodes
		}
	}
	if c.more == nil {
		c.more = map[string]int64{}
	}
	c.more[code] += n
}

// Map returns the counts: what AddCode would have left in a map given
// the same calls.
func (c *CodeCounts) Map() map[string]int64 {
	m := make(map[string]int64, c.nfew+len(c.more))
	for _, f := range c.few[:c.nfew] {
		m[f.code] = f.n
	}
	for k, n := range c.more {
		m[k] = n
	}
	return m
}

// LabelLimit passes samples through from a Source, giving the labels
// first seen after the first max distinct ones the label OtherLabels, in
// the sample and its sub-results.
type LabelLimit struct {
	Source
	max    int
	seen   map[string]struct{}
	folded int64
}

// LimitLabels wraps src; max ≤ 0 means MaxLabels.
func LimitLabels(src Source, max int) *LabelLimit {
	if max <= 0 {
		max = MaxLabels
	}
	return &LabelLimit{Source: src, max: max, seen: map[string]struct{}{}}
}

// Sample returns the current sample, relabelled when its label is one too
// many.
func (l *LabelLimit) Sample() *samples.Sample {
	s := l.Source.Sample()
	s.Walk(func(c *samples.Sample, _ int) { l.limit(c) })
	return s
}

func (l *LabelLimit) limit(s *samples.Sample) {
	if s.Label == OtherLabels {
		return
	}
	if _, ok := l.seen[s.Label]; ok {
		return
	}
	if len(l.seen) < l.max {
		l.seen[s.Label] = struct{}{}
		return
	}
	s.Label = OtherLabels
	l.folded++
}

// Warning says how many samples were folded into OtherLabels, or "".
func (l *LabelLimit) Warning() string {
	if l.folded == 0 {
		return ""
	}
	what := fmt.Sprintf("%d samples with later labels are", l.folded)
	if l.folded == 1 {
		what = "1 sample with a later label is"
	}
	return fmt.Sprintf("more than %d distinct labels: %s counted under %q (labels with IDs or timestamps in them? give the samplers fixed names)", l.max, what, OtherLabels)
}
