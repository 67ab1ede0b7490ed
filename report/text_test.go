package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/analyze/summary"
)

func TestFitLine(t *testing.T) {
	bullet := "  - concurrency (likely): The failure rate is 0.6% (14 of 2,207) below 55 threads and 87% (3,580 of 4,106) at or above it."
	got := fitLine(bullet, 40)
	lines := strings.Split(got, "\n")
	if len(lines) < 3 {
		t.Fatalf("not wrapped:\n%s", got)
	}
	for i, l := range lines {
		if displaywidth.String(l) > 40 {
			t.Errorf("line %d is %d wide: %q", i, displaywidth.String(l), l)
		}
		if i > 0 && !strings.HasPrefix(l, "    ") {
			t.Errorf("line %d does not hang under the bullet's text: %q", i, l)
		}
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(bullet), " ") {
		t.Errorf("words changed:\n%s", got)
	}
	// Tables are never broken, nor are words longer than a line.
	row := "| upload screen recording |   6,313 |  3,594 |   56.93 |   402.1 |    400 |    436 |"
	if fitLine(row, 40) != row || fitLine("  +----------+----------+----------+----------+-------", 20) != "  +----------+----------+----------+----------+-------" {
		t.Error("a table line was wrapped")
	}
	url := "see http://localhost/a/very/long/path/that/is/one/word/and/must/stay/whole"
	if got := fitLine(url, 20); got != "see\nhttp://localhost/a/very/long/path/that/is/one/word/and/must/stay/whole" {
		t.Errorf("long word: %q", got)
	}
	// Wide characters count twice.
	if got := fitLine("录音 录音 录音 录音 录音", 10); strings.Count(got, "\n") != 2 {
		t.Errorf("East Asian text measured in runes: %q", got)
	}
	if fitLine(bullet, 0) != bullet {
		t.Error("width 0 wrapped")
	}
}

func TestFitWriterAcrossWrites(t *testing.T) {
	var b bytes.Buffer
	fw := fitTo(&b, 20)
	for _, part := range []string{"  one two three ", "four five six seven\n| a | b |", " c | d | e | f | g |\n", "tail without newline"} {
		fw.Write([]byte(part))
	}
	if err := fw.flush(); err != nil {
		t.Fatal(err)
	}
	want := "  one two three four\n  five six seven\n| a | b | c | d | e | f | g |\ntail without newline"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSummaryCells(t *testing.T) {
	if got := Codes(map[string]int64{"400": 3594, "201": 2719, "": 3}); got != "400:3,594 201:2,719 (none):3" {
		t.Errorf("Codes: %q", got)
	}
	if perSecond(0.003) != "0.003" || perSecond(38.64) != "38.64" || perSecond(0) != "0.00" {
		t.Errorf("perSecond: %s %s %s", perSecond(0.003), perSecond(38.64), perSecond(0))
	}
	r := summary.Result{
		Labels: []summary.Row{{Label: "a", Samples: 1200, Codes: map[string]int64{"200": 1200}, SentKBPerS: 0}},
		Total:  summary.Row{Samples: 1200, Codes: map[string]int64{"200": 1200}},
	}
	for _, c := range []struct {
		noSent bool
		format string
		want   string
	}{
		{false, FormatTable, "0.00 | 200:1,200"},
		{true, FormatTable, "| 200:1,200"},
		{false, FormatCSV, ",0,200:1200"},
		{true, FormatCSV, ",,200:1200"},
	} {
		r.NoSentBytes = c.noSent
		var b bytes.Buffer
		if err := Summary(&b, r, c.format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s, no sent bytes %v: %q not in\n%s", c.format, c.noSent, c.want, b.String())
		}
		if c.noSent && c.format == FormatTable && strings.Contains(b.String(), "0.00 | 200") {
			t.Errorf("unrecorded sent KB/s printed as 0.00:\n%s", b.String())
		}
	}
}

// TestLayoutNarrowsTheSummary: on 80 columns the summary fits and says
// what it left out; without a terminal it keeps every column.
func TestLayoutNarrowsTheSummary(t *testing.T) {
	r := summary.Result{Total: summary.Row{Label: "TOTAL", Samples: 12645, Codes: map[string]int64{"200": 6332, "400": 3594, "201": 2719}}}
	r.Labels = []summary.Row{{Label: "upload screen recording", Samples: 6313, Codes: map[string]int64{"400": 3594, "201": 2719}}}
	var wide, narrow bytes.Buffer
	if err := Summary(&wide, r, FormatTable); err != nil {
		t.Fatal(err)
	}
	if err := (Layout{Width: 80}).Summary(&narrow, r, FormatTable); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wide.String(), "sent KB/s") || strings.Contains(wide.String(), "left out") {
		t.Errorf("full table:\n%s", wide.String())
	}
	for _, l := range strings.Split(narrow.String(), "\n") {
		if displaywidth.String(l) > 80 {
			t.Errorf("%d wide: %q", displaywidth.String(l), l)
		}
	}
	if !strings.Contains(narrow.String(), "left out to fit 80 columns") || !strings.Contains(narrow.String(), "p95 ms") {
		t.Errorf("narrow table:\n%s", narrow.String())
	}
}

// TestLittleTextNeverContradictsItself: requests in flight within a few
// percent of the threads read as threads busy all the time, never as
// "1.0 times the threads … so requests in flight exceed threads".
func TestLittleTextNeverContradictsItself(t *testing.T) {
	for _, l := range []concurrency.LittleCheck{
		{MeanInFlight: 4.9965, Throughput: 1.407, MeanResponseS: 3.551, MeanThreads: 4.9658, BusyShare: 1},
		{MeanInFlight: 3, Throughput: 1, MeanResponseS: 3, MeanThreads: 6, BusyShare: 0.5},
		{MeanInFlight: 12, Throughput: 4, MeanResponseS: 3, MeanThreads: 4, InFlightPerThread: 3, Mismatch: "Threads sent requests in parallel."},
	} {
		s := littleText(l)
		ratio := fmt.Sprintf("%.1f times", l.MeanInFlight/l.MeanThreads)
		if strings.Contains(s, "1.0 times") || (l.InFlightPerThread > 0) != strings.Contains(s, ratio) {
			t.Errorf("%+v:\n%s", l, s)
		}
	}
}
