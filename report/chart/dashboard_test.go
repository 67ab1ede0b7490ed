package chart

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/analyze/dashboard"
	"github.com/jtlscope/jtlscope/analyze/timeline"
	"github.com/jtlscope/jtlscope/samples"
)

func dashboardOf(ss ...*samples.Sample) dashboard.Result {
	d := dashboard.New(dashboard.Options{})
	for _, s := range ss {
		d.Add(s)
	}
	return d.Result()
}

func sample(label string, startS, ms int, ok bool) *samples.Sample {
	code := "200"
	if !ok {
		code = "500"
	}
	return &samples.Sample{Label: label, Start: time.Unix(1_700_000_000+int64(startS), 0), Elapsed: time.Duration(ms) * time.Millisecond,
		Latency: time.Duration(ms/2) * time.Millisecond, Connect: 3 * time.Millisecond, Bytes: 2048, SentBytes: 1024,
		Code: code, Success: ok, Has: samples.FieldStart | samples.FieldElapsed | samples.FieldLatency | samples.FieldConnect | samples.FieldSentBytes}
}

// TestDashboardViews checks each new view's series, axes and units, not
// only that it draws.
func TestDashboardViews(t *testing.T) {
	var ss []*samples.Sample
	tl := timeline.New()
	for i := range 200 {
		ss = append(ss, sample("upload", i/20, 300+i, i%10 != 0), sample("read", i/20, 5+i%7, true))
	}
	for _, s := range ss {
		tl.Add(s)
	}
	d := dashboardOf(ss...)
	s := tl.Result()

	c, err := Apdex(d)
	if err != nil {
		t.Fatal(err)
	}
	bars := c.Find("APDEX")
	// Worst label on top, the total at the bottom.
	if c.Categories[0] != "TOTAL" || c.Categories[len(c.Categories)-1] != "upload" || bars.Y[0] != d.Total.Apdex {
		t.Errorf("APDEX categories %v values %v", c.Categories, bars.Y)
	}
	if !strings.Contains(c.Plot.X.Label.Text, "T = 500 ms, F = 1500 ms") || !strings.Contains(c.Note, "(satisfied + tolerated / 2) / samples") {
		t.Errorf("APDEX axis %q note %q", c.Plot.X.Label.Text, c.Note)
	}

	c, err = Percentiles(d)
	if err != nil {
		t.Fatal(err)
	}
	all := c.Find("all samples")
	if all == nil || len(all.X) != 101 || all.X[100] != 100 || all.Y[100] != 499 || all.Y[0] != 5 || c.Find("upload") == nil || c.Find("read") == nil {
		t.Errorf("percentile series %v", names(c))
	}
	if c.Plot.X.Label.Text != "percentile" || c.Plot.Y.Label.Text != "response time (ms)" {
		t.Errorf("axes %q %q", c.Plot.X.Label.Text, c.Plot.Y.Label.Text)
	}

	c, err = Distribution(d)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for i, y := range c.Find("all samples").Y {
		if i%2 == 0 {
			total += y
		}
	}
	if total != 400 || !strings.Contains(c.Plot.X.Label.Text, "ms, bins of") {
		t.Errorf("distribution holds %v samples, axis %q", total, c.Plot.X.Label.Text)
	}

	c, err = LabelThroughput(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	ok, bad := c.Find("upload (ok)"), c.Find("upload (failed)")
	if ok == nil || bad == nil || c.Find("read (failed)") != nil || c.Plot.Y.Label.Text != "transactions per second" {
		t.Fatalf("series %v, y %q", names(c), c.Plot.Y.Label.Text)
	}
	if ok.Y[0] != 18 || bad.Y[0] != 2 {
		t.Errorf("first window: %v ok/s, %v failed/s; want 18 and 2", ok.Y[0], bad.Y[0])
	}

	c, err = Bytes(s)
	if err != nil {
		t.Fatal(err)
	}
	if r, sent := c.Find("received"), c.Find("sent"); r == nil || sent == nil || r.Y[0] != 80 || sent.Y[0] != 40 || c.Plot.Y.Label.Text != "KiB per second" {
		t.Errorf("bytes series %v", names(c))
	}

	c, err = LatencyConnect(s)
	if err != nil {
		t.Fatal(err)
	}
	if l, con := c.Find("latency (first byte)"), c.Find("connect"); l == nil || con == nil || con.Y[0] != 3 || c.Plot.Y.Label.Text != "mean time (ms)" {
		t.Errorf("latency series %v", names(c))
	}

	c, err = ResponseVsRate(s, "upload")
	if err != nil {
		t.Fatal(err)
	}
	pts := c.Find("window, mostly successful")
	if pts == nil || pts.X[0] != 40 || !strings.Contains(c.Title, "upload") || c.Plot.X.Label.Text != "requests started per second (all labels)" {
		t.Errorf("rt-vs-rps %v %q", names(c), c.Title)
	}
	for _, f := range All(Data{Dashboard: d, Timeline: s}) {
		if f.Chart != nil {
			if err := f.Chart.WritePNG(io.Discard); err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
		}
	}
}

// TestLongLabelsStayDistinct: two URLs that share a long prefix keep
// what tells them apart; a non-HTTP code keeps its exception name.
func TestLongLabelsStayDistinct(t *testing.T) {
	a := "GET http://localhost/img/macbeth-act-one-scene-one.png"
	b := "GET http://localhost/img/macbeth-act-one-scene-two.png"
	got := distinctTexts([]string{a, b})
	if got[0] == got[1] || len([]rune(got[0])) > 2*maxText {
		t.Errorf("%q", got)
	}
	if c := codeText("Non HTTP response code: org.apache.http.NoHttpResponseException"); c != "NoHttpResponseException (non-HTTP)" {
		t.Errorf("code %q", c)
	}
}
