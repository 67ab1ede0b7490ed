package sla

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cs, err := Parse("p95=800ms, errors=1%,p99=2s,throughput=50,mean=120")
	if err != nil {
		t.Fatal(err)
	}
	want := Criteria{{"p95", 800}, {"errors", 1}, {"p99", 2000}, {"throughput", 50}, {"mean", 120}}
	if len(cs) != len(want) {
		t.Fatalf("got %v", cs)
	}
	for i := range want {
		if cs[i] != want[i] {
			t.Errorf("criterion %d = %+v, want %+v", i, cs[i], want[i])
		}
	}
	if got := cs.String(); got != "p95 ≤ 800 ms and errors ≤ 1% and p99 ≤ 2000 ms and throughput ≥ 50/s and mean ≤ 120 ms" {
		t.Errorf("String = %q", got)
	}
	if cs, _ := Parse("errors=0.005"); cs[0].Limit != 0.5 {
		t.Errorf("fraction: %+v", cs)
	}
	for _, bad := range []string{"p95", "p95=fast", "errors=150%", "errors=2", "errors=1", "p42=1s", "throughput=-1", "p95=-5ms"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): want an error", bad)
		}
	}
}

func TestCheck(t *testing.T) {
	cs, _ := Parse("p95=800ms,errors=1%,throughput=10")
	if v := cs.Check(Values{P95: 800, ErrorPct: 1, Throughput: 10}); len(v) != 0 {
		t.Errorf("limits are inclusive: %v", v)
	}
	v := cs.Check(Values{P95: 801, ErrorPct: 0.5, Throughput: 9})
	if len(v) != 2 || !strings.Contains(v[0].String(), "p95 801 ms > 800 ms") || !strings.Contains(v[1].String(), "throughput") {
		t.Errorf("violations %v", v)
	}
}
