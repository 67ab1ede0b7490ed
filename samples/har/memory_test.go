package har

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// repeatReader yields s n times without holding more than s.
type repeatReader struct {
	s   string
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.s[r.off:])
	if r.off += k; r.off == len(r.s) {
		r.off, r.n = 0, r.n-1
	}
	return k, nil
}

// TestMemoryIsFlat streams about 100 MB of entries through the decoder and
// checks that the live heap stays small: nothing grows with the file.
func TestMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	const n = 40_000
	e := entryOf("POST", "https://api.example.com/v1/items/12345", 200,
		`"response": {"status": 200, "headers": [{"name": "Date", "value": "Mon, 01 Jan 2024 00:00:00 GMT"}],
		  "content": {"size": 2000, "text": "`+strings.Repeat("payload ", 250)+`"}}`,
		`"_pad": "`+strings.Repeat("x", 500)+`"`)
	r := io.MultiReader(strings.NewReader(harOf()[:strings.Index(harOf(), "[")+1]),
		&repeatReader{s: e + ",\n", n: n}, strings.NewReader(e+"]}}"))
	d, err := NewDecoder(r, "big.har", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s samples.Sample
	var ms runtime.MemStats
	count := 0
	for {
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if count++; count%10_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > 16<<20 {
				t.Fatalf("live heap %d MB after %d entries", ms.HeapAlloc>>20, count)
			}
		}
	}
	if count != n+1 {
		t.Errorf("%d entries, want %d", count, n+1)
	}
	t.Logf("%d entries, %d MB read, live heap %d KB", count, d.s.off>>20, ms.HeapAlloc>>10)
}
