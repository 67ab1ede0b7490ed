package jtlcsv

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// synthetic builds a JMeter 5.x CSV (17 default columns and one UUID
// sample variable, the shape issue 5 is about) of about size bytes.
func synthetic(size int) []byte {
	r := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect,\"recId\"\n")
	labels := []string{"get token", "upload screen recording", "get recording", "list recordings", "delete recording"}
	urls := []string{"http://127.0.0.1:18080/oauth/token", "http://127.0.0.1:18080/api/v2/recordings/screen", "http://127.0.0.1:18080/api/v2/recordings"}
	ts := int64(1795652504052)
	for b.Len() < size {
		ts += int64(r.Intn(20))
		el := r.Intn(900)
		code, msg, ok := "200", "OK", "true"
		if r.Intn(20) == 0 {
			code, msg, ok = "400", "Bad Request", "false"
		}
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,desktop agents 1-%d,text,%s,,%d,%d,%d,%d,%s,%d,0,%d,%08x-%04x-%04x-%04x-%012x\n",
			ts, el, labels[r.Intn(len(labels))], code, msg, 1+r.Intn(80), ok, 150+r.Intn(300), 400+r.Intn(2000),
			r.Intn(80), r.Intn(80), urls[r.Intn(len(urls))], el/2, r.Intn(50),
			r.Uint32(), r.Intn(1<<16), r.Intn(1<<16), r.Intn(1<<16), r.Int63n(1<<48))
	}
	return b.Bytes()
}

// cpuTime is the user and system CPU time the process has used. On a
// shared machine it says more than the wall clock about the decoder's own
// cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchDecode(b *testing.B, data []byte, opts samples.Options) {
	b.ResetTimer()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	rows := 0
	cpu0 := cpuTime()
	defer func() {
		if rows > 0 {
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(rows), "cpu-ns/row")
			b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(cpuTime()-cpu0).Seconds(), "cpu-MB/s")
		}
	}()
	for i := 0; i < b.N; i++ {
		d, err := NewDecoder(bytes.NewReader(data), "bench", opts)
		if err != nil {
			b.Fatal(err)
		}
		var s samples.Sample
		for {
			err := d.Decode(&s)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}

func BenchmarkDecodeReal(b *testing.B) {
	data, err := os.ReadFile(samplestest.Path(b, "jmeter/s1-concurrency/results.csv"))
	if err != nil {
		b.Fatal(err)
	}
	withSizes(blockSize, parBlockSize, 1<<62, 0, func() {
		benchDecode(b, data, samples.Options{})
	})
}

var (
	synthOnce sync.Once
	synthData []byte
)

// synth is built once, on first use, so that tests do not pay for it.
func synth() []byte {
	synthOnce.Do(func() { synthData = synthetic(64 << 20) })
	return synthData
}

// BenchmarkDecodeSynthetic is the sequential decoder; parallel mode is
// kept out of it.
func BenchmarkDecodeSynthetic(b *testing.B) {
	withSizes(blockSize, parBlockSize, 1<<62, 0, func() {
		benchDecode(b, synth(), samples.Options{})
	})
}

// BenchmarkDecodeParallel is the same file with parallel mode on, as it is
// for a big file (it starts after parallelAfter bytes).
func BenchmarkDecodeParallel(b *testing.B) {
	benchDecode(b, synth(), samples.Options{})
}

// BenchmarkDecodeSummaryNeed reads only what a summary needs.
func BenchmarkDecodeSummaryNeed(b *testing.B) {
	need := samples.FieldStart | samples.FieldElapsed | samples.FieldLabel | samples.FieldCode | samples.FieldSuccess |
		samples.FieldBytes | samples.FieldSentBytes | samples.FieldLatency | samples.FieldConnect | samples.FieldThreads
	benchDecode(b, synth(), samples.Options{Need: need})
}

// BenchmarkCountLines is the floor: what wc -l does, in-process.
func BenchmarkCountLines(b *testing.B) {
	data := synth()
	b.ResetTimer()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		_ = bytes.Count(data, []byte{'\n'})
	}
}

// gocsvRow is the 17 default columns of JMeter 5.x plus recId.
type gocsvRow struct {
	TimeStamp       int64  `csv:"timeStamp"`
	Elapsed         int64  `csv:"elapsed"`
	Label           string `csv:"label"`
	ResponseCode    string `csv:"responseCode"`
	ResponseMessage string `csv:"responseMessage"`
	ThreadName      string `csv:"threadName"`
	DataType        string `csv:"dataType"`
	Success         bool   `csv:"success"`
	FailureMessage  string `csv:"failureMessage"`
	Bytes           int64  `csv:"bytes"`
	SentBytes       int64  `csv:"sentBytes"`
	GrpThreads      int    `csv:"grpThreads"`
	AllThreads      int    `csv:"allThreads"`
	URL             string `csv:"URL"`
	Latency         int64  `csv:"Latency"`
	IdleTime        int64  `csv:"IdleTime"`
	Connect         int64  `csv:"Connect"`
	RecID           string `csv:"recId"`
}

// BenchmarkGocsv decodes the synthetic file with gocsv, which the design
// card asked us to measure on this path.
func BenchmarkGocsv(b *testing.B) {
	b.ReportAllocs()
	data := synth()
	b.ResetTimer()
	b.SetBytes(int64(len(data)))
	rows := 0
	for i := 0; i < b.N; i++ {
		err := gocsv.UnmarshalToCallback(bytes.NewReader(data), func(r gocsvRow) {
			rows++
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}
