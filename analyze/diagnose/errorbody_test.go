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
	f := c.assess(&assessment{}, &causeVerdict{})
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

// Messages that differ only in their numbers and IDs are one message:
// the variable parts fold into placeholders, and a real one is kept.
func TestErrorBodyFoldsVariableParts(t *testing.T) {
	c := newErrorBody()
	rc := &request{failed: true}
	for i := 0; i < 3*maxBodyGroups; i++ {
		c.observe(&samples.Sample{Code: "200", Success: false,
			FailureMessage: "Duplicate login: " + strconv.FormatInt(int64(0x75FE+i), 16) + "AB,BS" + strconv.Itoa(i%90+10) + " 1UE"}, rc, nil)
	}
	f := c.assess(&assessment{}, &causeVerdict{})
	ev := f.Evidence.(*ErrorBodyEvidence)
	if len(ev.Groups) != 1 || ev.Groups[0].Failures != 3*maxBodyGroups || ev.Groups[0].Message != "Duplicate login: <id>,<id>" {
		t.Fatalf("groups %+v", ev.Groups)
	}
	if !strings.HasPrefix(ev.Groups[0].Sample, "Duplicate login: 75feAB,BS10 1UE") {
		t.Errorf("sample %q", ev.Groups[0].Sample)
	}
}

// Messages that differ in their words overflow the groups: the summary
// quotes a real message, not the overflow bucket, and says they vary.
func TestErrorBodyVariedMessages(t *testing.T) {
	c := newErrorBody()
	rc := &request{failed: true}
	for i := 0; i < 3*maxBodyGroups; i++ {
		c.observe(&samples.Sample{Code: "400", ResponseBodyIs: samples.BodySaved,
			ResponseBody: `{"message":"bad item ` + word(i) + ` in zone"}`}, rc, nil)
	}
	f := c.assess(&assessment{}, &causeVerdict{})
	ev := f.Evidence.(*ErrorBodyEvidence)
	if len(ev.Groups) > maxBodyGroups+1 || ev.Groups[0].Message != otherMessages {
		t.Fatalf("%d groups, top %q", len(ev.Groups), ev.Groups[0].Message)
	}
	if strings.Contains(f.Summary, otherMessages) || !strings.Contains(f.Summary, "messages vary") {
		t.Errorf("summary %q", f.Summary)
	}
}

// word spells i in letters: a word without digits, which no folding
// touches.
func word(i int) string {
	var b []byte
	for {
		b = append(b, byte('a'+i%26))
		i /= 26
		if i == 0 {
			return string(b)
		}
	}
}

func TestMessagePattern(t *testing.T) {
	for in, want := range map[string]string{
		"invalid request payload":                                      "invalid request payload",
		"Duplicate login: 0075FE,BS48 1UE":                             "Duplicate login: <id>,<id>",
		"Response code was 500 after 1.5 s":                            "Response code was <n> after <n> s",
		"recording 8d0cb749-28c4-4f51-914c-919443951a17 exists":        "recording <uuid> exists",
		"id rec-1796180791791 already stored":                          "id <id> already stored",
		`field "recordingId" is required`:                              `field "<value>" is required`,
		"Non HTTP response code: java.net.SocketTimeoutException":      "Non HTTP response code: java.net.SocketTimeoutException",
		"see https://example.com/x?a=1 for user bob@example.com today": "see <url> for user <email> today",
		"HTTP/1.1 via v2 API":                                          "HTTP/<n> via v2 API",
		"Réponse non valide: 42":                                       "Réponse non valide: <n>",
	} {
		if got := messagePattern(in); got != want {
			t.Errorf("messagePattern(%q) = %q, want %q", in, got, want)
		}
	}
}
