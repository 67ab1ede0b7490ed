package analyze

import (
	"context"
	"strconv"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// prepCounter is a Preparer: Prepare numbers the samples of each batch by
// label, Add checks it is given the same samples in the same order.
type prepCounter struct {
	t        *testing.T
	prepared int
	cur      []string
	pos      int
	added    []string
}

func (p *prepCounter) Prepare(batch []samples.Sample, prev any) any {
	labels, _ := prev.([]string)
	labels = labels[:0]
	for i := range batch {
		labels = append(labels, batch[i].Label)
		p.prepared++
	}
	return labels
}

func (p *prepCounter) Prepared(v any) { p.cur, p.pos = v.([]string), 0 }

func (p *prepCounter) Add(s *samples.Sample) {
	if p.pos >= len(p.cur) || p.cur[p.pos] != s.Label {
		p.t.Fatalf("Add(%q) is not the sample prepared next (%d of %v)", s.Label, p.pos, p.cur)
	}
	p.pos++
	p.added = append(p.added, s.Label)
}

func TestRunPipelinedPreparesEverySampleFirst(t *testing.T) {
	var ss []samples.Sample
	for i := 0; i < 3*pipeBatch*pipeDepth+17; i++ {
		ss = append(ss, samples.Sample{Label: "s" + strconv.Itoa(i)})
	}
	p := &prepCounter{t: t}
	var plain []string
	other := Func(func(s *samples.Sample) { plain = append(plain, s.Label) })
	if err := Run(context.Background(), &sliceSource{ss: ss}, p, other); err != nil {
		t.Fatal(err)
	}
	if p.prepared != len(ss) || len(p.added) != len(ss) || len(plain) != len(ss) {
		t.Fatalf("prepared %d, added %d, other accumulator saw %d of %d", p.prepared, len(p.added), len(plain), len(ss))
	}
	for i := range ss {
		if p.added[i] != ss[i].Label || plain[i] != ss[i].Label {
			t.Fatalf("sample %d: added %q, other saw %q, want %q", i, p.added[i], plain[i], ss[i].Label)
		}
	}
}

// An interrupt stops the read, and the batches in flight are still added:
// every accumulator has seen the same samples.
func TestRunPipelinedStopsOnCancel(t *testing.T) {
	ss := make([]samples.Sample, 100*pipeBatch)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	p := &prepCounter{t: t}
	count := Func(func(*samples.Sample) {
		if n++; n == 3*pipeBatch {
			cancel()
		}
	})
	err := Run(ctx, &sliceSource{ss: ss}, p, count)
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n >= len(ss) || n != len(p.added) || p.prepared != n {
		t.Fatalf("read on to %d of %d samples after the cancel; prepared %d, added %d", n, len(ss), p.prepared, len(p.added))
	}
}
