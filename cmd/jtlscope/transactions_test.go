package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTransactionRows: a file of Transaction Controller rows alone
// (Taurus's tranctl.jtl) has no requests. The report counts its
// transactions and their failures in the header and says so where each
// chart would be, rather than "0 samples, of which 0 failed" and "no
// sample has a timestamp" under a header showing a time range.
func TestOnlyTransactionRows(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "tranctl.jtl")
	os.WriteFile(in, []byte("timeStamp,elapsed,label,responseCode,responseMessage,success,grpThreads,allThreads,Latency,Connect\n"+
		`1431534938725,264,Transaction Controller1,200,"Number of samples in transaction : 1, number of failing samples : 0",true,1,1,0,0`+"\n"+
		`1431534938734,998,Transaction Controller2,200,"Number of samples in transaction : 1, number of failing samples : 1",false,1,1,0,0`+"\n"), 0o644)
	if _, errOut, code := jtlscope(t, "", "summary", in); code != exitOK || !strings.Contains(errOut, "only Transaction Controller rows (2 transactions) and no requests") {
		t.Errorf("summary: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "r")
	if _, errOut, code := jtlscope(t, "", "report", in, "-o", out); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(md)
	if !strings.Contains(s, "no requests; 2 transactions (Transaction Controller rows), of which 1 failed") {
		t.Errorf("the header does not count the transactions:\n%s", s[:min(len(s), 600)])
	}
	if strings.Contains(strings.ToLower(s), "no sample has a timestamp") ||
		strings.Count(s, "holds only Transaction Controller rows") < 10 {
		t.Errorf("the charts do not say why they are missing:\n%s", s)
	}
}
