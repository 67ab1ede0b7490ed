package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// splitRun rewrites a one-JVM run as two load generators' files, as a
// distributed run of the same load would have written them: threads with
// an odd number ran on generator A, the others on B; each row's
// allThreads and grpThreads count its own generator's threads only (the
// run's count minus the other generator's threads active when the row's
// sample ended, a thread being active from its first sample's start to its
// last sample's end). hostname names each generator in the Hostname
// column; "" empties it, leaving the files to tell them apart.
func splitRun(t *testing.T, path, dir, hostname string) (a, b string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	num := func(r []string, name string) int64 {
		n, err := strconv.ParseInt(r[col[name]], 10, 64)
		if err != nil {
			t.Fatalf("%s %q: %v", name, r[col[name]], err)
		}
		return n
	}
	type span struct{ from, to int64 }
	spans := map[string]*span{}
	onA := func(thread string) bool {
		n, _ := strconv.Atoi(thread[strings.LastIndexByte(thread, '-')+1:])
		return n%2 == 1
	}
	for _, r := range rows[1:] {
		th, s := r[col["threadName"]], num(r, "timeStamp")
		e := s + num(r, "elapsed")
		if sp := spans[th]; sp == nil {
			spans[th] = &span{s, e}
		} else {
			sp.from, sp.to = min(sp.from, s), max(sp.to, e)
		}
	}
	active := func(generatorA bool, at int64) int {
		n := 0
		for th, sp := range spans {
			if onA(th) == generatorA && sp.from <= at && at <= sp.to {
				n++
			}
		}
		return n
	}
	out := map[bool][][]string{true: {rows[0]}, false: {rows[0]}}
	for _, r := range rows[1:] {
		r = append([]string(nil), r...)
		gen := onA(r[col["threadName"]])
		end := num(r, "timeStamp") + num(r, "elapsed")
		own := max(int(num(r, "allThreads"))-active(!gen, end), 1)
		r[col["allThreads"]] = strconv.Itoa(own)
		r[col["grpThreads"]] = strconv.Itoa(own)
		r[col["Hostname"]] = hostname
		if hostname != "" {
			r[col["Hostname"]] += map[bool]string{true: "-a", false: "-b"}[gen]
		}
		out[gen] = append(out[gen], r)
	}
	write := func(name string, rows [][]string) string {
		p := filepath.Join(dir, name)
		g, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(g)
		w.WriteAll(rows)
		if err := g.Close(); err != nil || w.Error() != nil {
			t.Fatal(err, w.Error())
		}
		return p
	}
	if len(out[true]) < 100 || len(out[false]) < 100 {
		t.Fatalf("split %d / %d rows", len(out[true]), len(out[false]))
	}
	return write("gen-a.csv", out[true]), write("gen-b.csv", out[false])
}

// concurrencyOnset runs diagnose --format json and returns the onset of
// the concurrency cause.
func concurrencyOnset(t *testing.T, files ...string) (value float64, metric string) {
	t.Helper()
	stdout, stderr, code := jtlscope(t, "", append([]string{"diagnose", "--format", "json"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Causes []struct {
			Cause    string `json:"cause"`
			Evidence struct {
				Onset *struct {
					Metric string  `json:"metric"`
					Value  float64 `json:"value"`
				} `json:"onset"`
			} `json:"evidence"`
		} `json:"causes"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Causes {
		if c.Cause == "concurrency" && c.Evidence.Onset != nil {
			return c.Evidence.Onset.Value, c.Evidence.Onset.Metric
		}
	}
	t.Fatalf("no concurrency onset in %s", stdout)
	return 0, ""
}

// threadsSeries runs report and returns the threads chart's JMeter-threads
// series, window by window.
func threadsSeries(t *testing.T, files ...string) map[string]float64 {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "report")
	if _, stderr, code := jtlscope(t, "", append([]string{"report", "-o", dir}, files...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out := map[string]float64{}
	for _, r := range readChartCSV(t, dir, "threads")["active threads (JMeter)"] {
		out[r[3]] = parse(t, r[4])
	}
	return out
}

// TestDistributedRunAddsGenerators: the shared run s1-concurrency split
// into two load generators' files, each counting only its own threads,
// gives the concurrency onset and the threads chart of the single file,
// whether the generators are told apart by Hostname or by file.
func TestDistributedRunAddsGenerators(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 1.6 MB run several times")
	}
	run := samplestest.Path(t, "jmeter/s1-concurrency/results.csv")
	wantOnset, metric := concurrencyOnset(t, run)
	if metric != "threads" {
		t.Fatalf("single file: onset on %s", metric)
	}
	wantThreads := threadsSeries(t, run)
	for _, host := range []string{"loadgen", ""} {
		name := "by hostname"
		if host == "" {
			name = "by file"
		}
		t.Run(name, func(t *testing.T) {
			a, b := splitRun(t, run, t.TempDir(), host)
			// Each file alone counts about half the threads: the onset of
			// one generator is not the run's.
			if half, _ := concurrencyOnset(t, a); half > 0.75*wantOnset {
				t.Errorf("one generator's onset %.1f: the split did not halve the counts (run %.1f)", half, wantOnset)
			}
			got, _ := concurrencyOnset(t, a, b)
			if math.Abs(got-wantOnset) > 1 {
				t.Errorf("two generators: onset %.1f threads, single file %.1f", got, wantOnset)
			}
			threads := threadsSeries(t, a, b)
			if len(threads) != len(wantThreads) {
				t.Fatalf("%d windows, single file %d", len(threads), len(wantThreads))
			}
			worst := 0.0
			for x, want := range wantThreads {
				worst = max(worst, math.Abs(threads[x]-want))
			}
			if worst > 1 {
				t.Errorf("threads chart differs from the single file's by up to %.2f threads in a window", worst)
			}
			t.Logf("onset %.1f (single %.1f); threads chart within %.2f", got, wantOnset, worst)
		})
	}
}
