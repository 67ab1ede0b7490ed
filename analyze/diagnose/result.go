package diagnose

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Result is the JSON contract of `jtlscope diagnose --format json`.
type Result struct {
	// Partial is set when the run was interrupted: the result covers only
	// the samples read before it.
	Partial bool `json:"partial,omitempty"`
	// Samples are the samples read; Requests the requests among them
	// (samples.Sample.Requests).
	Samples  int64 `json:"samples"`
	Requests int64 `json:"requests"`
	// Failures are the failing requests analysed (every failing request
	// unless --status narrows them).
	Failures int64 `json:"failures"`
	// Untimed counts the requests without a timestamp, and
	// UntimedFailures the failing ones among them: every cause is judged
	// over time, so they are counted here and diagnosed nowhere.
	Untimed         int64 `json:"untimed,omitempty"`
	UntimedFailures int64 `json:"untimed_failures,omitempty"`
	// Criterion is what counts as a failure, e.g. "failed" or "4xx".
	Criterion string           `json:"criterion"`
	Status    map[string]int64 `json:"status"`
	// Kinds are the failures by what the client saw (HTTP status,
	// non-HTTP error class, failed assertion), most first; each is
	// explained on its own.
	Kinds []KindResult `json:"kinds"`
	// Labels are the labels with failures; causes are judged on their
	// requests only.
	Labels []LabelFailures `json:"labels"`
	// Verdict is the plain-language answer, for people.
	Verdict string    `json:"verdict"`
	Causes  []Finding `json:"causes"`
	// Unexplained counts the failures no cause accounts for.
	Unexplained int64 `json:"unexplained"`
	// NextSteps say what to record or which test to run to settle what
	// this data cannot.
	NextSteps []string                `json:"next_steps,omitempty"`
	Little    concurrency.LittleCheck `json:"littles_law"`
	Warnings  []string                `json:"warnings"`

	attribution []Attribution
}

// KindResult is one kind of failure and what explains it.
type KindResult struct {
	// Kind is the stable name: "400", "non-http:read-timeout",
	// "assertion"; Class is 4xx, 5xx, non-http, assertion or other.
	Kind  string `json:"kind"`
	Class string `json:"class"`
	// Description names the kind for people: "400", "read timeout".
	Description string `json:"description"`
	Failures    int64  `json:"failures"`
	// Codes are the response codes as written (a non-HTTP kind's
	// exception names), most first.
	Codes []CodeCount `json:"codes,omitempty"`
	// ElapsedMS describes the failures' response times.
	ElapsedMS ElapsedSummary `json:"elapsed_ms"`
	// Modes are present when the kind's failures fall into two clearly
	// separated response-time groups, diagnosed apart.
	Modes       []KindMode       `json:"modes,omitempty"`
	Attributed  map[string]int64 `json:"attributed"`
	Unexplained int64            `json:"unexplained"`
}

// KindMode is one response-time group of a kind's failures.
type KindMode struct {
	Mode        string           `json:"mode"` // "fast" or "slow"
	Failures    int64            `json:"failures"`
	ElapsedMS   ElapsedSummary   `json:"elapsed_ms"`
	Attributed  map[string]int64 `json:"attributed"`
	Unexplained int64            `json:"unexplained"`
}

// ElapsedSummary is the spread of some response times.
type ElapsedSummary struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// CodeCount is one response code and how often it came.
type CodeCount struct {
	Code  string `json:"code"`
	Count int64  `json:"count"`
}

// LabelFailures counts one label's requests and failures.
type LabelFailures struct {
	Label    string  `json:"label"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"`
}

// Attribution returns one row per failing request with the cause it is
// put down to, in the order they were read.
func (r *Result) Attribution() []Attribution { return r.attribution }

// Cause returns the finding for the named cause, or nil.
func (r *Result) Cause(name string) *Finding {
	for i := range r.Causes {
		if r.Causes[i].Cause == name {
			return &r.Causes[i]
		}
	}
	return nil
}

// assessment is what causes judge themselves from.
type assessment struct {
	table   *Table
	labels  []string
	groups  []string
	kinds   *kindSet
	causes  []Cause
	has     samples.Fields
	noTimes bool
	seed    uint64
	// window is the width of a time window of the table.
	window time.Duration
	// levelDim is the key dimension concurrency is measured on: JMeter's
	// threads when recorded, else the requests in flight.
	levelDim int
	// strataTime and strataLevel are the widths, in time windows and
	// levels, of the strata comparable requests are grouped in.
	strataTime, strataLevel int32
	// failures is every failure analysed.
	failures int64
	// capture is set when the input is a browser or proxy capture (HAR):
	// no sample has a JMeter thread name or thread count.
	capture bool
	// decisions, in the order they were made; set once deciding is done.
	decisions []*decision
	// stopWindow and maxThreads mark the ramp-down: requests in or after
	// the last time window that reached the most threads, with fewer
	// threads than that, were sent while JMeter's threads were stopping.
	// JMeter counts threads when a sample ends, so such a sample carries
	// a low count while the full load's requests are still in flight:
	// concurrency onsets are fitted without them. stopWindow < 0: none.
	stopWindow, maxThreads int32
	// tokenTTL is the token-age threshold chosen for an earlier kind: a
	// token's lifetime is one number for a server, so later kinds are
	// judged with it rather than a refit.
	tokenTTL float64
	// proposals caches the causes' markers by population (proposeCached).
	proposals map[string]*Marker
	mu        sync.Mutex
}

func (a *assessment) level(k Key) int32 { return k[a.levelDim] }

// anyAnswered reports whether some kind's failures got an answer from
// the server: causes that need one (a refused token, ID or body) have
// nothing to explain otherwise.
func (a *assessment) anyAnswered() bool {
	for _, dec := range a.decisions {
		if dec.pop.answered() {
			return true
		}
	}
	return false
}

// advice picks what to record next time for the kind of input: JMeter's
// save-service properties mean nothing to someone who exported a HAR.
func (a *assessment) advice(jmeter, capture string) string {
	if a.capture {
		return capture
	}
	return jmeter
}

// steady reports whether a request was not sent during the ramp-down.
func (a *assessment) steady(k Key) bool {
	return a.stopWindow < 0 || k[dimTime] < a.stopWindow || k[dimThreads] >= a.maxThreads
}

// steadyView is v without the ramp-down: what concurrency is fitted on.
func (a *assessment) steadyView(v view) view {
	keep := v.keep
	return view{keep: func(k Key) bool { return a.steady(k) && (keep == nil || keep(k)) }, fail: v.fail}
}

func newCauses(opts Options) []Cause {
	age := newTokenAge()
	return []Cause{
		&concurrencyCause{seed: opts.Seed},
		newDuplicateID(opts.IDs),
		age,
		newTokenInvalid(age), // after age: it reads the use age found
		newMultipartCause(),
		newRateLimit(),
		newClientSide(causeClientTimeout),
		newClientSide(causeConnection),
		threadGroupCause{},
		newErrorBody(),
	}
}

// Result judges every cause and returns the diagnosis. Call it once,
// after the last Add.
func (d *Diagnoser) Result() Result {
	res := Result{
		Samples:   d.samples,
		Requests:  d.requests,
		Criterion: d.opts.Status.String(),
		Status:    d.status,
		Untimed:   d.noStart,
		// Failures without a time are counted apart (see Untimed).
		UntimedFailures: d.noStartFailed,
		Kinds:           []KindResult{},
		Warnings:        []string{},
	}
	d.settleCollisions()
	d.table.freeze()
	failing := map[int32]bool{}
	for l, c := range d.table.Marginal(dimLabel, func(k Key) bool { return k[dimKind] >= 0 }) {
		if c.Fail > 0 {
			failing[l] = true
			res.Labels = append(res.Labels, LabelFailures{Label: redact.Text(d.labels[l]), Requests: c.N, Failures: c.Fail, Rate: round3(c.Rate())})
		}
		res.Failures += c.Fail
	}
	sort.Slice(res.Labels, func(i, j int) bool {
		if res.Labels[i].Failures != res.Labels[j].Failures {
			return res.Labels[i].Failures > res.Labels[j].Failures
		}
		return res.Labels[i].Label < res.Labels[j].Label
	})
	a := d.assessment(res.Failures)
	res.Little = d.little.Result()
	if d.noStart > 0 {
		w := fmt.Sprintf("%s without a timestamp were left out", count(d.noStart, "request"))
		if d.noStartFailed > 0 {
			w += fmt.Sprintf(" (%s of them failed)", countNum(d.noStartFailed))
		}
		res.Warnings = append(res.Warnings, w)
	}
	if d.threadShift > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("too many distinct thread counts to keep apart: failure rates are by groups of %d adjacent counts", 1<<d.threadShift))
	}
	pops := d.populations(a, failing)
	for _, p := range pops {
		dec := a.decide(p.pop, p.name)
		a.decisions = append(a.decisions, dec)
		for _, c := range dec.chosen {
			if c.m.cause == "token-age" && c.strong && a.tokenTTL == 0 {
				a.tokenTTL = c.m.param
			}
		}
	}
	verdicts := a.verdicts()
	fs := make([]Finding, len(a.causes))
	var wg sync.WaitGroup
	for i, c := range a.causes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fs[i] = a.finding(c, verdicts[c.Name()])
		}()
	}
	wg.Wait()
	for i := range fs {
		// A mistyped --id must not pass for "no IDs were saved".
		if spec, ok := unmatchedID(&fs[i]); ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("--id %s matched no request", spec))
		}
	}
	res.Causes = rankFindings(fs)
	res.Kinds, res.Unexplained = d.kindResults(a)
	res.Verdict, res.NextSteps = verdictText(&res, a)
	res.attribution = d.attribute(a)
	return res
}

func (d *Diagnoser) assessment(failures int64) *assessment {
	a := &assessment{
		table:    d.table,
		labels:   d.labels,
		groups:   d.groups,
		kinds:    d.kinds,
		causes:   d.causes,
		has:      d.has,
		noTimes:  d.requests > 0 && d.noStart == d.requests,
		window:   timeBin << d.timeShift,
		seed:     d.opts.Seed,
		failures: failures,
		levelDim: dimThreads,
		capture:  d.requests > 0 && d.has&(samples.FieldThread|samples.FieldThreads) == 0,
	}
	if d.has&samples.FieldThreads == 0 {
		a.levelDim = dimInFlight
	}
	var maxT, maxL int32
	a.stopWindow = -1
	for _, r := range d.table.list() {
		k := r.k
		maxT = max(maxT, k[dimTime])
		maxL = max(maxL, k[a.levelDim])
		a.maxThreads = max(a.maxThreads, k[dimThreads])
	}
	if a.levelDim == dimThreads {
		for _, r := range d.table.list() {
			k := r.k
			if k[dimThreads] == a.maxThreads {
				a.stopWindow = max(a.stopWindow, k[dimTime])
			}
		}
	}
	a.strataTime = max(1, (maxT+1)/12)
	a.strataLevel = int32(bandWidth(int(maxL)))
	return a
}

type namedPop struct {
	pop  *population
	name string
	n    int64
}

// populations makes one population per failure kind, two when the kind's
// failures fall into two response-time modes, most failures first. A run
// without failures gets one population of every request, so that the
// causes still say what they checked.
func (d *Diagnoser) populations(a *assessment, failing map[int32]bool) []namedPop {
	var out []namedPop
	for i := int32(1); i <= int32(d.kinds.count()); i++ {
		labels := map[int32]bool{}
		byBand := map[int32]int64{}
		var n int64
		for _, r := range d.table.list() {
			k, c := r.k, &r.c
			if k[dimKind] == i {
				labels[k[dimLabel]] = true
				byBand[k[dimLatency]] += c.N
				n += c.N
			}
		}
		if n == 0 {
			continue
		}
		def := d.kinds.def(i)
		if a.capture {
			// A capture labels each URL apart: a page's failing requests
			// are set against every request of the capture, not the few to
			// the same URL.
			labels = nil
		}
		if cut := splitLatency(byBand); cut > 0 {
			for sub := int8(1); sub <= 2; sub++ {
				p := &population{kind: i, def: def, sub: sub, cut: cut, labels: labels}
				p.elapsed = d.modeElapsed(p)
				m := a.table.total(p.wholeWhere(func(k Key) bool { return p.failure(k) })).Fail
				out = append(out, namedPop{p, def.name() + "/" + modeName(sub), m})
			}
			continue
		}
		out = append(out, namedPop{&population{kind: i, def: def, labels: labels}, def.name(), n})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	if len(out) == 0 {
		out = append(out, namedPop{&population{}, "", 0})
	}
	return out
}

func modeName(sub int8) string {
	if sub == 1 {
		return "fast"
	}
	return "slow"
}

// verdicts gathers, per cause, what the decisions concluded.
func (a *assessment) verdicts() map[string]*causeVerdict {
	out := map[string]*causeVerdict{}
	for _, c := range a.causes {
		out[c.Name()] = &causeVerdict{}
	}
	for _, dec := range a.decisions {
		for _, c := range dec.chosen {
			v := out[c.m.cause]
			v.chosen = append(v.chosen, c)
			v.attributed += c.attributed
		}
		for name, m := range dec.proposed {
			v := out[name]
			if v.proposed == nil {
				v.proposed, v.pop = m, dec.pop
			}
			v.explained += a.table.total(dec.pop.wholeWhere(func(k Key) bool { return dec.pop.failure(k) && m.match(k) })).Fail
		}
	}
	for name, v := range out {
		sort.SliceStable(v.chosen, func(i, j int) bool { return v.chosen[i].attributed > v.chosen[j].attributed })
		if len(v.chosen) > 0 {
			// The chosen marker, on the population of the kind it took the
			// most of, is the cause's evidence.
			v.pop = v.chosen[0].dec.pop
			v.proposed = v.chosen[0].m
			v.verdict = Possible
			for _, c := range v.chosen {
				if c.strong {
					v.verdict = Likely
				}
			}
			if c := v.chosen[0]; c.m.match != nil {
				// A marker refitted on what the others leave marks its own
				// failures on the whole kind too.
				v.explained = max(v.explained, v.attributed)
			}
		}
		for _, dec := range a.decisions {
			for _, other := range dec.sameAs[name] {
				if !contains(v.sameAs, other) {
					v.sameAs = append(v.sameAs, other)
				}
			}
		}
		if len(v.chosen) == 0 && len(v.sameAs) > 0 {
			// Picks out the same requests as a chosen cause: the data
			// cannot rule it out.
			v.verdict = Possible
		}
		if len(v.chosen) == 0 {
			v.explainedBy = a.explainedBy(name)
		}
		if v.pop == nil && len(a.decisions) > 0 {
			// Never proposed: describe it on the kind with the most failures.
			v.pop = a.decisions[0].pop
		}
		dec := a.mainDecision(v)
		if dec != nil && v.proposed != nil {
			v.fit = a.fit(dec, v.proposed)
			if v.fit != nil {
				v.fit.SameAs = v.sameAs
				v.fit.ExplainedBy = v.explainedBy
			}
		}
		_ = name
	}
	return out
}

// mainDecision is the decision a cause is described on: where it was
// chosen, else the first it was proposed for.
func (a *assessment) mainDecision(v *causeVerdict) *decision {
	if len(v.chosen) > 0 {
		return v.chosen[0].dec
	}
	for _, dec := range a.decisions {
		if dec.pop == v.pop {
			return dec
		}
	}
	return nil
}

// explainedBy names the chosen cause that accounts for a cause which,
// alone, would have been taken: the one whose marker covers most of its
// marked failures.
func (a *assessment) explainedBy(name string) string {
	best, bestN := "", int64(0)
	for _, dec := range a.decisions {
		m := dec.proposed[name]
		if m == nil || !dec.acceptable[name] {
			continue
		}
		for _, c := range dec.chosen {
			if c.m.cause == name {
				continue
			}
			n := a.table.total(dec.pop.wholeWhere(func(k Key) bool {
				return m.match(k) && (c.m.defining || c.m.match(k))
			})).Fail
			if n > bestN {
				best, bestN = c.m.cause, n
			}
		}
	}
	return best
}

// finding asks the cause for its finding and fills in what decide knows.
func (a *assessment) finding(c Cause, v *causeVerdict) Finding {
	f := c.assess(a, v)
	f.Cause = c.Name()
	if v.verdict != "" {
		f.Verdict = v.verdict
	}
	if a.failures == 0 && f.Verdict != NotAssessable {
		f.Verdict = Unlikely
		if c.Name() != "concurrency" {
			// Its own words would speak of failures there were none of.
			f.Summary, f.short = "Nothing failed, so there is nothing for "+causeNoun(c.Name())+" to explain.", ""
		}
	}
	f.Attributed = v.attributed
	f.Explained = max(f.Explained, v.explained)
	f.Share = share(v.attributed, a.failures)
	f.Fit = v.fit
	for _, ch := range v.chosen {
		f.Kinds = append(f.Kinds, KindShare{Kind: ch.dec.name, Attributed: ch.attributed, Failures: ch.dec.failures})
	}
	return f
}

func share(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return round3(float64(n) / float64(of))
}

// rankFindings sorts the findings: likely first, then by the failures
// they account for.
func rankFindings(fs []Finding) []Finding {
	sort.SliceStable(fs, func(a, b int) bool {
		fa, fb := &fs[a], &fs[b]
		if fa.Verdict.rank() != fb.Verdict.rank() {
			return fa.Verdict.rank() < fb.Verdict.rank()
		}
		if fa.Attributed != fb.Attributed {
			return fa.Attributed > fb.Attributed
		}
		if fa.mechanism != fb.mechanism && contains(sameAsOf(fa), fb.Cause) {
			return fa.mechanism
		}
		if fa.Explained != fb.Explained {
			return fa.Explained > fb.Explained
		}
		return fitAlone(fa) > fitAlone(fb)
	})
	return fs
}

func sameAsOf(f *Finding) []string {
	if f.Fit == nil {
		return nil
	}
	return f.Fit.SameAs
}

func fitAlone(f *Finding) float64 {
	if f.Fit == nil {
		return -1
	}
	return f.Fit.Alone
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// kindResults describes each kind and what explains it.
func (d *Diagnoser) kindResults(a *assessment) ([]KindResult, int64) {
	byKind := map[int32]*KindResult{}
	var order []int32
	var unexplained int64
	for _, dec := range a.decisions {
		p := dec.pop
		if p.kind == 0 {
			continue
		}
		kr := byKind[p.kind]
		if kr == nil {
			def := d.kinds.def(p.kind)
			st := d.kinds.stat(p.kind)
			kr = &KindResult{Kind: def.name(), Class: def.class, Description: def.phrase(), Attributed: map[string]int64{}}
			kr.Failures = st.n
			kr.ElapsedMS = summarise(&st.lat, st.minMS, st.maxMS)
			for _, code := range sortedByCount(st.codes) {
				kr.Codes = append(kr.Codes, CodeCount{Code: redact.Text(code), Count: st.codes[code]})
			}
			byKind[p.kind] = kr
			order = append(order, p.kind)
		}
		attributed := map[string]int64{}
		for _, c := range dec.chosen {
			attributed[c.m.cause] += c.attributed
			kr.Attributed[c.m.cause] += c.attributed
		}
		kr.Unexplained += dec.unexplained
		unexplained += dec.unexplained
		if p.sub > 0 {
			kr.Modes = append(kr.Modes, KindMode{
				Mode:        modeName(p.sub),
				Failures:    dec.failures,
				ElapsedMS:   d.modeElapsed(p),
				Attributed:  attributed,
				Unexplained: dec.unexplained,
			})
		}
	}
	out := make([]KindResult, 0, len(order))
	for _, k := range order {
		kr := byKind[k]
		sort.Slice(kr.Modes, func(i, j int) bool { return kr.Modes[i].Mode < kr.Modes[j].Mode })
		out = append(out, *kr)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Failures > out[j].Failures })
	return out, unexplained
}

// modeElapsed summarises one response-time mode: its exact extremes from
// the bands it holds (band b holds [2^(b-1), 2^b) ms), its median from
// the histogram.
func (d *Diagnoser) modeElapsed(p *population) ElapsedSummary {
	st := d.kinds.stat(p.kind)
	lo, hi := int64(-1), int64(-1)
	for b := range st.bandMax {
		if (p.sub == 1) != (int32(b) < p.cut) || st.bandN[b] == 0 {
			continue
		}
		if lo < 0 || st.bandMin[b] < lo {
			lo = st.bandMin[b]
		}
		hi = max(hi, st.bandMax[b])
	}
	if lo < 0 {
		return ElapsedSummary{}
	}
	var h latencyHist
	for b, n := range st.lat.counts {
		if v := latValue(b); v >= float64(lo)-1 && v <= float64(hi)+1 {
			if h.counts == nil {
				h.counts = map[int32]int64{}
			}
			h.counts[b] += n
			h.n += n
		}
	}
	return summarise(&h, lo, hi)
}

// summarise states a spread: exact extremes, the histogram's median kept
// between them.
func summarise(h *latencyHist, lo, hi int64) ElapsedSummary {
	if h.n == 0 || lo < 0 {
		return ElapsedSummary{}
	}
	med := math.Round(h.quantile(0.5))
	med = math.Min(math.Max(med, float64(lo)), float64(hi))
	return ElapsedSummary{Min: float64(lo), Median: med, Max: float64(hi)}
}

func sortedByCount(m map[string]int64) []string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	return keys
}

// attribute puts each kept failure down to the cause its kind's decision
// gave it.
func (d *Diagnoser) attribute(a *assessment) []Attribution {
	out := make([]Attribution, 0, len(d.failures))
	for _, f := range d.failures {
		k := d.coarse(f.key)
		cause := Unexplained
		for _, dec := range a.decisions {
			if c := dec.attribute(k); c != "" {
				cause = c
				break
			}
		}
		out = append(out, Attribution{
			Source: d.sources[f.source],
			Line:   int(f.line),
			Label:  redact.Text(d.labels[f.label]),
			Start:  f.start,
			Code:   redact.Text(f.code),
			Kind:   d.kinds.def(k[dimKind]).name(),
			Cause:  cause,
		})
	}
	return out
}
