package ids

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A Spec names one location to take IDs from, overriding auto-detection:
//
//	header:NAME   a request header (any case)
//	form:NAME     a multipart or urlencoded form field; form:NAME.PATH for
//	              a JSON leaf inside a form field
//	json:PATH     a JSON body leaf, keys joined by "." and arrays as "[]"
//	              ("json:metadata.id", "json:items[].id"; a leading "$."
//	              is accepted)
//	var:NAME      a JMeter sample variable
//	query:NAME    a URL query parameter
//	path:N        the N-th URL path segment, 0 being the first after the host
//	regex:PATTERN the first capture group of PATTERN, tried on the URL, then
//	              on each header line ("Name: value"), then on the body
type Spec struct {
	Kind  string // "header", "form", "json", "var", "query", "path" or "regex"
	Name  string // header names are lower case; a path index as written
	Index int    // for path
	re    *regexp.Regexp
}

// kinds are the spec and location kinds, in the order a representative of
// a logical ID is chosen: what was on the wire first, JMeter's own
// variable last.
var kinds = []string{"header", "form", "json", "query", "path", "regex", "var"}

// The ranks of kinds, for the hot paths that know the kind they mean.
const (
	kindHeader = iota
	kindForm
	kindJSON
	kindQuery
	kindPath
	kindRegex
	kindVar
)

func kindRank(kind string) int {
	switch kind {
	case "header":
		return kindHeader
	case "form":
		return kindForm
	case "json":
		return kindJSON
	case "query":
		return kindQuery
	case "path":
		return kindPath
	case "regex":
		return kindRegex
	case "var":
		return kindVar
	}
	return len(kinds)
}

// ParseSpec parses one location spec such as "header:x-request-id".
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, fmt.Errorf("empty ID location: want KIND:NAME, KIND one of %s", kindList())
	}
	kind, name, ok := strings.Cut(s, ":")
	if !ok {
		return Spec{}, fmt.Errorf("ID location %q: want KIND:NAME, KIND one of %s", s, kindList())
	}
	kind = strings.ToLower(strings.TrimSpace(kind))
	if kindRank(kind) == len(kinds) {
		return Spec{}, fmt.Errorf("ID location %q: unknown kind %q, want one of %s", s, kind, kindList())
	}
	if kind != "regex" {
		name = strings.TrimSpace(name)
	}
	if name == "" {
		return Spec{}, fmt.Errorf("ID location %q: nothing after %q", s, kind+":")
	}
	sp := Spec{Kind: kind, Name: name}
	switch kind {
	case "header":
		sp.Name = strings.ToLower(name)
	case "json":
		sp.Name = strings.TrimPrefix(strings.TrimPrefix(name, "$"), ".")
		if sp.Name == "" || strings.Contains(sp.Name, "..") || strings.HasSuffix(sp.Name, ".") {
			return Spec{}, fmt.Errorf("ID location %q: want a JSON path such as json:metadata.id or json:items[].id", s)
		}
	case "path":
		n, err := strconv.Atoi(name)
		if err != nil || n < 0 {
			return Spec{}, fmt.Errorf("ID location %q: path wants a segment index, 0 being the first segment after the host", s)
		}
		sp.Index, sp.Name = n, strconv.Itoa(n)
	case "regex":
		re, err := regexp.Compile(name)
		if err != nil {
			return Spec{}, fmt.Errorf("ID location %q: %v", s, err)
		}
		if re.NumSubexp() < 1 {
			return Spec{}, fmt.Errorf("ID location %q: the pattern needs a capture group around the ID, e.g. regex:id=([0-9a-f-]+)", s)
		}
		sp.re = re
	}
	return sp, nil
}

// ParseSpecs parses each of list, stopping at the first error.
func ParseSpecs(list []string) ([]Spec, error) {
	out := make([]Spec, 0, len(list))
	for _, s := range list {
		sp, err := ParseSpec(s)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// String is the location the spec selects, in the form locations are
// reported: "header:x-request-id", "path:4", "regex:id=(\d+)".
func (sp Spec) String() string { return sp.Kind + ":" + sp.Name }

// Matches reports whether the spec selects the location loc.
func (sp Spec) Matches(loc string) bool {
	if sp.Kind == "header" {
		// Locations are built lower case, but a caller may pass its own.
		return len(loc) == len("header:")+len(sp.Name) && strings.HasPrefix(loc, "header:") &&
			strings.EqualFold(loc[len("header:"):], sp.Name)
	}
	return len(loc) == len(sp.Kind)+1+len(sp.Name) && strings.HasPrefix(loc, sp.Kind) &&
		loc[len(sp.Kind)] == ':' && loc[len(sp.Kind)+1:] == sp.Name
}

func kindList() string {
	return "header, form, json, var, query, path, regex"
}

// locKind returns the kind of a location string.
func locKind(loc string) string {
	k, _, _ := strings.Cut(loc, ":")
	return k
}
