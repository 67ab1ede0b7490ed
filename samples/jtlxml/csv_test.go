package jtlxml

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// csvRow is one row of a run's results.csv, read with encoding/csv.
type csvRow struct {
	ts                        int64
	elapsed, latency, connect int64
	label, code, thread, url  string
	success                   bool
	bytes                     int64
	grp, all                  int
	failureMessage, recID     string
}

func readRunCSV(t *testing.T, path string) []csvRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	// 17 columns plus sample_variables=recId, whose header name JMeter quotes.
	if len(recs[0]) != 18 || recs[0][17] != "recId" {
		t.Fatalf("unexpected header %q", recs[0])
	}
	num := func(rec []string, name string) int64 {
		n, err := strconv.ParseInt(rec[col[name]], 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, rec[col[name]], err)
		}
		return n
	}
	rows := make([]csvRow, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		rows = append(rows, csvRow{
			ts:             num(rec, "timeStamp"),
			elapsed:        num(rec, "elapsed"),
			latency:        num(rec, "Latency"),
			connect:        num(rec, "Connect"),
			label:          rec[col["label"]],
			code:           rec[col["responseCode"]],
			thread:         rec[col["threadName"]],
			url:            rec[col["URL"]],
			success:        rec[col["success"]] == "true",
			bytes:          num(rec, "bytes"),
			grp:            int(num(rec, "grpThreads")),
			all:            int(num(rec, "allThreads")),
			failureMessage: rec[col["failureMessage"]],
			recID:          rec[col["recId"]],
		})
	}
	return rows
}

// Every run was saved twice by JMeter, as CSV and as XML: both must hold
// the same samples with the same values.
func TestRunsXMLMatchCSV(t *testing.T) {
	runs := samplestest.Glob(t, "jmeter/*")
	if len(runs) == 0 {
		runs, _ = filepath.Glob(filepath.Join(repoData, "jmeter/*"))
	}
	if len(runs) == 0 {
		t.Skip("no JMeter runs available")
	}
	for _, run := range runs {
		t.Run(filepath.Base(run), func(t *testing.T) {
			rows := readRunCSV(t, filepath.Join(run, "results.csv"))
			got := decodeFile(t, filepath.Join(run, "results.xml"), samples.Options{})
			if got.fatal != nil || len(got.errs) > 0 {
				t.Fatalf("problems: %v %v", got.fatal, got.errs)
			}
			if len(got.samples) != len(rows) {
				t.Fatalf("XML has %d samples, CSV %d rows", len(got.samples), len(rows))
			}
			type key struct {
				thread, label string
				ts            int64
			}
			byKey := map[key][]csvRow{}
			for _, r := range rows {
				k := key{r.thread, r.label, r.ts}
				byKey[k] = append(byKey[k], r)
			}
			for _, s := range got.samples {
				k := key{s.Thread, s.Label, s.Start.UnixMilli()}
				cands := byKey[k]
				if len(cands) == 0 {
					t.Fatalf("line %d: no CSV row for %+v", s.Line, k)
				}
				r := cands[0]
				byKey[k] = cands[1:]
				ms := func(d time.Duration) int64 { return d.Milliseconds() }
				if ms(s.Elapsed) != r.elapsed || s.Code != r.code || s.Success != r.success ||
					ms(s.Latency) != r.latency || ms(s.Connect) != r.connect || s.Bytes != r.bytes ||
					s.GrpThreads != r.grp || s.AllThreads != r.all || s.URL != r.url ||
					s.FailureMessage != r.failureMessage {
					t.Fatalf("line %d differs from the CSV row:\nxml %+v\ncsv %+v", s.Line, s, r)
				}
				// An unset variable is "null" in JMeter's CSV and "" in its XML.
				if id, _ := s.Var("recId"); id != r.recID && !(id == "" && r.recID == "null") {
					t.Fatalf("line %d: recId %q, CSV %q", s.Line, id, r.recID)
				}
				if s.Kind != samples.KindHTTP || s.Has&samples.FieldRequestHeaders == 0 || s.Has&samples.FieldRequestBody == 0 {
					t.Fatalf("line %d: kind %v, has %v", s.Line, s.Kind, s.Has.Names())
				}
			}
		})
	}
}
