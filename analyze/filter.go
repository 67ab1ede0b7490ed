package analyze

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// A Bound is one end of a time window: a clock time, or an offset from
// the start of the first sample (the run's own clock, so that --skip 60s
// means the same thing for every file).
type Bound struct {
	At     time.Time
	Offset time.Duration
	// Relative says Offset is meant, not At.
	Relative bool
}

// IsZero reports whether the bound is unset.
func (b Bound) IsZero() bool { return !b.Relative && b.At.IsZero() }

func (b Bound) resolve(origin time.Time) time.Time {
	if b.Relative {
		return origin.Add(b.Offset)
	}
	return b.At
}

func (b Bound) String() string {
	if b.Relative {
		return "+" + b.Offset.String()
	}
	return b.At.Format("2006-01-02 15:04:05 MST")
}

// FilterOptions select the samples every analysis sees, as JMeter's report
// generator selects them (start_date/end_date, sample_filter, show
// controllers only).
type FilterOptions struct {
	// From and To bound the start time: From ≤ start < To.
	From, To Bound
	// Label keeps samples whose label matches; ExcludeLabel drops those
	// whose label matches. Either may be nil.
	Label, ExcludeLabel *regexp.Regexp
	// Only is "" (everything), "transactions" (Transaction Controller rows
	// only) or "requests" (everything but Transaction Controller rows; a
	// parent sample's sub-results are passed on as samples of their own).
	Only string
}

// Active reports whether any filter is set.
func (o FilterOptions) Active() bool {
	return !o.From.IsZero() || !o.To.IsZero() || o.Label != nil || o.ExcludeLabel != nil || o.Only != ""
}

// NeedsOrigin reports whether a bound is relative to the first sample.
func (o FilterOptions) NeedsOrigin() bool { return o.From.Relative || o.To.Relative }

// String says which filters are set, in the words of the flags.
func (o FilterOptions) String() string {
	var parts []string
	if !o.From.IsZero() {
		parts = append(parts, "from "+o.From.String())
	}
	if !o.To.IsZero() {
		parts = append(parts, "to "+o.To.String())
	}
	if o.Label != nil {
		parts = append(parts, fmt.Sprintf("labels matching %q", o.Label.String()))
	}
	if o.ExcludeLabel != nil {
		parts = append(parts, fmt.Sprintf("labels not matching %q", o.ExcludeLabel.String()))
	}
	switch o.Only {
	case "transactions":
		parts = append(parts, "Transaction Controller rows only")
	case "requests":
		parts = append(parts, "requests only (no Transaction Controller rows)")
	}
	return strings.Join(parts, ", ")
}

// Filter passes on the samples of a Source that FilterOptions select.
// It is the one place filters are applied: the commands wrap their input
// with it, so that summary, diagnose, report and compare see the same
// samples. Times are relative to the first sample read, which is the
// earliest when the stream is ordered.
type Filter struct {
	src  Source
	opts FilterOptions
	// from and to are resolved at the first sample with a start time.
	from, to  time.Time
	resolved  bool
	cur       *samples.Sample
	pending   []samples.Sample // sub-results waiting to be passed on (Only "requests")
	read      int64
	kept      int64
	noStart   int64
	firstSeen time.Time
}

// NewFilter wraps src.
func NewFilter(src Source, opts FilterOptions) *Filter {
	return &Filter{src: src, opts: opts}
}

// Scan moves to the next selected sample.
func (f *Filter) Scan() bool {
	for {
		if len(f.pending) > 0 {
			f.cur = &f.pending[0]
			f.pending = f.pending[1:]
			if f.keepRequest(f.cur) {
				f.kept++
				return true
			}
			continue
		}
		if !f.src.Scan() {
			return false
		}
		s := f.src.Sample()
		f.read++
		if !f.inWindow(s) {
			continue
		}
		switch f.opts.Only {
		case "transactions":
			if s.Kind != samples.KindTransaction {
				continue
			}
		case "requests":
			if s.Kind == samples.KindTransaction {
				// A parent sample stands for its sampler children: pass
				// them on, each judged by its own label.
				if len(s.Children) > 0 {
					f.pending = append(f.pending[:0], s.Children...)
				}
				continue
			}
		}
		if !f.labelOK(s.Label) {
			continue
		}
		f.cur = s
		f.kept++
		return true
	}
}

// keepRequest judges a sub-result passed on by Only "requests".
func (f *Filter) keepRequest(s *samples.Sample) bool {
	if s.Kind == samples.KindTransaction {
		f.pending = append(f.pending, s.Children...)
		return false
	}
	return f.labelOK(s.Label)
}

func (f *Filter) inWindow(s *samples.Sample) bool {
	if f.opts.From.IsZero() && f.opts.To.IsZero() {
		return true
	}
	if s.Has&samples.FieldStart == 0 {
		f.noStart++
		return false
	}
	if !f.resolved {
		f.resolved, f.firstSeen = true, s.Start
		f.from, f.to = f.opts.From.resolve(s.Start), f.opts.To.resolve(s.Start)
	}
	if !f.opts.From.IsZero() && s.Start.Before(f.from) {
		return false
	}
	if !f.opts.To.IsZero() && !s.Start.Before(f.to) {
		return false
	}
	return true
}

func (f *Filter) labelOK(label string) bool {
	if f.opts.Label != nil && !f.opts.Label.MatchString(label) {
		return false
	}
	if f.opts.ExcludeLabel != nil && f.opts.ExcludeLabel.MatchString(label) {
		return false
	}
	return true
}

// Sample returns the current sample.
func (f *Filter) Sample() *samples.Sample { return f.cur }

// Err is the source's error.
func (f *Filter) Err() error { return f.src.Err() }

// Summary says what was applied and what it kept, for the outputs'
// warnings and the report's header: "filter: from +1m0s, labels matching
// "upload": 6,313 of 12,645 samples kept".
func (f *Filter) Summary() string {
	if !f.opts.Active() {
		return ""
	}
	s := fmt.Sprintf("filter: %s: %s of %s samples kept", f.opts.String(), group(f.kept), group(f.read))
	if f.resolved && f.opts.NeedsOrigin() {
		s += fmt.Sprintf(" (offsets from the first sample, %s UTC)", f.firstSeen.UTC().Format("2006-01-02 15:04:05"))
	}
	if f.noStart > 0 {
		s += fmt.Sprintf("; %s samples without a timestamp left out by the time window", group(f.noStart))
	}
	return s
}

// group writes n with thousands separators, as every count in the
// outputs is.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
