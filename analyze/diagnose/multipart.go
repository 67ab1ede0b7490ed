package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/multipart"
	"github.com/jtlscope/jtlscope/samples"
)

// multipartCause asks whether failing requests carry a malformed
// multipart body: a header boundary that differs from the body's (the
// classic hand-set Content-Type in a JMeter HTTP Header Manager), a
// missing close delimiter, LF-only framing, a part without a name.
type multipartCause struct {
	ch                *multipart.Checker
	kinds             []multipart.Kind
	kindBit           map[multipart.Kind]int
	dimState, dimMask int
	failedWithBody    int64
	okWithBody        int64
}

// Values of the state dimension.
const (
	mpUnexamined   = -3 // neither headers nor body recorded (CSV)
	mpUnverifiable = -2 // multipart, but the body could not be read to its end
	mpNot          = -1 // not multipart
	mpChecked      = 0
)

func newMultipartCause() *multipartCause {
	c := &multipartCause{ch: multipart.New(), kinds: multipart.Kinds(), kindBit: map[multipart.Kind]int{}}
	for i, k := range c.kinds {
		if i < 31 {
			c.kindBit[k] = i
		}
	}
	return c
}

func (c *multipartCause) Name() string { return "multipart-boundary" }

func (c *multipartCause) setup(t *Table) {
	c.dimState = t.addDim("multipart")
	c.dimMask = t.addDim("multipart_anomalies")
}

func (c *multipartCause) observe(r *samples.Sample, rc *request, k *Key) {
	ch := c.ch.Observe(r)
	switch {
	case r.Has&(samples.FieldRequestHeaders|samples.FieldRequestBody) == 0 && !ch.Multipart:
		k[c.dimState] = mpUnexamined
		return
	case !ch.Multipart:
		k[c.dimState] = mpNot
		return
	case ch.Checked:
		k[c.dimState] = mpChecked
	default:
		k[c.dimState] = mpUnverifiable
	}
	if ch.Checked {
		if rc.failed {
			c.failedWithBody++
		} else {
			c.okWithBody++
		}
	}
	var mask int32
	for _, a := range ch.Anomalies {
		if a.Kind == multipart.BoundaryReused {
			continue // a static body is evidence for other causes, not a malformed one
		}
		if b, ok := c.kindBit[a.Kind]; ok {
			mask |= 1 << b
		}
	}
	k[c.dimMask] = mask
}

// KindRate is the failure rate of requests with one anomaly kind.
type KindRate struct {
	Kind     multipart.Kind     `json:"kind"`
	Severity multipart.Severity `json:"severity"`
	Requests int64              `json:"requests"`
	Failures int64              `json:"failures"`
	Rate     float64            `json:"rate"`
}

// MultipartEvidence is the evidence of the multipart-boundary cause.
type MultipartEvidence struct {
	// Kinds are the anomalies on the failing labels, with their failure
	// rates; Marker names the one whose presence best matches failures.
	Kinds  []KindRate `json:"kinds"`
	Marker string     `json:"marker,omitempty"`
	// Clean is the failure rate of multipart requests without it.
	Clean Counts `json:"clean"`
	// ByLevel is how often the anomaly failed requests at each band of
	// load.
	ByLevel []LevelRate      `json:"by_level,omitempty"`
	Checks  multipart.Result `json:"checks"`
}

// marker is the requests with one anomaly kind.
func (c *multipartCause) marker(i int) *Marker {
	kind := c.kinds[i]
	bit, dimM := c.kindBit[kind], c.dimMask
	return &Marker{
		cause:         c.Name(),
		match:         func(k Key) bool { return k[dimM]&(1<<bit) != 0 },
		mechanism:     true,
		deterministic: true,
		index:         i,
		detail:        kindPhrase(kind),
	}
}

// multipartReq reports whether a key is a multipart request whose body
// could be looked at.
func (c *multipartCause) multipartReq(k Key) bool {
	return k[c.dimState] == mpChecked || k[c.dimState] == mpUnverifiable
}

func (c *multipartCause) propose(a *assessment, p *population) *Marker {
	if !p.answered() {
		return nil
	}
	with, all, multi := a.bitCounts(p, func(k Key) uint32 { return uint32(k[c.dimMask]) }, c.multipartReq)
	var best *Marker
	bestDev := 0.0
	for i, kind := range c.kinds {
		b, ok := c.kindBit[kind]
		if !ok {
			continue
		}
		cnt := with[b]
		clean := Counts{multi.N - cnt.N, multi.Fail - cnt.Fail}
		// A kind on every request (JMeter's charset parameter) or one that
		// fails no more often than clean bodies explains nothing.
		if cnt.Fail == 0 || clean.N == 0 || cnt.Rate() <= clean.Rate() {
			continue
		}
		if d := splitDeviance(cnt, all); best == nil || d < bestDev {
			best, bestDev = c.marker(i), d
		}
	}
	return best
}

func (c *multipartCause) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), mechanism: true, Verdict: Unlikely}
	res := c.ch.Result()
	ev := &MultipartEvidence{Checks: res}
	f.Evidence = ev
	if a.failures > 0 && !a.anyAnswered() {
		f.Summary = "No failure got an answer from the server, so none was refused for its body."
		return f
	}
	pop := v.pop
	if pop == nil {
		pop = &population{}
	}
	dimS := c.dimState
	states := a.table.marginal(dimS, pop.whole())
	multi := states[mpChecked].N + states[mpUnverifiable].N
	switch {
	case states[mpUnexamined].N > 0 && multi == 0 && states[mpNot].N == 0:
		f.Verdict = NotAssessable
		f.Summary = "Request headers and bodies were not saved, so multipart bodies cannot be checked."
		f.Missing = a.advice("save request headers and bodies: XML output with jmeter.save.saveservice.requestHeaders=true and samplerData=true (or response_data.on_error=true, which saves them for failed samples only)",
			"export the HAR with content; Chrome does not record FormData or Blob upload bodies, so capture uploads with a proxy such as mitmproxy or Fiddler")
		return f
	case multi == 0:
		f.Summary = "The failing requests are not multipart."
		f.short = "the failing requests are not multipart"
		return f
	}
	for i, kind := range c.kinds {
		if _, ok := c.kindBit[kind]; !ok {
			continue
		}
		m := c.marker(i)
		cnt := a.table.total(pop.wholeWhere(func(k Key) bool { return m.match(k) }))
		if cnt.N > 0 {
			ev.Kinds = append(ev.Kinds, KindRate{Kind: kind, Severity: kind.Severity(), Requests: cnt.N, Failures: cnt.Fail, Rate: round3(cnt.Rate())})
		}
	}
	m := v.proposed
	if len(v.chosen) > 0 {
		m = v.chosen[0].m
	}
	if m == nil {
		f.Summary = fmt.Sprintf("%s multipart bodies on the failing labels show no anomaly that the failures share.", countNum(multi))
		f.short = "the multipart bodies show no anomaly the failures share"
		if len(ev.Kinds) > 0 {
			var ks []string
			for _, k := range ev.Kinds {
				ks = append(ks, string(k.Kind))
			}
			f.Summary += " (Seen on successes too: " + strings.Join(ks, ", ") + ".)"
		}
		if states[mpUnverifiable].N > 0 && states[mpChecked].N == 0 {
			f.Verdict = NotAssessable
			f.Summary = "Multipart bodies were not saved in full, so they cannot be checked."
			f.Missing = a.advice("save request bodies in full (jmeter.save.saveservice.samplerData=true, XML output)",
				"export the HAR with content, or capture uploads with a proxy such as mitmproxy or Fiddler, which keep bodies in full")
		}
		return f
	}
	kind := c.kinds[m.index]
	ev.Marker = string(kind)
	// Judged on what the other chosen causes leave.
	own := v.ownPop(a)
	with := a.table.total(own.where(func(k Key) bool { return m.match(k) }))
	ev.Clean = a.table.total(own.where(func(k Key) bool { return c.multipartReq(k) && !m.match(k) }))
	detail := ""
	for _, ks := range res.Anomalies {
		if ks.Kind == kind && len(ks.Examples) > 0 {
			detail = ks.Examples[0].Detail
		}
	}
	f.detail = kindPhrase(kind)
	f.Summary = fmt.Sprintf("%s of multipart requests with %s failed, against %s of the others.",
		capitalize(naturalRate(with)), kindPhrase(kind), naturalRate(ev.Clean))
	if g := groupsOf(a, pop, m); g != "" {
		f.Summary += " They came from " + g + "."
	}
	if detail != "" {
		f.Summary += " For example: " + detail + "."
	}
	var rise string
	ev.ByLevel, rise = a.byLevel(own, m)
	f.Summary += rise
	if kind == multipart.BoundaryMismatch {
		f.Summary += " The classic cause is a hand-set Content-Type: multipart/form-data; boundary=... in an HTTP Header Manager, which JMeter before 5.5 sends with a body framed by its own boundary."
	}
	if c.okWithBody == 0 && c.failedWithBody > 0 {
		f.Summary += " (Bodies were saved only for failed samples, so successes could not be compared.)"
	}
	return f
}

// groupsOf names the thread groups of a marker's requests when they are
// a few of several: where to look in the test plan.
func groupsOf(a *assessment, pop *population, m *Marker) string {
	all := a.table.marginal(dimGroup, pop.whole())
	marked := a.table.marginal(dimGroup, pop.wholeWhere(func(k Key) bool { return m.match(k) }))
	if len(all) < 2 || len(marked) == 0 || len(marked) > 3 || len(marked) == len(all) {
		return ""
	}
	var names []string
	for g := range marked {
		names = append(names, fmt.Sprintf("thread group %q", a.groups[g]))
	}
	sort.Strings(names)
	return join(names)
}

var kindPhrases = map[multipart.Kind]string{
	multipart.BoundaryMismatch:    "a boundary in the Content-Type header that differs from the body's",
	multipart.BoundaryMissing:     "no boundary parameter",
	multipart.NoCloseDelimiter:    "no close delimiter",
	multipart.LFOnly:              "LF-only line framing",
	multipart.EmptyBody:           "an empty body",
	multipart.NoDelimiter:         "no boundary line in the body",
	multipart.PartNoDisposition:   "a part without a Content-Disposition header",
	multipart.PartNoName:          "a form-data part without a name",
	multipart.PartNotFormData:     "a part whose Content-Disposition is not form-data",
	multipart.PartHeaderMalformed: "a malformed part header",
	multipart.NoParts:             "no parts",
}

func kindPhrase(k multipart.Kind) string {
	if p, ok := kindPhrases[k]; ok {
		return p
	}
	return "the anomaly " + string(k)
}
