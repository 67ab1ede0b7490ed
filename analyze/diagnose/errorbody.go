package diagnose

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// errorBody groups the failures by what the server said: the code and
// message fields of saved response bodies (Genesys-style {message, code,
// status, contextId}, RFC 7807 problem details, OAuth2 errors), else the
// response message. It explains nothing by itself, but it is the first
// thing a reader wants to see, and a message that names a cause ("token
// expired") is evidence for that cause.
type errorBody struct {
	// clean caches redact.Text and the hint patterns per distinct raw
	// string: millions of failures say the same few things, and running
	// six regular expressions on each was most of the cost of diagnose.
	clean     map[cleanKey]cleaned
	groups    map[bodyKey]*bodyGroup
	failures  int64
	withBody  int64
	contextID int64
	hints     map[string]int64
}

type bodyKey struct {
	kind                  int32
	status, code, message string
	from                  string // see ErrorBodyGroup.From
}

// Where a message came from.
const (
	fromBody      = "body"      // the response body the server sent
	fromResponse  = "response"  // the HTTP response message (status line)
	fromAssertion = "assertion" // a JMeter assertion's failure message
	fromClient    = "client"    // the client's own: a non-HTTP error, JMeter's text
)

// jmeterMessages are response messages JMeter writes itself, not the
// server: a parent failed by its sub-results, a transaction's count.
var jmeterMessages = []string{"One or more sub-samples failed", "Number of samples in transaction", "Embedded resource download error"}

type bodyGroup struct {
	n       int64
	example string // source:line of the first one
	sample  string // the first message, made safe to print
	samples int    // distinct messages seen in the group (up to 2)
}

// maxBodyGroups bounds memory when every body is different (a message with
// an ID in it); the rest are counted as "other".
const maxBodyGroups = 500

// otherMessages is the message of the group past maxBodyGroups.
const otherMessages = "(other messages)"

func newErrorBody() *errorBody {
	return &errorBody{groups: map[bodyKey]*bodyGroup{}, hints: map[string]int64{}, clean: map[cleanKey]cleaned{}}
}

func (c *errorBody) Name() string   { return "error-body" }
func (c *errorBody) setup(t *Table) {}

func (c *errorBody) observe(r *samples.Sample, rc *request, k *Key) {
	if !rc.failed {
		return
	}
	c.failures++
	key := bodyKey{kind: rc.kind, status: r.Code}
	st := r.Status()
	if r.ResponseBodyIs == samples.BodySaved || r.ResponseBodyIs == samples.BodyTruncated {
		c.withBody++
		code, msg, ctx := parseErrorBody(r.ResponseBody)
		key.code, key.message, key.from = code, msg, fromBody
		if ctx {
			c.contextID++
		}
	}
	if r.FailureMessage != "" && (st < 400 || key.message == "") {
		// An assertion that failed an otherwise good response says more
		// than the page it read.
		key.code, key.message, key.from = "", r.FailureMessage, fromAssertion
	}
	if key.message == "" {
		key.message, key.from = r.Message, fromResponse
		if st == 0 || jmeterSaid(r.Message) {
			key.from = fromClient
		}
	}
	code, msg := c.cleaned(key.code, 80), c.cleaned(key.message, 200)
	key.code, key.message = code.text, msg.pattern
	for i, name := range hintNames {
		if (code.hints|msg.hints)&(1<<i) != 0 {
			c.hints[name]++
		}
	}
	g := c.groups[key]
	if g == nil {
		if len(c.groups) >= maxBodyGroups {
			key = bodyKey{kind: -1, status: "*", message: otherMessages}
			g = c.groups[key]
		}
		if g == nil {
			g = &bodyGroup{example: fmt.Sprintf("%s:%d", r.Source, r.Line), sample: msg.text, samples: 1}
			c.groups[key] = g
		}
	}
	if g.samples == 1 && msg.text != g.sample {
		g.samples = 2
	}
	g.n++
}

// hintPatterns spot server messages that name a cause.
var (
	hintNames    = []string{"duplicate-id", "token-age", "multipart-boundary", "rate-limit", "concurrency"}
	hintPatterns = []*regexp.Regexp{
		regexp.MustCompile(`(?i)duplicate|already (exists|used|seen)|not unique|conflict|idempoten`),
		regexp.MustCompile(`(?i)expired|invalid[_ ]token|token.*(stale|old|invalid)|jwt`),
		regexp.MustCompile(`(?i)boundary|multipart|missing (start|end) boundary|no parts`),
		regexp.MustCompile(`(?i)rate.?limit|too many requests|throttl|quota`),
		regexp.MustCompile(`(?i)busy|overload|capacity|too many concurrent|concurrency|try again later`),
	}
)

// cleaned is a server string made safe to print, with the causes it
// names as a bit set over hintNames.
type cleaned struct {
	text    string
	pattern string // text with its variable parts folded (messagePattern)
	hints   bitset
}

type bitset uint8

// maxCleanCache bounds the cache; past it strings are cleaned each time.
const maxCleanCache = 4096

// cleanKey is a raw text and the length it is clipped to.
type cleanKey struct {
	raw string
	n   int
}

func (c *errorBody) cleaned(raw string, n int) cleaned {
	// The clip length is part of the key: a code (80) and a message (200)
	// can be the same text.
	key := cleanKey{raw, n}
	if v, ok := c.clean[key]; ok {
		return v
	}
	v := cleaned{text: clip(redact.Text(raw), n)}
	v.pattern = messagePattern(v.text)
	for i, re := range hintPatterns {
		if re.MatchString(v.text) {
			v.hints |= 1 << i
		}
	}
	if len(c.clean) < maxCleanCache {
		c.clean[key] = v
	}
	return v
}

// parseErrorBody pulls the code and message out of a JSON error body, or
// the first line of a text one.
func parseErrorBody(body string) (code, msg string, contextID bool) {
	b := strings.TrimSpace(body)
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	if strings.HasPrefix(b, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(b), &m) == nil {
			code = firstString(m, "code", "error_code", "errorCode", "error", "type")
			msg = firstString(m, "message", "error_description", "detail", "title", "error_message", "errorMessage", "msg")
			if msg == "" {
				if errs, ok := m["errors"].([]any); ok && len(errs) > 0 {
					if e, ok := errs[0].(map[string]any); ok {
						msg = firstString(e, "message", "detail", "title")
					}
				}
			}
			_, contextID = m["contextId"]
			if !contextID {
				_, contextID = m["correlationId"]
			}
			if code == msg {
				code = ""
			}
			return code, msg, contextID
		}
	}
	if isHTML(b) {
		// A page: its heading or title says what went wrong; the rest is
		// markup, scripts and navigation.
		for _, tag := range []string{"h1", "title", "h2"} {
			if t := element(b, tag); t != "" {
				return "", t, false
			}
		}
		return "", "", false
	}
	if strings.HasPrefix(b, "<") {
		b = stripTags(b)
	}
	if i := strings.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return "", strings.TrimSpace(b), false
}

// jmeterSaid reports whether a response message is JMeter's own.
func jmeterSaid(msg string) bool {
	for _, m := range jmeterMessages {
		if strings.HasPrefix(msg, m) {
			return true
		}
	}
	return false
}

// isHTML reports whether a body is an HTML page.
func isHTML(b string) bool {
	head := strings.ToLower(b[:min(len(b), 1024)])
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") || strings.Contains(head, "<head")
}

// element returns the text of the first <tag> element of an HTML page,
// its own markup removed, or "".
func element(b, tag string) string {
	lower := strings.ToLower(b)
	i := strings.Index(lower, "<"+tag)
	for i >= 0 && i+len(tag)+1 < len(lower) && lower[i+len(tag)+1] != '>' && lower[i+len(tag)+1] != ' ' {
		j := strings.Index(lower[i+1:], "<"+tag)
		if j < 0 {
			return ""
		}
		i += 1 + j
	}
	if i < 0 {
		return ""
	}
	start := strings.IndexByte(lower[i:], '>')
	if start < 0 {
		return ""
	}
	start += i + 1
	end := strings.Index(lower[start:], "</"+tag)
	if end < 0 || end > 400 {
		return ""
	}
	return stripTags(b[start : start+end])
}

// stripTags keeps the text of an HTML or XML error page, its elements
// replaced by spaces: "<h1>Not Found</h1><p>The requested URL ..." reads
// "Not Found The requested URL ...". An element named like a credential
// keeps its name, "<AWSAccessKeyId>AKIA...</AWSAccessKeyId>" reading
// "AWSAccessKeyId: AKIA...", so that redact.Text still sees what the
// value is (without the name it would print the key).
func stripTags(s string) string {
	var b strings.Builder
	in, tag := false, 0
	for i, r := range s {
		switch {
		case r == '<':
			in, tag = true, i+1
		case r == '>':
			in = false
			b.WriteByte(' ')
			if name := tagName(s[tag:i]); name != "" && redact.Name(name) {
				b.WriteString(name + ": ")
			}
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// tagName is the name of an opening tag's text ("ns:Name attr=..."), or
// "" for a closing tag, a comment or a declaration.
func tagName(t string) string {
	if t == "" || t[0] == '/' || t[0] == '!' || t[0] == '?' {
		return ""
	}
	if i := strings.IndexAny(t, " \t\r\n/"); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return fmt.Sprint(v)
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ErrorBodyGroup is one thing the server said, and how often.
type ErrorBodyGroup struct {
	// Kind is the failure kind (see Result.Kinds), Status the response
	// code as written.
	Kind   string `json:"kind,omitempty"`
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	// Message is what the server (or an assertion) said, with the parts
	// that vary between failures folded into <n>, <id>, <uuid>, <value>;
	// Sample is one real message of the group when they vary.
	Message string `json:"message"`
	Sample  string `json:"sample,omitempty"`
	// From says whose words they are: "body" or "response" (the
	// server's: its response body, its status line), "assertion" (a
	// JMeter assertion's message), "client" (a non-HTTP error, JMeter's
	// own text).
	From     string `json:"from"`
	Failures int64  `json:"failures"`
	Example  string `json:"example"`
}

// ErrorBodyEvidence is the evidence of the error-body cause.
type ErrorBodyEvidence struct {
	Failures      int64            `json:"failures"`
	WithBody      int64            `json:"with_body"`
	WithContextID int64            `json:"with_context_id,omitempty"`
	Groups        []ErrorBodyGroup `json:"groups"`
	NamesCause    map[string]int64 `json:"names_cause,omitempty"`
}

func (c *errorBody) propose(*assessment, *population) *Marker { return nil }

func (c *errorBody) assess(a *assessment, _ *causeVerdict) Finding {
	f := Finding{Cause: c.Name()}
	ev := &ErrorBodyEvidence{Failures: c.failures, WithBody: c.withBody, WithContextID: c.contextID}
	for k, g := range c.groups {
		eg := ErrorBodyGroup{Status: redact.Text(k.status), Code: k.code, Message: k.message, From: k.from, Failures: g.n, Example: g.example}
		if a.kinds != nil && k.kind > 0 && int(k.kind) <= a.kinds.count() {
			eg.Kind = a.kinds.def(k.kind).name()
		}
		if g.samples > 1 || g.sample != k.message {
			eg.Sample = g.sample
		}
		ev.Groups = append(ev.Groups, eg)
	}
	sort.Slice(ev.Groups, func(i, j int) bool {
		if ev.Groups[i].Failures != ev.Groups[j].Failures {
			return ev.Groups[i].Failures > ev.Groups[j].Failures
		}
		return ev.Groups[i].Message < ev.Groups[j].Message
	})
	if len(c.hints) > 0 {
		ev.NamesCause = c.hints
	}
	f.Evidence = ev
	if c.failures == 0 {
		f.Verdict = Unlikely
		f.Summary = "No failures to read."
		return f
	}
	if c.withBody == 0 {
		f.Verdict = NotAssessable
		f.Missing = a.advice("save response bodies of failed samples (jmeter.save.saveservice.response_data.on_error=true, XML output)",
			"export the HAR with content, so that response bodies are kept (Chrome and Edge: \"Save all as HAR with content\")")
		if len(ev.Groups) > 0 {
			top := ev.Groups[0]
			f.Summary = fmt.Sprintf("No response bodies were saved; the response message was %q for %s of %s.",
				top.Message, countNum(top.Failures), count(c.failures, "failure"))
		} else {
			f.Summary = "No response bodies were saved."
		}
		return f
	}
	top := ev.Groups[0]
	varied := top.Message == otherMessages && len(ev.Groups) > 1
	if varied {
		// The bucket of messages past maxBodyGroups is not a message:
		// quote the commonest real one, and say the rest vary.
		top = ev.Groups[1]
	}
	said := fmt.Sprintf("%q", top.Message)
	if top.Sample != "" {
		said += fmt.Sprintf(" (for example %q)", top.Sample)
	}
	if top.Code != "" {
		said += fmt.Sprintf(" (code %q)", top.Code)
	}
	f.Verdict = Unlikely
	f.Summary = fmt.Sprintf("The server said %s for %s of %s", said, countNum(top.Failures), count(c.failures, "failure"))
	if varied {
		f.Summary = fmt.Sprintf("The server's messages vary (more than %d distinct ones, an ID or a number in each?); the commonest, %s, came with %s of %s",
			maxBodyGroups, said, countNum(top.Failures), count(c.failures, "failure"))
	}
	if len(ev.NamesCause) == 0 {
		f.Summary += "; the message names no cause."
	} else {
		var names []string
		for n := range ev.NamesCause {
			names = append(names, n)
		}
		sort.Strings(names)
		f.Summary += fmt.Sprintf("; the messages point at %s.", strings.Join(names, ", "))
	}
	return f
}
