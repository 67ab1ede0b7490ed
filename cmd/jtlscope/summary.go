package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

type summaryOptions struct {
	format string
	output string
	exact  bool
	sla    string
	junit  string
}

func newSummaryCmd(e *env, in *inputFlags) *cobra.Command {
	var o summaryOptions
	cmd := &cobra.Command{
		Use:   "summary FILE...",
		Short: "Per-label statistics: samples, errors, percentiles, throughput, codes",
		Long: `summary prints JMeter's statistics table for one or more result files: per label the
samples, errors, error %, mean, min, max, p50, p90, p95, p99, throughput and KB/s, with a
total row. Transaction Controller rows are marked (TC) and kept out of the total, as
JMeter does, and the samplers inside them count whether the file nests them or not; a
parent with sub-results counts once unless --subresults is given.

Percentiles use JMeter's estimator. They are exact while the elapsed times fit in a
memory budget (about two million samples, 32 MB); beyond it they come from histograms whose
relative error is at most 0.098% (2^-10). --exact keeps every value.
` + slaHelp,
		Example: `  jtlscope summary results.jtl
  jtlscope summary --format markdown results.xml > stats.md
  jtlscope summary --format json run/*.csv.gz
  jtlscope summary --sla p95=800ms,errors=1% results.jtl`,
		Args: minArgs(1, "result file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSummary(cmd.Context(), e, in, &o, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "table", "output `format`: table, json, csv or markdown")
	fl.StringVarP(&o.output, "output", "o", "", "write to `file` (atomically) instead of stdout")
	fl.BoolVar(&o.exact, "exact", false, "keep every elapsed time for exact percentiles, whatever the memory cost")
	fl.StringVar(&o.sla, "sla", "", slaUsage)
	addJUnitFlag(fl, &o.junit)
	return cmd
}

func runSummary(ctx context.Context, e *env, in *inputFlags, o *summaryOptions, args []string) error {
	switch o.format {
	case report.FormatTable, report.FormatJSON, report.FormatCSV, report.FormatMarkdown:
	default:
		return usagef("--format %q: want table, json, csv or markdown", o.format)
	}
	criteria, err := parseSLA(o.sla)
	if err != nil {
		return err
	}
	if err := checkJUnit(o.junit, len(criteria), "--sla"); err != nil {
		return err
	}
	sm := summary.New(summary.Options{Exact: o.exact})
	need := samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode |
		samples.FieldSuccess | samples.FieldBytes | samples.FieldSentBytes | samples.FieldSampleCount
	rr, err := readInputs(ctx, e, in, args, false, need, sm)
	if err != nil {
		return err
	}
	res, err := await(outputContext(ctx, rr), "computing the statistics", sm.Result)
	if err != nil {
		return err
	}
	res.Warnings = append(res.Warnings, rr.warnings...)
	res.Partial = rr.interrupted
	redact.Strings(&res)
	e.printWarnings(res.Warnings)
	if err := writeOutput(outputContext(ctx, rr), e, o.output, func(w io.Writer) error { return e.layout(o.output).Summary(w, res, o.format) }); err != nil {
		return err
	}
	if rr.interrupted || len(criteria) == 0 {
		return finish(rr)
	}
	if err := writeSLAJUnit(o.junit, criteria, res); err != nil {
		return err
	}
	return checkSLA(criteria, res.Total)
}
