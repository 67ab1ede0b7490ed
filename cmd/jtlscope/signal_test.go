package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this package's main as a child process, so
// that signals can be sent to it.
func TestMain(m *testing.M) {
	if os.Getenv("JTLSCOPE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// bigCSV writes a JTL CSV large enough that reading it takes a while.
func bigCSV(t *testing.T, rows int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect")
	for i := 0; i < rows; i++ {
		code, ok := "200", "true"
		if i%7 == 0 {
			code, ok = "400", "false"
		}
		fmt.Fprintf(w, "%d,%d,label %d,%s,OK,TG 1-%d,text,%s,,100,50,%d,%d,http://h/x,%d,0,0\n",
			1_700_000_000_000+int64(i)*3, 50+i%100, i%5, code, i%50, ok, i%50+1, i%50+1, 40+i%100)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestInterruptWritesPartialResultAndExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large file")
	}
	in := bigCSV(t, 3_000_000)
	out := filepath.Join(t.TempDir(), "summary.json")
	cmd := exec.Command(os.Args[0], "summary", "--format", "json", "-o", out, in, in, in)
	cmd.Env = append(os.Environ(), "JTLSCOPE_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Skipf("the run finished before the interrupt (err %v): machine too fast for this input", err)
	}
	if ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr: %s", ee.ExitCode(), exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted: %s", stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no partial result written: %v", err)
	}
	var res struct {
		Samples  int64    `json:"samples"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("the output file is not whole JSON: %v", err)
	}
	if res.Samples == 0 || res.Samples >= 9_000_000 {
		t.Errorf("samples %d: want a partial count", res.Samples)
	}
	if !strings.Contains(strings.Join(res.Warnings, " "), "interrupted") {
		t.Errorf("warnings %v do not mark the result as partial", res.Warnings)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
