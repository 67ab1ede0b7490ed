package diagnose

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The prose helpers every cause's summary uses: numbers as a
// capacity-planning reader takes them in, and the names of causes.

// count writes "1 request" or "3,594 requests".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return countNum(n) + " " + noun + "s"
}

// countNum writes n with thousands separators: 3,594.
func countNum(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// pct writes a share as a percentage a reader takes in at a glance: 0%,
// 0.4%, 12%, 100%.
func pct(x float64) string {
	p := 100 * x
	switch {
	case p == 0:
		return "0%"
	case p < 1:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p > 99 && p < 100:
		return strconv.FormatFloat(math.Floor(p*10)/10, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// naturalRate writes a rate with its counts: "75% (690 of 918)".
func naturalRate(c Counts) string {
	return fmt.Sprintf("%s (%s of %s)", pct(c.Rate()), countNum(c.Fail), countNum(c.N))
}

// lowerFirst lowers the first letter unless the word is an acronym
// ("IDs", "HTTP").
func lowerFirst(s string) string {
	if s == "" || (len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z') {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func dedup(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// firstSentence cuts s after its first sentence, so that a list of
// reasons stays readable.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// fmtLevel writes a level with one decimal unless it is whole.
func fmtLevel(x float64) string {
	if math.Abs(x-math.Round(x)) < 0.05 {
		return strconv.Itoa(int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// fmtWhole writes a level rounded: a thread count is whole, and the
// fit's decimals are noise.
func fmtWhole(x float64) string { return strconv.Itoa(int(math.Round(x))) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// fmtMS writes a duration in milliseconds the way people say it:
// "17 ms", "1.2 s".
func fmtMS(ms float64) string {
	switch {
	case ms < 1000:
		return strconv.FormatFloat(math.Round(ms), 'f', 0, 64) + " ms"
	case ms < 10000:
		return strconv.FormatFloat(math.Round(ms/100)/10, 'f', -1, 64) + " s"
	}
	return strconv.FormatFloat(math.Round(ms/1000), 'f', 0, 64) + " s"
}

// join lists words: "a", "a and b", "a, b and c".
func join(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

var causeTitles = map[string]string{
	"concurrency":        "a concurrency limit",
	"duplicate-id":       "duplicate IDs",
	"token-age":          "token age",
	"token-invalid":      "a token never validly obtained",
	"multipart-boundary": "a malformed multipart body",
	"rate-limit":         "rate limiting",
	"client-timeout":     "client-side timeouts",
	"connection":         "connection errors",
	"thread-group":       "one thread group's settings",
	"error-body":         "the error bodies",
}

func causeTitle(c string) string {
	if t, ok := causeTitles[c]; ok {
		return t
	}
	return c
}

// causeNoun names what a cause measures, as the subject of a sentence.
func causeNoun(c string) string {
	switch c {
	case "concurrency", "token-age":
		return strings.ReplaceAll(c, "-", " ")
	case "rate-limit":
		return "rate limiting"
	case "duplicate-id":
		return "ID reuse"
	case "multipart-boundary":
		return "the multipart anomaly"
	case "token-invalid":
		return "a missing token"
	case "thread-group":
		return "the thread group"
	case "client-timeout":
		return "the client's timeout"
	}
	return causeTitle(c)
}

func titles(cs []string) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = causeTitle(c)
	}
	return out
}

// levelSpan writes a band of levels: "40–49", or "1" when it is one.
func levelSpan(from, to int) string {
	if from == to {
		return strconv.Itoa(from)
	}
	return strconv.Itoa(from) + "–" + strconv.Itoa(to)
}

// msRange writes a range of response times: "1.5 s", "1,500–1,510 ms".
func msRange(lo, hi float64) string {
	if fmtMS(lo) == fmtMS(hi) {
		return fmtMS(lo)
	}
	return fmtMS(lo) + "–" + fmtMS(hi)
}

// levelCount writes a level with its unit, singular for 1: "1 thread",
// "20 threads", "1 request in flight".
func levelCount(n int, unit string) string {
	if n == 1 {
		unit = strings.Replace(strings.Replace(unit, "threads", "thread", 1), "requests", "request", 1)
	}
	return strconv.Itoa(n) + " " + unit
}
