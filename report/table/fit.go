package table

import (
	"bytes"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// Width is how many columns t takes rendered in style: its widest line.
func Width(t Table, style Style) int {
	var b bytes.Buffer
	if err := Write(&b, t, style); err != nil {
		return 0
	}
	w := 0
	for _, line := range strings.Split(b.String(), "\n") {
		w = max(w, displaywidth.String(line))
	}
	return w
}

// Without returns t less the columns at the given indices.
func (t Table) Without(cols ...int) Table {
	drop := map[int]bool{}
	for _, c := range cols {
		drop[c] = true
	}
	keep := func(cells []string) []string {
		if cells == nil {
			return nil
		}
		out := make([]string, 0, len(cells))
		for i, c := range cells {
			if !drop[i] {
				out = append(out, c)
			}
		}
		return out
	}
	out := Table{Header: keep(t.Header), Footer: keep(t.Footer), Title: t.Title}
	for i, r := range t.Right {
		if !drop[i] {
			out.Right = append(out.Right, r)
		}
	}
	for _, r := range t.Rows {
		out.Rows = append(out.Rows, keep(r))
	}
	return out
}

// Fit narrows t to width columns by leaving out columns in the order of
// drop (indices into t, the least needed first), as few as it takes. It
// returns the table and the headers of the columns it left out. width ≤ 0
// leaves t whole; when dropping every listed column is not enough, the
// narrowest table is returned, wider than width.
func Fit(t Table, style Style, width int, drop []int) (Table, []string) {
	if width <= 0 || Width(t, style) <= width {
		return t, nil
	}
	out := t
	for n := 1; n <= len(drop); n++ {
		out = t.Without(drop[:n]...)
		if Width(out, style) <= width {
			return out, headers(t, drop[:n])
		}
	}
	return out, headers(t, drop)
}

func headers(t Table, cols []int) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		if c < len(t.Header) {
			out = append(out, t.Header[c])
		}
	}
	return out
}
