package ids

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in, loc string
		index   int
	}{
		{"header:X-Genesys-Recording-Id", "header:x-genesys-recording-id", 0},
		{"  HEADER : x-request-id ", "header:x-request-id", 0},
		{"form:recordingId", "form:recordingId", 0},
		{"form:metadata.agent", "form:metadata.agent", 0},
		{"json:metadata.id", "json:metadata.id", 0},
		{"json:$.metadata.id", "json:metadata.id", 0},
		{"json:items[].id", "json:items[].id", 0},
		{"var:recId", "var:recId", 0},
		{"query:requestId", "query:requestId", 0},
		{"path:4", "path:4", 4},
		{"path:0", "path:0", 0},
		{`regex:rec-(\d+)`, `regex:rec-(\d+)`, 0},
		{`regex: id=(\w+)`, `regex: id=(\w+)`, 0}, // a pattern keeps its spaces
	} {
		sp, err := ParseSpec(tc.in)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tc.in, err)
			continue
		}
		if sp.String() != tc.loc || sp.Index != tc.index {
			t.Errorf("ParseSpec(%q) = %q (index %d), want %q (index %d)", tc.in, sp.String(), sp.Index, tc.loc, tc.index)
		}
		if !sp.Matches(tc.loc) {
			t.Errorf("ParseSpec(%q) does not match its own location %q", tc.in, tc.loc)
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty ID location"},
		{"recordingId", "want KIND:NAME"},
		{"cookie:JSESSIONID", `unknown kind "cookie"`},
		{"header:", `nothing after "header:"`},
		{"header:  ", `nothing after "header:"`},
		{"path:x", "segment index"},
		{"path:-1", "segment index"},
		{"json:a..b", "JSON path"},
		{"json:$.", "JSON path"},
		{"regex:(", "missing closing )"},
		{`regex:rec-\d+`, "capture group"},
	} {
		_, err := ParseSpec(tc.in)
		if err == nil {
			t.Errorf("ParseSpec(%q): no error, want one mentioning %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpec(%q) = %q, want it to mention %q", tc.in, err, tc.want)
		}
	}
	if _, err := ParseSpecs([]string{"var:recId", "nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("ParseSpecs with a bad spec: %v, want an error naming it", err)
	}
}

func TestSpecMatches(t *testing.T) {
	sp, _ := ParseSpec("header:X-Request-Id")
	for loc, want := range map[string]bool{
		"header:x-request-id":  true,
		"header:X-REQUEST-ID":  true,
		"header:x-request-idx": false,
		"form:x-request-id":    false,
		"header:":              false,
	} {
		if got := sp.Matches(loc); got != want {
			t.Errorf("%s matches %q = %v, want %v", sp, loc, got, want)
		}
	}
	sp, _ = ParseSpec("form:recordingId")
	if sp.Matches("form:recordingid") || sp.Matches("forms:recordingId") || !sp.Matches("form:recordingId") {
		t.Errorf("form names must match exactly")
	}
}
