package jtlcsv

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// A timestamp format nobody told the reader about is worked out from the
// first rows: every row of these files is read, with the right time.
func TestDetectsUnambiguousTimestampFormats(t *testing.T) {
	// The first row is 26 November 2026 00:35:16.250 UTC, the second one
	// second and 250 ms later (written as the format allows).
	want := time.Date(2026, 11, 26, 0, 35, 16, 250e6, time.UTC)
	for _, c := range []struct {
		rows    [2]string
		pattern string // "" means any; epoch units by name
		exact   bool   // the format keeps milliseconds
	}{
		{[2]string{"2026-11-26T00:35:16", "2026-11-26T00:35:17"}, "yyyy-MM-dd'T'HH:mm:ss", false},
		{[2]string{"2026-11-26T00:35:16.250", "2026-11-26T00:35:17.500"}, "yyyy-MM-dd'T'HH:mm:ss.SSS", true},
		{[2]string{"2026-11-26T00:35:16.250Z", "2026-11-26T00:35:17.500Z"}, "yyyy-MM-dd'T'HH:mm:ss.SSSX", true},
		{[2]string{"2026-11-26T01:35:16.250123+01:00", "2026-11-26T01:35:17.500123+01:00"}, "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", true},
		{[2]string{"2026-11-26T01:35:16+0100", "2026-11-26T01:35:17+0100"}, "", false},
		{[2]string{`"2026-11-26 00:35:16,250"`, `"2026-11-26 00:35:17,500"`}, "yyyy-MM-dd HH:mm:ss,SSS", true},
		{[2]string{"26/11/2026 00:35:16", "26/11/2026 00:35:17"}, "dd/MM/yyyy HH:mm:ss", false},
		// JMeter's own fallback reads this one.
		{[2]string{"11/26/2026 00:35:16", "11/26/2026 00:35:17"}, "MM/dd/yy HH:mm:ss", false},
		{[2]string{"26.11.2026 00:35:16", "26.11.2026 00:35:17"}, "dd.MM.yyyy HH:mm:ss", false},
		{[2]string{"26-Nov-2026 00:35:16", "26-Nov-2026 00:35:17"}, "dd-MMM-yyyy HH:mm:ss", false},
		{[2]string{`"Thu, 26 Nov 2026 00:35:16 GMT"`, `"Thu, 26 Nov 2026 00:35:17 GMT"`}, "EEE, dd MMM yyyy HH:mm:ss z", false},
		{[2]string{"Thu Nov 26 01:35:16 CET 2026", "Thu Nov 26 01:35:17 CET 2026"}, "EEE MMM dd HH:mm:ss z yyyy", false},
		{[2]string{"20261126T003516Z", "20261126T003517Z"}, "yyyyMMdd'T'HHmmssX", false},
		{[2]string{"11/26/2026 12:35:16 AM", "11/26/2026 12:35:17 AM"}, "MM/dd/yyyy hh:mm:ss a", false},
		{[2]string{"1795653316", "1795653317"}, "s", false},
		{[2]string{"1795653316.250", "1795653317.500"}, "s", true},
		{[2]string{"1795653316250000", "1795653317500000"}, "us", true},
	} {
		t.Run(c.rows[0], func(t *testing.T) {
			data := "timeStamp,elapsed,label,responseCode,success\n" +
				c.rows[0] + ",10,a,200,true\n" + c.rows[1] + ",10,a,200,true\n"
			res := decodeString(t, data, samples.Options{Location: time.UTC})
			if len(res.errs) > 0 || len(res.samples) != 2 {
				t.Fatalf("%d samples, problems %v", len(res.samples), res.errs)
			}
			if got := res.meta.Saved["timestamp_format"]; c.pattern != "" && got != c.pattern {
				t.Errorf("format %q, want %q", got, c.pattern)
			}
			w := want
			if !c.exact {
				w = w.Truncate(time.Second)
			}
			if got := res.samples[0].Start.Truncate(time.Millisecond); !got.Equal(w) {
				t.Errorf("first start %s, want %s", got.UTC(), w)
			}
			if d := res.samples[1].Start.Sub(res.samples[0].Start); d < time.Second || d > 2*time.Second {
				t.Errorf("rows %s apart", d)
			}
			if !strings.Contains(strings.Join(res.meta.Notes, " "), "detected") && !strings.HasPrefix(c.pattern, "MM/dd/yy ") {
				t.Errorf("notes %q do not say the format was detected", res.meta.Notes)
			}
		})
	}
}

// Day and month that can swap: the reading with the shorter span wins
// when a later row settles it; when nothing does, month first, with a
// warning that dates may be wrong.
func TestDetectDayMonthOrder(t *testing.T) {
	rows := func(vals ...string) string {
		var b strings.Builder
		b.WriteString("timeStamp,elapsed,label,responseCode,success\n")
		for _, v := range vals {
			fmt.Fprintf(&b, "%s,10,a,200,true\n", v)
		}
		return b.String()
	}
	// 03/04 then 04/04: one day apart as dd/MM, a month as MM/dd.
	res := decodeString(t, rows("03/04/2026 23:59:00", "04/04/2026 00:01:00"), samples.Options{Location: time.UTC})
	if got := res.meta.Saved["timestamp_format"]; got != "dd/MM/yyyy HH:mm:ss" {
		t.Errorf("format %q, want day first (the shorter span)", got)
	}
	if len(res.meta.Warnings) > 0 {
		t.Errorf("warned %q though the rows settle the order", res.meta.Warnings)
	}
	res = decodeString(t, rows("03/04/2026 10:00:00", "03/04/2026 10:00:01"), samples.Options{Location: time.UTC})
	if got := res.meta.Saved["timestamp_format"]; got != "MM/dd/yy HH:mm:ss" {
		t.Errorf("format %q, want month first (JMeter's fallback)", got)
	}
	if len(res.samples) != 2 || !strings.Contains(strings.Join(res.meta.Warnings, " "), "day and month") {
		t.Errorf("%d samples, warnings %q: want both read and a warning", len(res.samples), res.meta.Warnings)
	}
}

// Without a header line the first column is the timestamp.
func TestDetectsTimestampsWithoutHeader(t *testing.T) {
	data := "2026-11-26T00:35:16.250,120,home,200,OK,TG 1-1,text,true,,1000,100,1,1,http://h/,100,0,10\n" +
		"2026-11-26T00:35:17.250,130,home,200,OK,TG 1-1,text,true,,1000,100,1,1,http://h/,100,0,10\n"
	res := decodeString(t, data, samples.Options{Location: time.UTC})
	if len(res.samples) != 2 || res.fatal != nil {
		t.Fatalf("%d samples, fatal %v, problems %v", len(res.samples), res.fatal, res.errs)
	}
}

// Milliseconds stay JMeter's way: no detection, no note.
func TestDetectLeavesMillisecondsAlone(t *testing.T) {
	res := decodeString(t, "timeStamp,elapsed,label,responseCode,success\n1795653316250,10,a,200,true\n", samples.Options{})
	if got := res.meta.Saved["timestamp_format"]; got != "ms" {
		t.Errorf("format %q", got)
	}
	for _, n := range res.meta.Notes {
		if strings.Contains(n, "detected") {
			t.Errorf("note %q", n)
		}
	}
}

// A timestamp a spreadsheet rewrote says so.
func TestSpreadsheetTimestampMessage(t *testing.T) {
	res := decodeString(t, "timeStamp,elapsed,label,responseCode,success\n1.79565E+12,10,a,200,true\n", samples.Options{})
	if len(res.errs) != 1 || !strings.Contains(res.errs[0].Msg, "spreadsheet") {
		t.Fatalf("problems %v, want one naming the spreadsheet", res.errs)
	}
}

// Times without a zone inside the hour the clocks go back are ambiguous:
// the input gets a warning (issue 13: a run read as half as long).
func TestDSTFallBackHourWarns(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database")
	}
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,success\n")
	// 25 October 2026, 01:30 to 03:30 local: 02:00-03:00 happens twice.
	for m := 0; m < 120; m += 5 {
		fmt.Fprintf(&b, "2026/10/25 %02d:%02d:00.000,10,a,200,true\n", 1+(30+m)/60, (30+m)%60)
	}
	res := decodeString(t, b.String(), samples.Options{Location: paris})
	w := strings.Join(res.meta.Warnings, " ")
	if !strings.Contains(w, "12 timestamps fall in the hour that 2026-10-25 repeats") {
		t.Errorf("warnings %q", res.meta.Warnings)
	}
	// The same run in UTC, or a day later, is not ambiguous.
	if res := decodeString(t, b.String(), samples.Options{Location: time.UTC}); len(res.meta.Warnings) > 0 {
		t.Errorf("UTC: %q", res.meta.Warnings)
	}
}
