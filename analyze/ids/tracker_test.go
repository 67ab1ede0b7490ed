package ids

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

var _ analyze.Accumulator = (*Tracker)(nil)

var t0 = time.Date(2026, 11, 26, 0, 32, 0, 0, time.UTC)

// at places s at t0+startMS lasting elapsedMS, on thread.
func at(s samples.Sample, thread string, startMS, elapsedMS int) samples.Sample {
	s.Thread = thread
	s.Start = t0.Add(time.Duration(startMS) * time.Millisecond)
	s.Elapsed = time.Duration(elapsedMS) * time.Millisecond
	s.Has |= samples.FieldStart | samples.FieldElapsed | samples.FieldThread
	return s
}

func getRecording(id string) samples.Sample {
	return samples.Sample{
		Label:  "get recording",
		Method: "GET",
		URL:    "http://127.0.0.1:18080/api/v2/recordings/screen/" + id,
		RequestHeaders: []samples.Header{
			{Name: "Authorization", Value: "Bearer " + uploadJWT},
			{Name: "Host", Value: "127.0.0.1:18080"},
		},
		Vars: []samples.Var{{Name: "recId", Value: id}},
	}
}

func getToken(id string) samples.Sample {
	return samples.Sample{
		Label:          "get token",
		Method:         "POST",
		URL:            "http://127.0.0.1:18080/oauth/token",
		RequestHeaders: []samples.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		RequestBody:    "grant_type=client_credentials",
		RequestBodyIs:  samples.BodySaved,
		Vars:           []samples.Var{{Name: "recId", Value: id}},
	}
}

func useAt(t *testing.T, uses []Use, loc string) Use {
	t.Helper()
	for _, u := range uses {
		if u.Loc == loc {
			return u
		}
	}
	t.Fatalf("no use at %s in %+v", loc, uses)
	return Use{}
}

func locAt(t *testing.T, res Result, endpoint, loc string) Location {
	t.Helper()
	for _, l := range res.Locations {
		if l.Endpoint == endpoint && l.Location == loc {
			return l
		}
	}
	t.Fatalf("no location %s at %q", loc, endpoint)
	return Location{}
}

// The follow-up GET reads the ID the upload just wrote: that is the
// same value at another endpoint, not a reuse. The token request carries
// the next ID in its variable (JMeter variables persist per thread): also
// not a reuse of the upload's.
func TestEndpointSeparation(t *testing.T) {
	tr := New(Options{})
	tok := at(getToken("rec-0001"), "t1", 0, 5)
	if uses := tr.Observe(&tok); len(uses) != 1 || uses[0].Reused {
		t.Fatalf("get token: %+v, want one fresh var:recId", uses)
	}
	up := at(upload("rec-0001", "b1b1b1b1"), "t1", 10, 70)
	for _, u := range tr.Observe(&up) {
		if u.Reused || u.Uses != 1 {
			t.Errorf("upload %s: reused=%v uses=%d, want a first use", u.Loc, u.Reused, u.Uses)
		}
	}
	get := at(getRecording("rec-0001"), "t1", 100, 5)
	uses := tr.Observe(&get)
	if len(uses) != 2 {
		t.Fatalf("get recording: %+v, want path:4 and var:recId", uses)
	}
	for _, u := range uses {
		if u.Reused || u.Endpoint != "get recording" {
			t.Errorf("get recording %s: reused=%v endpoint=%q, want a first use at its own endpoint", u.Loc, u.Reused, u.Endpoint)
		}
	}
	if u := useAt(t, uses, "path:4"); u.Class != Prefixed || !u.Primary {
		t.Errorf("path:4: class %q primary %v, want prefixed and primary (path ranks before var)", u.Class, u.Primary)
	}
	res := tr.Result()
	for _, l := range res.Locations {
		if l.Reused != 0 {
			t.Errorf("%s %s: %d reused, want 0", l.Endpoint, l.Location, l.Reused)
		}
	}
}

func TestReuseKinds(t *testing.T) {
	tr := New(Options{})
	a := at(upload("rec-0007", "b1b1b1b1"), "t1", 0, 100)
	b := at(upload("rec-0007", "b2b2b2b2"), "t2", 50, 100)  // overlaps a, other thread
	c := at(upload("rec-0007", "b3b3b3b3"), "t2", 400, 100) // after both, a thread that used it
	d := at(upload("rec-0008", "b4b4b4b4"), "t1", 410, 100)
	want := []struct {
		uses                           int
		reused, concurrent, otherThrea bool
	}{
		{1, false, false, false},
		{2, true, true, true},
		{3, true, false, true}, // t1 used it before, too
		{1, false, false, false},
	}
	for i, s := range []*samples.Sample{&a, &b, &c, &d} {
		uses := tr.Observe(s)
		if len(uses) != 3 {
			t.Fatalf("request %d: %d uses, want 3", i, len(uses))
		}
		primaries := 0
		for _, u := range uses {
			w := want[i]
			if u.Uses != w.uses || u.Reused != w.reused || u.Concurrent != w.concurrent || u.OtherThread != w.otherThrea {
				t.Errorf("request %d %s: uses=%d reused=%v concurrent=%v other=%v, want %+v",
					i, u.Loc, u.Uses, u.Reused, u.Concurrent, u.OtherThread, w)
			}
			if u.Group != 0 {
				t.Errorf("request %d %s: group %d, want 0 (one logical ID)", i, u.Loc, u.Group)
			}
			if u.Primary {
				primaries++
				if u.Loc != "header:x-genesys-recording-id" {
					t.Errorf("request %d: primary is %s, want the header", i, u.Loc)
				}
			}
		}
		if primaries != 1 {
			t.Errorf("request %d: %d primaries, want 1", i, primaries)
		}
	}
	// Same thread, one after the other: reused, but neither concurrent
	// nor from another thread.
	e := at(upload("rec-0008", "b5b5b5b5"), "t1", 600, 10)
	u := useAt(t, tr.Observe(&e), "var:recId")
	if !u.Reused || u.Concurrent || u.OtherThread {
		t.Errorf("sequential reuse on one thread: %+v", u)
	}

	res := tr.Result()
	if res.Requests != 5 || res.RequestsWithIDs != 5 {
		t.Errorf("requests %d with IDs %d, want 5 and 5", res.Requests, res.RequestsWithIDs)
	}
	for _, loc := range []string{"header:x-genesys-recording-id", "form:recordingId", "var:recId"} {
		l := locAt(t, res, "upload screen recording", loc)
		if l.Requests != 5 || l.Distinct != 2 || l.Reused != 3 || l.ReusedOtherThread != 2 || l.ReusedConcurrent != 1 {
			t.Errorf("%s: %+v, want 5 requests, 2 distinct, 3 reused, 2 from another thread, 1 concurrent", loc, l)
		}
		if len(l.Top) != 2 || l.Top[0] != (Value{"rec-0007", 3}) || l.Top[1] != (Value{"rec-0008", 2}) {
			t.Errorf("%s top: %+v, want rec-0007×3, rec-0008×2", loc, l.Top)
		}
		if l.Class != Prefixed || l.Constant || l.Redacted {
			t.Errorf("%s: class %q constant %v redacted %v", loc, l.Class, l.Constant, l.Redacted)
		}
	}
	if len(res.Aliases) != 1 {
		t.Fatalf("aliases: %+v, want one", res.Aliases)
	}
	al := res.Aliases[0]
	if strings.Join(al.Locations, " ") != "header:x-genesys-recording-id form:recordingId var:recId" ||
		al.Requests != 5 || al.Agreement != 1 {
		t.Errorf("alias %+v, want header, form, var agreeing on 5 requests", al)
	}
}

func TestAliasNeedsAgreement(t *testing.T) {
	tr := New(Options{})
	// The header carries a fresh ID, the variable a recycled one: two IDs.
	for i := range 10 {
		s := samples.Sample{
			Label:          "x",
			RequestHeaders: []samples.Header{{Name: "X-Request-Id", Value: fmt.Sprintf("rec-%04d", i)}},
			Vars:           []samples.Var{{Name: "recId", Value: fmt.Sprintf("rec-%04d", i%3)}},
		}
		uses := tr.Observe(&s)
		if i == 0 {
			if uses[0].Group != uses[1].Group {
				t.Errorf("equal values on request 0 are in groups %d and %d", uses[0].Group, uses[1].Group)
			}
		} else if i > 2 && uses[0].Group == uses[1].Group {
			t.Errorf("request %d: different values share group %d", i, uses[0].Group)
		}
	}
	if res := tr.Result(); len(res.Aliases) != 0 {
		t.Errorf("aliases %+v, want none: the values agreed on 3 of 10 requests", res.Aliases)
	}
}

func TestResultRedactionAndConstant(t *testing.T) {
	const sess = "Zx81kPq07LmN3vRt5YwB2c"
	tr := New(Options{})
	for i := range 3 {
		s := samples.Sample{
			Label:  "api",
			Params: []samples.Var{{Name: "sessionId", Value: sess}},
			RequestHeaders: []samples.Header{
				{Name: "X-Tenant-Id", Value: "tenant-0042"},
				{Name: "X-Request-Id", Value: fmt.Sprintf("req-%06d", i)},
			},
		}
		tr.Observe(&s)
	}
	res := tr.Result()
	l := locAt(t, res, "api", "form:sessionId")
	if !l.Redacted || len(l.Top) != 1 || l.Top[0].Value != redact.Fingerprint(sess) || l.Top[0].Uses != 3 {
		t.Errorf("sessionId: %+v, want redacted with the fingerprint used 3 times", l)
	}
	out, _ := json.Marshal(res)
	if strings.Contains(string(out), sess) {
		t.Errorf("the session ID leaked into the result: %s", out)
	}
	if l := locAt(t, res, "api", "header:x-tenant-id"); !l.Constant || l.Reused != 2 {
		t.Errorf("tenant header: %+v, want constant, 2 reused", l)
	}
	if l := locAt(t, res, "api", "header:x-request-id"); l.Constant || l.Reused != 0 || l.Distinct != 3 {
		t.Errorf("request ID header: %+v, want 3 distinct, none reused", l)
	}

	// Allow-listing the tenant leaves it out.
	allow, _ := ParseSpecs([]string{"header:X-Tenant-Id"})
	tr = New(Options{Allow: allow})
	s := samples.Sample{Label: "api", RequestHeaders: []samples.Header{{Name: "X-Tenant-Id", Value: "tenant-0042"}}}
	if uses := tr.Observe(&s); len(uses) != 0 {
		t.Errorf("allow-listed location tracked: %+v", uses)
	}
	if res := tr.Result(); len(res.Locations) != 0 || res.RequestsWithIDs != 0 || len(res.Warnings) != 1 {
		t.Errorf("allow-listed result: %+v, want no locations and a warning that nothing was found", res)
	}
}

func TestTrackerBounds(t *testing.T) {
	tr := New(Options{MaxLocations: 2, Examples: 1})
	for i := range 4 {
		s := samples.Sample{Label: fmt.Sprintf("label %d", i), Vars: []samples.Var{{Name: "recId", Value: "rec-0001"}}}
		tr.Observe(&s)
	}
	res := tr.Result()
	if len(res.Locations) != 2 || res.DroppedLocations != 2 || len(res.Warnings) != 1 {
		t.Errorf("%d locations, %d dropped, warnings %q; want 2, 2 and one warning", len(res.Locations), res.DroppedLocations, res.Warnings)
	}

	// Examples keeps the true top values as counts overtake each other.
	tr = New(Options{Examples: 2})
	for _, v := range strings.Fields("a a b b c c c c b b") {
		s := samples.Sample{Label: "x", Vars: []samples.Var{{Name: "recId", Value: "rec-000" + v}}}
		tr.Observe(&s)
	}
	l := tr.Result().Locations[0]
	if len(l.Top) != 2 || l.Top[0] != (Value{"rec-000b", 4}) || l.Top[1] != (Value{"rec-000c", 4}) {
		t.Errorf("top: %+v, want b and c with 4 uses each (ties by value)", l.Top)
	}
	if l.Requests != 10 || l.Distinct != 3 || l.Reused != 7 {
		t.Errorf("%+v, want 10 requests, 3 distinct, 7 reused", l)
	}
}

// A request with several values at one location counts once.
func TestArrayLocationCountsOnce(t *testing.T) {
	tr := New(Options{})
	body := `{"items":[{"id":"rec-0001"},{"id":"rec-0002"}]}`
	for range 2 {
		s := samples.Sample{Label: "batch", RequestBody: body, RequestBodyIs: samples.BodySaved}
		if uses := tr.Observe(&s); len(uses) != 2 || uses[0].Group == uses[1].Group {
			t.Fatalf("uses %+v, want two values in two groups", uses)
		}
	}
	l := tr.Result().Locations[0]
	if l.Requests != 2 || l.Reused != 1 || l.Distinct != 2 {
		t.Errorf("%+v, want 2 requests, 1 reused, 2 distinct", l)
	}
}

// A source without thread names (HAR) says nothing about threads, and
// does not make a later use by a named thread look like another thread's.
func TestUnknownThreads(t *testing.T) {
	tr := New(Options{})
	a := samples.Sample{Label: "x", Vars: []samples.Var{{Name: "recId", Value: "rec-0001"}}}
	b, c := a, a
	b.Thread, c.Thread = "t1", "t1"
	for i, s := range []*samples.Sample{&a, &b, &c} {
		if u := tr.Observe(s)[0]; u.OtherThread || u.Reused != (i > 0) {
			t.Errorf("use %d: %+v, want reused=%v and never another thread's", i, u, i > 0)
		}
	}
}

// Add observes the wire requests under a parent, not the parent.
func TestAddChildren(t *testing.T) {
	tr := New(Options{})
	parent := samples.Sample{
		Label: "upload transaction", Kind: samples.KindTransaction,
		Vars:     []samples.Var{{Name: "recId", Value: "rec-0001"}},
		Children: []samples.Sample{getRecording("rec-0001"), getRecording("rec-0001")},
	}
	tr.Add(&parent)
	res := tr.Result()
	if res.Requests != 2 {
		t.Errorf("%d requests, want the 2 children", res.Requests)
	}
	if l := locAt(t, res, "get recording", "path:4"); l.Reused != 1 {
		t.Errorf("path:4: %+v, want the second child reused", l)
	}
}

func TestSelectedTracking(t *testing.T) {
	specs, _ := ParseSpecs([]string{"form:metadata.agent"})
	tr := New(Options{Select: specs})
	for i := range 4 {
		s := upload(fmt.Sprintf("rec-%04d", i), "bnd")
		s.RequestBody = strings.Replace(s.RequestBody, `"agent":"1"`, fmt.Sprintf(`"agent":"%d"`, i%2), 1)
		tr.Observe(&s)
	}
	res := tr.Result()
	if len(res.Locations) != 1 || strings.Join(res.Selected, ",") != "form:metadata.agent" {
		t.Fatalf("%+v, want only the selected location", res)
	}
	if l := res.Locations[0]; l.Distinct != 2 || l.Reused != 2 || l.Class != Selected {
		t.Errorf("%+v, want 2 distinct, 2 reused, class selected", l)
	}
}
