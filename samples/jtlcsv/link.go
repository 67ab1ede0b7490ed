package jtlcsv

import (
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Since 5.0 JMeter writes a sample's sub-results (redirect hops, embedded
// resources) as rows of their own right after it, labelled
// "<parent label>-<n>" with n counting from 0 (SampleResult.storeSubResult;
// 5.5 and later recurse, pre-order). Nothing else marks them, so they are
// recognised by everything JMeter guarantees about them at once:
//
//   - the row comes right after its parent or its previous sibling's
//     subtree, and n is exactly the number of children seen so far;
//   - same thread name (addSubResult copies it);
//   - same hostname and sample variables (they are written from the
//     parent's event);
//   - inside the parent's time span (the parent's end is extended to its
//     last child's), with 1 ms of slack for rounding.
//
// Anything less is left a top-level sample: a false match would hide a
// real one. Recorder-named samplers such as "Buy_ticket-55" after a
// transaction "Buy_ticket" fail the index and time checks.

const linkFields = samples.FieldLabel | samples.FieldThread | samples.FieldStart | samples.FieldElapsed

// A linker attaches sub-result rows to the sample being held. Its stack is
// always the path of last children down from that sample, which is where a
// following row may attach.
type linker struct {
	stack []*samples.Sample
}

// hold makes s the sample that later rows may attach to.
func (l *linker) hold(s *samples.Sample) {
	l.stack = l.stack[:0]
	for {
		l.stack = append(l.stack, s)
		if len(s.Children) == 0 {
			return
		}
		s = &s.Children[len(s.Children)-1]
	}
}

// attach adds a copy of s as a sub-result of the held sample or of one of
// its open descendants, and reports whether it did.
func (l *linker) attach(s *samples.Sample) bool {
	if s.Has&linkFields != linkFields {
		return false
	}
	for k := len(l.stack) - 1; k >= 0; k-- {
		p := l.stack[k]
		if !isSubResult(s, p) {
			continue
		}
		p.Children = append(p.Children, *s)
		l.stack = append(l.stack[:k+1], &p.Children[len(p.Children)-1])
		return true
	}
	return false
}

func isSubResult(c, p *samples.Sample) bool {
	if p.Has&linkFields != linkFields || !isChildLabel(c.Label, p.Label, len(p.Children)) ||
		c.Thread != p.Thread || c.Hostname != p.Hostname || len(c.Vars) != len(p.Vars) {
		return false
	}
	for i := range c.Vars {
		if c.Vars[i] != p.Vars[i] {
			return false
		}
	}
	return within(c, p)
}

// isChildLabel reports whether label is parent + "-" + n.
func isChildLabel(label, parent string, n int) bool {
	if len(label) < len(parent)+2 || label[:len(parent)] != parent || label[len(parent)] != '-' {
		return false
	}
	digits := label[len(parent)+1:]
	if len(digits) > 1 && digits[0] == '0' {
		return false
	}
	v := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' || v > 1<<30 {
			return false
		}
		v = v*10 + int(c-'0')
	}
	return v == n
}

// within reports whether c's time span lies inside p's. JMeter stamps rows
// with the start time unless sampleresult.timestamp.start=false, which
// makes it the end; the file does not say which, so either reading may
// match.
func within(c, p *samples.Sample) bool {
	const slack = int64(time.Millisecond)
	ps, pd := p.Start.UnixNano(), int64(p.Elapsed+p.Idle)
	cs, cd := c.Start.UnixNano(), int64(c.Elapsed+c.Idle)
	if cs >= ps-slack && cs+cd <= ps+pd+slack {
		return true
	}
	return cs <= ps+slack && cs-cd >= ps-pd-slack
}
