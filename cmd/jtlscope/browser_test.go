package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed (apt-get install chromium): the page is not checked in a browser")
	return ""
}

// harnessHead and harnessTail are injected into a test-only copy of the
// page: the head records errors and any alert() before the page's own
// content loads; the tail, once everything (images included) has loaded
// or failed, writes what it saw into the DOM for --dump-dom.
const (
	harnessHead = `<script>
window.__errors = []; window.__alerts = 0;
window.addEventListener('error', function (e) { __errors.push('error: ' + (e.message || (e.target && e.target.outerHTML) || e)); }, true);
var __ce = console.error; console.error = function () { __errors.push('console: ' + [].join.call(arguments, ' ')); };
window.alert = function () { __alerts++; };
</script>`
	harnessTail = `<script>
window.addEventListener('load', function () {
  var r = {errors: __errors, alerts: __alerts, charts: [], imgs: document.getElementsByTagName('img').length,
           handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
           text: document.body.innerText};
  document.querySelectorAll('svg.chart').forEach(function (s) {
    var b = s.getBoundingClientRect();
    r.charts.push({label: s.getAttribute('aria-label'), width: b.width, height: b.height, texts: s.querySelectorAll('text').length});
  });
  var pre = document.createElement('pre'); pre.id = 'jtlscope-test'; pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>`
)

type browserResult struct {
	Errors   []string
	Alerts   int
	Imgs     int
	Handlers int
	Text     string
	Charts   []struct {
		Label         string
		Width, Height float64
		Texts         int
	}
}

// TestReportInChromium opens the report in real headless Chromium: no
// errors, every chart laid out with a size, and a label made of HTML
// shows as text without running anything.
func TestReportInChromium(t *testing.T) {
	bin := chromium(t)
	const label = `<img src=x onerror=alert(1)>`
	const code = `<svg/onload=alert(2)>`
	in := rampCSV(t, label, code)
	dir := filepath.Join(t.TempDir(), "report")
	if _, errOut, c := jtlscope(t, "", "report", in, "-o", dir); c != 0 {
		t.Fatalf("report: exit %d: %s", c, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "charts", "*.svg"))

	// The real page forbids every script; the test copy allows inline
	// scripts so that the harness runs, which also means that anything
	// the input smuggled in as markup would run too: the escaping is what
	// is tested, not the policy.
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="[^"]*">`)
	if !csp.Match(page) {
		t.Fatal("the page has no Content-Security-Policy")
	}
	test := csp.ReplaceAllString(string(page), `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'">`)
	test = strings.Replace(test, "<head>", "<head>\n"+harnessHead, 1)
	test = strings.Replace(test, "</body>", harnessTail+"\n</body>", 1)
	copyPath := filepath.Join(t.TempDir(), "test.html")
	if err := os.WriteFile(copyPath, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--window-size=1200,900", "--virtual-time-budget=5000",
		"--dump-dom", "file://"+copyPath)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`(?s)<pre id="jtlscope-test">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the harness wrote no result; chromium said:\n%s", stderr.String())
	}
	var r browserResult
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Errorf("errors in the page: %q", r.Errors)
	}
	if r.Alerts != 0 || r.Imgs != 0 || r.Handlers != 0 {
		t.Errorf("input markup came alive: %d alerts, %d <img>, %d event-handler attributes", r.Alerts, r.Imgs, r.Handlers)
	}
	if !strings.Contains(r.Text, label) || !strings.Contains(r.Text, code) {
		t.Errorf("the label %s or the code %s is not shown as text", label, code)
	}
	if len(r.Charts) != len(charts) || len(charts) < 7 {
		t.Errorf("%d charts laid out, %d written", len(r.Charts), len(charts))
	}
	for _, c := range r.Charts {
		if c.Width < 100 || c.Height < 50 || c.Texts == 0 {
			t.Errorf("chart %q laid out at %.0f×%.0f with %d texts", c.Label, c.Width, c.Height, c.Texts)
		}
		// The viewBox keeps the 16:9 shape whatever the width.
		if ratio := c.Width / c.Height; ratio < 1.7 || ratio > 1.85 {
			t.Errorf("chart %q has aspect ratio %.2f, want 16:9", c.Label, ratio)
		}
	}
}

// layoutProbe is injected into a copy of the page: once laid out, it
// writes what a reader would notice into the DOM for --dump-dom.
const layoutProbe = `<script>
window.addEventListener('load', function () {
  var main = document.body.getBoundingClientRect();
  var r = {viewport: window.innerWidth, page: document.documentElement.scrollWidth, body: main.width, charts: [], wide: []};
  document.querySelectorAll('svg.chart').forEach(function (s) {
    var b = s.getBoundingClientRect(); r.charts.push({label: s.getAttribute('aria-label'), left: b.left, width: b.width});
  });
  document.querySelectorAll('.wide').forEach(function (d) {
    r.wide.push({id: d.closest('section').id, scroll: d.scrollWidth, client: d.clientWidth});
  });
  var pre = document.createElement('pre'); pre.id = 'jtlscope-layout'; pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>`

type layout struct {
	Viewport, Page, Body float64
	Charts               []struct {
		Label       string
		Left, Width float64
	}
	Wide []struct {
		ID             string
		Scroll, Client float64
	}
}

func chromiumArgs(t *testing.T, width int) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=" + strconv.Itoa(width) + ",1000", "--virtual-time-budget=5000"}
}

// TestReportLayoutInChromium lays the report of a real run out in
// headless Chromium at 1400 and 800 px, screenshots both, and prints it
// to PDF: at 1400 px the statistics table fits without scrolling and the
// charts share the width two by two; at 800 px they take the whole
// column; the page never scrolls sideways; the PDF has the report's
// pages. Set JTLSCOPE_SCREENSHOTS=DIR to keep the images and the PDF.
func TestReportLayoutInChromium(t *testing.T) {
	bin := chromium(t)
	dir := filepath.Join(t.TempDir(), "report")
	if _, errOut, c := jtlscope(t, "", "report", filepath.Join(bundled, "results.xml"), "-o", dir); c != 0 {
		t.Fatalf("report: exit %d: %s", c, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="[^"]*">`)
	test := csp.ReplaceAllString(string(page), `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'">`)
	test = strings.Replace(test, "</body>", layoutProbe+"\n</body>", 1)
	probe := filepath.Join(t.TempDir(), "probe.html")
	if err := os.WriteFile(probe, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	keep := os.Getenv("JTLSCOPE_SCREENSHOTS")
	out := t.TempDir()
	if keep != "" {
		out = keep
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, width := range []int{1400, 800} {
		cmd := exec.CommandContext(ctx, bin, append(chromiumArgs(t, width), "--dump-dom", "file://"+probe)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		dom, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, stderr.String())
		}
		m := regexp.MustCompile(`(?s)<pre id="jtlscope-layout">(.*?)</pre>`).FindSubmatch(dom)
		if m == nil {
			t.Fatalf("%d px: the probe wrote nothing; chromium said:\n%s", width, stderr.String())
		}
		var l layout
		if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &l); err != nil {
			t.Fatal(err)
		}
		if l.Page > l.Viewport+1 {
			t.Errorf("%d px: the page is %.0f px wide and scrolls sideways", width, l.Page)
		}
		if len(l.Charts) < 10 {
			t.Fatalf("%d px: %d charts laid out", width, len(l.Charts))
		}
		for _, c := range l.Charts {
			switch {
			case width == 1400 && (c.Width < 0.42*l.Body || c.Width > 0.55*l.Body):
				t.Errorf("1400 px: chart %q is %.0f px of a %.0f px column, want about half (two per row)", c.Label, c.Width, l.Body)
			case width == 800 && c.Width < 0.9*(l.Body-40):
				t.Errorf("800 px: chart %q is %.0f px of a %.0f px column, want the whole column", c.Label, c.Width, l.Body)
			}
		}
		if width == 1400 {
			for _, w := range l.Wide {
				if w.ID == "summary" && w.Scroll > w.Client+1 {
					t.Errorf("1400 px: the statistics table scrolls (%.0f px in %.0f px)", w.Scroll, w.Client)
				}
			}
		}
		// The screenshot a reader would see.
		shot := filepath.Join(out, "report-"+strconv.Itoa(width)+".png")
		cmd = exec.CommandContext(ctx, bin, append(chromiumArgs(t, width), "--screenshot="+shot, "file://"+filepath.Join(dir, "index.html"))...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, b)
		}
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != width {
			t.Errorf("screenshot %s: %v, %d px wide", shot, err, cfg.Width)
		}
	}
	// Printed: A4 pages with the charts on them.
	pdf := filepath.Join(out, "report.pdf")
	cmd := exec.CommandContext(ctx, bin, append(chromiumArgs(t, 1400), "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+filepath.Join(dir, "index.html"))...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("print to PDF: %v\n%s", err, b)
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("no PDF written: %v", err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
	if info, err := exec.LookPath("pdfinfo"); err == nil {
		o, err := exec.Command(info, pdf).Output()
		m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(o)
		if err != nil || m == nil {
			t.Fatalf("pdfinfo: %v\n%s", err, o)
		}
		pages, _ = strconv.Atoi(string(m[1]))
	} else if pages == 0 {
		t.Log("pdfinfo not installed (poppler-utils) and the page objects are compressed: the page count is not checked")
		return
	}
	// Seventeen charts two to a page at most, the tables and the text.
	if pages < 6 {
		t.Errorf("the printed report has %d pages", pages)
	}
}
