package multipart

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Checker runs Inspect over every request of a test and sums up what it
// found. Its memory does not grow with the number of requests: a few
// examples per kind, and at most maxTracked boundaries. Make one with New;
// it is not safe for concurrent use.
type Checker struct {
	res    Result
	kinds  map[Kind]*KindSummary
	bounds map[string]*boundaryUse
	ct     []string // reused for Request.ContentTypes
	// secret remembers which field names hold credentials; isSecret is
	// the method value, made once rather than on every request.
	secret   map[string]bool
	isSecret func(string) bool
}

// Result is what a Checker found, as plain data.
type Result struct {
	// Requests counts every request seen; Multipart those that are (or
	// look) multipart. Of these, Checked were read to the end and
	// Unverifiable were not, for the reasons in UnverifiableWhy.
	Requests        int64            `json:"requests"`
	Multipart       int64            `json:"multipart"`
	Checked         int64            `json:"checked"`
	Unverifiable    int64            `json:"unverifiable"`
	UnverifiableWhy map[string]int64 `json:"unverifiable_why,omitempty"`
	// HeaderUnknown counts multipart requests whose headers were not
	// recorded, so that boundary-mismatch and the other header checks
	// could not be made.
	HeaderUnknown int64 `json:"header_unknown"`
	// Unexamined counts requests whose source recorded neither headers nor
	// a body (a CSV JTL): whether they were multipart is unknown.
	Unexamined int64 `json:"unexamined"`
	// WithErrors and WithWarnings count multipart requests with at least
	// one anomaly of that severity.
	WithErrors   int64 `json:"with_errors"`
	WithWarnings int64 `json:"with_warnings"`
	// BadRequests counts multipart requests answered 400, and
	// BadRequestsWithErrors those of them with an error-severity anomaly:
	// the 400s this check explains.
	BadRequests           int64 `json:"bad_requests"`
	BadRequestsWithErrors int64 `json:"bad_requests_with_errors"`
	// Anomalies has one entry per kind found, errors first, then by the
	// number of requests.
	Anomalies  []KindSummary `json:"anomalies"`
	Boundaries Boundaries    `json:"boundaries"`
}

// KindSummary is how often one kind of anomaly was found.
type KindSummary struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	// Requests counts requests with the anomaly, BadRequests those of them
	// answered 400.
	Requests    int64     `json:"requests"`
	BadRequests int64     `json:"bad_requests"`
	Examples    []Example `json:"examples"`
}

// MaxExamples is how many examples a KindSummary keeps: the first ones.
const MaxExamples = 3

// An Example points at one request with an anomaly.
type Example struct {
	Source string `json:"source"`
	Line   int    `json:"line"`
	Label  string `json:"label"`
	Detail string `json:"detail"`
}

// Boundaries says how boundaries were shared between requests (M18).
type Boundaries struct {
	// Distinct is the number of different boundaries seen.
	Distinct int64 `json:"distinct"`
	// ReusedRequests counts requests whose boundary an earlier request had
	// used.
	ReusedRequests int64 `json:"reused_requests"`
	// Top lists the most used boundaries among those used more than once.
	Top []BoundaryUse `json:"top,omitempty"`
	// Approximate is set when more boundaries were seen than a Checker
	// remembers: boundaries used once were then forgotten, so Distinct may
	// count one twice and reuse far apart may be missed.
	Approximate bool `json:"approximate,omitempty"`
}

// BoundaryUse is one boundary and the requests that used it.
type BoundaryUse struct {
	Boundary string `json:"boundary"`
	Requests int64  `json:"requests"`
	// Source and Line are where it was first seen.
	Source string `json:"source"`
	Line   int    `json:"line"`
}

type boundaryUse struct {
	n      int64
	source string
	line   int
}

const (
	// maxTracked bounds the boundaries a Checker remembers. JMeter draws a
	// new one per request, so a long test sees millions; a replayed one
	// comes back again and again and stays.
	maxTracked = 4096
	// maxTrackedLen: longer boundaries are not tracked (they are against
	// RFC 2046 anyway and would only cost memory).
	maxTrackedLen = 256
	maxTop        = 5
)

// New returns an empty Checker.
func New() *Checker {
	c := &Checker{kinds: map[Kind]*KindSummary{}, bounds: map[string]*boundaryUse{}, secret: map[string]bool{}}
	c.isSecret = c.secretName
	return c
}

// maxNames bounds the field names isSecret remembers.
const maxNames = 1024

// secretName is redact.IsSecretParam, remembered.
func (c *Checker) secretName(name string) bool {
	if v, ok := c.secret[name]; ok {
		return v
	}
	v := redact.IsSecretParam(name)
	if len(c.secret) < maxNames {
		c.secret[strings.Clone(name)] = v
	}
	return v
}

// Add checks every request in s (s itself, or its sub-results); it makes
// Checker an analyze.Accumulator.
func (c *Checker) Add(s *samples.Sample) {
	s.Requests(func(r *samples.Sample) { c.Observe(r) })
}

// Observe checks one request (a sample without sub-results; Add walks
// them) and counts what it found. The Check it returns adds
// BoundaryReused to what Inspect finds.
func (c *Checker) Observe(r *samples.Sample) Check {
	c.res.Requests++
	req := requestOf(r, c.ct[:0])
	c.ct = req.ContentTypes[:0]
	ch := inspect(req, c.isSecret)
	if !ch.Multipart {
		if !req.HeadersKnown && req.BodyMIME == "" && (req.BodyIs == samples.BodyNotSaved || req.BodyIs == samples.BodyUnreadable) {
			c.res.Unexamined++
		}
		return ch
	}
	c.res.Multipart++
	if ch.Checked {
		c.res.Checked++
	} else {
		c.res.Unverifiable++
		if c.res.UnverifiableWhy == nil {
			c.res.UnverifiableWhy = map[string]int64{}
		}
		c.res.UnverifiableWhy[ch.Unverifiable]++
	}
	if !ch.HeaderKnown {
		c.res.HeaderUnknown++
	}
	c.reuse(&ch, r)

	bad := r.Status() == 400
	var errs, warns bool
	for _, a := range ch.Anomalies {
		errs = errs || a.Severity == Error
		warns = warns || a.Severity == Warning
		ks := c.kinds[a.Kind]
		if ks == nil {
			ks = &KindSummary{Kind: a.Kind, Severity: a.Severity}
			c.kinds[a.Kind] = ks
		}
		ks.Requests++
		if bad {
			ks.BadRequests++
		}
		if len(ks.Examples) < MaxExamples {
			ks.Examples = append(ks.Examples, Example{
				Source: r.Source, Line: r.Line, Label: r.Label,
				// Details quote only boundaries and field names; masking
				// costs nothing here and guards what a field name may hold.
				Detail: redact.Text(a.Detail),
			})
		}
	}
	if errs {
		c.res.WithErrors++
	}
	if warns {
		c.res.WithWarnings++
	}
	if bad {
		c.res.BadRequests++
		if errs {
			c.res.BadRequestsWithErrors++
		}
	}
	return ch
}

// reuse counts the boundaries of r, declared and used, and notes a
// boundary an earlier request had.
func (c *Checker) reuse(ch *Check, r *samples.Sample) {
	var seen *boundaryUse
	var which string
	for i, b := range [2]string{ch.Boundary, ch.BodyBoundary} {
		if b == "" || len(b) > maxTrackedLen || (i == 1 && b == ch.Boundary) {
			continue
		}
		u := c.bounds[b]
		if u == nil {
			u = c.track(b, r)
			if u == nil {
				continue
			}
		} else if seen == nil {
			seen, which = u, b
		}
		u.n++
	}
	if seen == nil {
		return
	}
	c.res.Boundaries.ReusedRequests++
	earlier := itoa64(seen.n-1) + " earlier requests"
	if seen.n == 2 {
		earlier = "1 earlier request"
	}
	ch.add(BoundaryReused, 0, "boundary "+show(which)+" was used by "+earlier+", first at "+seen.source+":"+itoa(seen.line))
}

// track starts counting boundary b, first seen in r. When the table is
// full it forgets the boundaries used once; if that frees nothing, b is
// not tracked.
func (c *Checker) track(b string, r *samples.Sample) *boundaryUse {
	if len(c.bounds) >= maxTracked {
		c.res.Boundaries.Approximate = true
		for k, u := range c.bounds {
			if u.n == 1 {
				delete(c.bounds, k)
			}
		}
		if len(c.bounds) >= maxTracked {
			return nil
		}
	}
	c.res.Boundaries.Distinct++
	// A copy: b is a substring of a header or a body, which the map would
	// otherwise keep alive.
	u := &boundaryUse{source: r.Source, line: r.Line}
	c.bounds[strings.Clone(b)] = u
	return u
}

// Result returns what the Checker found so far.
func (c *Checker) Result() Result {
	res := c.res
	res.Anomalies = make([]KindSummary, 0, len(c.kinds))
	for _, ks := range c.kinds {
		k := *ks
		k.Examples = slices.Clone(ks.Examples)
		res.Anomalies = append(res.Anomalies, k)
	}
	slices.SortFunc(res.Anomalies, func(a, b KindSummary) int {
		return cmp.Or(
			cmp.Compare(a.Severity.rank(), b.Severity.rank()),
			cmp.Compare(b.Requests, a.Requests),
			cmp.Compare(a.Kind, b.Kind))
	})
	if res.UnverifiableWhy != nil {
		res.UnverifiableWhy = make(map[string]int64, len(c.res.UnverifiableWhy))
		for k, v := range c.res.UnverifiableWhy {
			res.UnverifiableWhy[k] = v
		}
	}
	res.Boundaries.Top = nil
	for b, u := range c.bounds {
		if u.n > 1 {
			res.Boundaries.Top = append(res.Boundaries.Top, BoundaryUse{Boundary: b, Requests: u.n, Source: u.source, Line: u.line})
		}
	}
	slices.SortFunc(res.Boundaries.Top, func(a, b BoundaryUse) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Boundary, b.Boundary))
	})
	if len(res.Boundaries.Top) > maxTop {
		res.Boundaries.Top = res.Boundaries.Top[:maxTop]
	}
	return res
}

func itoa64(n int64) string { return itoa(int(n)) }
