package tokens

import (
	"fmt"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// AgeSource says how a token's age at a request was found.
type AgeSource string

const (
	// FromTokenResponse: the token was issued when the token-endpoint
	// response that carried it as access_token ended, on the client's
	// clock, like the request's start.
	FromTokenResponse AgeSource = "token-response"
	// FromJWT: the token's "iat" claim, on the issuer's clock and in whole
	// seconds as a rule, so the age is up to a second too old, plus any
	// clock skew.
	FromJWT AgeSource = "jwt-iat"
	// FromFirstSeen: the first request that carried the token. The token
	// is at least this old: a lower bound.
	FromFirstSeen AgeSource = "first-seen"
	// FromInference: the request's headers were not recorded; the age is
	// the time since the token request the request most likely took its
	// token from (see Tracker). It is a guess, not an observation.
	FromInference AgeSource = "inferred"
)

// sources orders the age sources for counting and reporting.
var sources = [...]AgeSource{FromTokenResponse, FromJWT, FromFirstSeen, FromInference}

func sourceIndex(s AgeSource) int {
	for i, v := range sources {
		if v == s {
			return i
		}
	}
	return -1
}

// A Use is what Observe found about one request's token.
type Use struct {
	// TokenRequest is set for a request to a token endpoint. Such a
	// request fetches a token; it is not aged.
	TokenRequest bool
	// Scheme is the Authorization scheme ("Bearer", "Basic"; "other" for
	// an unknown word, which might be part of a credential), "" when there
	// is no Authorization header or it has no scheme.
	Scheme string
	// Bearer is set when the recorded headers carry an access token: a
	// Bearer or DPoP credential, or a bare JWT.
	Bearer bool
	// Token names the token: redact.Fingerprint of it, never the token.
	// It is "" when no token was seen, and for an inferred use when the
	// token request's response was not saved.
	Token string
	Kind  Kind // "" when not known (inferred uses)
	// Age is the token's age when the request started and AgeFrom how it
	// was found; AgeFrom is "" when the age is unknown.
	Age     time.Duration
	AgeFrom AgeSource
	// Expired: the request started at or after the token's expiry ("exp",
	// or issue + expires_in). NotYetValid: before its "nbf".
	Expired     bool
	NotYetValid bool
	// Threads is how many distinct threads have used this token (or, for
	// an inferred use, the token from this token request) so far.
	Threads int
	// FetchFailed is the response code of the thread's latest token
	// request when it failed and none has succeeded since: whatever the
	// request sent (an extractor's default such as NOTOKEN, an empty
	// Bearer, a token left from before), the run never validly obtained
	// one for this thread. "" otherwise.
	FetchFailed string
}

// Invalid reports whether the request's token was never validly
// obtained: a placeholder instead of a token, or a thread whose token
// request failed.
func (u Use) Invalid() bool { return u.Kind == KindPlaceholder || u.FetchFailed != "" }

// Inferred reports whether the age is a guess from token requests rather
// than an observation of the token.
func (u Use) Inferred() bool { return u.AgeFrom == FromInference }

// String describes u for logs and tests. It names the token only by its
// fingerprint.
func (u Use) String() string {
	var b strings.Builder
	switch {
	case u.TokenRequest:
		b.WriteString("token request")
	case u.Bearer:
		fmt.Fprintf(&b, "%s %s", u.Kind, u.Token)
	case u.Inferred():
		b.WriteString("inferred token")
		if u.Token != "" {
			b.WriteString(" " + u.Token)
		}
	case u.Scheme != "":
		return "no token (" + u.Scheme + " authorization)"
	default:
		return "no token"
	}
	if u.AgeFrom != "" {
		fmt.Fprintf(&b, ", age %v (%s)", u.Age.Round(time.Millisecond), u.AgeFrom)
	}
	if u.Threads > 1 {
		fmt.Fprintf(&b, ", shared by %d threads", u.Threads)
	}
	if u.Expired {
		b.WriteString(", expired")
	}
	if u.NotYetValid {
		b.WriteString(", not yet valid")
	}
	return b.String()
}

// Limits keep memory bounded whatever the input: a file where every
// request carries a new token, or every row a new thread name, stops
// being tracked in detail past these counts and says so in the result.
const (
	maxTokens  = 1 << 14
	maxThreads = 1 << 16
	maxPending = 1 << 10
)

// A Tracker follows the tokens of one run through its requests. Feed it
// requests in start-time order, with Observe (one request) or Add (a
// sample and its sub-results), then read Result.
//
// When a request's headers were not recorded (a CSV, or an XML JTL saved
// without requestHeaders), the Tracker infers the token it used from the
// token requests it has seen. It assumes a thread uses the token from its
// own latest successful token request that had ended when the request
// started; a thread that never fetched one uses the latest from a thread
// that has done nothing but fetch tokens (a setUp thread group sharing
// its token through a property), or failing that the latest from any
// thread. A plan that refreshes tokens in some other way (a timer, a
// token per N iterations in another thread) breaks this assumption; the
// uses are marked FromInference so that they are never taken for
// observations.
type Tracker struct {
	tokens  map[string]*token // keyed by the token itself, which never leaves the Tracker
	order   []*token
	threads map[threadKey]*thread
	// threadCache holds recent entries of threads by a cheap hash of the
	// thread name: most requests come from a thread seen a few requests
	// before, and the map hashes both strings.
	threadCache [256]threadEntry

	// pending holds token requests that had not ended by the latest
	// request start seen; other threads cannot have their token yet.
	pending []*fetch
	// latest and latestSetUp are the ended token requests with the latest
	// end, from any thread and from threads that only fetch tokens.
	latest, latestSetUp *fetch
	setUpStale          bool // latestSetUp's thread has since done other work
	// setUp holds the threads that have fetched tokens and done nothing
	// else, for finding the next latestSetUp.
	setUp        map[threadKey]*thread
	inferredFrom []*fetch

	requests, tokenRequests, failedTokenRequests int
	withToken, withoutToken, headersNotSaved     int
	placeholders, untracked                      int
	unseen                                       int // requests whose token could only be inferred
	otherSchemes                                 map[string]int
	fetchFailed                                  map[string]int
	ages                                         [len(sources)]int
	expired, notYetValid, badClaims              int
	threadsCapped                                bool
}

// New returns an empty Tracker.
func New() *Tracker {
	return &Tracker{
		tokens:       make(map[string]*token),
		threads:      make(map[threadKey]*thread),
		setUp:        make(map[threadKey]*thread),
		otherSchemes: make(map[string]int),
		fetchFailed:  make(map[string]int),
	}
}

// threadKey names a thread. JMeter thread names repeat on every load
// generator of a distributed run, so the host is part of it.
type threadKey struct{ host, name string }

type thread struct {
	// tokenOnly is set while every request of the thread has been a token
	// request: a setUp thread group's thread.
	tokenOnly bool
	// last and prev are the thread's two latest successful token
	// requests; prev covers a request that overlaps the last one.
	last, prev *fetch
	// failed is the response code of the thread's latest token request
	// when it failed after the last success; failedEnd when it ended.
	failed    string
	failedEnd time.Time
	// in is the usage the thread was last counted in (usage.record): it
	// is in that usage's threads.
	in *usage
}

type threadEntry struct {
	k  threadKey
	th *thread
}

// usage accumulates the requests that used one token.
type usage struct {
	first, last         time.Time
	requests, inferred  int
	failed, afterExpiry int
	beforeNotBefore     int
	maxAge              time.Duration
	threads             map[threadKey]struct{}
	threadsCapped       bool
}

func (us *usage) record(r *samples.Sample, k threadKey, th *thread, u *Use) {
	if us.requests == 0 || r.Start.Before(us.first) {
		us.first = r.Start
	}
	if r.Start.After(us.last) {
		us.last = r.Start
	}
	us.requests++
	if u.Inferred() {
		us.inferred++
	}
	if !r.Success {
		us.failed++
	}
	if u.Expired {
		us.afterExpiry++
	}
	if u.NotYetValid {
		us.beforeNotBefore++
	}
	if u.AgeFrom != "" && u.Age > us.maxAge {
		us.maxAge = u.Age
	}
	if th != nil && th.in == us {
		u.Threads = len(us.threads)
		return
	}
	if us.threads == nil {
		us.threads = make(map[threadKey]struct{})
	}
	_, ok := us.threads[k]
	if !ok {
		if len(us.threads) < maxThreads {
			us.threads[k] = struct{}{}
			ok = true
		} else {
			us.threadsCapped = true
		}
	}
	if ok && th != nil {
		th.in = us
	}
	u.Threads = len(us.threads)
}

// A token is one credential seen in a header or a token response.
type token struct {
	fp   string
	kind Kind
	jwt  JWT
	// issued is when the token was issued, from a token response or "iat";
	// zero when neither is known.
	issued     time.Time
	issuedFrom AgeSource
	expires    time.Time
	fetchedBy  threadKey
	usage
}

// A fetch is one successful token request.
type fetch struct {
	thread   threadKey
	end      time.Time
	lifetime time.Duration // expires_in; 0 when unknown
	tok      *token        // the token it returned, when its response was saved
	ended    bool
	listed   bool
	usage    // inferred uses, when tok is nil
}

// Add observes every request in s (samples.Sample.Requests).
func (t *Tracker) Add(s *samples.Sample) {
	s.Requests(func(r *samples.Sample) { t.Observe(r) })
}

// Observe records one request (a leaf: see samples.Sample.Requests) and
// returns what it found about the request's token. Requests must come in
// start-time order for inferred ages and first-seen ages to be right.
func (t *Tracker) Observe(r *samples.Sample) Use {
	t.advance(r.Start)
	t.requests++
	k := threadKey{r.Hostname, r.Thread}
	th := t.thread(k)

	var u Use
	hasHeaders := r.Has&samples.FieldRequestHeaders != 0
	var cred string
	auth, hasAuth := "", false
	if hasHeaders {
		auth, hasAuth = r.RequestHeader("Authorization")
	}
	if hasAuth {
		var scheme string
		scheme, cred = splitAuthorization(auth)
		u.Scheme = schemeName(scheme)
		u.Bearer = isAccessTokenScheme(scheme) || scheme == "" && looksLikeJWT(cred)
	}
	// A request that presents an access token is using one, whatever its
	// URL or label say.
	u.TokenRequest = !u.Bearer && isTokenRequest(r)

	switch {
	case u.Bearer:
		t.withToken++
		t.use(&u, r, k, th, cred)
	case hasHeaders:
		t.withoutToken++
		if hasAuth {
			name := u.Scheme
			if name == "" {
				name = "(no scheme)"
			}
			t.otherSchemes[name]++
		}
	default:
		t.headersNotSaved++
		if !u.TokenRequest {
			t.unseen++
			t.infer(&u, r, k, th)
		}
	}

	if u.TokenRequest {
		t.tokenRequests++
		if !succeeded(r) {
			t.failedTokenRequests++
			if th != nil {
				th.failed, th.failedEnd = r.Code, r.End()
				if th.failed == "" {
					th.failed = "(no response code)"
				}
			}
		} else if th != nil {
			th.failed = ""
		}
	} else if th != nil && th.failed != "" && !r.Start.Before(th.failedEnd) {
		u.FetchFailed = th.failed
		t.fetchFailed[th.failed]++
	}
	// A saved response carrying an access_token is a fetch even from an
	// endpoint we did not recognise: the body is proof.
	tokStr, lifetime, fromBody := tokenResponse(r)
	if (fromBody || u.TokenRequest) && succeeded(r) {
		t.fetched(r, k, th, tokStr, lifetime)
	}
	if th != nil && th.tokenOnly && !u.TokenRequest {
		th.tokenOnly = false
		delete(t.setUp, k)
		if t.latestSetUp != nil && t.latestSetUp.thread == k {
			t.setUpStale = true
		}
	}
	return u
}

// advance moves the clock to start: token requests that had ended by then
// become available to every thread.
func (t *Tracker) advance(start time.Time) {
	if start.IsZero() || len(t.pending) == 0 {
		return
	}
	kept := t.pending[:0]
	for _, f := range t.pending {
		if f.end.After(start) {
			kept = append(kept, f)
			continue
		}
		t.ended(f)
	}
	clear(t.pending[len(kept):])
	t.pending = kept
}

func (t *Tracker) ended(f *fetch) {
	f.ended = true
	if t.latest == nil || !f.end.Before(t.latest.end) {
		t.latest = f
	}
	if _, ok := t.setUp[f.thread]; ok {
		if t.latestSetUp == nil || !f.end.Before(t.latestSetUp.end) {
			t.latestSetUp = f
			t.setUpStale = false
		}
	}
}

func (t *Tracker) thread(k threadKey) *thread {
	e := &t.threadCache[threadSlot(k.name)]
	if e.th != nil && e.k == k {
		return e.th
	}
	if th, ok := t.threads[k]; ok {
		e.k, e.th = k, th
		return th
	}
	if len(t.threads) >= maxThreads {
		t.threadsCapped = true
		return nil
	}
	th := &thread{tokenOnly: true}
	t.threads[k] = th
	e.k, e.th = k, th
	return th
}

// threadSlot picks a thread's place in Tracker.threadCache from its
// name's length and last bytes, where JMeter's names differ ("<group>
// 1-17").
func threadSlot(name string) uint8 {
	n := len(name)
	var x uint64
	for i := max(n-8, 0); i < n; i++ {
		x = x<<8 | uint64(name[i])
	}
	return uint8((x ^ uint64(n)) * 0x9e3779b97f4a7c15 >> 56)
}

// fetched records a successful token request.
func (t *Tracker) fetched(r *samples.Sample, k threadKey, th *thread, tokStr string, lifetime time.Duration) {
	f := &fetch{thread: k, end: r.End(), lifetime: lifetime}
	if tokStr != "" {
		f.tok = t.issue(tokStr, f.end, lifetime, k)
	}
	if th != nil {
		th.prev, th.last = th.last, f
		if th.tokenOnly {
			t.setUp[k] = th
		}
	}
	if len(t.pending) == maxPending {
		// Far more token requests in flight than any plan makes: let the
		// oldest count as ended rather than grow.
		t.ended(t.pending[0])
		t.pending = append(t.pending[:0], t.pending[1:]...)
	}
	t.pending = append(t.pending, f)
}

// issue records a token seen in a token response that ended at end. The
// first response wins: a later one carrying the same token (an
// introspection echo) does not make it younger.
func (t *Tracker) issue(tokStr string, end time.Time, lifetime time.Duration, k threadKey) *token {
	tok := t.lookup(tokStr)
	if tok == nil || tok.issuedFrom == FromTokenResponse || tok.requests > 0 {
		return tok
	}
	tok.issued, tok.issuedFrom, tok.fetchedBy = end, FromTokenResponse, k
	if lifetime > 0 && tok.jwt.ExpiresAt.IsZero() {
		tok.expires = end.Add(lifetime)
	}
	return tok
}

// lookup returns the state of tokStr, creating it on first sight; nil
// once maxTokens are tracked.
func (t *Tracker) lookup(tokStr string) *token {
	key := tokStr
	if len(key) > MaxTokenLen {
		// Keep no megabyte-long header alive as a map key.
		key = "\x00" + redact.Fingerprint(tokStr)
	}
	if tok, ok := t.tokens[key]; ok {
		return tok
	}
	if len(t.tokens) >= maxTokens {
		return nil
	}
	tok := newToken(tokStr)
	if len(tok.jwt.BadClaims) > 0 {
		t.badClaims++
	}
	t.tokens[key] = tok
	t.order = append(t.order, tok)
	return tok
}

func newToken(tokStr string) *token {
	kind, j := classify(tokStr)
	tok := &token{fp: redact.Fingerprint(tokStr), kind: kind, jwt: j}
	if !j.IssuedAt.IsZero() {
		tok.issued, tok.issuedFrom = j.IssuedAt, FromJWT
	}
	tok.expires = j.ExpiresAt
	return tok
}

// use ages the token cred that r carried.
func (t *Tracker) use(u *Use, r *samples.Sample, k threadKey, th *thread, cred string) {
	tok := t.lookup(cred)
	if tok == nil {
		// Past the limit: still name and date the token, but keep nothing.
		t.untracked++
		tok = newToken(cred)
	}
	u.Token, u.Kind = tok.fp, tok.kind
	if tok.kind == KindPlaceholder {
		t.placeholders++
		tok.record(r, k, th, u)
		return
	}
	if !r.Start.IsZero() {
		issued, from := tok.issued, tok.issuedFrom
		if issued.IsZero() && tok.requests > 0 {
			issued, from = tok.first, FromFirstSeen
		}
		if issued.IsZero() {
			issued, from = r.Start, FromFirstSeen
		}
		u.Age, u.AgeFrom = r.Start.Sub(issued), from
		u.Expired = !tok.expires.IsZero() && !r.Start.Before(tok.expires)
		u.NotYetValid = !tok.jwt.NotBefore.IsZero() && r.Start.Before(tok.jwt.NotBefore)
		t.count(u)
	}
	tok.record(r, k, th, u)
}

// infer guesses the token a request without recorded headers used.
func (t *Tracker) infer(u *Use, r *samples.Sample, k threadKey, th *thread) {
	f := t.source(r.Start, th)
	if f == nil || r.Start.IsZero() {
		return
	}
	u.Age, u.AgeFrom = r.Start.Sub(f.end), FromInference
	if f.lifetime > 0 {
		u.Expired = !r.Start.Before(f.end.Add(f.lifetime))
	}
	t.count(u)
	us := &f.usage
	if f.tok != nil {
		u.Token, u.Kind = f.tok.fp, f.tok.kind
		us = &f.tok.usage
	} else if !f.listed && len(t.inferredFrom) < maxTokens {
		f.listed = true
		t.inferredFrom = append(t.inferredFrom, f)
	}
	us.record(r, k, th, u)
}

// source is the token request a request of thread th starting at start
// most likely took its token from.
func (t *Tracker) source(start time.Time, th *thread) *fetch {
	if th != nil {
		for _, f := range [...]*fetch{th.last, th.prev} {
			if f != nil && !f.end.After(start) {
				return f
			}
		}
		if th.last != nil {
			return nil // its only token request overlaps this request
		}
	}
	if t.setUpStale {
		t.rescanSetUp()
	}
	if t.latestSetUp != nil {
		return t.latestSetUp
	}
	return t.latest
}

// rescanSetUp finds the latest ended token request of a token-only thread
// after the previous one's thread turned out to do other work. A thread
// that fetches its own token and then works (a Once Only Controller) is
// token-only only until its next request, so t.setUp stays small.
func (t *Tracker) rescanSetUp() {
	t.latestSetUp, t.setUpStale = nil, false
	for _, th := range t.setUp {
		for _, f := range [...]*fetch{th.last, th.prev} {
			if f != nil && f.ended && (t.latestSetUp == nil || f.end.After(t.latestSetUp.end)) {
				t.latestSetUp = f
			}
		}
	}
}

func (t *Tracker) count(u *Use) {
	if i := sourceIndex(u.AgeFrom); i >= 0 {
		t.ages[i]++
	}
	if u.Expired {
		t.expired++
	}
	if u.NotYetValid {
		t.notYetValid++
	}
}
