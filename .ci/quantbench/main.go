// Command quantbench measures the sketches considered for the report's
// per-window and per-level percentiles (issue 14): accuracy against the
// exact LEGACY quantile on real windows, speed of Add, and memory per
// window. It is a separate module so that the candidates it imports do
// not become dependencies of jtlscope.
//
//	cd .ci/quantbench && go run . ../../../shared/data/jmeter/*/results.csv
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/jtlscope/jtlscope/analyze/stats"
	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/har"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
)

type candidate struct {
	name string
	make func() sketch
}

type sketch interface {
	add(d time.Duration)
	quantile(p float64) float64 // ms
}

// loghist8 is the timeline's old histogram: 8 buckets per octave, value
// from the bucket's geometric middle.
type loghist8 struct {
	counts [256]uint32
	n      uint32
}

func (h *loghist8) add(d time.Duration) {
	us := float64(d) / 1e3
	b := 0
	if us >= 1 {
		b = min(int(math.Log2(us)*8), 255)
	}
	h.counts[b]++
	h.n++
}

func (h *loghist8) quantile(p float64) float64 {
	rank := uint32(math.Max(1, math.Ceil(p*float64(h.n))))
	var cum uint32
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			if i == 0 {
				return 0.0005
			}
			return math.Exp2((float64(i)+0.5)/8) / 1000
		}
	}
	return 0
}

type home struct{ s stats.Sketch }

func (h *home) add(d time.Duration)        { h.s.Add(d) }
func (h *home) quantile(p float64) float64 { return h.s.Quantile(p) }
func newHome() sketch                      { h := &home{}; h.s.Compact(); return h }

type dd struct{ s *ddsketch.DDSketch }

func (h dd) add(d time.Duration) { _ = h.s.Add(float64(d) / 1e6) }
func (h dd) quantile(p float64) float64 {
	v, err := h.s.GetValueAtQuantile(p)
	if err != nil {
		return math.NaN()
	}
	return v
}

type hdr struct{ h *hdrhistogram.Histogram }

func (h hdr) add(d time.Duration) { _ = h.h.RecordValue(int64(d / time.Microsecond)) }
func (h hdr) quantile(p float64) float64 {
	return float64(h.h.ValueAtQuantile(100*p)) / 1e3
}

var candidates = []candidate{
	{"loghist 8/octave (old timeline)", func() sketch { return &loghist8{} }},
	{"stats.Sketch 64/octave (home-made)", newHome},
	{"DDSketch 1% (sketches-go, dense)", func() sketch {
		s, _ := ddsketch.NewDefaultDDSketch(0.01)
		return dd{s}
	}},
	{"DDSketch 0.5% (sketches-go, dense)", func() sketch {
		s, _ := ddsketch.NewDefaultDDSketch(0.005)
		return dd{s}
	}},
	{"HdrHistogram 2 digits (hdrhistogram-go)", func() sketch {
		return hdr{hdrhistogram.New(1, 3_600_000_000, 2)}
	}},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: quantbench FILE...")
		os.Exit(2)
	}
	// Windows of 1 s per file, every request's elapsed time.
	var windows [][]time.Duration
	var all []time.Duration
	for _, name := range os.Args[1:] {
		st, err := samples.OpenStream([]string{name}, samples.StreamOptions{Ordered: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		byWin := map[int64][]time.Duration{}
		var origin time.Time
		for st.Scan() {
			st.Sample().Requests(func(r *samples.Sample) {
				if origin.IsZero() {
					origin = r.Start
				}
				w := int64(r.Start.Sub(origin) / time.Second)
				byWin[w] = append(byWin[w], r.Elapsed)
				all = append(all, r.Elapsed)
			})
		}
		st.Close()
		keys := make([]int64, 0, len(byWin))
		for k := range byWin {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			windows = append(windows, byWin[k])
		}
	}
	_ = context.Background()
	ps := []float64{0.5, 0.9, 0.95, 0.99}
	fmt.Printf("%d windows, %d values\n\n", len(windows), len(all))
	fmt.Printf("| %-40s | %14s | %14s | %14s | %12s | %10s | %12s |\n", "sketch", "max error LEGACY", "p99 error LEGACY", "max error rank", "outside min–max", "ns/Add", "bytes/window")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|\n", dashes(42), dashes(18), dashes(18), dashes(16), dashes(17), dashes(12), dashes(14))
	for _, c := range candidates {
		var errs, rankErrs []float64
		outside := 0
		for _, w := range windows {
			sorted := slices.Clone(w)
			slices.Sort(sorted)
			s := c.make()
			for _, v := range w {
				s.add(v)
			}
			lo, hi := float64(sorted[0])/1e6, float64(sorted[len(sorted)-1])/1e6
			for _, p := range ps {
				exact, _ := stats.QuantileSorted(sorted, p)
				exact /= 1e6
				got := s.quantile(p)
				if got < lo-1e-9 || got > hi+1e-9 {
					outside++
				}
				if exact > 0 {
					errs = append(errs, math.Abs(got-exact)/exact)
				}
				// Against the order statistics around rank p·(n−1), the
				// ones a rank-based sketch estimates: how accurate its
				// buckets are, whatever the estimator.
				r := p * float64(len(sorted)-1)
				a, b := float64(sorted[int(math.Floor(r))])/1e6, float64(sorted[int(math.Ceil(r))])/1e6
				switch {
				case got < a && a > 0:
					rankErrs = append(rankErrs, (a-got)/a)
				case got > b && b > 0:
					rankErrs = append(rankErrs, (got-b)/b)
				default:
					rankErrs = append(rankErrs, 0)
				}
			}
		}
		sort.Float64s(errs)
		sort.Float64s(rankErrs)
		// speed: add every value to one sketch per window, in a loop
		start := time.Now()
		n := 0
		for time.Since(start) < time.Second {
			for _, w := range windows {
				s := c.make()
				for _, v := range w {
					s.add(v)
				}
				n += len(w)
			}
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(n)
		// memory: keep one sketch per window alive
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		keep := make([]sketch, len(windows))
		for i, w := range windows {
			keep[i] = c.make()
			for _, v := range w {
				keep[i].add(v)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		bytes := float64(m1.HeapAlloc-m0.HeapAlloc) / float64(len(windows))
		runtime.KeepAlive(keep)
		fmt.Printf("| %-40s | %15.3f%% | %15.3f%% | %13.3f%% | %15d | %10.1f | %12.0f |\n", c.name, 100*errs[len(errs)-1], 100*errs[int(0.99*float64(len(errs)-1))], 100*rankErrs[len(rankErrs)-1], outside, ns, bytes)
	}
}

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}
