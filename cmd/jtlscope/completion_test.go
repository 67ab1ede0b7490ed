package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/ids"
)

// TestCompletionOffersFlagValues asks the completion as the shell scripts
// do (cobra's hidden __complete command), and checks that every value
// offered is one the command accepts.
func TestCompletionOffersFlagValues(t *testing.T) {
	complete := func(args ...string) []string {
		t.Helper()
		out, errOut, code := jtlscope(t, "", append([]string{"__complete"}, args...)...)
		if code != 0 {
			t.Fatalf("__complete %v: exit %d: %s", args, code, errOut)
		}
		var vals []string
		for _, line := range strings.Split(out, "\n") {
			if line == "" || strings.HasPrefix(line, ":") {
				continue
			}
			v, _, _ := strings.Cut(line, "\t")
			vals = append(vals, v)
		}
		return vals
	}
	csv := filepath.Join(bundled, "results.csv")
	for _, cmd := range []string{"summary", "diagnose", "compare"} {
		vals := complete(cmd, "--format", "")
		if len(vals) < 3 {
			t.Errorf("%s --format: %v", cmd, vals)
		}
		for _, f := range vals {
			args := []string{cmd, "--format", f, csv}
			if cmd == "compare" {
				args = []string{cmd, "--format", f, "--resamples", "19", csv, "--", csv}
			}
			if _, errOut, code := jtlscope(t, "", args...); code != 0 {
				t.Errorf("%s --format %s is offered but fails: exit %d: %s", cmd, f, code, errOut)
			}
		}
	}
	if vals := complete("summary", "--input-format", ""); strings.Join(vals, " ") != "csv xml har" {
		t.Errorf("--input-format: %v", vals)
	}
	for _, cmd := range []string{"diagnose", "report"} {
		vals := complete(cmd, "--status", "")
		if len(vals) < 4 || vals[0] != "4xx" {
			t.Errorf("%s --status: %v", cmd, vals)
		}
		for _, v := range vals {
			if _, err := diagnose.ParseStatus(v); err != nil {
				t.Errorf("--status %s is offered but refused: %v", v, err)
			}
		}
		if vals := complete(cmd, "--id", ""); len(vals) != 7 {
			t.Errorf("%s --id: %v", cmd, vals)
		} else {
			for _, v := range vals {
				example := v + "1"
				if v == "regex:" {
					example = v + "id=([0-9]+)"
				}
				if _, err := ids.ParseSpecs([]string{example}); err != nil {
					t.Errorf("--id %s… is offered but refused: %v", v, err)
				}
			}
		}
	}
	// After a comma, the list so far is kept.
	if vals := complete("diagnose", "--status", "4xx,5"); len(vals) == 0 || !strings.HasPrefix(vals[0], "4xx,") {
		t.Errorf("--status 4xx,5: %v", vals)
	}
}

// TestUsageErrorsPointToTheCommandsHelp: a mistake in `jtlscope diagnose`
// sends the user to `jtlscope diagnose --help`, which has the flag.
func TestUsageErrorsPointToTheCommandsHelp(t *testing.T) {
	csv := filepath.Join(bundled, "results.csv")
	for _, c := range []struct {
		args []string
		help string
	}{
		{[]string{"diagnose", "--format", "yaml", csv}, "jtlscope diagnose --help"},
		{[]string{"diagnose", "--no-such-flag", csv}, "jtlscope diagnose --help"},
		{[]string{"summary"}, "jtlscope summary --help"},
		{[]string{"compare", csv}, "jtlscope compare --help"},
		{[]string{"report", csv}, "jtlscope report --help"},
		{[]string{"nosuchcommand"}, "'jtlscope --help'"},
	} {
		_, errOut, code := jtlscope(t, "", c.args...)
		if code != exitUsage || !strings.Contains(errOut, "Run '") || !strings.Contains(errOut, c.help) {
			t.Errorf("%v: exit %d, stderr %q; want a pointer to %s", c.args, code, errOut, c.help)
		}
	}
}
