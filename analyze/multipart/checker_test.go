package multipart

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

const (
	legacyBoundary = "----legacyBoundary7MA4YWxk"
	bearer         = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLW5vdC1yZWFs"
)

// upload is a JMeter multipart upload as the XML decoder will give it.
func upload(line int, thread, contentType, body, code string) samples.Sample {
	return samples.Sample{
		Source: "results.xml", Line: line, Label: "upload", Thread: thread, Code: code,
		Kind: samples.KindHTTP, Has: samples.FieldRequestHeaders | samples.FieldRequestBody,
		RequestHeaders: []samples.Header{
			{Name: "Authorization", Value: "Bearer " + bearer},
			{Name: "Content-Type", Value: contentType},
		},
		RequestBody: body, RequestBodyIs: samples.BodySaved,
	}
}

// bodyWith is jmeterBody framed with boundary b.
func bodyWith(b string) string { return strings.ReplaceAll(jmeterBody, jmeterBoundary, b) }

func TestChecker(t *testing.T) {
	c := New()
	line := 1
	next := func() int { line += 40; return line }
	const legacy, desktop = 5, 7
	for i := range legacy {
		s := upload(next(), "legacy agents 2-1", formData(legacyBoundary), bodyWith("body"+strconv.Itoa(i)+"x"), "400")
		c.Add(&s)
	}
	for i := range desktop {
		s := upload(next(), "desktop agents 1-1", formData("desk"+strconv.Itoa(i))+"; charset=US-ASCII", bodyWith("desk"+strconv.Itoa(i)), "201")
		c.Add(&s)
	}
	// A Transaction Controller parent: only its children are requests.
	tc := samples.Sample{Kind: samples.KindTransaction, Children: []samples.Sample{
		{Kind: samples.KindHTTP, Code: "200", Has: samples.FieldRequestHeaders, RequestHeaders: []samples.Header{{Name: "Accept", Value: "*/*"}}},
		upload(next(), "desktop agents 1-2", formData("tc"), bodyWith("tc"), "201"),
	}}
	c.Add(&tc)
	// A CSV row: nothing to look at.
	csv := samples.Sample{Kind: samples.KindHTTP, Code: "400"}
	c.Add(&csv)

	r := c.Result()
	uploads := int64(legacy + desktop + 1)
	if r.Requests != uploads+2 || r.Multipart != uploads || r.Checked != uploads || r.Unverifiable != 0 || r.Unexamined != 1 {
		t.Errorf("counts: %+v", r)
	}
	if r.WithErrors != legacy || r.BadRequests != legacy || r.BadRequestsWithErrors != legacy {
		t.Errorf("errors: %d, 400s: %d, explained: %d; want %d each", r.WithErrors, r.BadRequests, r.BadRequestsWithErrors, legacy)
	}
	byKind := map[Kind]KindSummary{}
	for _, k := range r.Anomalies {
		byKind[k.Kind] = k
	}
	for k, want := range map[Kind][2]int64{
		BoundaryMismatch:        {legacy, legacy},
		ContentTransferEncoding: {uploads, legacy},
		ExtraParams:             {desktop, 0},
		BoundaryReused:          {legacy - 1, legacy - 1},
	} {
		got := byKind[k]
		if got.Requests != want[0] || got.BadRequests != want[1] {
			t.Errorf("%s: %d requests, %d answered 400; want %d, %d", k, got.Requests, got.BadRequests, want[0], want[1])
		}
	}
	if len(byKind) != 4 {
		t.Errorf("kinds: %+v", r.Anomalies)
	}
	if r.Anomalies[0].Kind != BoundaryMismatch || r.Anomalies[0].Severity != Error {
		t.Errorf("errors do not come first: %+v", r.Anomalies[0])
	}
	mm := byKind[BoundaryMismatch]
	if len(mm.Examples) != MaxExamples {
		t.Fatalf("%d examples, want %d", len(mm.Examples), MaxExamples)
	}
	if e := mm.Examples[0]; e.Source != "results.xml" || e.Line != 41 || e.Label != "upload" ||
		e.Detail != "header says boundary="+legacyBoundary+", body uses body0x" {
		t.Errorf("first example: %+v", e)
	}

	b := r.Boundaries
	// Every upload has its own body boundary; the legacy ones share one
	// header boundary besides.
	if b.Distinct != uploads+1 || b.ReusedRequests != legacy-1 || b.Approximate {
		t.Errorf("boundaries: %+v", b)
	}
	if len(b.Top) != 1 || b.Top[0] != (BoundaryUse{Boundary: legacyBoundary, Requests: legacy, Source: "results.xml", Line: 41}) {
		t.Errorf("top boundaries: %+v", b.Top)
	}

	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), bearer) || strings.Contains(string(js), "Bearer") {
		t.Errorf("the result leaks a header value: %s", js)
	}
}

func TestCheckerObserveReturnsReuse(t *testing.T) {
	c := New()
	s := upload(1, "t", formData(legacyBoundary), strings.ReplaceAll(plainBody, plainBoundary, legacyBoundary), "201")
	if ch := c.Observe(&s); ch.Has(BoundaryReused) {
		t.Errorf("first use flagged: %+v", ch.Anomalies)
	}
	s.Line = 2
	ch := c.Observe(&s)
	if !ch.Has(BoundaryReused) || ch.Worst() != Info {
		t.Fatalf("second use: %+v", ch.Anomalies)
	}
	if d := ch.Anomalies[0].Detail; !strings.Contains(d, "1 earlier request, first at results.xml:1") {
		t.Errorf("detail %q", d)
	}
}

// TestCheckerBounded feeds more distinct boundaries than a Checker keeps:
// memory stays bounded and a boundary replayed throughout is still found.
func TestCheckerBounded(t *testing.T) {
	c := New()
	const n, every = 3 * maxTracked, 100
	reused := 0
	for i := range n {
		b := "unique" + strconv.Itoa(i)
		if i%every == 0 {
			b, reused = "static", reused+1
		}
		s := upload(i+1, "t", formData(b), bodyWith(b), "201")
		c.Observe(&s)
		if len(c.bounds) > maxTracked {
			t.Fatalf("%d boundaries kept", len(c.bounds))
		}
	}
	b := c.Result().Boundaries
	if !b.Approximate || b.ReusedRequests != int64(reused-1) || b.Distinct < n-int64(reused)+1 {
		t.Errorf("boundaries: %+v, want %d reused", b, reused-1)
	}
	if len(b.Top) != 1 || b.Top[0].Boundary != "static" || b.Top[0].Requests != int64(reused) {
		t.Errorf("top: %+v", b.Top)
	}
}

func TestCheckerUnverifiable(t *testing.T) {
	c := New()
	s := upload(1, "t", formData("b"), "", "201")
	s.RequestBodyIs = samples.BodyNotSaved
	c.Add(&s)
	s.RequestBodyIs, s.RequestBody = samples.BodyTruncated, jmeterBody[:100]
	c.Add(&s)
	r := c.Result()
	if r.Multipart != 2 || r.Unverifiable != 2 || r.Checked != 0 ||
		r.UnverifiableWhy[NotSaved] != 1 || r.UnverifiableWhy[Truncated] != 1 {
		t.Errorf("%+v", r)
	}
	// The header boundary is known even when the body is not.
	if r.Boundaries.ReusedRequests != 1 {
		t.Errorf("reuse: %+v", r.Boundaries)
	}
}
