package timeline

import (
	"math"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func smp(startMS, elMS int64, code string, ok bool, threads int) *samples.Sample {
	return &samples.Sample{Start: time.UnixMilli(startMS), Elapsed: time.Duration(elMS) * time.Millisecond,
		Code: code, Success: ok, AllThreads: threads,
		Has: samples.FieldStart | samples.FieldElapsed | samples.FieldThreads}
}

func TestWindowsCountCodesThreadsAndInFlight(t *testing.T) {
	tl := New()
	base := int64(1_000_000)
	// 10 s, 4 requests of 500 ms started each second by 2 threads: 2 in
	// flight on average, 4 req/s.
	for s := int64(0); s < 10; s++ {
		for j := int64(0); j < 4; j++ {
			code, ok := "201", true
			if s >= 5 && j == 0 {
				code, ok = "400", false
			}
			tl.Add(smp(base+s*1000+j*250, 500, code, ok, 2))
		}
	}
	r := tl.Result()
	if r.WidthS != 1 || len(r.Points) != 11 {
		t.Fatalf("width %v, %d points", r.WidthS, len(r.Points))
	}
	if r.Codes[0] != "201" || r.Codes[1] != "400" {
		t.Fatalf("codes %v", r.Codes)
	}
	for i, p := range r.Points[1:9] {
		if p.Requests != 4 || math.Abs(p.InFlight-2) > 1e-9 || p.MeanThreads != 2 || p.Throughput != 4 {
			t.Fatalf("window %d: %+v", i+1, p)
		}
		wantFail := int64(0)
		if i+1 >= 5 {
			wantFail = 1
		}
		if p.Failures != wantFail || p.Codes[1] != wantFail || p.Goodput != float64(4-wantFail) {
			t.Fatalf("window %d: failures %d codes %v goodput %v", i+1, p.Failures, p.Codes, p.Goodput)
		}
		if p.P50MS < 480 || p.P50MS > 520 {
			t.Fatalf("window %d p50 %.1f, want about 500", i+1, p.P50MS)
		}
	}
}

func TestCoarsensLongRuns(t *testing.T) {
	tl := New()
	var total int64
	for s := int64(0); s < 5000; s += 3 {
		tl.Add(smp(s*1000, 100, "200", true, 1))
		total++
	}
	r := tl.Result()
	if len(r.Points) > MaxWindows {
		t.Fatalf("%d windows, max %d", len(r.Points), MaxWindows)
	}
	if r.WidthS != 8 {
		t.Fatalf("width %v s, want 8 (1 doubled until 5000 s fits in %d)", r.WidthS, MaxWindows)
	}
	var n int64
	for _, p := range r.Points {
		n += p.Requests
	}
	if n != total {
		t.Fatalf("requests %d after coarsening, want %d", n, total)
	}
}
