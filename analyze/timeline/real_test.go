package timeline

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"

	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
)

// TestPercentilesOverTimeOnARealRun compares every window's percentiles
// with exact ones computed here from the s1 run's samples: equal while
// the values fit the exact budget, within stats.SketchRelativeError and
// inside the window's [min, max] once they do not.
func TestPercentilesOverTimeOnARealRun(t *testing.T) {
	path := samplestest.Path(t, "jmeter/s1-concurrency/results.csv")
	for _, budget := range []int{exactBudget, 500} {
		old := exactBudget
		exactBudget = budget
		tl := New()
		st, err := samples.OpenStream([]string{path}, samples.StreamOptions{Ordered: true})
		if err != nil {
			t.Fatal(err)
		}
		byWin := map[int][]time.Duration{}
		byLabel := map[string]map[int][]time.Duration{}
		var origin time.Time
		for st.Scan() {
			s := st.Sample()
			tl.Add(s)
			if origin.IsZero() {
				origin = s.Start
			}
			w := int(s.Start.Sub(origin) / time.Second) // 1 s windows: the run is 95 s
			byWin[w] = append(byWin[w], s.Elapsed)
			if byLabel[s.Label] == nil {
				byLabel[s.Label] = map[int][]time.Duration{}
			}
			byLabel[s.Label][w] = append(byLabel[s.Label][w], s.Elapsed)
		}
		st.Close()
		exactBudget = old
		r := tl.Result()
		if r.WidthS != 1 || r.Exact != (budget > 100_000) {
			t.Fatalf("budget %d: width %v s, exact %v", budget, r.WidthS, r.Exact)
		}
		check := func(what string, vals []time.Duration, got [4]float64, lo, hi float64) {
			t.Helper()
			slices.Sort(vals)
			if lo != ms(vals[0]) || hi != ms(vals[len(vals)-1]) {
				t.Fatalf("%s: min/max %v/%v, want %v/%v", what, lo, hi, ms(vals[0]), ms(vals[len(vals)-1]))
			}
			for i, p := range []float64{0.5, 0.9, 0.95, 0.99} {
				x, _ := stats.QuantileSorted(vals, p)
				want := round3(x / 1e6)
				switch {
				case r.Exact && got[i] != want:
					t.Fatalf("%s p%v: %v, exact %v", what, p, got[i], want)
				case math.Abs(got[i]-want) > stats.SketchRelativeError*want+0.001:
					t.Fatalf("%s p%v: %v, exact %v", what, p, got[i], want)
				case got[i] < lo || got[i] > hi:
					t.Fatalf("%s p%v: %v outside [%v, %v]", what, p, got[i], lo, hi)
				}
			}
		}
		for w, vals := range byWin {
			p := r.Points[w]
			if p.Requests != int64(len(vals)) {
				t.Fatalf("window %d: %d requests, want %d", w, p.Requests, len(vals))
			}
			check("window", vals, [4]float64{p.P50MS, p.P90MS, p.P95MS, p.P99MS}, p.MinMS, p.MaxMS)
		}
		if len(r.ByLabel) != 3 {
			t.Fatalf("%d label series", len(r.ByLabel))
		}
		for _, ls := range r.ByLabel {
			for w, vals := range byLabel[ls.Label] {
				lp := ls.Points[w]
				check(ls.Label, vals, [4]float64{lp.P50MS, lp.P90MS, lp.P95MS, lp.P99MS}, lp.MinMS, lp.MaxMS)
			}
		}
	}
}
