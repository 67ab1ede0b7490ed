package report

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// A JUnitCase is one criterion checked on one label: the shape CI
// servers (Jenkins, GitLab, GitHub actions that read JUnit) show as a
// test, as Taurus and k6 users feed them their pass/fail criteria.
type JUnitCase struct {
	// Label is the label checked, or "TOTAL"; it becomes the classname.
	Label string
	// Criterion is the criterion as written: "p95 ≤ 800 ms".
	Criterion string
	// Failed says the label broke the criterion; Message says by how much,
	// with the measured value and the limit either way.
	Failed bool
	// Skipped says the criterion could not be judged (too few samples).
	Skipped bool
	Message string
}

// A JUnitSuite groups the cases of one kind of criteria ("sla",
// "fail-on").
type JUnitSuite struct {
	Name  string
	Cases []JUnitCase
}

type junitSuites struct {
	XMLName  xml.Name        `xml:"testsuites"`
	Name     string          `xml:"name,attr"`
	Tests    int             `xml:"tests,attr"`
	Failures int             `xml:"failures,attr"`
	Errors   int             `xml:"errors,attr"`
	Suites   []junitSuiteXML `xml:"testsuite"`
}

type junitSuiteXML struct {
	Name      string         `xml:"name,attr"`
	Tests     int            `xml:"tests,attr"`
	Failures  int            `xml:"failures,attr"`
	Errors    int            `xml:"errors,attr"`
	Skipped   int            `xml:"skipped,attr"`
	Time      string         `xml:"time,attr"`
	Timestamp string         `xml:"timestamp,attr,omitempty"`
	Cases     []junitCaseXML `xml:"testcase"`
}

type junitCaseXML struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes the suites as JUnit XML (the layout of Ant's
// XMLJUnitResultFormatter, which Jenkins' xUnit plugin checks against its
// junit-10.xsd). A passed case carries its measurement in system-out, a
// failed one in its failure message. Labels are redacted; encoding/xml
// escapes them and drops nothing (characters XML cannot hold are written
// as U+FFFD).
func JUnit(w io.Writer, title string, generated time.Time, suites []JUnitSuite) error {
	out := junitSuites{Name: xmlText(title)}
	for _, s := range suites {
		xs := junitSuiteXML{Name: xmlText(s.Name), Tests: len(s.Cases), Time: "0"}
		if !generated.IsZero() {
			xs.Timestamp = generated.UTC().Format("2006-01-02T15:04:05")
		}
		for _, c := range s.Cases {
			label := xmlText(redact.Text(c.Label))
			xc := junitCaseXML{Name: xmlText(c.Criterion) + ": " + label, Classname: "jtlscope." + s.Name + "." + label, Time: "0"}
			msg := xmlText(redact.Text(c.Message))
			switch {
			case c.Failed:
				xs.Failures++
				xc.Failure = &junitFailure{Message: msg, Type: s.Name, Text: msg}
			case c.Skipped:
				xs.Skipped++
				xc.Skipped = &junitSkipped{Message: msg}
			default:
				xc.SystemOut = msg
			}
			xs.Cases = append(xs.Cases, xc)
		}
		out.Tests += xs.Tests
		out.Failures += xs.Failures
		out.Suites = append(out.Suites, xs)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// xmlText replaces what XML 1.0 cannot hold at all (most control
// characters), which encoding/xml would otherwise write as-is.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
