package analyze

import "github.com/jtlscope/jtlscope/samples"

// SubResultSource passes samples through from a Source and, after each,
// its sub-results (samples.Sample.SubResults: redirect hops and embedded
// resources, at any depth) as samples of their own, without children.
// Every analysis then counts them as requests besides their parent: what
// --subresults asks for. Without it, a parent counts once.
type SubResultSource struct {
	Source
	cur     *samples.Sample
	pending []samples.Sample
	next    int
}

// WithSubResults wraps src.
func WithSubResults(src Source) *SubResultSource { return &SubResultSource{Source: src} }

// Scan advances to the next sample or sub-result.
func (s *SubResultSource) Scan() bool {
	if s.next < len(s.pending) {
		s.cur = &s.pending[s.next]
		s.next++
		return true
	}
	if !s.Source.Scan() {
		return false
	}
	s.cur = s.Source.Sample()
	// The sub-results are copied out: the source may reuse its sample.
	// The strings and slices inside stay shared, which Sample allows.
	s.pending, s.next = s.pending[:0], 0
	s.cur.SubResults(func(c *samples.Sample) {
		s.pending = append(s.pending, *c)
		s.pending[len(s.pending)-1].Children = nil
	})
	return true
}

// Sample returns the current sample or sub-result.
func (s *SubResultSource) Sample() *samples.Sample { return s.cur }
