package report

import (
	"io"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/dashboard"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// The tables of JMeter's dashboard: APDEX, errors, top 5 errors by
// sampler.

// ApdexTable lays out APDEX per label, the total as the footer.
func ApdexTable(d dashboard.Result) table.Table {
	t := table.Table{Header: []string{"label", "APDEX", "samples", "satisfied", "tolerated", "frustrated"},
		Right: []bool{false, true, true, true, true, true}}
	row := func(r dashboard.ApdexRow) []string {
		label := redact.Text(r.Label)
		if r.Transaction {
			label += " (TC)"
		}
		return []string{label, Fixed(r.Apdex, 3), Count(r.Samples), Count(r.Satisfied), Count(r.Tolerated), Count(r.Frustrated)}
	}
	for _, r := range d.Apdex {
		t.Rows = append(t.Rows, row(r))
	}
	t.Footer = row(d.Total)
	return t
}

// ErrorsTable is JMeter's errors table: each kind of error with its
// share of the errors and of every sample.
func ErrorsTable(d dashboard.Result) table.Table {
	t := table.Table{Header: []string{"type of error", "errors", "% of errors", "% of all samples"}, Right: []bool{false, true, true, true}}
	for _, e := range d.Errors {
		t.Rows = append(t.Rows, []string{redact.Text(e.Type), Count(e.Count), Fixed(e.PctOfErrors, 2) + "%", Fixed(e.PctOfAll, 2) + "%"})
	}
	return t
}

// Top5Table is JMeter's "top 5 errors by sampler": one row per label
// with failures, its five most frequent errors.
func Top5Table(d dashboard.Result) table.Table {
	t := table.Table{Header: []string{"sampler", "samples", "errors", "top errors"}, Right: []bool{false, true, true, false}}
	for _, r := range d.Top5 {
		parts := make([]string, len(r.Top))
		for i, e := range r.Top {
			parts[i] = redact.Text(e.Type) + ": " + Count(e.Count)
		}
		t.Rows = append(t.Rows, []string{redact.Text(r.Label), Count(r.Samples), Count(r.Errors), strings.Join(parts, "; ")})
	}
	return t
}

type apdexRow struct {
	Label       string  `csv:"label"`
	Transaction bool    `csv:"transaction"`
	Samples     int64   `csv:"samples"`
	Satisfied   int64   `csv:"satisfied"`
	Tolerated   int64   `csv:"tolerated"`
	Frustrated  int64   `csv:"frustrated"`
	Apdex       float64 `csv:"apdex"`
	TMS         float64 `csv:"t_ms"`
	FMS         float64 `csv:"f_ms"`
}

func apdexCSV(w io.Writer, d dashboard.Result) error {
	var rows []apdexRow
	for _, r := range append(append([]dashboard.ApdexRow(nil), d.Apdex...), d.Total) {
		rows = append(rows, apdexRow{redact.Text(r.Label), r.Transaction, r.Samples, r.Satisfied, r.Tolerated, r.Frustrated, r.Apdex, d.ApdexT, d.ApdexF})
	}
	return marshalCSV(w, rows, "label,transaction,samples,satisfied,tolerated,frustrated,apdex,t_ms,f_ms\n")
}

type errorRow struct {
	Type        string  `csv:"type"`
	Count       int64   `csv:"count"`
	PctOfErrors float64 `csv:"pct_of_errors"`
	PctOfAll    float64 `csv:"pct_of_all_samples"`
}

func errorsCSV(w io.Writer, d dashboard.Result) error {
	rows := make([]errorRow, len(d.Errors))
	for i, e := range d.Errors {
		rows[i] = errorRow{redact.Text(e.Type), e.Count, e.PctOfErrors, e.PctOfAll}
	}
	return marshalCSV(w, rows, "type,count,pct_of_errors,pct_of_all_samples\n")
}

type top5Row struct {
	Label   string `csv:"label"`
	Samples int64  `csv:"samples"`
	Errors  int64  `csv:"errors"`
	Rank    int    `csv:"rank"`
	Type    string `csv:"type"`
	Count   int64  `csv:"count"`
}

func top5CSV(w io.Writer, d dashboard.Result) error {
	var rows []top5Row
	for _, r := range d.Top5 {
		for i, e := range r.Top {
			rows = append(rows, top5Row{redact.Text(r.Label), r.Samples, r.Errors, i + 1, redact.Text(e.Type), e.Count})
		}
	}
	return marshalCSV(w, rows, "label,samples,errors,rank,type,count\n")
}
