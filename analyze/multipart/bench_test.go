package multipart

import (
	"strconv"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// BenchmarkInspect checks a real JMeter upload body (desktop agents,
// s4-boundary): three parts, the file part a placeholder.
func BenchmarkInspect(b *testing.B) {
	ct, body := readTestdata(b, "jmeter-desktop.txt")
	req := saved(ct, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Inspect(req)
	}
}

// BenchmarkInspectMismatch checks the legacy agents' body, whose
// boundary has to be guessed.
func BenchmarkInspectMismatch(b *testing.B) {
	ct, body := readTestdata(b, "jmeter-legacy.txt")
	req := saved(ct, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Inspect(req)
	}
}

// BenchmarkObserveNotMultipart is the cost on the many requests that are
// not uploads: a GET with headers and no body.
func BenchmarkObserveNotMultipart(b *testing.B) {
	s := samples.Sample{Code: "200", Has: samples.FieldRequestHeaders, RequestBodyIs: samples.BodySaved,
		RequestHeaders: []samples.Header{{Name: "Connection", Value: "keep-alive"}, {Name: "Authorization", Value: "Bearer x"}, {Name: "Host", Value: "h"}}}
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		c.Observe(&s)
	}
}

// BenchmarkObserve runs the accumulator over 1024 JMeter uploads in turn.
// After the first round every boundary has been seen, so each request
// also takes the dearer path of a boundary-reused anomaly.
func BenchmarkObserve(b *testing.B) {
	_, body := readTestdata(b, "jmeter-desktop.txt")
	const n = 1024
	ss := make([]samples.Sample, n)
	for i := range ss {
		bd := "bench" + strconv.Itoa(i)
		ss[i] = upload(i, "t", formData(bd)+"; charset=US-ASCII", bodyWith(bd), "201")
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	c := New()
	i := 0
	for b.Loop() {
		c.Observe(&ss[i%n])
		i++
	}
}
