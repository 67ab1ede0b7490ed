package jtlcsv

import (
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Since 5.0 JMeter writes a sample's sub-results (redirect hops, embedded
// resources) as rows of their own after it, labelled "<parent label>-<n>"
// with n counting from 0 (SampleResult.storeSubResult; 5.5 and later
// recurse, pre-order). Nothing in a row marks it as a child, and the rows
// are not always adjacent: CSVSaveService.saveSampleResult prints the
// parent and then each sub-result with separate println calls and no lock
// around them, so other threads' rows land in between under load.
//
// What JMeter does guarantee ties a sub-result row to its parent:
//
//   - it is written by the parent's thread, before that thread writes
//     anything else: among the rows of one thread name (and hostname),
//     it comes right after its parent or its previous sibling's subtree,
//     and n is exactly the number of children seen so far;
//   - it has the parent's thread name (addSubResult copies it), hostname
//     and sample variables (they are written from the parent's event);
//   - its time span lies inside the parent's (the parent's end is extended
//     to its last child's), with 1 ms of slack for rounding.
//
// So rows are grouped per thread, not by adjacency in the file. Anything
// less than all of the above is left a top-level sample: a false match
// would hide a real one. Recorder-named samplers such as "Buy_ticket-55"
// after a transaction "Buy_ticket" fail the index and time checks.
//
// Transaction Controller children ("Generate parent sample") keep their
// own labels (addSubResult(res, false)), so they stay top-level rows
// after their transaction row; that gives the same requests and
// transactions as the XML file, where they are nested.

const linkFields = samples.FieldLabel | samples.FieldThread | samples.FieldStart | samples.FieldElapsed

// groupWindow bounds how many rows a sample is held for while its
// sub-results may still come. JMeter writes them microseconds after the
// parent, so only rows written in that moment come between: at most one
// per other thread even when they all queue on the file's lock. A sample
// is normally handed out as soon as its thread writes its next sample;
// the window only caps memory (about 5 MB) whatever the input.
const groupWindow = 8192

// maxChildren bounds the sub-results attached under one sample, as the
// XML decoder does: past it rows stay top-level.
const maxChildren = 50_000

// A grouper attaches sub-result rows to their parents. It holds every
// top-level sample in a ring until no later row can attach to it (its
// thread wrote another top-level row, or groupWindow rows went by) and
// hands samples and problems out in file order.
type grouper struct {
	d   *Decoder
	src source // the rows, in file order

	ring []entry
	head int   // index of the oldest entry
	n    int   // entries held
	seq  int64 // sequence number of the next entry
	// open maps a thread to the sequence number of its latest top-level
	// sample, the only one its later rows may attach to. Entries point at
	// the record of their thread, so that a row costs one map lookup.
	open map[threadKey]*latest
	// cache holds recent entries of open by a cheap hash of the thread
	// name: a map lookup hashes both strings, and was a third of the
	// grouper's time on every row.
	cache [1 << 10]threadSlot
	end   error // io.EOF or the error that ended the input, once read
}

type threadSlot struct {
	key threadKey
	t   *latest
}

type entry struct {
	s   samples.Sample
	err error // a *ParseError held in its place in the file
	seq int64
	// thread is the record of s's thread; nil when s cannot take
	// sub-results (a row without the fields linking needs).
	thread *latest
}

// latest is the sequence number of a thread's latest top-level sample.
type latest struct{ seq int64 }

type threadKey struct{ thread, host string }

func newGrouper(d *Decoder, src source) *grouper {
	return &grouper{d: d, src: src, ring: make([]entry, 16), open: map[threadKey]*latest{}}
}

func (g *grouper) next(out *samples.Sample) error {
	for {
		if g.n > 0 && (g.end != nil || g.n == groupWindow || g.closed(&g.ring[g.head])) {
			return g.pop(out)
		}
		if g.end != nil {
			return g.end
		}
		if g.n == len(g.ring) {
			g.grow()
		}
		e := &g.ring[(g.head+g.n)%len(g.ring)]
		err := g.src.next(&e.s)
		switch err.(type) {
		case nil:
		case *samples.ParseError:
			e.err, e.thread, e.seq = err, nil, g.seq
			g.seq++
			g.n++
			continue
		default:
			g.end = err
			continue
		}
		e.err, e.thread, e.seq = nil, nil, g.seq
		if e.s.Has&linkFields == linkFields {
			key := threadKey{e.s.Thread, e.s.Hostname}
			slot := &g.cache[threadHash(e.s.Thread)]
			t := slot.t
			if t == nil || slot.key != key {
				t = g.open[key]
				if t != nil {
					slot.key, slot.t = key, t
				}
			}
			if t != nil && maybeChild(e.s.Label) && g.attach(&e.s, t.seq) {
				g.d.attached.Add(1)
				continue
			}
			if t == nil {
				if len(g.open) >= 4*groupWindow {
					g.sweep()
					slot = &g.cache[threadHash(e.s.Thread)]
				}
				t = &latest{}
				g.open[key] = t
				slot.key, slot.t = key, t
			}
			t.seq, e.thread = g.seq, t
		}
		g.seq++
		g.n++
	}
}

// closed reports whether no later row can attach to e.
func (g *grouper) closed(e *entry) bool { return e.thread == nil || e.thread.seq != e.seq }

// sweep forgets the threads whose latest sample was handed out, so that
// a file with a new thread name on every row keeps the map bounded.
func (g *grouper) sweep() {
	oldest := g.seq - int64(g.n)
	for k, t := range g.open {
		if t.seq < oldest {
			delete(g.open, k)
		}
	}
	g.cache = [len(g.cache)]threadSlot{}
}

// threadHash picks a cache slot from a thread name's length and last
// bytes, where JMeter's names differ ("<group> 1-17").
func threadHash(s string) uint16 {
	n := len(s)
	var x uint64
	for i := max(n-8, 0); i < n; i++ {
		x = x<<8 | uint64(s[i])
	}
	x = (x ^ uint64(n)) * 0x9e3779b97f4a7c15
	return uint16(x >> 54) // 10 bits
}

// maybeChild reports whether label can be a sub-result's, "<parent>-<n>":
// a check on the row alone, before looking at the rows it could belong
// to.
func maybeChild(label string) bool {
	n := len(label)
	if n < 2 || label[n-1] < '0' || label[n-1] > '9' {
		return false
	}
	i := n - 1
	for i > 0 && label[i-1] >= '0' && label[i-1] <= '9' {
		i--
	}
	return i >= 1 && label[i-1] == '-'
}

// pop hands out the oldest entry.
func (g *grouper) pop(out *samples.Sample) error {
	e := &g.ring[g.head]
	g.head = (g.head + 1) % len(g.ring)
	g.n--
	if e.err != nil {
		err := e.err
		e.err = nil
		return err
	}
	*out = e.s
	// The slot is parsed into again; what went out must not be touched.
	e.s, e.thread = samples.Sample{}, nil
	return nil
}

// grow doubles the ring (up to groupWindow entries), keeping the order.
func (g *grouper) grow() {
	ring := make([]entry, min(2*len(g.ring), groupWindow))
	for i := 0; i < g.n; i++ {
		ring[i] = g.ring[(g.head+i)%len(g.ring)]
	}
	g.ring, g.head = ring, 0
}

// attach adds a copy of s as a sub-result of the held sample with
// sequence number seq (its thread's latest) or of one of that sample's
// open descendants (the path of last children), and reports whether it
// did.
func (g *grouper) attach(s *samples.Sample, seq int64) bool {
	oldest := g.seq - int64(g.n)
	if seq < oldest {
		return false // handed out already
	}
	top := &g.ring[(g.head+int(seq-oldest))%len(g.ring)].s
	var path [maxLinkDepth]*samples.Sample
	depth := 0
	for p := top; ; p = &p.Children[len(p.Children)-1] {
		path[depth] = p
		depth++
		if len(p.Children) == 0 || depth == maxLinkDepth {
			break
		}
	}
	for k := depth - 1; k >= 0; k-- {
		p := path[k]
		if len(p.Children) < maxChildren && isSubResult(s, p) {
			p.Children = append(p.Children, *s)
			return true
		}
	}
	return false
}

// maxLinkDepth is how deep sub-results nest: JMeter 5.5+ writes at most
// ten levels below the sample (CSVSaveService.saveSubResults).
const maxLinkDepth = 12

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
