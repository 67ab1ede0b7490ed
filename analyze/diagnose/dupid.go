package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/ids"
	"github.com/jtlscope/jtlscope/samples"
)

// duplicateID asks whether failing requests reused an ID an earlier
// request had already sent to the same endpoint: a static header, a CSV
// Data Set that recycles, IDs built from a clock that collide under load.
type duplicateID struct {
	tr   *ids.Tracker
	dim  int
	locs map[string]int // "endpoint\x00location" -> bit
	name []string       // bit -> "endpoint\x00location"
	// idOn counts requests with at least one ID per label, so that "no ID
	// found on the failing label" can be told from "never reused".
	seenIDs int64
}

// maxIDBits is how many (endpoint, location) pairs get a bit in the key;
// later ones are still tracked by ids but cannot be chosen as the marker.
const maxIDBits = 31

func newDuplicateID(specs []ids.Spec) *duplicateID {
	return &duplicateID{tr: ids.New(ids.Options{Select: specs}), locs: map[string]int{}}
}

func (c *duplicateID) Name() string   { return "duplicate-id" }
func (c *duplicateID) setup(t *Table) { c.dim = t.addDim("id_reused") }

func (c *duplicateID) observe(r *samples.Sample, rc *request, k *Key) {
	uses := c.tr.Observe(r)
	if len(uses) > 0 {
		c.seenIDs++
	}
	var mask int32
	for _, u := range uses {
		if !u.Primary {
			continue
		}
		key := u.Endpoint + "\x00" + u.Loc
		bit, ok := c.locs[key]
		if !ok {
			if len(c.name) >= maxIDBits {
				continue
			}
			bit = len(c.name)
			c.locs[key] = bit
			c.name = append(c.name, key)
		}
		if u.Reused {
			mask |= 1 << bit
		}
	}
	k[c.dim] = mask
}

// ReusePoint is one time window of the reuse-over-time chart.
type ReusePoint struct {
	T            float64 `json:"t"` // seconds from the first request
	Requests     int64   `json:"requests"`
	Reused       int64   `json:"reused"`
	ReusedFailed int64   `json:"reused_failed"`
}

// DuplicateIDEvidence is the evidence of the duplicate-id cause.
type DuplicateIDEvidence struct {
	// Endpoint and Location name the ID whose reuse best matches the
	// failures.
	Endpoint string `json:"endpoint,omitempty"`
	Location string `json:"location,omitempty"`
	// Reused and Fresh are the failure rates of requests that reused the ID
	// and of first uses.
	Reused   Counts       `json:"reused"`
	Fresh    Counts       `json:"fresh"`
	OverTime []ReusePoint `json:"over_time,omitempty"`
	// WindowS is the width of the OverTime windows in seconds.
	WindowS float64    `json:"window_s,omitempty"`
	IDs     ids.Result `json:"ids"`
}

func (c *duplicateID) assess(a *assessment) Finding {
	f := Finding{Cause: c.Name(), mechanism: true}
	res := c.tr.Result()
	ev := &DuplicateIDEvidence{IDs: res}
	f.Evidence = ev
	dim := c.dim
	failingLocs := c.locationsOnFailingLabels(a, res)
	if len(failingLocs) == 0 {
		f.Verdict = NotAssessable
		// Say why: saving more helps only when IDs were not saved.
		switch {
		case a.failures == 0:
			f.Summary = "No request failed, so ID reuse cannot be set against failures."
		case res.Unmatched():
			f.Summary = fmt.Sprintf("The ID named with --id (%s) was found in no request: check the location (header:NAME, form:FIELD, json:PATH, var:NAME, query:NAME, path:N or regex:EXPR), or leave --id out to detect IDs.", strings.Join(res.Selected, ", "))
		case len(res.Locations) > 0:
			f.Summary = fmt.Sprintf("IDs were found (%s), but not in the failing requests.", describeLoc(res.Locations[0]))
		default:
			f.Summary = "No ID-like values were found in the failing requests (no headers, bodies or sample variables with IDs were saved)."
			f.Missing = "save the ID as a sample variable (sample_variables=recId), or save request headers and bodies (XML output with jmeter.save.saveservice.requestHeaders=true and samplerData=true)"
		}
		return f
	}
	// Pick the location whose reuse best separates failures.
	best, bestDev := -1, a.d0
	for bit := range c.name {
		mask := int32(1) << bit
		m := func(k Key) bool { return k[dim]&mask != 0 }
		if a.explained(m) == 0 {
			continue
		}
		if d := deviance(a.table, a.keep, []func(Key) bool{m}); best < 0 || d < bestDev {
			best, bestDev = bit, d
		}
	}
	if best < 0 {
		loc := failingLocs[0]
		f.Verdict = Unlikely
		f.Summary = fmt.Sprintf("IDs were never reused by the failing requests (%s: %s values in %s requests).",
			describeLoc(loc), countNum(loc.Distinct), countNum(loc.Requests))
		f.short = "IDs were never reused"
		return f
	}
	mask := int32(1) << best
	f.marker = func(k Key) bool { return k[dim]&mask != 0 }
	f.stratum = func(k Key) string {
		if k[dim]&mask != 0 {
			return "reused"
		}
		return "fresh"
	}
	endpoint, loc, _ := strings.Cut(c.name[best], "\x00")
	ev.Endpoint, ev.Location = endpoint, loc
	ev.Reused = a.table.Total(func(k Key) bool { return a.keep(k) && f.marker(k) })
	ev.Fresh = a.table.Total(func(k Key) bool { return a.keep(k) && !f.marker(k) })
	ev.OverTime = reuseOverTime(a, f.marker)
	ev.WindowS = a.window.Seconds()
	f.Explained = a.explained(f.marker)
	f.Share = a.share(f.Explained)
	f.Verdict = Likely
	var l ids.Location
	for _, x := range res.Locations {
		if x.Endpoint == endpoint && x.Location == loc {
			l = x
		}
	}
	f.Summary = fmt.Sprintf("%s of requests that reused an ID (%s) failed, against %s of first uses.",
		capitalize(naturalRate(ev.Reused)), describeLoc(l), naturalRate(ev.Fresh))
	if l.Distinct > 0 {
		f.Summary += fmt.Sprintf(" %s requests carried only %s distinct values", countNum(l.Requests), countNum(l.Distinct))
		switch {
		case l.Constant:
			f.Summary += ": the ID is constant (a static header or body)."
		case l.ReusedOtherThread > 0:
			f.Summary += fmt.Sprintf("; %s reuses came from another thread (a shared or recycled data set).", countNum(l.ReusedOtherThread))
		default:
			f.Summary += "."
		}
	}
	return f
}

// locationsOnFailingLabels are the ID locations on endpoints that fail,
// most requests first.
func (c *duplicateID) locationsOnFailingLabels(a *assessment, res ids.Result) []ids.Location {
	failing := map[string]bool{}
	for l, cnt := range a.table.Marginal(dimLabel, a.keep) {
		if cnt.Fail > 0 {
			failing[a.labels[l]] = true
		}
	}
	var out []ids.Location
	for _, l := range res.Locations {
		if failing[l.Endpoint] || endpointOfFailing(l.Endpoint, failing) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Requests > out[j].Requests })
	return out
}

// endpointOfFailing accepts endpoint names that are not labels (a method
// and path template) when some failing label contains them.
func endpointOfFailing(endpoint string, failing map[string]bool) bool {
	for l := range failing {
		if strings.Contains(l, endpoint) || strings.Contains(endpoint, l) {
			return true
		}
	}
	return false
}

func describeLoc(l ids.Location) string {
	kind, name, _ := strings.Cut(l.Location, ":")
	switch kind {
	case "header":
		return "header " + name
	case "form":
		return "form field " + name
	case "var":
		return "JMeter variable " + name
	case "json":
		return "JSON field " + name
	case "query":
		return "query parameter " + name
	case "path":
		return "URL path segment " + name
	}
	return l.Location
}

// reuseOverTime counts, per time window, requests on the failing labels,
// those that reused the ID, and those of them that failed.
func reuseOverTime(a *assessment, reused func(Key) bool) []ReusePoint {
	by := map[int32]*ReusePoint{}
	for k, cnt := range a.table.cells {
		if !a.keep(k) {
			continue
		}
		p := by[k[dimTime]]
		if p == nil {
			p = &ReusePoint{T: float64(k[dimTime]) * a.window.Seconds()}
			by[k[dimTime]] = p
		}
		p.Requests += cnt.N
		if reused(k) {
			p.Reused += cnt.N
			p.ReusedFailed += cnt.Fail
		}
	}
	out := make([]ReusePoint, 0, len(by))
	for _, p := range by {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out
}

// unmatchedID returns the --id locations when f is the duplicate-ID
// finding and they matched no request.
func unmatchedID(f *Finding) (string, bool) {
	ev, ok := f.Evidence.(*DuplicateIDEvidence)
	if !ok || !ev.IDs.Unmatched() {
		return "", false
	}
	return strings.Join(ev.IDs.Selected, ", "), true
}
