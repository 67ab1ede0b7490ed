package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/dashboard"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/ids"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/samples/redact"
)

type reportOptions struct {
	output   string
	force    bool
	title    string
	sla      string
	status   string
	ids      []string
	seed     uint64
	baseline []string
	apdex    string
	junit    string
}

func newReportCmd(e *env, in *inputFlags) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report FILE... -o DIR",
		Short: "Write a capacity report: one HTML page, Markdown, PNG/SVG charts, CSV tables and JSON",
		Long: `report reads the inputs once and writes a capacity report into DIR:

  index.html        one self-contained page (inline SVG charts, no script, no network),
                    readable on screen and printed
  report.md         the same in Markdown, linking the PNG charts
  charts/NAME.png   each chart at 16 × 9 cm, 150 dpi, and as NAME.svg
  tables/NAME.csv   the data behind each chart, the per-label statistics, the
                    per-level measurements, the time windows and the causes
  summary.json      what 'jtlscope summary --format json' prints
  diagnosis.json    what 'jtlscope diagnose --format json' prints
  capacity.json     levels, plateaus, the Universal Scalability Law fit, knee, SLA level

The charts: active threads and requests in flight, response codes per second,
transactions per second by label, bytes received and sent per second, latency and
connect time over time; failure rate against concurrency with the onset and its
interval, measured goodput against concurrency with the USL fit and its peak N*,
latency percentiles against concurrency and over time; the response-time percentile
curve and distribution, response time against request rate, APDEX per label; token
age by outcome, duplicate-ID reuse over time, multipart anomalies by kind, and
failures by label and code. The page also has JMeter's errors and "top 5 errors by
sampler" tables, and the measurements per concurrency level by label. A chart the
input cannot feed (a CSV has no request bodies, so no multipart chart) is left out
with a note saying what to save next time.

With --sla, the capacity section states the highest concurrency at which every level
up to it met the criteria ("sustainable: 48 threads at p95 ≤ 800 ms and errors ≤ 1%");
without it, the highest that met a default criterion (failures at most 1 point above
the low-load rate, p95 within twice its low-load value). --junit FILE writes the --sla
criteria as JUnit test cases for a CI server.

DIR is replaced as a whole when it is a previous report (it holds a .jtlscope-report
file) or empty; any other existing directory is refused unless --force, which writes
the report's files into it and leaves everything else there alone.
` + slaHelp,
		Example: `  jtlscope report results.xml -o report/
  jtlscope report --sla p95=800ms,errors=1% run1.jtl run2.jtl -o capacity-2024-05
  jtlscope report --status 4xx,5xx --title "Upload API, 80 threads" results.csv -o out
  jtlscope report --baseline last-week.jtl results.jtl -o out
  jtlscope report --skip 60s --sla p95=800ms,errors=1% --junit sla.xml results.jtl -o out`,
		Args: minArgs(1, "result file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), e, in, &o, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.output, "output", "o", "", "write the report into `DIR` (required)")
	fl.BoolVar(&o.force, "force", false, "write into DIR even if it holds files that are not a jtlscope report")
	fl.StringVar(&o.title, "title", "", "`title` of the report (default \"Capacity report\")")
	fl.StringVar(&o.sla, "sla", "", slaUsage)
	fl.StringVar(&o.status, "status", "failed", "which failures the diagnosis explains: every failing sample (failed), or `codes` and classes such as 400, 4xx, 4xx,5xx, non-http, assertion")
	fl.StringArrayVar(&o.ids, "id", nil, "name an ID field instead of auto-detecting: header:NAME, form:NAME, json:PATH, var:NAME, query:NAME, path:N or regex:PATTERN (repeatable)")
	fl.Uint64Var(&o.seed, "seed", 1, "seed for the bootstrap intervals (results are reproducible for a given seed)")
	addJUnitFlag(fl, &o.junit)
	fl.StringVar(&o.apdex, "apdex", "500ms,1500ms", "APDEX `T,F` thresholds: satisfied up to T, tolerated up to F (JMeter's defaults)")
	fl.StringArrayVar(&o.baseline, "baseline", nil, "a baseline run's result `file` (repeatable): adds charts of both runs' failure rate and latency against concurrency")
	return cmd
}

func runReport(ctx context.Context, e *env, in *inputFlags, o *reportOptions, args []string) error {
	if o.output == "" || o.output == "-" {
		return usagef("report: give the output directory with -o DIR")
	}
	criteria, err := parseSLA(o.sla)
	if err != nil {
		return err
	}
	if err := checkJUnit(o.junit, len(criteria), "--sla"); err != nil {
		return err
	}
	status, err := diagnose.ParseStatus(o.status)
	if err != nil {
		return usagef("--status: %v", err)
	}
	specs, err := ids.ParseSpecs(o.ids)
	if err != nil {
		return usagef("--id: %v", err)
	}
	apdex, err := parseApdex(o.apdex)
	if err != nil {
		return err
	}
	// One pass in start order feeds every analysis the report draws.
	sm := summary.New(summary.Options{})
	dg := diagnose.New(diagnose.Options{Status: status, IDs: specs, Seed: o.seed})
	tl := timeline.New()
	lv := capacity.NewLevels()
	db := dashboard.New(dashboard.Options{Apdex: apdex})
	rr, err := readInputs(ctx, e, in, args, true, 0, sm, dg, tl, lv, db)
	if err != nil {
		return err
	}
	e.printWarnings(rr.warnings)
	actx := outputContext(ctx, rr)
	r, err := await(actx, "analysing the run", func() *report.CapacityReport {
		series := tl.Result()
		return &report.CapacityReport{
			Title:     o.title,
			Generated: time.Now(),
			Version:   versionString(),
			Summary:   sm.Result(),
			Diagnosis: dg.Result(),
			Timeline:  series,
			Dashboard: db.Result(),
			Capacity:  lv.Result(series, criteria, o.seed),
			SLA:       criteria,
			Filter:    rr.filter,
			Warnings:  rr.warnings,
		}
	})
	if err != nil {
		return err
	}
	r.Summary.Partial, r.Diagnosis.Partial, r.Capacity.Partial = rr.interrupted, rr.interrupted, rr.interrupted
	if len(o.baseline) > 0 {
		bd := diagnose.New(diagnose.Options{Status: status, IDs: specs, Seed: o.seed})
		btl, blv := timeline.New(), capacity.NewLevels()
		brr, err := readInputs(ctx, e, in, o.baseline, true, 0, bd, btl, blv)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		if brr.interrupted {
			return interrupted{"interrupted while reading the baseline; nothing was written"}
		}
		for _, w := range brr.warnings {
			r.Warnings = append(r.Warnings, "baseline: "+w)
		}
		b, err := await(actx, "analysing the baseline", func() *report.Baseline {
			bs := btl.Result()
			return &report.Baseline{Diagnosis: bd.Result(), Timeline: bs, Capacity: blv.Result(bs, criteria, o.seed)}
		})
		if err != nil {
			return err
		}
		r.Baseline = b
	}
	r.Violations = criteria.Check(totalValues(r.Summary.Total))
	for _, i := range rr.inputs {
		r.Inputs = append(r.Inputs, report.Input{Name: i.Name, Meta: i.Meta})
	}
	// Every string from the inputs is masked before the charts and the
	// writers see it.
	redact.Strings(r)
	if _, err := await(actx, "drawing the charts", func() bool { r.Draw(); return true }); err != nil {
		return err
	}
	dir, err := report.WriteReportDirContext(actx, o.output, r, report.ReportDirOptions{Force: o.force, Partial: rr.interrupted})
	if errors.Is(err, context.Canceled) {
		return interrupted{"interrupted while writing the report; " + o.output + " was left as it was"}
	}
	if err != nil {
		return err
	}
	drawn, left := 0, []string(nil)
	for _, f := range r.Figures {
		if f.Chart != nil {
			drawn++
		} else {
			left = append(left, f.Name)
		}
	}
	msg := fmt.Sprintf("wrote %s (%d charts", filepath.Join(dir, "index.html"), drawn)
	if len(left) > 0 {
		msg += "; left out, see the notes in the report: " + strings.Join(left, ", ")
	}
	fmt.Fprintln(e.stdout, msg+")")
	if rr.interrupted {
		if filepath.Clean(dir) != filepath.Clean(o.output) {
			return interrupted{fmt.Sprintf("interrupted: the complete report in %s was kept; the partial one (the samples read before the interrupt) is in %s", o.output, dir)}
		}
		return finish(rr)
	}
	if len(criteria) > 0 {
		if err := writeSLAJUnit(o.junit, criteria, r.Summary); err != nil {
			return err
		}
		return checkSLA(criteria, r.Summary.Total)
	}
	return nil
}

// parseApdex reads --apdex "500ms,1500ms" (bare numbers are
// milliseconds).
func parseApdex(v string) (dashboard.Apdex, error) {
	t, f, ok := strings.Cut(v, ",")
	if !ok {
		return dashboard.Apdex{}, usagef("--apdex %q: want T,F such as 500ms,1500ms", v)
	}
	var a dashboard.Apdex
	for i, s := range []string{t, f} {
		s = strings.TrimSpace(s)
		d, err := time.ParseDuration(s)
		if err != nil {
			ms, err2 := strconv.ParseFloat(s, 64)
			if err2 != nil {
				return a, usagef("--apdex %q: %q is not a duration such as 500ms", v, s)
			}
			d = time.Duration(ms * float64(time.Millisecond))
		}
		if d <= 0 {
			return a, usagef("--apdex %q: thresholds must be positive", v)
		}
		if i == 0 {
			a.T = d
		} else {
			a.F = d
		}
	}
	if a.F < a.T {
		return a, usagef("--apdex %q: F (tolerated) must be at least T (satisfied)", v)
	}
	return a, nil
}
