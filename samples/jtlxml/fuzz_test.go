package jtlxml

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// fuzzRecord keeps the fuzzer's memory small: a sample element past it is
// skipped, as one past samples.MaxRecord is in real use.
const fuzzRecord = 1 << 20

func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(repoData, "public/jtl-xml/*"))
	more := samplestest.Glob(f, "public/jtl-xml/*")
	runs := samplestest.Glob(f, "jmeter/*/results.xml")
	for _, p := range append(append(paths, more...), runs...) {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if len(data) > 16<<10 {
			data = data[:16<<10] // the start shows the structure; the fuzzer mutates from there
		}
		f.Add(data)
	}
	for _, s := range []string{
		jtl(`<httpSample t="1" lb="a&#x1;"><responseData><![CDATA[x]]>&amp;&#0;</responseData><sample lb="c"/></httpSample>`),
		jtl(`<httpSample t="2" lb="b s="true"/>`),
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><!DOCTYPE x [<!ENTITY e \"&e;&e;\">]><testResults><sample lb=\"&e;\"/>",
		jtl(`<com.x.SampleResult><label>p</label><subResults><com.x.SampleResult/></subResults></com.x.SampleResult>`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := fuzzDecode(t, data, false)
		if len(data) <= 4<<10 {
			again := fuzzDecode(t, data, true)
			if !reflect.DeepEqual(got, again) {
				t.Fatalf("one-byte reads give a different result")
			}
		}
	})
}

// fuzzDecode decodes data whole, or through one-byte reads.
func fuzzDecode(t *testing.T, data []byte, oneByte bool) decoded {
	var r io.Reader = bytes.NewReader(data)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	size := len(data)
	d, err := NewDecoder(r, "fuzz", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.maxRecord = fuzzRecord
	// A small buffer to start with: cheap, and every refill and growth
	// path runs.
	d.sc.buf = make([]byte, 256)
	var out decoded
	// Every sample or problem returned stands for input consumed, so the
	// number of calls is bounded by the size.
	for calls := 0; ; calls++ {
		if calls > 2*size+64 {
			t.Fatalf("%d calls for %d bytes: the decoder does not make progress", calls, size)
		}
		var s samples.Sample
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		var pe *samples.ParseError
		if errors.As(err, &pe) {
			if pe.File != "fuzz" || pe.Offset < 0 || pe.Line < 0 {
				t.Fatalf("bad problem position: %#v", pe)
			}
			out.errs = append(out.errs, pe)
			continue
		}
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		s.Walk(func(c *samples.Sample, depth int) {
			if c.Line < 1 || c.Source != "fuzz" || depth >= maxDepth {
				t.Fatalf("sample at depth %d: line %d source %q", depth, c.Line, c.Source)
			}
			if len(c.RequestBody) > samples.MaxBody || len(c.ResponseBody) > samples.MaxBody {
				t.Fatalf("body over MaxBody")
			}
		})
		out.samples = append(out.samples, s)
	}
	if err := d.Decode(new(samples.Sample)); err != io.EOF {
		t.Fatalf("after io.EOF: %v", err)
	}
	// Positions count the bytes read, so they can be checked against the
	// input, unless a declared encoding had the scanner read it decoded.
	if d.sc.rd == r {
		for _, pe := range out.errs {
			if !placed(data, pe) {
				t.Fatalf("misplaced: %v (line %d column %d offset %d)", pe, pe.Line, pe.Column, pe.Offset)
			}
		}
	}
	return out
}

// placed reports whether the line and column of pe (0: not known) are
// those of its offset, counted afresh in data.
func placed(data []byte, pe *samples.ParseError) bool {
	if pe.Offset > int64(len(data)) {
		return false
	}
	before := data[:pe.Offset]
	if pe.Line != bytes.Count(before, []byte("\n"))+1 {
		return false
	}
	return pe.Column == 0 || pe.Column == len(before)-bytes.LastIndexByte(before, '\n')
}
