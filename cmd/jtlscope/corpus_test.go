package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
)

// The malformed-input corpus: inputs from killed tests, other tools,
// other machines and attackers. Each case is built here (the large ones
// at test time) and run through `jtlscope summary` in a child process, so
// that the exit code, stderr, the partial result and peak memory are what
// a user would see.

const header = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"

func row(ts, elapsed string) string {
	return ts + "," + elapsed + ",a,200,OK,T 1-1,text,true,,10,10,1,1,http://h/x,90,0,0\n"
}

type corpusCase struct {
	name    string
	file    string // name given to the input: content decides the format
	content func(t *testing.T) []byte
	code    int
	stderr  []string // each must appear
	samples int64    // when code is 0: the partial result
	tail    int      // bytes of "x" appended to the file after content
	// gen, when set, writes more after content, streamed (gzipped when
	// gz is set), so that large inputs never sit in the test's memory.
	gen func(w io.Writer)
	gz  bool
	// notStderr must not appear (a message repeated for every row).
	notStderr []string
}

// repeat writes line n times.
func repeat(line string, n int) func(w io.Writer) {
	return func(w io.Writer) {
		chunk := []byte(strings.Repeat(line, 4096))
		for i := 0; i < n; i += 4096 {
			w.Write(chunk[:min(4096, n-i)*len(line)])
		}
	}
}

func bundledFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../samples/testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var corpus = []corpusCase{
	{name: "empty file", file: "empty.jtl", content: func(*testing.T) []byte { return nil },
		code: exitError, stderr: []string{"empty.jtl", "no samples", "the file is empty"}},
	{name: "header only", file: "header.csv", content: func(*testing.T) []byte { return []byte(header) },
		code: exitError, stderr: []string{"header.csv", "no samples", "header line but no samples"}},
	{name: "CSV cut mid-quote", file: "cut.csv",
		content: func(*testing.T) []byte {
			return []byte(header + row("1700000000000", "100") + row("1700000000100", "100") + `1700000000200,100,a,400,"Bad, req`)
		},
		code: exitOK, samples: 2, stderr: []string{"cut.csv:4:", "cut off"}},
	{name: "XML cut mid-element", file: "cut.xml",
		content: func(t *testing.T) []byte { return bundledFile(t, "jmeter/s6-clean/results.xml")[:3000] },
		code:    exitOK, samples: 2, stderr: []string{"cut.xml:54:", "file ends inside <httpSample> started at line 37"}},
	{name: "HAR cut mid-entry", file: "cut.har",
		content: func(t *testing.T) []byte {
			return bundledFile(t, "public/har/mitmproxy__mitmproxy__test__mitmproxy__data__har_files__firefox.har")[:60000]
		},
		code: exitOK, stderr: []string{"cut.har:", "the input ends inside entry"}},
	{name: "binary garbage", file: "garbage.jtl",
		content: func(*testing.T) []byte {
			b := make([]byte, 4096)
			for i := range b {
				b[i] = byte(i * 7919 % 251)
			}
			return b
		},
		code: exitError, stderr: []string{"garbage.jtl", "binary data"}},
	{name: "gzip cut off", file: "cut.csv.gz",
		content: func(t *testing.T) []byte {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(bundledFile(t, "jmeter/s6-clean/results.csv"))
			zw.Close()
			return buf.Bytes()[:buf.Len()/2]
		},
		code: exitOK, stderr: []string{"cut.csv.gz", "gzip data is cut off"}},
	{name: "100 MB line without a newline", file: "long.csv",
		content: func(*testing.T) []byte { return []byte(header + row("1700000000000", "100")) },
		// 100 MB of "x" are appended to the file by stream, so that the
		// test process does not hold them (a child inherits its parent's
		// peak RSS on Linux).
		tail: 100 << 20,
		code: exitOK, samples: 1, stderr: []string{"long.csv:3", "longer than 16 MiB"}},
	{name: "invalid UTF-8 kept", file: "utf8.csv",
		content: func(*testing.T) []byte {
			return []byte(header + "1700000000000,100,caf\xe9 \xff,200,OK,T 1-1,text,true,,10,10,1,1,http://h/x,90,0,0\n" + row("1700000000100", "100"))
		},
		code: exitOK, samples: 2},
	{name: "NUL byte in a row", file: "nul.csv",
		content: func(*testing.T) []byte {
			b := []byte(header)
			for i := 0; i < 60; i++ {
				b = append(b, row("1700000000000", "100")...)
			}
			return append(b, []byte("1700000000100,100,a\x00b,200,OK,T 1-1,text,true,,10,10,1,1,http://h/x,90,0,0\n")...)
		},
		code: exitOK, samples: 60, stderr: []string{"nul.csv:62", "NUL byte"}},
	{name: "too few and too many fields", file: "fields.csv",
		content: func(*testing.T) []byte {
			return []byte(header + row("1700000000000", "100") + "1700000000100,100,a,200\n" + strings.TrimSuffix(row("1700000000200", "100"), "\n") + ",x,y\n" + row("1700000000300", "100"))
		},
		code: exitOK, samples: 2, stderr: []string{"fields.csv:3: too few fields", "fields.csv:4: too many fields"}},
	{name: "negative, far-future and unparsable timestamps", file: "times.csv",
		content: func(*testing.T) []byte {
			return []byte(header + row("-5", "100") + row("99999999999999", "100") + row("yesterday", "100") + row("1700000000000", "100"))
		},
		// Implausible times are kept as samples without a time (they may
		// be failures); an unparsable one is a broken record.
		code: exitOK, samples: 3, stderr: []string{"times.csv:2: 2 samples have an implausible timestamp", "times.csv:4:1: column 1 (timeStamp)"}},
	{name: "negative elapsed", file: "elapsed.csv",
		content: func(*testing.T) []byte {
			return []byte(header + row("1700000000000", "-100") + row("1700000000100", "100"))
		},
		code: exitOK, samples: 1, stderr: []string{"elapsed.csv:2:2: column 2 (elapsed): negative elapsed"}},
	{name: "XML DOCTYPE with entities is not expanded", file: "doctype.xml",
		content: func(*testing.T) []byte {
			return []byte(`<?xml version="1.0"?>
<!DOCTYPE testResults [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>
<testResults version="1.2">
<httpSample t="5" ts="1700000000000" s="true" lb="&c;&ext;" rc="200" rm="OK" tn="T 1-1"/>
</testResults>
`)
		},
		code: exitOK, samples: 1, stderr: []string{"doctype.xml:2:1: DOCTYPE", "not expanded", "nothing is fetched"}},
	{name: "JSON nested a million levels", file: "deep.har",
		content: func(*testing.T) []byte {
			return []byte(`{"log":{"version":"1.2","entries":[` + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + `]}}`)
		},
		code: exitError, stderr: []string{"deep.har:1:", "no samples"}},
	{name: "HAR wrapped as JSONP", file: "jsonp.har",
		content: func(t *testing.T) []byte {
			return bundledFile(t, "public/har/janodvarko__harviewer__selenium__tests__hars__1.har")
		},
		code: exitOK, samples: 1},
	// Junk that is rejected record by record must cost nothing that
	// accumulates (issue 13: 4M lines of x took 680 MB, lines of one
	// space 11 GB, 5M timestamps a spreadsheet rewrote 1.7 GB, newlines
	// after the data 24 GB): each is sized so that the old reader went
	// past the limit below.
	{name: "a header and lines of x", file: "x.csv",
		content: func(*testing.T) []byte { return []byte(header) },
		gen:     repeat("x\n", 1_500_000),
		code:    exitError, stderr: []string{"x.csv: 1,499,999 problems like line 2 (also lines 3, 4, 5, …): too few fields"},
		notStderr: []string{"x.csv:3:"}},
	{name: "lines of one space", file: "spaces.csv",
		content: func(*testing.T) []byte { return []byte(header) },
		gen:     repeat(" \n", 10_000_000),
		code:    exitError, stderr: []string{"spaces.csv: 9,999,999 problems like line 2"}},
	{name: "timestamps a spreadsheet rewrote", file: "sci.csv",
		content: func(*testing.T) []byte { return []byte("timeStamp,elapsed,label,responseCode,success\n") },
		gen:     repeat("1.79565e+12,1,a,200,true\n", 2_000_000),
		code:    exitError, stderr: []string{"sci.csv: 2,000,000 problems like line 2", "scientific notation, as a spreadsheet saves it"}},
	{name: "a CSV then 300 MB of newlines, gzipped", file: "newlines.csv.gz",
		content: func(t *testing.T) []byte { return bundledFile(t, "jmeter/s6-clean/results.csv") },
		gen:     repeat("\n", 300<<20),
		gz:      true,
		code:    exitOK, samples: 1138},
	// Inputs a user will have.
	{name: "ISO 8601 timestamps", file: "iso.csv",
		content: func(*testing.T) []byte { return []byte(header) },
		gen:     repeat(row("2026-11-26T00:35:16.250", "100"), 313),
		code:    exitOK, samples: 313},
	{name: "a timestamp format nobody can read", file: "when.csv",
		content: func(*testing.T) []byte { return []byte(header) },
		gen:     repeat(row("around noon", "100"), 313),
		code:    exitError, stderr: []string{"when.csv: 313 problems like line 2 (also lines 3, 4, 5, …): column 1 (timeStamp)"},
		notStderr: []string{"when.csv:3:"}},
	{name: "a CSV of something else", file: "people.csv",
		content: func(*testing.T) []byte { return []byte("name,age\nbob,32\nalice,41\n") },
		code:    exitError, stderr: []string{"people.csv:1: not a JTL: the file looks like a CSV with columns name, age"}},
	{name: "a web server access log", file: "access.log",
		content: func(*testing.T) []byte {
			return []byte(`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"` + "\n")
		},
		code: exitError, stderr: []string{"access.log", "web server access log"}},
	{name: "a CSV named .xml", file: "results.xml",
		content: func(t *testing.T) []byte { return bundledFile(t, "jmeter/s6-clean/results.csv") },
		code:    exitOK, samples: 1138},
}

func TestMalformedInputCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large inputs")
	}
	dir := t.TempDir()
	for _, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			if err := os.WriteFile(path, c.content(t), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.gen != nil {
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				bw := bufio.NewWriterSize(f, 1<<20)
				var w io.Writer = bw
				var zw *gzip.Writer
				if c.gz {
					// The content is gzipped too: rewrite it in one stream.
					head, _ := os.ReadFile(path)
					f.Truncate(0)
					zw, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
					zw.Write(head)
					w = zw
				}
				c.gen(w)
				if zw != nil {
					zw.Close()
				}
				if err := bw.Flush(); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
			if c.tail > 0 {
				f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				chunk := bytes.Repeat([]byte("x"), 1<<20)
				for n := 0; n < c.tail; n += len(chunk) {
					f.Write(chunk)
				}
				f.Close()
			}
			debug.FreeOSMemory()
			cmd := exec.Command(os.Args[0], "summary", "--format", "json", c.file)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "JTLSCOPE_TEST_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine ") {
				t.Fatalf("crashed:\n%s", stderr.String())
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr.String())
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, bad := range c.notStderr {
				if strings.Contains(stderr.String(), bad) {
					t.Errorf("stderr has %q:\n%s", bad, stderr.String())
				}
			}
			if c.code == exitOK {
				var res struct {
					Samples  int64    `json:"samples"`
					Warnings []string `json:"warnings"`
				}
				if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
					t.Fatalf("no result on stdout: %v", err)
				}
				if c.samples > 0 && res.Samples != c.samples {
					t.Errorf("samples %d, want the %d good ones", res.Samples, c.samples)
				}
				if len(c.stderr) > 0 && len(res.Warnings) == 0 {
					t.Errorf("the JSON result carries no warnings")
				}
			}
			// 150 MiB is the tool's bound; the child's figure also counts
			// the test process's own pages at fork.
			const limit = 150 << 10
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > limit {
				t.Errorf("peak RSS %d MiB, want at most %d MiB", ru.Maxrss>>10, limit>>10)
			}
		})
	}
}
