package diagnose

import (
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

// This file is the one place that decides: which causes explain the
// failures of each kind, in which order, and which failure goes to which
// cause. The method is peeling. Every cause offers a marker (the requests
// that show it) on the kind's population; the marker whose requests fail
// most purely, and far more often than comparable requests without it,
// is taken first, with every request it marks; the others are offered
// again on what is left, so that each threshold is estimated on the
// failures the causes before it do not explain, and a cause is judged on
// what it adds given them. A cause can explain a minority of the failures
// and still be chosen: what counts is that its requests fail far more
// often than comparable ones. Failures no chosen marker picks out are
// unexplained, and the verdict says how many.

// population is the set of requests one kind's failures are judged
// against: the requests on the labels where the kind occurs that either
// succeeded or failed with this kind (a request that failed otherwise was
// never at risk of this failure: a 429 is not a chance to get a 400),
// less the requests the markers in taken have picked out.
type population struct {
	kind int32 // 0: no failure kind (a run without failures)
	def  kindDef
	// sub is 0 for the whole kind, 1 and 2 for its fast and slow
	// failures when the kind splits by response time at band cut.
	sub int8
	cut int32
	// elapsed is the spread of the mode's failures' response times.
	elapsed ElapsedSummary
	labels  map[int32]bool
	taken   []*Marker
}

// base reports whether a request belongs to the population before
// anything is taken away. The response-time modes of a kind are stages:
// a request that failed slowly had passed whatever refuses fast (a token
// check before any work), so the fast failures are judged against every
// request, slow failures counting as passes; a request refused fast never
// reached the slow stage, so the slow failures are judged without them.
func (p *population) base(k Key) bool {
	if p.labels != nil && !p.labels[k[dimLabel]] {
		return false
	}
	switch kd := k[dimKind]; {
	case kd == 0:
		return true
	case kd != p.kind:
		return false
	}
	return p.sub != 2 || k[dimLatency] >= p.cut
}

func (p *population) in(k Key) bool {
	if !p.base(k) {
		return false
	}
	for _, m := range p.taken {
		if m.match(k) {
			return false
		}
	}
	return true
}

// failure reports whether a cell of the population is one of its
// failures.
func (p *population) failure(k Key) bool {
	if p.kind == 0 || k[dimKind] != p.kind {
		return false
	}
	switch p.sub {
	case 1:
		return k[dimLatency] < p.cut
	case 2:
		return k[dimLatency] >= p.cut
	}
	return true
}

// all is the population as a view of the table; where adds a condition.
func (p *population) all() view { return view{keep: p.in, fail: p.failure} }
func (p *population) where(f func(Key) bool) view {
	return view{keep: func(k Key) bool { return p.in(k) && f(k) }, fail: p.failure}
}

// whole is the population before anything was taken away.
func (p *population) whole() view { return view{keep: p.base, fail: p.failure} }
func (p *population) wholeWhere(f func(Key) bool) view {
	return view{keep: func(k Key) bool { return p.base(k) && f(k) }, fail: p.failure}
}

// answered reports whether the population's failures got an answer from
// the server (an HTTP status, or a good status an assertion failed): a
// request the server never answered (a timeout, a refused connection) did
// not fail for its token, its ID or its body.
func (p *population) answered() bool { return p.kind != 0 && p.def.class != ClassNonHTTP }

// without returns the population less the requests ms mark.
func (p *population) without(ms ...*Marker) *population {
	q := *p
	q.taken = append(append([]*Marker(nil), p.taken...), ms...)
	return &q
}

// a choice is a marker taken for a kind, with what it took.
type choice struct {
	m *Marker
	// marked are the requests (and their failures) the marker picked out
	// when it was taken; attributed == marked.Fail.
	marked     Counts
	attributed int64
	atRisk     int64
	// expected failures among marked had they failed like comparable
	// requests without the marker; rest is the failure rate of the
	// population's other requests.
	expected float64
	rest     Counts
	purity   float64
	// wholePurity is the marker's purity on the whole population, which
	// decides between chosen causes that mark the same failure.
	wholePurity float64
	p           float64
	strong      bool
	dec         *decision
}

// decision is what was decided for one kind (or one of its response-time
// modes).
type decision struct {
	pop      *population
	name     string
	failures int64
	chosen   []*choice
	// proposed are the causes' markers on the whole population, before
	// anything was taken: for the evidence, Fit and "explained by".
	proposed    map[string]*Marker
	acceptable  map[string]bool // proposed markers that would be taken alone
	sameAs      map[string][]string
	unexplained int64
}

// Acceptance thresholds for a marker.
const (
	// minFailures a marker must pick out.
	minFailures = 3
	// maxP is the largest p-value of the marker's association accepted;
	// strongP the largest for "likely".
	maxP    = 1e-3
	strongP = 1e-4
	// minRatio: the marker's requests fail at least this many times as
	// often as comparable ones (strongRatio for "likely").
	minRatio    = 2.0
	strongRatio = 3.0
	// minExcess: and at least this many points more often.
	minExcess = 0.10
	// strongPurity: a likely cause fails at least this share of the
	// requests it marks (at risk).
	strongPurity = 0.25
	// deterministicPurity: a deterministic mechanism's marker fails at
	// least this share, or it is not that mechanism.
	deterministicPurity = 0.80
	// sameJaccard: two markers whose request sets overlap this much pick
	// out the same requests.
	sameJaccard = 0.90
	// onsetP is the largest p-value of an onset's own test accepted.
	onsetP = 0.05
	// minThresholdShare: a threshold marker picks out at least this share
	// of the kind's failures.
	minThresholdShare = 0.01
)

// specificity orders causes that pick out the same requests: what was
// wrong with the request itself comes before when or where it was sent.
// A resend after a 429 that reuses a stored ID fails for the ID; a
// thread group's failures are its Header Manager's malformed body.
var specificity = map[string]int{
	"multipart-boundary": 9,
	"duplicate-id":       8,
	"token-invalid":      7,
	"token-age":          6,
	"client-timeout":     5,
	"connection":         5,
	"rate-limit":         4,
	"concurrency":        3,
	"thread-group":       1,
}

// decide peels the causes off one population.
func (a *assessment) decide(pop *population, name string) *decision {
	d := &decision{pop: pop, name: name, proposed: map[string]*Marker{}, acceptable: map[string]bool{}, sameAs: map[string][]string{}}
	d.failures = a.table.total(pop.wholeWhere(func(k Key) bool { return pop.failure(k) })).Fail
	// Proposals on the whole population: evidence, Fit, explained-by.
	props := a.proposeAll(pop, nil, nil)
	for _, m := range props {
		d.proposed[m.cause] = m
	}
	if d.failures == 0 {
		return d
	}
	for _, m := range props {
		if c := a.evaluate(pop, m); c.accepted() {
			d.acceptable[m.cause] = true
		}
	}
	// A defining marker (a 429 is rate limiting) takes the whole kind.
	for _, m := range props {
		if m.defining {
			c := a.evaluate(pop, m)
			c.strong, c.dec = true, d
			d.chosen = []*choice{c}
			d.unexplained = d.failures - c.attributed
			return d
		}
	}
	// Peel, then refit the thresholds of the chosen markers on what the
	// others leave, until they settle: the first fit of a threshold saw
	// the other causes' failures too.
	fixed := map[string]*Marker{}
	for iter := 0; iter < 3; iter++ {
		d.peel(a, fixed)
		changed := false
		for _, c := range d.chosen {
			if c.m.metric == "" {
				continue
			}
			var others []*Marker
			for _, o := range d.chosen {
				if o != c {
					others = append(others, o.m)
				}
			}
			if len(others) == 0 {
				continue // fitted on the whole population already
			}
			m := a.proposeOne(c.m.cause, pop.without(others...))
			if m != nil && m.param != c.m.param {
				fixed[c.m.cause] = m
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	d.recount(a)
	return d
}

// recount puts each failure of the population down to one chosen cause
// (see attribute) and counts them.
func (d *decision) recount(a *assessment) {
	for _, c := range d.chosen {
		c.attributed = 0
		w := a.table.total(d.pop.wholeWhere(c.m.match))
		c.wholePurity = float64(w.Fail) / math.Max(1, float64(w.N))
		if c.m.atRisk != nil {
			r := a.table.total(d.pop.wholeWhere(func(k Key) bool { return c.m.match(k) && c.m.atRisk(k) }))
			c.wholePurity = math.Min(1, float64(w.Fail)/math.Max(1, float64(r.N)))
		}
	}
	d.unexplained = 0
	v := d.pop.whole()
	for _, r := range a.table.list() {
		k, cell := r.k, &r.c
		cc, ok := v.counts(k, *cell)
		if !ok || cc.Fail == 0 {
			continue
		}
		if c := d.cause(k); c != nil {
			c.attributed += cc.Fail
		} else {
			d.unexplained += cc.Fail
		}
	}
}

// peel chooses markers one at a time on what the earlier ones leave.
func (d *decision) peel(a *assessment, fixed map[string]*Marker) {
	d.chosen = nil
	d.sameAs = map[string][]string{}
	pop := d.pop
	done := map[string]bool{}
	for {
		var cands []*choice
		for _, m := range a.proposeAll(pop, fixed, done) {
			if m.defining {
				continue
			}
			c := a.evaluate(pop, m)
			// A threshold refitted on what other causes left can chase a
			// handful of stray failures: it must explain a real part.
			if m.metric != "" && float64(c.marked.Fail) < minThresholdShare*float64(d.failures) {
				continue
			}
			if c.accepted() {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].before(cands[j]) })
		best := cands[0]
		// Markers that pick out the same requests cannot be told apart by
		// these data; what kind of cause each is decides which is named.
		for _, o := range cands[1:] {
			if a.jaccard(pop, best.m, o.m) < sameJaccard {
				continue
			}
			d.sameAs[best.m.cause] = append(d.sameAs[best.m.cause], o.m.cause)
			d.sameAs[o.m.cause] = append(d.sameAs[o.m.cause], best.m.cause)
			if preferred(o.m, best.m) {
				best = o
			}
		}
		best.dec = d
		d.chosen = append(d.chosen, best)
		done[best.m.cause] = true
		pop = pop.without(best.m)
	}
}

// preferred reports whether a names the cause better than b when both
// pick out the same requests.
func preferred(a, b *Marker) bool {
	if a.mechanism != b.mechanism {
		return a.mechanism
	}
	return specificity[a.cause] > specificity[b.cause]
}

// before orders candidates: strong ones first, then the purest (by the
// lower bound of their failure share, so that a large pure set beats a
// small one), then mechanisms, then the more specific.
func (c *choice) before(o *choice) bool {
	if c.strong != o.strong {
		return c.strong
	}
	lc, lo := c.purityLow(), o.purityLow()
	if math.Abs(lc-lo) > 1e-9 {
		return lc > lo
	}
	return preferred(c.m, o.m)
}

func (c *choice) purityLow() float64 {
	n := max(c.atRisk, 1)
	k := min(c.marked.Fail, n)
	iv, err := stats.Wilson(int(k), int(n), 0.95)
	if err != nil {
		return 0
	}
	return iv.Lo
}

// accepted: the marker picks out enough failures, significantly and far
// more often than comparable requests.
func (c *choice) accepted() bool {
	if c.m.defining {
		return c.marked.Fail > 0
	}
	if c.marked.Fail < minFailures {
		return false
	}
	ratio := float64(c.marked.Fail) / math.Max(c.expected, 0.5)
	if ratio < minRatio || c.purity-c.rest.Rate() < minExcess {
		return false
	}
	if c.m.p > 0 {
		return c.m.p < onsetP
	}
	return c.p < maxP
}

// evaluate measures a marker on a population: what it picks out, how pure
// it is, and how many failures comparable requests would have had.
func (a *assessment) evaluate(p *population, m *Marker) *choice {
	c := &choice{m: m}
	type pair struct{ in, out Counts }
	strata := map[int64]*pair{}
	stratum := m.stratum
	if stratum == nil {
		stratum = a.defaultStratum
	}
	v := p.all()
	for _, r := range a.table.list() {
		k, cell := r.k, &r.c
		cc, ok := v.counts(k, *cell)
		if !ok {
			continue
		}
		cnt := &cc
		s := strata[stratum(k)]
		if s == nil {
			s = &pair{}
			strata[stratum(k)] = s
		}
		if m.match(k) {
			c.marked.add(*cnt)
			s.in.add(*cnt)
			if m.atRisk == nil || m.atRisk(k) {
				c.atRisk += cnt.N
			}
		} else {
			c.rest.add(*cnt)
			s.out.add(*cnt)
		}
	}
	c.attributed = c.marked.Fail
	c.purity = math.Min(1, float64(c.marked.Fail)/math.Max(1, float64(c.atRisk)))
	// Expected failures: each stratum's marked requests at the rate of its
	// unmarked ones (the pooled rest where a stratum has none).
	var variance float64
	pooled := c.rest.Rate()
	for _, s := range strata {
		if s.in.N == 0 {
			continue
		}
		r := pooled
		if s.out.N >= 5 {
			r = s.out.Rate()
		}
		c.expected += float64(s.in.N) * r
		variance += float64(s.in.N) * r * (1 - r)
	}
	c.p = upperTail(float64(c.marked.Fail), c.expected, variance)
	if m.p > 0 {
		c.p = m.p
	}
	ratio := float64(c.marked.Fail) / math.Max(c.expected, 0.5)
	c.strong = c.marked.Fail >= 5 && ratio >= strongRatio && c.purity >= strongPurity &&
		(c.p < strongP || (m.p > 0 && m.p < onsetP && c.purity-c.rest.Rate() >= 2*minExcess))
	// A threshold on a deterministic mechanism that fails far fewer than
	// the requests past it is not that mechanism's threshold (token age
	// rising with the ramp beside a concurrency limit). A marker without a
	// threshold may be partly pure by nature: of the resends of an ID, the
	// server refuses only those whose first attempt it kept.
	if m.deterministic && m.metric != "" && c.purity < deterministicPurity {
		c.strong = false
	}
	if m.defining {
		c.strong = true
	}
	return c
}

// upperTail is the one-sided p-value of observing k or more failures
// where e were expected with the given variance (normal approximation
// with continuity correction; a floor for variance keeps "none expected,
// several seen" significant rather than undefined).
func upperTail(k, e, variance float64) float64 {
	if k <= e {
		return 1
	}
	sd := math.Sqrt(math.Max(variance, e) + 0.25)
	z := (k - e - 0.5) / sd
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// defaultStratum groups comparable requests: the same time window (about
// a twelfth of the run) and the same concurrency band.
func (a *assessment) defaultStratum(k Key) int64 {
	t := int64(k[dimTime]) / int64(a.strataTime)
	c := int64(a.level(k)) / int64(a.strataLevel)
	return t<<32 | (c & 0xffffffff)
}

// levelStratum groups comparable requests by concurrency band alone, for
// markers that rise with time themselves (a shared token ages with the
// run).
func (a *assessment) levelStratum(k Key) int64 { return int64(a.level(k)) / int64(a.strataLevel) }

// jaccard is the overlap of two markers' request sets on p.
func (a *assessment) jaccard(p *population, x, y *Marker) float64 {
	var both, either int64
	for _, r := range a.table.list() {
		k, cnt := r.k, &r.c
		if !p.in(k) {
			continue
		}
		mx, my := x.match(k), y.match(k)
		if mx && my {
			both += cnt.N
		}
		if mx || my {
			either += cnt.N
		}
	}
	if either == 0 {
		return 0
	}
	return float64(both) / float64(either)
}

// proposeAll asks every cause but those in skip for its marker on p;
// fixed overrides.
func (a *assessment) proposeAll(p *population, fixed map[string]*Marker, skip map[string]bool) []*Marker {
	out := make([]*Marker, len(a.causes))
	ready := make(chan struct{}, len(a.causes))
	// Threshold causes fit an onset: run the causes side by side.
	for i, c := range a.causes {
		if m, ok := fixed[c.Name()]; ok {
			out[i] = m
			ready <- struct{}{}
			continue
		}
		if skip[c.Name()] {
			ready <- struct{}{}
			continue
		}
		go func() {
			out[i] = a.proposeCached(c, p)
			ready <- struct{}{}
		}()
	}
	for range a.causes {
		<-ready
	}
	var ms []*Marker
	for _, m := range out {
		if m != nil {
			ms = append(ms, m)
		}
	}
	return ms
}

func (a *assessment) proposeOne(cause string, p *population) *Marker {
	for _, c := range a.causes {
		if c.Name() == cause {
			return a.proposeCached(c, p)
		}
	}
	return nil
}

// proposeCached asks c for its marker on p once per population: peeling
// and refitting offer the same population again and again, and a
// threshold's proposal fits an onset.
func (a *assessment) proposeCached(c Cause, p *population) *Marker {
	key := fmt.Sprintf("%s|%d|%d|%d", c.Name(), p.kind, p.sub, p.cut)
	for _, m := range p.taken {
		key += fmt.Sprintf("|%p", m)
	}
	a.mu.Lock()
	m, ok := a.proposals[key]
	a.mu.Unlock()
	if ok {
		return m
	}
	m = c.propose(a, p)
	a.mu.Lock()
	if a.proposals == nil {
		a.proposals = map[string]*Marker{}
	}
	a.proposals[key] = m
	a.mu.Unlock()
	return m
}

// attribute returns the cause a failure with key k is put down to, ""
// when the failure is not this decision's.
func (d *decision) attribute(k Key) string {
	if !d.pop.base(k) || !d.pop.failure(k) {
		return ""
	}
	if c := d.cause(k); c != nil {
		return c.m.cause
	}
	return Unexplained
}

// cause picks, among the chosen markers a failure shows, the one most
// likely to have failed it: a likely cause before a possible one; between
// two mechanisms that fail (nearly) every request they mark, the one a
// server checks first (pipeline); else the purest over the whole
// population (an expired token fails every request, a concurrency limit
// some of them), in the order they were chosen when equal. A request a
// cause spared (the first of a collision group) goes to the next.
func (d *decision) cause(k Key) *choice {
	var best *choice
	for _, c := range d.chosen {
		if !(c.m.defining || c.m.match(k)) || (c.m.spared != nil && c.m.spared(k)) {
			continue
		}
		if best == nil || c.beats(best) {
			best = c
		}
	}
	return best
}

// pipeline is the order in which a server usually checks a request:
// credentials first (in a gateway or middleware, before any body is
// read), then its rate, then the body's framing, then what the body says.
// When a request fails two of these checks, the first one answers. A
// thread group that fails every request stands where the setting it
// carries is checked: in practice a body (a Header Manager's Content-Type)
// or an ID (its CSV Data Set), after the credentials.
var pipeline = map[string]int{
	"token-invalid":      1,
	"token-age":          2,
	"rate-limit":         3,
	"multipart-boundary": 4,
	"thread-group":       4,
	"duplicate-id":       5,
}

func (c *choice) beats(o *choice) bool {
	if c.strong != o.strong {
		return c.strong
	}
	pc, po := pipeline[c.m.cause], pipeline[o.m.cause]
	if pc > 0 && po > 0 && c.wholePurity >= deterministicPurity && o.wholePurity >= deterministicPurity {
		return pc < po
	}
	return c.wholePurity > o.wholePurity+1e-9
}

// fit measures a marker as shares of the population's null deviance:
// alone, and what it adds to (or, for a chosen one, takes from) the
// chosen markers.
func (a *assessment) fit(d *decision, m *Marker) *Fit {
	keep := d.pop.whole()
	d0 := deviance(a.table, keep, nil)
	if d0 <= 0 {
		return nil
	}
	var chosen []func(Key) bool
	isChosen := false
	for _, c := range d.chosen {
		if c.m.cause == m.cause {
			isChosen = true
			continue
		}
		chosen = append(chosen, c.m.match)
	}
	with := deviance(a.table, keep, append(append([]func(Key) bool(nil), chosen...), m.match))
	without := deviance(a.table, keep, chosen)
	_ = isChosen
	return &Fit{
		Alone:  round3(1 - deviance(a.table, keep, []func(Key) bool{m.match})/d0),
		Unique: round3(math.Max(0, without-with) / d0),
	}
}

// bitCounts counts p's requests, in one scan, for each bit of a feature
// that is a bit set (ID locations, multipart anomalies): with[b] are the
// requests with bit b, all every request, and selected those sel accepts
// (all of them when sel is nil; bits count only on selected requests).
// Every candidate marker of such a cause is then measured from counts.
func (a *assessment) bitCounts(p *population, mask func(Key) uint32, sel func(Key) bool) (with [32]Counts, all, selected Counts) {
	v := p.all()
	for _, r := range a.table.list() {
		cc, ok := v.counts(r.k, r.c)
		if !ok {
			continue
		}
		all.add(cc)
		if sel != nil && !sel(r.k) {
			continue
		}
		selected.add(cc)
		for m := mask(r.k); m != 0; m &= m - 1 {
			with[bits.TrailingZeros32(m)].add(cc)
		}
	}
	return with, all, selected
}

// splitDeviance is the deviance of the model that splits all into in and
// the rest, each with its own rate: a one-marker deviance from counts.
func splitDeviance(in, all Counts) float64 {
	return binomDev(in) + binomDev(Counts{all.N - in.N, all.Fail - in.Fail})
}

// binomDev is the deviance contribution of a group with n requests and k
// failures under its own rate: -2 log-likelihood at p = k/n.
func binomDev(c Counts) float64 {
	if c.N == 0 || c.Fail == 0 || c.Fail == c.N {
		return 0
	}
	n, k := float64(c.N), float64(c.Fail)
	p := k / n
	return -2 * (k*math.Log(p) + (n-k)*math.Log(1-p))
}

// deviance of the model that gives each combination of the markers its
// own failure rate, over the cells of v. With no markers it is
// the null deviance. Rates of 0 and 1 are fine here (no iteration, no
// separation problem), which matters: many real causes separate failures
// from successes perfectly.
func deviance(t *Table, v view, markers []func(Key) bool) float64 {
	groups := map[uint64]*Counts{}
	for _, r := range t.list() {
		k, cell := r.k, &r.c
		c, ok := v.counts(k, *cell)
		if !ok {
			continue
		}
		var g uint64
		for i, m := range markers {
			if m(k) {
				g |= 1 << i
			}
		}
		gc := groups[g]
		if gc == nil {
			gc = &Counts{}
			groups[g] = gc
		}
		gc.add(c)
	}
	d := 0.0
	for _, c := range groups {
		d += binomDev(*c)
	}
	return d
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
