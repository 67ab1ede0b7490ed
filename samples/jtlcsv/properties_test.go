package jtlcsv

import (
	"strings"
	"testing"
)

func TestReadProperties(t *testing.T) {
	in := "# comment\n" +
		"! also a comment\n" +
		"   \n" +
		"a=1\n" +
		"b : 2\n" +
		"c 3\n" +
		"d\t=\t4 with spaces  \n" +
		"  e=indented key\n" +
		"f=one \\\n" +
		"    two \\\n" +
		"\tthree\n" +
		"g=\\t\\n\\u00e9\\\\\\=\n" +
		"h\\ key\\:x=v\n" +
		"i=\n" +
		"j\n" +
		"jmeter.save.saveservice.default_delimiter=\\t\n" +
		"k=\\uD83D\\uDE00\n" +
		"a=last wins\r\n" +
		"# a comment ending in a backslash does not continue \\\n" +
		"l=after\r" +
		"m=even\\\\\n" +
		"n=odd\\"
	p, err := ReadProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "last wins", "b": "2", "c": "3", "d": "4 with spaces  ", "e": "indented key",
		"f": "one two three", "g": "\t\né\\=", "h key:x": "v", "i": "", "j": "",
		"jmeter.save.saveservice.default_delimiter": "\t", "k": "😀", "l": "after", "m": `even\`, "n": "odd",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%q = %q, want %q", k, p[k], v)
		}
	}
	if len(p) != len(want) {
		t.Errorf("got %d keys: %q", len(p), p)
	}

	// Java reads .properties as ISO-8859-1.
	p, err = ReadProperties(strings.NewReader("x=caf\xe9\n"))
	if err != nil || p["x"] != "café" {
		t.Errorf("latin-1: %q %v", p["x"], err)
	}
	if _, err := ReadProperties(strings.NewReader("a=1\nb=\\u12g4\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad escape: %v", err)
	}
}

func TestPropertiesDescribeBug52968(t *testing.T) {
	p := realOptions(t, "testdata/bug52968.properties").Properties
	got := columnsFor(versions[0], p, p[propPrefix+"timestamp_format"] == "none", sampleVariables(p))
	want := "label,responseCode,responseMessage,threadName,dataType,success,grpThreads,allThreads,SampleCount,ErrorCount"
	if strings.Join(got, ",") != want {
		t.Errorf("%v", got)
	}
}

func TestDefaultColumns(t *testing.T) {
	// jmeter.md §1.1: the default header of each release.
	for i, want := range []string{
		"timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect",
		"timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,Latency,IdleTime,Connect",
		"timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,Latency,IdleTime",
		"timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency",
	} {
		if got := strings.Join(columnsFor(versions[i], nil, false, nil), ","); got != want {
			t.Errorf("%s:\n got %s\nwant %s", versions[i].name, got, want)
		}
	}
}
