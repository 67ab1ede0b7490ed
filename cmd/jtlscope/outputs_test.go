package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child starts this package's main as a process (see TestMain), so that
// signals, devices and exit codes are what a user gets.
func child(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "JTLSCOPE_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

func exitOf(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// Every format reports a write error on standard output (issue 13: the
// table and Markdown formats exited 0 on /dev/full).
func TestStdoutWriteErrorsReachTheExitCode(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer full.Close()
	in, _ := filepath.Abs(filepath.Join(bundled, "results.csv"))
	for _, f := range []string{"table", "markdown", "json", "csv"} {
		cmd, stderr := child(t, t.TempDir(), "summary", "--format", f, in)
		cmd.Stdout = full
		if code := exitOf(t, cmd.Run()); code != exitError || !strings.Contains(stderr.String(), "no space left") {
			t.Errorf("%s: exit %d, want %d and the error; stderr:\n%s", f, code, exitError, stderr.String())
		}
	}
	for _, c := range [][]string{{"diagnose", in}, {"compare", "--resamples", "9", in, in}} {
		cmd, stderr := child(t, t.TempDir(), c...)
		cmd.Stdout = full
		if code := exitOf(t, cmd.Run()); code != exitError {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", c, code, exitError, stderr.String())
		}
	}
}

// An output named by a device is written through; a full one is an error
// (exit 1), and the device stays a device.
func TestOutputDevices(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs mknod")
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Skip(err)
	}
	syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3)
	in, _ := filepath.Abs(filepath.Join(bundled, "results.csv"))
	_, errOut, code := jtlscope(t, "", "diagnose", "--attribution", full, in)
	if code != exitError || !strings.Contains(errOut, full) {
		t.Errorf("--attribution full: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = jtlscope(t, "", "summary", "-o", null, in)
	if code != exitOK {
		t.Errorf("-o null: exit %d: %s", code, errOut)
	}
	for _, p := range []string{full, null} {
		if fi, err := os.Stat(p); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("%s is no longer a device", p)
		}
	}
}

// report -o . writes into the current directory, empty or a previous
// report (issue 13: "rename . ...: device or resource busy").
func TestReportIntoWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	in, _ := filepath.Abs(filepath.Join(bundled, "results.csv"))
	for i := 0; i < 2; i++ {
		cmd, stderr := child(t, dir, "report", in, "-o", ".")
		if code := exitOf(t, cmd.Run()); code != exitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr.String())
		}
		for _, f := range []string{"index.html", "summary.json", ".jtlscope-report", "tables/summary.csv"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A FIFO nobody writes and a pipe that stalls end at an interrupt with
// exit 130 and a message (issue 13: SIGTERM was ignored until SIGKILL).
func TestInterruptWhileWaitingForInput(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	cmd, stderr := child(t, dir, "summary", "fifo")
	interruptAfter(t, cmd, 300*time.Millisecond, syscall.SIGTERM)
	if code := waitExit(t, cmd); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("FIFO: exit %d, stderr %q", code, stderr.String())
	}

	// A pipe that sends 2 MB of rows and stalls: the rows sent are
	// analysed and written, marked partial.
	var rows bytes.Buffer
	rows.WriteString(header)
	for i := 0; rows.Len() < 2<<20; i++ {
		rows.WriteString(row(strconv.Itoa(1_700_000_000_000+10*i), "100"))
	}
	cmd, stderr = child(t, dir, "summary", "--format", "json", "-")
	pr, pw, _ := os.Pipe()
	cmd.Stdin = pr
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	pw.Write(rows.Bytes())
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, cmd)
	pw.Close()
	var res struct {
		Partial bool  `json:"partial"`
		Samples int64 `json:"samples"`
	}
	json.Unmarshal(out.Bytes(), &res)
	if code != exitInterrupted || !res.Partial || res.Samples == 0 {
		t.Errorf("stalled pipe: exit %d, partial %v, %d samples; stderr %q", code, res.Partial, res.Samples, stderr.String())
	}
}

// interruptAfter starts cmd and sends it sig after d.
func interruptAfter(t *testing.T, cmd *exec.Cmd, d time.Duration, sig os.Signal) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Signal(sig)
}

// waitExit waits for cmd, killing it if it ignores the signal.
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitOf(t, err)
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("the signal was ignored: killed after 10 s")
	}
	return -1
}

// An interrupt after reading (while comparing, drawing, writing) still
// ends with exit 130 and a message, never exit 0 (issue 13).
func TestInterruptAfterReading(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dir := t.TempDir()
	in, _ := filepath.Abs(filepath.Join(bundled, "results.csv"))
	// Many resamples make the comparison outlast the reading by far.
	cmd, stderr := child(t, dir, "compare", "--resamples", "2000000", in, "--", in)
	interruptAfter(t, cmd, 1500*time.Millisecond, syscall.SIGTERM)
	if code := waitExit(t, cmd); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted while comparing") {
		t.Errorf("compare: exit %d, stderr %q", code, stderr.String())
	}
}

// An interrupted report run never replaces a complete report with a
// partial one (issue 13: 2,491,065 samples replaced by 223,232).
func TestInterruptedReportKeepsTheCompleteOne(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large file")
	}
	dir := t.TempDir()
	in := bigCSV(t, 2_000_000)
	out := filepath.Join(dir, "out")
	small, _ := filepath.Abs(filepath.Join(bundled, "results.csv"))
	if _, errOut, code := jtlscope(t, "", "report", small, "-o", out); code != exitOK {
		t.Fatalf("first report: %d %s", code, errOut)
	}
	before, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	cmd, stderr := child(t, dir, "report", in, "-o", out)
	interruptAfter(t, cmd, 700*time.Millisecond, syscall.SIGINT)
	code := waitExit(t, cmd)
	if code == exitOK {
		t.Skip("the run finished before the interrupt")
	}
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	t.Log(stderr.String())
	after, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if !bytes.Equal(before, after) {
		t.Errorf("the complete report in %s was replaced", out)
	}
	if strings.Contains(stderr.String(), out+".partial") {
		var res struct {
			Partial bool `json:"partial"`
		}
		for _, f := range []string{"summary.json", "diagnosis.json", "capacity.json"} {
			b, err := os.ReadFile(filepath.Join(out+".partial", f))
			if err != nil || json.Unmarshal(b, &res) != nil || !res.Partial {
				t.Errorf("%s.partial/%s: not marked partial (%v)", out, f, err)
			}
		}
	}
}

// await gives up on a step as soon as the context is cancelled.
func TestAwaitStopsAtInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := await(ctx, "thinking", func() int { time.Sleep(5 * time.Second); return 1 })
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
	var buf bytes.Buffer
	if code := exitCode(err, &buf); code != exitInterrupted || !strings.Contains(buf.String(), "interrupted while thinking") {
		t.Errorf("exit %d, %q", code, buf.String())
	}
}
