package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/tokens"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// tokenInvalid asks whether failing requests were sent without a token
// the run ever validly obtained: the thread's token request failed (the
// token endpoint answered 429, 401 or timed out) and the request went out
// anyway with an extractor's default ("NOTOKEN"), an empty Bearer, an
// unresolved ${token}, or whatever token the thread had before. This is
// the chain behind many "random" 400s under load: the token endpoint is
// throttled first, and the uploads fail for it.
type tokenInvalid struct {
	age *tokenAge
	dim int
	// threads maps a thread whose token request failed to that request's
	// response code (bounded).
	threads                  map[string]string
	placeholder, afterFailed int64
}

// Values of the token-invalid dimension, a bit set.
const (
	tiPlaceholder = 1 << iota // a placeholder sent instead of a token
	tiFetchFailed             // the thread's token request had failed
)

const maxInvalidThreads = 1 << 14

func newTokenInvalid(age *tokenAge) *tokenInvalid {
	return &tokenInvalid{age: age, threads: map[string]string{}}
}

func (c *tokenInvalid) Name() string   { return "token-invalid" }
func (c *tokenInvalid) setup(t *Table) { c.dim = t.addDim("token_invalid") }

func (c *tokenInvalid) observe(r *samples.Sample, rc *request, k *Key) {
	u := c.age.last
	var v int32
	if u.Bearer && u.Kind == tokens.KindPlaceholder {
		v |= tiPlaceholder
		c.placeholder++
	}
	if u.FetchFailed != "" {
		v |= tiFetchFailed
		c.afterFailed++
		name := r.Hostname + "\x00" + r.Thread
		if _, ok := c.threads[name]; ok || len(c.threads) < maxInvalidThreads {
			c.threads[name] = u.FetchFailed
		}
	}
	k[c.dim] = v
}

func (c *tokenInvalid) propose(a *assessment, p *population) *Marker {
	if p.kind == 0 || c.placeholder+c.afterFailed == 0 {
		return nil
	}
	if !p.answered() && !c.tokenRequestsOnly(a, p) {
		return nil
	}
	if c.afterFailed > 0 && c.tokenRequestsOnly(a, p) {
		// The token requests that failed are the first link of the chain:
		// what they are is threads that never got a token.
		kind := p.kind
		return &Marker{cause: c.Name(), match: func(k Key) bool { return k[dimKind] == kind }, defining: true, mechanism: true, detail: "token requests that failed"}
	}
	dim := c.dim
	return &Marker{
		cause:         c.Name(),
		match:         func(k Key) bool { return k[dim] != 0 },
		mechanism:     true,
		deterministic: true,
		detail:        "requests sent without a valid token",
	}
}

// tokenRequestsOnly reports whether every failure of p is a token
// request.
func (c *tokenInvalid) tokenRequestsOnly(a *assessment, p *population) bool {
	dim := c.age.dimAge
	all := a.table.total(p.whole()).Fail
	tok := a.table.total(p.wholeWhere(func(k Key) bool { return k[dim] == ageTokenRequest })).Fail
	return all > 0 && tok == all
}

// TokenInvalidEvidence is the evidence of the token-invalid cause.
type TokenInvalidEvidence struct {
	// Placeholder counts requests that sent a placeholder ("NOTOKEN",
	// "${token}", an empty Bearer) instead of a token; AfterFailedFetch
	// those from threads whose token request had failed.
	Placeholder      int64 `json:"placeholder"`
	AfterFailedFetch int64 `json:"after_failed_fetch"`
	// Threads counts threads whose token request failed, by its response
	// code.
	Threads map[string]int `json:"threads_by_fetch_code,omitempty"`
	// Invalid and Valid are the failure rates of requests without and
	// with a validly obtained token.
	Invalid Counts `json:"invalid"`
	Valid   Counts `json:"valid"`
	// ByLevel is how often a missing token failed requests at each band
	// of load.
	ByLevel []LevelRate `json:"by_level,omitempty"`
}

func (c *tokenInvalid) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), mechanism: true, Verdict: Unlikely}
	ev := &TokenInvalidEvidence{Placeholder: c.placeholder, AfterFailedFetch: c.afterFailed, Threads: map[string]int{}}
	for _, code := range c.threads {
		ev.Threads[redact.Text(code)]++
	}
	f.Evidence = ev
	if a.failures > 0 && !a.anyAnswered() {
		f.Summary = "No failure got an answer from the server, so none was refused for its token."
		return f
	}
	if c.placeholder+c.afterFailed == 0 {
		f.Summary = "Every request that needed a token was sent with one the run had obtained: no thread's token request failed, and no placeholder was sent instead of a token."
		f.short = "no request was sent without a validly obtained token"
		tr := c.age.tr.Result()
		if tr.TokenRequests == 0 && tr.WithToken == 0 {
			f.Verdict = NotAssessable
			f.Summary = "The run has no token requests and no bearer tokens to check."
			f.short = ""
		}
		return f
	}
	// Describe the requests that needed a token, not the token requests
	// whose failures began the chain.
	pop := v.pop
	var fetches int64
	for _, ch := range v.chosen {
		if ch.m.defining {
			fetches += ch.attributed
		} else if pop == v.pop {
			pop = ch.dec.pop
		}
	}
	if pop == nil {
		pop = &population{}
	}
	dim := c.dim
	ev.Invalid = a.table.total(pop.wholeWhere(func(k Key) bool { return k[dim] != 0 }))
	ev.Valid = a.table.total(pop.wholeWhere(func(k Key) bool { return k[dim] == 0 }))
	var parts []string
	if c.afterFailed > 0 {
		codes := make([]string, 0, len(ev.Threads))
		for code := range ev.Threads {
			codes = append(codes, code)
		}
		sort.Slice(codes, func(i, j int) bool { return ev.Threads[codes[i]] > ev.Threads[codes[j]] })
		var by []string
		for _, code := range codes {
			by = append(by, fmt.Sprintf("%s got %s", count(int64(ev.Threads[code]), "thread"), fetchPhrase(code)))
		}
		parts = append(parts, fmt.Sprintf("%s came from threads whose token request failed (%s)", count(c.afterFailed, "request"), strings.Join(by, ", ")))
	}
	if c.placeholder > 0 {
		parts = append(parts, fmt.Sprintf("%s sent a placeholder such as NOTOKEN, an empty Bearer or an unresolved ${token} instead of a token", count(c.placeholder, "request")))
	}
	f.Summary = capitalize(strings.Join(parts, "; ")) + fmt.Sprintf(". %s of requests without a validly obtained token failed, against %s of the others.", capitalize(naturalRate(ev.Invalid)), naturalRate(ev.Valid))
	if fetches > 0 {
		f.Summary += fmt.Sprintf(" The chain starts at the %s that failed: a throttled or failing token endpoint leaves threads without a token, and everything they send after fails.", count(fetches, "token request"))
	}
	if len(v.chosen) == 0 {
		f.short = "requests without a valid token failed no more often than the others"
		return f
	}
	for _, ch := range v.chosen {
		if !ch.m.defining {
			var rise string
			ev.ByLevel, rise = a.byLevel(ch.dec.pop, ch.m)
			f.Summary += rise
			break
		}
	}
	f.detail = "requests sent without a validly obtained token"
	if c.afterFailed > 0 && len(ev.Threads) > 0 {
		f.detail = fmt.Sprintf("requests from the %s whose token request failed", count(int64(len(c.threads)), "thread"))
	}
	return f
}

func fetchPhrase(code string) string {
	switch code {
	case "429":
		return "429 Too Many Requests from the token endpoint"
	case "401", "403":
		return code + " from the token endpoint"
	}
	if isNonHTTP(code) {
		return "no answer from the token endpoint (" + strings.TrimPrefix(code, "Non HTTP response code: ") + ")"
	}
	return code + " from the token endpoint"
}
