package analyze

import (
	"context"

	"github.com/jtlscope/jtlscope/samples"
)

// An Accumulator takes samples one at a time. Add must not keep s (it is
// reused); it may keep the strings and slices inside it.
type Accumulator interface {
	Add(s *samples.Sample)
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
func Run(ctx context.Context, src Source, accs ...Accumulator) error {
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

// Func adapts a function to an Accumulator.
type Func func(s *samples.Sample)

// Add calls f(s).
func (f Func) Add(s *samples.Sample) { f(s) }
