package table

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// A Table is a header, rows and an optional footer of cells.
type Table struct {
	Header []string
	Rows   [][]string
	Footer []string
	// Right lists the columns to align right (numbers).
	Right []bool
	// Title, when set, is printed above the table.
	Title string
}

// Style picks the rendering.
type Style int

const (
	// Text is a plain ASCII box table for terminals and logs.
	Text Style = iota
	// Markdown is a GitHub-flavoured Markdown table.
	Markdown
)

// Write renders t to w.
func Write(w io.Writer, t Table, style Style) error {
	if t.Title != "" {
		prefix := ""
		if style == Markdown {
			prefix = "**"
		}
		if _, err := io.WriteString(w, prefix+Printable(t.Title)+prefix+"\n\n"); err != nil {
			return err
		}
	}
	align := make(tw.Alignment, len(t.Header))
	for i := range align {
		align[i] = tw.AlignLeft
		if i < len(t.Right) && t.Right[i] {
			align[i] = tw.AlignRight
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		// Keep headers as written ("p95 ms", not "P95 MS") and never wrap
		// cells: a wrapped label is worse than a wide table.
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithFooterAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithFooterAutoWrap(tw.WrapNone),
	}
	var cell func(string) string
	if style == Markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
		cell = func(s string) string { return escapeMarkdown(Printable(s)) }
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Symbols: tw.NewSymbols(tw.StyleASCII),
		})))
		cell = func(s string) string { return Printable(oneLine(s)) }
	}
	tb := tablewriter.NewTable(w, opts...)
	tb.Header(mapCells(t.Header, cell))
	for _, r := range t.Rows {
		if err := tb.Append(mapCells(r, cell)); err != nil {
			return err
		}
	}
	if len(t.Footer) > 0 {
		tb.Footer(mapCells(t.Footer, cell))
	}
	return tb.Render()
}

func mapCells(cells []string, f func(string) string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = f(c)
	}
	return out
}

// oneLine keeps a cell on one line: labels from JTL files can hold
// newlines (a WebDriver error as a label), which would break the table.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_",
	"<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]",
	"\r\n", " ", "\n", " ", "\r", " ",
)

// escapeMarkdown makes a cell safe in a Markdown table: a pipe would end
// the cell, and HTML in a label would be rendered by most viewers.
func escapeMarkdown(s string) string { return mdEscaper.Replace(s) }
