package ids

import (
	"fmt"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// uploads returns n s8-style uploads with distinct UUIDs, 10 threads,
// 50 ms apart: what Observe sees in a run like s1-concurrency.
func uploads(n int) []samples.Sample {
	out := make([]samples.Sample, n)
	for i := range out {
		id := fmt.Sprintf("%08x-b3e8-4de8-8406-ca78b21dcdb5", i)
		s := at(upload(id, "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz"), fmt.Sprintf("desktop agents 1-%d", i%10), i*50, 400)
		out[i] = s
	}
	return out
}

// BenchmarkObserveUpload is the typical upload of the real runs: headers
// with a bearer token, a three-part multipart body, one variable.
// Requests cycle through 4096 IDs, so the maps reach their steady size.
func BenchmarkObserveUpload(b *testing.B) {
	reqs := uploads(4096)
	tr := New(Options{})
	b.SetBytes(int64(len(reqs[0].RequestBody)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Observe(&reqs[i&4095])
		i++
	}
}

// BenchmarkObserveFresh never repeats an ID: the per-value map grows, as
// it does over a long run of fresh UUIDs.
func BenchmarkObserveFresh(b *testing.B) {
	tr := New(Options{})
	s := upload("x", "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz")
	s.Start, s.Elapsed = t0, 400*time.Millisecond
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-b3e8-4de8-8406-ca78b21dcdb5", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := ids[i&(1<<20-1)]
		s.RequestHeaders[2].Value = id
		s.Vars[0].Value = id
		tr.Observe(&s)
		i++
	}
}

// BenchmarkObserveCSVRow is a CSV JTL row: a URL and one variable.
func BenchmarkObserveCSVRow(b *testing.B) {
	reqs := make([]samples.Sample, 4096)
	for i := range reqs {
		id := fmt.Sprintf("%08x-b3e8-4de8-8406-ca78b21dcdb5", i)
		reqs[i] = at(getRecording(id), "desktop agents 1-1", i*10, 5)
		reqs[i].RequestHeaders = nil
	}
	tr := New(Options{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Observe(&reqs[i&4095])
		i++
	}
}

func BenchmarkExtractUpload(b *testing.B) {
	s := upload("aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", "zDcTLFx9A-6p1U60Byut-rf9MYSMMGxAz")
	var x Extractor
	b.SetBytes(int64(len(s.RequestBody)))
	b.ReportAllocs()
	for b.Loop() {
		x.Extract(&s)
	}
}

func BenchmarkClassify(b *testing.B) {
	values := []string{"aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", "rec-0001", "screen", "V1StGXR8_Z5jdHi6B-myT", "keep-alive", "1795653120373"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Classify("", values[i%len(values)])
		i++
	}
}
