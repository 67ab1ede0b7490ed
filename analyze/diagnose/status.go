package diagnose

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// A StatusFilter says which samples count as failures. The zero value
// means every 4xx, the default: a load test's 400s are what jtlscope is
// for, and 5xx and timeouts usually have other stories.
type StatusFilter struct {
	spec  string
	exact map[int]bool
	class map[int]bool // 4 for 4xx
	any   bool         // every unsuccessful sample, non-HTTP errors included
}

// ParseStatus reads a comma-separated list of codes and classes: "400",
// "4xx", "4xx,5xx", "429", or "failed" for every unsuccessful sample.
func ParseStatus(spec string) (StatusFilter, error) {
	f := StatusFilter{spec: spec, exact: map[int]bool{}, class: map[int]bool{}}
	if strings.TrimSpace(spec) == "" {
		return StatusFilter{}, nil
	}
	for _, p := range strings.Split(spec, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "failed" || p == "all":
			f.any = true
		case len(p) == 3 && strings.HasSuffix(p, "xx") && p[0] >= '1' && p[0] <= '5':
			f.class[int(p[0]-'0')] = true
		default:
			n, err := strconv.Atoi(p)
			if err != nil || n < 100 || n > 599 {
				return StatusFilter{}, fmt.Errorf("status %q: want a code like 400, a class like 4xx, or failed", p)
			}
			f.exact[n] = true
		}
	}
	return f, nil
}

// String is the filter as given, "4xx" by default.
func (f StatusFilter) String() string {
	if f.spec == "" {
		return "4xx"
	}
	return f.spec
}

// Failed reports whether s counts as a failure.
func (f StatusFilter) Failed(s *samples.Sample) bool {
	st := s.Status()
	if f.spec == "" {
		return st >= 400 && st < 500
	}
	if f.any && !s.Success {
		return true
	}
	return f.exact[st] || (st > 0 && f.class[st/100])
}
