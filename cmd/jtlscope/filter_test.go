package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFiltersChangeEveryCommandAlike runs summary, diagnose, report and
// compare with the same filters on the bundled clean run and checks that
// each counts exactly the samples the test selects itself from the CSV.
func TestFiltersChangeEveryCommandAlike(t *testing.T) {
	in := filepath.Join(bundled, "results.csv")
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		start time.Time
		label string
	}
	var all []row
	first := time.Time{}
	for _, r := range rows[1:] {
		ms, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		st := time.UnixMilli(ms)
		if first.IsZero() || st.Before(first) {
			first = st
		}
		all = append(all, row{st, r[2]})
	}
	count := func(keep func(row) bool) int64 {
		var n int64
		for _, r := range all {
			if keep(r) {
				n++
			}
		}
		return n
	}
	clock := first.Add(12 * time.Second).UTC()
	cases := []struct {
		args []string
		keep func(row) bool
	}{
		{[]string{"--skip", "10s"}, func(r row) bool { return !r.start.Before(first.Add(10 * time.Second)) }},
		{[]string{"--from", "+5s", "--to", "+20s"}, func(r row) bool {
			return !r.start.Before(first.Add(5*time.Second)) && r.start.Before(first.Add(20*time.Second))
		}},
		{[]string{"--timezone", "UTC", "--from", clock.Format("2006-01-02 15:04:05")}, func(r row) bool {
			return !r.start.Before(clock.Truncate(time.Second))
		}},
		{[]string{"--label", "^upload"}, func(r row) bool { return strings.HasPrefix(r.label, "upload") }},
		{[]string{"--exclude-label", "token|get"}, func(r row) bool { return !regexp.MustCompile("token|get").MatchString(r.label) }},
		{[]string{"--skip", "15s", "--exclude-label", "token"}, func(r row) bool {
			return !r.start.Before(first.Add(15*time.Second)) && !strings.Contains(r.label, "token")
		}},
	}
	for _, c := range cases {
		want := count(c.keep)
		if want == 0 || want == int64(len(all)) {
			t.Fatalf("%v: the case selects %d of %d samples: it tests nothing", c.args, want, len(all))
		}
		var got struct{ Samples int64 }
		// summary
		out, errOut, code := jtlscope(t, "", append([]string{"summary", "--format", "json", in}, c.args...)...)
		if code != 0 {
			t.Fatalf("summary %v: exit %d: %s", c.args, code, errOut)
		}
		mustUnmarshal(t, out, &got)
		if got.Samples != want {
			t.Errorf("summary %v: %d samples, want %d", c.args, got.Samples, want)
		}
		if !strings.Contains(out, "filter: ") || !strings.Contains(errOut, "filter: ") {
			t.Errorf("summary %v does not say which filter was applied", c.args)
		}
		// diagnose counts requests: the same rows here (no sub-results).
		out, errOut, code = jtlscope(t, "", append([]string{"diagnose", "--format", "json", in}, c.args...)...)
		if code != 0 {
			t.Fatalf("diagnose %v: exit %d: %s", c.args, code, errOut)
		}
		mustUnmarshal(t, out, &got)
		if got.Samples != want {
			t.Errorf("diagnose %v: %d samples, want %d", c.args, got.Samples, want)
		}
		// report
		dir := filepath.Join(t.TempDir(), "r")
		if _, errOut, code := jtlscope(t, "", append([]string{"report", in, "-o", dir}, c.args...)...); code != 0 {
			t.Fatalf("report %v: exit %d: %s", c.args, code, errOut)
		}
		mustReadJSON(t, filepath.Join(dir, "summary.json"), &got)
		if got.Samples != want {
			t.Errorf("report %v: %d samples, want %d", c.args, got.Samples, want)
		}
		page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
		if !strings.Contains(string(page), "<dt>Filters</dt>") {
			t.Errorf("report %v: the page does not say which filters were applied", c.args)
		}
		// compare: both sides filtered alike.
		out, errOut, code = jtlscope(t, "", append([]string{"compare", "--format", "json", "--resamples", "99", in, in}, c.args...)...)
		if code != 0 {
			t.Fatalf("compare %v: exit %d: %s", c.args, code, errOut)
		}
		var cmp struct{ Base, New struct{ Samples int64 } }
		mustUnmarshal(t, out, &cmp)
		if cmp.Base.Samples != want || cmp.New.Samples != want {
			t.Errorf("compare %v: %d and %d samples, want %d", c.args, cmp.Base.Samples, cmp.New.Samples, want)
		}
	}
	for _, bad := range [][]string{{"--from", "yesterday"}, {"--skip", "-5s"}, {"--label", "("}, {"--only", "both"},
		{"--from", "+40s", "--to", "+10s"}, {"--skip", "5s", "--from", "+1s"}} {
		if _, errOut, code := jtlscope(t, "", append([]string{"summary", in}, bad...)...); code != exitUsage {
			t.Errorf("%v: exit %d (%s), want a usage error", bad, code, errOut)
		}
	}
	if _, errOut, code := jtlscope(t, "", "summary", in, "--label", "no such label"); code != exitError || !strings.Contains(errOut, "left after the filter") {
		t.Errorf("a filter that keeps nothing: exit %d: %s", code, errOut)
	}
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v:\n%s", err, s)
	}
}

// TestOnlyTransactionsOrRequests: --only splits a run with Transaction
// Controller rows into the two kinds.
func TestOnlyTransactionsOrRequests(t *testing.T) {
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,Latency,IdleTime,Connect\n")
	for i := range 30 {
		ts := 1_700_000_000_000 + int64(i)*1000
		b.WriteString(strconv.FormatInt(ts, 10) + ",100,login,200,OK,tg 1-1,text,true,,10,5,1,1,50,0,1\n")
		b.WriteString(strconv.FormatInt(ts+100, 10) + ",50,home,200,OK,tg 1-1,text,true,,10,5,1,1,20,0,1\n")
		b.WriteString(strconv.FormatInt(ts, 10) + ",150,TC flow,200,\"Number of samples in transaction : 2, number of failing samples : 0\",tg 1-1,,true,,20,10,1,1,70,0,2\n")
	}
	in := filepath.Join(t.TempDir(), "tc.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Samples      int64
		Transactions int64
		Labels       []struct{ Label string }
	}
	out, errOut, code := jtlscope(t, "", "summary", "--format", "json", "--only", "requests", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustUnmarshal(t, out, &got)
	if got.Samples != 60 || got.Transactions != 0 || len(got.Labels) != 2 {
		t.Errorf("--only requests: %+v", got)
	}
	got.Labels = nil
	out, _, _ = jtlscope(t, "", "summary", "--format", "json", "--only", "transactions", in)
	mustUnmarshal(t, out, &got)
	if got.Transactions != 30 || len(got.Labels) != 1 || got.Labels[0].Label != "TC flow" {
		t.Errorf("--only transactions: %+v", got)
	}
}
