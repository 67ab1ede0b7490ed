package jtlxml

import (
	"strings"

	"github.com/jtlscope/jtlscope/samples"
)

// metaInfo is what the decoder learns about how the file was saved.
type metaInfo struct {
	attrs   uint32 // attrKey bits seen
	columns []string
	varSeen map[string]bool
	vars    []string

	nested, assertions, failureMessage bool
	reqHeaders, respHeaders            bool
	url, responseFile                  bool
	plugin                             string // element name of a plugin sample, if any
	samples, succeeded                 int
	respData, samplerData              savedOn
}

// savedOn counts samples that carried a field, by outcome: JMeter's
// response_data.on_error saves it for failed samples only.
type savedOn struct{ ok, failed int }

func (s *savedOn) add(success bool) {
	if success {
		s.ok++
	} else {
		s.failed++
	}
}

func (m *metaInfo) addAttr(k attrKey) {
	if m.attrs&(1<<k) != 0 {
		return
	}
	m.attrs |= 1 << k
	m.columns = append(m.columns, attrNames[k])
}

func (m *metaInfo) addVar(name string) {
	if m.varSeen[name] {
		return
	}
	if m.varSeen == nil {
		m.varSeen = map[string]bool{}
	}
	if len(m.varSeen) >= 256 { // a file with a new attribute per sample is not a JTL we learn from
		return
	}
	m.varSeen[name] = true
	m.vars = append(m.vars, name)
	m.columns = append(m.columns, name)
}

func (m *metaInfo) has(k attrKey) bool { return m.attrs&(1<<k) != 0 }

// saveKeys maps attributes to the jmeter.save.saveservice.* setting that
// makes JMeter write them.
var saveKeys = [...]string{
	atT: "time", atIt: "idle_time", atLt: "latency", atCt: "connect_time",
	atTs: "timestamp_format", atS: "successful", atLb: "label",
	atRc: "response_code", atRs: "response_code", atRm: "response_message",
	atTn: "thread_name", atDt: "data_type", atDe: "encoding", atBy: "bytes",
	atSby: "sent_bytes", atSc: "sample_count", atEc: "sample_count",
	atNg: "thread_counts", atNa: "thread_counts", atHn: "hostname",
}

// Meta describes the input as far as it has been read. Saved lists only
// the settings the file shows to be on: a field never seen may be off, or
// may just not have come up yet.
func (d *Decoder) Meta() samples.Meta {
	m := &d.meta
	out := samples.Meta{
		Format:  "jtl-xml",
		Columns: append([]string(nil), m.columns...),
		Saved:   map[string]string{"output_format": "xml"},
	}
	switch {
	case m.plugin != "":
		out.Producer = "JMeter with a jmeter-plugins sampler"
		out.Notes = append(out.Notes, "samples of type <"+m.plugin+"> were read from their field elements")
	case m.has(atSby):
		out.Producer = "JMeter 3.1 or later"
	case m.has(atCt):
		out.Producer = "JMeter 2.13 or later"
	case m.samples > 0:
		out.Producer = "JMeter"
	}
	for k := range attrNames {
		if m.has(attrKey(k)) {
			out.Saved[saveKeys[k]] = "true"
		}
	}
	if m.has(atTs) {
		out.Saved["timestamp_format"] = "ms"
	}
	if len(m.vars) > 0 {
		out.Saved["sample_variables"] = strings.Join(m.vars, ",")
	}
	set := func(on bool, key string) {
		if on {
			out.Saved[key] = "true"
		}
	}
	set(m.assertions, "assertions")
	set(m.failureMessage, "assertion_results_failure_message")
	set(m.nested, "subresults")
	set(m.reqHeaders, "requestHeaders")
	set(m.respHeaders, "responseHeaders")
	set(m.url, "url")
	set(m.responseFile, "filename")
	// response_data.on_error saves the response data and the sampler data
	// of failed samples only; it shows when successful samples lack them.
	// With no successful sample the two settings cannot be told apart.
	onError := func(s savedOn) bool { return s.ok == 0 && s.failed > 0 && m.succeeded > 0 }
	set(m.respData.ok > 0 || m.respData.failed > 0 && !onError(m.respData), "response_data")
	set(m.samplerData.ok > 0 || m.samplerData.failed > 0 && !onError(m.samplerData), "samplerData")
	set(onError(m.respData) || onError(m.samplerData), "response_data.on_error")
	return out
}
