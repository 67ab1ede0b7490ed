package diagnose

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// verdictText writes the answer a capacity-planning reader needs first:
// what failed, by kind; which causes explain how many of the failures;
// what was ruled out and why; what could not be checked.
func verdictText(res *Result, a *assessment) (string, []string) {
	var b strings.Builder
	var next []string
	if res.Requests == 0 {
		return "No requests to diagnose.", nil
	}
	if res.Failures == 0 && res.UntimedFailures > 0 {
		// Never "No failures" over failures that only lack a time.
		fmt.Fprintf(&b, "%s of the %s without a timestamp failed, and could not be diagnosed: every cause is judged over time (requests in flight, token age, IDs in use together).",
			countNum(res.UntimedFailures), count(res.Untimed, "request"))
		if res.Untimed == res.Requests {
			b.WriteString(" No request has a timestamp: save them (jmeter.save.saveservice.timestamp_format=ms) to have the failures diagnosed; summary counts them by label and code meanwhile.")
		} else {
			fmt.Fprintf(&b, " None of the %s with a timestamp failed.", count(res.Requests-res.Untimed, "request"))
		}
		return b.String(), nil
	}
	if res.Failures == 0 {
		if a.kinds.count() > 0 || res.Criterion == "failed" {
			fmt.Fprintf(&b, "No failures: all %s succeeded.", count(res.Requests, "request"))
		} else {
			fmt.Fprintf(&b, "No failures: none of the %s failed with %s.", count(res.Requests, "request"), res.Criterion)
		}
		return b.String(), nil
	}
	groups := errorGroups(res)
	b.WriteString(whatFailed(res, groups))
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
			// A place (a thread group) is no mechanism to rule out: where a
			// chosen cause's requests came from, its summary says.
			if f.Cause != "error-body" && f.Cause != "thread-group" && (f.short != "" || f.Fit != nil && f.Fit.ExplainedBy != "") {
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
	b.WriteString(serverSaid(res, groups))
	switch {
	case len(likely) == 1 && likely[0].Share >= 0.9:
		f := likely[0]
		fmt.Fprintf(&b, " The cause is %s", causeTitle(f.Cause))
		if f.detail != "" {
			fmt.Fprintf(&b, " (%s)", f.detail)
		}
		fmt.Fprintf(&b, ": it accounts for %s of the failures (%s). %s", countNum(f.Attributed), pct(f.Share), f.Summary)
	case len(likely) == 1:
		f := likely[0]
		fmt.Fprintf(&b, " One cause found: %s", causeTitle(f.Cause))
		if f.detail != "" {
			fmt.Fprintf(&b, " (%s)", f.detail)
		}
		fmt.Fprintf(&b, " %s %s of the failures (%s). %s", explainVerb(f.Cause), countNum(f.Attributed), pct(f.Share), f.Summary)
	case len(likely) > 1:
		fmt.Fprintf(&b, " %d causes: ", len(likely))
		var parts []string
		for i, f := range likely {
			p := fmt.Sprintf("%s %s %s", causeTitle(f.Cause), explainVerb(f.Cause), count(f.Attributed, "failure"))
			if i > 0 {
				p = fmt.Sprintf("%s %s", causeTitle(f.Cause), countNum(f.Attributed))
			}
			if f.detail != "" {
				p += " (" + f.detail + ")"
			}
			parts = append(parts, p)
		}
		b.WriteString(strings.Join(parts, ", ") + ".")
		for _, f := range likely {
			fmt.Fprintf(&b, " %s: %s", capitalize(causeTitle(f.Cause)), lowerFirst(f.Summary))
		}
	}
	for _, f := range possible {
		same := sameAsOf(f)
		switch {
		case len(same) > 0 && len(likely) > 0 && containsAny(same, names(likely)):
			fmt.Fprintf(&b, " %s picks out the same requests as %s, so the data cannot tell them apart: %s", capitalize(causeTitle(f.Cause)), strings.Join(titles(same), " and "), f.Summary)
		default:
			fmt.Fprintf(&b, " Possible: %s", causeTitle(f.Cause))
			if f.Attributed > 0 {
				fmt.Fprintf(&b, " (%s)", count(f.Attributed, "failure"))
			}
			fmt.Fprintf(&b, ". %s", f.Summary)
			if len(same) > 0 {
				fmt.Fprintf(&b, " It cannot be separated from %s with this data.", strings.Join(titles(same), " and "))
				next = append(next, separatingTest(f.Cause, same))
			}
		}
	}
	for _, k := range res.Kinds {
		if k.Unexplained*2 >= k.Failures {
			if hint := statusHint(k); hint != "" {
				next = append(next, hint)
			}
		}
	}
	switch {
	case len(likely)+len(possible) == 0:
		b.WriteString(" None of the causes checked explains the failures.")
	case res.Unexplained > 0:
		fmt.Fprintf(&b, " %s unexplained.", unexplainedPhrase(res.Unexplained))
	}
	if len(ruledOut) > 0 {
		b.WriteString(" Ruled out: " + ruledOutPhrase(ruledOut) + ".")
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

func unexplainedPhrase(n int64) string {
	if n == 1 {
		return "1 failure is"
	}
	return countNum(n) + " failures are"
}

func names(fs []*Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Cause
	}
	return out
}

func containsAny(ss, of []string) bool {
	for _, s := range of {
		if contains(ss, s) {
			return true
		}
	}
	return false
}

// errorGroups are what the server (or an assertion) said, most first.
func errorGroups(res *Result) []ErrorBodyGroup {
	if eb := res.Cause("error-body"); eb != nil {
		if ev, ok := eb.Evidence.(*ErrorBodyEvidence); ok {
			return ev.Groups
		}
	}
	return nil
}

// serverSaid quotes what the server answered the failures with an HTTP
// error status: a client's own message (a timeout, an assertion) is not
// the server's word.
func serverSaid(res *Result, groups []ErrorBodyGroup) string {
	var httpFailures int64
	for _, k := range res.Kinds {
		if k.Class == Class4xx || k.Class == Class5xx {
			httpFailures += k.Failures
		}
	}
	for _, g := range groups {
		st := samplesStatus(g.Status)
		if st < 400 || g.Message == "" || g.Message == otherMessages || g.From != fromBody && g.From != fromResponse {
			continue
		}
		if reasonOnly(g, st) {
			// Only the reason phrase (a CSV keeps no body): the status
			// already said it.
			return ""
		}
		said := strconv.Quote(g.Message)
		if g.Sample != "" {
			said += " (for example " + strconv.Quote(g.Sample) + ")"
		}
		if g.Failures == httpFailures && !namesCause(g.Message) {
			return fmt.Sprintf(" The server said only %s, which names no cause.", said)
		}
		return fmt.Sprintf(" The server said %s for %s of the %s failures with an HTTP error status.", said, countNum(g.Failures), countNum(httpFailures))
	}
	return ""
}

// reasonOnly reports whether a message only repeats the status: "Bad
// Request", "403 Forbidden", "HTTP/1.1 <n> Not Found".
func reasonOnly(g ErrorBodyGroup, st int) bool {
	m := strings.TrimSpace(g.Message)
	if g.Sample != "" {
		m = strings.TrimSpace(g.Sample)
	}
	m = strings.TrimPrefix(m, "HTTP/1.1 ")
	m = strings.TrimSpace(strings.TrimPrefix(m, strconv.Itoa(st)))
	return strings.EqualFold(m, http.StatusText(st))
}

func namesCause(msg string) bool {
	for _, re := range hintPatterns {
		if re.MatchString(msg) {
			return true
		}
	}
	return false
}

func samplesStatus(code string) int {
	n, err := strconv.Atoi(code)
	if err != nil || len(code) != 3 {
		return 0
	}
	return n
}

// whatFailed is the verdict's first sentence: how many requests failed,
// on which labels, and how, by kind.
func whatFailed(res *Result, groups []ErrorBodyGroup) string {
	var onLabels int64
	for _, l := range res.Labels {
		onLabels += l.Requests
	}
	what := "requests"
	if len(res.Labels) == 1 {
		what = strconv.Quote(res.Labels[0].Label) + " requests"
	} else if onLabels < res.Requests {
		what = fmt.Sprintf("requests on %d labels", len(res.Labels))
	}
	if onLabels < res.Requests {
		// Say what the count is out of: the failing labels' requests are
		// not the whole run.
		what += fmt.Sprintf(" (%s in all)", count(res.Requests, "request"))
	}
	if len(res.Kinds) == 1 {
		k := res.Kinds[0]
		s := fmt.Sprintf("%s of %s %s failed", countNum(res.Failures), countNum(onLabels), what)
		switch k.Class {
		case Class4xx, Class5xx:
			s += " with " + kindNoun(k, groups)
		default:
			s += ": " + kindCount(k, groups)
		}
		if m := modesPhrase(k); m != "" {
			s += ": " + m
		}
		return s + "."
	}
	var kinds []string
	for i, k := range res.Kinds {
		if i == 5 {
			kinds = append(kinds, fmt.Sprintf("%s of other kinds", countNum(otherKinds(res.Kinds[i:]))))
			break
		}
		s := kindCount(k, groups)
		if m := modesPhrase(k); m != "" {
			s += " (" + m + ")"
		}
		kinds = append(kinds, s)
	}
	return fmt.Sprintf("%s of %s %s failed: %s.", countNum(res.Failures), countNum(onLabels), what, join(kinds))
}

// kindCount writes a kind's failures with their count: "139 with 401
// Unauthorized", "93 read timeouts (SocketTimeoutException)".
func kindCount(k KindResult, groups []ErrorBodyGroup) string {
	switch k.Class {
	case Class4xx, Class5xx:
		return countNum(k.Failures) + " with " + kindNoun(k, groups)
	case ClassNonHTTP:
		noun := k.Description
		if k.Failures != 1 {
			noun = pluralize(noun)
		}
		return countNum(k.Failures) + " " + noun + exceptionsNote(k)
	case ClassAssertion:
		s := count(k.Failures, "failed assertion")
		for _, g := range groups {
			if g.Kind == k.Kind && 2*g.Failures >= k.Failures {
				s += fmt.Sprintf(" (%q)", g.Message)
				break
			}
		}
		return s
	}
	return countNum(k.Failures) + " " + kindNoun(k, groups)
}

func pluralize(s string) string {
	switch {
	case strings.HasSuffix(s, "error"), strings.HasSuffix(s, "timeout"), strings.HasSuffix(s, "host"):
		return s + "s"
	case s == "no response":
		return "requests without a response"
	}
	return s
}

func exceptionsNote(k KindResult) string {
	names := map[string]int64{}
	for _, c := range k.Codes {
		names[c.Code] = c.Count
	}
	var ex []string
	for _, name := range exceptionNames(names) {
		if !strings.EqualFold(name, k.Description) {
			ex = append(ex, name)
		}
	}
	if len(ex) > 0 {
		return " (" + strings.Join(ex, ", ") + ")"
	}
	return ""
}

// explainVerb agrees with the cause's title: "duplicate IDs explain",
// "token age explains".
func explainVerb(cause string) string {
	switch cause {
	case "duplicate-id", "client-timeout", "connection", "error-body":
		return "explain"
	}
	return "explains"
}

// modesPhrase describes a kind's two response-time modes: "3,668
// answered within 15 ms, 793 after 1.2 s or more".
func modesPhrase(k KindResult) string {
	if len(k.Modes) != 2 {
		return ""
	}
	var ms []string
	for _, m := range k.Modes {
		if m.Mode == "fast" {
			ms = append(ms, fmt.Sprintf("%s answered within %s", countNum(m.Failures), fmtMS(m.ElapsedMS.Max)))
		} else {
			ms = append(ms, fmt.Sprintf("%s after %s or more", countNum(m.Failures), fmtMS(m.ElapsedMS.Min)))
		}
	}
	return strings.Join(ms, ", ")
}

func otherKinds(ks []KindResult) int64 {
	var n int64
	for _, k := range ks {
		n += k.Failures
	}
	return n
}

// kindNoun names a kind's failures in a sentence: "400", "read
// timeouts (SocketTimeoutException)", "failed assertions".
func kindNoun(k KindResult, groups []ErrorBodyGroup) string {
	switch k.Class {
	case Class4xx, Class5xx:
		if t := http.StatusText(samplesStatus(k.Kind)); t != "" {
			return k.Description + " " + t
		}
		return k.Description
	case ClassNonHTTP:
		return k.Description + exceptionsNote(k)
	case ClassAssertion:
		// Say what the assertion said when one message covers most.
		for _, g := range groups {
			if g.Kind == k.Kind && 2*g.Failures >= k.Failures {
				return fmt.Sprintf("a failed assertion (%q)", g.Message)
			}
		}
		return "a failed assertion"
	}
	if len(k.Codes) > 0 {
		return redact.Text(k.Codes[0].Code)
	}
	return k.Description
}

// ruledOutPhrase lists why the unlikely causes were ruled out.
func ruledOutPhrase(fs []*Finding) string {
	sort.SliceStable(fs, func(i, j int) bool { return specificity[fs[i].Cause] > specificity[fs[j].Cause] })
	var parts []string
	for _, f := range fs {
		reason := f.short
		if reason == "" {
			reason = firstSentence(f.Summary)
		}
		if f.Fit != nil && f.Fit.ExplainedBy != "" {
			reason = fmt.Sprintf("%s adds nothing beyond %s", causeNoun(f.Cause), causeTitle(f.Fit.ExplainedBy))
		}
		parts = append(parts, strings.TrimSuffix(lowerFirst(reason), "."))
	}
	return strings.Join(parts, "; ")
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

// statusHint says what an HTTP status no cause explains usually means,
// and where to look: the status itself is the server's word.
func statusHint(k KindResult) string {
	st := samplesStatus(k.Kind)
	switch {
	case st == 401 || st == 403:
		return fmt.Sprintf("The %s %s are the server refusing the credentials: check the login or token step and what its extractor sends.", k.Kind, http.StatusText(st))
	case st == 404 || st == 410:
		return fmt.Sprintf("The %s %s are requests for URLs the server does not have: a wrong path, or an ID taken from an earlier step that failed.", k.Kind, http.StatusText(st))
	case st == 413:
		return "The 413s are bodies larger than the server accepts."
	case st == 502 || st == 503 || st == 504:
		return fmt.Sprintf("The %s %s come from the server or a gateway in front of it being unavailable or too slow: look at its logs, its capacity and the gateway's timeouts.", k.Kind, http.StatusText(st))
	case st >= 500:
		return fmt.Sprintf("The %s %s are errors inside the server: its logs name the exception.", k.Kind, http.StatusText(st))
	}
	return ""
}
