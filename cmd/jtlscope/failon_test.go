package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shortAndLongRuns writes a baseline of 101 requests within 7 s (fewer
// than two 10 s windows), none failing, and a new run of 1,200 over 10
// minutes, half failing and five times slower.
func shortAndLongRuns(t *testing.T) (base, nw string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, n int, spanMS int64, elapsed int, failEvery int) string {
		var b strings.Builder
		b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,success\n")
		for i := 0; i < n; i++ {
			ok, code := "true", "200"
			if failEvery > 0 && i%failEvery == 0 {
				ok, code = "false", "500"
			}
			fmt.Fprintf(&b, "%d,%d,api,%s,x,TG 1-%d,%s\n", 1_700_000_000_000+int64(i)*spanMS/int64(n), elapsed+i%7, code, 1+i%5, ok)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("base.csv", 101, 6_900, 100, 0), write("new.csv", 1200, 600_000, 500, 2)
}

// TestFailOnShortBaseline: a baseline too short for time windows is
// still compared on its error rate and percentiles, so a clear
// regression breaks --fail-on; a limit that cannot be judged (a rate of
// a 7 s run) gives exit code 4 and says so, never a silent 0; a flag
// written after "--" is a usage error that says where flags go.
func TestFailOnShortBaseline(t *testing.T) {
	base, nw := shortAndLongRuns(t)
	if out, errOut, code := jtlscope(t, "", "compare", "--resamples", "199", "--fail-on", "errors=+1pp,p95=+10%", base, "--", nw); code != exitSLA ||
		!strings.Contains(errOut, "TOTAL: error_pct") || !strings.Contains(out, "compared sample by sample") {
		t.Errorf("short baseline, 0%% → 50%% errors: exit %d\n%s\n%s", code, errOut, out)
	}
	path := filepath.Join(t.TempDir(), "j.xml")
	out, errOut, code := jtlscope(t, "", "compare", "--resamples", "199", "--fail-on", "throughput=-5%", "--junit", path, base, "--", nw)
	if code != exitUnevaluated || !strings.Contains(errOut, "could not be evaluated") || !strings.Contains(out, "NOT EVALUATED") {
		t.Errorf("a throughput limit on a 7 s baseline: exit %d\n%s\n%s", code, errOut, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	validateJUnit(t, path)
	if !strings.Contains(string(raw), "<skipped message=") {
		t.Errorf("the JUnit case of a limit not evaluated is not skipped:\n%s", raw)
	}
	if _, errOut, code := jtlscope(t, "", "compare", base, "--", nw, "--fail-on", "errors=+1pp"); code != exitUsage ||
		!strings.Contains(errOut, `put flags before the "--"`) {
		t.Errorf("--fail-on after --: exit %d: %s", code, errOut)
	}
}
