package dashboard

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
)

// Apdex holds the APDEX thresholds: a response is satisfied up to T,
// tolerated up to F, frustrated beyond (and when it failed).
type Apdex struct {
	T, F time.Duration
}

// DefaultApdex are JMeter's defaults (apdex_satisfied_threshold=500,
// apdex_tolerated_threshold=1500).
var DefaultApdex = Apdex{T: 500 * time.Millisecond, F: 1500 * time.Millisecond}

// Options configure a Dashboard.
type Options struct {
	Apdex Apdex
}

// Dashboard is the accumulator. Add it to analyze.Run.
type Dashboard struct {
	opts   Options
	labels map[string]*label
	total  *label
	exact  int
	// compacted is set once the kept response times outgrew exactBudget.
	compacted bool
	errors    map[string]int64
	samples   int64 // non-TC samples, the errors table's "all samples"
	failed    int64
}

type label struct {
	transaction        bool
	n, sat, tol, fails int64
	rt                 stats.Sketch
	errors             map[string]int64
}

// exactBudget is how many response times the per-label curves keep
// exactly (8 bytes each) before every label switches to a sketch.
var exactBudget = 2 << 20

// maxErrorKinds bounds the distinct error keys counted apart, in total
// and per label; the rest share OtherErrors.
const maxErrorKinds = 100

// OtherErrors stands for the error kinds past maxErrorKinds.
const OtherErrors = "(other errors)"

// maxKeyLen clips an error key (a response message can be a page long).
const maxKeyLen = 200

// New returns an empty Dashboard; zero thresholds mean DefaultApdex.
func New(opts Options) *Dashboard {
	if opts.Apdex.T <= 0 || opts.Apdex.F <= 0 {
		opts.Apdex = DefaultApdex
	}
	return &Dashboard{opts: opts, labels: map[string]*label{}, total: &label{}, errors: map[string]int64{}}
}

// Add counts s, a top-level sample (its sub-results are part of it).
func (d *Dashboard) Add(s *samples.Sample) {
	l := d.labels[s.Label]
	if l == nil {
		l = &label{transaction: s.Kind == samples.KindTransaction}
		if d.compacted {
			l.rt.Compact()
		}
		d.labels[s.Label] = l
	}
	d.count(l, s)
	if s.Kind == samples.KindTransaction {
		return
	}
	l.transaction = false
	d.count(d.total, s)
	d.samples++
	if !s.Success {
		d.failed++
		key := ErrorKey(s)
		bump(d.errors, key)
		if l.errors == nil {
			l.errors = map[string]int64{}
		}
		bump(l.errors, key)
	}
}

func bump(m map[string]int64, key string) {
	// The last place is kept for OtherErrors.
	if _, ok := m[key]; !ok && len(m) >= maxErrorKinds-1 {
		key = OtherErrors
	}
	m[key]++
}

func (d *Dashboard) count(l *label, s *samples.Sample) {
	el := max(s.Elapsed, 0)
	l.n++
	switch {
	case !s.Success:
		l.fails++
	case el <= d.opts.Apdex.T:
		l.sat++
	case el <= d.opts.Apdex.F:
		l.tol++
	}
	l.rt.Add(el)
	if d.compacted {
		return
	}
	if d.exact++; d.exact > exactBudget {
		d.compacted = true
		d.total.rt.Compact()
		for _, l := range d.labels {
			l.rt.Compact()
		}
	}
}

// ErrorKey names a failure as JMeter's errors table does: "code/message",
// or the assertion's failure message when the code says success (or is
// empty), since then an assertion failed the sample.
func ErrorKey(s *samples.Sample) string {
	code := strings.TrimSpace(s.Code)
	var key string
	if st := samples.ParseStatus(code); code == "" || (st >= 200 && st < 400) {
		key = strings.TrimSpace(s.FailureMessage)
		if key == "" {
			for _, a := range s.Assertions {
				if (a.Failure || a.Error) && a.Message != "" {
					key = a.Message
					break
				}
			}
		}
		if key == "" {
			key = "Assertion failed"
		}
	} else {
		key = code + "/" + strings.TrimSpace(s.Message)
	}
	key = strings.Join(strings.Fields(key), " ")
	if utf8.RuneCountInString(key) > maxKeyLen {
		key = string([]rune(key)[:maxKeyLen-1]) + "…"
	}
	return key
}

// Result is the dashboard's views as plain data.
type Result struct {
	// ApdexT and ApdexF are the thresholds in milliseconds.
	ApdexT float64     `json:"apdex_t_ms"`
	ApdexF float64     `json:"apdex_f_ms"`
	Apdex  []ApdexRow  `json:"apdex"`
	Total  ApdexRow    `json:"apdex_total"`
	Curves []Curve     `json:"percentile_curves"`
	Dist   []Histogram `json:"distribution"`
	// Exact says the curves and histograms use every response time.
	Exact  bool       `json:"exact"`
	Errors []ErrorRow `json:"errors"`
	Top5   []TopRow   `json:"top5_errors_by_sampler"`
	// Samples and Failed count the samples the errors table is about
	// (Transaction Controller rows left out).
	Samples int64 `json:"samples"`
	Failed  int64 `json:"failed"`
}

// ApdexRow is one label's APDEX: (satisfied + tolerated/2) / samples.
type ApdexRow struct {
	Label       string  `json:"label"`
	Transaction bool    `json:"transaction,omitempty"`
	Samples     int64   `json:"samples"`
	Satisfied   int64   `json:"satisfied"`
	Tolerated   int64   `json:"tolerated"`
	Frustrated  int64   `json:"frustrated"`
	Apdex       float64 `json:"apdex"`
}

// Curve is a label's response time at every whole percentile 0..100.
type Curve struct {
	Label string `json:"label"`
	// MS[i] is the i-th percentile in milliseconds.
	MS []float64 `json:"ms"`
}

// Histogram counts a label's response times in bins of WidthMS from 0.
type Histogram struct {
	Label   string  `json:"label"`
	WidthMS float64 `json:"width_ms"`
	Counts  []int64 `json:"counts"`
}

// ErrorRow is one kind of error: JMeter's errors table.
type ErrorRow struct {
	Type        string  `json:"type"`
	Count       int64   `json:"count"`
	PctOfErrors float64 `json:"pct_of_errors"`
	PctOfAll    float64 `json:"pct_of_all"`
}

// TopRow is one sampler's five most frequent errors.
type TopRow struct {
	Label   string      `json:"label"`
	Samples int64       `json:"samples"`
	Errors  int64       `json:"errors"`
	Top     []ErrorKind `json:"top"`
}

// ErrorKind is an error key and its count.
type ErrorKind struct {
	Type  string `json:"type"`
	Count int64  `json:"count"`
}

// MaxCurves is how many labels, the busiest, get a percentile curve and a
// distribution besides the total.
const MaxCurves = 6

// Result returns the views.
func (d *Dashboard) Result() Result {
	r := Result{ApdexT: ms(d.opts.Apdex.T), ApdexF: ms(d.opts.Apdex.F), Exact: !d.compacted, Samples: d.samples, Failed: d.failed}
	names := make([]string, 0, len(d.labels))
	for n := range d.labels {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.Apdex = append(r.Apdex, apdexRow(n, d.labels[n]))
	}
	r.Total = apdexRow("TOTAL", d.total)
	// Curves: the total, then the busiest sampler labels.
	busy := make([]string, 0, len(names))
	for _, n := range names {
		if !d.labels[n].transaction {
			busy = append(busy, n)
		}
	}
	sort.SliceStable(busy, func(i, j int) bool { return d.labels[busy[i]].n > d.labels[busy[j]].n })
	if len(busy) > MaxCurves {
		busy = busy[:MaxCurves]
	}
	if d.total.n > 0 {
		// One set of bins for every label, so their counts line up.
		top := d.total.rt.Quantile(0.999)
		width := niceWidth(top / 40)
		bins := int(math.Floor(top/width)) + 1
		r.Curves = append(r.Curves, curve("TOTAL", &d.total.rt))
		r.Dist = append(r.Dist, histogram("TOTAL", &d.total.rt, width, bins))
		if len(busy) > 1 {
			for _, n := range busy {
				r.Curves = append(r.Curves, curve(n, &d.labels[n].rt))
				r.Dist = append(r.Dist, histogram(n, &d.labels[n].rt, width, bins))
			}
		}
	}
	// Errors, most frequent first.
	for k, c := range d.errors {
		row := ErrorRow{Type: k, Count: c}
		if d.failed > 0 {
			row.PctOfErrors = round(100*float64(c)/float64(d.failed), 2)
		}
		if d.samples > 0 {
			row.PctOfAll = round(100*float64(c)/float64(d.samples), 2)
		}
		r.Errors = append(r.Errors, row)
	}
	sort.Slice(r.Errors, func(i, j int) bool {
		if r.Errors[i].Count != r.Errors[j].Count {
			return r.Errors[i].Count > r.Errors[j].Count
		}
		return r.Errors[i].Type < r.Errors[j].Type
	})
	for _, n := range names {
		l := d.labels[n]
		if l.transaction || len(l.errors) == 0 {
			continue
		}
		row := TopRow{Label: n, Samples: l.n, Errors: l.fails}
		for k, c := range l.errors {
			row.Top = append(row.Top, ErrorKind{k, c})
		}
		sort.Slice(row.Top, func(i, j int) bool {
			if row.Top[i].Count != row.Top[j].Count {
				return row.Top[i].Count > row.Top[j].Count
			}
			return row.Top[i].Type < row.Top[j].Type
		})
		if len(row.Top) > 5 {
			row.Top = row.Top[:5]
		}
		r.Top5 = append(r.Top5, row)
	}
	sort.SliceStable(r.Top5, func(i, j int) bool { return r.Top5[i].Errors > r.Top5[j].Errors })
	return r
}

func apdexRow(name string, l *label) ApdexRow {
	row := ApdexRow{Label: name, Transaction: l.transaction, Samples: l.n, Satisfied: l.sat, Tolerated: l.tol, Frustrated: l.n - l.sat - l.tol}
	if l.n > 0 {
		row.Apdex = round((float64(l.sat)+float64(l.tol)/2)/float64(l.n), 3)
	}
	return row
}

func curve(name string, s *stats.Sketch) Curve {
	c := Curve{Label: name, MS: make([]float64, 101)}
	for i := range c.MS {
		c.MS[i] = round(s.Quantile(float64(i)/100), 3)
	}
	return c
}

// histogram bins a label's response times in n bins of width ms: about
// 40 bins of a round width up to the run's 99.9th percentile (JMeter uses
// 100 ms whatever the range, which puts a 5 ms API in one bar), the
// slowest tail in the last bin so that one outlier does not flatten the
// rest.
func histogram(name string, s *stats.Sketch, width float64, n int) Histogram {
	h := Histogram{Label: name, WidthMS: width, Counts: make([]int64, n)}
	s.Each(func(v float64, c int64) {
		h.Counts[min(int(v/width), n-1)] += c
	})
	return h
}

// niceWidth rounds up to 1, 2 or 5 times a power of ten milliseconds, at
// least 1 ms (JMeter's times are whole milliseconds).
func niceWidth(raw float64) float64 {
	if !(raw > 1) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// String is the APDEX formula with the thresholds, for a caption.
func (r Result) String() string {
	return fmt.Sprintf("APDEX = (satisfied + tolerated / 2) / samples, satisfied ≤ %s ms < tolerated ≤ %s ms < frustrated; failed samples count as frustrated",
		fmtMS(r.ApdexT), fmtMS(r.ApdexF))
}

func fmtMS(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", x), "0"), ".")
}
