package samples_test

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
)

// repeatedRun is a JTL CSV with a sample variable (held in the decoder's
// shared arena) whose one-minute run is written again and again: time
// goes back at each repeat, as when a file is appended to itself.
type repeatedRun struct {
	rows, i int
	buf     []byte
}

func (r *repeatedRun) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i < r.rows {
		if r.i == 0 {
			r.buf = append(r.buf, "timeStamp,elapsed,label,responseCode,success,threadName,grpThreads,allThreads,\"recId\"\n"...)
		}
		k := r.i % 2000 // 2,000 rows a minute, then again
		r.buf = fmt.Appendf(r.buf, "%d,%d,upload,200,true,T 1-%d,4,4,rec-%08d\n", 1_700_000_000_000+int64(k)*30, 40+k%60, k%4+1, k)
		r.i++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// The ordered stream's memory stays flat on repeated rows (issue 13:
// diagnose grew to 3.66 GB on 10 GB of them: the reorder buffer kept
// samples whose variables pinned whole arena chunks of the decoder).
func TestOrderedStreamFlatOnRepeatedRows(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million rows")
	}
	in, err := samples.OpenReader(&repeatedRun{rows: 1_000_000}, "repeated.csv", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := samples.NewStream([]*samples.Input{in}, samples.StreamOptions{Ordered: true})
	defer st.Close()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	n := 0
	var early, late uint64
	for st.Scan() {
		switch n++; n {
		case 300_000:
			early = heap()
		case 950_000:
			late = heap()
		}
	}
	if n != 1_000_000 {
		t.Fatalf("%d samples", n)
	}
	if grew := int64(late) - int64(early); grew > 12<<20 {
		t.Errorf("live heap grew by %d MB from 300k to 950k samples (%d to %d MB)", grew>>20, early>>20, late>>20)
	}
}
