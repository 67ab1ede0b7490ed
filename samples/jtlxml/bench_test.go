package jtlxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// bigRun is a real JMeter run dominated by header and body text.
func bigRun(b *testing.B) string { return samplestest.Path(b, "jmeter/s1-concurrency/results.xml") }

func readBench(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		b.Skipf("%s is absent", path)
	}
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchDecode(b *testing.B, path string, opts samples.Options) {
	data := readBench(b, path)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var s samples.Sample
	for b.Loop() {
		d, err := NewDecoder(bytes.NewReader(data), "bench", opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			err := d.Decode(&s)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeRun(b *testing.B) { benchDecode(b, bigRun(b), samples.Options{}) }
func BenchmarkDecodeSampleLog1(b *testing.B) {
	benchDecode(b, "../testdata/public/jtl-xml/apache__jmeter__bin__testfiles__sample_log1.jtl", samples.Options{})
}

// BenchmarkDecodeRunSummary asks only for what a summary needs, so headers
// and bodies are skipped, not materialised.
func BenchmarkDecodeRunSummary(b *testing.B) {
	need := samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode | samples.FieldSuccess
	benchDecode(b, bigRun(b), samples.Options{Need: need})
}

// BenchmarkEncodingXML is the baseline: encoding/xml's Decoder walking the
// same file token by token, without even building samples.
func BenchmarkEncodingXML(b *testing.B) {
	data := readBench(b, bigRun(b))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
