package tokens

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// Result is what the tokens of a run looked like. Times are RFC 3339,
// durations milliseconds; tokens appear only as fingerprints.
type Result struct {
	Requests            int `json:"requests"`
	TokenRequests       int `json:"token_requests"`
	FailedTokenRequests int `json:"failed_token_requests"`
	// WithToken requests carried an access token in their recorded
	// headers; WithoutToken had headers recorded and none (OtherSchemes
	// counts those that sent another kind of Authorization, such as the
	// Basic client credentials of token requests). HeadersNotSaved had no
	// headers recorded, and Inferred of those were given an inferred token.
	WithToken       int            `json:"with_token"`
	WithoutToken    int            `json:"without_token"`
	OtherSchemes    map[string]int `json:"other_schemes,omitempty"`
	HeadersNotSaved int            `json:"headers_not_saved"`
	Inferred        int            `json:"inferred"`
	// Placeholders are requests that sent "Bearer ${var}" or the like: the
	// token was never extracted.
	Placeholders int `json:"placeholders,omitempty"`
	// AfterFailedFetch counts requests sent by a thread whose latest
	// token request had failed, by that request's response code.
	AfterFailedFetch map[string]int `json:"after_failed_fetch,omitempty"`

	// Tokens are the tokens seen, in order of first sight, then the token
	// requests that inferred uses were attributed to (Inferred set).
	Tokens []Token `json:"tokens"`
	// TokensNotTracked counts requests whose token came after the tracking
	// limit; they are aged, but not listed or counted in Tokens.
	TokensNotTracked int `json:"tokens_not_tracked,omitempty"`
	// SharedTokens counts tokens used by more than one thread;
	// MaxThreadsPerToken is the most threads that used one token.
	SharedTokens       int  `json:"shared_tokens"`
	MaxThreadsPerToken int  `json:"max_threads_per_token"`
	SharingInferred    bool `json:"sharing_inferred,omitempty"` // the sharing figures rest on inferred uses

	// AgeSources counts the requests aged from each source.
	AgeSources      map[AgeSource]int `json:"age_sources"`
	MaxAgeMS        int64             `json:"max_age_ms"`
	AfterExpiry     int               `json:"after_expiry"`
	BeforeNotBefore int               `json:"before_not_before"`

	// Missing says what the input did not record and what that costs,
	// with the setting that would record it.
	Missing []string `json:"missing,omitempty"`
}

// Token is one token, or one token request whose token was not recorded.
type Token struct {
	// Fingerprint is redact.Fingerprint of the token; "" for a token known
	// only from the request that fetched it.
	Fingerprint string `json:"fingerprint,omitempty"`
	Kind        Kind   `json:"kind,omitempty"`
	Alg         string `json:"alg,omitempty"`
	Issuer      string `json:"issuer,omitempty"`
	// Inferred is set for an entry known only from its token request: all
	// its uses are inferred.
	Inferred  bool   `json:"inferred,omitempty"`
	FetchedBy string `json:"fetched_by,omitempty"`
	// IssuedAt is when the token was issued and IssuedFrom how that is
	// known; both are empty when only its uses date it.
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	IssuedFrom AgeSource `json:"issued_from,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	FirstUse   time.Time `json:"first_use,omitzero"`
	LastUse    time.Time `json:"last_use,omitzero"`
	Requests   int       `json:"requests"`
	// InferredRequests of Requests were attributed to it by inference.
	InferredRequests int `json:"inferred_requests,omitempty"`
	Failed           int `json:"failed"`
	Threads          int `json:"threads"`
	// ThreadsAtLeast is set when Threads hit the tracking limit.
	ThreadsAtLeast  bool  `json:"threads_at_least,omitempty"`
	AfterExpiry     int   `json:"after_expiry"`
	BeforeNotBefore int   `json:"before_not_before,omitempty"`
	MaxAgeMS        int64 `json:"max_age_ms"`
	// BadClaims are registered claims of the wrong type, left unread.
	BadClaims []string `json:"bad_claims,omitempty"`
}

// Result returns what has been observed so far.
func (t *Tracker) Result() Result {
	res := Result{
		Requests:            t.requests,
		TokenRequests:       t.tokenRequests,
		FailedTokenRequests: t.failedTokenRequests,
		WithToken:           t.withToken,
		WithoutToken:        t.withoutToken,
		HeadersNotSaved:     t.headersNotSaved,
		Inferred:            t.ages[sourceIndex(FromInference)],
		Placeholders:        t.placeholders,
		TokensNotTracked:    t.untracked,
		AfterExpiry:         t.expired,
		BeforeNotBefore:     t.notYetValid,
		AgeSources:          make(map[AgeSource]int),
		Tokens:              []Token{},
	}
	if len(t.otherSchemes) > 0 {
		res.OtherSchemes = maps.Clone(t.otherSchemes)
	}
	if len(t.fetchFailed) > 0 {
		res.AfterFailedFetch = make(map[string]int, len(t.fetchFailed))
		for code, n := range t.fetchFailed {
			res.AfterFailedFetch[redact.Text(code)] += n
		}
	}
	for i, s := range sources {
		if t.ages[i] > 0 {
			res.AgeSources[s] = t.ages[i]
		}
	}
	for _, tok := range t.order {
		e := Token{
			Fingerprint: tok.fp,
			Kind:        tok.kind,
			Alg:         tok.jwt.Alg,
			Issuer:      redact.Text(tok.jwt.Issuer),
			IssuedAt:    tok.issued,
			IssuedFrom:  tok.issuedFrom,
			ExpiresAt:   tok.expires,
			BadClaims:   tok.jwt.BadClaims,
		}
		if tok.issuedFrom == FromTokenResponse {
			e.FetchedBy = tok.fetchedBy.name
		}
		res.add(e, &tok.usage)
	}
	for _, f := range t.inferredFrom {
		e := Token{Inferred: true, FetchedBy: f.thread.name, IssuedAt: f.end, IssuedFrom: FromInference}
		if f.lifetime > 0 {
			e.ExpiresAt = f.end.Add(f.lifetime)
		}
		res.add(e, &f.usage)
	}
	res.Missing = t.missing(&res)
	return res
}

func (res *Result) add(e Token, us *usage) {
	e.FirstUse, e.LastUse = us.first, us.last
	e.Requests, e.InferredRequests, e.Failed = us.requests, us.inferred, us.failed
	e.Threads, e.ThreadsAtLeast = len(us.threads), us.threadsCapped
	e.AfterExpiry, e.BeforeNotBefore = us.afterExpiry, us.beforeNotBefore
	e.MaxAgeMS = us.maxAge.Milliseconds()
	if e.Threads > 1 {
		res.SharedTokens++
		if us.inferred > 0 {
			res.SharingInferred = true
		}
	}
	res.MaxThreadsPerToken = max(res.MaxThreadsPerToken, e.Threads)
	res.MaxAgeMS = max(res.MaxAgeMS, e.MaxAgeMS)
	res.Tokens = append(res.Tokens, e)
}

// missing lists what the input lacked for this analysis.
func (t *Tracker) missing(res *Result) []string {
	var out []string
	if t.unseen > 0 {
		msg := fmt.Sprintf("no request headers saved for %d requests: ages are inferred from token requests "+
			"(each thread is assumed to use the token it fetched last, or else the one a setUp thread fetched last)",
			t.unseen)
		if res.Inferred < t.unseen {
			msg += fmt.Sprintf("; %d had no successful token request before them and are not aged", t.unseen-res.Inferred)
		}
		out = append(out, msg+"; save jmeter.save.saveservice.requestHeaders=true to see the tokens")
	}
	lowerBound, noExpiry := 0, 0
	for _, e := range res.Tokens {
		if e.IssuedFrom == "" && e.Kind != KindPlaceholder {
			lowerBound++
		}
		if e.ExpiresAt.IsZero() && e.Kind != KindPlaceholder {
			noExpiry++
		}
	}
	if lowerBound > 0 {
		out = append(out, fmt.Sprintf("%d tokens carry no issue time (opaque, or a JWT without iat) and their "+
			"token responses were not saved: their ages are counted from first use, a lower bound; save "+
			"response data (jmeter.save.saveservice.response_data=true) or record a HAR", lowerBound))
	}
	if noExpiry > 0 && len(res.Tokens) > 0 {
		out = append(out, fmt.Sprintf("%d of %d tokens have no known expiry (no exp claim, no saved expires_in): "+
			"use after expiry cannot be checked for them", noExpiry, len(res.Tokens)))
	}
	if t.badClaims > 0 {
		out = append(out, fmt.Sprintf("%d JWTs have registered claims of the wrong type; those claims were ignored", t.badClaims))
	}
	if res.Placeholders > 0 {
		out = append(out, fmt.Sprintf("%d requests sent a placeholder instead of a token (\"Bearer ${var}\", \"null\"): "+
			"the token was never extracted; check the token request and its extractor", res.Placeholders))
	}
	if res.TokensNotTracked > 0 {
		out = append(out, fmt.Sprintf("more than %d distinct tokens: %d requests with later tokens were aged but not listed",
			maxTokens, res.TokensNotTracked))
	}
	if t.threadsCapped {
		out = append(out, fmt.Sprintf("more than %d distinct threads: later threads are not told apart", maxThreads))
	}
	return out
}

// String summarises r in a few lines. Tokens appear as fingerprints.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests: %d with a token, %d without, %d without recorded headers (%d inferred), %d token requests (%d failed)\n",
		r.Requests, r.WithToken, r.WithoutToken, r.HeadersNotSaved, r.Inferred, r.TokenRequests, r.FailedTokenRequests)
	fmt.Fprintf(&b, "tokens: %d", len(r.Tokens))
	if r.SharedTokens > 0 {
		fmt.Fprintf(&b, ", %d shared across threads (up to %d threads", r.SharedTokens, r.MaxThreadsPerToken)
		if r.SharingInferred {
			b.WriteString(", inferred")
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, "; oldest use %v; %d uses after expiry\n", time.Duration(r.MaxAgeMS)*time.Millisecond, r.AfterExpiry)
	if len(r.AgeSources) > 0 {
		keys := make([]string, 0, len(r.AgeSources))
		for k, v := range r.AgeSources {
			keys = append(keys, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(keys)
		fmt.Fprintf(&b, "ages from: %s\n", strings.Join(keys, ", "))
	}
	const shown = 20
	for i, e := range r.Tokens {
		if i == shown {
			fmt.Fprintf(&b, "  ... and %d more\n", len(r.Tokens)-shown)
			break
		}
		name := e.Fingerprint + " " + string(e.Kind)
		if e.Inferred {
			name = "token fetched by " + e.FetchedBy
		}
		fmt.Fprintf(&b, "  %s: %d requests by %d threads, max age %v, %d after expiry, %d failed\n",
			name, e.Requests, e.Threads, time.Duration(e.MaxAgeMS)*time.Millisecond, e.AfterExpiry, e.Failed)
	}
	for _, m := range r.Missing {
		b.WriteString("missing: " + m + "\n")
	}
	return b.String()
}
