package samples_test

import (
	"github.com/jtlscope/jtlscope/samples/samplestest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/har"
	"github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
)

// TestEveryInputFileParses opens every result file of the team's shared
// data and of testdata through Open, as the commands do: each one must
// yield samples, or (the deliberately broken ones) fail with a message
// that names the file and a position. Nothing may panic.
func TestEveryInputFileParses(t *testing.T) {
	var files []string
	for _, root := range []string{samplestest.Dir(t), "testdata"} {
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			switch filepath.Ext(p) {
			case ".csv", ".jtl", ".xml", ".har":
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 30 {
		t.Fatalf("found only %d input files", len(files))
	}
	// Broken on purpose, by their authors: no samples, a positioned error.
	broken := map[string]bool{"mitmproxy__mitmproxy__test__mitmproxy__data__corrupted_har__brokenfile.har": true}
	// Written without a header and without the usual columns: readable
	// only with the properties it was written with (JMeter's own batch
	// test configuration), and says so without them.
	props := map[string]string{"apache__jmeter__bin__testfiles__Bug52968.csv": "jtlcsv/testdata/bug52968.properties"}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, "../../"), func(t *testing.T) {
			opts := samples.StreamOptions{Ordered: true}
			if pf, ok := props[filepath.Base(f)]; ok {
				opts.Properties = readProps(t, pf)
				// Without them: no samples, and a message that asks for them.
				st, err := samples.OpenStream([]string{f}, samples.StreamOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for st.Scan() {
					t.Fatal("read a sample without knowing the columns")
				}
				if m := strings.Join(st.Problems().Messages(), "\n"); !strings.Contains(m, f+":1:") || !strings.Contains(m, "properties") {
					t.Errorf("without properties: %q", m)
				}
				st.Close()
			}
			st, err := samples.OpenStream([]string{f}, opts)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer st.Close()
			n := 0
			for st.Scan() {
				s := st.Sample()
				if s.Source != f || s.Line < 1 {
					t.Fatalf("sample tagged %s:%d", s.Source, s.Line)
				}
				n++
			}
			pr := st.Problems()
			for _, p := range pr.List {
				if p.File != f || (p.Line < 1 && p.Offset < 0) {
					t.Errorf("problem without a position: %v", p)
				}
			}
			name := filepath.Base(f)
			switch {
			case broken[name]:
				if n != 0 || pr.Count == 0 {
					t.Errorf("%d samples and %d problems; want none and a positioned error", n, pr.Count)
				}
			case n == 0:
				t.Errorf("no samples; problems: %v", pr.Messages())
			}
		})
	}
}

func readProps(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := jtlcsv.ReadProperties(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
