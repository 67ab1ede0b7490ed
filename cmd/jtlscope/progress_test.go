package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	read := int64(0)
	in := rampCSV(t, "a", "400")
	p := newProgress(&b, func() int64 { return read }, []string{in})
	fi, _ := os.Stat(in)
	if p.total != fi.Size() {
		t.Fatalf("total %d, want the file's size %d", p.total, fi.Size())
	}
	clock := p.gate.open.Add(-progressDelay)
	p.gate.now = func() time.Time { return clock }
	for range 3 * progressEvery {
		p.Add(nil)
	}
	read = p.total / 4
	for range progressEvery {
		p.Add(nil)
	}
	if b.Len() != 0 {
		t.Fatalf("printed %q within the first second", b.String())
	}
	clock = clock.Add(2 * time.Second)
	time.Sleep(progressInterval) // the library throttles on the real clock
	read = (p.total + 1) / 2
	for range progressEvery {
		p.Add(nil)
	}
	if got := b.String(); !strings.HasPrefix(got, "\rreading") || !strings.Contains(got, "50%") {
		t.Errorf("progress line %q", got)
	}
	b.Reset()
	p.done()
	if b.String() != "\x1b[2K\r" {
		t.Errorf("done wrote %q, want the line cleared", b.String())
	}
	// Nothing shown, nothing to clear: a short run leaves stderr alone.
	b.Reset()
	q := newProgress(&b, func() int64 { return 10 }, []string{in})
	for range progressEvery {
		q.Add(nil)
	}
	q.done()
	if b.Len() != 0 {
		t.Errorf("a run shorter than %v wrote %q", progressDelay, b.String())
	}
	// Piped stderr: no progress at all.
	dir := filepath.Join(t.TempDir(), "r")
	_, errOut, _ := jtlscope(t, "", "report", in, "-o", dir)
	if strings.Contains(errOut, "\r") {
		t.Errorf("progress printed to a pipe: %q", errOut)
	}
}
