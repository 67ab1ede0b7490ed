package stats

import (
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// uploadsByThreads reads a JTL CSV of the team's JMeter runs and pools the
// upload samples by (allThreads, 5-second window): the rows EstimateOnset
// takes, windows as blocks. Samples that start in the last two seconds are
// left out: when the run's duration is up JMeter stops its threads, so
// allThreads falls while the server is still loaded, and the few
// failures there would appear at low thread counts.
func uploadsByThreads(t *testing.T, path string) (x []float64, k, n, block []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("real data not available: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("%s: no %s column", path, name)
		}
		return i
	}
	cTS, cLabel, cOK, cThreads := col("timeStamp"), col("label"), col("success"), col("allThreads")
	var first, last int64
	for i, r := range recs[1:] {
		ts, _ := strconv.ParseInt(r[cTS], 10, 64)
		if i == 0 || ts < first {
			first = ts
		}
		last = max(last, ts)
	}
	type key struct{ threads, window int }
	agg := map[key][2]int{}
	var keys []key
	for _, r := range recs[1:] {
		ts, _ := strconv.ParseInt(r[cTS], 10, 64)
		if r[cLabel] != "upload screen recording" || ts > last-2000 {
			continue
		}
		threads, _ := strconv.Atoi(r[cThreads])
		kk := key{threads, int((ts - first) / 5000)}
		a, seen := agg[kk]
		if !seen {
			keys = append(keys, kk)
		}
		if r[cOK] != "true" {
			a[0]++
		}
		a[1]++
		agg[kk] = a
	}
	for _, kk := range keys {
		x = append(x, float64(kk.threads))
		k = append(k, agg[kk][0])
		n = append(n, agg[kk][1])
		block = append(block, kk.window)
	}
	return x, k, n, block
}

// s1-concurrency: 80 threads ramped over 80 s against a server that
// rejects uploads when more than 35 are in flight. Its own log
// (truth.jsonl) has the first rejection for concurrency during the ramp-up
// at allThreads = 56; the rate then climbs to 100 % by 69 threads with no
// failures before, so the change point of a hinge cannot be located but
// the onset At can.
func TestOnsetRealConcurrencyRun(t *testing.T) {
	x, k, n, block := uploadsByThreads(t, samplestest.Path(t, "jmeter/s1-concurrency/results.csv"))
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 1, Resamples: 199, NullResamples: 99})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Found || !o.AtCI.Contains(56) || o.AtCI.Width() > 10 {
		t.Errorf("onset at %.1f, CI %+v: want 56 inside a narrow interval", o.At, o.AtCI)
	}
	if o.RateBelow > 0.01 || o.RateAbove < 0.5 {
		t.Errorf("rates %.3f below and %.3f above", o.RateBelow, o.RateAbove)
	}
}

// s3-token-jwt: tokens expire with time, and time runs with the ramp-up,
// so failures pile up at the higher thread counts, but windows at the same
// thread count differ wildly (dispersion ≫ 1): no concurrency onset. The
// Wilson cross-check, which ignores that spread, is fooled.
// s6-clean (bundled with the repository) has no failures at all.
func TestOnsetRealNoConcurrencyEffect(t *testing.T) {
	x, k, n, block := uploadsByThreads(t, samplestest.Path(t, "jmeter/s3-token-jwt/results.csv"))
	o, err := EstimateOnset(x, k, n, block, &OnsetOptions{Seed: 1, Resamples: 199, NullResamples: 99})
	if err != nil {
		t.Fatal(err)
	}
	if o.Found || o.Dispersion < 10 {
		t.Errorf("token expiry reported as an onset: %+v", o)
	}
	x, k, n, block = uploadsByThreads(t, "../../samples/testdata/jmeter/s6-clean/results.csv")
	o, err = EstimateOnset(x, k, n, block, nil)
	if err != nil || o.Found || o.RateAbove != 0 {
		t.Errorf("clean run: %+v %v", o, err)
	}
}
