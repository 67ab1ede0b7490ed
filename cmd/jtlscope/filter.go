package main

import (
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/analyze"
)

// filterFlags are the sample filters every command takes, as JMeter's
// report generator has them (start_date, end_date, sample_filter, show
// controllers only). They are applied once, in readInputs, through
// analyze.Filter.
type filterFlags struct {
	from, to, skip      string
	label, excludeLabel string
	only                string
}

func (f *filterFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.from, "from", "", "keep samples that start at or after `TIME`: a clock time (2024-05-01 14:30:00, 14:30:00, RFC 3339) or an offset from the first sample (+5m, 90s)")
	fl.StringVar(&f.to, "to", "", "keep samples that start before `TIME` (clock time or offset from the first sample, as --from)")
	fl.StringVar(&f.skip, "skip", "", "drop the first `DURATION` of the run, e.g. the ramp-up: --skip 60s (the same as --from +60s)")
	fl.StringVar(&f.label, "label", "", "keep only labels matching this regular `expression` (Go RE2 syntax, unanchored)")
	fl.StringVar(&f.excludeLabel, "exclude-label", "", "drop labels matching this regular `expression`")
	fl.StringVar(&f.only, "only", "", "keep only `KIND` rows: transactions (Transaction Controller rows) or requests (every sampler, no Transaction Controller rows)")
}

// options parses the flags; loc reads clock times without a zone (the
// --timezone of the inputs, else local time).
func (f *filterFlags) options(loc *time.Location) (analyze.FilterOptions, error) {
	var o analyze.FilterOptions
	var err error
	if o.From, err = parseBound("--from", f.from, loc); err != nil {
		return o, err
	}
	if o.To, err = parseBound("--to", f.to, loc); err != nil {
		return o, err
	}
	if f.skip != "" {
		d, err := time.ParseDuration(strings.TrimPrefix(f.skip, "+"))
		if err != nil || d < 0 {
			return o, usagef("--skip %q: want a duration such as 60s or 2m", f.skip)
		}
		if !o.From.IsZero() {
			return o, usagef("--skip and --from both set the start of the window: give one")
		}
		o.From = analyze.Bound{Offset: d, Relative: true}
	}
	if f.label != "" {
		if o.Label, err = regexp.Compile(f.label); err != nil {
			return o, usagef("--label: %v", err)
		}
	}
	if f.excludeLabel != "" {
		if o.ExcludeLabel, err = regexp.Compile(f.excludeLabel); err != nil {
			return o, usagef("--exclude-label: %v", err)
		}
	}
	switch strings.ToLower(f.only) {
	case "":
	case "transactions", "transaction", "tc":
		o.Only = "transactions"
	case "requests", "request", "samplers":
		o.Only = "requests"
	default:
		return o, usagef("--only %q: want transactions or requests", f.only)
	}
	if o.From.Relative == o.To.Relative && !o.From.IsZero() && !o.To.IsZero() {
		if (o.From.Relative && o.To.Offset <= o.From.Offset) || (!o.From.Relative && !o.To.At.After(o.From.At)) {
			return o, usagef("--to must be later than --from")
		}
	}
	return o, nil
}

// clockLayouts are the clock times --from and --to accept, most specific
// first; JMeter's own report generator default (yyyyMMddHHmmss) is one.
var clockLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006/01/02 15:04:05",
	"20060102150405",
}

// parseBound reads an offset ("+90s", "5m") or a clock time.
func parseBound(flag, v string, loc *time.Location) (analyze.Bound, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return analyze.Bound{}, nil
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(v, "+")); err == nil {
		if d < 0 {
			return analyze.Bound{}, usagef("%s %q: an offset from the first sample cannot be negative", flag, v)
		}
		return analyze.Bound{Offset: d, Relative: true}, nil
	}
	for _, layout := range clockLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return analyze.Bound{At: t}, nil
		}
	}
	return analyze.Bound{}, usagef("%s %q: want a clock time such as \"2024-05-01 14:30:00\" or an offset from the first sample such as +90s", flag, v)
}
