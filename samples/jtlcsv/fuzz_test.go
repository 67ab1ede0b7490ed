package jtlcsv

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// fuzzOptions picks decoder options from the fuzzer's mode byte, so that
// headerless layouts, patterns and Need are explored too.
func fuzzOptions(mode uint8) samples.Options {
	var o samples.Options
	if mode&1 != 0 {
		o.Properties = map[string]string{"sample_variables": "recId", propPrefix + "url": "false"}
	}
	if mode&2 != 0 {
		o.TimestampFormat = "yyyy/MM/dd HH:mm:ss.SSS"
	}
	if mode&4 != 0 {
		o.Need = samples.FieldLabel | samples.FieldElapsed
	}
	if mode&8 != 0 {
		o.Delimiter = ';'
	}
	return o
}

func FuzzDecode(f *testing.F) {
	var files []string
	shared := sharedCSVs(f)
	for _, g := range []string{repoCSV + "/*", "", "../testdata/jmeter/*/results.csv"} {
		m, _ := filepath.Glob(g)
		if g == "" {
			m = shared
		}
		files = append(files, m...)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if len(b) > 4096 {
			// Keep seeds small: whole lines from the start of big files.
			b = b[:bytes.LastIndexByte(b[:4096], '\n')+1]
		}
		f.Add(b, uint8(0))
	}
	base := int64(1700000000000)
	f.Add([]byte(h5+row5(base, 500, "Home", "T 1-1")+row5(base, 100, "Home-0", "T 1-1")+row5(base+100, 50, "Home-0-0", "T 1-1")), uint8(0))
	f.Add([]byte(h5+"1,5,\"a\r\nb\"\"c\",200,OK,T,text,true,,1,1,1,1,null,1,0,0\r\n2,5,\"open"), uint8(0))
	f.Add([]byte(row213(";", 1000, "a")+row213(";", 1001, `"x;y"`)), uint8(8))
	f.Add([]byte("2024/01/02 03:04:05.678,7,a,200,OK,TG 1-1,text,true,,123,45,1,1,3,0,2,id\n"), uint8(3))
	f.Add([]byte(h5+row5(1, 5, "a\xff\x00", "T")+h5), uint8(4))

	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		d, err := NewDecoder(bytes.NewReader(data), "fuzz.jtl", fuzzOptions(mode))
		if err != nil {
			t.Fatal(err)
		}
		lines := countLines(data) + 1
		limit := 2*len(data) + 10
		var s samples.Sample
		for calls := 0; ; calls++ {
			if calls > limit {
				t.Fatalf("more than %d Decode calls for %d bytes", limit, len(data))
			}
			err := d.Decode(&s)
			if err == io.EOF {
				break
			}
			var pe *samples.ParseError
			if errors.As(err, &pe) {
				if pe.File != "fuzz.jtl" || pe.Line < 1 || pe.Line > lines || pe.Offset < 0 || pe.Offset > int64(len(data)) {
					t.Fatalf("bad ParseError %+v", pe)
				}
				continue
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.jtl") {
					t.Fatalf("error without the file name: %v", err)
				}
				break
			}
			s.Walk(func(c *samples.Sample, depth int) {
				if c.Line < 1 || c.Line > lines || c.Source != "fuzz.jtl" {
					t.Fatalf("sample at line %d of %d, source %q", c.Line, lines, c.Source)
				}
				for _, str := range []string{c.Label, c.Thread, c.Code, c.Message, c.URL, c.FailureMessage} {
					if !utf8.ValidString(str) {
						t.Fatalf("invalid UTF-8 in %q", str)
					}
				}
			})
		}
		_ = d.Meta()
		// Parallel mode with tiny blocks must find exactly the same.
		sameResults(t, data, fuzzOptions(mode), 1+int(mode>>4)*5)
	})
}
