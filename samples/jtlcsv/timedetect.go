package jtlcsv

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/samples"
)

// Timestamp detection. JMeter writes epoch milliseconds unless
// jmeter.save.saveservice.timestamp_format says otherwise, and the file
// does not record which: a CSV with "2026-11-26T00:35:16" in it needs
// the format found from the values. The reader tries JMeter's own way
// first (milliseconds, then the fallback patterns JMeter tries); when
// that does not read the first rows as plausible times, the format is
// worked out from the shape of the first value (which runs of digits are
// the year, month, day, hours, ...) and kept only if it reads every one of
// the first rows. Day and month can swap places ("03/04/2026"): of the
// readings that read all rows, the one with the shortest span wins (a
// test lasts hours, not months); when they tie, month first (JMeter's own
// fallback "MM/dd/yy"), and the input gets a warning that dates may be
// wrong though durations are right.

// detectRows is how many rows the timestamp format is judged on.
const detectRows = 200

// epochUnits are the epoch resolutions a timestamp format may name, by
// the number of digits a current time has in them.
var epochUnits = []struct {
	name   string
	unit   time.Duration
	digits int
}{
	{"s", time.Second, 10},
	{"ms", time.Millisecond, 13},
	{"us", time.Microsecond, 16},
	{"ns", time.Nanosecond, 19},
}

// epochFormat returns the format for an epoch unit name ("s", "ms", "us",
// "ns"), or nil.
func epochFormat(name string) *dateFormat {
	for _, u := range epochUnits {
		if u.name == name {
			return &dateFormat{pattern: u.name, epoch: u.unit}
		}
	}
	return nil
}

// parseEpoch reads digits, optionally with a fraction, as a count of unit
// since 1970.
func parseEpoch(b []byte, unit time.Duration) (time.Time, bool) {
	ip, fp := b, []byte(nil)
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		ip, fp = b[:i], b[i+1:]
		if len(fp) == 0 || len(fp) > 9 {
			return time.Time{}, false
		}
	}
	v, ok := parseInt(ip)
	if !ok || v < 0 || v > int64(1<<62)/int64(unit) {
		return time.Time{}, false
	}
	d := time.Duration(v) * unit
	scale := unit
	for _, c := range fp {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		scale /= 10
		d += time.Duration(c-'0') * scale
	}
	return time.Unix(0, int64(d)), true
}

// timestampValues returns the first field of kind cTimeStamp of the first
// rows of data (after a header, if any).
func timestampValues(data []byte, delim byte, col int) [][]byte {
	var out [][]byte
	sc := scanner{delim: delim}
	pos := 0
	for len(out) < detectRows {
		st, end := sc.scan(data, pos)
		if st == scanEnd || st == scanOpenQuote {
			break
		}
		if st == scanRecord && col < len(sc.fields) {
			if f := trimSpace(sc.fields[col]); len(f) > 0 {
				out = append(out, append([]byte(nil), f...))
			}
		}
		if end <= pos {
			break
		}
		pos = end
	}
	return out
}

// detectTime settles how timestamps are read when no format was given:
// it returns the format to read them with (nil: JMeter's own way reads
// them) and a note and a warning for Meta.
func detectTime(values [][]byte, loc *time.Location) (f *dateFormat, note, warning string) {
	if len(values) == 0 {
		return nil, "", ""
	}
	type reading struct {
		f    *dateFormat // nil: JMeter's own reading
		span time.Duration
		key  string // the times it reads, to tell readings apart
	}
	var rs []reading
	add := func(f *dateFormat, times []time.Time) {
		lo, hi := times[0], times[0]
		var key strings.Builder
		for _, t := range times {
			if t.Before(lo) {
				lo = t
			}
			if t.After(hi) {
				hi = t
			}
			fmt.Fprintf(&key, "%d,", t.UnixNano())
		}
		rs = append(rs, reading{f, hi.Sub(lo), key.String()})
	}
	// JMeter's way: epoch milliseconds, else its fallback patterns.
	conv := &converter{mode: tsDetect, loc: loc}
	jm := make([]time.Time, 0, len(values))
	for _, v := range values {
		t, ok := conv.parseTime(v)
		if !ok || !samples.Plausible(t) {
			jm = nil
			break
		}
		jm = append(jm, t)
	}
	if jm != nil {
		if conv.pat == nil {
			return nil, "", "" // epoch milliseconds: nothing to doubt
		}
		add(nil, jm)
	}
	// Epoch numbers in another unit: every value all digits (a fraction
	// allowed), with as many digits as a current time has in that unit.
	if u, ok := epochUnit(values); ok {
		ef := epochFormat(u.name)
		if times, ok := readTimes(ef, values, loc); ok {
			add(ef, times)
		}
	}
	for _, p := range shapePatterns(string(values[0])) {
		df, err := compileDateFormat(p)
		if err != nil {
			continue
		}
		df.fullYear = true
		df.fraction = true
		if times, ok := readTimes(df, values, loc); ok {
			add(df, times)
		}
	}
	if len(rs) == 0 {
		return nil, "", ""
	}
	// Shortest span first; among equal spans keep the order they were
	// proposed in (JMeter's way, then month before day).
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].span < rs[j].span })
	best := rs[0]
	name := func(r reading) string {
		if r.f == nil {
			return quote(conv.pat.pattern) + " (JMeter's fallback)"
		}
		return quote(r.f.pattern)
	}
	for _, r := range rs[1:] {
		if r.key != best.key && r.span == best.span {
			warning = fmt.Sprintf("timestamps such as %s, read as %s, could also be %s (day and month can swap): the dates shown may be wrong; durations and rates are right (give --timestamp-format to choose)",
				quote(string(values[0])), name(best), name(r))
			break
		}
	}
	if best.f == nil {
		return nil, "", warning
	}
	if best.f.epoch != 0 {
		note = "timestamps are epoch " + unitWord(best.f.pattern) + " (detected from the first rows)"
	} else {
		note = "timestamps read with the format " + quote(best.f.pattern) + " (detected from the first rows; give --timestamp-format to choose another)"
	}
	return best.f, note, warning
}

func unitWord(name string) string {
	switch name {
	case "s":
		return "seconds"
	case "us":
		return "microseconds"
	case "ns":
		return "nanoseconds"
	}
	return "milliseconds"
}

// epochUnit picks the unit from the number of integer digits when every
// value is a plain number.
func epochUnit(values [][]byte) (struct {
	name   string
	unit   time.Duration
	digits int
}, bool) {
	digits := -1
	for _, v := range values {
		ip := v
		if i := bytes.IndexByte(v, '.'); i >= 0 {
			ip = v[:i]
		}
		if _, ok := parseInt(ip); !ok || len(ip) == 0 || ip[0] == '-' || ip[0] == '+' {
			return epochUnits[0], false
		}
		if digits >= 0 && len(ip) != digits {
			return epochUnits[0], false
		}
		digits = len(ip)
	}
	for _, u := range epochUnits {
		if u.digits == digits {
			return u, true
		}
	}
	return epochUnits[0], false
}

func readTimes(f *dateFormat, values [][]byte, loc *time.Location) ([]time.Time, bool) {
	out := make([]time.Time, len(values))
	for i, v := range values {
		t, ok := f.parse(v, loc)
		if !ok || !samples.Plausible(t) {
			return nil, false
		}
		out[i] = t
	}
	return out, true
}

// shapePatterns proposes SimpleDateFormat patterns that could have written
// v, from the runs of digits and letters in it: a 4-digit run is a year, a
// month or weekday name is one, "T" joins a date and a time, a sign and
// digits after the time are a zone offset, digits after the seconds and a
// dot or comma are a fraction. Day and month order is left open where the
// value does not settle it; the caller tries every proposal on the rows.
// A value with any other word in it, or without a date and hours and
// minutes, gets none.
func shapePatterns(v string) []string {
	toks := tokenize(v)
	ampm := false
	for _, t := range toks {
		if t.kind == tokAlpha && (strings.EqualFold(t.s, "am") || strings.EqualFold(t.s, "pm")) {
			ampm = true
		}
	}
	var out []string
	seen := map[string]bool{}
	var walk func(i int, st shapeState, pat string)
	walk = func(i int, st shapeState, pat string) {
		if len(out) >= 64 {
			return
		}
		if i == len(toks) {
			// A load-test timestamp has a date and at least hours and
			// minutes.
			if st.date == 7 && st.time >= 2 && !seen[pat] {
				seen[pat] = true
				out = append(out, pat)
			}
			return
		}
		t := toks[i]
		switch t.kind {
		case tokDigits:
			n := len(t.s)
			prevSep := i > 0 && toks[i-1].kind == tokOther && (toks[i-1].s == "." || toks[i-1].s == ",")
			// Digits next to a colon are a time, wherever the date is
			// ("Thu Nov 26 01:35:16 CET 2026").
			timeCtx := i+1 < len(toks) && toks[i+1].s == ":" || i > 0 && toks[i-1].s == ":"
			switch {
			case st.time == 3 && prevSep:
				walk(i+1, st.with(func(s *shapeState) { s.time = 4 }), pat+strings.Repeat("S", n))
				return
			case st.date != 7 && !timeCtx:
				if n == 8 && st.date == 0 {
					walk(i+1, st.with(func(s *shapeState) { s.date = 7 }), pat+"yyyyMMdd")
				}
				if n == 4 && st.date&dYear == 0 {
					walk(i+1, st.with(func(s *shapeState) { s.date |= dYear }), pat+"yyyy")
				}
				if n <= 2 {
					// Month before day: JMeter's fallback order when both
					// read a value.
					if st.date&dMonth == 0 {
						walk(i+1, st.with(func(s *shapeState) { s.date |= dMonth }), pat+strings.Repeat("M", n))
					}
					if st.date&dDay == 0 {
						walk(i+1, st.with(func(s *shapeState) { s.date |= dDay }), pat+strings.Repeat("d", n))
					}
					if n == 2 && st.date == dMonth|dDay {
						walk(i+1, st.with(func(s *shapeState) { s.date |= dYear }), pat+"yy")
					}
				}
			case st.time < 3:
				if n == 6 && st.time == 0 {
					walk(i+1, st.with(func(s *shapeState) { s.time = 3 }), pat+"HHmmss")
					return
				}
				if n > 2 {
					return
				}
				letter := []string{"H", "m", "s"}[st.time]
				if st.time == 0 && ampm {
					letter = "h"
				}
				walk(i+1, st.with(func(s *shapeState) { s.time++ }), pat+strings.Repeat(letter, n))
			}
		case tokAlpha:
			switch {
			case st.date&dMonth == 0 && isName(t.s, monthNames):
				walk(i+1, st.with(func(s *shapeState) { s.date |= dMonth }), pat+nameLetters("M", t.s))
			case isName(t.s, weekdayNames):
				walk(i+1, st, pat+nameLetters("E", t.s))
			case strings.EqualFold(t.s, "am") || strings.EqualFold(t.s, "pm"):
				walk(i+1, st, pat+"a")
			case t.s == "T" && st.date == 7 && st.time == 0:
				walk(i+1, st, pat+"'T'")
			case st.time >= 2 && !st.zone && (t.s == "Z" || isZoneName(t.s)):
				z := "X"
				if t.s != "Z" {
					z = "z"
				}
				// A zone name may carry an offset ("GMT+01:00"): parseZone
				// reads it with the name.
				j := i + 1
				if t.s != "Z" && j < len(toks) && (toks[j].s == "+" || toks[j].s == "-") {
					j = skipOffset(toks, j)
				}
				walk(j, st.with(func(s *shapeState) { s.zone = true }), pat+z)
			}
			// Any other word: not a timestamp.
		default:
			if (t.s == "+" || t.s == "-") && st.time >= 2 && !st.zone && i+1 < len(toks) && toks[i+1].kind == tokDigits {
				walk(skipOffset(toks, i), st.with(func(s *shapeState) { s.zone = true }), pat+"XXX")
			}
			lit := t.s
			if lit == "'" {
				lit = "''"
			}
			walk(i+1, st, pat+lit)
		}
	}
	walk(0, shapeState{}, "")
	return out
}

// skipOffset returns the index after a zone offset that starts at toks[i]
// (a sign): digits, and ":" and digits.
func skipOffset(toks []token, i int) int {
	i++
	if i < len(toks) && toks[i].kind == tokDigits {
		i++
	}
	if i+1 < len(toks) && toks[i].s == ":" && toks[i+1].kind == tokDigits {
		i += 2
	}
	return i
}

const (
	dYear = 1 << iota
	dMonth
	dDay
)

type shapeState struct {
	date int // dYear|dMonth|dDay seen
	time int // 0 none, 1 hours, 2 minutes, 3 seconds, 4 fraction
	zone bool
}

func (s shapeState) with(f func(*shapeState)) shapeState {
	f(&s)
	return s
}

const (
	tokDigits = iota
	tokAlpha
	tokOther
)

type token struct {
	kind int
	s    string
}

func tokenize(v string) []token {
	var out []token
	for i := 0; i < len(v); {
		c := v[i]
		j := i + 1
		kind := tokOther
		switch {
		case c >= '0' && c <= '9':
			kind = tokDigits
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
		case isLetter(c):
			kind = tokAlpha
			for j < len(v) && (isLetter(v[j]) || (v[j] == '/' || v[j] == '_') && j+1 < len(v) && isLetter(v[j+1])) {
				j++
			}
		}
		out = append(out, token{kind, v[i:j]})
		i = j
	}
	return out
}

var weekdayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// isName reports whether s is one of names, in full or its first three
// letters, in any case.
func isName(s string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(s, n) || strings.EqualFold(s, n[:3]) {
			return true
		}
	}
	return false
}

// nameLetters is the pattern for a name as written: "MMM" for "Nov",
// "MMMM" for "November".
func nameLetters(letter, s string) string {
	if len(s) > 3 {
		return strings.Repeat(letter, 4)
	}
	return strings.Repeat(letter, 3)
}

func isZoneName(s string) bool {
	switch strings.ToUpper(s) {
	case "GMT", "UTC", "UT":
		return true
	}
	return len(s) >= 3 && loadZone(s) != nil
}
