package analyze

import (
	"context"
	"runtime"

	"github.com/jtlscope/jtlscope/samples"
)

// An Accumulator takes samples one at a time. Add must not keep s (it is
// reused); it may keep the strings and slices inside it.
type Accumulator interface {
	Add(s *samples.Sample)
}

// A Preparer is an Accumulator that does part of its work ahead of Add,
// on a goroutine of its own: what follows one value through a run (the
// IDs seen so far, each thread's token, the requests in flight) and needs
// only the samples, not the rest of the accumulator. Run gives Prepare
// each batch of samples, in order, before it calls Add with them, and
// hands what Prepare returned to Prepared just before those calls of Add.
// Prepare of the next batch runs while Add works on this one, so the two
// must share nothing but what Prepare returns. prev is what Prepare
// returned for an earlier batch whose samples have all been added: it
// may be reused. Without Run (a test calling Add), Add must do all the
// work itself.
type Preparer interface {
	Accumulator
	Prepare(batch []samples.Sample, prev any) any
	Prepared(p any)
}

// A Source is a sequence of samples; *samples.Stream is one.
type Source interface {
	Scan() bool
	Sample() *samples.Sample
	Err() error
}

// Run reads src to the end and gives every sample to every accumulator, in
// the order given. It stops early when ctx is cancelled and returns
// ctx.Err(); accumulators then hold a partial result, which callers may
// still report as such.
//
// When an accumulator is a Preparer and there is more than one core, the
// samples travel in batches and Prepare runs on its own goroutine, a batch
// or two ahead of Add: both cores work on the analyses.
func Run(ctx context.Context, src Source, accs ...Accumulator) error {
	var preps []Preparer
	for _, a := range accs {
		if p, ok := a.(Preparer); ok {
			preps = append(preps, p)
		}
	}
	if len(preps) > 0 && runtime.GOMAXPROCS(0) > 1 {
		return runPipelined(ctx, src, accs, preps)
	}
	done := ctx.Done()
	n := 0
	for src.Scan() {
		s := src.Sample()
		for _, a := range accs {
			a.Add(s)
		}
		// Checking the context costs a channel poll; every 1024 samples is
		// often enough to stop within milliseconds.
		if n++; n&1023 == 0 && done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// Pipelined runs: pipeBatch samples are copied into each batch (a shallow
// copy: the strings and slices inside a Sample are never written again,
// so they can be shared), and pipeDepth batches are in flight at once.
const (
	pipeBatch = 256
	pipeDepth = 4
)

type runBatch struct {
	samples  []samples.Sample
	prepared []any // one per Preparer
}

func runPipelined(ctx context.Context, src Source, accs []Accumulator, preps []Preparer) error {
	free := make([]*runBatch, 0, pipeDepth)
	for i := 0; i < pipeDepth; i++ {
		free = append(free, &runBatch{samples: make([]samples.Sample, 0, pipeBatch), prepared: make([]any, len(preps))})
	}
	toPrep := make(chan *runBatch, pipeDepth)
	prepared := make(chan *runBatch, pipeDepth)
	go func() {
		defer close(prepared)
		for b := range toPrep {
			for i, p := range preps {
				b.prepared[i] = p.Prepare(b.samples, b.prepared[i])
			}
			prepared <- b
		}
	}()
	inflight := 0
	// add gives the samples of a prepared batch to every accumulator.
	add := func(b *runBatch) {
		for i, p := range preps {
			p.Prepared(b.prepared[i])
		}
		for i := range b.samples {
			s := &b.samples[i]
			for _, a := range accs {
				a.Add(s)
			}
		}
		b.samples = b.samples[:0]
		free = append(free, b)
		inflight--
	}
	done := ctx.Done()
	more, stopped := true, false
	for more && !stopped {
		if len(free) == 0 {
			add(<-prepared)
		}
		b := free[len(free)-1]
		free = free[:len(free)-1]
		for len(b.samples) < pipeBatch {
			if !src.Scan() {
				more = false
				break
			}
			b.samples = append(b.samples, *src.Sample())
		}
		if done != nil {
			select {
			case <-done:
				stopped = true
			default:
			}
		}
		if len(b.samples) == 0 {
			free = append(free, b)
			break
		}
		toPrep <- b
		inflight++
		// Add what is ready without waiting: the helper is a batch or
		// two ahead.
		for ready := true; ready && inflight > 0; {
			select {
			case pb := <-prepared:
				add(pb)
			default:
				ready = false
			}
		}
	}
	close(toPrep)
	// The batches in flight are finished, even after an interrupt, so
	// that every accumulator has seen the same samples.
	for inflight > 0 {
		add(<-prepared)
	}
	if err := src.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// Func adapts a function to an Accumulator.
type Func func(s *samples.Sample)

// Add calls f(s).
func (f Func) Add(s *samples.Sample) { f(s) }
