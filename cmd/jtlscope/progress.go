package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// progress shows how much of the inputs has been read, on stderr when it
// is a terminal: "reading 45.3 MB of 120.0 MB (38%)". It is an
// accumulator in the same pass, so it needs no goroutine: every
// progressEvery samples it looks at the clock and redraws at most every
// progressInterval. Runs shorter than progressDelay show nothing.
type progress struct {
	w     io.Writer
	read  func() int64 // bytes read so far (samples.Stream.BytesRead)
	total int64        // 0 when unknown (standard input)
	now   func() time.Time
	start time.Time
	last  time.Time
	n     int
	shown bool
}

const (
	progressEvery    = 4096
	progressInterval = 200 * time.Millisecond
	progressDelay    = time.Second
)

// newProgress returns a progress line for the named inputs; their sizes
// on disk are the total (compressed size for .gz, which is also what
// read counts).
func newProgress(w io.Writer, read func() int64, names []string) *progress {
	p := &progress{w: w, read: read, now: time.Now}
	p.start = p.now()
	for _, n := range names {
		fi, err := os.Stat(n)
		if n == samples.Stdin || err != nil || !fi.Mode().IsRegular() {
			p.total = 0
			break
		}
		p.total += fi.Size()
	}
	return p
}

// Add counts a sample and redraws the line when it is time.
func (p *progress) Add(*samples.Sample) {
	p.n++
	if p.n%progressEvery != 0 {
		return
	}
	t := p.now()
	if t.Sub(p.start) < progressDelay || t.Sub(p.last) < progressInterval {
		return
	}
	p.last = t
	p.shown = true
	fmt.Fprint(p.w, "\r"+p.line()+"\x1b[K")
}

func (p *progress) line() string {
	read := p.read()
	if p.total <= 0 {
		return fmt.Sprintf("reading %s", byteSize(read))
	}
	pct := min(100, 100*float64(read)/float64(p.total))
	return fmt.Sprintf("reading %s of %s (%.0f%%)", byteSize(read), byteSize(p.total), pct)
}

// done clears the line, so that what is printed next starts clean.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	x, suffix := float64(n), "kMGT"
	i := -1
	for x >= unit && i < len(suffix)-1 {
		x /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", x, suffix[i])
}
