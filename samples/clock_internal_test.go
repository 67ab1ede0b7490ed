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
