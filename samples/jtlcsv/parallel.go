package jtlcsv

import (
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Parallel mode. Once a file has proved big, a reader goroutine cuts it
// into blocks at line breaks and workers parse the blocks into batches of
// samples; Decode hands the batches out in file order, fixing up line
// numbers, which a worker cannot know (it does not know how many lines the
// blocks before it held).
//
// A line break inside a quoted field can end a block. Workers assume that
// every block starts outside quotes; a worker whose block ends inside a
// quoted field reports where that unfinished record starts, and the
// consumer then re-parses that tail together with the next block, throwing
// the speculative result for that block away. The same is done when a
// header line inside the data changed the columns: blocks parsed with the
// old ones are parsed again. Both are rare; the common case costs one
// channel send per block, never per sample.
//
// Sub-result rows are attached to their parents after this, by the
// grouper over the rows in file order, so that parallel mode gives
// exactly what sequential mode gives (the tests compare the two on every
// input).
//
// The price is CPU: samples are built on one core and copied out on
// another, and the consumer's work stays serial. Measured on a 2-core VM
// reading 256 MiB through samples.Stream: 0.51 s against 0.70 to 0.97 s
// sequentially when the second core is free, at about the same CPU time;
// when other work holds that core it can be slower.

var (
	// parallelAfter is how much input is parsed in the caller's goroutine
	// before parsing moves to workers: below it, starting them costs more
	// than it saves.
	parallelAfter int64 = 8 << 20
	// parBlockSize is the block size in parallel mode: some 400 rows, so
	// that a batch of samples (600 bytes each) stays in the L2 cache while
	// one core writes it and another reads it. 512 KiB blocks cost 40% more
	// CPU per row than sequential decoding; 64 KiB blocks 15%.
	parBlockSize = 64 << 10
	// parWorkers overrides GOMAXPROCS as the number of workers (tests).
	parWorkers = 0
)

func workers() int {
	if parWorkers > 0 {
		return parWorkers
	}
	// Past a few workers the consumer, which is serial, is the limit,
	// while every worker adds jobs in flight (and their memory).
	return min(runtime.GOMAXPROCS(0), maxWorkers)
}

// maxWorkers caps the parse workers whatever the number of cores.
const maxWorkers = 8

// A job is one block and, once parsed, its samples and problems.
type job struct {
	buf   []byte // pooled memory holding block
	block []byte
	off   int64 // input offset of block[0]
	final bool
	sk    *skip
	lay   *layout // the columns the worker read the block with

	samples []samples.Sample
	errs    []posErr
	data    []byte // what was parsed: block, or a tail and block joined
	dataOff int64  // input offset of data[0]
	lines   int    // line breaks before the tail (or in all the data)
	tail    int
	tailLn  int
	endLay  *layout
	notes   []lineNote
	badUTF8 int
	dst     dstCount
	failed  error // a bug met while reading or parsing this block
	done    chan struct{}
}

// posErr is a problem met before the sample with index at.
type posErr struct {
	at  int
	err *samples.ParseError
}

// parseInto parses the parser's block into j.
func (p *parser) parseInto(j *job) {
	j.samples, j.errs = j.samples[:0], j.errs[:0]
	for {
		n := len(j.samples)
		if n == cap(j.samples) {
			j.samples = append(j.samples, samples.Sample{})
		}
		j.samples = j.samples[:n+1]
		st, perr := p.next(&j.samples[n])
		if st == stepSample {
			continue
		}
		j.samples = j.samples[:n]
		if st == stepError {
			j.errs = append(j.errs, posErr{at: n, err: perr})
			continue
		}
		break
	}
	j.data, j.dataOff = p.data, p.off
	j.lines, j.tail, j.tailLn = p.line, p.tail, p.tailLine
	if p.tail >= 0 {
		j.lines = p.tailLine
	}
	j.endLay = p.conv.lay
	j.notes = append(j.notes[:0], p.notes...)
	p.notes = p.notes[:0]
	j.badUTF8, p.conv.badUTF8 = p.conv.badUTF8, 0
	j.dst, p.conv.dst = p.conv.dst, dstCount{}
}

// shared is what the reader and the workers use. It must not reach the
// Decoder, so that an abandoned Decoder can be collected and its cleanup
// can stop them.
type shared struct {
	name    string
	cr      *chunkReader
	ordered chan *job // every job, in file order
	work    chan *job
	free    chan *job
	quit    chan struct{}
	lay     atomic.Pointer[layout]

	// Settings for the workers' converters, copied before they start: the
	// consumer goes on using the converter they come from.
	first *layout
	mode  tsMode
	pat   *dateFormat
	loc   *time.Location
	need  samples.Fields
}

// A parSource is the consumer side: it runs in the caller of Decode.
type parSource struct {
	d  *Decoder
	sh *shared

	cur      *job
	pos      int // next sample in cur
	epos     int // next problem in cur
	line     int // line where the next block starts
	carry    []byte
	carryOff int64
	carryLn  int
	lay      *layout
	p        parser // re-parses
	joined   []byte
	carryBuf []byte
	tailLen  int // length of the unfinished record when last parsed
	done     bool
}

// startParallel takes over from a seqSource between two blocks: carry is
// the unfinished record the last block ended with (nil if none).
func startParallel(s *seqSource, line int, carry []byte, carryOff int64) *parSource {
	n := workers()
	// A fixed set of jobs circulates: memory stays bounded, and a steady
	// state allocates nothing, so the collector has little to do.
	jobs := 2*n + 2
	conv := s.p.conv
	sh := &shared{
		name:    s.d.name,
		cr:      s.cr,
		ordered: make(chan *job, 2*n),
		work:    make(chan *job, n),
		free:    make(chan *job, jobs),
		quit:    make(chan struct{}),
		first:   conv.lay,
		mode:    conv.mode,
		pat:     conv.pat,
		loc:     conv.loc,
		need:    conv.need,
	}
	for i := 0; i < jobs; i++ {
		sh.free <- &job{}
	}
	sh.lay.Store(conv.lay)
	sh.cr.size = parBlockSize
	ps := &parSource{d: s.d, sh: sh, line: line, lay: conv.lay}
	if carry != nil {
		ps.carry = append([]byte(nil), carry...)
		ps.carryOff, ps.carryLn, ps.tailLen = carryOff, line, len(carry)
	}
	ps.p = parser{name: s.d.name, sc: scanner{delim: conv.lay.delim}, conv: conv, max: s.p.max}
	go sh.read()
	for i := 0; i < n; i++ {
		go sh.parse()
	}
	// If the caller drops the Decoder before the end, stop the goroutines.
	runtime.AddCleanup(s.d, func(q chan struct{}) { close(q) }, sh.quit)
	return ps
}

// read cuts the input into blocks and sends them to the workers and, in
// order, to the consumer.
func (sh *shared) read() {
	defer close(sh.work)
	for {
		var j *job
		select {
		case j = <-sh.free:
		case <-sh.quit:
			return
		}
		j.done = make(chan struct{})
		j.failed = nil
		final := sh.readInto(j)
		select {
		case sh.ordered <- j:
		case <-sh.quit:
			return
		}
		select {
		case sh.work <- j:
		case <-sh.quit:
			return
		}
		if final {
			return
		}
	}
}

// readInto fills j with the next block and reports whether it is the
// last. A panic (a bug) becomes an error that ends the input, as Stream
// does for a decoder's own goroutine.
func (sh *shared) readInto(j *job) (final bool) {
	defer func() {
		if r := recover(); r != nil {
			j.block, j.final, j.sk = nil, true, nil
			j.failed = fmt.Errorf("%s: internal error in the csv reader (please report it): %v", sh.name, r)
			final = true
		}
	}()
	block, off, final, sk := sh.cr.next(j.buf[:0], nil)
	j.buf, j.block, j.off, j.final, j.sk = block, block, off, final, sk
	j.lay = sh.lay.Load()
	return final
}

// parseSafely runs parseInto, turning a panic (a bug) into an error.
func parseSafely(p *parser, j *job) {
	defer func() {
		if r := recover(); r != nil {
			j.samples, j.errs = j.samples[:0], j.errs[:0]
			j.failed = fmt.Errorf("%s: internal error in the csv decoder (please report it): %v", p.name, r)
		}
	}()
	p.parseInto(j)
}

// parse is a worker.
func (sh *shared) parse() {
	c := newConverter(sh.first, sh.mode, sh.pat, sh.loc, sh.need)
	p := parser{name: sh.name, conv: c, max: sh.cr.max}
	for {
		var j *job
		select {
		case j = <-sh.work:
		case <-sh.quit:
			return
		}
		if j == nil {
			return
		}
		// A block the reader failed to fill has no layout to parse it with;
		// the consumer reports the failure.
		if j.failed == nil {
			if c.lay != j.lay {
				c.setLayout(j.lay)
			}
			p.sc.delim = j.lay.delim
			p.reset(j.block, j.off, 0, j.final)
			parseSafely(&p, j)
		}
		close(j.done)
	}
}

func (ps *parSource) next(out *samples.Sample) error {
	for {
		j := ps.cur
		if j == nil || (ps.epos == len(j.errs) && ps.pos == len(j.samples)) {
			if j != nil {
				ps.cur = nil
				ps.sh.free <- j // never blocks: it has room for every job
			}
			if ps.done {
				if err := ps.sh.cr.err; err != nil {
					return fmt.Errorf("%s: reading after byte %d: %w", ps.d.name, ps.sh.cr.restOff, err)
				}
				return io.EOF
			}
			j = <-ps.sh.ordered
			<-j.done
			if j.failed != nil {
				// The goroutines stop at the failed block; so does the
				// input (Decoder makes the error sticky).
				ps.done = true
				return j.failed
			}
			ps.accept(j)
			ps.cur, ps.pos, ps.epos = j, 0, 0
			ps.done = j.final
			continue
		}
		if ps.epos < len(j.errs) && j.errs[ps.epos].at <= ps.pos {
			ps.epos++
			return j.errs[ps.epos-1].err
		}
		*out = j.samples[ps.pos]
		ps.pos++
		return nil
	}
}

// accept checks a parsed job against what came before it, re-parses it if
// the worker's guess was wrong, and puts absolute line numbers in.
func (ps *parSource) accept(j *job) {
	base := ps.line
	switch {
	case j.sk != nil:
		// A line too long to hold; the unfinished record before it goes
		// with it, as in sequential mode.
		line, off := ps.line, j.sk.off
		if ps.carry != nil {
			line, off = ps.carryLn, ps.carryOff
		}
		j.samples, j.errs = j.samples[:0], append(j.errs[:0], posErr{err: &samples.ParseError{
			File: ps.d.name, Line: line, Offset: off,
			Msg: "a line longer than " + mib(ps.sh.cr.max) + " without a line break; skipped"}})
		ps.line = line + countLines(ps.carry) + 1
		ps.carry = nil
		return
	case ps.carry != nil && !j.final && len(ps.carry)+len(j.block) < 2*ps.tailLen:
		// A long unfinished record (a stray quote?): gather blocks until
		// the new data is as long as it, so that re-reading it stays
		// linear in the input, as in sequential mode.
		ps.carryBuf = append(ps.carry, j.block...)
		ps.carry = ps.carryBuf
		j.samples, j.errs, j.notes, j.badUTF8, j.dst = j.samples[:0], j.errs[:0], j.notes[:0], 0, dstCount{}
		return
	case ps.carry != nil || j.lay != ps.lay:
		data, off := j.block, j.off
		if ps.carry != nil {
			ps.joined = append(append(ps.joined[:0], ps.carry...), j.block...)
			data, off, base = ps.joined, ps.carryOff, ps.carryLn
		}
		if ps.p.conv.lay != ps.lay {
			ps.p.conv.setLayout(ps.lay)
		}
		ps.p.sc.delim = ps.lay.delim
		ps.p.reset(data, off, 0, j.final)
		ps.p.parseInto(j)
	}
	for i := range j.samples {
		j.samples[i].Line += base
	}
	for _, e := range j.errs {
		e.err.Line += base
	}
	for i := range j.notes {
		j.notes[i].line += base
	}
	if j.endLay != ps.lay {
		ps.lay = j.endLay
		ps.sh.lay.Store(j.endLay)
	}
	ps.d.addNotes(j.notes, j.badUTF8)
	ps.d.addDST(j.dst)
	ps.line = base + j.lines
	ps.carry = nil
	if j.tail >= 0 {
		ps.carryBuf = append(ps.carryBuf[:0], j.data[j.tail:]...)
		ps.carry = ps.carryBuf
		ps.carryOff = j.dataOff + int64(j.tail)
		ps.carryLn = base + j.tailLn
		ps.tailLen = len(ps.carry)
	}
}
