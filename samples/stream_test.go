package samples

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lines is a test format: one sample per line, "start-ms elapsed-ms label",
// "#"-lines are ParseErrors, "!" ends the input with a read error. It
// exists so that Open and Stream can be tested without the real decoders.
type lines struct {
	sc   *bufio.Scanner
	name string
	line int
	err  error
}

func init() {
	Register(Format{
		Name:     "lines",
		Priority: 1000,
		Sniff:    func(head []byte) bool { return bytes.HasPrefix(head, []byte("LINES\n")) },
		New: func(r io.Reader, name string, opts Options) (Decoder, error) {
			d := &lines{sc: bufio.NewScanner(r), name: name}
			d.sc.Scan() // the magic line
			d.line = 1
			return d, nil
		},
	})
}

func (d *lines) Meta() Meta { return Meta{Format: "lines"} }

func (d *lines) Decode(s *Sample) error {
	if d.err != nil {
		return d.err
	}
	*s = Sample{}
	if !d.sc.Scan() {
		d.err = io.EOF
		if err := d.sc.Err(); err != nil {
			d.err = err
		}
		return d.err
	}
	d.line++
	t := d.sc.Text()
	switch {
	case strings.HasPrefix(t, "#"):
		return &ParseError{File: d.name, Line: d.line, Msg: t[1:]}
	case t == "!":
		d.err = errors.New("disk on fire")
		return d.err
	}
	f := strings.Fields(t)
	start, _ := strconv.ParseInt(f[0], 10, 64)
	el, _ := strconv.ParseInt(f[1], 10, 64)
	s.Start = time.UnixMilli(start)
	s.Elapsed = time.Duration(el) * time.Millisecond
	s.Label = f[2]
	s.Line = d.line
	s.Source = d.name
	return nil
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func collect(t *testing.T, st *Stream) []Sample {
	t.Helper()
	var out []Sample
	for st.Scan() {
		out = append(out, st.Sample().Clone())
	}
	return out
}

// jmeterOrder writes samples the way JMeter does: in end order, stamped
// with their start.
func jmeterOrder(rng *rand.Rand, n int, base int64) (string, []int64) {
	type smp struct{ start, el int64 }
	var ss []smp
	t := base
	for i := 0; i < n; i++ {
		t += int64(rng.Intn(20))
		ss = append(ss, smp{t, int64(rng.Intn(3000))})
	}
	// sort by end
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j].start+ss[j].el < ss[j-1].start+ss[j-1].el; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
	var b strings.Builder
	b.WriteString("LINES\n")
	var starts []int64
	for i, s := range ss {
		fmt.Fprintf(&b, "%d %d s%d\n", s.start, s.el, i)
		starts = append(starts, s.start)
	}
	return b.String(), starts
}

func TestStreamOrderedMergesInStartOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a, sa := jmeterOrder(rng, 3000, 1_000_000)
	b, sb := jmeterOrder(rng, 2000, 1_000_500)
	pa := writeFile(t, "a.jtl", a)
	pb := writeFile(t, "b.jtl", b)
	st, err := OpenStream([]string{pa, pb}, StreamOptions{Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := collect(t, st)
	if len(got) != len(sa)+len(sb) {
		t.Fatalf("got %d samples, want %d", len(got), len(sa)+len(sb))
	}
	bySource := map[string]int{}
	for i, s := range got {
		bySource[s.Source]++
		if i > 0 && s.Start.Before(got[i-1].Start) {
			t.Fatalf("sample %d (%s:%d) starts %v before the previous one %v", i, s.Source, s.Line, s.Start, got[i-1].Start)
		}
	}
	if bySource[pa] != len(sa) || bySource[pb] != len(sb) {
		t.Errorf("per-source counts %v, want %d and %d", bySource, len(sa), len(sb))
	}
	if st.Problems().Late != 0 {
		t.Errorf("Late = %d, want 0: the window should cover JMeter's write order", st.Problems().Late)
	}
}

func TestStreamUnorderedDeliversEverything(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	var paths []string
	want := 0
	for i := 0; i < 3; i++ {
		c, s := jmeterOrder(rng, 1000+i*517, 5_000)
		paths = append(paths, writeFile(t, fmt.Sprintf("f%d", i), c))
		want += len(s)
	}
	st, err := OpenStream(paths, StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := map[string]bool{}
	n := 0
	for st.Scan() {
		s := st.Sample()
		key := fmt.Sprintf("%s:%d", s.Source, s.Line)
		if seen[key] {
			t.Fatalf("%s delivered twice", key)
		}
		seen[key] = true
		n++
	}
	if n != want {
		t.Fatalf("got %d samples, want %d", n, want)
	}
}

func TestStreamCollectsProblemsAndGoesOn(t *testing.T) {
	p := writeFile(t, "bad.jtl", "LINES\n1000 5 a\n#broken row\n1001 5 b\n!\n1002 5 never\n")
	st, err := OpenStream([]string{p}, StreamOptions{Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := collect(t, st)
	if len(got) != 2 {
		t.Fatalf("got %d samples, want the 2 before the read error", len(got))
	}
	pr := st.Problems()
	if pr.Count != 1 || len(pr.List) != 1 || pr.List[0].Line != 3 {
		t.Fatalf("problems = %+v, want one at line 3", pr)
	}
	if len(pr.Fatal) != 1 || !strings.Contains(pr.Fatal[0].Error(), "bad.jtl") || !strings.Contains(pr.Fatal[0].Error(), "disk on fire") {
		t.Fatalf("fatal = %v, want the read error naming the file", pr.Fatal)
	}
	if st.Err() != nil {
		t.Fatalf("Err = %v, want nil without Strict", st.Err())
	}
}

func TestStreamStrictStopsAtFirstProblem(t *testing.T) {
	p := writeFile(t, "bad.jtl", "LINES\n1000 5 a\n#broken row\n1001 5 b\n")
	for _, ordered := range []bool{false, true} {
		st, err := OpenStream([]string{p}, StreamOptions{Options: Options{Strict: true}, Ordered: ordered})
		if err != nil {
			t.Fatal(err)
		}
		collect(t, st)
		var pe *ParseError
		if !errors.As(st.Err(), &pe) || pe.Line != 3 {
			t.Errorf("ordered=%v: Err = %v, want the ParseError at line 3", ordered, st.Err())
		}
		if !strings.HasSuffix(st.Err().Error(), "bad.jtl:3: broken row (strict mode stops at the first problem)") {
			t.Errorf("message %q, want file:line: msg", st.Err())
		}
		st.Close()
	}
}

func TestOpenGzipBOMAndContentSniffing(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("\xEF\xBB\xBFLINES\n1000 5 a\n"))
	zw.Close()
	// The name says .xml; the content decides.
	p := writeFile(t, "x.xml", buf.String())
	in, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Format != "lines" {
		t.Fatalf("format %q, want lines", in.Format)
	}
	var s Sample
	if err := in.Decode(&s); err != nil || s.Label != "a" {
		t.Fatalf("Decode = %v, %+v", err, s)
	}
}

func TestOpenTruncatedGzipNamesTheFile(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("LINES\n"))
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(zw, "%d 5 label%d\n", 1000+i, i)
	}
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	p := writeFile(t, "cut.jtl.gz", string(cut))
	st, err := OpenStream([]string{p}, StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := len(collect(t, st))
	if n == 0 || n >= 20000 {
		t.Fatalf("got %d samples, want a partial result", n)
	}
	pr := st.Problems()
	if len(pr.Fatal) != 1 || !strings.Contains(pr.Fatal[0].Error(), "cut.jtl.gz") || !strings.Contains(pr.Fatal[0].Error(), "cut off") {
		t.Fatalf("fatal = %v, want a cut-off gzip message naming the file", pr.Fatal)
	}
}

func TestOpenRejectsBinaryAndUnknown(t *testing.T) {
	p := writeFile(t, "garbage.jtl", "\x00\x01\x02\x03garbage")
	_, err := Open(p, Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "binary") || pe.File != p {
		t.Fatalf("err = %v, want a binary-data ParseError naming the file", err)
	}
	if _, err := Open(p, Options{Format: "nope"}); err == nil || !strings.Contains(err.Error(), "unknown input format") {
		t.Fatalf("err = %v, want unknown format", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.jtl"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

func TestOpenStdin(t *testing.T) {
	in := strings.NewReader("LINES\n1000 5 a\n1001 5 b\n")
	st, err := OpenStream([]string{"-"}, StreamOptions{Options: Options{Stdin: in}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := collect(t, st)
	if len(got) != 2 || got[0].Source != "-" {
		t.Fatalf("got %+v", got)
	}
	if _, err := OpenStream([]string{"-", "-"}, StreamOptions{}); err == nil {
		t.Fatal("stdin twice: want an error")
	}
}

func TestCloseStopsReaders(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	c, _ := jmeterOrder(rng, 20000, 0)
	p := writeFile(t, "big", c)
	for _, ordered := range []bool{false, true} {
		st, err := OpenStream([]string{p}, StreamOptions{Ordered: ordered})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 10 && st.Scan(); i++ {
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for code, want := range map[string]int{"200": 200, "400": 400, "": 0, "20": 0, "2000": 0, "abc": 0,
		"Non HTTP response code: java.net.SocketTimeoutException": 0, "099": 0} {
		if got := ParseStatus(code); got != want {
			t.Errorf("ParseStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "a.csv", Line: 3, Msg: "m"}, "a.csv:3: m"},
		{ParseError{File: "a.csv", Line: 3, Column: 7, Msg: "m"}, "a.csv:3:7: m"},
		{ParseError{File: "a.har", Offset: 99, Msg: "m"}, "a.har: byte 99: m"},
		{ParseError{File: "a.har", Offset: -1, Msg: "m"}, "a.har: m"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.e, got, c.want)
		}
	}
}

func TestStrictStopDoesNotSaySkipped(t *testing.T) {
	p := &ParseError{File: "a.csv", Line: 51, Msg: "too few fields: 2; skipped the record"}
	got := strictStop(p).Error()
	if got != "a.csv:51: too few fields: 2 (strict mode stops at the first problem)" {
		t.Errorf("%q", got)
	}
	if p.Msg != "too few fields: 2; skipped the record" {
		t.Errorf("the original changed: %q", p.Msg)
	}
}
