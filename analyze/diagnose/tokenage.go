package diagnose

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jtlscope/jtlscope/analyze/tokens"
	"github.com/jtlscope/jtlscope/samples"
)

// tokenAge asks whether failures begin once the bearer token reaches some
// age: one OAuth2 token shared by every thread until it goes stale.
type tokenAge struct {
	tr                 *tokens.Tracker
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

func (c *tokenAge) assess(a *assessment) Finding {
	f := Finding{Cause: c.Name(), mechanism: true}
	tr := c.tr.Result()
	ev := &TokenEvidence{Tokens: tr, Inferred: c.inferred > 0 && c.observed == 0}
	f.Evidence = ev
	dim, dimExp := c.dimAge, c.dimExpired
	keep := a.keep
	aged := func(k Key) bool { return keep(k) && k[dim] >= 0 }
	byAge := a.table.Marginal(dim, aged)
	ev.Bands = ageBands(byAge)
	agedTotal := a.table.Total(aged)
	if agedTotal.N == 0 {
		f.Verdict = NotAssessable
		switch {
		case tr.WithoutToken > 0 && tr.HeadersNotSaved == 0:
			f.Verdict = Unlikely
			f.Summary = "The failing requests carry no bearer token, so token age cannot be the cause."
			f.short = "the failing requests carry no bearer token"
		case tr.HeadersNotSaved > 0:
			f.Summary = "Request headers were not saved and the run has no token requests to infer token ages from."
			f.Missing = "save request headers (jmeter.save.saveservice.requestHeaders=true, XML output), or keep the token request in the same results file"
		default:
			f.Summary = "No token ages could be found."
		}
		return f
	}
	if len(byAge) < 3 {
		f.Verdict = NotAssessable
		f.Summary = "Token ages barely vary in this run, so they cannot be set against failures."
		f.Missing = "run longer than the token's suspected lifetime, so that token ages vary"
		return f
	}
	on, err := a.onsetOn(dim, aged, 199)
	if err != nil {
		f.Verdict = NotAssessable
		f.Summary = "Failures could not be fitted against token age: " + err.Error()
		return f
	}
	ev.PValue = round3(on.P)
	expired := a.table.Total(func(k Key) bool { return a.keep(k) && k[dimExp] == 1 })
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
	if !on.Found && expired.Fail == 0 {
		f.Verdict = Unlikely
		f.Summary = fmt.Sprintf("Failures do not rise with token age: %s.%s", agePhrase(ev.Bands), inferredNote)
		f.short = "failures do not rise with token age"
		return f
	}
	threshold := on.At
	found := on.Found
	f.marker = func(k Key) bool {
		if k[dimExp] == 1 {
			return true
		}
		if !found || k[dim] < 0 {
			return false
		}
		return float64(k[dim]) >= threshold
	}
	f.stratum = func(k Key) string {
		if k[dim] < 0 {
			return "t?"
		}
		return "t" + strconv.Itoa(int(k[dim])/5)
	}
	below := a.table.Total(func(k Key) bool { return aged(k) && !f.marker(k) })
	above := a.table.Total(func(k Key) bool { return aged(k) && f.marker(k) })
	ev.RateBelow, ev.RateAbove = round3(below.Rate()), round3(above.Rate())
	f.Explained = a.explained(f.marker)
	f.Share = a.share(f.Explained)
	f.Verdict = Likely
	if found {
		ev.Onset = &Onset{Metric: "token_age_s", Value: round1(on.At), Low: round1(on.AtCI.Lo), High: round1(on.AtCI.Hi)}
		f.Summary = fmt.Sprintf("Failures begin when the token is %s s old (95%% CI %s–%s s): %s of requests with an older token failed, against %s with a younger one.%s%s",
			fmtLevel(on.At), fmtLevel(on.AtCI.Lo), fmtLevel(on.AtCI.Hi), naturalRate(above), naturalRate(below), shared, inferredNote)
	} else {
		f.Summary = fmt.Sprintf("%s were sent with an expired token.%s%s", count(expired.N, "request"), shared, inferredNote)
	}
	if expired.N > 0 && found {
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
