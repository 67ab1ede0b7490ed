package jtlcsv

import (
	"slices"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// colKind is what a CSV column holds.
type colKind uint8

const (
	cVar  colKind = iota // a sample_variables column, or a column we do not know
	cSkip                // known but not read: Filename, or a ms column shadowed by its _ns twin
	cTimeStamp
	cTimeStampNs
	cElapsed
	cElapsedNs
	cLabel
	cCode
	cMessage
	cThread
	cDataType
	cSuccess
	cFailureMessage
	cBytes
	cSentBytes
	cGrpThreads
	cAllThreads
	cURL
	cFilename
	cLatency
	cLatencyNs
	cEncoding
	cSampleCount
	cErrorCount
	cHostname
	cIdleTime
	cIdleTimeNs
	cConnect
	cConnectNs
	numKinds
)

// knownColumns are JMeter's header names in the order CSVSaveService
// writes them (the _ns columns come from an unreleased nanosecond-timing
// branch, apache/jmeter bin/testfiles/ns.jtl).
var knownColumns = []struct {
	name string
	kind colKind
}{
	{"timeStamp", cTimeStamp},
	{"timeStamp_ns", cTimeStampNs},
	{"elapsed", cElapsed},
	{"elapsed_ns", cElapsedNs},
	{"label", cLabel},
	{"responseCode", cCode},
	{"responseMessage", cMessage},
	{"threadName", cThread},
	{"dataType", cDataType},
	{"success", cSuccess},
	{"failureMessage", cFailureMessage},
	{"bytes", cBytes},
	{"sentBytes", cSentBytes},
	{"grpThreads", cGrpThreads},
	{"allThreads", cAllThreads},
	{"URL", cURL},
	{"Filename", cFilename},
	{"Latency", cLatency},
	{"Latency_ns", cLatencyNs},
	{"Encoding", cEncoding},
	{"SampleCount", cSampleCount},
	{"ErrorCount", cErrorCount},
	{"Hostname", cHostname},
	{"IdleTime", cIdleTime},
	{"IdleTime_ns", cIdleTimeNs},
	{"Connect", cConnect},
	{"Connect_ns", cConnectNs},
}

// kindByName finds a header name, ignoring case: writers other than JMeter
// (AWS Distributed Load Testing, hand-made fixtures) change case and order.
func kindByName(name string) (colKind, string, bool) {
	name = strings.TrimSpace(name)
	for _, k := range knownColumns {
		// The names are ASCII: a length check first saves a fold for
		// almost every comparison (each bad row is tried as a header).
		if len(k.name) == len(name) && strings.EqualFold(k.name, name) {
			return k.kind, k.name, true
		}
	}
	return cVar, name, false
}

func kindName(k colKind) string {
	for _, c := range knownColumns {
		if c.kind == k {
			return c.name
		}
	}
	return "variable"
}

// A column is one field position in a record.
type column struct {
	kind colKind
	name string // as written in the header, or JMeter's name when assumed
	vi   int    // index into Sample.Vars for cVar columns
}

// A layout is how the records of one file are laid out.
type layout struct {
	delim  byte
	cols   []column
	header bool
	nvars  int
	vars   []string // names of the cVar columns, in order
	has    samples.Fields
	link   bool // rows carry what sub-result detection needs
	hasURL bool
	// headerLine is the header record as read, to recognise a repeated
	// header in concatenated files.
	headerLine []string
}

// newLayout builds a layout from column names. quoted marks the names that
// were "quoted" in the header: JMeter writes sample_variables that way.
func newLayout(delim byte, names []string, quoted []bool, header bool) (*layout, []string) {
	l := &layout{delim: delim, header: header}
	var notes []string
	var present [numKinds]bool
	for i, n := range names {
		c := column{kind: cVar, name: n}
		if i >= len(quoted) || !quoted[i] {
			// Known names keep the file's spelling in Meta.Columns: it is
			// what the user sees.
			if k, canon, ok := kindByName(n); ok && !present[k] {
				c.kind, c.name = k, strings.TrimSpace(n)
			} else if ok {
				notes = append(notes, "column "+itoa(i+1)+" repeats "+canon+"; kept as a variable")
			} else if header {
				notes = append(notes, "unknown column "+quote(n)+" kept as a sample variable")
			}
		}
		if c.kind == cVar {
			c.vi = l.nvars
			l.nvars++
			l.vars = append(l.vars, c.name)
		}
		present[c.kind] = true
		l.cols = append(l.cols, c)
	}
	// The _ns columns hold the same times at full precision; ns.jtl writes 0
	// and 1 in the millisecond columns next to them.
	shadow := map[colKind]colKind{cTimeStamp: cTimeStampNs, cElapsed: cElapsedNs,
		cLatency: cLatencyNs, cIdleTime: cIdleTimeNs, cConnect: cConnectNs}
	for i := range l.cols {
		if ns, ok := shadow[l.cols[i].kind]; ok && present[ns] {
			l.cols[i].kind = cSkip
		}
		if l.cols[i].kind == cFilename {
			l.cols[i].kind = cSkip // Sample has no field for it
		}
	}
	set := func(f samples.Fields, ks ...colKind) {
		for _, k := range ks {
			if present[k] {
				l.has |= f
			}
		}
	}
	set(samples.FieldStart, cTimeStamp, cTimeStampNs)
	set(samples.FieldElapsed, cElapsed, cElapsedNs)
	set(samples.FieldLatency, cLatency, cLatencyNs)
	set(samples.FieldConnect, cConnect, cConnectNs)
	set(samples.FieldIdle, cIdleTime, cIdleTimeNs)
	set(samples.FieldLabel, cLabel)
	set(samples.FieldThread, cThread)
	if present[cGrpThreads] && present[cAllThreads] {
		l.has |= samples.FieldThreads
	}
	set(samples.FieldCode, cCode)
	set(samples.FieldMessage, cMessage)
	set(samples.FieldSuccess, cSuccess)
	set(samples.FieldFailureMessage, cFailureMessage)
	set(samples.FieldBytes, cBytes)
	set(samples.FieldSentBytes, cSentBytes)
	set(samples.FieldURL, cURL)
	set(samples.FieldDataType, cDataType)
	set(samples.FieldHostname, cHostname)
	set(samples.FieldEncoding, cEncoding)
	set(samples.FieldSampleCount, cSampleCount, cErrorCount)
	if l.nvars > 0 {
		l.has |= samples.FieldVars
	}
	l.hasURL = present[cURL]
	l.link = present[cLabel] && present[cThread] &&
		(present[cTimeStamp] || present[cTimeStampNs]) && (present[cElapsed] || present[cElapsedNs])
	return l, notes
}

func (l *layout) names() []string {
	out := make([]string, len(l.cols))
	for i, c := range l.cols {
		out[i] = c.name
	}
	return out
}

func (l *layout) hasKind(k colKind) bool {
	for _, c := range l.cols {
		if c.kind == k {
			return true
		}
	}
	return false
}

// saved lists the jmeter.save.saveservice flags the columns show.
func (l *layout) saved(tsFormat string) map[string]string {
	m := map[string]string{}
	b := func(key string, kinds ...colKind) {
		v := "false"
		for _, c := range l.cols {
			for _, k := range kinds {
				if c.kind == k || (c.kind == cSkip && strings.EqualFold(c.name, kindName(k))) {
					v = "true"
				}
			}
		}
		m[key] = v
	}
	b("time", cElapsed, cElapsedNs)
	b("label", cLabel)
	b("response_code", cCode)
	b("response_message", cMessage)
	b("thread_name", cThread)
	b("data_type", cDataType)
	b("successful", cSuccess)
	b("assertion_results_failure_message", cFailureMessage)
	b("bytes", cBytes)
	b("sent_bytes", cSentBytes)
	b("thread_counts", cGrpThreads)
	b("url", cURL)
	b("filename", cFilename)
	b("latency", cLatency, cLatencyNs)
	b("encoding", cEncoding)
	b("sample_count", cSampleCount)
	b("hostname", cHostname)
	b("idle_time", cIdleTime, cIdleTimeNs)
	b("connect_time", cConnect, cConnectNs)
	m["timestamp_format"] = tsFormat
	m["print_field_names"] = boolString(l.header)
	m["default_delimiter"] = delimName(l.delim)
	if l.nvars > 0 {
		m["sample_variables"] = strings.Join(l.vars, ",")
	}
	return m
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func delimName(d byte) string {
	if d == '\t' {
		return `\t`
	}
	return string(rune(d))
}

// A version is the set of columns one JMeter release writes by default,
// from SampleSaveConfiguration's static defaults (see the team's jmeter.md
// §1.1).
type version struct {
	name  string
	flags map[string]bool
	// noSentBytes: the flag did not exist yet.
	noSentBytes bool
}

var baseFlags = map[string]bool{
	"time": true, "label": true, "response_code": true, "response_message": true,
	"thread_name": true, "data_type": true, "successful": true, "bytes": true,
	"thread_counts": true, "latency": true,
}

func withFlags(extra ...string) map[string]bool {
	m := map[string]bool{}
	for k, v := range baseFlags {
		m[k] = v
	}
	for _, k := range extra {
		m[k] = true
	}
	return m
}

var versions = []version{
	{name: "JMeter 5.x", flags: withFlags("assertion_results_failure_message", "sent_bytes", "url", "idle_time", "connect_time")},
	{name: "JMeter 3.1 to 4.0", flags: withFlags("assertion_results_failure_message", "sent_bytes", "idle_time", "connect_time")},
	{name: "JMeter 3.0", flags: withFlags("assertion_results_failure_message", "idle_time"), noSentBytes: true},
	{name: "JMeter 2.13", flags: withFlags(), noSentBytes: true},
}

// oldDefault is the 10-column set of JMeter 2.x releases that did not save
// thread counts yet (jenkinsci/performance-plugin's JENKINS-16627 file and
// python-jtl's pipe-delimited sample have it).
var oldDefault = version{name: "JMeter 2.x before thread counts", flags: func() map[string]bool {
	m := withFlags()
	m["thread_counts"] = false
	return m
}(), noSentBytes: true}

// flagColumns maps each jmeter.save.saveservice flag to the columns it
// turns on, in the order JMeter writes them.
var flagColumns = []struct {
	flag string
	cols []string
}{
	{"timestamp_format", []string{"timeStamp"}},
	{"time", []string{"elapsed"}},
	{"label", []string{"label"}},
	{"response_code", []string{"responseCode"}},
	{"response_message", []string{"responseMessage"}},
	{"thread_name", []string{"threadName"}},
	{"data_type", []string{"dataType"}},
	{"successful", []string{"success"}},
	{"assertion_results_failure_message", []string{"failureMessage"}},
	{"bytes", []string{"bytes"}},
	{"sent_bytes", []string{"sentBytes"}},
	{"thread_counts", []string{"grpThreads", "allThreads"}},
	{"url", []string{"URL"}},
	{"filename", []string{"Filename"}},
	{"latency", []string{"Latency"}},
	{"encoding", []string{"Encoding"}},
	{"sample_count", []string{"SampleCount", "ErrorCount"}},
	{"hostname", []string{"Hostname"}},
	{"idle_time", []string{"IdleTime"}},
	{"connect_time", []string{"Connect"}},
}

const propPrefix = "jmeter.save.saveservice."

// columnsFor returns the column names a JMeter release with these
// properties writes: the release's defaults, overridden by props.
func columnsFor(v version, props map[string]string, tsNone bool, vars []string) []string {
	var out []string
	for _, fc := range flagColumns {
		on := v.flags[fc.flag]
		if fc.flag == "timestamp_format" {
			on = !tsNone
		} else if s, ok := props[propPrefix+fc.flag]; ok {
			// Java's Boolean.parseBoolean: "true" in any case, else false.
			on = strings.EqualFold(strings.TrimSpace(s), "true")
		}
		if fc.flag == "sent_bytes" && v.noSentBytes {
			on = false
		}
		if on {
			out = append(out, fc.cols...)
		}
	}
	for _, n := range vars {
		out = append(out, `"`+n+`"`)
	}
	return out
}

// sampleVariables reads the sample_variables property the way JMeter
// does: names separated by commas.
func sampleVariables(props map[string]string) []string {
	s, ok := props["sample_variables"]
	if !ok {
		return nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// hasSaveProperties reports whether props say anything about CSV columns.
func hasSaveProperties(props map[string]string) bool {
	for k := range props {
		if strings.HasPrefix(k, propPrefix) || k == "sample_variables" {
			return true
		}
	}
	return false
}

// layoutFromNames turns assumed column names (quoted ones are variables)
// into a layout.
func layoutFromNames(delim byte, names []string) *layout {
	plain := make([]string, len(names))
	quoted := make([]bool, len(names))
	for i, n := range names {
		if len(n) > 2 && n[0] == '"' && n[len(n)-1] == '"' {
			plain[i], quoted[i] = n[1:len(n)-1], true
		} else {
			plain[i] = n
		}
	}
	l, _ := newLayout(delim, plain, quoted, false)
	return l
}

// producer names the writer when the columns are exactly a release's
// default set, or "JMeter" when they follow JMeter's names and order.
func producer(l *layout) string {
	var fixed []string
	for _, c := range l.cols {
		if c.kind != cVar {
			fixed = append(fixed, c.name)
		}
	}
	for _, v := range append(append([]version(nil), versions...), oldDefault) {
		if slices.Equal(fixed, columnsFor(v, nil, false, nil)) {
			return v.name + " (default columns)"
		}
	}
	if l.hasKind(cTimeStampNs) || l.hasKind(cElapsedNs) {
		return "JMeter (nanosecond-timing development build)"
	}
	last := -1
	for _, n := range fixed {
		pos := -1
		for i, k := range knownColumns {
			if k.name == n {
				pos = i
			}
		}
		if pos <= last {
			return ""
		}
		last = pos
	}
	return "JMeter"
}
