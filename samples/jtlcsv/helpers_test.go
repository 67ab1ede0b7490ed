package jtlcsv

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// result is everything one decode produced, in order.
type result struct {
	samples []samples.Sample
	errs    []*samples.ParseError
	fatal   error // the error that ended decoding, if not io.EOF
	meta    samples.Meta
}

// decode reads all of r with a fresh Decoder; samples are cloned, so the
// result is independent of the decoder's reuse of memory.
func decode(t testing.TB, r io.Reader, name string, opts samples.Options) result {
	t.Helper()
	d, err := NewDecoder(r, name, opts)
	if err != nil {
		t.Fatalf("NewDecoder(%s): %v", name, err)
	}
	return drain(t, d)
}

func drain(t testing.TB, d *Decoder) result {
	t.Helper()
	var res result
	for i := 0; ; i++ {
		if i > 50_000_000 {
			t.Fatal("Decode does not reach the end")
		}
		var s samples.Sample
		err := d.Decode(&s)
		if err == nil {
			res.samples = append(res.samples, s.Clone())
			continue
		}
		var pe *samples.ParseError
		if errors.As(err, &pe) {
			res.errs = append(res.errs, pe)
			continue
		}
		if err != io.EOF {
			res.fatal = err
		}
		break
	}
	res.meta = d.Meta()
	return res
}

func decodeString(t testing.TB, data string, opts samples.Options) result {
	t.Helper()
	return decode(t, strings.NewReader(data), "t.jtl", opts)
}

// oneSample decodes data that must give exactly one sample and no errors.
func oneSample(t testing.TB, data string, opts samples.Options) samples.Sample {
	t.Helper()
	res := decodeString(t, data, opts)
	if res.fatal != nil || len(res.errs) > 0 || len(res.samples) != 1 {
		t.Fatalf("want one clean sample, got %d samples, errors %v, fatal %v", len(res.samples), res.errs, res.fatal)
	}
	return res.samples[0]
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasNote(m samples.Meta, sub string) bool {
	for _, n := range m.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}
