package samples

import (
	"strings"
	"testing"
)

// TestCountingRule: a sampler counts once with its sub-results; a
// transaction is not a request, the samplers inside it are, through nested
// transactions; SubResults lists exactly what Requests folds into parents.
func TestCountingRule(t *testing.T) {
	s := Sample{Label: "tc", Kind: KindTransaction, Children: []Sample{
		{Label: "a", Kind: KindHTTP, Children: []Sample{
			{Label: "a-0", Kind: KindHTTP},
			{Label: "a-1", Kind: KindHTTP, Children: []Sample{{Label: "a-1-0"}}},
		}},
		{Label: "parallel", Kind: KindTransaction, Children: []Sample{
			{Label: "b", Kind: KindHTTP},
			{Label: "c", Kind: KindSample, Children: []Sample{{Label: "c-0"}}},
		}},
		{Label: "empty", Kind: KindTransaction},
	}}
	var reqs, subs, txs []string
	s.Requests(func(r *Sample) { reqs = append(reqs, r.Label) })
	s.SubResults(func(r *Sample) { subs = append(subs, r.Label) })
	s.Transactions(func(r *Sample) { txs = append(txs, r.Label) })
	for _, c := range []struct {
		what string
		got  []string
		want string
	}{
		{"Requests", reqs, "a,b,c"},
		{"SubResults", subs, "a-0,a-1,a-1-0,c-0"},
		{"Transactions", txs, "tc,parallel,empty"},
	} {
		if strings.Join(c.got, ",") != c.want {
			t.Errorf("%s = %v, want %s", c.what, c.got, c.want)
		}
	}
	// Every sample is exactly one of: a transaction, a request, a sub-result.
	n := 0
	s.Walk(func(*Sample, int) { n++ })
	if n != len(reqs)+len(subs)+len(txs) {
		t.Errorf("%d samples, %d+%d+%d counted", n, len(reqs), len(subs), len(txs))
	}

	lone := Sample{Kind: KindTransaction}
	lone.Requests(func(*Sample) { t.Fatal("a childless transaction row is not a request") })
	plain := Sample{Label: "p", Children: []Sample{{Label: "p-0"}}}
	var got []string
	plain.Requests(func(r *Sample) { got = append(got, r.Label) })
	if strings.Join(got, ",") != "p" {
		t.Errorf("a parent with sub-results gives %v, want itself once", got)
	}
	plain.Transactions(func(*Sample) { t.Fatal("a sampler is not a transaction") })
}

// TestFailedSubResults: a page failed because two of its resources did;
// a hop that failed only because its own sub-result did is not listed.
func TestFailedSubResults(t *testing.T) {
	page := Sample{Label: "page", Code: "200", Children: []Sample{
		{Label: "page-0", Code: "200", Success: true},
		{Label: "page-1", Code: "404"},
		{Label: "page-2", Code: "200", Children: []Sample{
			{Label: "page-2-0", Code: "200", Success: true},
			{Label: "page-2-1", Code: "500"},
		}},
	}}
	var got []string
	page.FailedSubResults(func(c *Sample) { got = append(got, c.Label+"="+c.Code) })
	if strings.Join(got, ",") != "page-1=404,page-2-1=500" {
		t.Errorf("%v", got)
	}
	ok := Sample{Success: true, Children: []Sample{{Success: true}}}
	ok.FailedSubResults(func(*Sample) { t.Error("nothing failed") })
}
