package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSubResultsFlag: by default a sample with embedded resources counts
// once in every command; --subresults counts its three resources too.
// --help states the rule.
func TestSubResultsFlag(t *testing.T) {
	const file = "../../samples/testdata/public/jtl-xml/Blazemeter__taurus__tests__resources__jmeter__jtl__embedded_resources__error_ed.jtl"
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 1},
		{[]string{"--subresults"}, 4},
	} {
		out, errOut, code := jtlscope(t, "", append([]string{"summary", "--format", "json", file}, c.args...)...)
		var sum struct{ Samples int }
		if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Samples != c.want {
			t.Errorf("summary %v: exit %d, %d samples, want %d: %s", c.args, code, sum.Samples, c.want, errOut)
		}
		out, errOut, code = jtlscope(t, "", append([]string{"diagnose", "--format", "json", "--status", "failed", file}, c.args...)...)
		var dg struct{ Requests int }
		if code != 0 || json.Unmarshal([]byte(out), &dg) != nil || dg.Requests != c.want {
			t.Errorf("diagnose %v: exit %d, %d requests, want %d: %s", c.args, code, dg.Requests, c.want, errOut)
		}
	}
	help, _, _ := jtlscope(t, "", "--help")
	for _, s := range []string{"--subresults", "Transaction", "counts them as requests too"} {
		if !strings.Contains(help, s) {
			t.Errorf("--help does not say %q", s)
		}
	}
}
