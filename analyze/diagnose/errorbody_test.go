package diagnose

import (
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

func TestErrorBodyGroupsAndHints(t *testing.T) {
	c := newErrorBody()
	rc := &request{failed: true}
	for i := 0; i < 5; i++ {
		c.observe(&samples.Sample{Code: "400", ResponseBodyIs: samples.BodySaved,
			ResponseBody: `{"message":"invalid request payload","code":"bad.request","status":400,"contextId":"c` + string(rune('0'+i)) + `"}`}, rc, nil)
	}
	c.observe(&samples.Sample{Code: "409", ResponseBodyIs: samples.BodySaved, ResponseBody: `{"message":"recording id already exists"}`}, rc, nil)
	c.observe(&samples.Sample{Code: "401", Message: "Unauthorized", ResponseBodyIs: samples.BodySaved,
		ResponseBody: `{"error":"invalid_token","error_description":"token expired: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}`}, rc, nil)
	f := c.assess(&assessment{})
	ev := f.Evidence.(*ErrorBodyEvidence)
	if ev.Failures != 7 || ev.WithBody != 7 || ev.WithContextID != 5 {
		t.Fatalf("evidence %+v", ev)
	}
	top := ev.Groups[0]
	if top.Failures != 5 || top.Message != "invalid request payload" || top.Code != "bad.request" {
		t.Errorf("top group %+v", top)
	}
	if ev.NamesCause["duplicate-id"] != 1 || ev.NamesCause["token-age"] != 1 {
		t.Errorf("hints %v", ev.NamesCause)
	}
	for _, g := range ev.Groups {
		if strings.Contains(g.Message, "eyJzdWIiOiIxIn0") {
			t.Errorf("a token reached the evidence: %q", g.Message)
		}
	}
}

// Messages with a number in each overflow the groups: the summary quotes a
// real message, not the overflow bucket, and says they vary.
func TestErrorBodyVariedMessages(t *testing.T) {
	c := newErrorBody()
	rc := &request{failed: true}
	for i := 0; i < 3*maxBodyGroups; i++ {
		c.observe(&samples.Sample{Code: "400", ResponseBodyIs: samples.BodySaved,
			ResponseBody: `{"message":"bad item ` + strconv.Itoa(i) + ` in zone ` + strconv.Itoa(7*i) + `"}`}, rc, nil)
	}
	f := c.assess(&assessment{})
	ev := f.Evidence.(*ErrorBodyEvidence)
	if len(ev.Groups) > maxBodyGroups+1 || ev.Groups[0].Message != otherMessages {
		t.Fatalf("%d groups, top %q", len(ev.Groups), ev.Groups[0].Message)
	}
	if strings.Contains(f.Summary, otherMessages) || !strings.Contains(f.Summary, "messages vary") {
		t.Errorf("summary %q", f.Summary)
	}
}
