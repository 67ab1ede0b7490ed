package analyze

import (
	"regexp"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

func TestFilter(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(sec int, label string, kind samples.Kind, children ...samples.Sample) samples.Sample {
		return samples.Sample{Start: t0.Add(time.Duration(sec) * time.Second), Label: label, Kind: kind, Children: children, Has: samples.FieldStart}
	}
	run := []samples.Sample{
		at(0, "login", samples.KindHTTP), at(30, "home", samples.KindHTTP), at(61, "upload", samples.KindHTTP),
		at(62, "TC", samples.KindTransaction, at(62, "upload", samples.KindHTTP), at(63, "home", samples.KindHTTP)),
		at(90, "upload", samples.KindHTTP), {Label: "upload"}, // no start time
	}
	labels := func(o FilterOptions) []string {
		f := NewFilter(&sliceSource{ss: run}, o)
		var out []string
		for f.Scan() {
			out = append(out, f.Sample().Label)
		}
		return out
	}
	cases := []struct {
		o    FilterOptions
		want []string
	}{
		{FilterOptions{From: Bound{Offset: 60 * time.Second, Relative: true}}, []string{"upload", "TC", "upload"}},
		{FilterOptions{To: Bound{At: t0.Add(61 * time.Second)}}, []string{"login", "home"}},
		{FilterOptions{Label: regexp.MustCompile("^up")}, []string{"upload", "upload", "upload"}},
		{FilterOptions{ExcludeLabel: regexp.MustCompile("o")}, []string{"TC"}},
		{FilterOptions{Only: "transactions"}, []string{"TC"}},
		{FilterOptions{Only: "requests"}, []string{"login", "home", "upload", "upload", "home", "upload", "upload"}},
		{FilterOptions{Only: "requests", Label: regexp.MustCompile("home")}, []string{"home", "home"}},
	}
	for _, c := range cases {
		got := labels(c.o)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.o, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.o, got, c.want)
				break
			}
		}
	}
	f := NewFilter(&sliceSource{ss: run}, FilterOptions{From: Bound{Offset: time.Minute, Relative: true}})
	for f.Scan() {
	}
	if s := f.Summary(); s != "filter: from +1m0s: 3 of 6 samples kept (offsets from the first sample, 2023-11-14 22:13:20 UTC); 1 samples without a timestamp left out by the time window" {
		t.Errorf("summary %q", s)
	}
	if group(1234567) != "1,234,567" || group(999) != "999" {
		t.Error(group(1234567))
	}
}
