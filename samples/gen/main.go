package main

import (
	"bufio"
	"container/heap"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	size     int64
	format   string
	scenario string
	columns  string
	threads  int
	seed     uint64
	out      string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	size := fs.String("size", "100MB", "approximate output `size`: 500KB, 100MB, 1GB")
	fs.StringVar(&o.format, "format", "csv", "`format`: csv, xml or har")
	fs.StringVar(&o.scenario, "scenario", "concurrency", "failure mode: clean, concurrency, token, dupid, boundary or rate")
	fs.StringVar(&o.columns, "columns", "5", "CSV `columns`: 5 (JMeter 5.x's default 17 and recId) or 2.13 (the real runs': JMeter 2.13 with Hostname and Connect, and recId)")
	fs.IntVar(&o.threads, "threads", 200, "peak JMeter `threads`")
	fs.Uint64Var(&o.seed, "seed", 1, "random `seed`")
	fs.StringVar(&o.out, "o", "-", "output `file` (- for stdout)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if o.size, err = parseSize(*size); err != nil {
		fmt.Fprintln(stderr, "gen:", err)
		return 2
	}
	switch o.format {
	case "csv", "xml", "har":
	default:
		fmt.Fprintf(stderr, "gen: -format %q: want csv, xml or har\n", o.format)
		return 2
	}
	if o.columns != "5" && o.columns != "2.13" {
		fmt.Fprintf(stderr, "gen: -columns %q: want 5 or 2.13\n", o.columns)
		return 2
	}
	switch o.scenario {
	case "clean", "concurrency", "token", "dupid", "boundary", "rate":
	default:
		fmt.Fprintf(stderr, "gen: -scenario %q: want clean, concurrency, token, dupid, boundary or rate\n", o.scenario)
		return 2
	}
	w := stdout
	var f *os.File
	if o.out != "-" {
		if f, err = os.Create(o.out); err != nil {
			fmt.Fprintln(stderr, "gen:", err)
			return 1
		}
		w = f
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	n, err := generate(bw, cw, o)
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "gen:", err)
		return 1
	}
	fmt.Fprintf(stderr, "gen: %d samples, %d bytes\n", n, cw.n)
	return 0
}

func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			mult, s = u.m, strings.TrimSuffix(s, u.suffix)
			break
		}
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || x <= 0 {
		return 0, fmt.Errorf("-size %q: want e.g. 100MB or 1GB", s)
	}
	return int64(x * float64(mult)), nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sample is one simulated result.
type sample struct {
	start, elapsed, latency, connect int64 // ms
	label                            int   // index into labels
	code                             int
	ok                               bool
	thread                           int
	grp, all                         int
	recID                            string
	token                            string
	boundary, headerBoundary         string
	retryAfter                       bool
}

var labels = []string{"get token", "upload screen recording", "get recording"}

// thread is one simulated JMeter thread: it loops over get token (once),
// upload, get recording, with think time between samples.
type thread struct {
	id      int
	next    sample // the sample it is running; end = start+elapsed
	step    int
	recID   string
	token   string
	tokenAt int64
	legacy  bool
}

type byEnd []*thread

func (h byEnd) Len() int { return len(h) }
func (h byEnd) Less(i, j int) bool {
	return h[i].next.start+h[i].next.elapsed < h[j].next.start+h[j].next.elapsed
}
func (h byEnd) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *byEnd) Push(x any)   { *h = append(*h, x.(*thread)) }
func (h *byEnd) Pop() any     { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }

// sim holds the state of the simulated test.
type sim struct {
	o        options
	rng      *rand.Rand
	t0       int64
	rampMS   int64
	inflight int // uploads in flight, for the concurrency scenario
	ids      []string
	idNext   int
	shared   string // the setUp thread's token (token scenario)
	perSec   map[int64]int
}

func generate(w *bufio.Writer, cw *countWriter, o options) (int64, error) {
	s := &sim{o: o, rng: rand.New(rand.NewPCG(o.seed, 42)), t0: 1_795_652_504_000, rampMS: 60_000, perSec: map[int64]int{}}
	if o.scenario == "dupid" {
		for i := 0; i < 40; i++ {
			s.ids = append(s.ids, s.uuid())
		}
	}
	if o.scenario == "token" {
		s.shared = s.jwt(s.t0)
	}
	enc := newEncoder(o.format, o.columns, w)
	if err := enc.begin(); err != nil {
		return 0, err
	}
	if o.scenario == "token" {
		setup := sample{start: s.t0 - 10, elapsed: 8, latency: 8, connect: 4, label: 0, code: 200, ok: true, thread: 0, grp: 1, all: 1}
		if err := enc.sample(&setup); err != nil {
			return 0, err
		}
	}
	h := &byEnd{}
	for i := 0; i < o.threads; i++ {
		th := &thread{id: i + 1, legacy: o.scenario == "boundary" && i%4 == 3}
		startAt := s.t0 + int64(i)*s.rampMS/int64(o.threads)
		s.begin(th, startAt)
		heap.Push(h, th)
	}
	var n int64
	for cw.n+int64(w.Buffered()) < o.size {
		th := heap.Pop(h).(*thread)
		smp := th.next
		if smp.label == 1 {
			s.inflight--
		}
		if err := enc.sample(&smp); err != nil {
			return n, err
		}
		n++
		end := smp.start + smp.elapsed
		s.begin(th, end+150+s.rng.Int64N(100)) // think time
		heap.Push(h, th)
	}
	return n, enc.end()
}

// begin starts th's next sample at ms.
func (s *sim) begin(th *thread, at int64) {
	active := s.activeAt(at)
	smp := sample{start: at, thread: th.id, grp: active, all: active, ok: true}
	if th.step == 0 && s.o.scenario == "token" {
		// One token for everyone, fetched by a setUp thread group.
		th.token, th.tokenAt, th.step = s.shared, s.t0, 1
	}
	switch th.step {
	case 0:
		smp.label, smp.code = 0, 200
		smp.elapsed = 3 + s.rng.Int64N(5)
		smp.connect = smp.elapsed / 2
		th.tokenAt = at + smp.elapsed
		th.token = s.jwt(th.tokenAt)
		th.step = 1
	case 1:
		smp.label = 1
		smp.recID = s.nextID()
		th.recID = smp.recID
		smp.token = th.token
		smp.boundary = s.boundary()
		smp.headerBoundary = smp.boundary
		s.inflight++
		smp.elapsed = 60 + s.rng.Int64N(30) + int64(s.inflight)/4
		smp.code = 201
		switch s.o.scenario {
		case "concurrency":
			if s.inflight > s.o.threads/3 {
				smp.code, smp.elapsed = 400, 10+s.rng.Int64N(10)
			}
		case "token":
			if at-th.tokenAt > 40_000 {
				smp.code, smp.elapsed = 400, 5+s.rng.Int64N(5)
			}
		case "dupid":
			if s.idNext > len(s.ids) {
				smp.code = 400
			}
		case "boundary":
			if th.legacy {
				smp.headerBoundary = "----legacyBoundary7MA4YWxk"
				smp.code = 400
			}
		case "rate":
			sec := at / 1000
			s.perSec[sec]++
			if s.perSec[sec] > s.o.threads {
				smp.code, smp.retryAfter, smp.elapsed = 429, true, 2
			}
		}
		th.step = 2
	case 2:
		smp.label, smp.code = 2, 200
		smp.recID = th.recID
		smp.token = th.token
		smp.elapsed = 1 + s.rng.Int64N(4)
		th.step = 1
	}
	smp.ok = smp.code < 400
	smp.latency = smp.elapsed - s.rng.Int64N(2)
	if smp.latency < 0 {
		smp.latency = 0
	}
	if smp.recID == "" {
		smp.recID = th.recID
	}
	th.next = smp
}

// activeAt is JMeter's active thread count at ms: threads start evenly
// over the ramp-up and run to the end.
func (s *sim) activeAt(ms int64) int {
	n := int((ms-s.t0)*int64(s.o.threads)/s.rampMS) + 1
	return max(1, min(n, s.o.threads))
}

func (s *sim) nextID() string {
	if s.o.scenario == "dupid" {
		id := s.ids[s.idNext%len(s.ids)]
		s.idNext++
		return id
	}
	return s.uuid()
}

func (s *sim) uuid() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	const hex = "0123456789abcdef"
	var buf [36]byte
	j := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			buf[j] = '-'
			j++
		}
		x := a
		if i >= 16 {
			x = b
		}
		buf[j] = hex[(x>>(4*(i%16)))&15]
		j++
	}
	buf[14] = '4'
	return string(buf[:])
}

func (s *sim) boundary() string {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	var b [30]byte
	for i := range b {
		b[i] = alpha[s.rng.IntN(len(alpha))]
	}
	return string(b[:])
}

// jwt makes an HS256-shaped token issued at ms; the signature is random.
func (s *sim) jwt(ms int64) string {
	iat := ms / 1000
	payload := fmt.Sprintf(`{"iss":"gen","sub":"client","iat":%d,"exp":%d,"jti":"%x"}`, iat, iat+86400, s.rng.Uint64())
	return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + b64(payload) + "." + b64(s.boundary())
}

func b64(s string) string {
	const tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []byte
	for i := 0; i < len(s); i += 3 {
		var v uint32
		n := min(3, len(s)-i)
		for j := 0; j < 3; j++ {
			v <<= 8
			if j < n {
				v |= uint32(s[i+j])
			}
		}
		for j := 0; j <= n; j++ {
			out = append(out, tbl[(v>>(18-6*j))&63])
		}
	}
	return string(out)
}
