package summary

import (
	"strconv"

	"github.com/jtlscope/jtlscope/analyze"
	"math"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
)

func smp(label string, startMS, elMS int64, code string, ok bool) *samples.Sample {
	return &samples.Sample{Label: label, Start: time.UnixMilli(startMS), Elapsed: time.Duration(elMS) * time.Millisecond,
		Code: code, Success: ok, Bytes: 1024, SentBytes: 512,
		Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode | samples.FieldSuccess | samples.FieldBytes | samples.FieldSentBytes}
}

// legacy is Commons Math's LEGACY estimator on sorted values, written out
// again here as an independent check.
func legacy(sorted []float64, p float64) float64 {
	n := float64(len(sorted))
	pos := p * (n + 1)
	switch {
	case pos < 1:
		return sorted[0]
	case pos >= n:
		return sorted[len(sorted)-1]
	}
	lo := math.Floor(pos)
	return sorted[int(lo)-1] + (pos-lo)*(sorted[int(lo)]-sorted[int(lo)-1])
}

func TestRowsAndTotal(t *testing.T) {
	sm := New(Options{})
	var vals []float64
	for i := int64(0); i < 1000; i++ {
		el := 10 + (i*7919)%500
		vals = append(vals, float64(el))
		code, ok := "200", true
		if i%10 == 0 {
			code, ok = "400", false
		}
		sm.Add(smp("a", 1000*i, el, code, ok))
	}
	tc := smp("tc", 0, 5000, "200", true)
	tc.Kind = samples.KindTransaction
	sm.Add(tc)
	r := sm.Result()
	if r.Samples != 1000 || r.Errors != 100 || r.Transactions != 1 || len(r.Labels) != 2 {
		t.Fatalf("samples %d errors %d transactions %d labels %d", r.Samples, r.Errors, r.Transactions, len(r.Labels))
	}
	slices.Sort(vals)
	a := r.Labels[0]
	for _, c := range []struct {
		got, p float64
	}{{a.P50MS, .5}, {a.P90MS, .9}, {a.P95MS, .95}, {a.P99MS, .99}} {
		if want := legacy(vals, c.p); math.Abs(c.got-want) > 1e-9 {
			t.Errorf("p%v = %v, want %v", c.p, c.got, want)
		}
	}
	if a.Codes["400"] != 100 || a.ErrorPct != 10 {
		t.Errorf("codes %v error %% %v", a.Codes, a.ErrorPct)
	}
	// 1000 samples from 0 to 999 s plus the last elapsed.
	span := (999_000 + 10 + (999*7919)%500) / 1000.0
	if math.Abs(a.ThroughputPerS-1000/span) > 0.001 {
		t.Errorf("throughput %v, want %v", a.ThroughputPerS, 1000/span)
	}
	if !r.Labels[1].Transaction || r.Total.Samples != 1000 {
		t.Errorf("the TC row must be marked and kept out of the total: %+v", r.Labels[1])
	}
}

func TestBudgetSwitchesToHistogramsWithinTheBound(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	sm := New(Options{ExactBudget: 10_000})
	var vals []float64
	for i := 0; i < 50_000; i++ {
		el := int64(math.Exp(4 + 1.5*rng.NormFloat64()))
		vals = append(vals, float64(el))
		sm.Add(smp("a", int64(i), el, "200", true))
	}
	r := sm.Result()
	if r.Percentiles == "exact" {
		t.Fatalf("percentiles still exact past the budget")
	}
	slices.Sort(vals)
	for _, c := range []struct {
		got, p float64
	}{{r.Labels[0].P50MS, .5}, {r.Labels[0].P95MS, .95}, {r.Labels[0].P99MS, .99}} {
		want := legacy(vals, c.p)
		// Histogram buckets are in whole milliseconds; the bound is relative.
		if math.Abs(c.got-want) > 1+want*stats.MaxRelativeError*2 {
			t.Errorf("p%v = %v, exact %v: outside the stated bound", c.p, c.got, want)
		}
	}
	if exact := New(Options{Exact: true, ExactBudget: 10}); true {
		for i := 0; i < 100; i++ {
			exact.Add(smp("a", int64(i), int64(i), "200", true))
		}
		if exact.Result().Percentiles != "exact" {
			t.Error("Exact must keep every value")
		}
	}
}

func TestMergeEqualsOnePass(t *testing.T) {
	one, a, b := New(Options{}), New(Options{}), New(Options{})
	for i := int64(0); i < 2000; i++ {
		s := smp([]string{"x", "y", "z"}[i%3], i*10, i%300, "200", i%13 != 0)
		one.Add(s)
		if i < 700 {
			a.Add(s)
		} else {
			b.Add(s)
		}
	}
	a.Merge(b)
	r1, r2 := one.Result(), a.Result()
	for i := range r1.Labels {
		x, y := r1.Labels[i], r2.Labels[i]
		if x.Samples != y.Samples || x.P95MS != y.P95MS || x.MeanMS != y.MeanMS || x.ThroughputPerS != y.ThroughputPerS {
			t.Errorf("label %s: one pass %+v, merged %+v", x.Label, x, y)
		}
	}
}

// A JMeter Statistical-mode row stands for SampleCount samples whose
// elapsed times add up to the row's; like JMeter's Calculator, each counts
// as their average. A hostile count costs no more than a small one.
func TestStatisticalModeRows(t *testing.T) {
	sm := New(Options{ExactBudget: 1000})
	a := smp("a", 0, 1000, "200", true) // 10 samples of 100 ms
	a.SampleCount = 10
	b := smp("a", 1000, 20, "500", false) // 2 samples of 10 ms, 1 failed
	b.SampleCount, b.ErrorCount = 2, 1
	sm.Add(a)
	sm.Add(b)
	r := sm.Result().Labels[0]
	if r.Samples != 12 || r.Errors != 1 || r.MinMS != 10 || r.MaxMS != 100 || r.P50MS != 100 || r.Codes["200"] != 10 {
		t.Fatalf("%+v", r)
	}
	if want := 1020.0 / 12; math.Abs(r.MeanMS-want) > 1e-3 {
		t.Errorf("mean %v, want %v", r.MeanMS, want)
	}
	neg := smp("n", 1500, 5, "500", false)
	neg.SampleCount, neg.ErrorCount = 3, -7
	over := smp("n", 1600, 5, "500", false)
	over.ErrorCount = 9
	sm.Add(neg)
	sm.Add(over)
	if r := sm.Result().Labels[1]; r.Samples != 4 || r.Errors != 4 {
		t.Errorf("error counts from the input not kept within the samples: %+v", r)
	}
	huge := smp("h", 2000, 2_000_000_000, "200", true)
	huge.SampleCount = 2_000_000_000
	sm.Add(huge)
	res := sm.Result()
	if res.Samples != 16+2_000_000_000 || res.Total.P99MS != 1 {
		t.Errorf("samples %d p99 %v", res.Samples, res.Total.P99MS)
	}
}

// Codes come from the input: past analyze.MaxCodes distinct codes per row
// they are counted together, and no sample is lost.
func TestCodesBounded(t *testing.T) {
	sm := New(Options{})
	const n = 3 * analyze.MaxCodes
	for i := int64(0); i < n; i++ {
		sm.Add(smp("a", 1000*i, 10, strconv.FormatInt(100000+i, 10), false))
	}
	r := sm.Result().Labels[0]
	var total int64
	for _, c := range r.Codes {
		total += c
	}
	if len(r.Codes) != analyze.MaxCodes+1 || r.Codes[analyze.OtherCodes] != n-analyze.MaxCodes || total != n {
		t.Errorf("%d codes, %d other, %d in all", len(r.Codes), r.Codes[analyze.OtherCodes], total)
	}
}
