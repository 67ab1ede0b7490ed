package table

import (
	"bytes"
	"strings"
	"testing"
)

func render(t *testing.T, tb Table, style Style) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, tb, style); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// A label from a JTL file is data: in Markdown a pipe must not end the
// cell and HTML must not be rendered.
func TestMarkdownEscapesCells(t *testing.T) {
	out := render(t, Table{
		Header: []string{"label", "p95 ms"},
		Rows:   [][]string{{"a|b <img src=x onerror=alert(1)>\nnext", "12"}},
		Right:  []bool{false, true},
	}, Markdown)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header, separator and one row, got %d lines:\n%s", len(lines), out)
	}
	row := lines[2]
	if strings.Contains(row, "<img") || !strings.Contains(row, "&lt;img") {
		t.Errorf("HTML not escaped: %s", row)
	}
	if !strings.Contains(row, `a\|b`) {
		t.Errorf("pipe not escaped: %s", row)
	}
	if strings.Count(row, "|")-strings.Count(row, `\|`) != 3 {
		t.Errorf("row does not have exactly two cells: %s", row)
	}
	if !strings.Contains(lines[0], "p95 ms") {
		t.Errorf("header reformatted: %s", lines[0])
	}
}

// In a terminal table a newline in a cell would split the row; numbers
// align right so that digits line up.
func TestTextOneLineRightAligned(t *testing.T) {
	out := render(t, Table{
		Title:  "Per label",
		Header: []string{"label", "samples"},
		Rows:   [][]string{{"multi\nline", "7"}, {"b", "12345"}},
		Footer: []string{"TOTAL", "12352"},
		Right:  []bool{false, true},
	}, Text)
	if !strings.HasPrefix(out, "Per label\n\n") {
		t.Errorf("title missing:\n%s", out)
	}
	var row7 string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "multi") {
			row7 = l
		}
	}
	if !strings.Contains(row7, "multi line") {
		t.Fatalf("newline kept in a cell:\n%s", out)
	}
	if !strings.Contains(row7, "     7 |") {
		t.Errorf("number not right-aligned: %q", row7)
	}
	if !strings.Contains(out, "TOTAL") || !strings.Contains(out, "samples") {
		t.Errorf("footer or header missing:\n%s", out)
	}
}
