// Package sla reads service-level criteria such as
// "p95=800ms,errors=1%" and checks results against them. summary and
// diagnose check the whole run; the capacity report finds the highest
// concurrency that still meets them. A broken criterion is what makes
// the commands exit with code 3, so CI pipelines can gate on a run.
package sla
