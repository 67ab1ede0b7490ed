package diagnose

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// threadGroupCause asks whether the failures are confined to some thread
// groups. It names a place, not a mechanism: a setting only those groups
// have (an HTTP Header Manager, a CSV Data Set, sampler options). When a
// mechanism marks the same requests, the mechanism ranks first.
type threadGroupCause struct{}

func (threadGroupCause) Name() string                            { return "thread-group" }
func (threadGroupCause) setup(*Table)                            {}
func (threadGroupCause) observe(*samples.Sample, *request, *Key) {}

// GroupRate is one thread group's failures.
type GroupRate struct {
	Group    string  `json:"group"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"`
}

// ThreadGroupEvidence lists the groups, worst first, and the ones the
// failures are confined to.
type ThreadGroupEvidence struct {
	Groups []GroupRate `json:"groups"`
	// MoreGroups counts the groups left out of Groups, which lists at
	// most maxGroupsListed.
	MoreGroups int      `json:"more_groups,omitempty"`
	Confined   []string `json:"confined_to,omitempty"`
}

// maxGroupsListed bounds the groups in the evidence, worst first.
const maxGroupsListed = 50

// hot finds the groups, worst first, whose split from the rest explains
// the most of p's failures; nil when the failures are spread.
func (c threadGroupCause) hot(a *assessment, p *population) (rates []GroupRate, hot map[int32]bool, hotC, coldC Counts) {
	by := a.table.marginal(dimGroup, p.all())
	type group struct {
		GroupRate
		ix int32
	}
	var gs []group
	for g, cnt := range by {
		name := a.groups[g]
		if name == "" {
			name = "(no thread name)"
		}
		gs = append(gs, group{GroupRate{Group: name, Requests: cnt.N, Failures: cnt.Fail, Rate: round3(cnt.Rate())}, g})
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Rate != gs[j].Rate {
			return gs[i].Rate > gs[j].Rate
		}
		return gs[i].Group < gs[j].Group
	})
	rates = make([]GroupRate, len(gs))
	for i, g := range gs {
		rates[i] = g.GroupRate
	}
	if len(rates) < 2 || len(rates) > maxGroupsListed {
		return rates, nil, hotC, coldC
	}
	var all Counts
	for _, r := range rates {
		all.add(Counts{r.Requests, r.Failures})
	}
	best, bestDev := 0, binomDev(all)
	var prefix Counts
	for m := 1; m < len(rates); m++ {
		prefix.add(Counts{rates[m-1].Requests, rates[m-1].Failures})
		rest := Counts{all.N - prefix.N, all.Fail - prefix.Fail}
		if d := binomDev(prefix) + binomDev(rest); d < bestDev {
			best, bestDev = m, d
		}
	}
	hot = map[int32]bool{}
	for i, g := range gs {
		if i < best {
			hot[g.ix] = true
			hotC.add(Counts{g.Requests, g.Failures})
		} else {
			coldC.add(Counts{g.Requests, g.Failures})
		}
	}
	if best == 0 || hotC.Rate() < 2*coldC.Rate() || hotC.Rate()-coldC.Rate() < 0.2 {
		return rates, nil, hotC, coldC
	}
	return rates, hot, hotC, coldC
}

func (c threadGroupCause) propose(a *assessment, p *population) *Marker {
	if p.kind == 0 {
		return nil
	}
	_, hot, _, _ := c.hot(a, p)
	if hot == nil {
		return nil
	}
	var names []string
	for g := range hot {
		names = append(names, a.groups[g])
	}
	sort.Strings(names)
	return &Marker{
		cause:  c.Name(),
		match:  func(k Key) bool { return hot[k[dimGroup]] },
		detail: "thread group " + quoteList(names),
	}
}

func (c threadGroupCause) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.Name(), Verdict: Unlikely}
	pop := v.ownPop(a)
	if pop == nil {
		pop = &population{}
	}
	rates, hot, hotC, coldC := c.hot(a, pop)
	ev := ThreadGroupEvidence{Groups: rates}
	if len(rates) > maxGroupsListed {
		// Thread names come from the input: a million groups must not make
		// a million-line report.
		ev.Groups, ev.MoreGroups = rates[:maxGroupsListed], len(rates)-maxGroupsListed
	}
	f.Evidence = &ev
	if len(rates) < 2 {
		f.Verdict = NotAssessable
		f.Summary = "Every failing request came from one thread group (or the input has no thread names), so groups cannot be compared."
		return f
	}
	if len(rates) > maxGroupsListed {
		// Not JMeter thread groups but something unique per thread or
		// request: any split of them would fit the failures by chance.
		f.Verdict = NotAssessable
		f.Summary = fmt.Sprintf("The thread names make more than %d thread groups (a test plan has a handful): they do not follow JMeter's \"Group 1-1\" pattern, so groups cannot be compared.", maxGroupsListed)
		return f
	}
	if hot == nil {
		f.Summary = fmt.Sprintf("Failures are spread across thread groups (%s), so they are not tied to one group's settings.", groupList(rates, 3))
		f.short = "failures are spread across thread groups"
		return f
	}
	for _, r := range rates {
		if len(ev.Confined) < len(hot) {
			ev.Confined = append(ev.Confined, r.Group)
		}
	}
	f.detail = "thread group " + quoteList(ev.Confined)
	f.Summary = fmt.Sprintf("Failures are concentrated in thread group %s: %s of its requests failed, against %s in the other groups. Look for a setting only that group has (an HTTP Header Manager, a CSV Data Set, sampler options).",
		quoteList(ev.Confined), naturalRate(hotC), naturalRate(coldC))
	return f
}

func groupList(rs []GroupRate, n int) string {
	var parts []string
	for i, r := range rs {
		if i == n {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%q %.0f%%", r.Group, 100*r.Rate))
	}
	return strings.Join(parts, ", ")
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) <= 2 {
		return strings.Join(q, " and ")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
