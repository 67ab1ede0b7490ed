package main

import (
	"strings"

	"github.com/jtlscope/jtlscope/analyze/sla"
	"github.com/jtlscope/jtlscope/analyze/summary"
)

// slaUsage documents --sla for every command that takes it.
const slaUsage = "fail with exit code 3 when the run's totals break these `criteria`, e.g. p95=800ms,errors=1%,throughput=50 (metrics: p50 p90 p95 p99 mean max errors throughput)"

// slaHelp is the paragraph --help gives about --sla.
const slaHelp = `
--sla checks the run's totals (the summary's TOTAL row: percentiles, mean, max, error %
and throughput) against criteria such as p95=800ms,errors=1%. The output is written as
usual; then the broken criteria are printed and the exit code is 3, so a CI step fails.`

func parseSLA(spec string) (sla.Criteria, error) {
	cs, err := sla.Parse(spec)
	if err != nil {
		return nil, usagef("--sla: %v", err)
	}
	return cs, nil
}

// totalValues are the numbers of a summary row that criteria check.
func totalValues(t summary.Row) sla.Values {
	return sla.Values{
		P50: t.P50MS, P90: t.P90MS, P95: t.P95MS, P99: t.P99MS,
		Mean: t.MeanMS, Max: t.MaxMS,
		ErrorPct:   t.ErrorPct,
		Throughput: t.ThroughputPerS,
	}
}

// checkSLA returns an slaError listing the criteria the totals broke.
func checkSLA(cs sla.Criteria, total summary.Row) error {
	vs := cs.Check(totalValues(total))
	if len(vs) == 0 {
		return nil
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return slaError{"SLA broken (" + cs.String() + "): " + strings.Join(parts, "; ")}
}
