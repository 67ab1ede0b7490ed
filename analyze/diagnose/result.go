package diagnose

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Result is the JSON contract of `jtlscope diagnose --format json`.
type Result struct {
	// Partial is set when the run was interrupted: the result covers only
	// the samples read before it.
	Partial bool `json:"partial,omitempty"`
	// Samples are the samples read; Requests the requests among them (the
	// leaves of samples with sub-results).
	Samples  int64 `json:"samples"`
	Requests int64 `json:"requests"`
	Failures int64 `json:"failures"`
	// Criterion is what counts as a failure, e.g. "4xx".
	Criterion string           `json:"criterion"`
	Status    map[string]int64 `json:"status"`
	// Labels are the labels with failures; causes are judged on their
	// requests only.
	Labels []LabelFailures `json:"labels"`
	// Verdict is the plain-language answer, for people.
	Verdict string    `json:"verdict"`
	Causes  []Finding `json:"causes"`
	// NextSteps say what to record or which test to run to settle what
	// this data cannot.
	NextSteps []string                `json:"next_steps,omitempty"`
	Little    concurrency.LittleCheck `json:"littles_law"`
	Warnings  []string                `json:"warnings"`

	attribution []Attribution
}

// LabelFailures counts one label's requests and failures.
type LabelFailures struct {
	Label    string  `json:"label"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"`
}

// Attribution returns one row per failing request with the cause it is
// put down to, in the order they were read.
func (r *Result) Attribution() []Attribution { return r.attribution }

// Cause returns the finding for the named cause, or nil.
func (r *Result) Cause(name string) *Finding {
	for i := range r.Causes {
		if r.Causes[i].Cause == name {
			return &r.Causes[i]
		}
	}
	return nil
}

// assessment is what causes judge themselves from.
type assessment struct {
	table    *Table
	keep     func(Key) bool
	labels   []string
	groups   []string
	failures int64
	d0       float64
	has      samples.Fields
	noTimes  bool
	seed     uint64
	// window is the width of a time window of the table.
	window time.Duration
}

// explained counts the failures on kept requests that show marker.
func (a *assessment) explained(marker func(Key) bool) int64 {
	return a.table.Total(func(k Key) bool { return a.keep(k) && marker(k) }).Fail
}

func (a *assessment) share(n int64) float64 {
	if a.failures == 0 {
		return 0
	}
	return round3(float64(n) / float64(a.failures))
}

func newCauses(opts Options) []Cause {
	return []Cause{
		&concurrencyCause{seed: opts.Seed},
		newDuplicateID(opts.IDs),
		newTokenAge(),
		newMultipartCause(),
		newRateLimit(),
		threadGroupCause{},
		newErrorBody(),
	}
}

// Result judges every cause and returns the diagnosis. Call it once,
// after the last Add.
func (d *Diagnoser) Result() Result {
	res := Result{
		Samples:   d.samples,
		Requests:  d.requests,
		Criterion: d.opts.Status.String(),
		Status:    d.status,
		Warnings:  []string{},
	}
	// Causes are judged on the labels that fail: a limit on uploads says
	// nothing about the token requests around them.
	failing := map[int32]bool{}
	for l, c := range d.table.Marginal(dimLabel, nil) {
		if c.Fail > 0 {
			failing[l] = true
			res.Labels = append(res.Labels, LabelFailures{Label: redact.Text(d.labels[l]), Requests: c.N, Failures: c.Fail, Rate: round3(c.Rate())})
		}
		res.Failures += c.Fail
	}
	sort.Slice(res.Labels, func(i, j int) bool {
		if res.Labels[i].Failures != res.Labels[j].Failures {
			return res.Labels[i].Failures > res.Labels[j].Failures
		}
		return res.Labels[i].Label < res.Labels[j].Label
	})
	keep := func(k Key) bool { return failing[k[dimLabel]] }
	if res.Failures == 0 {
		// Nothing fails: describe every request, so the evidence still
		// says what was checked.
		keep = func(Key) bool { return true }
	}
	a := &assessment{
		table:    d.table,
		keep:     keep,
		labels:   d.labels,
		groups:   d.groups,
		failures: res.Failures,
		has:      d.has,
		noTimes:  d.requests > 0 && d.noStart == d.requests,
		window:   timeBin << d.timeShift,
		seed:     d.opts.Seed,
	}
	a.d0 = deviance(d.table, a.keep, nil)
	res.Little = d.little.Result()
	if d.noStart > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s without a timestamp were left out", count(d.noStart, "request")))
	}
	if d.threadShift > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("too many distinct thread counts to keep apart: failure rates are by groups of %d adjacent counts", 1<<d.threadShift))
	}
	// Causes judge themselves from the finished table, which they only
	// read, so they can do it at the same time: the onset fits of
	// concurrency and token age are the slow part of a diagnosis.
	fs := make([]Finding, len(d.causes))
	var wg sync.WaitGroup
	for i, c := range d.causes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fs[i] = c.assess(a)
		}()
	}
	wg.Wait()
	for i := range fs {
		if res.Failures == 0 && fs[i].Verdict != NotAssessable {
			fs[i].Verdict = Unlikely
		}
		// A mistyped --id must not pass for "no IDs were saved".
		if spec, ok := unmatchedID(&fs[i]); ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("--id %s matched no request", spec))
		}
	}
	res.Causes = rank(d.table, a.keep, fs)
	res.Verdict, res.NextSteps = verdictText(&res, a)
	res.attribution = d.attribute(res.Causes)
	return res
}

// attribute puts each failure down to the first cause, in rank order,
// that is likely or possible and whose marker the request shows.
func (d *Diagnoser) attribute(fs []Finding) []Attribution {
	out := make([]Attribution, 0, len(d.failures))
	for _, f := range d.failures {
		cause := Unexplained
		for i := range fs {
			c := &fs[i]
			if c.marker == nil || (c.Verdict != Likely && c.Verdict != Possible) {
				continue
			}
			if k := d.coarse(f.key); c.marker(k) {
				cause = c.Cause
				break
			}
		}
		out = append(out, Attribution{
			Source: d.sources[f.source],
			Line:   int(f.line),
			Label:  redact.Text(d.labels[f.label]),
			Start:  f.start,
			Code:   redact.Text(f.code),
			Cause:  cause,
		})
	}
	return out
}

// verdictText writes the answer a capacity-planning reader needs first:
// what failed, which cause explains it, what was ruled out and why, and
// what could not be checked.
func verdictText(res *Result, a *assessment) (string, []string) {
	var b strings.Builder
	var next []string
	if res.Requests == 0 {
		return "No requests to diagnose.", nil
	}
	if res.Failures == 0 {
		fmt.Fprintf(&b, "No failures: none of the %s matched %s.", count(res.Requests, "request"), res.Criterion)
		return b.String(), nil
	}
	var onLabels int64
	for _, l := range res.Labels {
		onLabels += l.Requests
	}
	what := "requests"
	if len(res.Labels) == 1 {
		what = strconv.Quote(res.Labels[0].Label) + " requests"
	}
	fmt.Fprintf(&b, "%s of %s %s failed with %s.", countNum(res.Failures), countNum(onLabels), what, statusPhrase(res.Status))
	var likely, possible, ruledOut, unknown []*Finding
	var idNote string
	for i := range res.Causes {
		f := &res.Causes[i]
		switch f.Verdict {
		case Likely:
			likely = append(likely, f)
		case Possible:
			possible = append(possible, f)
		case Unlikely:
			if f.Cause != "error-body" {
				ruledOut = append(ruledOut, f)
			}
		case NotAssessable:
			// Only what better data would settle is "not checked"; one
			// thread group is not missing data.
			if f.Missing != "" {
				unknown = append(unknown, f)
				next = append(next, fmt.Sprintf("To assess %s, %s.", f.Cause, f.Missing))
			}
			if spec, ok := unmatchedID(f); ok {
				// Not a lack of data: the location the user named is wrong,
				// and the causes that remain may be standing in for it.
				idNote = fmt.Sprintf(" Duplicate IDs were not checked: --id %s matched no request.", spec)
			}
		}
	}
	if eb := res.Cause("error-body"); eb != nil && eb.Verdict != NotAssessable {
		if ev, ok := eb.Evidence.(*ErrorBodyEvidence); ok && len(ev.Groups) > 0 {
			top := ev.Groups[0]
			if top.Failures == res.Failures && len(ev.NamesCause) == 0 {
				fmt.Fprintf(&b, " The server said only %q, which names no cause.", top.Message)
			} else {
				b.WriteString(" " + eb.Summary)
			}
		}
	}
	switch {
	case len(likely) > 0:
		top := likely[0]
		fmt.Fprintf(&b, " %s", top.Summary)
		if len(ruledOut) > 0 {
			b.WriteString(" Ruled out: " + ruledOutPhrase(ruledOut) + ".")
		}
		fmt.Fprintf(&b, " So the cause is %s: it accounts for %s of the failures.", causeTitle(top.Cause), pct(top.Share))
		for _, f := range likely[1:] {
			fmt.Fprintf(&b, " %s also explains %s: %s", causeTitle(f.Cause), pct(f.Share), f.Summary)
		}
		for _, f := range possible {
			if sameAs(top, f.Cause) {
				fmt.Fprintf(&b, " %s picks out the same requests: %s", capitalize(causeTitle(f.Cause)), f.Summary)
			}
		}
	case len(possible) > 0:
		b.WriteString(" No cause explains the failures on its own.")
		for _, f := range possible {
			fmt.Fprintf(&b, " Possible: %s. %s", causeTitle(f.Cause), f.Summary)
			if f.Fit != nil && len(f.Fit.SameAs) > 0 {
				fmt.Fprintf(&b, " It cannot be separated from %s with this data.", strings.Join(titles(f.Fit.SameAs), " and "))
				next = append(next, separatingTest(f.Cause, f.Fit.SameAs))
			}
		}
	default:
		b.WriteString(" None of the causes checked explains the failures.")
		if len(ruledOut) > 0 {
			b.WriteString(" Ruled out: " + ruledOutPhrase(ruledOut) + ".")
		}
	}
	if len(unknown) > 0 {
		var names []string
		for _, f := range unknown {
			names = append(names, causeTitle(f.Cause))
		}
		fmt.Fprintf(&b, " Not checked for lack of data: %s.", strings.Join(names, ", "))
	}
	b.WriteString(idNote)
	return b.String(), dedup(next)
}

// ruledOutPhrase lists why the unlikely causes were ruled out.
func ruledOutPhrase(fs []*Finding) string {
	var parts []string
	for _, f := range fs {
		reason := f.short
		if reason == "" {
			reason = firstSentence(f.Summary)
		}
		if f.Fit != nil && f.Fit.ExplainedBy != "" {
			reason = fmt.Sprintf("%s does not separate failures from successes after allowing for %s", causeNoun(f.Cause), causeTitle(f.Fit.ExplainedBy))
		}
		parts = append(parts, strings.TrimSuffix(lowerFirst(reason), "."))
	}
	return strings.Join(parts, "; ")
}

// firstSentence cuts s after its first sentence, so that a list of
// reasons stays readable.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// separatingTest proposes a run that would tell two causes apart.
func separatingTest(a string, others []string) string {
	pair := map[string]bool{a: true}
	for _, o := range others {
		pair[o] = true
	}
	switch {
	case pair["concurrency"] && pair["token-age"]:
		return "To separate concurrency from token age, hold the failing thread count (e.g. 60 threads) for 5 minutes with a token refreshed every minute, then run a few threads with one token for longer than the suspected lifetime."
	case pair["concurrency"] && pair["duplicate-id"]:
		return "To separate concurrency from duplicate IDs, rerun at the same thread count with IDs from ${__UUID()}, then at low concurrency with IDs deliberately reused."
	case pair["token-age"] && pair["duplicate-id"]:
		return "To separate token age from duplicate IDs, rerun with fresh IDs per request (${__UUID()}) and the same token policy."
	}
	return fmt.Sprintf("To separate %s from %s, rerun changing only one of them.", causeTitle(a), strings.Join(titles(others), " and "))
}

var causeTitles = map[string]string{
	"concurrency":        "a concurrency limit",
	"duplicate-id":       "duplicate IDs",
	"token-age":          "token age",
	"multipart-boundary": "a malformed multipart body",
	"rate-limit":         "rate limiting",
	"thread-group":       "one thread group's settings",
	"error-body":         "the error bodies",
}

func causeTitle(c string) string {
	if t, ok := causeTitles[c]; ok {
		return t
	}
	return c
}

// causeNoun names what a cause measures, as the subject of a sentence.
func causeNoun(c string) string {
	switch c {
	case "concurrency":
		return "concurrency"
	case "token-age":
		return "token age"
	case "duplicate-id":
		return "ID reuse"
	case "multipart-boundary":
		return "the multipart anomaly"
	case "rate-limit":
		return "rate limiting"
	case "thread-group":
		return "the thread group"
	}
	return c
}

func titles(cs []string) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = causeTitle(c)
	}
	return out
}

func statusPhrase(st map[string]int64) string {
	keys := sortedKeys(st)
	sort.SliceStable(keys, func(i, j int) bool { return st[keys[i]] > st[keys[j]] })
	if len(keys) == 1 {
		return redact.Text(keys[0])
	}
	var parts []string
	for i, k := range keys {
		if i == 4 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", redact.Text(k), countNum(st[k])))
	}
	return strings.Join(parts, ", ")
}

// count writes "1 request" or "3,594 requests".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return countNum(n) + " " + noun + "s"
}

func countNum(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// pct writes a share as a percentage a reader takes in at a glance: 0%,
// 0.4%, 12%, 100%.
func pct(x float64) string {
	p := 100 * x
	switch {
	case p == 0:
		return "0%"
	case p < 1:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p > 99 && p < 100:
		return strconv.FormatFloat(math.Floor(p*10)/10, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// naturalRate writes a rate with its counts: "75% (690 of 918)".
func naturalRate(c Counts) string {
	return fmt.Sprintf("%s (%s of %s)", pct(c.Rate()), countNum(c.Fail), countNum(c.N))
}

// lowerFirst lowers the first letter unless the word is an acronym
// ("IDs", "HTTP").
func lowerFirst(s string) string {
	if s == "" || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func dedup(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
