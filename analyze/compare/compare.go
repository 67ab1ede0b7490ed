package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

// Options tune Compare; the zero value gives the defaults.
type Options struct {
	// Resamples is the number of bootstrap resamples (default 999).
	Resamples int
	// Seed makes the intervals reproducible.
	Seed uint64
}

// Verdicts of a metric or a row.
const (
	Worse     = "worse"
	Better    = "better"
	Unchanged = "~"
	// TooFew means a run has too few samples of the label for the metric
	// to be compared at all, as benchstat says rather than call noise a
	// change: see MinSamples and MinWindows.
	TooFew = "too-few-samples"
)

// MinSamples is the fewest samples each run needs for any metric of a
// label to be compared, and MinWindows the fewest time windows holding
// them: a run whose samples fall in one window resamples to itself every
// time, so its interval has zero width whatever the noise. A p-quantile
// also needs 1/(1−p) samples (100 for p99), or it is only the maximum.
const (
	MinSamples = 10
	MinWindows = 2
)

// MinSamplesFor is the fewest samples each run needs for metric name.
func MinSamplesFor(name string) int64 {
	for _, q := range quantiles {
		if q.name == name {
			return max(MinSamples, int64(math.Ceil(1/(1-q.p)-1e-9)))
		}
	}
	return MinSamples
}

// Metric is one statistic of one label in both runs.
type Metric struct {
	// Name is "error_pct", "p50_ms", "p90_ms", "p95_ms", "p99_ms",
	// "goodput_per_s" (successful samples per second) or
	// "throughput_per_s" (every sample, failed ones too).
	Name string  `json:"metric"`
	Base float64 `json:"base"`
	New  float64 `json:"new"`
	// Delta is New − Base; DeltaPct the same relative to Base, absent
	// when Base is 0.
	Delta    float64  `json:"delta"`
	DeltaPct *float64 `json:"delta_pct,omitempty"`
	// CI is the 95% interval of Delta; absent when the verdict is TooFew.
	CI      *stats.Interval `json:"ci,omitempty"`
	Verdict string          `json:"verdict"`
	// Method is how CI was found when a run lasts fewer than MinWindows
	// windows, so that whole windows cannot be resampled: "newcombe" (the
	// error rate, Newcombe's interval for a difference of proportions)
	// or "samples" (a percentile, a bootstrap of single samples for the
	// short run). Both take requests as independent, which understates
	// the noise of a run whose requests share the server's state; absent
	// for the block bootstrap.
	Method string `json:"method,omitempty"`
	// Why says why a metric is TooFew, for the reader and for a --fail-on
	// limit that could not be judged.
	Why string `json:"why,omitempty"`
}

// Methods of a Metric compared without time windows.
const (
	MethodNewcombe = "newcombe"
	MethodSamples  = "samples"
)

// Row compares one label (or the total).
type Row struct {
	Label       string   `json:"label"`
	Transaction bool     `json:"transaction,omitempty"`
	BaseSamples int64    `json:"base_samples"`
	NewSamples  int64    `json:"new_samples"`
	Metrics     []Metric `json:"metrics"`
	// Verdict is "worse" if any metric is, else "better" if any is, else
	// "~"; "too-few-samples" when no metric could be compared.
	Verdict string `json:"verdict"`
}

// Metric returns the named metric, or nil.
func (r *Row) Metric(name string) *Metric {
	for i := range r.Metrics {
		if r.Metrics[i].Name == name {
			return &r.Metrics[i]
		}
	}
	return nil
}

// Result is the comparison of two runs.
type Result struct {
	// Method says which test was used, for the reader.
	Method   string   `json:"method"`
	Rows     []Row    `json:"rows"`
	Total    Row      `json:"total"`
	OnlyBase []string `json:"only_in_base,omitempty"`
	OnlyNew  []string `json:"only_in_new,omitempty"`
}

// Compare compares every label present in both runs, and the totals.
func Compare(base, new *Collector, opts Options) Result {
	if opts.Resamples <= 0 {
		opts.Resamples = 999
	}
	res := Result{Method: fmt.Sprintf("95%% percentile intervals from a block bootstrap (%d resamples) over %v windows of each run; a metric is worse or better only when its interval excludes 0, and not compared when a run has fewer than %d samples of the label (%d for p95, %d for p99). "+
		"A run held in fewer than %d windows is compared sample by sample: error %% by Newcombe's interval for a difference of proportions, percentiles by resampling its single samples; its rates are not compared", opts.Resamples, base.block, MinSamples, MinSamplesFor("p95_ms"), MinSamplesFor("p99_ms"), MinWindows)}
	var labels []string
	for l := range base.labels {
		if _, ok := new.labels[l]; ok {
			labels = append(labels, l)
		} else {
			res.OnlyBase = append(res.OnlyBase, l)
		}
	}
	for l := range new.labels {
		if _, ok := base.labels[l]; !ok {
			res.OnlyNew = append(res.OnlyNew, l)
		}
	}
	sort.Strings(labels)
	sort.Strings(res.OnlyBase)
	sort.Strings(res.OnlyNew)
	for i, l := range labels {
		row := compareSeries(base.labels[l].freeze(), new.labels[l].freeze(), opts.Seed+uint64(i)+1, opts.Resamples)
		row.Label = l
		row.Transaction = base.transact[l] && new.transact[l]
		res.Rows = append(res.Rows, row)
	}
	res.Total = compareSeries(base.total.freeze(), new.total.freeze(), opts.Seed, opts.Resamples)
	res.Total.Label = "TOTAL"
	return res
}

var quantiles = []struct {
	name string
	p    float64
}{{"p50_ms", 0.50}, {"p90_ms", 0.90}, {"p95_ms", 0.95}, {"p99_ms", 0.99}}

// metricNames are the metrics of a row, in order.
var metricNames = []string{"error_pct", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "goodput_per_s", "throughput_per_s"}

// compareSeries bootstraps every metric of one label from the same
// resamples of windows, so the metrics' intervals are consistent. A run
// held in fewer than MinWindows windows would resample to itself every
// time; its percentiles are bootstrapped over single samples instead,
// and the error rates compared by Newcombe's interval (see Metric.Method).
func compareSeries(b, n *blocks, seed uint64, resamples int) Row {
	row := Row{BaseSamples: b.count, NewSamples: n.count, Verdict: TooFew}
	if b.count == 0 || n.count == 0 {
		return row
	}
	short := b.windows < MinWindows || n.windows < MinWindows
	est0, est1 := b.stat(ones(len(b.n))), n.stat(ones(len(n.n)))
	rng := rand.New(rand.NewPCG(seed, 0x636f6d70617265))
	diffs := make([][]float64, len(est0))
	r0, r1 := newResampler(b), newResampler(n)
	for r := 0; r < resamples; r++ {
		s0, s1 := r0.next(rng), r1.next(rng)
		if s0 == nil || s1 == nil {
			continue
		}
		for i := range diffs {
			diffs[i] = append(diffs[i], s1[i]-s0[i])
		}
	}
	for i, name := range metricNames {
		m := Metric{Name: name, Base: round(est0[i]), New: round(est1[i]), Delta: round(est1[i] - est0[i])}
		if est0[i] != 0 {
			p := round(100 * (est1[i] - est0[i]) / est0[i])
			m.DeltaPct = &p
		}
		m.Verdict = verdict(&m, b, n, diffs[i], short)
		switch {
		case m.Verdict == Worse:
			row.Verdict = Worse
		case m.Verdict == Better && row.Verdict != Worse:
			row.Verdict = Better
		case m.Verdict == Unchanged && row.Verdict == TooFew:
			row.Verdict = Unchanged
		}
		row.Metrics = append(row.Metrics, m)
	}
	return row
}

// stat computes every metric of the resample that takes window w mult[w]
// times. Throughput is summary's: samples over the label's span. Every
// resample draws as many windows as the run has, so it keeps the span
// and only its count varies.
func (bl *blocks) stat(mult []int) []float64 {
	var vals, cnt, errs int64
	for w, m := range mult {
		vals += int64(m) * bl.n[w]
		cnt += int64(m) * bl.samples[w]
		errs += int64(m) * bl.errors[w]
	}
	if cnt == 0 || vals == 0 {
		return nil
	}
	out := make([]float64, 0, len(metricNames))
	out = append(out, 100*float64(errs)/float64(cnt))
	for _, q := range quantiles {
		out = append(out, bl.quantile(mult, vals, q.p))
	}
	var good, all float64
	if bl.spanS > 0 {
		good, all = float64(cnt-errs)/bl.spanS, float64(cnt)/bl.spanS
	}
	return append(out, good, all)
}

func ones(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = 1
	}
	return m
}

// A resampler draws bootstrap resamples of one run: whole windows, or
// single samples when the run has too few windows. In the second case
// only the percentiles of a resample mean anything (the others are NaN):
// the windows' error counts cannot be split between their samples.
type resampler struct {
	bl   *blocks
	mult []int
	// single: counts[i] is how often the resample takes bl.sorted[i];
	// cum is their running sum.
	single      bool
	counts, cum []int64
	out         []float64
}

func newResampler(bl *blocks) *resampler {
	r := &resampler{bl: bl, single: bl.windows < MinWindows}
	if r.single {
		r.counts = make([]int64, len(bl.sorted))
		r.cum = make([]int64, len(bl.sorted))
		r.out = make([]float64, len(metricNames))
	} else {
		r.mult = make([]int, len(bl.n))
	}
	return r
}

// next draws one resample and returns its metrics, or nil when it holds
// no value.
func (r *resampler) next(rng *rand.Rand) []float64 {
	if !r.single {
		draw(rng, r.mult)
		return r.bl.stat(r.mult)
	}
	n := len(r.bl.sorted)
	if n == 0 {
		return nil
	}
	clear(r.counts)
	for range n {
		r.counts[rng.IntN(n)]++
	}
	var c int64
	for i, k := range r.counts {
		c += k
		r.cum[i] = c
	}
	// The k-th smallest value of the resample (0-based) is the first
	// sorted value whose running count passes k.
	kth := func(k int64) float32 {
		i, _ := slices.BinarySearch(r.cum, k+1)
		return r.bl.sorted[min(i, n-1)]
	}
	for i := range r.out {
		r.out[i] = math.NaN()
	}
	for i, q := range quantiles {
		r.out[1+i] = legacyQuantile(int64(n), q.p, kth)
	}
	return r.out
}

// verdict sets m.CI from the bootstrap differences (or, for the error
// rate of a short run, Newcombe's interval) and says whether the change
// is significant, or that the runs are too small to tell. short says a
// run has fewer than MinWindows windows.
func verdict(m *Metric, b, n *blocks, diffs []float64, short bool) string {
	need := MinSamplesFor(m.Name)
	rate := lowerIsWorse(m.Name)
	switch {
	case b.count < need || n.count < need:
		m.Why = fmt.Sprintf("%d and %d samples; it needs %d in each run", b.count, n.count, need)
		return TooFew
	case rate && (b.spanS <= 0 || n.spanS <= 0):
		m.Why = "a run has no time span (no timestamps, or one instant)"
		return TooFew
	case rate && short:
		m.Why = fmt.Sprintf("a run lasts fewer than %d time windows, too short for a rate to be told from noise", MinWindows)
		return TooFew
	case len(diffs) == 0:
		m.Why = "no resample held a value"
		return TooFew
	}
	var ci stats.Interval
	switch {
	case short && m.Name == "error_pct":
		d, err := stats.NewcombeDiff(int(sum(n.errors)), int(n.count), int(sum(b.errors)), int(b.count), 0.95)
		if err != nil {
			m.Why = err.Error()
			return TooFew
		}
		ci = stats.Interval{Lo: round(100 * d.Lo), Hi: round(100 * d.Hi), Level: d.Level}
		m.Method = MethodNewcombe
	case short:
		ci = percentile(diffs)
		m.Method = MethodSamples
	default:
		ci = percentile(diffs)
	}
	m.CI = &ci
	higherIsWorse := !rate
	switch {
	case ci.Lo > 0 && higherIsWorse, ci.Hi < 0 && !higherIsWorse:
		return Worse
	case ci.Hi < 0 && higherIsWorse, ci.Lo > 0 && !higherIsWorse:
		return Better
	}
	return Unchanged
}

func sum(xs []int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}

// draw fills mult with bootstrap multiplicities: as many windows drawn
// with replacement as there are.
func draw(rng *rand.Rand, mult []int) {
	clear(mult)
	for range mult {
		mult[rng.IntN(len(mult))]++
	}
}

// quantile is the LEGACY p-quantile of the resample that takes window w
// mult[w] times; cnt is the resample's size. It finds order statistics by
// bisecting the sorted values of the whole run and counting, per window,
// how many lie at or below: no resample is ever materialised.
func (bl *blocks) quantile(mult []int, cnt int64, p float64) float64 {
	return legacyQuantile(cnt, p, func(k int64) float32 { return bl.kth(mult, k) })
}

// legacyQuantile is the LEGACY p-quantile of cnt values whose k-th
// smallest (0-based) is kth(k).
func legacyQuantile(cnt int64, p float64, kth func(int64) float32) float64 {
	pos := p * float64(cnt+1)
	if pos < 1 {
		return float64(kth(0))
	}
	if pos >= float64(cnt) {
		return float64(kth(cnt - 1))
	}
	lower := int64(pos)
	d := pos - float64(lower)
	a := float64(kth(lower - 1))
	if d == 0 {
		return a
	}
	return a + d*(float64(kth(lower))-a)
}

// kth is the k-th smallest (0-based) value of the resample.
func (bl *blocks) kth(mult []int, k int64) float32 {
	i := sort.Search(len(bl.sorted), func(i int) bool {
		v := bl.sorted[i]
		var c int64
		for w, m := range mult {
			if m == 0 {
				continue
			}
			ms := bl.ms[w]
			c += int64(m) * int64(sort.Search(len(ms), func(j int) bool { return ms[j] > v }))
		}
		return c > k
	})
	if i >= len(bl.sorted) {
		i = len(bl.sorted) - 1
	}
	return bl.sorted[i]
}

func percentile(xs []float64) stats.Interval {
	if len(xs) == 0 {
		return stats.Interval{Level: 0.95}
	}
	slices.Sort(xs)
	at := func(q float64) float64 {
		i := q * float64(len(xs)-1)
		lo := int(math.Floor(i))
		hi := min(lo+1, len(xs)-1)
		return xs[lo] + (i-float64(lo))*(xs[hi]-xs[lo])
	}
	return stats.Interval{Lo: round(at(0.025)), Hi: round(at(0.975)), Level: 0.95}
}

func round(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}
