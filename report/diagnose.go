package report

import (
	"fmt"
	"io"
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
	switch format {
	case FormatJSON:
		return writeJSON(w, r)
	case FormatTable:
		return diagnosisText(w, r, table.Text)
	case FormatMarkdown:
		return diagnosisText(w, r, table.Markdown)
	}
	return fmt.Errorf("%w %q for diagnose (want table, json or markdown)", ErrUnknownFormat, format)
}

func diagnosisText(w io.Writer, r diagnose.Result, style table.Style) error {
	ew := &errWriter{w: w}
	heading := func(s string) { ew.heading(style, s) }
	heading("Verdict")
	ew.printf("%s\n\n", wrap(r.Verdict, 100, indentFor(style)))
	if r.Failures > 0 {
		heading("Causes")
		t := table.Table{
			Header: []string{"cause", "verdict", "explained", "share", "fit alone", "fit unique"},
			Right:  []bool{false, false, true, true, true, true},
		}
		for _, c := range r.Causes {
			alone, unique := "", ""
			if c.Fit != nil {
				alone, unique = Fixed(c.Fit.Alone, 2), Fixed(c.Fit.Unique, 2)
			}
			t.Rows = append(t.Rows, []string{c.Cause, string(c.Verdict), Count(c.Explained), Fixed(100*c.Share, 1) + "%", alone, unique})
		}
		ew.err = firstErr(ew.err, table.Write(ew, t, style))
		ew.printf("\n")
	}
	heading("Evidence")
	for _, c := range r.Causes {
		ew.printf("%s%s (%s): %s\n", bullet(style), c.Cause, c.Verdict, c.Summary)
		if c.Missing != "" {
			ew.printf("%s  next time: %s\n", indentFor(style), c.Missing)
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
			ew.printf("%s%s\n", bullet(style), strings.TrimLeft(wrap(s, 96, indentFor(style)+"    "), " "))
		}
	}
	if l := littleText(r.Little); r.Little.Throughput >= 0.01 && l != "" {
		ew.printf("\n")
		heading("Little's law check")
		ew.printf("%s\n", wrap(l, 96, indentFor(style)))
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

// wrap breaks s into lines of at most width runes, each after the first
// prefixed with indent (the first gets it too).
func wrap(s string, width int, indent string) string {
	words := strings.Fields(s)
	var b strings.Builder
	line := 0
	b.WriteString(indent)
	for i, wd := range words {
		if i > 0 && line+1+len([]rune(wd)) > width {
			b.WriteString("\n" + indent)
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(wd)
		line += len([]rune(wd))
	}
	return b.String()
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
	Cause  string `csv:"cause"`
}

// Attribution writes one CSV row per failing sample:
// source,line,label,start,code,cause.
func Attribution(w io.Writer, rows []diagnose.Attribution) error {
	out := make([]attributionRow, len(rows))
	for i, a := range rows {
		out[i] = attributionRow{a.Source, a.Line, redact.Text(a.Label), a.Start.UTC().Format(time.RFC3339Nano), redact.Text(a.Code), a.Cause}
	}
	if len(out) == 0 {
		_, err := io.WriteString(w, "source,line,label,start,code,cause\n")
		return err
	}
	return table.MarshalCSV(out, w)
}
