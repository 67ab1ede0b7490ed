package redact

import (
	"strings"
	"testing"
	"time"
)

type evidence interface{ kind() string }

type multipartEvidence struct {
	Examples []struct{ Label string }
}

func (*multipartEvidence) kind() string { return "multipart" }

type valueEvidence struct{ Detail string }

func (valueEvidence) kind() string { return "value" }

type result struct {
	Label    string
	Codes    map[string]int64
	Causes   []finding
	Ptr      *finding
	When     time.Time
	Numbers  []float64
	Warnings []string
	hidden   string
}

type finding struct {
	Summary  string
	Evidence evidence
}

// Every string a result holds is masked, wherever it sits: nested in
// slices, behind interfaces and pointers, as a map key.
func TestStringsReachesEveryField(t *testing.T) {
	const s = "Zq9sEcReTvAl7x2W"
	me := &multipartEvidence{Examples: []struct{ Label string }{{"GET /x?token=" + s}}}
	r := result{
		Label:    "GET /x?api_key=" + s,
		Codes:    map[string]int64{"200": 3, "401 token=" + s: 1, "401 token=" + s + "x": 2},
		Causes:   []finding{{Summary: "password: " + s, Evidence: me}, {Evidence: valueEvidence{"Bearer " + s}}},
		Ptr:      &finding{Summary: "https://u:" + s + "@h/"},
		Warnings: []string{"x.csv:3: \"secret=" + s + "\" is not a number"},
		Numbers:  []float64{1, 2},
		hidden:   "kept",
	}
	Strings(&r)
	var all []string
	all = append(all, r.Label, r.Causes[0].Summary, r.Ptr.Summary, r.Warnings[0], me.Examples[0].Label,
		r.Causes[1].Evidence.(valueEvidence).Detail)
	for k := range r.Codes {
		all = append(all, k)
	}
	for _, v := range all {
		if strings.Contains(v, s) {
			t.Errorf("%q still holds the secret", v)
		}
	}
	if len(r.Codes) != 3 || r.Codes["200"] != 3 {
		t.Errorf("codes %v", r.Codes)
	}
	if r.hidden != "kept" || r.Numbers[1] != 2 {
		t.Errorf("other fields changed")
	}
	// Keys that meet once masked are merged, counts added.
	m := map[string]int{"token=" + s: 1, "token=" + s + " ": 2}
	Strings(&m)
	total := 0
	for _, n := range m {
		total += n
	}
	if total != 3 {
		t.Errorf("merged counts %v", m)
	}
}
