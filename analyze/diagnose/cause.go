package diagnose

import (
	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/samples"
)

// A Cause is one candidate explanation of the failures. It looks at
// every request once (observe) and writes a few small features into the
// request's key; after the pass it offers a marker for the failures of a
// kind (propose), and once decide has chosen, it writes its finding
// (assess). Ranking and attribution happen in one place, decide.go; a
// cause only says which requests show it and what the evidence is. To add
// one, implement it in this package and list it in newCauses.
type Cause interface {
	// Name is the stable machine name: "concurrency", "duplicate-id", ...
	Name() string
	// setup registers the features the cause adds to every request's key.
	setup(t *Table)
	// observe looks at one request (in start order) and writes its
	// features into k.
	observe(r *samples.Sample, rc *request, k *Key)
	// propose offers the cause's marker for one kind's failures, judged
	// on the population p: the kind's requests less those that causes
	// chosen before have taken. Nil when the cause has nothing to offer
	// there (no data, no association, no onset).
	propose(a *assessment, p *population) *Marker
	// assess writes the cause's finding from the decisions made for every
	// kind. The verdict is set by decide; assess fills in the rest and
	// gives the verdict of a cause nothing chose.
	assess(a *assessment, v *causeVerdict) Finding
}

// request is what every cause may know about the request being observed.
type request struct {
	failed bool
	kind   int32
	status int
	level  concurrency.Level
	label  int32
	group  int32
	// offset is the request's start relative to the first request.
	offsetMS int64
	// failure is the index of the request in Diagnoser.failures when it
	// is kept for the attribution, else -1.
	failure int
	// prep is what the trackers say about the request (Prepare).
	prep *prepared
}

// A Marker picks out the requests that show a cause, as a test on their
// keys. A threshold cause (concurrency, token age) sets Param; a marker
// whose requests are not all expected to fail sets atRisk (duplicate
// IDs: of the requests that share an ID, the one the server accepted
// first is not at risk).
type Marker struct {
	cause string
	match func(Key) bool
	// atRisk, when set, is the part of match expected to fail if the
	// cause acts; purity is failures over these.
	atRisk func(Key) bool
	// spared, when set, picks out requests that show the marker but that
	// the cause did not fail (the request of a collision group the server
	// took first): the attribution passes them to the next cause.
	spared func(Key) bool
	// stratum names the comparable requests a marker is set against; nil
	// uses time window and concurrency band. The concurrency cause sets
	// none: it is judged by its own onset test (p).
	stratum func(Key) int64
	// p is the cause's own test of its association, when it has one (the
	// onset's parametric bootstrap); 0 means use the stratified test.
	p float64
	// param is the threshold of a threshold marker, metric its unit.
	param  float64
	metric string
	// mechanism markers name what was wrong with the request itself; a
	// place (a thread group) yields to a mechanism that marks the same
	// requests.
	mechanism bool
	// deterministic mechanisms fail every request that shows them (an
	// expired token is always refused): a marker of one that fails far
	// less often does not pick out the mechanism.
	deterministic bool
	// defining markers explain a kind by what the kind is (a 429 is the
	// server's rate limit; a read timeout is the client giving up): they
	// take every failure of the kind.
	defining bool
	// detail is a few words for the verdict: "tokens older than 50 s".
	detail string
	// index is the cause's own number for the marker (the ID location's
	// bit, the multipart anomaly's).
	index int
}

// Verdict grades a cause.
type Verdict string

const (
	Likely        Verdict = "likely"
	Possible      Verdict = "possible"
	Unlikely      Verdict = "unlikely"
	NotAssessable Verdict = "not-assessable"
)

func (v Verdict) rank() int {
	switch v {
	case Likely:
		return 0
	case Possible:
		return 1
	case Unlikely:
		return 2
	}
	return 3
}

// Finding is one cause's result: the JSON contract of diagnose.
type Finding struct {
	Cause   string  `json:"cause"`
	Verdict Verdict `json:"verdict"`
	// Explained is how many failures show the cause's marker (above the
	// onset, a shared ID, an anomalous body, ...), whether or not another
	// cause took them first.
	Explained int64 `json:"explained"`
	// Attributed is how many failures are put down to this cause: each
	// failure goes to one cause at most, so these add up to the failures
	// less Result.Unexplained.
	Attributed int64 `json:"attributed"`
	// Share is Attributed over every failure analysed.
	Share float64 `json:"share"`
	// Kinds names the failure kinds the cause explains, with counts.
	Kinds []KindShare `json:"kinds,omitempty"`
	// Summary is one or two plain sentences for a capacity-planning reader.
	Summary  string `json:"summary"`
	Evidence any    `json:"evidence"`
	// Missing says what to record or run next time when the data cannot
	// tell, as an imperative phrase ("save request headers ...").
	Missing string `json:"missing,omitempty"`
	// Fit says how much of the failure pattern the cause accounts for, on
	// its own and beyond every other cause.
	Fit *Fit `json:"fit,omitempty"`

	// short is the few words the verdict uses when the cause is ruled out
	// ("IDs were never reused"); the first sentence of Summary otherwise.
	short string
	// detail is what the verdict says of a chosen cause in its list:
	// "tokens older than 50 s", "from 37 threads".
	detail string
	// mechanism: see Marker.
	mechanism bool
}

// KindShare is the failures of one kind a cause accounts for.
type KindShare struct {
	Kind       string `json:"kind"`
	Attributed int64  `json:"attributed"`
	Failures   int64  `json:"failures"`
}

// Fit measures, as shares of the null deviance of the kind the cause
// explains most of, how much of the failure pattern its marker accounts
// for. Alone is the marker by itself; Unique is what it adds once every
// chosen cause's marker is known. A cause with a high Alone and a
// near-zero Unique is explained by another.
type Fit struct {
	Alone  float64 `json:"alone"`
	Unique float64 `json:"unique"`
	// SameAs names causes whose markers pick out (almost) the same
	// requests on this data, so the two cannot be told apart.
	SameAs []string `json:"same_as,omitempty"`
	// ExplainedBy names the cause that accounts for this one's apparent
	// effect.
	ExplainedBy string `json:"explained_by,omitempty"`
}

// Onset is the threshold of a cause, with its 95% interval.
type Onset struct {
	Metric string  `json:"metric"` // "threads", "in_flight", "token_age_s"
	Value  float64 `json:"value"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
}

// causeVerdict is what decide concluded about one cause across kinds,
// handed to its assess.
type causeVerdict struct {
	verdict Verdict
	// chosen are the decisions (kinds) that chose the cause, with the
	// marker chosen there; the first is where it took the most failures.
	chosen []*choice
	// attributed counts the failures put down to the cause.
	attributed int64
	explained  int64
	// sameAs and explainedBy name other causes (see Fit).
	sameAs      []string
	explainedBy string
	// proposed is the cause's marker on the first kind it was offered for,
	// before anything was taken away: its evidence when nothing chose it.
	proposed *Marker
	// pop is the population of that kind: where to describe the cause.
	pop *population
	fit *Fit
}

// ownPop is the population a cause is described on: the kind it took the
// most failures of, less what the other causes chosen there took (its
// threshold is estimated on the failures they do not explain); else the
// first kind it was offered for.
func (v *causeVerdict) ownPop(a *assessment) *population {
	if len(v.chosen) == 0 {
		return v.pop
	}
	c := v.chosen[0]
	var others []*Marker
	for _, o := range c.dec.chosen {
		if o != c {
			others = append(others, o.m)
		}
	}
	return c.dec.pop.without(others...)
}
