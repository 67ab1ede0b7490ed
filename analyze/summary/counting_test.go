package summary

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/samples"
	_ "github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
)

// An element is a <sample> or <httpSample> of an XML JTL, read with
// encoding/xml apart from the decoder under test.
type element struct {
	T, TS, By        int64
	Label, Code, Msg string
	Thread           string
	OK               bool
	Children         []*element
	transaction      bool
}

func (e *element) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "t":
			e.T, _ = strconv.ParseInt(a.Value, 10, 64)
		case "ts":
			e.TS, _ = strconv.ParseInt(a.Value, 10, 64)
		case "by":
			e.By, _ = strconv.ParseInt(a.Value, 10, 64)
		case "lb":
			e.Label = a.Value
		case "rc":
			e.Code = a.Value
		case "rm":
			e.Msg = a.Value
		case "tn":
			e.Thread = a.Value
		case "s":
			e.OK = a.Value == "true"
		}
	}
	e.transaction = strings.HasPrefix(e.Msg, "Number of samples in transaction")
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "sample" || t.Name.Local == "httpSample" {
				c := &element{}
				if err := d.DecodeElement(c, &t); err != nil {
					return err
				}
				e.Children = append(e.Children, c)
			} else if err := d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// readXML reads the top-level samples of a JTL, or reports that the file
// is not sound XML (a run killed mid-write), which this test leaves out.
func readXML(t *testing.T, path string) ([]*element, bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Samples []*element `xml:",any"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Logf("%s: %v; left out", filepath.Base(path), err)
		return nil, false
	}
	return doc.Samples, true
}

// tally is what the counting rule gives, counted here from the XML tree.
type tally struct {
	requests, errors, transactions, subResults int64
	codes                                      map[string]int64
}

func (c *tally) sampler(e *element) {
	if e.transaction {
		c.transactions++
		for _, ch := range e.Children {
			c.sampler(ch)
		}
		return
	}
	c.requests++
	if !e.OK {
		c.errors++
	}
	c.codes[e.Code]++
	var sub func(*element)
	sub = func(x *element) {
		for _, ch := range x.Children {
			c.subResults++
			sub(ch)
		}
	}
	sub(e)
}

func count(roots []*element) tally {
	c := tally{codes: map[string]int64{}}
	for _, e := range roots {
		c.sampler(e)
	}
	return c
}

// writeCSV writes the run as JMeter 5.5+ writes a CSV (CSVSaveService):
// each top-level sample's row, then its sub-results pre-order, on the
// sample's thread; sub-results renamed "<parent>-<n>" except a
// Transaction Controller's samplers (addSubResult(res, false)). The run
// is played by copies threads, whose rows interleave at random as
// concurrent writers' do.
func writeCSV(roots []*element, copies int, seed int64) []byte {
	var b bytes.Buffer
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	queues := make([][]string, copies)
	for k := range queues {
		thread := fmt.Sprintf("Copies 1-%d", k+1)
		var emit func(e *element, label string)
		emit = func(e *element, label string) {
			queues[k] = append(queues[k], fmt.Sprintf("%d,%d,%s,%s,%s,%s,text,%t,,%d,0,%d,%d,null,0,0,0\n",
				e.TS, e.T, csvField(label), csvField(e.Code), csvField(e.Msg), thread, e.OK, e.By, copies, copies))
			for i, c := range e.Children {
				l := c.Label
				if !e.transaction {
					l = label + "-" + strconv.Itoa(i)
				}
				emit(c, l)
			}
		}
		for _, e := range roots {
			emit(e, e.Label)
		}
	}
	rng := rand.New(rand.NewSource(seed))
	for {
		var live []int
		for k, q := range queues {
			if len(q) > 0 {
				live = append(live, k)
			}
		}
		if len(live) == 0 {
			return b.Bytes()
		}
		k := live[rng.Intn(len(live))]
		b.WriteString(queues[k][0])
		queues[k] = queues[k][1:]
	}
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func summarise(t *testing.T, path string, subresults bool) Result {
	t.Helper()
	st, err := samples.OpenStream([]string{path}, samples.StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sm := New(Options{})
	var src analyze.Source = st
	if subresults {
		src = analyze.WithSubResults(st)
	}
	if err := analyze.Run(context.Background(), src, sm); err != nil {
		t.Fatal(err)
	}
	if msgs := st.Problems().Messages(); len(msgs) > 0 {
		t.Fatalf("%s: %v", path, msgs)
	}
	return sm.Result()
}

// TestCSVEqualsXML: the XML files of real runs whose Transaction
// Controllers nest their samplers, and whose samplers nest redirect hops
// and embedded resources, give the totals counted here from the XML tree;
// the same runs written as JMeter 5 CSV, with several threads' rows
// interleaved, give the same totals (times the number of threads).
func TestCSVEqualsXML(t *testing.T) {
	files, _ := filepath.Glob("../../samples/testdata/public/jtl-xml/*")
	var nested []string
	for _, f := range files {
		roots, _ := readXML(t, f)
		for _, e := range roots {
			if len(e.Children) > 0 {
				nested = append(nested, f)
				break
			}
		}
	}
	sort.Strings(nested)
	var withTC int
	for _, path := range nested {
		t.Run(filepath.Base(path), func(t *testing.T) {
			roots, _ := readXML(t, path)
			want := count(roots)
			if want.transactions > 0 {
				withTC++
			}
			const copies = 7
			csvPath := filepath.Join(t.TempDir(), "run.csv")
			if err := os.WriteFile(csvPath, writeCSV(roots, copies, int64(len(path))), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, sub := range []bool{false, true} {
				x, c := summarise(t, path, sub), summarise(t, csvPath, sub)
				reqs := want.requests
				if sub {
					reqs += want.subResults
				}
				if x.Samples != reqs || x.Transactions != want.transactions || (!sub && x.Errors != want.errors) {
					t.Errorf("subresults=%v: XML gives %d requests, %d errors, %d transactions; counted %d, %d, %d",
						sub, x.Samples, x.Errors, x.Transactions, reqs, want.errors, want.transactions)
				}
				if !sub && fmt.Sprint(x.Total.Codes) != fmt.Sprint(want.codes) {
					t.Errorf("XML codes %v, counted %v", x.Total.Codes, want.codes)
				}
				if c.Samples != copies*x.Samples || c.Errors != copies*x.Errors || c.Transactions != copies*x.Transactions {
					t.Errorf("subresults=%v: CSV gives %d requests, %d errors, %d transactions; XML ×%d: %d, %d, %d",
						sub, c.Samples, c.Errors, c.Transactions, copies, copies*x.Samples, copies*x.Errors, copies*x.Transactions)
				}
				for code, n := range x.Total.Codes {
					if c.Total.Codes[code] != copies*n {
						t.Errorf("subresults=%v: code %q: CSV %d, XML ×%d %d", sub, code, c.Total.Codes[code], copies, copies*n)
					}
				}
			}
		})
	}
	if withTC < 2 || len(nested) < 4 {
		t.Errorf("only %d files with nested samples, %d with Transaction Controllers", len(nested), withTC)
	}
}

// TestTaurusPairSameRun: Taurus saved one run twice, a CSV without
// sub-results and an XML with them; both count one failed request.
func TestTaurusPairSameRun(t *testing.T) {
	const dir = "../../samples/testdata/public/"
	x := summarise(t, dir+"jtl-xml/Blazemeter__taurus__tests__resources__jmeter__jtl__embedded_resources__error_ed.jtl", false)
	c := summarise(t, dir+"jtl-csv/Blazemeter__taurus__tests__resources__jmeter__jtl__embedded_resources__kpi_ed.jtl", false)
	if x.Samples != 1 || c.Samples != 1 || x.Errors != 1 || c.Errors != 1 || x.Total.Codes["200"] != 1 || c.Total.Codes["200"] != 1 {
		t.Errorf("XML %d/%d %v, CSV %d/%d %v", x.Samples, x.Errors, x.Total.Codes, c.Samples, c.Errors, c.Total.Codes)
	}
}
