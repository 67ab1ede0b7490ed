package samples

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// What the reading side of one input notices about its timestamps as
// they go by, in file order: samples whose timestamp cannot be a real
// time, a clock that goes back, and idle gaps that hold no request. Each
// makes a number wrong unless the user knows (a run's span, and every
// rate per second computed over it); none is a reason to skip a sample.

// JMeter was first released in 1998; a load test stamped before that, or
// more than a century ahead, has a broken clock or a broken field.
var (
	earliest = time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Now().AddDate(100, 0, 0)
)

// Plausible reports whether t can be when a load test ran.
func Plausible(t time.Time) bool { return !t.Before(earliest) && !t.After(latest) }

// untime takes the start away from a sample whose start cannot be a real
// time, counting it in u. The sample is kept: it still counts in the
// samples, the errors and the response times (JMeter writes timeStamp 0
// for a sampler that failed before it started, so dropping such samples
// hides failures), while everything that needs a time (a run's span,
// throughput, charts over time, concurrency, the diagnosis) leaves it
// out as it does any sample without a start. One wild timestamp kept
// would stretch a run's span to centuries and its throughput to zero.
func untime(s *Sample, u *untimed) {
	if s.Has&FieldStart == 0 || Plausible(s.Start) {
		return
	}
	if u.n == 0 {
		u.line, u.first = s.Line, s.Start
	}
	u.n++
	if !s.Success {
		u.failed++
	}
	s.Has &^= FieldStart
	s.Start = time.Time{}
}

// untimed counts the samples of an input whose timestamp was implausible.
type untimed struct {
	n, failed int
	line      int       // of the first; 0 when unknown
	first     time.Time // its timestamp as read
}

func (u *untimed) merge(o *untimed) {
	if o.n == 0 {
		return
	}
	if u.n == 0 {
		u.line, u.first = o.line, o.first
	}
	u.n += o.n
	u.failed += o.failed
}

func (u *untimed) warning(name string) string {
	if u.n == 0 {
		return ""
	}
	at := position(name, u.line)
	what := fmt.Sprintf("1 sample has an implausible timestamp (%s, epoch ms %d)", u.first.UTC().Format(time.RFC3339), u.first.UnixMilli())
	if u.n > 1 {
		what = fmt.Sprintf("%s samples have an implausible timestamp, this one first (%s, epoch ms %d)", thousands(u.n), u.first.UTC().Format(time.RFC3339), u.first.UnixMilli())
	}
	failed := fmt.Sprintf(", %s of them failed", thousands(u.failed))
	if u.n == 1 {
		failed = map[bool]string{true: ", a failure", false: ""}[u.failed == 1]
	}
	why := ""
	if u.first.UnixMilli() == 0 {
		why = " JMeter writes timeStamp 0 for a sampler that failed before it could start (a malformed URL, say)."
	}
	return at + ": " + what + failed + ": kept without a time, they count in the samples, errors and response times, " +
		"but not in the span, throughput, charts over time, concurrency or diagnosis." + why
}

// position is "file:line", or the file when the line is unknown.
func position(name string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", name, line)
	}
	return name
}

// clockWatch notices, on the reading side of one input, where its clock
// goes back: JMeter writes a sample when it ends, so end times rise; a
// HAR lists entries by start. A sample that started and ended well before
// samples read earlier means the clock was set back, or several runs (or
// the same run twice) were appended to one file. Either way the run's
// span, and every rate computed over it, comes out wrong.
//
// It also notices idle gaps: a sample that starts minIdleGap or more after
// every sample read before it ended. Runs appended to one file hours or
// days apart look like one run whose throughput is spread over the whole
// span; the busy stretches between the gaps are what the run lasted.
type clockWatch struct {
	maxStart, maxEnd time.Time
	seen             bool
	// segStart is when the current busy stretch began; busy sums the
	// stretches before it, and idle the gaps between them.
	segStart   time.Time
	busy, idle time.Duration
	gaps       int
	longest    idleGap
}

// jumpThreshold is how far back a sample must go to count as a jump:
// well beyond the seconds writer buffering and thread scheduling explain.
const jumpThreshold = 2 * time.Minute

// minIdleGap is the shortest stretch with no request in flight that
// counts as an idle gap: longer than any think time or pause between
// the steps of a test plan, short against the hours or days between runs
// appended to one file.
const minIdleGap = 10 * time.Minute

func (c *clockWatch) see(s *Sample, j *clockJumps) {
	if s.Has&FieldStart == 0 {
		return
	}
	end := s.End()
	if !c.seen {
		c.maxStart, c.maxEnd, c.seen, c.segStart = s.Start, end, true, s.Start
		return
	}
	if back := c.maxStart.Sub(s.Start); back > jumpThreshold && c.maxEnd.Sub(end) > jumpThreshold {
		j.n++
		if back > j.max {
			j.max = back
		}
		if j.n == 1 {
			j.line = s.Line
		}
		// Start again from here: one jump is one event, however many
		// samples follow it.
		c.busy += c.maxEnd.Sub(c.segStart)
		c.maxStart, c.maxEnd, c.segStart = s.Start, end, s.Start
		return
	}
	if gap := s.Start.Sub(c.maxEnd); gap >= minIdleGap {
		c.busy += c.maxEnd.Sub(c.segStart)
		c.idle += gap
		c.gaps++
		if gap > c.longest.length() {
			c.longest = idleGap{from: c.maxEnd, to: s.Start, line: s.Line}
		}
		c.segStart = s.Start
	} else if s.Start.Before(c.segStart) {
		c.segStart = s.Start
	}
	if s.Start.After(c.maxStart) {
		c.maxStart = s.Start
	}
	if end.After(c.maxEnd) {
		c.maxEnd = end
	}
}

// idleFound is what the watch found about idle gaps, once the input is
// read; nil when there were none.
func (c *clockWatch) idleFound() *idleGaps {
	if c.gaps == 0 {
		return nil
	}
	return &idleGaps{n: c.gaps, idle: c.idle, busy: c.busy + c.maxEnd.Sub(c.segStart), longest: c.longest}
}

// idleGap is a stretch of an input with no request in flight.
type idleGap struct {
	from, to time.Time
	line     int // of the first sample after it
}

func (g idleGap) length() time.Duration { return g.to.Sub(g.from) }

// idleGaps sums an input's idle gaps against its busy time.
type idleGaps struct {
	n          int
	idle, busy time.Duration
	longest    idleGap
}

// warning says where an input sat idle when the idle gaps take more than
// a quarter of its span: every rate per second is then understated by
// more than a quarter, and the input is most likely several runs.
func (g *idleGaps) warning(name string) string {
	if g == nil || 4*g.idle <= g.idle+g.busy {
		return ""
	}
	at := position(name, g.longest.line)
	stamp := func(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") }
	what := fmt.Sprintf("no request was in flight for %s before this sample (from %s to %s)",
		humanDuration(g.longest.length()), stamp(g.longest.from), stamp(g.longest.to))
	if g.n > 1 {
		what += fmt.Sprintf(", the longest of %d idle gaps of %s or more that add up to %s", g.n, humanDuration(minIdleGap), humanDuration(g.idle))
	}
	return at + ": " + what + ", against " + humanDuration(g.busy) + " busy in all: several runs appended to one file? " +
		"Rates per second (throughput, KB/s) are over the whole span, idle time included, as JMeter computes them; " +
		"give the runs one at a time, or pick one with --from and --to."
}

// humanDuration writes d for people in its two largest units, rounded:
// "3 days 4 h", "35 h 12 min", "12 min 5 s", "850 ms".
func humanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + humanDuration(-d)
	}
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "h"}, {time.Minute, "min"}, {time.Second, "s"}}
	// Round to the smaller of the two units shown: 2 h 59 min 59.9 s
	// reads as 3 h 0 min.
	for i, u := range units[:len(units)-1] {
		if d >= u.d {
			d = d.Round(units[i+1].d)
			break
		}
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range units {
		if len(parts) == 2 {
			break
		}
		n := d / u.d
		if n == 0 && len(parts) == 0 {
			continue
		}
		d -= n * u.d
		if n == 0 {
			break
		}
		name := u.name
		if name == "day" && n != 1 {
			name = "days"
		}
		parts = append(parts, strconv.FormatInt(int64(n), 10)+" "+name)
	}
	return strings.Join(parts, " ")
}

// clockJumps counts where an input's clock went back.
type clockJumps struct {
	n    int
	max  time.Duration
	line int // of the first jump; 0 when unknown
}

func (j *clockJumps) merge(o *clockJumps) {
	if o.n == 0 {
		return
	}
	if j.n == 0 {
		j.line = o.line
	}
	j.n += o.n
	j.max = max(j.max, o.max)
}

func (j *clockJumps) warning(name string) string {
	if j.n == 0 {
		return ""
	}
	at := position(name, j.line)
	what := fmt.Sprintf("the timestamps go back by %s", humanDuration(j.max))
	if j.n > 1 {
		what = fmt.Sprintf("the timestamps go back %d times, by up to %s, the first time here", j.n, humanDuration(j.max))
	}
	return at + ": " + what + " (a clock set back, or several runs, or the same run twice, in one file?): " +
		"the run's duration and every rate per second (throughput, KB/s) are wrong"
}
