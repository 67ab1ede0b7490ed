package samples

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// batchSize is how many samples travel between goroutines at once: a
// channel send per sample would cost more than decoding it.
const batchSize = 256

// maxReorder bounds the per-input reorder buffer whatever the window says,
// so that one transaction spanning an hour cannot hold an hour of samples.
const maxReorder = 200_000

// StreamOptions configure a Stream.
type StreamOptions struct {
	Options
	// Ordered delivers samples in start-time order. JMeter writes a sample
	// when it ends but stamps it with its start, so files are not sorted;
	// each input goes through a reorder buffer sized by the longest sample
	// seen, then inputs are merged. Without Ordered, samples come in
	// whatever order is cheapest (summary statistics do not care).
	Ordered bool
}

// A Stream reads several inputs as one sequence of samples, each tagged
// with its Source. Use it like bufio.Scanner:
//
//	for st.Scan() {
//		s := st.Sample()
//	}
//	if err := st.Err(); err != nil { ... }
//
// Problems in the inputs (skipped records, a file cut off) do not stop the
// stream; they are collected in Problems. With Options.Strict the first one
// is returned by Err instead.
type Stream struct {
	opts    StreamOptions
	inputs  []*Input
	sources []*source
	once    sync.Once
	done    chan struct{}

	// unordered mode: batches from every source in arrival order.
	fanIn chan *batch
	live  int

	// ordered mode: a heap of sources by the start of their next sample.
	heads sourceHeap

	cur     *batch
	curSrc  *source
	pos     int
	sample  *Sample
	err     error
	probs   Problems
	started bool
	// stop is the context's Done channel: a read that waits for data
	// (a stalled pipe, a FIFO nobody writes) gives up when it closes.
	stop <-chan struct{}
	ctx  context.Context
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// OpenStream opens every named input and returns a Stream over them. It
// fails if any input cannot be opened; nothing is read yet. An input with
// the same content as an earlier one (the same file twice, a symbolic
// link and its target, a copy) is read once, with a warning: reading it
// twice would double every count and rate.
func OpenStream(names []string, opts StreamOptions) (*Stream, error) {
	if len(names) == 0 {
		return nil, errors.New("no input files")
	}
	var ins []*Input
	stdinSeen := false
	for _, n := range names {
		if n == Stdin {
			if stdinSeen {
				return nil, errors.New(`standard input ("-") given more than once`)
			}
			stdinSeen = true
		}
		in, err := Open(n, opts.Options)
		if err != nil {
			for _, in := range ins {
				in.Close()
			}
			return nil, err
		}
		ins = append(ins, in)
	}
	ins, warnings := dropDuplicates(ins)
	st := NewStream(ins, opts)
	for _, w := range warnings {
		st.probs.warn(w)
	}
	return st, nil
}

// NewStream returns a Stream over inputs that are already open. Closing
// the Stream closes them.
func NewStream(inputs []*Input, opts StreamOptions) *Stream {
	st := &Stream{opts: opts, inputs: inputs, done: make(chan struct{})}
	if ctx := opts.Context; ctx != nil {
		st.stop, st.ctx = ctx.Done(), ctx
	}
	return st
}

// Inputs returns the inputs in the order given.
func (st *Stream) Inputs() []*Input { return st.inputs }

// BytesRead is the sum over inputs of bytes consumed so far.
func (st *Stream) BytesRead() int64 {
	var n int64
	for _, in := range st.inputs {
		n += in.BytesRead()
	}
	return n
}

func (st *Stream) start() {
	st.started = true
	if !st.opts.Ordered {
		st.fanIn = make(chan *batch, 2*len(st.inputs)+2)
	}
	for i, in := range st.inputs {
		src := &source{
			index: i,
			in:    in,
			out:   make(chan *batch, 3),
			// Room for every batch that can be in flight (queued, being
			// read, being filled), so that none is dropped on recycling
			// and made again: a fresh batch is 140 KB to clear.
			free: make(chan *batch, 2*len(st.inputs)+6),
			done: st.done,
		}
		for j := 0; j < 4; j++ {
			src.free <- &batch{src: src, samples: make([]Sample, 0, batchSize)}
		}
		st.sources = append(st.sources, src)
		out := src.out
		if !st.opts.Ordered {
			out = st.fanIn
		}
		go src.run(out, st.opts.Ordered)
	}
	st.live = len(st.sources)
	if st.opts.Ordered {
		for _, src := range st.sources {
			if src.fill(st) {
				st.heads = append(st.heads, src)
			}
			if st.err != nil {
				return
			}
		}
		heap.Init(&st.heads)
	}
}

// Scan advances to the next sample. It returns false at the end of every
// input, or when Err is set.
func (st *Stream) Scan() bool {
	if st.err != nil {
		return false
	}
	if !st.started {
		st.start()
		if st.err != nil {
			return false
		}
	}
	if st.opts.Ordered {
		return st.scanOrdered()
	}
	return st.scanUnordered()
}

func (st *Stream) scanUnordered() bool {
	for {
		if st.cur != nil && st.pos < len(st.cur.samples) {
			st.sample = &st.cur.samples[st.pos]
			st.pos++
			return true
		}
		if st.cur != nil {
			st.cur.src.recycle(st.cur)
			st.cur = nil
		}
		if st.live == 0 {
			return false
		}
		b := st.receive(st.fanIn)
		if b == nil {
			return false
		}
		if st.absorb(b) {
			return false
		}
		if b.last {
			st.live--
		}
		st.cur, st.pos = b, 0
	}
}

func (st *Stream) scanOrdered() bool {
	if st.curSrc != nil {
		// The sample handed out last came from curSrc; move it on.
		src := st.curSrc
		st.curSrc = nil
		src.pos++
		more := src.fill(st)
		if st.err != nil {
			return false
		}
		if more {
			heap.Fix(&st.heads, 0)
		} else {
			heap.Pop(&st.heads)
		}
	}
	if len(st.heads) == 0 {
		return false
	}
	src := st.heads[0]
	st.sample = &src.cur.samples[src.pos]
	st.curSrc = src
	return true
}

// receive waits for the next batch from ch, or for the context; it
// returns nil, with st.err set, when the context ended first.
func (st *Stream) receive(ch chan *batch) *batch {
	select {
	case b := <-ch:
		return b
	case <-st.stop:
		st.err = st.ctx.Err()
		return nil
	}
}

// absorb moves what a source met while reading b into the stream: the
// problems, a read error, late samples, clock jumps. It reports whether
// the stream must stop (Strict).
func (st *Stream) absorb(b *batch) (stop bool) {
	for _, p := range b.probs {
		st.note(p)
	}
	if b.fatal != nil {
		st.fatal(b.fatal)
	}
	st.probs.Late += b.late
	b.src.late += b.late
	b.src.jumps.merge(&b.jumps)
	b.src.untimed.merge(&b.untimed)
	if b.idle != nil {
		b.src.idle = b.idle
	}
	return st.err != nil
}

func (st *Stream) note(p *ParseError) {
	st.probs.add(p)
	if st.opts.Strict && st.err == nil {
		st.err = strictStop(p)
	}
}

// strictStop is p as the error that ends a strict stream: the decoder's
// "skipped the record" is not what happened, the stream stopped.
func strictStop(p *ParseError) *ParseError {
	q := *p
	if i := strings.LastIndex(q.Msg, "; skipped"); i >= 0 {
		q.Msg = q.Msg[:i]
	}
	q.Msg += " (strict mode stops at the first problem)"
	return &q
}

func (st *Stream) fatal(err error) {
	st.probs.Fatal = append(st.probs.Fatal, err)
	if st.opts.Strict && st.err == nil {
		st.err = err
	}
}

// Sample returns the current sample. It is valid until the next Scan.
func (st *Stream) Sample() *Sample { return st.sample }

// Err returns what stopped the stream early: with Strict, the first
// problem; otherwise nil.
func (st *Stream) Err() error { return st.err }

// Problems returns the problems found so far, with a warning for each
// input whose clock went back, that sat idle most of its span, or that
// has samples with implausible timestamps, and the late samples by input.
func (st *Stream) Problems() *Problems {
	for _, src := range st.sources {
		for _, w := range []string{src.untimed.warning(src.in.Name), src.jumps.warning(src.in.Name), src.idle.warning(src.in.Name)} {
			if w != "" {
				st.probs.warn(w)
			}
		}
		if src.late > 0 {
			st.probs.lateIn(src.in.Name, src.late)
		}
	}
	return &st.probs
}

// Close stops the readers and closes every input.
func (st *Stream) Close() error {
	st.once.Do(func() { close(st.done) })
	var first error
	for _, in := range st.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// A batch carries samples and the problems met while reading them.
type batch struct {
	src     *source
	samples []Sample
	probs   []*ParseError
	fatal   error
	late    int
	jumps   clockJumps
	untimed untimed
	// idle travels with the last batch: gaps are judged on the whole input.
	idle *idleGaps
	last bool
}

// A source decodes one input in its own goroutine.
type source struct {
	index int
	in    *Input
	out   chan *batch
	free  chan *batch
	done  chan struct{}

	// consumer side, ordered mode
	cur      *batch
	pos      int
	finished bool
	// jumps, untimed, idle and late gather what the batches report
	// (consumer side).
	jumps   clockJumps
	untimed untimed
	idle    *idleGaps
	late    int
}

func (src *source) recycle(b *batch) {
	b.samples = b.samples[:0]
	b.probs = b.probs[:0]
	b.fatal = nil
	b.late = 0
	b.jumps = clockJumps{}
	b.untimed = untimed{}
	b.idle = nil
	b.last = false
	select {
	case src.free <- b:
	default:
	}
}

// fill makes src.cur[src.pos] the next sample, receiving batches as
// needed and handing what they carry besides samples to st at once (a
// file of junk sends batches of problems and no samples). It returns
// false when the source is exhausted, or when st.err is set (Strict, or
// the context was cancelled while waiting).
func (src *source) fill(st *Stream) bool {
	for {
		if src.cur != nil && src.pos < len(src.cur.samples) {
			return true
		}
		if src.cur != nil {
			src.recycle(src.cur)
			src.cur = nil
		}
		if src.finished {
			return false
		}
		b := st.receive(src.out)
		if b == nil {
			return false
		}
		if b.last {
			src.finished = true
		}
		src.cur, src.pos = b, 0
		if st.absorb(b) {
			return false
		}
	}
}

func (src *source) newBatch() *batch {
	select {
	case b := <-src.free:
		return b
	default:
		return &batch{src: src, samples: make([]Sample, 0, batchSize)}
	}
}

// send hands b on; it returns false when the stream was closed.
func (src *source) send(out chan *batch, b *batch) bool {
	select {
	case out <- b:
		return true
	case <-src.done:
		return false
	}
}

func (src *source) run(out chan *batch, ordered bool) {
	var r *reorder
	if ordered {
		r = &reorder{slack: time.Second}
		if h, ok := src.in.Decoder.(Reorderer); ok {
			r.slack = max(r.slack, h.ReorderSlack())
		}
	}
	b := src.newBatch()
	var scratch Sample
	var clock clockWatch
	// emitTop moves the earliest sample waiting in r to b; false when the
	// stream was closed.
	emitTop := func() bool {
		b = src.emit(out, b, r)
		return b != nil
	}
	// problem records a skipped record. Problems travel with the samples;
	// a batch that fills with problems and no samples (a file of junk) is
	// sent on as it is, so they never pile up here.
	problem := func(pe *ParseError) bool {
		b.probs = append(b.probs, pe)
		if len(b.probs) < batchSize {
			return true
		}
		if !src.send(out, b) {
			return false
		}
		b = src.newBatch()
		return true
	}
	for {
		select {
		case <-src.done:
			return
		default:
		}
		var s *Sample
		if ordered {
			s = &scratch
		} else {
			b.samples = b.samples[:len(b.samples)+1]
			s = &b.samples[len(b.samples)-1]
		}
		err := decodeSafely(src.in, s)
		if err != nil {
			if !ordered {
				b.samples = b.samples[:len(b.samples)-1]
			}
			var pe *ParseError
			if errors.As(err, &pe) {
				if !problem(pe) {
					return
				}
				continue
			}
			if err != io.EOF {
				b.fatal = wrapInputError(src.in.Name, err)
			}
			b.idle = clock.idleFound()
			if ordered {
				for r.len() > 0 {
					if b = src.emit(out, b, r); b == nil {
						return
					}
				}
			}
			b.last = true
			src.send(out, b)
			return
		}
		if s.Source == "" {
			s.Source = src.in.Name
		}
		untime(s, &b.untimed)
		clock.see(s, &b.jumps)
		if !ordered {
			if len(b.samples) == cap(b.samples) {
				if !src.send(out, b) {
					return
				}
				b = src.newBatch()
			}
			continue
		}
		if s.Start.IsZero() {
			// No time, no place in time order: on at once, without
			// holding back (or counting as late) what has one.
			if b = src.emitOne(out, b, &scratch); b == nil {
				return
			}
			continue
		}
		if !r.add(&scratch, emitTop) {
			return
		}
		b.late += r.takeLate()
	}
}

// emitOne appends s to b, sending b on when full; it returns the batch to
// go on filling, or nil when the stream was closed.
func (src *source) emitOne(out chan *batch, b *batch, s *Sample) *batch {
	b.samples = append(b.samples, *s)
	return src.full(out, b)
}

// emit moves the earliest sample of r to b, sending b on when full; it
// returns the batch to go on filling, or nil when the stream was closed.
func (src *source) emit(out chan *batch, b *batch, r *reorder) *batch {
	b.samples = b.samples[:len(b.samples)+1]
	r.pop(&b.samples[len(b.samples)-1])
	return src.full(out, b)
}

// full sends b on when it is full and returns the batch to go on filling,
// or nil when the stream was closed.
func (src *source) full(out chan *batch, b *batch) *batch {
	if len(b.samples) < cap(b.samples) {
		return b
	}
	if !src.send(out, b) {
		return nil
	}
	return src.newBatch()
}

// decodeSafely turns a decoder panic into an error naming the input, so a
// bug in one decoder costs one file, not the process.
func decodeSafely(in *Input, s *Sample) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error in the %s decoder (please report it): %v", in.Name, in.Format, r)
		}
	}()
	return in.Decode(s)
}

func wrapInputError(name string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	msg := err.Error()
	if len(msg) >= len(name) && msg[:len(name)] == name {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// A Reorderer is a Decoder whose input is known to be out of start order
// by more than JMeter's write order explains. HAR writers, for one, list
// entries roughly by start, seconds apart at worst, without ending them.
type Reorderer interface {
	// ReorderSlack is how far out of order a sample may arrive.
	ReorderSlack() time.Duration
}

// reorder is a min-heap by start time that releases a sample once no
// sample still to come can start before it. JMeter writes a sample when it
// ends, so a sample read now ended at about maxEnd; one still to come ends
// later and lasted at most about maxSpan, so it starts after
// maxEnd-maxSpan. slack covers writer batching and grows when a sample
// proves it too small.
//
// The heap is 4-ary and holds each entry's key inline, so that sifting
// compares int64s in one array instead of following a pointer to a
// 560-byte sample per comparison (a cache miss each, on a heap of
// thousands): that took a third of the ordered stream's time.
type reorder struct {
	h       []heapEntry
	seq     uint64
	maxEnd  time.Time
	maxSpan time.Duration
	slack   time.Duration
	lastOut time.Time
	emitted bool
	lateN   int
	// free recycles heap entries; the heap holds pointers so that sifting
	// moves 24 bytes, not a whole Sample.
	free []*seqSample
	// owned counts pushes since the last sweep of variables (see push).
	owned int
}

// heapEntry is one sample in the heap: its key and sequence number, and
// where it is kept.
type heapEntry struct {
	key int64 // Start in Unix nanoseconds
	seq uint64
	p   *seqSample
}

func (a *heapEntry) less(b *heapEntry) bool {
	if a.key == b.key {
		return a.seq < b.seq
	}
	return a.key < b.key
}

type seqSample struct {
	Sample
	// ownVars is set once Vars is a copy of the sample's own (see push).
	ownVars bool
}

func (r *reorder) len() int { return len(r.h) }

// add puts s in time order, letting out through emit every sample that
// is ready; it returns false when emit does.
func (r *reorder) add(s *Sample, emit func() bool) bool {
	if r.jumpsBack(s) {
		// Another run, or the clock set back: what waits is let out
		// first, and the new stretch is put in order on its own
		// (clockWatch warns of the jump).
		for r.len() > 0 {
			if !emit() {
				return false
			}
		}
		r.restart()
	}
	r.push(s)
	for r.ready() {
		if !emit() {
			return false
		}
	}
	return true
}

// jumpsBack reports whether s starts more than jumpThreshold before a
// sample already let out: not writer batching (seconds), but the clock
// set back or a second run appended to the file. Waiting for such samples
// would grow the slack to minutes and hold minutes of samples in the
// heap, at every repetition of a run repeated in one file.
func (r *reorder) jumpsBack(s *Sample) bool {
	return r.emitted && r.lastOut.Sub(s.Start) > jumpThreshold
}

// restart forgets the stretch of time let out so far; the heap must be
// empty.
func (r *reorder) restart() {
	r.maxEnd, r.lastOut, r.emitted = time.Time{}, time.Time{}, false
}

// varSweep is how many pushes a sample's variables may stay in the
// decoder's memory before the sample gets a copy of its own (see push).
const varSweep = 1 << 16

// push copies s into the heap.
func (r *reorder) push(s *Sample) {
	end := s.End()
	if end.After(r.maxEnd) {
		r.maxEnd = end
	}
	if span := end.Sub(s.Start); span > r.maxSpan {
		r.maxSpan = span
	}
	if r.emitted && s.Start.Before(r.lastOut) {
		r.lateN++
		if gap := 2 * r.lastOut.Sub(s.Start); gap > r.slack && gap < 10*time.Minute {
			r.slack = gap
		}
	}
	r.seq++
	var p *seqSample
	if n := len(r.free); n > 0 {
		p, r.free = r.free[n-1], r.free[:n-1]
	} else {
		p = new(seqSample)
	}
	p.Sample, p.ownVars = *s, false
	// A decoder may hand out Vars from a chunk shared by thousands of
	// samples (jtlcsv's arena). A sample that stays here (when time goes
	// back, the latest ones wait until the end) would keep its whole
	// chunk alive, and a heap of them nearly every chunk of the file:
	// memory grew with the input. Every varSweep pushes, the samples that
	// have been here longer than that get a copy of their own, so that
	// only the chunks of the last varSweep samples stay pinned; the
	// others (nearly all: a sample normally leaves within a second) never
	// need one.
	if r.owned++; r.owned >= varSweep {
		r.owned = 0
		r.ownVars(r.seq - varSweep)
	}
	r.h = append(r.h, heapEntry{key: s.Start.UnixNano(), seq: r.seq, p: p})
	r.up(len(r.h) - 1)
}

// ownVars gives the samples pushed before seq copies of their variables.
func (r *reorder) ownVars(before uint64) {
	for i := range r.h {
		e := &r.h[i]
		if e.seq < before && !e.p.ownVars {
			e.p.ownVars = true
			if len(e.p.Vars) > 0 {
				e.p.Vars = append([]Var(nil), e.p.Vars...)
			}
		}
	}
}

func (r *reorder) up(i int) {
	h := r.h
	e := h[i]
	for i > 0 {
		parent := (i - 1) / 4
		if !e.less(&h[parent]) {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
}

func (r *reorder) down(i int) {
	h := r.h
	n := len(h)
	e := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h[k].less(&h[m]) {
				m = k
			}
		}
		if !h[m].less(&e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

func (r *reorder) ready() bool {
	if len(r.h) == 0 {
		return false
	}
	if len(r.h) > maxReorder {
		return true
	}
	wm := r.maxEnd.Add(-r.maxSpan - r.slack).UnixNano()
	return r.h[0].key <= wm
}

// pop removes the earliest sample and copies it to dst.
func (r *reorder) pop(dst *Sample) {
	top := r.h[0]
	n := len(r.h) - 1
	r.h[0] = r.h[n]
	r.h[n] = heapEntry{}
	r.h = r.h[:n]
	if n > 0 {
		r.down(0)
	}
	p := top.p
	*dst = p.Sample
	p.Sample = Sample{} // let the strings go
	r.free = append(r.free, p)
	if !r.emitted || dst.Start.After(r.lastOut) {
		r.lastOut = dst.Start
	}
	r.emitted = true
}

func (r *reorder) takeLate() int {
	n := r.lateN
	r.lateN = 0
	return n
}

// sourceHeap orders sources by the start of their current sample, then by
// their position on the command line so that ties are stable.
type sourceHeap []*source

func (h sourceHeap) Len() int { return len(h) }
func (h sourceHeap) Less(i, j int) bool {
	a := &h[i].cur.samples[h[i].pos]
	b := &h[j].cur.samples[h[j].pos]
	if a.Start.Equal(b.Start) {
		return h[i].index < h[j].index
	}
	return a.Start.Before(b.Start)
}
func (h sourceHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sourceHeap) Push(x any)   { *h = append(*h, x.(*source)) }
func (h *sourceHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[:n-1]
	return x
}
