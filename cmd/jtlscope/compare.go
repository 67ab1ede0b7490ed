package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/analyze/compare"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/samples/redact"
)

type compareOptions struct {
	base, new []string
	format    string
	output    string
	failOn    string
	block     string
	resamples int
	seed      uint64
	junit     string
}

func newCompareCmd(e *env, in *inputFlags) *cobra.Command {
	var o compareOptions
	cmd := &cobra.Command{
		Use:   "compare BASE... -- NEW...",
		Short: "Did this run get better or worse than a baseline? Per label, with significance",
		Long: `compare sets a run against a baseline, per label: error %, p50, p90, p95, p99 and
throughput in both, the difference with a 95% interval, and a verdict per row: worse,
better, or ~ (no significant change).

Requests within a run are not independent, so intervals come from a block bootstrap
that resamples whole 10-second windows of each run, never single requests. A change is
called only when its interval excludes zero. It also sets the failure causes of both
runs side by side (appeared, disappeared, changed) and their capacity: the failure
onset and the USL peak.

--fail-on exits with code 3 when a metric got significantly worse by more than a
limit, for CI pipelines: p95=+10% (relative), errors=+1pp (percentage points),
p99=+200ms, throughput=-5%. A limit that cannot be judged on the total (too few
samples) is named, and the exit code is 4 unless another was broken. Flags go
before the "--": everything after it is a file of the new run.`,
		Example: `  jtlscope compare baseline.jtl -- candidate.jtl
  jtlscope compare --base run1.csv --new run2.csv --fail-on p95=+10%,errors=+1pp`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(o.base) == 0 && len(o.new) == 0 {
				switch dash := cmd.ArgsLenAtDash(); {
				case dash > 0:
					o.base, o.new = args[:dash], args[dash:]
					if err := flagAfterDash(cmd, o.new); err != nil {
						return err
					}
				case dash < 0 && len(args) == 2:
					o.base, o.new = args[:1], args[1:]
				default:
					return usagef("compare: give BASE... -- NEW..., two files, or --base and --new")
				}
			} else if len(args) > 0 {
				return usagef("compare: give files either as arguments or with --base/--new, not both")
			}
			if len(o.base) == 0 || len(o.new) == 0 {
				return usagef("compare: both a baseline and a new run are needed")
			}
			return runCompare(cmd.Context(), e, in, &o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.base, "base", nil, "baseline result `file` (repeatable)")
	fl.StringArrayVar(&o.new, "new", nil, "new result `file` (repeatable)")
	fl.StringVarP(&o.format, "format", "f", "table", "output `format`: table, json or markdown")
	fl.StringVarP(&o.output, "output", "o", "", "write to `file` (atomically) instead of stdout")
	fl.StringVar(&o.failOn, "fail-on", "", "exit with code 3 when a metric got significantly worse by more than a `limit`: p95=+10%,errors=+1pp,p99=+200ms,throughput=-5%")
	fl.StringVar(&o.block, "block", "10s", "length of the time windows the bootstrap resamples")
	fl.IntVar(&o.resamples, "resamples", 999, "bootstrap resamples")
	fl.Uint64Var(&o.seed, "seed", 1, "seed for the bootstrap (results are reproducible for a given seed)")
	addJUnitFlag(fl, &o.junit)
	return cmd
}

// side is what one run yields.
type side struct {
	col  *compare.Collector
	diag diagnose.Result
	cap  capacity.Result
	rr   *readResult
}

func readSide(ctx context.Context, e *env, in *inputFlags, files []string, o *compareOptions, block time.Duration) (*side, error) {
	s := &side{col: compare.NewCollector(block)}
	d := diagnose.New(diagnose.Options{Seed: o.seed})
	tl := timeline.New()
	lv := capacity.NewLevels()
	rr, err := readInputs(ctx, e, in, files, true, 0, s.col, d, tl, lv)
	if err != nil {
		return nil, err
	}
	s.rr = rr
	type results struct {
		diag diagnose.Result
		cap  capacity.Result
	}
	res, err := await(ctx, "analysing "+strings.Join(files, ", "), func() results {
		return results{d.Result(), lv.Result(tl.Result(), nil, o.seed)}
	})
	if err != nil {
		return nil, err
	}
	s.diag, s.cap = res.diag, res.cap
	return s, nil
}

func runCompare(ctx context.Context, e *env, in *inputFlags, o *compareOptions) error {
	switch o.format {
	case report.FormatTable, report.FormatJSON, report.FormatMarkdown:
	default:
		return usagef("--format %q: want table, json or markdown", o.format)
	}
	limits, err := compare.ParseFailOn(o.failOn)
	if err != nil {
		return usagef("--fail-on: %v", err)
	}
	if err := checkJUnit(o.junit, len(limits), "--fail-on"); err != nil {
		return err
	}
	block, err := time.ParseDuration(o.block)
	if err != nil || block <= 0 {
		return usagef("--block %q: want a duration such as 10s", o.block)
	}
	base, err := readSide(ctx, e, in, o.base, o, block)
	if err != nil {
		return err
	}
	if base.rr.interrupted {
		return interrupted{"interrupted while reading the baseline; nothing was written"}
	}
	nw, err := readSide(ctx, e, in, o.new, o, block)
	if err != nil {
		return err
	}
	// The bootstrap takes a while on large runs; an interrupt ends it.
	metrics, err := await(outputContext(ctx, nw.rr), "comparing the runs", func() compare.Result {
		return compare.Compare(base.col, nw.col, compare.Options{Resamples: o.resamples, Seed: o.seed})
	})
	if err != nil {
		return err
	}
	c := report.Comparison{
		Base:    report.RunInfo{Files: o.base, Samples: base.rr.samples},
		New:     report.RunInfo{Files: o.new, Samples: nw.rr.samples},
		Metrics: metrics,
		Causes:  compare.Causes(base.diag, nw.diag),
	}
	c.Capacity.Base = compare.Capacity(base.diag, base.cap)
	c.Capacity.New = compare.Capacity(nw.diag, nw.cap)
	c.Breaches = compare.Breaches(c.Metrics, limits)
	c.Unevaluated = compare.Unevaluated(c.Metrics, limits)
	for _, w := range base.rr.warnings {
		c.Warnings = append(c.Warnings, "base: "+w)
	}
	for _, w := range nw.rr.warnings {
		c.Warnings = append(c.Warnings, "new: "+w)
	}
	redact.Strings(&c)
	e.printWarnings(c.Warnings)
	if err := writeOutput(outputContext(ctx, nw.rr), e, o.output, func(w io.Writer) error { return e.layout(o.output).Comparison(w, c, o.format) }); err != nil {
		return err
	}
	if err := finish(nw.rr); err != nil {
		return err
	}
	if err := writeFailOnJUnit(o.junit, limits, c.Metrics); err != nil {
		return err
	}
	if len(c.Breaches) > 0 {
		return slaError{fmt.Sprintf("the new run broke --fail-on: %s", strings.Join(c.Breaches, "; "))}
	}
	if len(c.Unevaluated) > 0 {
		return unevaluatedError{fmt.Sprintf("--fail-on could not be evaluated (exit code %d): %s", exitUnevaluated, strings.Join(c.Unevaluated, "; "))}
	}
	return nil
}

// flagAfterDash refuses a flag of cmd written after "--", where it would
// be read as a file name ("open --fail-on: no such file").
func flagAfterDash(cmd *cobra.Command, args []string) error {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := cmd.Flags().Lookup(name)
		if f == nil && len(name) == 1 {
			f = cmd.Flags().ShorthandLookup(name)
		}
		if f != nil {
			return usagef("%s comes after \"--\", where every argument is a file of the new run: put flags before the \"--\"", a)
		}
	}
	return nil
}
