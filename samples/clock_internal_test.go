package samples

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond:                          "850 ms",
		12*time.Minute + 5*time.Second:                  "12 min 5 s",
		3*time.Hour - 100*time.Millisecond:              "3 h",
		35*time.Hour + 12*time.Minute + 40*time.Second:  "1 day 11 h",
		60*24*time.Hour + 10*time.Hour + 29*time.Minute: "60 days 10 h",
		24*time.Hour + 30*time.Second:                   "1 day",
		5*time.Hour + 12*time.Minute + 40*time.Second:   "5 h 13 min",
		-90 * time.Second:                               "-1 min 30 s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// A run written three times into one file: time goes back by ten minutes
// at each repeat. The reorder buffer must put each repeat in order on its
// own and hold about a second of samples, not grow its slack to minutes
// (it held 200,000 samples, 120 MB, on the repeated benchmark file).
func TestReorderRepeatedRun(t *testing.T) {
	const perRun = 20_000 // one every 30 ms: ten minutes
	base := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	r := &reorder{slack: time.Second}
	var out []Sample
	held := 0
	emit := func() bool {
		out = append(out, Sample{})
		r.pop(&out[len(out)-1])
		return true
	}
	for rep := range 3 {
		for i := range perRun {
			// JMeter writes at the end: a sample that took longer comes
			// a little later than one that started after it.
			start := base.Add(time.Duration(i)*30*time.Millisecond - time.Duration(i%7)*40*time.Millisecond)
			s := Sample{Start: start, Elapsed: 50 * time.Millisecond, Line: rep*perRun + i + 2, Has: FieldStart | FieldElapsed}
			if !r.add(&s, emit) {
				t.Fatal("emit stopped")
			}
			held = max(held, r.len())
		}
	}
	for r.len() > 0 {
		emit()
	}
	if len(out) != 3*perRun {
		t.Fatalf("%d samples out, want %d", len(out), 3*perRun)
	}
	for i := 1; i < len(out); i++ {
		if i%perRun != 0 && out[i].Start.Before(out[i-1].Start) {
			t.Fatalf("sample %d (line %d) starts before the one let out before it", i, out[i].Line)
		}
	}
	if held > 200 {
		t.Errorf("the buffer held %d samples at once, want at most 200 (about a second's worth)", held)
	}
}
