package jtlxml

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// Where the real files are. The repository's testdata holds the
// permissively licensed ones; the shared folder holds the rest and the
// full JMeter runs, and may be absent.
const repoData = "../testdata"

// decoded is everything a decoder produced for one input.
type decoded struct {
	samples []samples.Sample
	errs    []*samples.ParseError
	fatal   error
	events  []string // "S <label>" or "E <line>:<col>" in the order returned
}

// decodeAll reads r to the end. Samples are kept as returned: the decoder
// promises never to write into them again.
func decodeAll(t testing.TB, r io.Reader, name string, opts samples.Options) decoded {
	t.Helper()
	d, err := NewDecoder(r, name, opts)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, d)
}

func drain(t testing.TB, d *Decoder) decoded {
	t.Helper()
	var out decoded
	for calls := 0; ; calls++ {
		if calls > 10_000_000 {
			t.Fatal("decoder does not reach the end")
		}
		var s samples.Sample
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		var pe *samples.ParseError
		if errors.As(err, &pe) {
			out.errs = append(out.errs, pe)
			out.events = append(out.events, fmt.Sprintf("E %d:%d", pe.Line, pe.Column))
			continue
		}
		if err != nil {
			out.fatal = err
			if again := d.Decode(&s); again != err {
				t.Errorf("after a fatal error Decode returned %v, want the same error %v", again, err)
			}
			break
		}
		out.samples = append(out.samples, s)
		out.events = append(out.events, "S "+s.Label)
	}
	if again := d.Decode(new(samples.Sample)); out.fatal == nil && again != io.EOF {
		t.Errorf("after io.EOF Decode returned %v", again)
	}
	return out
}

func decodeString(t testing.TB, in string) decoded {
	t.Helper()
	return decodeAll(t, strings.NewReader(in), "test.jtl", samples.Options{})
}

// jtl wraps sample elements in JMeter's envelope.
func jtl(body string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n" + body + "\n</testResults>\n"
}

// nestedCount is how many sub-results lie under the samples, at any depth.
func nestedCount(ss []samples.Sample) int {
	n := 0
	for i := range ss {
		ss[i].Walk(func(_ *samples.Sample, depth int) {
			if depth > 0 {
				n++
			}
		})
	}
	return n
}

// xmlFiles lists every JTL XML file available: the repository's copies
// always, the shared ones when the folder is there.
func xmlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{
		filepath.Join(repoData, "public/jtl-xml/*"),
		filepath.Join(repoData, "jmeter/*/results.xml"),
	} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	files = append(files, samplestest.Glob(t, "public/jtl-xml/*")...)
	files = append(files, samplestest.Glob(t, "jmeter/*/results.xml")...)
	if len(files) == 0 {
		t.Fatal("no JTL XML files found in " + repoData)
	}
	return files
}

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	return samplestest.Path(t, rel)
}

func decodeFile(t *testing.T, path string, opts samples.Options) decoded {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return decodeAll(t, f, filepath.Base(path), opts)
}
