package diagnose

import (
	"fmt"
	"sort"
	"time"

	"github.com/jtlscope/jtlscope/analyze/tokens"
	"github.com/jtlscope/jtlscope/samples"
)

// tokenAge asks whether failures begin once the bearer token reaches some
// age: one OAuth2 token shared by every thread until it goes stale.
type tokenAge struct {
	tr *tokens.Tracker
	// last is the latest request's token use: the token-invalid cause
	// reads it rather than tracking tokens twice.
	last               tokens.Use
	dimAge, dimExpired int
	inferred, observed int64
}

// Values of the age dimension that are not ages.
const (
	ageUnknown      = -1
	ageTokenRequest = -2
)

func newTokenAge() *tokenAge { return &tokenAge{tr: tokens.New()} }

func (c *tokenAge) Name() string { return "token-age" }

func (c *tokenAge) setup(t *Table) {
	c.dimAge = t.addDim("token_age_s")
	c.dimExpired = t.addDim("token_expired")
}

func (c *tokenAge) observe(r *samples.Sample, rc *request, k *Key) {
	u := c.tr.Observe(r)
	c.last = u
	switch {
	case u.TokenRequest:
		k[c.dimAge] = ageTokenRequest
	case u.AgeFrom == "":
		k[c.dimAge] = ageUnknown
	default:
		k[c.dimAge] = ageBin(u.Age)
		if u.Inferred() {
			c.inferred++
		} else {
			c.observed++
		}
	}
	if u.Expired {
		k[c.dimExpired] = 1
	}
}

// ageBin rounds an age down to whole seconds up to a minute, 5 s up to
// ten minutes, 30 s up to an hour, then 5 minutes: fine where stale-token
// limits usually are (tens of seconds to an hour), coarse enough that a
// day-long soak test does not make a cell per second.
func ageBin(d time.Duration) int32 {
	s := int64(d / time.Second)
	switch {
	case s < 0:
		return 0
	case s < 60:
		return int32(s)
	case s < 600:
		return int32(s / 5 * 5)
	case s < 3600:
		return int32(s / 30 * 30)
	case s < 1<<30:
		return int32(s / 300 * 300)
	}
	return 1 << 30
}

// AgeBand is the outcome of requests whose token had an age in [From, To)
// seconds; the report charts it.
type AgeBand struct {
	FromS    int     `json:"from_s"`
	ToS      int     `json:"to_s"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"`
}

// TokenEvidence is the evidence of the token-age cause.
type TokenEvidence struct {
	Onset *Onset `json:"onset,omitempty"`
	// RateBelow and RateAbove are failure rates with a token younger and
	// older than the onset.
	RateBelow float64   `json:"rate_below,omitempty"`
	RateAbove float64   `json:"rate_above,omitempty"`
	Bands     []AgeBand `json:"bands"`
	// Inferred is set when ages come from token requests because request
	// headers were not saved.
	Inferred bool          `json:"inferred"`
	Tokens   tokens.Result `json:"tokens"`
	PValue   float64       `json:"p_value,omitempty"`
}

func (c *tokenAge) propose(a *assessment, p *population) *Marker {
	if !p.answered() {
		return nil
	}
	dim, dimExp := c.dimAge, c.dimExpired
	aged := p.where(func(k Key) bool { return k[dim] >= 0 })
	var at float64
	var pv float64
	switch {
	case a.tokenTTL > 0:
		// A token's lifetime is one number for a server: the threshold
		// found on another kind's failures holds here too.
		at = a.tokenTTL
	default:
		if len(a.table.marginal(dim, aged)) < 3 {
			break
		}
		on, err := a.onsetOn(dim, aged, onsetCheck)
		if err != nil || !on.Found || on.RateBelow >= highBase {
			break
		}
		at, pv = exposed(on), on.P
	}
	expired := a.table.total(p.where(func(k Key) bool { return k[dimExp] == 1 })).N
	if at == 0 && expired == 0 {
		return nil
	}
	m := &Marker{
		cause:         c.Name(),
		stratum:       a.levelStratum,
		p:             pv,
		param:         at,
		mechanism:     true,
		deterministic: true,
	}
	if at > 0 {
		m.metric = "token_age_s"
		m.detail = fmt.Sprintf("tokens older than %s s", fmtLevel(at))
		m.match = func(k Key) bool { return k[dimExp] == 1 || (k[dim] >= 0 && float64(k[dim]) >= at) }
	} else {
		m.detail = "expired tokens"
		m.match = func(k Key) bool { return k[dimExp] == 1 }
	}
	return m
}

func (c *tokenAge) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), mechanism: true, Verdict: Unlikely}
	tr := c.tr.Result()
	ev := &TokenEvidence{Tokens: tr, Inferred: c.inferred > 0 && c.observed == 0}
	f.Evidence = ev
	if a.failures > 0 && !a.anyAnswered() {
		f.Summary = "No failure got an answer from the server, so none was refused for its token."
		return f
	}
	dim, dimExp := c.dimAge, c.dimExpired
	pop := v.ownPop(a)
	if pop == nil {
		pop = &population{}
	}
	isAged := func(k Key) bool { return k[dim] >= 0 }
	aged := pop.where(isAged)
	byAge := a.table.marginal(dim, aged)
	ev.Bands = ageBands(byAge)
	agedTotal := a.table.total(aged)
	if agedTotal.N == 0 {
		f.Verdict = NotAssessable
		switch {
		case tr.WithoutToken > 0 && tr.HeadersNotSaved == 0:
			f.Verdict = Unlikely
			f.Summary = "The failing requests carry no bearer token, so token age cannot be the cause."
			f.short = "the failing requests carry no bearer token"
		case tr.HeadersNotSaved > 0:
			f.Summary = "Request headers were not saved and the run has no token requests to infer token ages from."
			f.Missing = a.advice("save request headers (jmeter.save.saveservice.requestHeaders=true, XML output), or keep the token request in the same results file",
				"export the HAR without sanitizing it (Chrome's default export removes Authorization headers and cookies), and include the token request in the capture")
		default:
			f.Summary = "No token ages could be found."
		}
		return f
	}
	if len(byAge) < 3 {
		f.Verdict = NotAssessable
		f.Summary = "Token ages barely vary in this run, so they cannot be set against failures."
		f.Missing = a.advice("run longer than the token's suspected lifetime, so that token ages vary",
			"capture a session longer than the token's suspected lifetime, so that token ages vary")
		return f
	}
	shared := ""
	if tr.MaxThreadsPerToken > 1 {
		shared = fmt.Sprintf(" One token was shared by up to %d threads.", tr.MaxThreadsPerToken)
		if tr.SharingInferred {
			shared = fmt.Sprintf(" One token was apparently shared by up to %d threads.", tr.MaxThreadsPerToken)
		}
	}
	inferredNote := ""
	if ev.Inferred {
		inferredNote = " (Token ages are inferred from the token requests in the run: request headers were not saved.)"
	}
	expired := a.table.total(pop.where(func(k Key) bool { return k[dimExp] == 1 }))
	if len(v.chosen) == 0 {
		f.Summary = fmt.Sprintf("Failures do not rise with token age: %s.%s", agePhrase(ev.Bands), inferredNote)
		f.short = "failures do not rise with token age"
		if v.proposed != nil && v.proposed.param > 0 {
			// Associated with failures, but another cause accounts for
			// them: say what was seen, the verdict says why it is not this.
			f.Summary = fmt.Sprintf("Failures rise with token age (from about %s s), but that is not what sets them.%s", fmtLevel(v.proposed.param), inferredNote)
			f.short = ""
		}
		return f
	}
	m := v.chosen[0].m
	below := a.table.total(pop.where(func(k Key) bool { return isAged(k) && !m.match(k) }))
	above := a.table.total(pop.where(func(k Key) bool { return isAged(k) && m.match(k) }))
	ev.RateBelow, ev.RateAbove = round3(below.Rate()), round3(above.Rate())
	f.detail = m.detail
	if m.param > 0 {
		ev.Onset = &Onset{Metric: "token_age_s", Value: round1(m.param), Low: round1(m.param), High: round1(m.param)}
		if on, err := a.onsetOn(dim, aged, 199); err == nil && on.Found {
			ev.PValue = round3(on.P)
			at, lo, hi := reported(on)
			ev.Onset = &Onset{Metric: "token_age_s", Value: round1(at), Low: round1(lo), High: round1(hi)}
		}
		if ev.Onset.Low > ev.Onset.Value || ev.Onset.High < ev.Onset.Value {
			ev.Onset.Low, ev.Onset.High = min(ev.Onset.Low, ev.Onset.Value), max(ev.Onset.High, ev.Onset.Value)
		}
		f.detail = fmt.Sprintf("tokens older than %s s", fmtLevel(ev.Onset.Value))
		f.Summary = fmt.Sprintf("Failures%s begin when the token is %s s old (95%% CI %s–%s s): %s of requests with an older token failed, against %s with a younger one.%s%s",
			kindClause(pop), fmtLevel(ev.Onset.Value), fmtLevel(ev.Onset.Low), fmtLevel(ev.Onset.High), naturalRate(above), naturalRate(below), shared, inferredNote)
	} else {
		f.Summary = fmt.Sprintf("%s were sent with an expired token.%s%s", count(expired.N, "request"), shared, inferredNote)
	}
	if expired.N > 0 && m.param > 0 {
		f.Summary += fmt.Sprintf(" %s were sent after the token's expiry.", count(expired.N, "request"))
	}
	return f
}

// ageBands groups ages into about a dozen round bands for the chart.
func ageBands(byAge map[int32]Counts) []AgeBand {
	maxAge := int32(0)
	for a := range byAge {
		if a > maxAge {
			maxAge = a
		}
	}
	w := bandWidth(int(maxAge))
	by := map[int]*Counts{}
	for a, c := range byAge {
		b := int(a) / w
		if by[b] == nil {
			by[b] = &Counts{}
		}
		by[b].add(c)
	}
	var out []AgeBand
	for b, c := range by {
		out = append(out, AgeBand{FromS: b * w, ToS: (b + 1) * w, Requests: c.N, Failures: c.Fail, Rate: round3(c.Rate())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FromS < out[j].FromS })
	return out
}

func agePhrase(bs []AgeBand) string {
	if len(bs) == 0 {
		return "no data"
	}
	first, last := bs[0], bs[len(bs)-1]
	return fmt.Sprintf("%s with tokens %d–%d s old and %s at %d–%d s", pct(first.Rate), first.FromS, first.ToS, pct(last.Rate), last.FromS, last.ToS)
}
