package jtlcsv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// withSizes runs fn with the block sizes and thresholds set, and restores
// them.
func withSizes(first, par int, after int64, n int, fn func()) {
	defer func(a, b int, c int64, d int) {
		firstBlockSize, parBlockSize, parallelAfter, parWorkers = a, b, c, d
	}(firstBlockSize, parBlockSize, parallelAfter, parWorkers)
	firstBlockSize, parBlockSize, parallelAfter, parWorkers = first, par, after, n
	fn()
}

// sameResults decodes data sequentially, then in parallel with tiny
// blocks, and reports the first difference.
func sameResults(t testing.TB, data []byte, opts samples.Options, block int) {
	t.Helper()
	sameResultsCheck(t, data, opts, block, false)
}

// sameResultsCheck is sameResults; mustGoParallel fails the test if the
// parallel run never left sequential mode.
func sameResultsCheck(t testing.TB, data []byte, opts samples.Options, block int, mustGoParallel bool) {
	t.Helper()
	var seq, par result
	// Both read the same first block: detection (the layout, the
	// timestamp format, what a file that is not a JTL looks like) judges
	// the first block, which a real run always reads whole (1 MiB, or the
	// file); a tiny one sees fewer rows and may judge otherwise. What is
	// compared is what follows it: sequential against parallel parsing.
	withSizes(block, blockSize, 1<<62, 0, func() {
		seq = decode(t, bytes.NewReader(data), "d.jtl", opts)
	})
	withSizes(block, block, 0, 3, func() {
		d, err := NewDecoder(bytes.NewReader(data), "d.jtl", opts)
		if err != nil {
			t.Fatal(err)
		}
		par = drain(t, d)
		src := d.src
		if g, ok := src.(*grouper); ok {
			src = g.src
		}
		if seq, ok := src.(*seqSource); mustGoParallel && (!ok || seq.par == nil) {
			t.Fatalf("parallel mode did not start")
		}
	})
	if diff := compareResults(seq, par); diff != "" {
		t.Fatalf("sequential and parallel (block %d) differ: %s", block, diff)
	}
}

func compareResults(a, b result) string {
	if len(a.samples) != len(b.samples) {
		return fmt.Sprintf("%d samples vs %d", len(a.samples), len(b.samples))
	}
	for i := range a.samples {
		if !reflect.DeepEqual(a.samples[i], b.samples[i]) {
			return fmt.Sprintf("sample %d:\n%s\n%s", i, tree(a.samples[i]), tree(b.samples[i]))
		}
	}
	if len(a.errs) != len(b.errs) {
		return fmt.Sprintf("errors %v vs %v", a.errs, b.errs)
	}
	for i := range a.errs {
		if *a.errs[i] != *b.errs[i] {
			return fmt.Sprintf("error %d: %+v vs %+v", i, a.errs[i], b.errs[i])
		}
	}
	if fmt.Sprint(a.fatal) != fmt.Sprint(b.fatal) {
		return fmt.Sprintf("fatal %v vs %v", a.fatal, b.fatal)
	}
	if !reflect.DeepEqual(a.meta, b.meta) {
		return fmt.Sprintf("meta\n%+v\n%+v", a.meta, b.meta)
	}
	return ""
}

func TestParallelMatchesSequential(t *testing.T) {
	var inputs [][]byte
	shared := sharedCSVs(t)
	for _, g := range []string{repoCSV + "/*", "", "../testdata/jmeter/*/results.csv"} {
		m, _ := filepath.Glob(g)
		if g == "" {
			m = shared
		}
		for _, path := range m {
			if strings.HasSuffix(path, "Bug52968.csv") {
				continue // needs properties; covered below
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, b)
		}
	}
	base := int64(1700000000000)
	quoted := "2,5,\"multi\nline\r\nlabel, \"\"q\"\"\",200,OK,T 1-1,text,true,,10,5,1,1,null,1,0,0\n"
	var b strings.Builder
	b.WriteString(h5)
	for i := 0; i < 300; i++ {
		b.WriteString(row5(base+int64(i), 500, "Home", "T 1-1"))
		b.WriteString(row5(base+int64(i), 100, "Home-0", "T 1-1"))
		if i%3 == 0 {
			b.WriteString(row5(base+int64(i), 50, "Home-0-0", "T 1-1"))
			b.WriteString(row5(base+int64(i)+50, 50, "Home-0-1", "T 1-1"))
			b.WriteString(row5(base+int64(i)+100, 50, "Home-1", "T 1-1"))
		}
		switch i % 50 {
		case 7:
			b.WriteString(quoted)
		case 13:
			b.WriteString("3,5x,bad\n")
		case 21:
			b.WriteString("4,5,\"stray,200\n")
		case 33:
			b.WriteString(h5)
		case 41:
			b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n")
			b.WriteString(row213(",", base, "old") + row213(",", base, "\"x\ny\""))
			b.WriteString(h5)
		case 45:
			b.WriteString("5,5,a\xff\x00b\n\n\r\n")
		}
	}
	b.WriteString("9,5,\"cut off")
	inputs = append(inputs, []byte(b.String()), []byte(strings.ReplaceAll(b.String(), "\n", "\r\n")))

	for i, data := range inputs {
		blocks := []int{1, 7, 64, 1000}
		if len(data) > 100<<10 {
			blocks = []int{1000, 64 << 10}
		}
		for _, block := range blocks {
			t.Run(fmt.Sprintf("%d/%d", i, block), func(t *testing.T) {
				sameResultsCheck(t, data, samples.Options{}, block, len(data) > 4*block && bytes.Count(data, []byte{'\n'}) > 3)
			})
		}
	}
	p := realOptions(t, "testdata/bug52968.properties")
	sameResults(t, readFile(t, repoCSV+"/apache__jmeter__bin__testfiles__Bug52968.csv"), p, 50)
}

// The real switch: a file big enough to go parallel with the default
// sizes, read to the end and compared with sequential decoding.
func TestParallelLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := synthetic(int(parallelAfter) + 6*parBlockSize)
	var seq, par result
	withSizes(blockSize, parBlockSize, 1<<62, 0, func() { seq = decode(t, bytes.NewReader(data), "l", samples.Options{}) })
	withSizes(blockSize, parBlockSize, parallelAfter, 2, func() { par = decode(t, bytes.NewReader(data), "l", samples.Options{}) })
	if diff := compareResults(seq, par); diff != "" {
		t.Fatal(diff)
	}
	if n := bytes.Count(data, []byte{'\n'}) - 1; len(seq.samples) != n {
		t.Errorf("%d samples for %d rows", len(seq.samples), n)
	}
}

// Parallel mode's goroutines end with the input, and when a Decoder is
// dropped half-way.
func TestParallelGoroutinesEnd(t *testing.T) {
	data := synthetic(200 << 10)
	before := runtime.NumGoroutine()
	withSizes(4096, 4096, 0, 3, func() {
		for i := 0; i < 20; i++ {
			decode(t, bytes.NewReader(data), "g", samples.Options{})
		}
		for i := 0; i < 20; i++ {
			d, _ := NewDecoder(bytes.NewReader(data), "g", samples.Options{})
			var s samples.Sample
			for j := 0; j < 100; j++ {
				if err := d.Decode(&s); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines left over (were %d):\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// tree renders a sample and its sub-results for a failure message.
func tree(s samples.Sample) string {
	var b strings.Builder
	s.Walk(func(c *samples.Sample, depth int) {
		fmt.Fprintf(&b, "%s%s@%d %+v\n", strings.Repeat("  ", depth), c.Label, c.Line, *c)
	})
	return b.String()
}

// A quoted field that never closes is carried from block to block (and
// gathered, so that re-reading it stays linear); the result must be what
// sequential mode finds.
func TestParallelLongOpenQuote(t *testing.T) {
	defer func(n int) { maxRecord = n }(maxRecord)
	maxRecord = 50 << 10
	var b strings.Builder
	b.WriteString(h5 + row5(1, 5, "a", "T 1-1") + "2,5,\"never closed\n")
	for i := 0; b.Len() < 200<<10; i++ {
		b.WriteString(row5(int64(3+i), 5, "b", "T 1-1"))
	}
	sameResultsCheck(t, []byte(b.String()), samples.Options{}, 64, true)
}

// panicReader panics once its data is used up, like a buggy decompressor.
type panicReader struct{ data []byte }

func (r *panicReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		panic("boom")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// A panic in parallel mode's goroutines, which Stream cannot recover,
// becomes an error that ends this input only; also in the first block read
// in parallel mode, whose job no block has used before.
func TestParallelPanicBecomesError(t *testing.T) {
	for _, size := range []int{6 << 10, 100 << 10} {
		data := synthetic(size)
		withSizes(4096, 4096, 0, 2, func() {
			res := decode(t, &panicReader{data: data}, "p.jtl", samples.Options{})
			if res.fatal == nil || !strings.Contains(res.fatal.Error(), "p.jtl: internal error in the csv reader") || len(res.samples) == 0 {
				t.Errorf("%d bytes: fatal %v after %d samples", size, res.fatal, len(res.samples))
			}
		})
	}
}

// A stamp that two of JMeter's fallback patterns read is read by the first
// of them, whatever the rows before it settled on: parallel mode parses a
// block without those rows, and which worker parses which block is left to
// the scheduler.
func TestStampReadingIgnoresHistory(t *testing.T) {
	row := func(ts, label string) string {
		return ts + ",5," + label + ",200,OK,T 1-1,text,true,,100,50,1,1,http://h/x,2,0,0\n"
	}
	var b strings.Builder
	b.WriteString(h5)
	for i := 0; i < 30; i++ {
		b.WriteString(row("0012/01/02 03:04:05", "ambiguous"))
		if i%10 == 4 {
			// Only "MM/dd/yy HH:mm:ss", the last fallback, reads this one.
			b.WriteString(row("12/31/99 03:04:05", "us"))
		}
	}
	data := []byte(b.String())
	res := decode(t, bytes.NewReader(data), "h.jtl", samples.Options{Location: time.UTC})
	if len(res.samples) != 33 || len(res.errs) != 0 {
		t.Fatalf("%d samples, errors %v", len(res.samples), res.errs)
	}
	for _, s := range res.samples {
		want := time.Date(12, 1, 2, 3, 4, 5, 0, time.UTC) // "yyyy/MM/dd HH:mm:ss" comes first
		if s.Label == "us" {
			want = time.Date(1999, 12, 31, 3, 4, 5, 0, time.UTC)
		}
		if !s.Start.Equal(want) {
			t.Errorf("line %d (%s): start %v, want %v", s.Line, s.Label, s.Start, want)
		}
	}
	for _, block := range []int{1, 7, 64} {
		sameResults(t, data, samples.Options{Location: time.UTC}, block)
	}
}
