package compare

import (
	"slices"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// DefaultBlock is the length of the time windows resampled together.
// Latencies a few seconds apart share the server's state (a GC pause, a
// queue); ten seconds is long enough to hold that dependence and short
// enough that a ten-minute run has sixty blocks.
const DefaultBlock = 10 * time.Second

// Collector keeps, per label, every elapsed time grouped by the time
// window it started in: what the block bootstrap resamples. Memory is
// 4 bytes per sample (per row: a Statistical-mode row standing for n
// samples keeps its mean elapsed once and counts n, as summary does).
type Collector struct {
	block     time.Duration
	origin    time.Time
	hasOrigin bool
	labels    map[string]*series
	total     *series
	transact  map[string]bool
}

// series is one label's samples by window.
type series struct {
	windows map[int]*win
	first   time.Time
	last    time.Time
	timed   bool
}

type win struct {
	ms []float32
	// samples and errors count what summary counts: a row of JMeter's
	// Statistical mode stands for SampleCount samples.
	samples, errors int64
}

// NewCollector returns an empty Collector; block ≤ 0 means DefaultBlock.
func NewCollector(block time.Duration) *Collector {
	if block <= 0 {
		block = DefaultBlock
	}
	return &Collector{block: block, labels: map[string]*series{}, total: newSeries(), transact: map[string]bool{}}
}

func newSeries() *series { return &series{windows: map[int]*win{}} }

// Add counts s by summary's counting rule (samples.Sample.Requests): a
// transaction under its own label and out of the total, the samplers in
// it as requests, a sampler once with its sub-results.
func (c *Collector) Add(s *samples.Sample) {
	s.Transactions(c.add)
	s.Requests(c.add)
}

func (c *Collector) add(s *samples.Sample) {
	if s.Has&samples.FieldStart != 0 && !c.hasOrigin {
		c.origin, c.hasOrigin = s.Start, true
	}
	w := 0
	if s.Has&samples.FieldStart != 0 {
		w = int(s.Start.Sub(c.origin) / c.block)
		if w < 0 {
			w = 0
		}
	}
	ls := c.labels[s.Label]
	if ls == nil {
		ls = newSeries()
		c.labels[s.Label] = ls
		c.transact[s.Label] = s.Kind == samples.KindTransaction
	} else if s.Kind != samples.KindTransaction {
		c.transact[s.Label] = false
	}
	ls.add(s, w)
	if s.Kind != samples.KindTransaction {
		c.total.add(s, w)
	}
}

func (sr *series) add(s *samples.Sample, w int) {
	wd := sr.windows[w]
	if wd == nil {
		wd = &win{}
		sr.windows[w] = wd
	}
	n := int64(max(s.SampleCount, 1))
	wd.ms = append(wd.ms, float32(float64(s.Elapsed)/float64(n)/float64(time.Millisecond)))
	wd.samples += n
	errs := min(max(int64(s.ErrorCount), 0), n)
	if !s.Success && errs == 0 {
		errs = n
	}
	wd.errors += errs
	if s.Has&samples.FieldStart != 0 {
		end := s.End()
		if !sr.timed || s.Start.Before(sr.first) {
			sr.first = s.Start
		}
		if !sr.timed || end.After(sr.last) {
			sr.last = end
		}
		sr.timed = true
	}
}

// blocks freezes a series for resampling: windows in time order, each
// sorted.
type blocks struct {
	ms      [][]float32
	n       []int64 // values per window (the quantiles' counts)
	samples []int64 // samples per window (error % and throughput)
	errors  []int64
	sorted  []float32 // every value, sorted: the search domain for quantiles
	// spanS is the label's first start to its last end, in seconds:
	// summary's (and JMeter's) throughput divides by it.
	spanS float64
	count int64 // samples
	// windows counts the windows holding at least one sample.
	windows int
}

func (sr *series) freeze() *blocks {
	lo, hi := -1, -1
	for k := range sr.windows {
		if lo < 0 || k < lo {
			lo = k
		}
		if k > hi {
			hi = k
		}
	}
	b := &blocks{}
	// Empty windows between the first and the last count too: a label
	// that stopped for a minute had lower throughput in it.
	for k := lo; k <= hi && lo >= 0; k++ {
		w := sr.windows[k]
		if w == nil {
			w = &win{}
		}
		slices.Sort(w.ms)
		b.ms = append(b.ms, w.ms)
		b.n = append(b.n, int64(len(w.ms)))
		b.samples = append(b.samples, w.samples)
		b.errors = append(b.errors, w.errors)
		b.count += w.samples
		if len(w.ms) > 0 {
			b.windows++
		}
		b.sorted = append(b.sorted, w.ms...)
	}
	slices.Sort(b.sorted)
	if sr.timed {
		b.spanS = sr.last.Sub(sr.first).Seconds()
	}
	return b
}
