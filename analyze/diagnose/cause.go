package diagnose

import (
	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/samples"
)

// A Cause is one candidate explanation of the failures. To add one,
// implement it in this package and list it in newCauses.
type Cause interface {
	// Name is the stable machine name: "concurrency", "duplicate-id", ...
	Name() string
	// setup registers the features the cause adds to every request's key.
	setup(t *Table)
	// observe looks at one request (in start order) and writes its
	// features into k.
	observe(r *samples.Sample, rc *request, k *Key)
	// assess judges the cause from the table after the pass.
	assess(a *assessment) Finding
}

// request is what every cause may know about the request being observed.
type request struct {
	failed bool
	status int
	level  concurrency.Level
	label  int32
	group  int32
	// offset is the request's start relative to the first request.
	offsetMS int64
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
	// Explained is how many failures the cause accounts for: those whose
	// request shows the cause's marker (above the onset, a reused ID, an
	// anomalous body, ...).
	Explained int64   `json:"explained"`
	Share     float64 `json:"share"`
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
	// noun names the cause in a verdict: "recording IDs", "token age".
	// marker tells whether a request (by its key) shows the cause. Nil for
	// causes that explain no individual failure.
	marker func(Key) bool
	// stratum names the level of the cause's factor a key belongs to, fine
	// enough to control for it when judging another cause.
	stratum func(Key) string
	// mechanism causes name what was wrong with the request itself; when a
	// mechanism and a "where" (a thread group) describe the same requests,
	// the mechanism ranks first.
	mechanism bool
}

// Fit measures, as shares of the null deviance, how much of the failure
// pattern a cause's marker accounts for. Alone is the marker by itself;
// Unique is what it adds once every other cause's marker is known. A
// cause with a high Alone and a near-zero Unique is explained by another.
type Fit struct {
	Alone  float64 `json:"alone"`
	Unique float64 `json:"unique"`
	// SameAs names causes whose markers pick out (almost) the same requests
	// on this data, so the two cannot be told apart.
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
