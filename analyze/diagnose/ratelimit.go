package diagnose

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// rateLimit looks at 429 Too Many Requests and at what clients did next:
// a retry sent before Retry-After elapsed, or a retry that is itself
// malformed, turns rate limiting into other failures.
type rateLimit struct {
	dim  int
	last map[string]*last429
	// followWindow is how long after a 429 the next request on the same
	// thread still counts as its consequence.
	followWindow time.Duration

	n429, withRetryAfter, withRateHeaders int64
	followed, honoured, early             int64
	followFailed, followN                 int64
	sawResponseHeaders                    bool
}

type last429 struct {
	end        time.Time
	retryAfter time.Duration
	hasRA      bool
}

// Values of the rate-limit dimension.
const (
	rlNone    = 0
	rlIs429   = 1
	rlAfter   = 2 // the previous request on this thread got a 429 and Retry-After was respected (or unknown)
	rlTooSoon = 3 // sent before the previous 429's Retry-After elapsed
)

func newRateLimit() *rateLimit {
	return &rateLimit{last: map[string]*last429{}, followWindow: time.Minute}
}

func (c *rateLimit) Name() string { return "rate-limit" }

func (c *rateLimit) setup(t *Table) { c.dim = t.addDim("rate_limit") }

func (c *rateLimit) observe(r *samples.Sample, rc *request, k *Key) {
	if r.Has&samples.FieldResponseHeaders != 0 {
		c.sawResponseHeaders = true
	}
	// Without threads (HAR), the next request to the same endpoint is the
	// retry.
	who := r.Thread
	if who == "" {
		who = "label:" + r.Label
	}
	v := int32(rlNone)
	if prev := c.last[who]; prev != nil && r.Start.Sub(prev.end) <= c.followWindow {
		c.followed++
		v = rlAfter
		if prev.hasRA {
			if r.Start.Before(prev.end.Add(prev.retryAfter)) {
				c.early++
				v = rlTooSoon
			} else {
				c.honoured++
			}
		}
		c.followN++
		if rc.failed && rc.status != http.StatusTooManyRequests {
			c.followFailed++
		}
		delete(c.last, who)
	}
	if rc.status == http.StatusTooManyRequests {
		c.n429++
		v = rlIs429
		l := &last429{end: r.End()}
		if ra, ok := r.ResponseHeader("Retry-After"); ok {
			c.withRetryAfter++
			l.retryAfter, l.hasRA = parseRetryAfter(ra, r.End())
		}
		if _, ok := r.ResponseHeader("inin-ratelimit-count"); ok {
			c.withRateHeaders++
		} else if _, ok := r.ResponseHeader("X-RateLimit-Remaining"); ok {
			c.withRateHeaders++
		}
		c.last[who] = l
	}
	k[c.dim] = v
}

// parseRetryAfter reads delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, at time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && n < 86400*7 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(at); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// RateLimitEvidence is the evidence of the rate-limit cause.
type RateLimitEvidence struct {
	TooManyRequests int64 `json:"too_many_requests"`
	WithRetryAfter  int64 `json:"with_retry_after"`
	WithRateHeaders int64 `json:"with_rate_limit_headers"`
	// Followed counts requests sent on the same thread within a minute of
	// a 429; Early those sent before its Retry-After elapsed.
	Followed int64 `json:"followed"`
	Honoured int64 `json:"retry_after_honoured"`
	Early    int64 `json:"retry_after_ignored"`
	// FollowFailed counts the follow-ups that failed with something other
	// than another 429: bad retries.
	FollowFailed int64 `json:"follow_ups_failed"`
	// Onset is the load where the 429s begin, Levels their rate.
	Onset  *Onset      `json:"onset,omitempty"`
	Levels []LevelRate `json:"levels,omitempty"`
}

func (c *rateLimit) propose(a *assessment, p *population) *Marker {
	if p.kind == 0 || c.n429 == 0 {
		return nil
	}
	if p.def.status == http.StatusTooManyRequests {
		// A 429 is the server saying it limits the rate: that is what the
		// kind is.
		kind := p.kind
		return &Marker{cause: c.Name(), match: func(k Key) bool { return k[dimKind] == kind }, defining: true, mechanism: true, detail: "429 Too Many Requests"}
	}
	if !p.answered() {
		return nil
	}
	dim := c.dim
	return &Marker{
		cause:     c.Name(),
		match:     func(k Key) bool { return k[dim] == rlAfter || k[dim] == rlTooSoon },
		mechanism: true,
		detail:    "requests sent right after a 429",
	}
}

func (c *rateLimit) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), mechanism: true, Verdict: Unlikely}
	ev := &RateLimitEvidence{TooManyRequests: c.n429, WithRetryAfter: c.withRetryAfter, WithRateHeaders: c.withRateHeaders,
		Followed: c.followed, Honoured: c.honoured, Early: c.early, FollowFailed: c.followFailed}
	f.Evidence = ev
	switch {
	case c.n429 == 0:
		f.Summary = "No request got 429 Too Many Requests, so rate limiting did not cause these failures."
		f.short = "there was no 429 Too Many Requests"
		return f
	case len(v.chosen) == 0:
		f.Summary = fmt.Sprintf("%s got 429, but none of the failures analysed is a 429 or is explained by following one.", count(c.n429, "request"))
		f.short = "the failures are not 429s and do not follow them more than other requests"
		return f
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s got 429 Too Many Requests", count(c.n429, "request"))
	if c.withRetryAfter > 0 {
		fmt.Fprintf(&b, " (%s with Retry-After)", countNum(c.withRetryAfter))
	}
	if labels := c.labels429(a); labels != "" {
		b.WriteString(" on " + labels)
	}
	b.WriteString(".")
	if c.early > 0 {
		fmt.Fprintf(&b, " %s on the same thread were sent before Retry-After had elapsed.", count(c.early, "follow-up request"))
	}
	if c.followFailed > 0 {
		fmt.Fprintf(&b, " %s sent right after a 429 failed with another status (diagnosed with their own kind).", count(c.followFailed, "request"))
	}
	for _, ch := range v.chosen {
		if !ch.m.defining || a.noTimes {
			continue
		}
		// Every 429 of the kind, whatever its response time.
		pop := &population{kind: ch.dec.pop.kind, def: ch.dec.pop.def, labels: ch.dec.pop.labels}
		ev.Levels = bands(a.table.marginal(a.levelDim, a.steadyView(pop.all())))
		on, err := a.onsetOn(a.levelDim, a.steadyView(pop.all()), 199)
		if err == nil && on.Found && on.RateBelow < highBase {
			at, lo, hi := reported(on)
			metric := (&concurrencyCause{}).metric(a)
			ev.Onset = &Onset{Metric: metric, Value: round1(at), Low: round1(lo), High: round1(hi)}
			fmt.Fprintf(&b, " The 429s begin at %s %s (95%% CI %s–%s).", fmtWhole(at), metricUnit(metric), fmtWhole(lo), fmtWhole(hi))
		}
		break
	}
	if !c.sawResponseHeaders {
		f.Missing = a.advice("save response headers (jmeter.save.saveservice.responseHeaders=true) to check Retry-After",
			"capture response headers (a sanitized HAR export may drop some) to check Retry-After")
	}
	f.detail = "429 Too Many Requests"
	for _, ch := range v.chosen {
		if !ch.m.defining {
			f.detail = "requests sent right after a 429"
		}
	}
	f.Summary = b.String()
	return f
}

// labels429 names the labels that got the 429s when they are a few.
func (c *rateLimit) labels429(a *assessment) string {
	by := a.table.Marginal(dimLabel, func(k Key) bool {
		return k[dimKind] > 0 && a.kinds.def(k[dimKind]).status == http.StatusTooManyRequests
	})
	if len(by) == 0 || len(by) > 3 {
		return ""
	}
	return a.quotedLabels(by)
}
