package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Out string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// validateJUnit checks path against the JUnit schema Jenkins' xUnit
// plugin uses (testdata/junit/junit-10.xsd) with xmllint, and parses it.
func validateJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit/junit-10.xsd", path).CombinedOutput()
		if err != nil {
			t.Errorf("the JUnit file does not validate: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Error("xmllint is missing (apt-get install libxml2-utils): the JUnit schema is not checked")
	} else {
		t.Log("xmllint not installed (apt-get install libxml2-utils): the schema is not checked, only the structure")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d junitDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestJUnitFromSLAAndFailOn: one test case per criterion and label (and
// the total), the measured value and the limit in each message, failures
// where the run broke the criterion, valid against the JUnit schema.
func TestJUnitFromSLAAndFailOn(t *testing.T) {
	in := rampCSV(t, `upload <&> x`, "400") // about 20% of requests fail
	dir := t.TempDir()
	for _, cmd := range []string{"summary", "diagnose", "report"} {
		path := filepath.Join(dir, cmd+".xml")
		args := []string{cmd, "--sla", "errors=1%,p95=1s", "--junit", path, in}
		if cmd == "report" {
			args = append(args, "-o", filepath.Join(dir, "r"))
		}
		if _, errOut, code := jtlscope(t, "", args...); code != exitSLA {
			t.Fatalf("%s: exit %d: %s", cmd, code, errOut)
		}
		d := validateJUnit(t, path)
		if len(d.Suites) != 1 || d.Suites[0].Name != "sla" || d.Tests != 4 || d.Failures != 2 {
			t.Fatalf("%s: %+v", cmd, d)
		}
		for _, c := range d.Suites[0].Cases {
			msg := c.Out
			if c.Failure != nil {
				msg = c.Failure.Message
			}
			errs := strings.HasPrefix(c.Name, "errors ≤ 1%")
			if errs != (c.Failure != nil) {
				t.Errorf("%s: case %q failed %v", cmd, c.Name, c.Failure != nil)
			}
			if errs && !strings.Contains(msg, "% > 1%") || !errs && !strings.Contains(msg, "ms ≤ 1000 ms") {
				t.Errorf("%s: case %q message %q lacks the value or the limit", cmd, c.Name, msg)
			}
		}
		if c := d.Suites[0].Cases[2]; !strings.Contains(c.Classname, `upload <&> x`) {
			t.Errorf("label case %+v", c)
		}
	}
	// compare --fail-on: the new run fails more than the baseline.
	clean := filepath.Join(bundled, "results.csv")
	path := filepath.Join(dir, "compare.xml")
	if _, errOut, code := jtlscope(t, "", "compare", "--resamples", "199", "--fail-on", "errors=+1pp,p95=+50%", "--junit", path, clean, in); code != exitSLA {
		t.Fatalf("compare: exit %d: %s", code, errOut)
	}
	d := validateJUnit(t, path)
	if len(d.Suites) != 1 || d.Suites[0].Name != "fail-on" || d.Failures == 0 || d.Tests < 2 {
		t.Fatalf("compare: %+v", d)
	}
	if c := d.Suites[0].Cases[0]; c.Classname != "jtlscope.fail-on.TOTAL" || c.Failure == nil || !strings.Contains(c.Failure.Message, "(limit error +1pp)") {
		t.Errorf("compare total case %+v", c)
	}
	// Without criteria there is nothing to write: a usage error.
	if _, errOut, code := jtlscope(t, "", "summary", "--junit", path, in); code != exitUsage || !strings.Contains(errOut, "--sla") {
		t.Errorf("--junit without --sla: exit %d: %s", code, errOut)
	}
}
