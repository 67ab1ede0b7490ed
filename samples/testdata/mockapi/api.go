package main

import (
	"crypto/hmac"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bodies of the errors, in the shape Genesys Cloud's public API uses (a
// 400 for a bad payload says only "invalid request payload", whatever the
// reason: that is what makes the failures of the real API hard to tell
// apart from the client side).
const (
	badRequestBody  = `{"message":"invalid request payload","code":"bad.request","status":400,"contextId":"%s","details":[],"errors":[]}`
	unauthorized    = `{"message":"Invalid login credentials.","code":"bad.credentials","status":401,"contextId":"%s","details":[],"errors":[]}`
	tooManyRequests = `{"message":"Rate limit exceeded the maximum. Retry the request in [1] seconds","code":"too.many.requests","status":429,"contextId":"%s","details":[],"errors":[]}`
)

//go:embed agent.html
var agentPage []byte

// drainLimit bounds what the server reads of a body it does not parse:
// enough for any upload of the runs, and a request body larger than that
// cannot hold a connection for long.
const drainLimit = 64 << 20

type api struct {
	cfg      config
	inflight atomic.Int64

	rngMu sync.Mutex
	rng   *rand.Rand
	key   []byte // HS256 key of the JWTs

	tokMu  sync.Mutex
	tokens map[string]time.Time // issued tokens and when

	idMu sync.Mutex
	ids  map[string]bool // recording ids stored (claimed when checked)

	uploads, tokenReqs window

	truthMu sync.Mutex
	truth   io.Writer
}

func newAPI(cfg config, truth io.Writer) *api {
	seed := cfg.seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	a := &api{
		cfg:       cfg,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		tokens:    map[string]time.Time{},
		ids:       map[string]bool{},
		uploads:   window{limit: cfg.rateLimit},
		tokenReqs: window{limit: cfg.tokenRateLimit},
		truth:     truth,
	}
	a.key = a.randomBytes(32)
	return a
}

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", a.token)
	mux.HandleFunc("POST /api/v2/recordings/screen", a.upload)
	mux.HandleFunc("GET /api/v2/recordings/screen/{id}", a.recording)
	// For the run script to wait for the server without spending a token
	// request (which -token-rate-limit counts).
	// A web agent page, for a browser to upload from this origin (the
	// HAR capture of m10-clean-har).
	mux.HandleFunc("GET /agent/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(agentPage)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

// window is a fixed one-second rate window aligned on the wall clock's
// seconds, the simplest limiter a gateway has; Retry-After: 1 always
// points past its end.
type window struct {
	mu    sync.Mutex
	limit int
	sec   int64
	n     int
}

func (w *window) allow(t time.Time) bool {
	if w.limit <= 0 {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := t.Unix(); s != w.sec {
		w.sec, w.n = s, 0
	}
	if w.n >= w.limit {
		return false
	}
	w.n++
	return true
}

func (a *api) randomBytes(n int) []byte {
	a.rngMu.Lock()
	defer a.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(a.rng.UintN(256))
	}
	return b
}

func (a *api) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	a.rngMu.Lock()
	defer a.rngMu.Unlock()
	return a.rng.Float64() < p
}

func (a *api) uniform(lo, hi float64) float64 {
	a.rngMu.Lock()
	defer a.rngMu.Unlock()
	return lo + (hi-lo)*a.rng.Float64()
}

func (a *api) contextID() string { return hex.EncodeToString(a.randomBytes(16)) }

func drain(r *http.Request) { io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit)) }

func (a *api) writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (a *api) writeError(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		a.writeJSON(w, status, fmt.Sprintf(tooManyRequests, a.contextID()))
	case http.StatusUnauthorized:
		a.writeJSON(w, status, fmt.Sprintf(unauthorized, a.contextID()))
	default:
		a.writeJSON(w, status, fmt.Sprintf(badRequestBody, a.contextID()))
	}
}

// token issues a client-credentials token, a JWT (HS256) or an opaque one,
// and remembers when, so that an upload's token age is known to the
// millisecond.
func (a *api) token(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	drain(r)
	if !a.tokenReqs.allow(now) {
		a.writeError(w, http.StatusTooManyRequests)
		return
	}
	var tok string
	if a.cfg.jwt {
		b64 := base64.RawURLEncoding
		head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
		claims := fmt.Sprintf(`{"iss":"harness","sub":"client","iat":%d,"exp":%d,"jti":"%s"}`,
			now.Unix(), now.Add(24*time.Hour).Unix(), hex.EncodeToString(a.randomBytes(8)))
		signing := head + "." + b64.EncodeToString([]byte(claims))
		mac := hmac.New(sha256.New, a.key)
		mac.Write([]byte(signing))
		tok = signing + "." + b64.EncodeToString(mac.Sum(nil))
	} else {
		tok = base64.RawURLEncoding.EncodeToString(a.randomBytes(48))
	}
	a.tokMu.Lock()
	a.tokens[tok] = now
	a.tokMu.Unlock()
	a.writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":"%s","token_type":"bearer","expires_in":86400}`, tok))
}

// recording reads an upload back. Like the API the runs were modelled on,
// it answers 200 for any id and does not look at the token.
func (a *api) recording(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}{r.PathValue("id"), "received"})
	a.writeJSON(w, http.StatusOK, string(b))
}

// verdict is one line of truth.jsonl; the field order is the file's.
type verdict struct {
	At          string `json:"at"`
	RecordingID string `json:"recording_id"`
	Status      int    `json:"status"`
	Cause       string `json:"cause"`
	InFlight    int64  `json:"in_flight"`
	TokenAgeMS  int64  `json:"token_age_ms"`
	ServiceMS   *int64 `json:"service_ms,omitempty"`
	ElapsedMS   *int64 `json:"elapsed_ms,omitempty"`
	Stored      bool   `json:"stored,omitempty"`
}

func (a *api) log(v verdict) {
	b, _ := json.Marshal(v)
	b = append(b, '\n')
	a.truthMu.Lock()
	defer a.truthMu.Unlock()
	if _, err := a.truth.Write(b); err != nil {
		fmt.Fprintf(os.Stderr, "mockapi: truth: %v\n", err)
	}
}

// upload handles POST /api/v2/recordings/screen. The checks run in this
// order, each one ending the upload with its verdict:
//
//  1. rate limit (-rate-limit): 429 at once, or with -late-429's share
//     the upload goes on and its 201 becomes a 429 at the end;
//  2. token: unknown (401, or 400 with -bad-token-400), older than
//     -token-ttl (400);
//  3. body: a multipart body whose boundary is not the Content-Type's
//     (400 boundary), a part without a form-data name with
//     -require-part-names (400 multipart);
//  4. -random-reject (400 random);
//  5. -reject-dup-ids: an id already stored (400 dupid); the id is
//     stored when it passes this check, whatever happens next;
//  6. the work (-work-ms, -queue-ms-per-inflight); a client that hangs up
//     meanwhile is logged 499 timeout_client;
//  7. -max-inflight, counted after the work (400 concurrency).
func (a *api) upload(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	n := a.inflight.Add(1)
	defer a.inflight.Add(-1)
	v := verdict{
		At:          at.UTC().Format(time.RFC3339Nano),
		RecordingID: r.Header.Get("x-genesys-recording-id"),
		InFlight:    n,
		TokenAgeMS:  -1,
	}
	fail := func(status int, cause string) {
		a.writeError(w, status)
		v.Status, v.Cause = status, cause
		a.log(v)
	}

	issued, known := a.bearer(r)
	if known {
		v.TokenAgeMS = at.Sub(issued).Milliseconds()
	}
	late := false
	if !a.uploads.allow(at) {
		if !a.chance(a.cfg.late429) {
			drain(r)
			fail(http.StatusTooManyRequests, "rate")
			return
		}
		late = true
	}
	if !known {
		drain(r)
		if a.cfg.badToken400 {
			fail(http.StatusBadRequest, "bad_token")
		} else {
			fail(http.StatusUnauthorized, "auth")
		}
		return
	}
	if a.cfg.tokenTTL > 0 && at.Sub(issued) > a.cfg.tokenTTL {
		drain(r)
		fail(http.StatusBadRequest, "token")
		return
	}
	formID, cause := a.readBody(r)
	if v.RecordingID == "" {
		v.RecordingID = formID
	}
	if cause != "" {
		fail(http.StatusBadRequest, cause)
		return
	}
	if a.chance(a.cfg.randomReject) {
		fail(http.StatusBadRequest, "random")
		return
	}
	if a.cfg.rejectDupIDs && !a.claim(v.RecordingID) {
		fail(http.StatusBadRequest, "dupid")
		return
	}

	service := time.Duration(a.cfg.workMS) * time.Millisecond
	queued := a.cfg.queueMSPerInflight > 0
	if queued {
		q := float64(a.cfg.queueMSPerInflight) * float64(n)
		if j := a.cfg.queueJitter; j > 0 {
			q *= a.uniform(1-j, 1+j)
		}
		service += time.Duration(q * float64(time.Millisecond))
		ms := service.Milliseconds()
		v.ServiceMS = &ms
	}
	timer := time.NewTimer(service)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.Context().Done():
		// The body has been read, so the server notices the client
		// closing the connection: a client-side timeout.
		el := time.Since(at).Milliseconds()
		v.ElapsedMS = &el
		v.Status, v.Cause = 499, "timeout_client"
		a.log(v)
		return
	}
	if queued {
		defer func() {
			el := time.Since(at).Milliseconds()
			v.ElapsedMS = &el
			a.log(v)
		}()
	} else {
		defer func() { a.log(v) }()
	}
	if m := a.cfg.maxInflight; m > 0 && a.inflight.Load() > int64(m) {
		a.writeError(w, http.StatusBadRequest)
		v.Status, v.Cause = http.StatusBadRequest, "concurrency"
		return
	}
	if late {
		a.writeError(w, http.StatusTooManyRequests)
		v.Status, v.Cause, v.Stored = http.StatusTooManyRequests, "rate", true
		return
	}
	b, _ := json.Marshal(struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}{v.RecordingID, "created"})
	a.writeJSON(w, http.StatusCreated, string(b))
	v.Status, v.Cause = http.StatusCreated, "ok"
}

// bearer says when the request's bearer token was issued, if this server
// issued it.
func (a *api) bearer(r *http.Request) (time.Time, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return time.Time{}, false
	}
	a.tokMu.Lock()
	defer a.tokMu.Unlock()
	t, ok := a.tokens[strings.TrimSpace(tok)]
	return t, ok
}

// claim stores id and says whether it was new.
func (a *api) claim(id string) bool {
	a.idMu.Lock()
	defer a.idMu.Unlock()
	if a.ids[id] {
		return false
	}
	a.ids[id] = true
	return true
}

// readBody reads the whole multipart body and returns its recordingId
// field and, when it is not acceptable, the cause: "boundary" when no part
// can be found with the Content-Type's boundary (or there is none),
// "multipart" for a part without a form-data name when -require-part-names
// is on.
func (a *api) readBody(r *http.Request) (id, cause string) {
	defer drain(r)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", "boundary"
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, drainLimit), params["boundary"])
	parts := 0
	unnamed := false
	for {
		p, err := mr.NextPart()
		if err != nil {
			// io.EOF after the closing boundary; any other error, or
			// no part at all, means the body is not split by this
			// boundary.
			if err != io.EOF || parts == 0 {
				return id, "boundary"
			}
			break
		}
		parts++
		name := p.FormName()
		if name == "" {
			unnamed = true
		}
		if name == "recordingId" {
			b, _ := io.ReadAll(io.LimitReader(p, 512))
			id = strings.TrimSpace(string(b))
		}
		io.Copy(io.Discard, p)
	}
	if unnamed && a.cfg.requirePartNames {
		return id, "multipart"
	}
	return id, ""
}
