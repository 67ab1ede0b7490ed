package report

import (
	"io"
	"strings"

	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Markdown writes the report as Markdown, with the charts linked as
// charts/NAME.png relative to the report's directory. Prose from inputs
// is escaped so that a label cannot become a link, an image or HTML in a
// Markdown viewer.
func Markdown(w io.Writer, r *CapacityReport) error {
	ew := &errWriter{w: w}
	ew.printf("# %s\n\n", mdText(r.title()))
	for _, f := range r.runFacts() {
		ew.printf("- **%s**: %s\n", f.Name, mdText(f.Value))
	}
	ew.printf("\n**Contents**: [Key findings](#key-findings) · [Capacity](#capacity) · [Charts](#charts) · [Why requests failed](#why-requests-failed) · [Statistics per label](#statistics-per-label)")
	if len(r.Dashboard.Apdex) > 0 {
		ew.printf(" · [APDEX](#apdex)")
	}
	if len(r.Dashboard.Errors) > 0 {
		ew.printf(" · [Errors](#errors)")
	}
	if len(r.Capacity.Bands) > 0 {
		ew.printf(" · [Measurements per concurrency level](#measurements-per-concurrency-level)")
	}
	ew.printf(" · [Inputs](#inputs) · [Warnings](#warnings)\n")
	ew.printf("\n## Key findings\n\n")
	for _, s := range r.keyFindings() {
		ew.printf("- %s\n", mdText(s))
	}

	ew.printf("\n## Capacity\n\n")
	if r.Capacity.USL != nil {
		ew.printf("Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to the measured goodput (successful requests per second) at each level.\n\n")
		ew.err = firstErr(ew.err, table.Write(ew, USLTable(r.Capacity), table.Markdown))
		ew.printf("\n")
	} else {
		msg := "No Universal Scalability Law fit"
		if r.Capacity.USLError != "" {
			msg += ": " + r.Capacity.USLError
		}
		ew.printf("%s.\n\n", mdText(msg))
	}
	for _, cw := range r.Capacity.Warnings {
		ew.printf("- **Warning**: %s\n", mdText(cw))
	}
	if len(r.Capacity.Plateaus) > 0 {
		ew.printf("\n### Steady plateaus\n\n")
		ew.err = firstErr(ew.err, table.Write(ew, PlateausTable(r.Capacity), table.Markdown))
	}

	ew.printf("\n## Charts\n\n")
	n := 0
	for _, f := range r.Figures {
		switch {
		case f.Chart != nil:
			n++
			ew.printf("![%s](charts/%s.png)\n\n", mdText(f.Title), f.Name)
			ew.printf("*Figure %d. %s.* %s ([SVG](charts/%s.svg), [data](tables/%s.csv))\n\n", n, mdText(f.Title), mdText(f.Chart.Note), f.Name, f.Name)
		case f.Missing != nil:
			ew.printf("> **%s**: not drawn. %s.", mdText(f.Title), mdText(f.Missing.Why))
			if f.Missing.Record != "" {
				ew.printf(" To draw it next time, save %s.", mdText(f.Missing.Record))
			}
			ew.printf("\n\n")
		case f.Err != nil:
			ew.printf("> **%s**: drawing failed: %s\n\n", mdText(f.Title), mdText(f.Err.Error()))
		}
	}

	ew.printf("## Why requests failed\n\n")
	if lead := r.diagnosisLead(); lead != "" {
		ew.printf("%s\n\n", mdText(lead))
	}
	ew.err = firstErr(ew.err, table.Write(ew, CausesTable(r.Diagnosis), table.Markdown))
	ew.printf("\n")
	for _, c := range r.Diagnosis.Causes {
		ew.printf("- **%s** (%s): %s", c.Cause, c.Verdict, mdText(c.Summary))
		if c.Missing != "" {
			ew.printf(" *Missing: %s.*", mdText(c.Missing))
		}
		ew.printf("\n")
	}
	if len(r.Diagnosis.NextSteps) > 0 {
		ew.printf("\n### Next steps\n\n")
		for _, s := range r.Diagnosis.NextSteps {
			ew.printf("- %s\n", mdText(s))
		}
	}
	if l := littleText(r.Diagnosis.Little); l != "" {
		ew.printf("\n### Little's law check\n\n%s\n", mdText(l))
	}

	ew.printf("\n## Statistics per label\n\n")
	ew.err = firstErr(ew.err, table.Write(ew, SummaryTable(redactSummary(r.Summary)), table.Markdown))
	if len(r.Dashboard.Apdex) > 0 {
		ew.printf("\n## APDEX\n\n%s.\n\n", mdText(r.Dashboard.String()))
		ew.err = firstErr(ew.err, table.Write(ew, ApdexTable(r.Dashboard), table.Markdown))
	}
	if len(r.Dashboard.Errors) > 0 {
		ew.printf("\n## Errors\n\n")
		ew.err = firstErr(ew.err, table.Write(ew, ErrorsTable(r.Dashboard), table.Markdown))
		ew.printf("\n### Top 5 errors by sampler\n\n")
		ew.err = firstErr(ew.err, table.Write(ew, Top5Table(r.Dashboard), table.Markdown))
	}
	if bts := BandTables(redactCapacity(r.Capacity)); len(bts) > 0 {
		ew.printf("\n## Measurements per concurrency level\n\n%s\n", mdText(bandNote(r.Capacity)))
		for _, bt := range bts {
			ew.printf("\n### %s\n\n", mdText(bt.Name))
			ew.err = firstErr(ew.err, table.Write(ew, bt.Table, table.Markdown))
		}
	}

	ew.printf("\n## Inputs\n")
	for _, in := range r.Inputs {
		ew.printf("\n### %s\n\n", mdText(in.Name))
		for _, f := range inputFacts(in) {
			ew.printf("- **%s**: %s\n", f.Name, mdText(f.Value))
		}
	}
	ew.printf("\n## Warnings\n\n")
	ws := r.AllWarnings()
	if len(ws) == 0 {
		ew.printf("None.\n")
	}
	for _, s := range ws {
		ew.printf("- %s\n", mdText(s))
	}
	return ew.err
}

// mdProse escapes what Markdown (and the HTML it allows) would interpret
// in running text, with CommonMark's backslash escapes (GitHub and GitLab
// render "\<" as "<", and a reader of the raw file still reads "σ \< 0",
// where "&lt;" read as code). Line breaks are flattened: a newline in a
// label could otherwise start a heading or a list.
var mdProse = strings.NewReplacer(
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
	"<", "\\<", ">", "\\>", "&", "\\&", "#", "\\#", "|", "\\|", "!", "\\!",
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdText(s string) string { return mdProse.Replace(redact.Text(s)) }
