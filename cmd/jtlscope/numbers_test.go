package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Inputs that silently made the numbers wrong (issue 13).

// The same file given twice, or a link to it and a copy of it, is read
// once, with a warning; a file that only begins like another is read, with
// a warning that what they share counts twice.
func TestSameInputTwice(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile(filepath.Join(bundled, "results.csv"))
	a := filepath.Join(dir, "a.csv")
	os.WriteFile(a, src, 0o644)
	cp := filepath.Join(dir, "copy.csv")
	os.WriteFile(cp, src, 0o644)
	link := filepath.Join(dir, "link.csv")
	os.Symlink("a.csv", link)
	one := summarySamples(t, a)
	for _, args := range [][]string{{a, a}, {a, link}, {link, cp}, {a, link, cp}} {
		out, errOut, code := jtlscope(t, "", append([]string{"summary", "--format", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var res struct{ Samples int64 }
		json.Unmarshal([]byte(out), &res)
		if res.Samples != one || !strings.Contains(errOut, "has the same content as") {
			t.Errorf("%v: %d samples (one file has %d), stderr %q", args, res.Samples, one, errOut)
		}
	}
	// A longer file that starts with the same rows: both read, warned.
	more := filepath.Join(dir, "more.csv")
	os.WriteFile(more, append(append([]byte(nil), src...), []byte(row("1795651900000", "5"))...), 0o644)
	_, errOut, _ := jtlscope(t, "", "summary", a, more)
	if !strings.Contains(errOut, "begins with the same") || !strings.Contains(errOut, "counted twice") {
		t.Errorf("prefix copy: stderr %q", errOut)
	}
}

func summarySamples(t *testing.T, args ...string) int64 {
	t.Helper()
	out, errOut, code := jtlscope(t, "", append([]string{"summary", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct{ Samples int64 }
	json.Unmarshal([]byte(out), &res)
	return res.Samples
}

// A clock set back by 3 h in the middle of a run: summary warns too, not
// only diagnose.
func TestClockJumpBackWarns(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	ts := int64(1_700_000_000_000)
	for i := 0; i < 600; i++ {
		if i == 300 {
			ts -= 3 * 3600 * 1000
		}
		b.WriteString(row(strconv.FormatInt(ts, 10), "50"))
		ts += 100
	}
	p := filepath.Join(t.TempDir(), "jump.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	for _, cmd := range []string{"summary", "diagnose"} {
		_, errOut, code := jtlscope(t, "", cmd, p)
		if code != exitOK || !strings.Contains(errOut, "jump.csv:302: the timestamps go back by 3 h (") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, errOut)
		}
	}
}
