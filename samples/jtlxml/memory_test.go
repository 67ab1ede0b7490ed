package jtlxml

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// repeatReader serves head, then body n times, then tail, without holding
// more than one copy: a file of any size from a few kilobytes.
type repeatReader struct {
	parts [][]byte
	body  []byte
	n     int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.parts) > 0 && len(r.parts[0]) == 0 {
		r.parts = r.parts[1:]
		if r.n > 0 {
			r.n--
			r.parts = append([][]byte{r.body}, r.parts...)
		}
	}
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	return n, nil
}

// Memory must not grow with the file: decode a long stream (about 150 MB
// of real samples, repeated) and watch the live heap.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 150 MB")
	}
	data, err := os.ReadFile(filepath.Join(repoData, "jmeter/s6-clean/results.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const envelope = len(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<testResults version="1.2">` + "\n")
	body := data[envelope : len(data)-len("\n</testResults>\n")]
	r := &repeatReader{parts: [][]byte{data[:envelope], {}, []byte("\n</testResults>\n")}, body: body, n: 100}
	d, _ := NewDecoder(r, "big", samples.Options{})
	var s samples.Sample
	var heap []uint64
	n := 0
	for ; ; n++ {
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n%20000 == 0 {
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			heap = append(heap, m.HeapAlloc)
		}
	}
	if n != 100*1138 {
		t.Fatalf("%d samples, want 100 times the run's 1138", n)
	}
	t.Logf("live heap every 20000 samples: %v", heap)
	// After warming up, the heap holds the buffer, scratch and the
	// interner: a few MB, the same at the end as at the start.
	first, last := heap[1], heap[len(heap)-1]
	if last > first+4<<20 || last > 32<<20 {
		t.Errorf("live heap grew from %d to %d bytes over the stream: %v", first, last, heap)
	}
}
