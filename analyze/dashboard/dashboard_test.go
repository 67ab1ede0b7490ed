package dashboard

import (
	"math"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func smp(label string, ms int, code string, ok bool) *samples.Sample {
	return &samples.Sample{Label: label, Elapsed: time.Duration(ms) * time.Millisecond, Code: code, Message: "msg " + code, Success: ok}
}

// TestApdexAndErrorsAsJMeter: APDEX = (satisfied + tolerated/2) / n with
// failures frustrated; errors keyed code/message, assertion failures by
// their message; Transaction Controller rows in their own APDEX row only.
func TestApdexAndErrorsAsJMeter(t *testing.T) {
	d := New(Options{})
	for i := range 10 {
		d.Add(smp("fast", 100, "200", true))             // satisfied
		d.Add(smp("slow", 400+200*(i%5), "200", i != 9)) // 400,600,...; one failure
	}
	for range 3 {
		d.Add(smp("bad", 50, "500", false))
	}
	a := smp("check", 10, "200", false)
	a.FailureMessage = "Test failed: text expected to contain /ok/"
	d.Add(a)
	tc := smp("TC", 3000, "200", true)
	tc.Kind = samples.KindTransaction
	d.Add(tc)
	r := d.Result()
	by := map[string]ApdexRow{}
	for _, row := range r.Apdex {
		by[row.Label] = row
	}
	// slow: 400 ms twice satisfied, 600-1200 ms tolerated, and the last
	// (i = 9) failed: frustrated whatever its time.
	if got := by["slow"]; got.Satisfied != 2 || got.Tolerated != 7 || got.Frustrated != 1 || got.Apdex != 0.55 {
		t.Errorf("slow: %+v", got)
	}
	if by["fast"].Apdex != 1 || by["bad"].Apdex != 0 || !by["TC"].Transaction || by["TC"].Apdex != 0 {
		t.Errorf("fast %+v bad %+v TC %+v", by["fast"], by["bad"], by["TC"])
	}
	if r.Total.Samples != 24 || r.Samples != 24 || r.Failed != 5 {
		t.Errorf("total %+v samples %d failed %d", r.Total, r.Samples, r.Failed)
	}
	if math.Abs(r.Total.Apdex-round((10+2+3.5)/24, 3)) > 1e-9 {
		t.Errorf("total APDEX %v", r.Total.Apdex)
	}
	if len(r.Errors) != 3 || r.Errors[0].Type != "500/msg 500" || r.Errors[0].Count != 3 || r.Errors[0].PctOfErrors != 60 || r.Errors[0].PctOfAll != 12.5 {
		t.Errorf("errors %+v", r.Errors)
	}
	found := false
	for _, e := range r.Errors {
		found = found || e.Type == "Test failed: text expected to contain /ok/"
	}
	if !found {
		t.Errorf("the assertion failure is not keyed by its message: %+v", r.Errors)
	}
	if len(r.Top5) != 3 || r.Top5[0].Label != "bad" || r.Top5[0].Top[0].Count != 3 {
		t.Errorf("top 5 %+v", r.Top5)
	}
	// Curves: the total and, with several labels, the busiest.
	if len(r.Curves) < 2 || r.Curves[0].Label != "TOTAL" || len(r.Curves[0].MS) != 101 || r.Curves[0].MS[0] != 10 || r.Curves[0].MS[100] != 1200 {
		t.Errorf("curves %+v", r.Curves[0])
	}
	var n int64
	for _, c := range r.Dist[0].Counts {
		n += c
	}
	if n != 24 {
		t.Errorf("the distribution counts %d samples, want 24", n)
	}
}

func TestErrorKindsAreBounded(t *testing.T) {
	d := New(Options{})
	for i := range 500 {
		d.Add(smp("x", 1, "5"+string(rune('0'+i%10))+string(rune('0'+i/10%10)), false))
		s := smp("y", 1, "400", false)
		s.Message = string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		d.Add(s)
	}
	r := d.Result()
	if len(r.Errors) > maxErrorKinds {
		t.Errorf("%d error kinds", len(r.Errors))
	}
}
