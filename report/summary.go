package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/analyze/summary"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// Formats a command can print.
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatCSV      = "csv"
	FormatMarkdown = "markdown"
)

// Summary writes the per-label statistics in format: "table", "json",
// "csv" or "markdown".
func Summary(w io.Writer, r summary.Result, format string) error {
	return Layout{}.Summary(w, r, format)
}

// Summary is the package's Summary laid out for l: on a terminal too
// narrow for the whole table, the columns least needed are left out and a
// line under the table says which.
func (l Layout) Summary(w io.Writer, r summary.Result, format string) error {
	r = redactSummary(r)
	switch format {
	case FormatJSON:
		return writeJSON(w, r)
	case FormatCSV:
		return summaryCSV(w, r)
	case FormatTable:
		t, dropped := table.Fit(SummaryTable(r), table.Text, l.Width, summaryDropOrder)
		if err := table.Write(w, t, table.Text); err != nil || len(dropped) == 0 {
			return err
		}
		_, err := io.WriteString(w, fitLine(leftOut(dropped, l.Width, FormatCSV), l.Width)+"\n")
		return err
	case FormatMarkdown:
		return table.Write(w, SummaryTable(r), table.Markdown)
	}
	return fmt.Errorf("%w %q for summary (want table, json, csv or markdown)", ErrUnknownFormat, format)
}

// redactSummary masks credentials in the strings that came from inputs.
func redactSummary(r summary.Result) summary.Result {
	labels := make([]summary.Row, len(r.Labels))
	for i, row := range r.Labels {
		row.Label = redact.Text(row.Label)
		row.Codes = redactCodes(row.Codes)
		labels[i] = row
	}
	r.Labels = labels
	r.Total.Codes = redactCodes(r.Total.Codes)
	w := make([]string, len(r.Warnings))
	for i, s := range r.Warnings {
		w[i] = redact.Text(s)
	}
	r.Warnings = w
	return r
}

func redactCodes(c map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(c))
	for k, v := range c {
		out[redact.Text(k)] += v
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// summaryDropOrder is the order in which a terminal too narrow for the
// summary leaves its columns out (indices into SummaryTable's): first
// what is least read when a test failed (sent and received KB/s, min,
// max, mean), keeping to the last the label, samples, error %, p95 and
// throughput.
var summaryDropOrder = []int{13, 12, 5, 6, 4, 8, 2, 14, 10, 7}

// leftOut is the note under a table narrowed to width, naming the
// columns left out and a format that has them all.
func leftOut(cols []string, width int, format string) string {
	return fmt.Sprintf("(%s left out to fit %d columns; a wider terminal, or --format %s, shows them)", strings.Join(cols, ", "), width, format)
}

// SummaryTable lays the summary out like JMeter's Statistics table, with
// the total as the footer. Transaction Controller rows are marked "(TC)".
// Sent KB/s is blank when the input does not record sent bytes.
func SummaryTable(r summary.Result) table.Table {
	t := table.Table{
		Header: []string{"label", "samples", "errors", "error %", "mean ms", "min ms", "max ms",
			"p50 ms", "p90 ms", "p95 ms", "p99 ms", "req/s", "recv KB/s", "sent KB/s", "codes"},
		Right: []bool{false, true, true, true, true, true, true, true, true, true, true, true, true, true, false},
	}
	for _, row := range r.Labels {
		label := row.Label
		if row.Transaction {
			label += " (TC)"
		}
		t.Rows = append(t.Rows, summaryCells(label, row, !r.NoSentBytes))
	}
	t.Footer = summaryCells("TOTAL", r.Total, !r.NoSentBytes)
	return t
}

func summaryCells(label string, r summary.Row, sent bool) []string {
	sentKB := ""
	if sent {
		sentKB = perSecond(r.SentKBPerS)
	}
	return []string{
		label, Count(r.Samples), Count(r.Errors), Fixed(r.ErrorPct, 2),
		Millis(r.MeanMS), Millis(r.MinMS), Millis(r.MaxMS),
		Millis(r.P50MS), Millis(r.P90MS), Millis(r.P95MS), Millis(r.P99MS),
		perSecond(r.ThroughputPerS), perSecond(r.ReceivedKBPerS), sentKB,
		Codes(r.Codes),
	}
}

// Count formats n with thousands separators: 6,313.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// perSecond formats a rate with 2 decimals, or 3 below 0.1 so that a
// long, slow run's 0.003 requests/s does not print as 0.00 (summary keeps
// 3 decimals).
func perSecond(x float64) string {
	if x > 0 && x < 0.1 {
		return Fixed(x, 3)
	}
	return Fixed(x, 2)
}

// Fixed formats x with d decimals.
func Fixed(x float64, d int) string { return strconv.FormatFloat(x, 'f', d, 64) }

// Millis formats milliseconds: whole numbers as such, fractions with one
// decimal (JMeter's values are whole; HAR's are not).
func Millis(x float64) string {
	if x == float64(int64(x)) {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// Codes formats a code histogram most frequent first, counts with
// thousands separators like every other count: "400:3,594 201:2,719".
func Codes(c map[string]int64) string { return codes(c, Count) }

// codes formats a code histogram most frequent first, each count with
// count: CSV keeps plain integers, which spreadsheets and scripts parse.
func codes(c map[string]int64, count func(int64) string) string {
	type kv struct {
		k string
		v int64
	}
	var kvs []kv
	for k, v := range c {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	parts := make([]string, len(kvs))
	for i, e := range kvs {
		k := e.k
		if k == "" {
			k = "(none)"
		}
		parts[i] = k + ":" + count(e.v)
	}
	return strings.Join(parts, " ")
}

// summaryRow is one CSV line. gocsv earns its keep here: the header comes
// from the tags and quoting is right; this path is a few hundred rows, so
// its reflection cost does not matter.
type summaryRow struct {
	Label       string `csv:"label"`
	Transaction bool   `csv:"transaction"`
	// Total marks the total row: a label may be called "TOTAL" too.
	Total          bool    `csv:"total"`
	Samples        int64   `csv:"samples"`
	Errors         int64   `csv:"errors"`
	ErrorPct       float64 `csv:"error_pct"`
	MeanMS         float64 `csv:"mean_ms"`
	MinMS          float64 `csv:"min_ms"`
	MaxMS          float64 `csv:"max_ms"`
	P50MS          float64 `csv:"p50_ms"`
	P90MS          float64 `csv:"p90_ms"`
	P95MS          float64 `csv:"p95_ms"`
	P99MS          float64 `csv:"p99_ms"`
	ThroughputPerS float64 `csv:"throughput_per_s"`
	ReceivedKBPerS float64 `csv:"received_kb_per_s"`
	// SentKBPerS is empty when the input does not record sent bytes.
	SentKBPerS string `csv:"sent_kb_per_s"`
	Codes      string `csv:"codes"`
}

func toCSVRow(r summary.Row, sent, total bool) summaryRow {
	sentKB := ""
	if sent {
		sentKB = strconv.FormatFloat(r.SentKBPerS, 'f', -1, 64)
	}
	return summaryRow{r.Label, r.Transaction, total, r.Samples, r.Errors, r.ErrorPct, r.MeanMS, r.MinMS, r.MaxMS,
		r.P50MS, r.P90MS, r.P95MS, r.P99MS, r.ThroughputPerS, r.ReceivedKBPerS, sentKB,
		codes(r.Codes, func(n int64) string { return strconv.FormatInt(n, 10) })}
}

func summaryCSV(w io.Writer, r summary.Result) error {
	rows := make([]summaryRow, 0, len(r.Labels)+1)
	for _, l := range r.Labels {
		rows = append(rows, toCSVRow(l, !r.NoSentBytes, false))
	}
	rows = append(rows, toCSVRow(r.Total, !r.NoSentBytes, true))
	return table.MarshalCSV(rows, w)
}
