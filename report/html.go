package report

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io"
	"regexp"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/capacity"
	"github.com/jtlscope/jtlscope/report/chart"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// HTML writes the report as one self-contained page: charts inlined as
// SVG, styles inline, no script and nothing fetched from the network
// (the page's Content-Security-Policy forbids it). Every string from an
// input goes through html/template's escaping.
func HTML(w io.Writer, r *CapacityReport) error {
	svgs, err := renderSVGs(r.Figures)
	if err != nil {
		return err
	}
	return writeHTML(w, r, svgs)
}

// renderSVGs draws every chart as SVG, by chart name.
func renderSVGs(figs []chart.Figure) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range figs {
		if f.Chart == nil {
			continue
		}
		var b bytes.Buffer
		if err := f.Chart.WriteSVG(&b); err != nil {
			return nil, err
		}
		out[f.Name] = b.Bytes()
	}
	return out, nil
}

type htmlFigure struct {
	Number  int
	Name    string
	Title   string
	SVG     template.HTML
	Note    string
	Missing *chart.NoData
	Err     string
}

type htmlInput struct {
	Name  string
	Facts []fact
}

type htmlEvidence struct {
	Cause, Verdict, Summary, Missing string
}

type htmlView struct {
	Title            string
	Version          string
	Facts            []fact
	Findings         []string
	HasUSL           bool
	USL              table.Table
	USLError         string
	CapacityWarnings []string
	Plateaus         table.Table
	Figures          []htmlFigure
	Verdict          string
	Causes           table.Table
	Evidence         []htmlEvidence
	NextSteps        []string
	Little           string
	Summary          table.Table
	Bands            []NamedTable
	BandNote         string
	Apdex            table.Table
	ApdexNote        string
	Errors           table.Table
	Top5             table.Table
	Inputs           []htmlInput
	Warnings         []string
	Contents         []navItem
}

// navItem is one line of the page's contents list.
type navItem struct {
	ID, Title string
	Sub       []navItem
}

func writeHTML(w io.Writer, r *CapacityReport, svgs map[string][]byte) error {
	v := htmlView{
		Title:     r.title(),
		Version:   r.Version,
		Facts:     r.runFacts(),
		Findings:  r.keyFindings(),
		HasUSL:    r.Capacity.USL != nil,
		USL:       USLTable(r.Capacity),
		USLError:  r.Capacity.USLError,
		Plateaus:  PlateausTable(r.Capacity),
		Verdict:   r.diagnosisLead(),
		Causes:    CausesTable(r.Diagnosis),
		Summary:   SummaryTable(redactSummary(r.Summary)),
		Bands:     BandTables(redactCapacity(r.Capacity)),
		BandNote:  bandNote(r.Capacity),
		Apdex:     ApdexTable(r.Dashboard),
		ApdexNote: r.Dashboard.String() + ".",
		Errors:    ErrorsTable(r.Dashboard),
		Top5:      Top5Table(r.Dashboard),
		Little:    littleText(r.Diagnosis.Little),
		Warnings:  r.AllWarnings(),
	}
	for _, cw := range r.Capacity.Warnings {
		v.CapacityWarnings = append(v.CapacityWarnings, redact.Text(cw))
	}
	n := 0
	for _, f := range r.Figures {
		hf := htmlFigure{Name: f.Name, Title: f.Title, Missing: f.Missing}
		if f.Err != nil {
			hf.Err = redact.Text(f.Err.Error())
		}
		if f.Chart != nil {
			svg, err := inlineSVG(svgs[f.Name], f.Name, f.Title)
			if err != nil {
				return err
			}
			n++
			hf.Number, hf.SVG, hf.Note = n, svg, redact.Text(f.Chart.Note)
		}
		v.Figures = append(v.Figures, hf)
	}
	v.Contents = v.contents()
	for _, c := range r.Diagnosis.Causes {
		v.Evidence = append(v.Evidence, htmlEvidence{c.Cause, string(c.Verdict), redact.Text(c.Summary), redact.Text(c.Missing)})
	}
	for _, s := range r.Diagnosis.NextSteps {
		v.NextSteps = append(v.NextSteps, redact.Text(s))
	}
	for _, in := range r.Inputs {
		v.Inputs = append(v.Inputs, htmlInput{Name: in.Name, Facts: inputFacts(in)})
	}
	return pageTemplate.Execute(w, v)
}

// contents lists the page's sections and figures.
func (v *htmlView) contents() []navItem {
	charts := navItem{ID: "charts", Title: "Charts"}
	for _, f := range v.Figures {
		if f.SVG != "" {
			charts.Sub = append(charts.Sub, navItem{ID: "fig-" + f.Name, Title: f.Title})
		}
	}
	out := []navItem{{ID: "findings", Title: "Key findings"}, {ID: "capacity", Title: "Capacity"}, charts,
		{ID: "diagnosis", Title: "Why requests failed"}, {ID: "summary", Title: "Statistics per label"}}
	if len(v.Apdex.Rows) > 0 {
		out = append(out, navItem{ID: "apdex", Title: "APDEX"})
	}
	if len(v.Errors.Rows) > 0 {
		out = append(out, navItem{ID: "errors", Title: "Errors"})
	}
	if len(v.Bands) > 0 {
		out = append(out, navItem{ID: "levels", Title: "Measurements per concurrency level"})
	}
	return append(out, navItem{ID: "inputs", Title: "Inputs"}, navItem{ID: "warnings", Title: "Warnings"})
}

// diagnosisLead opens the diagnosis section. The verdict is the first key
// finding already; repeating it word for word under its own heading made
// the page read twice, so the section points back to it.
func (r *CapacityReport) diagnosisLead() string {
	if r.Diagnosis.Verdict == "" {
		return ""
	}
	return fmt.Sprintf("The verdict is the first of the key findings. The causes checked, ranked by how many of the %s failures each explains:", Count(r.Diagnosis.Failures))
}

// bandNote explains the tables of measurements per level.
func bandNote(c capacity.Result) string {
	if len(c.Bands) == 0 {
		return ""
	}
	s := fmt.Sprintf("Levels are pooled in bands of %d %s (single levels of a ramp hold too few requests for a p95 to mean much); levels seen only in the ramp-down, after the peak, are left out. tables/levels.csv has every level.", c.BandWidth, chart.LevelUnit(c.Metric))
	if c.DefaultCriterion {
		s += " Notes mark the first band whose failures rose above the low-load rate or above 5% (95% confidence), or whose p95 doubled; the default criterion is " + c.SLA + "."
	}
	return s
}

func (r *CapacityReport) title() string {
	if r.Title != "" {
		return r.Title
	}
	return "Capacity report"
}

var (
	svgProlog = regexp.MustCompile(`(?s)^.*?<svg\b`)
	svgSize   = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
	svgIDs    = regexp.MustCompile(`\bid="([^"]*)"`)
	svgTag    = regexp.MustCompile(`<[^>]*>`)
	// svgForbidden is markup that could run code or fetch something. The
	// SVG comes from gonum/plot, which escapes text (so "<" in a label is
	// "&lt;" and every tag is gonum's); this is a second lock, applied to
	// the tags only, so that a label reading "onerror=" stays text.
	svgForbidden = regexp.MustCompile(`(?i)^<\s*(script|foreignobject|iframe|object|embed|a)\b|\son\w+\s*=|javascript:|href\s*=\s*"(?:https?:|//)`)
)

// inlineSVG prepares a chart's SVG for the page: no XML prolog, no fixed
// size (the viewBox makes it scale to the column and to the printed
// page), ids made unique per chart, and a label for screen readers.
func inlineSVG(svg []byte, name, title string) (template.HTML, error) {
	s := string(svg)
	if !strings.Contains(s, "<svg") {
		return "", fmt.Errorf("chart %s: no SVG", name)
	}
	s = svgProlog.ReplaceAllString(s, "<svg")
	// Check gonum's markup before adding our own attribute: the escaped
	// title in aria-label may read "onerror=" as text, harmlessly.
	for _, tag := range svgTag.FindAllString(s, -1) {
		if svgForbidden.MatchString(tag) {
			return "", fmt.Errorf("chart %s: SVG holds active content; refusing to inline it", name)
		}
	}
	s = svgSize.ReplaceAllString(s, fmt.Sprintf(`<svg class="chart" role="img" aria-label="%s"`, html.EscapeString(title)))
	s = svgIDs.ReplaceAllString(s, `id="`+name+`-$1"`)
	s = strings.ReplaceAll(s, `url(#`, `url(#`+name+`-`)
	return template.HTML(s), nil
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	// index1 reads a column's right alignment, false past the end.
	"index1": func(b []bool, i int) bool { return i < len(b) && b[i] },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jtlscope {{.Version}}">
<title>{{.Title}}</title>
<style>
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --accent: #0072B2; --warn: #D55E00; }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink); font-size: 15px; line-height: 1.45; }
body { max-width: 96rem; margin: 2rem auto; padding: 0 2rem; }
p, .findings, ul, dl.facts, .missing { max-width: 62rem; }
h1 { font-size: 1.8rem; margin: 0 0 .6rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.facts dt { font-weight: bold; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
nav ol { columns: 2 28rem; margin: .4rem 0; padding-left: 1.4rem; }
nav ol ol { columns: auto; padding-left: 1.2rem; font-size: .9rem; }
nav a { color: var(--accent); text-decoration: none; }
.findings { background: #f3f7fb; border-left: 4px solid var(--accent); padding: .6rem 1rem .6rem 2rem; }
.findings li { margin: .3rem 0; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #999; white-space: nowrap; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #999; }
.wide { overflow-x: auto; max-width: 100%; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 38rem), 1fr)); gap: 1.4rem 2.2rem; align-items: start; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; min-width: 0; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
.missing { border: 1px dashed var(--rule); padding: .5rem .8rem; margin: .8rem 0; font-size: .9rem; color: var(--muted); break-inside: avoid; }
.warn { color: var(--warn); }
ul.warnings li { overflow-wrap: anywhere; }
.verdict { font-size: 1rem; }
code { font-family: "Liberation Mono", Consolas, monospace; font-size: .85em; }
@page { size: A4; margin: 14mm; }
@media print {
  html { font-size: 10.5pt; }
  body { max-width: none; margin: 0; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 8pt; }
  .wide { overflow: visible; }
  .figures { display: block; }
  figure { margin: 1.2rem 0; }
  .findings { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<dl class="facts">
{{- range .Facts}}
<dt>{{.Name}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
</header>

<nav aria-label="Contents">
<h2>Contents</h2>
<ol>
{{- range .Contents}}
<li><a href="#{{.ID}}">{{.Title}}</a>
{{- if .Sub}}<ol>{{range .Sub}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol>{{end}}</li>
{{- end}}
</ol>
</nav>

<section id="findings">
<h2>Key findings</h2>
<ul class="findings">
{{- range .Findings}}
<li>{{.}}</li>
{{- else}}
<li>Nothing to report: the run has no failures and no capacity fit.</li>
{{- end}}
</ul>
</section>

<section id="capacity">
<h2>Capacity</h2>
{{- if .HasUSL}}
<p>Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to the measured goodput (successful requests per second) at each level.</p>
{{template "table" .USL}}
{{- else}}
<p>No Universal Scalability Law fit{{if .USLError}}: {{.USLError}}{{end}}.</p>
{{- end}}
{{- if .CapacityWarnings}}
<ul>
{{- range .CapacityWarnings}}
<li class="warn">{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Plateaus.Rows}}
<h3>Steady plateaus</h3>
{{template "table" .Plateaus}}
{{- end}}
</section>

<section id="charts">
<h2>Charts</h2>
<div class="figures">
{{- range .Figures}}
{{- if .SVG}}
<figure id="fig-{{.Name}}">
{{.SVG}}
<figcaption><strong>Figure {{.Number}}. {{.Title}}.</strong> {{.Note}}</figcaption>
</figure>
{{- else}}
<div class="missing" id="fig-{{.Name}}"><strong>{{.Title}}</strong>: not drawn.
{{- with .Missing}} {{.Why}}.{{if .Record}} To draw it next time, save {{.Record}}.{{end}}{{end}}
{{- if .Err}} Drawing failed: {{.Err}}{{end}}</div>
{{- end}}
{{- end}}
</div>
</section>

<section id="diagnosis">
<h2>Why requests failed</h2>
{{- if .Verdict}}
<p class="verdict">{{.Verdict}}</p>
{{- end}}
{{template "table" .Causes}}
<ul>
{{- range .Evidence}}
<li><strong>{{.Cause}}</strong> ({{.Verdict}}): {{.Summary}}{{if .Missing}} <em>Missing: {{.Missing}}.</em>{{end}}</li>
{{- end}}
</ul>
{{- if .NextSteps}}
<h3>Next steps</h3>
<ul>
{{- range .NextSteps}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Little}}
<h3>Little's law check</h3>
<p>{{.Little}}</p>
{{- end}}
</section>

<section id="summary">
<h2>Statistics per label</h2>
<div class="wide">{{template "table" .Summary}}</div>
</section>

{{- if .Apdex.Rows}}
<section id="apdex">
<h2>APDEX</h2>
<p>{{.ApdexNote}}</p>
<div class="wide">{{template "table" .Apdex}}</div>
</section>
{{- end}}

{{- if .Errors.Rows}}
<section id="errors">
<h2>Errors</h2>
<p>Each kind of error as JMeter's dashboard names it: the response code and message, or the failed assertion's message when the code says success.</p>
<div class="wide">{{template "table" .Errors}}</div>
<h3>Top 5 errors by sampler</h3>
<div class="wide">{{template "table" .Top5}}</div>
</section>
{{- end}}

{{- if .Bands}}
<section id="levels">
<h2>Measurements per concurrency level</h2>
<p>{{.BandNote}}</p>
{{- range .Bands}}
<h3>{{.Name}}</h3>
<div class="wide">{{template "table" .Table}}</div>
{{- end}}
</section>
{{- end}}

<section id="inputs">
<h2>Inputs</h2>
{{- range .Inputs}}
<h3><code>{{.Name}}</code></h3>
<dl class="facts">
{{- range .Facts}}
<dt>{{.Name}}</dt><dd>{{.Value}}</dd>
{{- end}}
</dl>
{{- end}}
</section>

<section id="warnings">
<h2>Warnings</h2>
{{- if .Warnings}}
<ul class="warnings">
{{- range .Warnings}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- else}}
<p>None.</p>
{{- end}}
</section>
</body>
</html>
{{define "table"}}<table>
<thead><tr>{{$right := .Right}}{{range $i, $h := .Header}}<th{{if index1 $right $i}} class="r"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range $i, $c := .}}<td{{if index1 $right $i}} class="r"{{end}}>{{$c}}</td>{{end}}</tr>
{{- end}}
</tbody>
{{- if .Footer}}
<tfoot><tr>{{range $i, $c := .Footer}}<td{{if index1 $right $i}} class="r"{{end}}>{{$c}}</td>{{end}}</tr></tfoot>
{{- end}}
</table>{{end}}
`))
