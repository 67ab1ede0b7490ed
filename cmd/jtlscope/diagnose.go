package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/ids"
	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/samples/redact"
)

type diagnoseOptions struct {
	format      string
	output      string
	status      string
	ids         []string
	attribution string
	seed        uint64
	sla         string
	junit       string
}

func newDiagnoseCmd(e *env, in *inputFlags) *cobra.Command {
	var o diagnoseOptions
	cmd := &cobra.Command{
		Use:   "diagnose FILE...",
		Short: "Say which causes explain the failures: concurrency, duplicate IDs, tokens, multipart, rate limiting, timeouts",
		Long: `diagnose looks at every failing request, splits the failures by kind (each HTTP status,
each class of non-HTTP error such as read timeouts or refused connections, failed
assertions), and for each kind finds the causes that explain it, judging each cause on
what it adds given the others: a concurrency limit (with the onset and its 95% interval),
duplicate or colliding IDs, token age, tokens never validly obtained, multipart anomalies,
rate limiting, client-side timeouts and connection errors, a thread group's settings, and
what the error bodies say. Several causes can be likely at once; each failure is put down
to at most one (--attribution), and the verdict says how many no cause explains. It
prints the verdict in plain words first, then the evidence.

A cause the input cannot show (a CSV has no headers, so no tokens) is "not-assessable",
and the output says what to save next time.
` + slaHelp,
		Example: `  jtlscope diagnose results.xml
  jtlscope diagnose --status 400 --id header:x-recording-id results.xml
  jtlscope diagnose --format json --attribution failures.csv results.csv
  jtlscope diagnose --sla p95=800ms,errors=1% results.xml`,
		Args: minArgs(1, "result file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiagnose(cmd.Context(), e, in, &o, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "table", "output `format`: table, json or markdown")
	fl.StringVarP(&o.output, "output", "o", "", "write to `file` (atomically) instead of stdout")
	fl.StringVar(&o.status, "status", "failed", "which failures to explain: every failing sample (failed), or `codes` and classes such as 400, 4xx, 4xx,5xx, non-http, assertion")
	fl.StringArrayVar(&o.ids, "id", nil, "name an ID field instead of auto-detecting: header:NAME, form:NAME, json:PATH, var:NAME, query:NAME, path:N or regex:PATTERN (repeatable)")
	fl.StringVar(&o.attribution, "attribution", "", "also write one CSV row per failing sample with the cause it is put down to, to `file`")
	fl.Uint64Var(&o.seed, "seed", 1, "seed for the bootstrap intervals (results are reproducible for a given seed)")
	fl.StringVar(&o.sla, "sla", "", slaUsage)
	addJUnitFlag(fl, &o.junit)
	return cmd
}

func runDiagnose(ctx context.Context, e *env, in *inputFlags, o *diagnoseOptions, args []string) error {
	switch o.format {
	case report.FormatTable, report.FormatJSON, report.FormatMarkdown:
	default:
		return usagef("--format %q: want table, json or markdown", o.format)
	}
	status, err := diagnose.ParseStatus(o.status)
	if err != nil {
		return usagef("--status: %v", err)
	}
	specs, err := ids.ParseSpecs(o.ids)
	if err != nil {
		return usagef("--id: %v", err)
	}
	criteria, err := parseSLA(o.sla)
	if err != nil {
		return err
	}
	if err := checkJUnit(o.junit, len(criteria), "--sla"); err != nil {
		return err
	}
	d := diagnose.New(diagnose.Options{Status: status, IDs: specs, Seed: o.seed, Attribution: o.attribution != ""})
	accs := []analyze.Accumulator{d}
	// The SLA is checked on the summary's totals, which the diagnosis
	// does not compute: count them in the same pass.
	sm := summary.New(summary.Options{})
	if len(criteria) > 0 {
		accs = append(accs, sm)
	}
	rr, err := readInputs(ctx, e, in, args, true, 0, accs...)
	if err != nil {
		return err
	}
	res, err := await(outputContext(ctx, rr), "weighing the causes", d.Result)
	if err != nil {
		return err
	}
	res.Warnings = append(res.Warnings, rr.warnings...)
	res.Partial = rr.interrupted
	redact.Strings(&res)
	e.printWarnings(res.Warnings) // the analysis's own too (a --id that matched nothing)
	octx := outputContext(ctx, rr)
	if o.attribution != "" {
		rows := res.Attribution()
		redact.Strings(rows)
		if err := writeOutput(octx, e, o.attribution, func(w io.Writer) error { return report.Attribution(w, rows) }); err != nil {
			return err
		}
	}
	if err := writeOutput(octx, e, o.output, func(w io.Writer) error { return e.layout(o.output).Diagnosis(w, res, o.format) }); err != nil {
		return err
	}
	if rr.interrupted || len(criteria) == 0 {
		return finish(rr)
	}
	sr := sm.Result()
	redact.Strings(&sr)
	if err := writeSLAJUnit(o.junit, criteria, sr); err != nil {
		return err
	}
	return checkSLA(criteria, sr.Total)
}
