package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/jtlscope/jtlscope/samples"
)

// progress shows how much of the inputs has been read, on stderr when it
// is a terminal:
//
//	reading  38% |███████             | (45/120 MB, 44 MB/s) [1s:2s]
//
// or a spinner with the bytes read when the size is unknown (standard
// input). github.com/schollz/progressbar draws it: the bar, the rate, the
// time left, throttling and clearing are what it does well. What is ours
// is when it is asked to draw: it is an accumulator in the same pass, so
// it needs no goroutine (the library's spinner ticker is switched off),
// and every progressEvery samples it gives the bytes read so far. A run
// shorter than progressDelay shows nothing: the bar counts from the start,
// so its rate is right, but writes through a gate that opens only then.
type progress struct {
	read  func() int64 // bytes read so far (samples.Stream.BytesRead)
	total int64        // 0 when unknown (standard input)
	gate  *gate
	bar   *progressbar.ProgressBar
	n     int
}

const (
	progressEvery    = 4096
	progressInterval = 200 * time.Millisecond
	progressDelay    = time.Second
)

// newProgress returns a progress bar for the named inputs on w; their
// sizes on disk are the total (compressed size for .gz, which is also
// what read counts).
func newProgress(w io.Writer, read func() int64, names []string) *progress {
	p := &progress{read: read, gate: &gate{w: w, now: time.Now}}
	p.gate.open = p.gate.now().Add(progressDelay)
	for _, n := range names {
		fi, err := os.Stat(n)
		if n == samples.Stdin || err != nil || !fi.Mode().IsRegular() {
			p.total = 0
			break
		}
		p.total += fi.Size()
	}
	max := p.total
	if max <= 0 {
		max = -1 // the library's "unknown": a spinner
	}
	p.bar = progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(p.gate),
		progressbar.OptionSetDescription("reading"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(progressInterval),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionUseANSICodes(true),
	)
	return p
}

// Add counts a sample and passes the bytes read to the bar every
// progressEvery samples; the bar redraws at most every progressInterval.
func (p *progress) Add(*samples.Sample) {
	p.n++
	if p.n%progressEvery != 0 {
		return
	}
	read := p.read()
	if p.total > 0 {
		read = min(read, p.total) // the library refuses more than its max
	}
	p.bar.Set64(read)
}

// done clears the line, so that what is printed next starts clean.
func (p *progress) done() {
	if p.gate.shown {
		p.bar.Clear()
	}
	p.bar.Exit()
}

// gate drops what is written to it before open, and passes the rest to w.
type gate struct {
	w     io.Writer
	now   func() time.Time
	open  time.Time
	shown bool
}

func (g *gate) Write(b []byte) (int, error) {
	if g.now().Before(g.open) {
		return len(b), nil
	}
	g.shown = true
	return g.w.Write(b)
}
