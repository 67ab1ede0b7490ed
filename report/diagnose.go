package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Diagnosis writes the diagnosis in format: "table" (for people) or
// "json" (the contract). Markdown is the table layout in Markdown.
func Diagnosis(w io.Writer, r diagnose.Result, format string) error {
	return Layout{}.Diagnosis(w, r, format)
}

// Diagnosis is the package's Diagnosis laid out for l.
func (l Layout) Diagnosis(w io.Writer, r diagnose.Result, format string) error {
	switch format {
	case FormatJSON:
		return writeJSON(w, r)
	case FormatTable:
		fw := fitTo(w, l.Width)
		return firstErr(diagnosisText(fw, r, table.Text, l.Width), fw.flush())
	case FormatMarkdown:
		return diagnosisText(w, r, table.Markdown, 0)
	}
	return fmt.Errorf("%w %q for diagnose (want table, json or markdown)", ErrUnknownFormat, format)
}

// kindLabel names a failure kind in the kinds table: "400", "read timeout
// (SocketTimeoutException)", with its response-time modes.
func kindLabel(k diagnose.KindResult) string {
	s := k.Description
	if k.Class == diagnose.ClassNonHTTP && len(k.Codes) > 0 {
		code := strings.TrimPrefix(k.Codes[0].Code, "Non HTTP response code: ")
		if i := strings.LastIndexByte(code, '.'); i >= 0 {
			code = code[i+1:]
		}
		if !strings.EqualFold(code, s) {
			s += " (" + redact.Text(code) + ")"
		}
	}
	if len(k.Modes) == 2 {
		s += fmt.Sprintf(": %s fast, %s slow", Count(k.Modes[0].Failures), Count(k.Modes[1].Failures))
	}
	return s
}

// explainedBy lists the causes a kind's failures were put down to, most
// first: "token-age 1,850, concurrency 763".
func explainedBy(m map[string]int64) string {
	type kv struct {
		k string
		v int64
	}
	var kvs []kv
	for k, v := range m {
		if v > 0 {
			kvs = append(kvs, kv{k, v})
		}
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	var parts []string
	for _, e := range kvs {
		parts = append(parts, e.k+" "+Count(e.v))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

func diagnosisText(w io.Writer, r diagnose.Result, style table.Style, width int) error {
	ew := &errWriter{w: w}
	heading := func(s string) { ew.heading(style, s) }
	heading("Verdict")
	// Markdown reads <n> and <id> as HTML tags, and * or _ as emphasis.
	prose := func(s string) string { return s }
	if style == table.Markdown {
		prose = mdText
	}
	ew.printf("%s\n\n", wrap(prose(r.Verdict), textWidth(width, 100, indentFor(style)), indentFor(style)))
	if r.Failures > 0 {
		heading("Failures by kind")
		kt := table.Table{
			Header: []string{"kind", "failures", "explained by", "unexplained"},
			Right:  []bool{false, true, false, true},
		}
		for _, k := range r.Kinds {
			kt.Rows = append(kt.Rows, []string{kindLabel(k), Count(k.Failures), explainedBy(k.Attributed), Count(k.Unexplained)})
		}
		ew.err = firstErr(ew.err, table.Write(ew, kt, style))
		ew.printf("\n")
		heading("Causes")
		t := table.Table{
			Header: []string{"cause", "verdict", "attributed", "share", "marked", "fit alone", "fit unique"},
			Right:  []bool{false, false, true, true, true, true, true},
		}
		for _, c := range r.Causes {
			alone, unique := "", ""
			if c.Fit != nil {
				alone, unique = Fixed(c.Fit.Alone, 2), Fixed(c.Fit.Unique, 2)
			}
			t.Rows = append(t.Rows, []string{c.Cause, string(c.Verdict), Count(c.Attributed), Fixed(100*c.Share, 1) + "%", Count(c.Explained), alone, unique})
		}
		t, dropped := table.Fit(t, style, width, []int{6, 5, 4})
		ew.err = firstErr(ew.err, table.Write(ew, t, style))
		if len(dropped) > 0 {
			ew.printf("%s%s\n", indentFor(style), leftOut(dropped, width, FormatJSON))
		}
		ew.printf("\n")
	}
	heading("Evidence")
	for _, c := range r.Causes {
		if r.Failures == 0 && c.Verdict == diagnose.Unlikely && c.Cause != "concurrency" {
			continue // nothing failed: what a cause would have explained is moot
		}
		ew.printf("%s%s (%s): %s\n", bullet(style), c.Cause, c.Verdict, prose(c.Summary))
		if c.Missing != "" {
			ew.printf("%s  next time: %s\n", indentFor(style), prose(c.Missing))
		}
		if c.Fit != nil && c.Fit.ExplainedBy != "" {
			ew.printf("%s  explained by %s: it adds nothing once that cause is known\n", indentFor(style), c.Fit.ExplainedBy)
		}
		if c.Fit != nil && len(c.Fit.SameAs) > 0 {
			ew.printf("%s  picks out the same requests as: %s\n", indentFor(style), strings.Join(c.Fit.SameAs, ", "))
		}
		if ev, ok := c.Evidence.(*diagnose.ConcurrencyEvidence); ok && len(ev.Levels) > 0 && c.Verdict != diagnose.NotAssessable {
			ew.printf("\n")
			ew.err = firstErr(ew.err, table.Write(ew, levelTable(ev), style))
			ew.printf("\n")
		}
	}
	if len(r.NextSteps) > 0 {
		ew.printf("\n")
		heading("Next steps")
		for _, s := range r.NextSteps {
			ew.printf("%s%s\n", bullet(style), strings.TrimLeft(wrap(s, textWidth(width, 96, indentFor(style)+"    "), indentFor(style)+"    "), " "))
		}
	}
	if l := littleText(r.Little); r.Little.Throughput >= 0.01 && l != "" {
		ew.printf("\n")
		heading("Little's law check")
		ew.printf("%s\n", wrap(l, textWidth(width, 96, indentFor(style)), indentFor(style)))
	}
	return ew.err
}

// littleText is the Little's law check in words, as measured: a share of
// the threads' time only when it is one, else why requests in flight
// exceed the threads.
func littleText(l concurrency.LittleCheck) string {
	if l.Throughput <= 0 {
		return ""
	}
	s := fmt.Sprintf("%.2f requests/s × %.3f s mean response = %.1f requests in flight on average", l.Throughput, l.MeanResponseS, l.MeanInFlight)
	threads := "JMeter threads"
	if l.Engines > 1 {
		threads = fmt.Sprintf("JMeter threads (%d load generators added up)", l.Engines)
	}
	switch {
	case l.InFlightPerThread > 0:
		s += fmt.Sprintf(", %.1f times the %.1f %s. %s", l.InFlightPerThread, l.MeanThreads, threads, l.Mismatch)
	case l.MeanThreads > 0 && l.MeanInFlight > l.MeanThreads:
		s += fmt.Sprintf(" against %.1f %s: threads wait on a response all the time (the %.1f%% more in flight is within what "+
			"JMeter's thread counts, taken once per request, miss).", l.MeanThreads, threads, 100*(l.MeanInFlight/l.MeanThreads-1))
	case l.MeanThreads > 0:
		s += fmt.Sprintf(" against %.1f %s: threads wait on a response %.0f%% of the time.", l.MeanThreads, threads, 100*l.BusyShare)
	default:
		s += "."
	}
	if l.EndTimestamps && l.Mismatch == "" {
		s += " One thread's requests overlap when their timestamps are read as start times and not when read as end times: " +
			"the file was probably written with sampleresult.timestamp.start=false, which shifts each request by its own " +
			"elapsed time and inflates the requests counted in flight."
	}
	return s
}

func levelTable(ev *diagnose.ConcurrencyEvidence) table.Table {
	t := table.Table{
		Header: []string{ev.Metric, "requests", "failures", "rate", "95% CI"},
		Right:  []bool{false, true, true, true, false},
	}
	for _, l := range ev.Levels {
		lv := fmt.Sprintf("%d", l.From)
		if l.To != l.From {
			lv = fmt.Sprintf("%d–%d", l.From, l.To)
		}
		t.Rows = append(t.Rows, []string{lv, Count(l.Requests), Count(l.Failures),
			Fixed(100*l.Rate, 1) + "%", fmt.Sprintf("%.1f–%.1f%%", 100*l.Low, 100*l.High)})
	}
	return t
}

func bullet(style table.Style) string {
	if style == table.Markdown {
		return "- "
	}
	return "  - "
}

func indentFor(style table.Style) string {
	if style == table.Markdown {
		return ""
	}
	return "  "
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }

// heading writes a section heading: "## Title" in Markdown, "TITLE" as text.
func (e *errWriter) heading(style table.Style, s string) {
	if style == table.Markdown {
		e.printf("## %s\n\n", s)
	} else {
		e.printf("%s\n", strings.ToUpper(s))
	}
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// attributionRow is one line of --attribution.
type attributionRow struct {
	Source string `csv:"source"`
	Line   int    `csv:"line"`
	Label  string `csv:"label"`
	Start  string `csv:"start"`
	Code   string `csv:"code"`
	Kind   string `csv:"kind"`
	Cause  string `csv:"cause"`
}

// Attribution writes one CSV row per failing sample:
// source,line,label,start,code,kind,cause.
func Attribution(w io.Writer, rows []diagnose.Attribution) error {
	out := make([]attributionRow, len(rows))
	for i, a := range rows {
		out[i] = attributionRow{a.Source, a.Line, redact.Text(a.Label), a.Start.UTC().Format(time.RFC3339Nano), redact.Text(a.Code), a.Kind, a.Cause}
	}
	if len(out) == 0 {
		_, err := io.WriteString(w, "source,line,label,start,code,kind,cause\n")
		return err
	}
	return table.MarshalCSV(out, w)
}
