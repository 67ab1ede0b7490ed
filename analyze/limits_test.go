package analyze

import (
	"context"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// sliceSource is a Source over samples in memory.
type sliceSource struct {
	ss []samples.Sample
	i  int
}

func (s *sliceSource) Scan() bool              { s.i++; return s.i <= len(s.ss) }
func (s *sliceSource) Sample() *samples.Sample { return &s.ss[s.i-1] }
func (s *sliceSource) Err() error              { return nil }

func TestLabelLimitFoldsLabelsPastTheLimit(t *testing.T) {
	var ss []samples.Sample
	for i := 0; i < 10; i++ {
		ss = append(ss, samples.Sample{Label: "l" + strconv.Itoa(i%5)}) // l0..l4, twice
	}
	parent := samples.Sample{Label: "l1", Children: []samples.Sample{{Label: "l1-0"}, {Label: "l2"}}}
	ss = append(ss, parent)
	src := LimitLabels(&sliceSource{ss: ss}, 3)
	got := map[string]int{}
	var children []string
	err := Run(context.Background(), src, Func(func(s *samples.Sample) {
		got[s.Label]++
		for _, c := range s.Children {
			children = append(children, c.Label)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	// The first three labels stay; l3, l4 and the sub-result l1-0 fold.
	if got["l0"] != 2 || got["l1"] != 3 || got["l2"] != 2 || got[OtherLabels] != 4 || len(got) != 4 {
		t.Errorf("labels seen: %v", got)
	}
	if strings.Join(children, ",") != OtherLabels+",l2" {
		t.Errorf("sub-result labels %v", children)
	}
	if w := src.Warning(); !strings.Contains(w, "more than 3 distinct labels: 5 samples") {
		t.Errorf("warning %q", w)
	}
	// Asking for the same sample twice does not count it twice.
	one := LimitLabels(&sliceSource{ss: []samples.Sample{{Label: "a"}, {Label: "b"}}}, 1)
	for one.Scan() {
		one.Sample()
		one.Sample()
	}
	if w := one.Warning(); !strings.Contains(w, ": 1 sample with a later label is counted") {
		t.Errorf("warning %q", w)
	}
}

// CodeCounts leaves what AddCode leaves, codes past MaxCodes included.
func TestCodeCountsMatchAddCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, distinct := range []int{3, fewCodes, fewCodes + 1, MaxCodes, 3 * MaxCodes} {
		var c CodeCounts
		want := map[string]int64{}
		for i := 0; i < 20_000; i++ {
			code := strconv.Itoa(100 + rng.IntN(distinct))
			n := int64(1 + rng.IntN(3))
			c.Add(code, n)
			AddCode(want, code, n)
		}
		if got := c.Map(); !maps.Equal(got, want) {
			t.Errorf("%d codes: got %v, want %v", distinct, got, want)
		}
	}
}
