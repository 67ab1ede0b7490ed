package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"
	"github.com/creack/pty"
)

// jtlscopeWidth runs the command as on a terminal width columns wide.
func jtlscopeWidth(t *testing.T, width int, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runEnv(args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, width: width, errWidth: width})
	return out.String(), errb.String(), code
}

// TestNarrowGolden: on an 80-column terminal the summary leaves out
// columns and says which, and compare keeps its verdicts; the wording
// (too few samples, goodput, throughput with failures) is in golden files.
func TestNarrowGolden(t *testing.T) {
	compareArgs := []string{"compare", "--resamples", "299", filepath.Join(bundled, "results.xml"), "--", "../../samples/testdata/jmeter/s8-dupid-csv/results.xml"}
	for _, c := range []struct {
		name  string
		width int
		args  []string
	}{
		{"summary-s6.80.table", 80, []string{"summary", filepath.Join(bundled, "results.csv")}},
		{"compare-s6-s8.80.table", 80, compareArgs},
		{"compare-s6-s8.table", 0, compareArgs},
	} {
		out, errOut, code := jtlscopeWidth(t, c.width, c.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if c.width > 0 {
			assertFits(t, c.name, out, c.width)
		}
		golden(t, c.name, out)
	}
}

// assertFits fails when a line of out is wider than width columns.
func assertFits(t *testing.T, name, out string, width int) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if w := displaywidth.String(line); w > width {
			t.Errorf("%s: line %d is %d columns wide, more than %d: %q", name, i+1, w, width, line)
		}
	}
}

// TestNotATerminalIsNotLaidOut: output to a pipe or a file keeps every
// column and its long lines, whatever $COLUMNS says: scripts read it.
func TestNotATerminalIsNotLaidOut(t *testing.T) {
	t.Setenv("COLUMNS", "40")
	out, _, _ := jtlscope(t, "", "summary", filepath.Join(bundled, "results.csv"))
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "summary-s6.table"))
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("piped summary differs from the full table:\n%s", out)
	}
}

// TestWrapOnAPseudoTerminal runs jtlscope as its own process with stdout
// and stderr on a pseudo-terminal 80 columns wide: every line fits, the
// evidence bullets are wrapped under their text, and the words are those
// of the unwrapped output.
func TestWrapOnAPseudoTerminal(t *testing.T) {
	in := "../../samples/testdata/jmeter/s8-dupid-csv/results.xml"
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "diagnose", in)
	cmd.Env = append(os.Environ(), "JTLSCOPE_TEST_MAIN=1", "COLUMNS=")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child has it; the master sees EOF when it exits
	var got bytes.Buffer
	done := make(chan struct{})
	go func() { got.ReadFrom(ptmx); close(done) }() // ends with EIO at the child's exit
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, got.String())
	}
	<-done
	// The terminal turns \n into \r\n.
	out := strings.ReplaceAll(got.String(), "\r\n", "\n")
	assertFits(t, "diagnose on a pty", out, 80)

	plain, _, _ := jtlscope(t, "", "diagnose", in)
	evidence := func(s string) (string, []string) {
		i, j := strings.Index(s, "EVIDENCE\n"), strings.Index(s, "LITTLE'S LAW")
		if i < 0 || j < i {
			t.Fatalf("no EVIDENCE … LITTLE'S LAW in:\n%s", s)
		}
		return s[i:j], strings.Fields(s[i:j])
	}
	ptyEv, ptyWords := evidence(out)
	plainEv, plainWords := evidence(plain)
	if strings.Join(ptyWords, " ") != strings.Join(plainWords, " ") {
		t.Errorf("wrapping changed the words:\n%s\n---\n%s", ptyEv, plainEv)
	}
	longest := 0
	for _, l := range strings.Split(plainEv, "\n") {
		longest = max(longest, displaywidth.String(l))
	}
	if longest <= 80 {
		t.Fatalf("the evidence is %d columns wide without a terminal: nothing to wrap", longest)
	}
	// A bullet's continuation hangs under its text.
	lines := strings.Split(ptyEv, "\n")
	hung := false
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i-1], "  - ") && strings.HasPrefix(lines[i], "    ") && !strings.HasPrefix(lines[i], "     ") {
			hung = true
		}
	}
	if !hung {
		t.Errorf("no bullet continues on an indented line:\n%s", ptyEv)
	}
}
