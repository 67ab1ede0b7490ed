package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// A file saved without timestamps (timestamp_format=none) has failures
// that no cause can be judged on: the verdict must count them, never say
// "No failures" (found on a public JTL of 1,425 requests, 807 failed).
func TestUntimedFailuresCounted(t *testing.T) {
	for _, timed := range []int{0, 50} {
		d := New(Options{})
		start := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
		for i := range 200 {
			s := samples.Sample{Label: "upload", Code: "200", Success: true, Elapsed: 20 * time.Millisecond, Thread: "TG 1-1",
				Has: samples.FieldElapsed | samples.FieldLabel | samples.FieldCode | samples.FieldSuccess | samples.FieldThread}
			if i%4 == 0 {
				s.Code, s.Success = "500", false
			}
			if i < timed {
				// The timed ones all succeed.
				s.Code, s.Success = "200", true
				s.Start = start.Add(time.Duration(i) * time.Second)
				s.Has |= samples.FieldStart
			}
			d.Add(&s)
		}
		res := d.Result()
		wantFailed := int64(0)
		for i := timed; i < 200; i++ {
			if i%4 == 0 {
				wantFailed++
			}
		}
		if res.Untimed != int64(200-timed) || res.UntimedFailures != wantFailed {
			t.Errorf("timed %d: untimed %d, failing %d; want %d, %d", timed, res.Untimed, res.UntimedFailures, 200-timed, wantFailed)
		}
		if strings.HasPrefix(res.Verdict, "No failures") || !strings.Contains(res.Verdict, countNum(wantFailed)+" of the") {
			t.Errorf("timed %d: verdict %q", timed, res.Verdict)
		}
	}
}
