package samples

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// Describe says in a few words what head, the first bytes of an input that
// is not a JTL or a HAR, looks like: "a web server access log", "a CSV
// with columns name, age", "JSON, not a HAR". Messages that turn an input
// down use it, so that the user learns what was given instead of only
// what was expected. foreign is false only for delimited rows that could
// still be a JTL written without a header line.
func Describe(head []byte) (what string, foreign bool) {
	what = describe(head)
	return what, !strings.HasPrefix(what, "delimited text")
}

func describe(head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\uFEFF"))
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return "an empty file"
	}
	first := t
	if i := bytes.IndexAny(t, "\r\n"); i >= 0 {
		first = t[:i]
	}
	switch {
	case t[0] == '{' || t[0] == '[':
		if bytes.Contains(head, []byte(`"log"`)) {
			return "JSON with a \"log\" object but no HAR entries in the first " + strconv.Itoa(len(head)>>10) + " KiB"
		}
		return "JSON, not a HAR (a HAR is an object with log.entries)"
	case t[0] == '<':
		if m := xmlRoot.FindSubmatch(t); m != nil {
			name := string(m[1])
			if strings.EqualFold(name, "html") {
				return "an HTML page"
			}
			return "XML whose root element is <" + printableText(name, 40) + ">, not JMeter's <testResults>"
		}
		return "markup that is not XML JMeter wrote"
	case accessLog.Match(first):
		return "a web server access log (Common or Combined Log Format)"
	}
	if tool := otherTool(string(first)); tool != "" {
		return tool
	}
	for _, d := range []byte{',', ';', '\t', '|'} {
		if n := bytes.Count(first, []byte{d}); n >= 1 {
			fields := strings.Split(string(first), string(d))
			if names, ok := columnNames(fields); ok {
				return "a CSV with columns " + names
			}
			return "delimited text with " + strconv.Itoa(len(fields)) + " fields on its first line (" + preview(fields) + ")"
		}
	}
	return "plain text (\"" + printableText(string(first), 60) + "\")"
}

// otherTool names the load-testing tool whose own result format first,
// the first line of an input, starts, or returns "". Their files reach
// jtlscope by mistake (a CI step that globs results/*), and they share
// enough with a JTL (a timestamp column, tab-separated numbers) to be
// misread as one: 60 k6 metric rows as 60 failed requests.
func otherTool(first string) string {
	fields := func(sep string) []string { return strings.Split(strings.TrimSpace(first), sep) }
	switch f := fields(","); {
	case len(f) >= 3 && f[0] == "metric_name" && f[1] == "timestamp" && f[2] == "metric_value":
		return "a k6 CSV (k6 run --out csv: one metric value per row, not one request)"
	case len(f) >= 4 && strings.EqualFold(f[0], "Type") && f[1] == "Name" && f[2] == "Request Count":
		return "a Locust statistics CSV (totals per endpoint, not requests)"
	}
	// Gatling's simulation.log (2.x and 3.0 to 3.3, text; later versions
	// write a binary one): tab-separated records that start with their
	// type, the first one RUN.
	if f := fields("\t"); len(f) >= 3 {
		switch f[0] {
		case "RUN", "USER", "REQUEST", "GROUP", "ASSERTION", "ERROR":
			return "a Gatling simulation.log (Gatling's own record of a run; its HTML report reads it, jtlscope does not)"
		}
	}
	return ""
}

var (
	xmlRoot   = regexp.MustCompile(`(?s)^(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<![^>]*>\s*)*<([A-Za-z_][\w.:-]*)`)
	accessLog = regexp.MustCompile(`^\S+ \S+ \S+ \[[^\]]+\] "`)
)

// columnNames returns the fields as a list when they look like a header
// line: words, not numbers.
func columnNames(fields []string) (string, bool) {
	if len(fields) < 2 {
		return "", false
	}
	for _, f := range fields {
		f = strings.Trim(strings.TrimSpace(f), `"`)
		if f == "" || len(f) > 64 {
			return "", false
		}
		r, _ := utf8.DecodeRuneInString(f)
		if !unicode.IsLetter(r) && r != '_' {
			return "", false
		}
		// A first row of values, not names: a credential must not be
		// quoted back ("admin,hunter2Xy9").
		if !redact.Quotable(f) {
			return "", false
		}
	}
	return preview(fields), true
}

// preview lists the first fields, shortened.
func preview(fields []string) string {
	const show = 8
	var parts []string
	for i, f := range fields {
		if i == show {
			parts = append(parts, "…")
			break
		}
		f = strings.Trim(strings.TrimSpace(f), `"`)
		if !redact.Quotable(f) {
			f = "…"
		}
		parts = append(parts, printableText(f, 24))
	}
	return strings.Join(parts, ", ")
}

// printableText shortens s to n runes and replaces control characters, so
// that a message quoting an input cannot drive a terminal.
func printableText(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			r = '?'
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}
