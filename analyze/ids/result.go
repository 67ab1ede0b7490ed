package ids

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// Result is what a Tracker found. Every string in it is safe to print:
// values at locations named like credentials are fingerprints, and other
// values have been through redact.Text.
type Result struct {
	Requests int64 `json:"requests"`
	// RequestsWithIDs counts requests with at least one tracked value.
	RequestsWithIDs int64 `json:"requests_with_ids"`
	// Selected lists the locations the user named; empty means they were
	// detected automatically.
	Selected []string `json:"selected,omitempty"`
	// Allowed lists the locations the user declared constant by design.
	Allowed []string `json:"allowed,omitempty"`
	// Locations are sorted by reused requests, most first.
	Locations []Location `json:"locations"`
	// Aliases are locations of one endpoint that carry one logical ID.
	Aliases []Alias `json:"aliases"`
	// DroppedLocations counts values not tracked because the
	// (endpoint, location) limit was reached.
	DroppedLocations int64    `json:"dropped_locations,omitempty"`
	Warnings         []string `json:"warnings"`
}

// Unmatched reports whether the user named ID locations and no request
// had a value at any of them (a mistyped --id).
func (r Result) Unmatched() bool { return len(r.Selected) > 0 && len(r.Locations) == 0 }

// Location is what was seen at one location of one endpoint. Counts are of
// requests: one with several values at the location counts once.
type Location struct {
	Endpoint string `json:"endpoint"`
	Location string `json:"location"`
	// Class is the commonest class of the values.
	Class    Class `json:"class"`
	Requests int64 `json:"requests"`
	Distinct int64 `json:"distinct"`
	// Reused counts requests whose value had been seen before here.
	Reused int64 `json:"reused"`
	// ReusedOtherThread counts reused requests where an earlier use came
	// from another thread.
	ReusedOtherThread int64 `json:"reused_other_thread"`
	// ReusedConcurrent counts reused requests that started while an
	// earlier use was still in flight.
	ReusedConcurrent int64 `json:"reused_concurrent"`
	// Constant: every request carried the same value: a static ID, or a
	// constant by design that may be allow-listed.
	Constant bool `json:"constant,omitempty"`
	// Redacted: the location is named like a credential, so Top holds
	// fingerprints instead of values.
	Redacted bool `json:"redacted,omitempty"`
	// Top are the most reused values, most first.
	Top []Value `json:"top,omitempty"`
}

// Value is one reused value and how many requests carried it.
type Value struct {
	Value string `json:"value"`
	Uses  int64  `json:"uses"`
}

// Alias is a set of locations of one endpoint that carried the same value
// on (nearly) every request that had two of them: one logical ID sent
// several ways, such as a header, a form field and the JMeter variable
// both were filled from. Count a reuse once, at Locations[0].
type Alias struct {
	Endpoint string `json:"endpoint"`
	// Locations are in the order a representative is chosen (header, form,
	// json, query, path, regex, var); the first is the representative.
	Locations []string `json:"locations"`
	// Requests is the most requests any two of them were seen on together.
	Requests int64 `json:"requests"`
	// Agreement is the smallest share, over pairs, of those requests where
	// the two values were equal.
	Agreement float64 `json:"agreement"`
}

// aliasAgreement is the share of shared requests on which two locations
// must agree to be called one ID; a little below 1 so that one garbled
// body does not split a logical ID.
const aliasAgreement = 0.99

// Result returns what has been seen so far; it may be called more than
// once.
func (t *Tracker) Result() Result {
	res := Result{
		Requests:         t.requests,
		RequestsWithIDs:  t.withIDs,
		Locations:        []Location{},
		Aliases:          []Alias{},
		Warnings:         []string{},
		DroppedLocations: t.dropped,
	}
	for _, sp := range t.opts.Select {
		res.Selected = append(res.Selected, sp.String())
	}
	for _, sp := range t.opts.Allow {
		res.Allowed = append(res.Allowed, sp.String())
	}
	for _, ls := range t.order {
		res.Locations = append(res.Locations, ls.result())
	}
	sort.SliceStable(res.Locations, func(i, j int) bool {
		a, b := res.Locations[i], res.Locations[j]
		if a.Reused != b.Reused {
			return a.Reused > b.Reused
		}
		if a.Endpoint != b.Endpoint {
			return a.Endpoint < b.Endpoint
		}
		return a.Location < b.Location
	})
	res.Aliases = t.aliases()
	if t.dropped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"%d values were not tracked: more than %d (endpoint, location) pairs", t.dropped, t.opts.MaxLocations))
	}
	if t.vals.rotations > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"more distinct ID values than memory keeps (up to %s at once): a value used again only after %s other values is counted as a first use",
			aboutCount(2*t.vals.genMax), aboutCount(t.vals.genMax)))
	}
	if t.x.Capped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"%d requests had more than %d candidate IDs; the rest were not tracked", t.x.Capped, maxCandidates))
	}
	if t.requests > 0 && t.withIDs == 0 {
		if len(t.opts.Select) > 0 {
			res.Warnings = append(res.Warnings, "no request had a value at the selected locations")
		} else {
			res.Warnings = append(res.Warnings, "no ID-like values found: a JTL CSV keeps only URLs and "+
				"sample_variables; save request headers and bodies (XML JTL, HAR) or name the locations")
		}
	}
	return res
}

func (ls *locState) result() Location {
	l := Location{
		Endpoint:          redact.Text(ls.endpoint),
		Location:          ls.loc,
		Requests:          ls.requests,
		Distinct:          ls.distinct,
		Reused:            ls.reused,
		ReusedOtherThread: ls.reusedThread,
		ReusedConcurrent:  ls.reusedConc,
		Redacted:          secretLocation(ls.loc),
	}
	l.Constant = l.Distinct == 1 && l.Requests > 1
	best := 0
	for i, n := range ls.classes {
		if n > ls.classes[best] {
			best = i
		}
	}
	l.Class = classOrder[best]
	top := append([]example(nil), ls.top...)
	sort.Slice(top, func(i, j int) bool {
		if top[i].uses != top[j].uses {
			return top[i].uses > top[j].uses
		}
		return string(top[i].text) < string(top[j].text)
	})
	for _, e := range top {
		v := redact.Text(string(e.text))
		if l.Redacted {
			v = redact.Fingerprint(string(e.text))
		}
		l.Top = append(l.Top, Value{Value: v, Uses: int64(e.uses)})
	}
	return l
}

// secretLocation reports whether a location is named like a credential.
func secretLocation(loc string) bool {
	kind, name, _ := strings.Cut(loc, ":")
	if kind == "header" {
		return redact.IsSecretHeader(name)
	}
	return redact.IsSecretParam(name)
}

// aliases joins locations whose values agree into logical IDs.
func (t *Tracker) aliases() []Alias {
	parent := make([]int32, len(t.order))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for k, ps := range t.pairs {
		if float64(ps.equal) >= aliasAgreement*float64(ps.both) {
			a, b := find(k[0]), find(k[1])
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	groups := map[int32][]int32{}
	for i := range t.order {
		r := find(int32(i))
		groups[r] = append(groups[r], int32(i))
	}
	out := []Alias{}
	for _, members := range groups {
		if len(members) < 2 {
			continue
		}
		sort.Slice(members, func(i, j int) bool {
			a, b := t.order[members[i]].loc, t.order[members[j]].loc
			if ra, rb := kindRank(locKind(a)), kindRank(locKind(b)); ra != rb {
				return ra < rb
			}
			return members[i] < members[j]
		})
		al := Alias{Endpoint: redact.Text(t.order[members[0]].endpoint), Agreement: 1}
		for _, m := range members {
			al.Locations = append(al.Locations, t.order[m].loc)
		}
		for i, a := range members {
			for _, b := range members[i+1:] {
				ps := t.pairs[[2]int32{min(a, b), max(a, b)}]
				if ps == nil || ps.both == 0 {
					continue
				}
				al.Requests = max(al.Requests, ps.both)
				al.Agreement = min(al.Agreement, float64(ps.equal)/float64(ps.both))
			}
		}
		out = append(out, al)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Endpoint != out[j].Endpoint {
			return out[i].Endpoint < out[j].Endpoint
		}
		return out[i].Locations[0] < out[j].Locations[0]
	})
	return out
}

// aboutCount writes n for prose: 3.1 million, 40,000.
func aboutCount(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1f million", float64(n)/1e6)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
