package main

import (
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/jtlscope/jtlscope/analyze/compare"
	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/report"
)

// junitUsage documents --junit for the commands that check criteria.
const junitUsage = "also write the criteria as JUnit XML test cases to `FILE`, one per criterion and label, for a CI server's test report"

func addJUnitFlag(fl *pflag.FlagSet, to *string) { fl.StringVar(to, "junit", "", junitUsage) }

// checkJUnit refuses --junit without criteria: a JUnit file of no tests
// reads as "no tests found" on most CI servers, which hides the mistake.
func checkJUnit(path string, criteria int, flag string) error {
	if path != "" && criteria == 0 {
		return usagef("--junit writes the %s criteria as test cases: give %s too", flag, flag)
	}
	return nil
}

// slaCases judges each criterion on the total and on every label. The
// exit code follows the total; the labels' cases show which one broke a
// limit.
func slaCases(cs sla.Criteria, s summary.Result) []report.JUnitCase {
	var out []report.JUnitCase
	add := func(label string, r summary.Row) {
		for _, j := range cs.Judge(totalValues(r)) {
			out = append(out, report.JUnitCase{Label: label, Criterion: j.Criterion.String(), Failed: j.Broken, Message: j.Message()})
		}
	}
	add("TOTAL", s.Total)
	for _, r := range s.Labels {
		add(r.Label, r)
	}
	return out
}

// writeSLAJUnit writes the --sla criteria's cases to path.
func writeSLAJUnit(path string, cs sla.Criteria, s summary.Result) error {
	if path == "" {
		return nil
	}
	suites := []report.JUnitSuite{{Name: "sla", Cases: slaCases(cs, s)}}
	return report.WriteFile(path, func(w io.Writer) error {
		return report.JUnit(w, "jtlscope --sla "+cs.String(), time.Now(), suites)
	})
}

// writeFailOnJUnit writes compare's --fail-on limits, judged per label
// and on the total.
func writeFailOnJUnit(path string, limits []compare.FailOn, r compare.Result) error {
	if path == "" {
		return nil
	}
	var cases []report.JUnitCase
	for _, row := range append([]compare.Row{r.Total}, r.Rows...) {
		for _, f := range limits {
			msg, broken := compare.Judge(row, f)
			cases = append(cases, report.JUnitCase{Label: row.Label, Criterion: f.String(), Failed: broken,
				Skipped: !compare.Evaluated(row, f), Message: msg})
		}
	}
	suites := []report.JUnitSuite{{Name: "fail-on", Cases: cases}}
	return report.WriteFile(path, func(w io.Writer) error {
		return report.JUnit(w, "jtlscope compare --fail-on", time.Now(), suites)
	})
}
