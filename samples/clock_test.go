package samples_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
)

const csvHeader = "timeStamp,elapsed,label,responseCode,success,threadName\n"

// read streams a CSV, ordered or not, and returns its samples and the
// problems' messages.
func read(t *testing.T, name, data string, ordered bool) ([]samples.Sample, []string, *samples.Problems) {
	t.Helper()
	in, err := samples.OpenReader(strings.NewReader(data), name, samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := samples.NewStream([]*samples.Input{in}, samples.StreamOptions{Ordered: ordered})
	defer st.Close()
	var out []samples.Sample
	for st.Scan() {
		out = append(out, st.Sample().Clone())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	p := st.Problems()
	return out, p.Messages(), p
}

func rows(t0 int64, n int, stepMS int64, elapsed int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d,%d,a,200,true,T 1-%d\n", t0+int64(i)*stepMS, elapsed, 1+i%3)
	}
	return b.String()
}

func warningWith(ms []string, parts ...string) string {
	for _, m := range ms {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(m, p)
		}
		if ok {
			return m
		}
	}
	return ""
}

// TestUntimedSamplesAreKept: JMeter writes timeStamp 0 for a sampler
// that failed before it started (a malformed URL). Such samples count as
// samples and failures, without a start; a warning names the file and
// the first line and counts them and their failures. In an ordered
// stream they neither hold back nor disturb the others.
func TestUntimedSamplesAreKept(t *testing.T) {
	bad := "0,0,,Non HTTP response code: java.net.MalformedURLException,false,TG 1-1\n"
	data := csvHeader + rows(1_700_000_000_000, 3, 100, 10) + bad + bad + rows(1_700_000_000_300, 3, 100, 10) + bad
	for _, ordered := range []bool{false, true} {
		got, msgs, p := read(t, "flood.jtl", data, ordered)
		untimed, failed := 0, 0
		for i, s := range got {
			if s.Has&samples.FieldStart == 0 {
				untimed++
				if !s.Success {
					failed++
				}
				if !s.Start.IsZero() {
					t.Errorf("an untimed sample keeps its start %v", s.Start)
				}
				continue
			}
			if ordered && i > 0 && got[i-1].Has&samples.FieldStart != 0 && s.Start.Before(got[i-1].Start) {
				t.Errorf("ordered: sample %d out of order", i)
			}
		}
		if len(got) != 9 || untimed != 3 || failed != 3 {
			t.Errorf("ordered %v: %d samples, %d untimed, %d failed; want 9, 3, 3", ordered, len(got), untimed, failed)
		}
		if w := warningWith(msgs, "flood.jtl:5: 3 samples have an implausible timestamp", "epoch ms 0", "3 of them failed", "timeStamp 0"); w == "" {
			t.Errorf("ordered %v: no warning counting them: %q", ordered, msgs)
		}
		if p.Count != 0 || p.Late != 0 {
			t.Errorf("ordered %v: %d problems, %d late", ordered, p.Count, p.Late)
		}
	}
}

// TestIdleGapWarning: two runs appended to one file two hours apart make
// a span whose rates are mostly idle time: a warning names the file,
// the line after the gap and the gap's length. A short pause, or one
// long pause in a long run, is no such thing.
func TestIdleGapWarning(t *testing.T) {
	t0 := int64(1_700_000_000_000)
	twoRuns := csvHeader + rows(t0, 100, 600, 50) + rows(t0+2*3_600_000, 100, 600, 50)
	for _, ordered := range []bool{false, true} {
		_, msgs, _ := read(t, "appended.jtl", twoRuns, ordered)
		if w := warningWith(msgs, "appended.jtl:102: no request was in flight for 1 h 59 min", "against 1 min 59 s busy in all", "over the whole span"); w == "" {
			t.Errorf("ordered %v: no idle-gap warning: %q", ordered, msgs)
		}
	}
	for name, data := range map[string]string{
		"a 5-minute pause":           csvHeader + rows(t0, 100, 600, 50) + rows(t0+6*60_000, 100, 600, 50),
		"11 minutes idle in 2 hours": csvHeader + rows(t0, 500, 12_000, 50) + rows(t0+500*12_000+11*60_000, 100, 12_000, 50),
	} {
		if _, msgs, _ := read(t, "one.jtl", data, false); warningWith(msgs, "no request was in flight") != "" {
			t.Errorf("%s: %q", name, msgs)
		}
	}
}

// TestLateSamplesNameTheFile: a sample written far later than JMeter's
// write order explains is passed on out of start order; the warning
// names the file and says what that does to the results.
func TestLateSamplesNameTheFile(t *testing.T) {
	t0 := int64(1_700_000_000_000)
	data := csvHeader + rows(t0, 200, 100, 10) + fmt.Sprintf("%d,10,a,200,true,T 1-9\n", t0+5_000)
	_, msgs, p := read(t, "late.jtl", data, true)
	if p.Late != 1 {
		t.Fatalf("late %d, want 1", p.Late)
	}
	if w := warningWith(msgs, "late.jtl: 1 sample came later", "out of start order", "counts, response times and rates are not affected"); w == "" {
		t.Errorf("late warning: %q", msgs)
	}
}
