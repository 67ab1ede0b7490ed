package table

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain label":              "plain label",
		"a\x1b[31mred":             `a\x1b[31mred`,
		"\x1b]0;title\x07":         `\x1b]0;title\x07`,
		"\x1b]8;;http://x\x1b\\ln": `\x1b]8;;http://x\x1b\ln`,
		"c1 \u009b31m":             `c1 \u009b31m`,
		"rtl \u202egnp.exe":        `rtl \u202egnp.exe`,
		"bad \x9b byte":            `bad \x9b byte`,
		"line\nbreak\ttab":         "line\nbreak\ttab",
		"cr\rover":                 `cr\rover`,
		"café ✓":                   "café ✓",
	} {
		got := Printable(in)
		if got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		if Printable(got) != got {
			t.Errorf("not idempotent on %q", in)
		}
	}
}

// A character split between two writes comes out whole.
func TestPrintableWriterSplitRunes(t *testing.T) {
	var b bytes.Buffer
	w := NewPrintableWriter(&b)
	s := "é\u202e✓"
	for i := 0; i < len(s); i++ {
		w.Write([]byte{s[i]})
	}
	w.Flush()
	if b.String() != `é\u202e✓` {
		t.Errorf("got %q", b.String())
	}
}

func TestSpreadsheetCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
		"+cmd|' /C calc'!A0":             "'+cmd|' /C calc'!A0",
		"-2+3":                           "'-2+3",
		"@SUM(A1)":                       "'@SUM(A1)",
		"\t=1":                           "'\t=1",
		"\r=1":                           `'\r=1`,
		"＝1+1":                           "'＝1+1",
		"-12.5":                          "-12.5",
		"+3":                             "+3",
		"upload":                         "upload",
		"":                               "",
		"a=b":                            "a=b",
	} {
		if got := SpreadsheetCell(in); got != want {
			t.Errorf("SpreadsheetCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarshalCSVNeutralisesEveryCell(t *testing.T) {
	type row struct {
		Label string  `csv:"label"`
		Code  string  `csv:"code"`
		Low   float64 `csv:"low"`
	}
	var b bytes.Buffer
	if err := MarshalCSV([]row{{"=1+1", "@x", -0.5}, {"ok", "200", 1}}, &b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][0] != "'=1+1" || recs[1][1] != "'@x" || recs[1][2] != "-0.5" || recs[2][0] != "ok" {
		t.Errorf("records %q", recs)
	}
}

// Every CSV the project writes goes through MarshalCSV: no other package
// calls gocsv's Marshal.
func TestNoCSVBypassesMarshalCSV(t *testing.T) {
	root := filepath.Join("..", "..")
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") ||
			strings.Contains(p, filepath.Join("report", "table")) {
			return nil
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("gocsv.Marshal")) || bytes.Contains(b, []byte("csv.NewWriter")) {
			t.Errorf("%s writes CSV without table.MarshalCSV", p)
		}
		return nil
	})
}
