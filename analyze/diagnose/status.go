package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// A StatusFilter says which failing samples to explain. A sample fails
// when its source says so (JMeter's success=false, a HAR status of 400 or
// more, or none); the zero value explains every failing sample, split by
// kind. A filter only narrows that set: a 400 that the test plan accepted
// (success=true) is not a failure whatever the filter.
type StatusFilter struct {
	spec      string
	exact     map[int]bool
	class     map[int]bool // 4 for 4xx
	nonHTTP   bool
	assertion bool
	any       bool
}

// ParseStatus reads a comma-separated list of codes and classes: "400",
// "4xx", "4xx,5xx", "429", "non-http", "assertion", or "failed" (the
// default) for every failing sample.
func ParseStatus(spec string) (StatusFilter, error) {
	f := StatusFilter{spec: strings.TrimSpace(spec), exact: map[int]bool{}, class: map[int]bool{}}
	if f.spec == "" {
		return StatusFilter{}, nil
	}
	for _, p := range strings.Split(spec, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "failed" || p == "all":
			f.any = true
		case p == "non-http" || p == "nonhttp":
			f.nonHTTP = true
		case p == "assertion" || p == "assertions":
			f.assertion = true
		case len(p) == 3 && strings.HasSuffix(p, "xx") && p[0] >= '1' && p[0] <= '5':
			f.class[int(p[0]-'0')] = true
		default:
			n, err := strconv.Atoi(p)
			if err != nil || n < 100 || n > 599 {
				return StatusFilter{}, fmt.Errorf("status %q: want a code like 400, a class like 4xx, non-http, assertion, or failed", p)
			}
			f.exact[n] = true
		}
	}
	if f.any {
		return StatusFilter{spec: f.spec}, nil
	}
	return f, nil
}

// StatusValues are the words --status completes to.
var StatusValues = []string{"failed", "4xx", "5xx", "400", "429", "500", "non-http", "assertion"}

// String is the filter as given, "failed" by default.
func (f StatusFilter) String() string {
	if f.spec == "" {
		return "failed"
	}
	return f.spec
}

// All reports whether the filter keeps every failing sample.
func (f StatusFilter) All() bool {
	return f.spec == "" || (len(f.exact) == 0 && len(f.class) == 0 && !f.nonHTTP && !f.assertion)
}

// isFailure reports whether the source marks s as failed. A source
// without a success flag (rare) falls back on the status.
func (f StatusFilter) isFailure(s *samples.Sample) bool {
	if s.Has&samples.FieldSuccess != 0 {
		return !s.Success
	}
	st := s.Status()
	return st >= 400 || (st == 0 && isNonHTTP(s.Code))
}

// selects reports whether a failing s is one the filter asks about.
func (f StatusFilter) selects(s *samples.Sample) bool {
	if f.All() {
		return true
	}
	st := s.Status()
	switch {
	case f.exact[st], st > 0 && f.class[st/100]:
		return true
	case f.nonHTTP && st == 0 && isNonHTTP(s.Code):
		return true
	case f.assertion && st > 0 && st < 400 && hasFailedAssertion(s):
		return true
	}
	return false
}

// Failed reports whether s counts as a failure the filter selects.
func (f StatusFilter) Failed(s *samples.Sample) bool { return f.isFailure(s) && f.selects(s) }
