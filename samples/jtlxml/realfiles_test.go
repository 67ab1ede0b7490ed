package jtlxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/jtlscope/jtlscope/samples"
)

// illegalRef matches the character references to C0 controls that JMeter
// writes and XML 1.0 (and so encoding/xml) rejects.
var illegalRef = regexp.MustCompile(`&#(x0*([0-8bBcCeEfF]|1[0-9a-fA-F])|0*([0-8]|1[124-9]|2[0-9]|3[01]));`)

// independentWalk walks a JTL with encoding/xml (after removing what it
// cannot read) and returns the number of complete top-level samples, the
// number of sub-results in them, and the line of every sample start tag
// in document order. It stops at the first error, as at a cut-off end.
func independentWalk(t *testing.T, data []byte) (top, nested int, lines []int) {
	t.Helper()
	data = illegalRef.ReplaceAll(data, nil)
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, pendingNested, pendingLines := 0, 0, []int(nil)
	counted, line := 0, 1 // lines before data[counted]
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			if err != io.EOF && !strings.Contains(err.Error(), "unexpected EOF") {
				t.Fatalf("encoding/xml: %v", err)
			}
			return
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			isSample := depth == 2 || depth >= 3 && isAlias([]byte(e.Name.Local))
			if !isSample {
				continue
			}
			if depth >= 3 {
				pendingNested++
			}
			lt := int(before) + bytes.IndexByte(data[before:], '<')
			line += bytes.Count(data[counted:lt], []byte{'\n'})
			counted = lt
			pendingLines = append(pendingLines, line)
		case xml.EndElement:
			if depth == 2 {
				top++
				nested += pendingNested
				lines = append(lines, pendingLines...)
				pendingNested, pendingLines = 0, nil
			}
			depth--
		}
	}
}

func TestRealFilesMatchIndependentCount(t *testing.T) {
	for _, path := range xmlFiles(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantTop, wantNested, wantLines := independentWalk(t, data)
			got := decodeAll(t, bytes.NewReader(data), filepath.Base(path), samples.Options{})
			if got.fatal != nil {
				t.Fatal(got.fatal)
			}
			if len(got.samples) != wantTop || nestedCount(got.samples) != wantNested {
				t.Errorf("got %d samples with %d sub-results, encoding/xml counts %d and %d",
					len(got.samples), nestedCount(got.samples), wantTop, wantNested)
			}
			var lines []int
			for i := range got.samples {
				got.samples[i].Walk(func(s *samples.Sample, _ int) {
					lines = append(lines, s.Line)
					if s.Source != filepath.Base(path) {
						t.Errorf("line %d: Source %q", s.Line, s.Source)
					}
				})
			}
			if !reflect.DeepEqual(lines, wantLines) {
				t.Errorf("sample lines differ from the start tags' lines (first few: got %v, want %v)", firstFew(lines), firstFew(wantLines))
			}
			truncated := !bytes.Contains(data, []byte("</testResults>"))
			switch {
			case truncated && len(got.errs) != 1:
				t.Errorf("a cut-off file should give exactly one problem, got %v", got.errs)
			case !truncated && len(got.errs) != 0:
				t.Errorf("problems in a sound file: %v", got.errs)
			}
		})
	}
}

func firstFew(s []int) []int { return s[:min(len(s), 8)] }

// Reading one byte at a time puts every buffer boundary everywhere: inside
// tags, references, CDATA markers. The result must not change.
func TestRealFilesByteAtATime(t *testing.T) {
	for _, path := range xmlFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 300<<10 {
			continue // slow one byte at a time; the small files cover the cases
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := decodeAll(t, bytes.NewReader(data), "f", samples.Options{})
			got := decodeAll(t, iotest.OneByteReader(bytes.NewReader(data)), "f", samples.Options{})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoding one byte at a time differs")
			}
			got = decodeAll(t, iotest.HalfReader(bytes.NewReader(data)), "f", samples.Options{})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoding in half reads differs")
			}
		})
	}
}

// A small buffer makes references, tags and CDATA cross refills in a big
// file, and growing the buffer for a tag longer than it is exercised.
func TestSmallBuffer(t *testing.T) {
	path := filepath.Join(repoData, "jmeter/s6-clean/results.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := decodeAll(t, bytes.NewReader(data), "f", samples.Options{})
	d, _ := NewDecoder(bytes.NewReader(data), "f", samples.Options{})
	d.sc = newScanner(bytes.NewReader(data), samples.MaxRecord)
	d.sc.buf = make([]byte, 37)
	got := drain(t, d)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoding through a 37-byte starting buffer differs")
	}
}

func TestSampleLog1Lines(t *testing.T) {
	got := decodeFile(t, filepath.Join(repoData, "public/jtl-xml/apache__jmeter__bin__testfiles__sample_log1.jtl"), samples.Options{})
	if len(got.samples) != 10000 {
		t.Fatalf("%d samples, the file has one per line on lines 3..10002", len(got.samples))
	}
	for i, s := range got.samples {
		if s.Line != i+3 {
			t.Fatalf("sample %d: line %d, want %d", i, s.Line, i+3)
		}
		if s.Kind != samples.KindHTTP || s.SampleCount != 1 || s.Has&samples.FieldBytes != 0 {
			t.Fatalf("sample %d: %+v", i, s)
		}
	}
}
