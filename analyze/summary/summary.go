package summary

import (
	"fmt"
	"github.com/jtlscope/jtlscope/analyze"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
)

// Options configure a Summary.
type Options struct {
	// Exact keeps every elapsed time for exact percentiles, whatever the
	// memory cost. Otherwise values are kept exactly up to ExactBudget
	// values in all and then folded into histograms whose relative error
	// is at most stats.MaxRelativeError.
	Exact bool
	// ExactBudget is how many elapsed times are kept exactly across all
	// labels before switching to histograms; 0 means DefaultExactBudget.
	ExactBudget int
}

// DefaultExactBudget keeps percentiles exact for runs of up to about two
// million samples (each is counted under its label and in the total), in
// 32 MB.
const DefaultExactBudget = 4 << 20

// Result is the summary contract that other tools read (summary --format
// json). Times are RFC 3339; durations are milliseconds.
type Result struct {
	// Partial is set when the run was interrupted: the result covers only
	// the samples read before it.
	Partial bool `json:"partial,omitempty"`
	// Samples and Errors count what the total counts: the requests
	// (samples.Sample.Requests), not Transaction Controller rows, which
	// Transactions counts.
	Samples      int64     `json:"samples"`
	Errors       int64     `json:"errors"`
	Transactions int64     `json:"transactions,omitempty"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Total        Row       `json:"total"`
	Labels       []Row     `json:"labels"`
	// Percentiles says how percentiles were computed: "exact" or
	// "histogram" with its error bound.
	Percentiles string   `json:"percentiles"`
	Warnings    []string `json:"warnings"`
	// NoSentBytes is set when no sample records its sent bytes: the
	// tables then leave sent KB/s blank rather than print a 0 that is no
	// measurement (JSON keeps the 0, with the warning).
	NoSentBytes bool `json:"-"`
}

// Row is one line of the table: a label, or the total.
type Row struct {
	Label          string           `json:"label"`
	Transaction    bool             `json:"transaction,omitempty"`
	Samples        int64            `json:"samples"`
	Errors         int64            `json:"errors"`
	ErrorPct       float64          `json:"error_pct"`
	MeanMS         float64          `json:"mean_ms"`
	MinMS          float64          `json:"min_ms"`
	MaxMS          float64          `json:"max_ms"`
	P50MS          float64          `json:"p50_ms"`
	P90MS          float64          `json:"p90_ms"`
	P95MS          float64          `json:"p95_ms"`
	P99MS          float64          `json:"p99_ms"`
	ThroughputPerS float64          `json:"throughput_per_s"`
	ReceivedKBPerS float64          `json:"received_kb_per_s"`
	SentKBPerS     float64          `json:"sent_kb_per_s"`
	Codes          map[string]int64 `json:"codes"`
}

// Summary accumulates samples into per-label rows. Add it to analyze.Run.
type Summary struct {
	opts Options
	// exact counts the values kept exactly in all rows; compact is set
	// once they outgrew the budget and every row went to histograms.
	exact   int
	compact bool
	labels  map[string]*acc
	total   *acc
	// noStart counts samples without a timestamp (throughput needs one),
	// out of timed+noStart request rows.
	noStart, timed int64
	// sent is set once a sample records its sent bytes: JMeter before 3.1
	// (and sent_bytes=false) does not, and "sent KB/s 0" must not pass for
	// a measurement.
	sent  bool
	trans int64
}

// New returns an empty Summary.
func New(opts Options) *Summary {
	if opts.ExactBudget <= 0 {
		opts.ExactBudget = DefaultExactBudget
	}
	sm := &Summary{opts: opts, labels: map[string]*acc{}}
	sm.total = sm.newAcc()
	return sm
}

// noBudget is a per-row budget no row reaches: the Summary applies one
// budget to all rows together.
const noBudget = 1 << 40

func (sm *Summary) newAcc() *acc {
	a := &acc{q: stats.NewDurations(noBudget, time.Millisecond)}
	if sm.compact {
		a.q.Compact()
	}
	return a
}

// account notes n more exact values and folds every row into histograms
// when the budget is spent.
func (sm *Summary) account(n int) {
	if sm.opts.Exact || sm.compact {
		return
	}
	sm.exact += n
	if sm.exact > sm.opts.ExactBudget {
		sm.compact = true
		sm.total.q.Compact()
		for _, a := range sm.labels {
			a.q.Compact()
		}
	}
}

// Add counts s by the counting rule (samples.Sample.Requests): a
// transaction gets a row of its own, kept out of the total, and the
// samplers inside it count as requests; a sampler counts once, with its
// sub-results. To count sub-results as well, give the Summary a source
// wrapped in analyze.WithSubResults.
func (sm *Summary) Add(s *samples.Sample) {
	s.Transactions(sm.add)
	s.Requests(sm.add)
}

func (sm *Summary) add(s *samples.Sample) {
	a := sm.labels[s.Label]
	if a == nil {
		a = sm.newAcc()
		a.transaction = s.Kind == samples.KindTransaction
		sm.labels[s.Label] = a
	}
	// Account before recording: a Statistical-mode row can stand for
	// millions of samples, which must go to the histograms, not be kept.
	n := rowCount(s)
	sm.account(n)
	a.add(s, n)
	if s.Kind == samples.KindTransaction {
		sm.trans++
		return
	}
	a.transaction = false // a label shared by a sampler is not a controller
	if s.Has&samples.FieldStart == 0 {
		sm.noStart++
	} else {
		sm.timed++
	}
	sm.sent = sm.sent || s.Has&samples.FieldSentBytes != 0
	sm.account(n)
	sm.total.add(s, n)
}

// rowCount is how many samples s stands for: JMeter's Statistical mode
// folds SampleCount samples into one row.
func rowCount(s *samples.Sample) int {
	return max(s.SampleCount, 1)
}

// Merge adds everything other has seen into sm; both must have been made
// with the same Options. It lets each worker summarise its own part of a
// file.
func (sm *Summary) Merge(other *Summary) {
	for l, oa := range other.labels {
		a := sm.labels[l]
		if a == nil {
			sm.labels[l] = oa
			continue
		}
		a.transaction = a.transaction && oa.transaction
		a.merge(oa)
	}
	sm.total.merge(other.total)
	sm.noStart += other.noStart
	sm.timed += other.timed
	sm.sent = sm.sent || other.sent
	sm.trans += other.trans
}

// Result returns the table so far; it can be called more than once.
func (sm *Summary) Result() Result {
	r := Result{
		Samples:      sm.total.n,
		Errors:       sm.total.errors,
		Transactions: sm.trans,
		Total:        sm.total.row("TOTAL"),
		Warnings:     []string{},
		Labels:       make([]Row, 0, len(sm.labels)),
	}
	if sm.total.hasTime {
		r.Start, r.End = sm.total.first, sm.total.last
	}
	for l, a := range sm.labels {
		row := a.row(l)
		row.Transaction = a.transaction
		r.Labels = append(r.Labels, row)
		if !sm.total.hasTime && a.hasTime {
			if r.Start.IsZero() || a.first.Before(r.Start) {
				r.Start = a.first
			}
			if a.last.After(r.End) {
				r.End = a.last
			}
		}
	}
	sort.Slice(r.Labels, func(i, j int) bool { return r.Labels[i].Label < r.Labels[j].Label })
	r.Percentiles = "exact"
	if !sm.total.q.Exact() {
		r.Percentiles = fmt.Sprintf("histogram: relative error at most %.2g%%", 100*stats.MaxRelativeError)
	}
	switch {
	case sm.noStart > 0 && sm.timed == 0:
		r.Warnings = append(r.Warnings, "no sample has a timestamp (timestamp_format=none?): throughput and KB/s cannot be computed")
	case sm.noStart > 0:
		// The input's own warning says why (an implausible timestamp,
		// say); this one says what it does to the table.
		r.Warnings = append(r.Warnings, plural(sm.noStart, "sample has", "samples have")+
			" no usable timestamp: throughput and KB/s leave them out")
	}
	if sm.total.n == 0 && sm.trans > 0 {
		r.Warnings = append(r.Warnings, "the input holds only Transaction Controller rows ("+plural(sm.trans, "transaction", "transactions")+
			") and no requests: the TOTAL row counts requests (the samplers inside the transactions), so it is empty; the (TC) rows are the transactions")
	}
	if sm.total.n > 0 && !sm.sent {
		r.NoSentBytes = true
		r.Warnings = append(r.Warnings, "no sample records its sent bytes (JMeter saves them from 3.1 on, with sent_bytes=true; a HAR capture may give no request sizes): sent KB/s is left blank (0 in JSON)")
	}
	return r
}

// acc accumulates one row.
type acc struct {
	n, errors   int64
	transaction bool
	sum         time.Duration
	min, max    time.Duration
	q           *stats.Durations
	codes       analyze.CodeCounts
	bytes, sent int64
	hasTime     bool
	first, last time.Time
}

// add counts s, which stands for n samples.
func (a *acc) add(s *samples.Sample, count int) {
	// In JMeter's Statistical mode a row's elapsed is the sum over its n
	// samples. Like JMeter's Calculator, each of them counts as the row's
	// average in min, max and the percentiles.
	n := int64(count)
	el := s.Elapsed
	per := el / time.Duration(n)
	if a.n == 0 || per < a.min {
		a.min = per
	}
	if per > a.max {
		a.max = per
	}
	a.n += n
	a.sum += el
	// A negative elapsed is a broken row the decoder already reported;
	// count it as 0 rather than lose the sample.
	rec := max(per, 0)
	if n == 1 {
		a.q.Record(rec)
	} else {
		a.q.RecordN(rec, uint64(n))
	}
	// ErrorCount comes from the input: keep it within the row's samples.
	errs := min(max(int64(s.ErrorCount), 0), n)
	if !s.Success && errs == 0 {
		errs = n
	}
	a.errors += errs
	a.codes.Add(s.Code, n)
	a.bytes += max(s.Bytes, 0)
	a.sent += max(s.SentBytes, 0)
	if s.Has&samples.FieldStart != 0 {
		end := s.End()
		if !a.hasTime || s.Start.Before(a.first) {
			a.first = s.Start
		}
		if !a.hasTime || end.After(a.last) {
			a.last = end
		}
		a.hasTime = true
	}
}

func (a *acc) merge(o *acc) {
	if o.n == 0 {
		return
	}
	if a.n == 0 || o.min < a.min {
		a.min = o.min
	}
	if o.max > a.max {
		a.max = o.max
	}
	a.n += o.n
	a.errors += o.errors
	a.sum += o.sum
	a.q.Merge(o.q)
	for c, n := range o.codes.Map() {
		a.codes.Add(c, n)
	}
	a.bytes += o.bytes
	a.sent += o.sent
	if o.hasTime {
		if !a.hasTime || o.first.Before(a.first) {
			a.first = o.first
		}
		if !a.hasTime || o.last.After(a.last) {
			a.last = o.last
		}
		a.hasTime = true
	}
}

func (a *acc) row(label string) Row {
	r := Row{Label: label, Samples: a.n, Errors: a.errors, Codes: a.codes.Map()}
	if a.n == 0 {
		return r
	}
	r.ErrorPct = round(100*float64(a.errors)/float64(a.n), 3)
	r.MeanMS = round(ms(a.sum)/float64(a.n), 3)
	r.MinMS = round(ms(a.min), 3)
	r.MaxMS = round(ms(a.max), 3)
	r.P50MS = round(quantile(a.q, 0.50), 3)
	r.P90MS = round(quantile(a.q, 0.90), 3)
	r.P95MS = round(quantile(a.q, 0.95), 3)
	r.P99MS = round(quantile(a.q, 0.99), 3)
	if span := a.last.Sub(a.first).Seconds(); a.hasTime && span > 0 {
		r.ThroughputPerS = round(float64(a.n)/span, 3)
		r.ReceivedKBPerS = round(float64(a.bytes)/1024/span, 3)
		r.SentKBPerS = round(float64(a.sent)/1024/span, 3)
	}
	return r
}

func quantile(q *stats.Durations, p float64) float64 {
	d, err := q.Quantile(p)
	if err != nil {
		return 0
	}
	return ms(d)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
