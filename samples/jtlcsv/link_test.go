package jtlcsv

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// writer builds a JMeter 5.x CSV the way concurrent threads write it:
// each thread prints its sample's row and then its sub-results' rows with
// separate println calls, so other threads' rows can fall in between.
type writer struct {
	rng     *rand.Rand
	queues  [][]string // per thread, rows not yet written
	parents int        // top-level samples written
	subs    int        // sub-result rows written
	labels  map[string]int
}

// thread queues n samples for thread k; every every-th has two redirect
// hops, as JMeter 5 names them.
func (w *writer) thread(k, n, every int, base int64) {
	name := fmt.Sprintf("Users 1-%d", k+1)
	ts := base + int64(k)*7
	for i := 0; i < n; i++ {
		label := "Other"
		if every > 0 && i%every == 0 {
			label = "HomePage"
		}
		rows := []string{row5(ts, 300, label, name)}
		if label == "HomePage" {
			rows = append(rows, row5(ts, 100, "HomePage-0", name), row5(ts+100, 200, "HomePage-1", name))
			w.subs += 2
		}
		w.parents++
		w.labels[label]++
		w.queues[k] = append(w.queues[k], rows...)
		ts += 350 + int64(w.rng.Intn(50))
	}
}

// interleave writes every queue out, picking the thread of each next row
// at random: an adversarial order, harsher than JMeter's (where only rows
// written in the same few microseconds fall between).
func (w *writer) interleave() string {
	var b strings.Builder
	b.WriteString(h5)
	for {
		var live []int
		for k, q := range w.queues {
			if len(q) > 0 {
				live = append(live, k)
			}
		}
		if len(live) == 0 {
			return b.String()
		}
		k := live[w.rng.Intn(len(live))]
		b.WriteString(w.queues[k][0])
		w.queues[k] = w.queues[k][1:]
	}
}

func newWriter(threads int, seed int64) *writer {
	return &writer{rng: rand.New(rand.NewSource(seed)), queues: make([][]string, threads), labels: map[string]int{}}
}

// TestSubResultsInterleaved is the layout of issue 12: redirect rows of
// some samples come after other threads' rows. 7,000 samples, 25 of them
// with two sub-result rows, must read as 7,000 samples, not 7,050.
func TestSubResultsInterleaved(t *testing.T) {
	w := newWriter(40, 12)
	for k := 0; k < 40; k++ {
		every := 0
		if k < 25 {
			every = 175 // one HomePage per thread among the first 25
		}
		w.thread(k, 175, every, 1700000000000)
	}
	data := w.interleave()
	if w.parents != 7000 || w.subs != 50 || w.labels["HomePage"] != 25 {
		t.Fatalf("generator: %d samples, %d sub-result rows", w.parents, w.subs)
	}
	// The generator must really interleave: some sub-result row comes
	// after another thread's row.
	if !interleaved(data) {
		t.Fatal("no sub-result row is separated from its parent")
	}
	res := decodeString(t, data, samples.Options{})
	if len(res.errs) != 0 || res.fatal != nil {
		t.Fatal(res.errs, res.fatal)
	}
	if len(res.samples) != 7000 {
		t.Fatalf("%d samples, want 7000", len(res.samples))
	}
	home, attached := 0, 0
	for i, s := range res.samples {
		if strings.HasPrefix(s.Label, "HomePage-") {
			t.Fatalf("sub-result row %q left top-level at line %d", s.Label, s.Line)
		}
		if s.Label == "HomePage" {
			home++
			if len(s.Children) != 2 || s.Children[0].Label != "HomePage-0" || s.Children[1].Label != "HomePage-1" ||
				s.Children[0].Thread != s.Thread || s.Children[0].Line <= s.Line || s.Children[1].Line <= s.Children[0].Line {
				t.Errorf("line %d: children %+v", s.Line, s.Children)
			}
		}
		attached += len(s.Children)
		if i > 0 && s.Line <= res.samples[i-1].Line {
			t.Fatalf("samples out of file order: line %d after %d", s.Line, res.samples[i-1].Line)
		}
	}
	if home != 25 || attached != 50 || !hasNote(res.meta, "50 sub-result rows") {
		t.Errorf("%d HomePage samples, %d sub-results attached, notes %v", home, attached, res.meta.Notes)
	}
	// Parallel mode groups the same way, whatever the block boundaries.
	for _, block := range []int{64, 1000, 4096} {
		sameResults(t, []byte(data), samples.Options{}, block)
	}
}

// interleaved reports whether some "-N" row does not follow its parent or
// sibling directly.
func interleaved(data string) bool {
	lines := strings.Split(data, "\n")
	for i := 2; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		if len(f) > 5 && strings.HasPrefix(f[2], "HomePage-") && !strings.HasPrefix(strings.Split(lines[i-1], ",")[2], "HomePage") {
			return true
		}
	}
	return false
}

// TestSubResultsManyThreads: every sample has sub-results and 300 threads
// interleave at random; every row finds its parent.
func TestSubResultsManyThreads(t *testing.T) {
	w := newWriter(300, 3)
	for k := 0; k < 300; k++ {
		w.thread(k, 20, 1, 1700000000000)
	}
	res := decodeString(t, w.interleave(), samples.Options{})
	if len(res.samples) != w.parents {
		t.Fatalf("%d samples, want %d", len(res.samples), w.parents)
	}
	for _, s := range res.samples {
		if len(s.Children) != 2 {
			t.Fatalf("line %d %s: %d children", s.Line, s.Label, len(s.Children))
		}
	}
}

// TestSubResultWindow: a row that would fit a parent more than
// groupWindow rows back is not attached (the parent was handed out), and
// a broken row between a parent and its sub-result neither stops the
// grouping nor leaves its place in the order.
func TestSubResultWindow(t *testing.T) {
	base := int64(1700000000000)
	var b strings.Builder
	b.WriteString(h5)
	b.WriteString(row5(base, 900000, "Long", "A 1-1"))
	for i := 0; i < groupWindow; i++ {
		b.WriteString(row5(base+int64(i), 5, "x", fmt.Sprintf("B 1-%d", i)))
	}
	b.WriteString(row5(base, 10, "Long-0", "A 1-1"))
	res := decodeString(t, b.String(), samples.Options{})
	if len(res.samples) != groupWindow+2 || len(res.samples[0].Children) != 0 || res.samples[len(res.samples)-1].Label != "Long-0" {
		t.Fatalf("%d samples; first has %d children", len(res.samples), len(res.samples[0].Children))
	}

	data := h5 + row5(base, 500, "Home", "T 1-1") + row5(base, 5, "y", "T 1-2") + "1,2,broken\n" +
		row5(base, 100, "Home-0", "T 1-1") + row5(base+600, 5, "z", "T 1-1")
	d, err := NewDecoder(strings.NewReader(data), "t.jtl", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for {
		var s samples.Sample
		err := d.Decode(&s)
		if err != nil {
			if _, ok := err.(*samples.ParseError); ok {
				order = append(order, "error")
				continue
			}
			break
		}
		order = append(order, fmt.Sprintf("%s/%d", s.Label, len(s.Children)))
	}
	if strings.Join(order, " ") != "Home/1 y/0 error z/0" {
		t.Errorf("order %v", order)
	}
}

// TestGrouperBounded: thread names come from the input; a new one on every
// row keeps the grouper's memory bounded, and every row still comes out.
func TestGrouperBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(h5)
	const rows = 6 * groupWindow
	for i := 0; i < rows; i++ {
		b.WriteString(row5(1700000000000+int64(i), 5, "x", fmt.Sprintf("T %d-1", i)))
	}
	d, err := NewDecoder(strings.NewReader(b.String()), "t.jtl", samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, most := 0, 0
	for {
		var s samples.Sample
		if err := d.Decode(&s); err != nil {
			break
		}
		n++
		g := d.src.(*grouper)
		most = max(most, len(g.open))
	}
	if n != rows || most > 4*groupWindow {
		t.Errorf("%d samples of %d; up to %d threads remembered", n, rows, most)
	}
}

// maybeChild only filters rows before the full check: every label that
// isChildLabel accepts must pass it.
func TestMaybeChildAdmitsEveryChildLabel(t *testing.T) {
	parents := []string{"", "a", "-", "1", "get-1", "x-", "Buy ticket", "ü-ß"}
	for _, p := range parents {
		for n := 0; n < 120; n++ {
			for _, l := range []string{p + "-" + itoa(n), p + "-0" + itoa(n), p + "-" + itoa(n) + "x", p + itoa(n)} {
				if isChildLabel(l, p, n) && !maybeChild(l) {
					t.Errorf("maybeChild(%q) = false, but it is child %d of %q", l, n, p)
				}
			}
		}
	}
	for _, l := range []string{"", "a", "7", "a-", "a-b", "ab12"} {
		if maybeChild(l) {
			t.Errorf("maybeChild(%q) = true", l)
		}
	}
}
