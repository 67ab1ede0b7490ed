package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Labels that would drive a terminal or run as spreadsheet formulas
// (issue 13): what reaches a terminal is escaped, and no CSV cell starts
// a formula.
var hostileLabels = []string{
	"a\x1b[31mred",
	"\x1b]0;pwned\x07title",
	"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
	"c1 \u009b31m",
	"rtl \u202egnp.exe",
	`=HYPERLINK("http://evil.example","x")`,
	"+1+1",
	"-2+3",
	"@SUM(1)",
	"\t=1",
	"\r=1",
	"TOTAL",
}

func hostileCSV(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(header)
	w := csv.NewWriter(&b)
	for i := 0; i < 240; i++ {
		code, ok := "200", "true"
		if i%4 == 1 {
			code, ok = "400", "false"
		}
		if i%12 == 5 {
			code, ok = "@x", "false"
		}
		n := strconv.Itoa(i%4 + 1)
		w.Write([]string{strconv.FormatInt(1_700_000_000_000+int64(i)*250, 10), strconv.Itoa(100 + i%50),
			hostileLabels[i%len(hostileLabels)], code, "OK", "T 1-" + n, "text", ok, "", "10", "10", n, n,
			"http://h/x", "90", "0", "0"})
	}
	w.Flush()
	p := filepath.Join(t.TempDir(), "hostile.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// terminalClean reports the first character a terminal would act on.
func terminalClean(s string) (string, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return fmt.Sprintf("%U", r), false
		}
	}
	return "", true
}

func TestTerminalAndSpreadsheetInjection(t *testing.T) {
	in := hostileCSV(t)
	dir := t.TempDir()
	runs := [][]string{
		{"summary", in}, {"summary", "--format", "markdown", in}, {"summary", "--format", "csv", in},
		{"diagnose", in}, {"diagnose", "--format", "markdown", "--attribution", filepath.Join(dir, "attr.csv"), in},
		{"compare", "--resamples", "19", in, in}, {"compare", "--format", "markdown", "--resamples", "19", in, in},
		{"report", in, "-o", filepath.Join(dir, "report")},
	}
	for _, args := range runs {
		out, errOut, code := jtlscope(t, "", args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for what, s := range map[string]string{"stdout": out, "stderr": errOut} {
			if r, ok := terminalClean(s); !ok {
				t.Errorf("%v: %s holds %s raw", args, what, r)
			}
		}
		if args[0] == "summary" && len(args) > 2 && args[2] == "csv" {
			checkCSVCells(t, "summary --format csv", out)
			checkTotalRow(t, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "report", "report.md")); err != nil {
		t.Error(err)
	} else if r, ok := terminalClean(string(b)); !ok {
		t.Errorf("report.md holds %s raw", r)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "report", "tables", "*.csv"))
	files = append(files, filepath.Join(dir, "attr.csv"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkCSVCells(t, f, string(b))
	}
}

// checkCSVCells: no cell starts a formula (plain numbers aside).
func checkCSVCells(t *testing.T, what, data string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	for _, rec := range recs {
		for _, c := range rec {
			if c == "" {
				continue
			}
			if _, err := strconv.ParseFloat(c, 64); err == nil {
				continue
			}
			if strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("%s: cell %q starts a formula", what, c)
			}
		}
	}
}

// A label called TOTAL is not the total row.
func checkTotalRow(t *testing.T, data string) {
	t.Helper()
	recs, _ := csv.NewReader(strings.NewReader(data)).ReadAll()
	col := -1
	for i, h := range recs[0] {
		if h == "total" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no total column in %q", recs[0])
	}
	totals, labelled := 0, 0
	for _, r := range recs[1:] {
		if r[col] == "true" {
			totals++
		}
		if r[0] == "TOTAL" && r[col] == "false" {
			labelled++
		}
	}
	if totals != 1 || labelled != 1 {
		t.Errorf("%d total rows and %d rows of the label TOTAL, want 1 and 1", totals, labelled)
	}
}
