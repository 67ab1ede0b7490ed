package diagnose

import (
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// A failure kind is what the client saw when a request failed: an HTTP
// status, a class of non-HTTP error (JMeter's "Non HTTP response code:
// ..."), or a failed assertion on an otherwise good response. Kinds are
// diagnosed apart, because they have different stories: a 429 is the
// server's rate limit talking, the 400s that follow it are not; a read
// timeout is the client giving up, not the server refusing.
//
// Within one kind, two clearly separated response-time modes are two
// mechanisms and are diagnosed apart too (see splitLatency): a server
// that checks a token before doing any work refuses in a millisecond,
// while one that runs out of capacity refuses after the work.

// Kind classes.
const (
	Class4xx       = "4xx"
	Class5xx       = "5xx"
	ClassNonHTTP   = "non-http"
	ClassAssertion = "assertion"
	ClassOther     = "other"
)

// Non-HTTP error classes, from the exception JMeter names (or a HAR's
// _error text).
const (
	NonHTTPTimeout        = "read-timeout"
	NonHTTPConnectTimeout = "connect-timeout"
	NonHTTPRefused        = "connection-refused"
	NonHTTPReset          = "connection-reset"
	NonHTTPNoResponse     = "no-response"
	NonHTTPUnknownHost    = "unknown-host"
	NonHTTPSSL            = "ssl"
	NonHTTPOther          = "other-error"
)

// nonHTTPRules map an exception name or message to its class. Order
// matters: "connect timed out" is a connect timeout, not a read timeout.
var nonHTTPRules = []struct {
	class string
	words []string
}{
	{NonHTTPConnectTimeout, []string{"connecttimeoutexception", "connect timed out", "err_connection_timed_out"}},
	{NonHTTPTimeout, []string{"sockettimeoutexception", "read timed out", "timeoutexception", "timed out", "timeout"}},
	{NonHTTPRefused, []string{"connectexception", "connection refused", "httphostconnectexception", "err_connection_refused", "err_internet_disconnected", "err_address_unreachable", "err_network_", "network is unreachable", "no route to host"}},
	{NonHTTPReset, []string{"connection reset", "broken pipe", "socketexception", "err_connection_reset", "err_connection_closed", "eofexception"}},
	{NonHTTPNoResponse, []string{"nohttpresponseexception", "failed to respond", "no response", "err_empty_response"}},
	{NonHTTPUnknownHost, []string{"unknownhostexception", "err_name_not_resolved", "name or service not known"}},
	{NonHTTPSSL, []string{"sslexception", "sslhandshake", "sslpeerunverified", "certificate", "err_cert", "err_ssl"}},
}

// nonHTTPClass names the class of a non-HTTP failure from its code and
// message. What the connection was doing comes first: an
// HttpHostConnectException that "timed out" never connected, a
// SocketTimeoutException saying "connect timed out" neither.
func nonHTTPClass(code, msg string) string {
	s := strings.ToLower(code + " " + msg)
	connecting := strings.Contains(s, "connectexception") || strings.Contains(s, "connect to ") || strings.Contains(s, "connect timed out")
	if connecting && (strings.Contains(s, "timed out") || strings.Contains(s, "timeout")) {
		return NonHTTPConnectTimeout
	}
	for _, r := range nonHTTPRules {
		for _, w := range r.words {
			if strings.Contains(s, w) {
				return r.class
			}
		}
	}
	return NonHTTPOther
}

var nonHTTPPhrases = map[string]string{
	NonHTTPTimeout:        "read timeout",
	NonHTTPConnectTimeout: "connect timeout",
	NonHTTPRefused:        "connection refused",
	NonHTTPReset:          "connection reset",
	NonHTTPNoResponse:     "no response",
	NonHTTPUnknownHost:    "unknown host",
	NonHTTPSSL:            "TLS/SSL error",
	NonHTTPOther:          "non-HTTP error",
}

// kindDef is what identifies a kind: requests with the same kindDef share
// a kind.
type kindDef struct {
	class  string
	status int    // HTTP status, 0 for non-HTTP
	sub    string // non-HTTP class, or subResource
	// nonHTTP is the non-HTTP class of a sub-result's failure.
	nonHTTP string
}

// subResource marks a request that failed because one of its
// sub-results (an embedded resource, a redirect hop) did: JMeter fails
// the page with the page's own code (200), and the kind is the
// sub-result's.
const subResource = "resource"

func (k kindDef) name() string {
	if k.sub == subResource {
		return "resource:" + kindDef{class: k.class, status: k.status, sub: k.nonHTTP}.name()
	}
	switch k.class {
	case Class4xx, Class5xx:
		return itoa(k.status)
	case ClassNonHTTP:
		return "non-http:" + k.sub
	case ClassAssertion:
		return "assertion"
	}
	if k.status > 0 {
		return "failed:" + itoa(k.status)
	}
	return "failed"
}

func (k kindDef) phrase() string {
	if k.sub == subResource {
		return kindDef{class: k.class, status: k.status, sub: k.nonHTTP}.phrase() + " on an embedded resource or redirect"
	}
	switch k.class {
	case Class4xx, Class5xx:
		return itoa(k.status)
	case ClassNonHTTP:
		return nonHTTPPhrases[k.sub]
	case ClassAssertion:
		return "a failed assertion"
	}
	if k.status > 0 {
		return "status " + itoa(k.status) + " marked failed"
	}
	return "a failure without a response code"
}

// maxKinds bounds the kinds kept apart; later kinds share one, so that a
// file with a thousand status codes does not make a thousand analyses.
const maxKinds = 24

// otherKind collects the failures past maxKinds.
var otherKind = kindDef{class: ClassOther, sub: "(other failures)"}

// kindSet numbers the kinds in order of first sight, from 1 (0 is
// success in a key).
type kindSet struct {
	defs  []kindDef
	ix    map[kindDef]int32
	stats []*kindStats
}

// kindStats is what a kind's failures looked like, for the latency split,
// the client-side causes and the evidence.
type kindStats struct {
	n     int64
	codes map[string]int64 // raw response codes (bounded)
	lat   latencyHist
	minMS int64
	maxMS int64
	// bandMin and bandMax are the exact extremes per latency band, so
	// that a response-time mode's range is exact, not a bucket's.
	bandN, bandMin, bandMax [64]int64
	first                   string // source:line of the first failure
	labels                  map[int32]int64
}

func newKindSet() *kindSet { return &kindSet{ix: map[kindDef]int32{}} }

// classify returns the kind of a request (0 for a success, -1 for a
// failure the status filter leaves out, else the kind's number) and the
// sample whose code and time describe the failure: the request, or the
// failed sub-result a page failed for.
func (ks *kindSet) classify(r *samples.Sample, f StatusFilter) (int32, *samples.Sample) {
	if !f.isFailure(r) {
		return 0, r
	}
	if !f.selects(r) {
		return -1, r
	}
	st := r.Status()
	if (st == 0 && !isNonHTTP(r.Code) || st > 0 && st < 400) && !hasFailedAssertion(r) {
		var failed *samples.Sample
		r.FailedSubResults(func(c *samples.Sample) {
			if failed == nil {
				failed = c
			}
		})
		if failed != nil {
			def := defOf(failed)
			def.nonHTTP, def.sub = def.sub, subResource
			return ks.index(def), failed
		}
	}
	return ks.index(defOf(r)), r
}

// defOf is the kind a failing sample's own code and assertions make.
func defOf(r *samples.Sample) kindDef {
	var def kindDef
	st := r.Status()
	switch {
	case st >= 400 && st < 500:
		def = kindDef{class: Class4xx, status: st}
	case st >= 500 && st < 600:
		def = kindDef{class: Class5xx, status: st}
	case st > 0 && st < 400 && hasFailedAssertion(r):
		def = kindDef{class: ClassAssertion}
	case st > 0:
		def = kindDef{class: ClassOther, status: st}
	case isNonHTTP(r.Code):
		def = kindDef{class: ClassNonHTTP, sub: nonHTTPClass(r.Code, r.Message)}
	case hasFailedAssertion(r):
		def = kindDef{class: ClassAssertion}
	default:
		def = kindDef{class: ClassOther}
	}
	return def
}

// index numbers a kind, from 1, making it on first sight.
func (ks *kindSet) index(def kindDef) int32 {
	i, ok := ks.ix[def]
	if !ok {
		if len(ks.defs) >= maxKinds-1 {
			def = otherKind
			if i, ok = ks.ix[def]; ok {
				return i
			}
		}
		ks.defs = append(ks.defs, def)
		ks.stats = append(ks.stats, &kindStats{codes: map[string]int64{}, labels: map[int32]int64{}, minMS: -1})
		i = int32(len(ks.defs))
		ks.ix[def] = i
	}
	return i
}

func (ks *kindSet) def(i int32) kindDef     { return ks.defs[i-1] }
func (ks *kindSet) stat(i int32) *kindStats { return ks.stats[i-1] }
func (ks *kindSet) count() int              { return len(ks.defs) }
func isNonHTTP(code string) bool            { return strings.HasPrefix(code, "Non HTTP response code") }
func hasFailedAssertion(r *samples.Sample) bool {
	if r.FailureMessage != "" {
		return true
	}
	for _, a := range r.Assertions {
		if a.Failure || a.Error {
			return true
		}
	}
	return false
}

// maxKindCodes bounds the raw codes kept per kind.
const maxKindCodes = 20

// observe records one failure of kind i: r is the request, eff the
// sample whose code says what failed (r, or its failed sub-result).
func (ks *kindSet) observe(i int32, r, eff *samples.Sample, label int32) {
	s := ks.stat(i)
	s.n++
	if s.n == 1 {
		s.first = r.Source + ":" + itoa(r.Line)
	}
	if _, ok := s.codes[eff.Code]; ok || len(s.codes) < maxKindCodes {
		s.codes[eff.Code]++
	}
	if _, ok := s.labels[label]; ok || len(s.labels) < maxKindCodes {
		s.labels[label]++
	}
	ms := r.Elapsed.Milliseconds()
	if r.Has&samples.FieldElapsed != 0 && ms >= 0 {
		s.lat.add(ms)
		if s.minMS < 0 || ms < s.minMS {
			s.minMS = ms
		}
		s.maxMS = max(s.maxMS, ms)
		b := latencyBand(r.Elapsed)
		if s.bandN[b] == 0 || ms < s.bandMin[b] {
			s.bandMin[b] = ms
		}
		s.bandMax[b] = max(s.bandMax[b], ms)
		s.bandN[b]++
	}
}

// latencyBand is the key's coarse elapsed value of a failure: the bit
// length of its elapsed milliseconds, so band b holds [2^(b-1), 2^b).
func latencyBand(d time.Duration) int32 {
	ms := d.Milliseconds()
	if ms <= 0 {
		return 0
	}
	return int32(bits.Len64(uint64(ms)))
}

// latencyHist is a log-linear histogram of milliseconds: exact below 64,
// then 64 buckets per power of two (about 1.1% wide), so that a timeout
// ceiling (1,500 ms) reads back within a few milliseconds.
type latencyHist struct {
	counts map[int32]int64
	n      int64
}

const latSub = 64

func latBucket(ms int64) int32 {
	if ms < latSub {
		return int32(max(ms, 0))
	}
	e := bits.Len64(uint64(ms)) - 7 // ms >> e is in [64, 128)
	return int32(latSub*(e+1)) + int32(ms>>e) - latSub
}

func latValue(b int32) float64 {
	if b < latSub {
		return float64(b)
	}
	e := int(b)/latSub - 1
	m := int64(b)%latSub + latSub
	lo := m << e
	hi := (m + 1) << e
	return float64(lo+hi-1) / 2
}

func (h *latencyHist) add(ms int64) {
	if h.counts == nil {
		h.counts = map[int32]int64{}
	}
	h.counts[latBucket(ms)]++
	h.n++
}

// quantile returns the q-quantile in milliseconds (bucket midpoints).
func (h *latencyHist) quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	keys := make([]int32, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	target := int64(math.Ceil(q * float64(h.n)))
	target = max(target, 1)
	var cum int64
	for _, k := range keys {
		cum += h.counts[k]
		if cum >= target {
			return latValue(k)
		}
	}
	return latValue(keys[len(keys)-1])
}

// share returns the fraction of the histogram within [lo, hi] ms.
func (h *latencyHist) share(lo, hi float64) float64 {
	if h.n == 0 {
		return 0
	}
	var in int64
	for k, c := range h.counts {
		if v := latValue(k); v >= lo && v <= hi {
			in += c
		}
	}
	return float64(in) / float64(h.n)
}

// A latency split divides one kind's failures at a response-time band
// boundary: band < cut is fast, the rest slow. It is made only when the
// failures fall into two well separated groups, each a real part of the
// kind: a single mechanism gives one mode (or a spread), not two with
// nothing between them.
const (
	// splitMinShare: each side holds at least this share of the failures
	// (and splitMinCount of them).
	splitMinShare = 0.05
	splitMinCount = 20
	// splitGapBands: at least this many empty (or nearly so) bands, that
	// is a factor of 2^splitGapBands in response time, between the sides.
	splitGapBands = 2
	// splitGapShare: a band counts as empty below this share of failures.
	splitGapShare = 0.01
)

// splitLatency returns the band where the slow side starts, or 0 for no
// split. byBand counts failures per latency band.
func splitLatency(byBand map[int32]int64) int32 {
	var total int64
	maxB := int32(0)
	for b, n := range byBand {
		total += n
		maxB = max(maxB, b)
	}
	if total < 2*splitMinCount {
		return 0
	}
	minSide := max(int64(splitMinCount), int64(math.Ceil(splitMinShare*float64(total))))
	empty := func(b int32) bool { return float64(byBand[b]) < splitGapShare*float64(total) }
	// Find the widest run of empty bands with enough failures on both
	// sides; cut at its upper end.
	best, bestRun := int32(0), 0
	var below int64
	for b := int32(0); b <= maxB; b++ {
		if empty(b) {
			continue
		}
		below += byBand[b]
		// b is occupied: look at the empty run above it.
		run := 0
		c := b + 1
		for ; c <= maxB && empty(c); c++ {
			run++
		}
		if c > maxB {
			break
		}
		// Failures inside the empty run count on neither side's minimum.
		var inRun int64
		for x := b + 1; x < c; x++ {
			inRun += byBand[x]
		}
		above := total - below - inRun
		if run >= splitGapBands && below >= minSide && above >= minSide && run > bestRun {
			best, bestRun = c, run
		}
	}
	return best
}

func itoa(n int) string { return strconv.Itoa(n) }
