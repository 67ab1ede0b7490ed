package jtlcsv

import (
	"bytes"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// tsMode says how the timeStamp column is read.
type tsMode uint8

const (
	tsDetect  tsMode = iota // epoch ms, else JMeter's fallback patterns
	tsMillis                // epoch ms only ("ms")
	tsPattern               // one SimpleDateFormat pattern
)

// A converter turns the fields of one record into a Sample. Each parsing
// goroutine has its own, so the interners need no lock.
type converter struct {
	lay  *layout
	loc  *time.Location
	mode tsMode
	pat  *dateFormat // tsPattern's pattern, or the fallback tsDetect settled on
	need samples.Fields

	// What to materialise (Options.Need); label, thread and code are
	// always read because sub-result detection and every analysis use them.
	wantMsg, wantFail, wantURL, wantVars bool
	wantDataType, wantEncoding, wantHost bool
	has                                  samples.Fields

	// One interner per kind of value, so that many URLs cannot crowd out
	// the labels; one cache per column in front of them.
	labels, threads, codes, msgs, small, urls, vars samples.Interner
	caches                                          []*strCache // nil for numeric columns

	// arena hands out Vars slices: one allocation per many rows, and a
	// slice given out is never written again.
	arena     []samples.Var
	arenaSize int

	sanitize bool // the current record is not valid UTF-8
	badUTF8  int  // records with invalid UTF-8 so far
	// dst counts times read in an hour that a daylight-saving change
	// repeats; dstHour and dstAmb remember the last hour looked at.
	dst     dstCount
	dstHour int64
	dstAmb  bool

	errCol int
	errMsg string
}

func newConverter(lay *layout, mode tsMode, pat *dateFormat, loc *time.Location, need samples.Fields) *converter {
	c := &converter{mode: mode, pat: pat, loc: loc, need: need}
	o := samples.Options{Need: need}
	c.wantMsg = o.Needs(samples.FieldMessage)
	c.wantFail = o.Needs(samples.FieldFailureMessage)
	c.wantURL = o.Needs(samples.FieldURL)
	c.wantVars = o.Needs(samples.FieldVars)
	c.wantDataType = o.Needs(samples.FieldDataType)
	c.wantEncoding = o.Needs(samples.FieldEncoding)
	c.wantHost = o.Needs(samples.FieldHostname)
	// Labels and thread names repeat on every row and are few; URLs with
	// ids in them are many, so they get their own capped table.
	c.urls.Max = 4096
	c.setLayout(lay)
	return c
}

// setLayout switches to other columns (a header line inside the data).
func (c *converter) setLayout(lay *layout) {
	c.lay = lay
	c.has = lay.has
	c.caches = make([]*strCache, len(lay.cols))
	for i, col := range lay.cols {
		in := &c.small
		switch col.kind {
		case cDataType, cEncoding, cHostname:
		case cLabel:
			in = &c.labels
		case cThread:
			in = &c.threads
		case cCode:
			in = &c.codes
		case cMessage, cFailureMessage:
			in = &c.msgs
		case cURL:
			in = &c.urls
		case cVar:
			in = &c.vars
		default:
			continue
		}
		c.caches[i] = &strCache{in: in}
	}
	o := samples.Options{Need: c.need}
	for _, f := range []samples.Fields{samples.FieldMessage, samples.FieldFailureMessage,
		samples.FieldURL, samples.FieldVars, samples.FieldDataType, samples.FieldEncoding, samples.FieldHostname} {
		if !o.Needs(f) {
			c.has &^= f
		}
	}
}

// fail records why a record was rejected.
func (c *converter) fail(col int, msg string) bool {
	c.errCol, c.errMsg = col+1, msg
	return false
}

func (c *converter) colFail(col int, msg string) bool {
	cl := c.lay.cols[col]
	return c.fail(col, "column "+itoa(col+1)+" ("+cl.name+"): "+msg)
}

// convert fills s from the fields of one record. On false, errCol and
// errMsg say what was wrong.
func (c *converter) convert(fields [][]byte, s *samples.Sample) bool {
	*s = samples.Sample{Has: c.has, SampleCount: 1}
	lay := c.lay
	var vars []samples.Var
	if lay.nvars > 0 && c.wantVars {
		if len(c.arena) < lay.nvars {
			// Chunks grow from a few rows' worth to 4096 values.
			c.arenaSize = min(max(2*c.arenaSize, 16*lay.nvars), max(4096, lay.nvars))
			c.arena = make([]samples.Var, c.arenaSize)
		}
		vars = c.arena[:lay.nvars:lay.nvars]
		c.arena = c.arena[lay.nvars:]
		s.Vars = vars
	}
	tx, http := false, false
	for i, f := range fields {
		col := &lay.cols[i]
		switch col.kind {
		case cSkip:
		case cTimeStamp:
			t, ok := c.parseTime(f)
			if !ok {
				return c.colFail(i, c.timeError(f))
			}
			s.Start = t
		case cTimeStampNs:
			v, ok := parseInt(f)
			if !ok {
				return c.colFail(i, notNumber(f))
			}
			s.Start = time.Unix(0, v)
		case cElapsed, cLatency, cIdleTime, cConnect:
			v, ok := parseInt(f)
			if !ok {
				return c.colFail(i, notNumber(f))
			}
			if v > maxMillis || v < -maxMillis {
				return c.colFail(i, quote(string(f))+" is too large for a time in milliseconds")
			}
			if col.kind == cElapsed && v < 0 {
				return c.colFail(i, "negative elapsed time "+quote(string(f)))
			}
			c.setDuration(s, col.kind, time.Duration(v)*time.Millisecond)
		case cElapsedNs, cLatencyNs, cIdleTimeNs, cConnectNs:
			v, ok := parseInt(f)
			if !ok {
				return c.colFail(i, notNumber(f))
			}
			if col.kind == cElapsedNs && v < 0 {
				return c.colFail(i, "negative elapsed time "+quote(string(f)))
			}
			c.setDuration(s, col.kind, time.Duration(v))
		case cLabel:
			s.Label = c.str(i, f)
		case cCode:
			s.Code = c.str(i, f)
		case cMessage:
			tx = bytes.HasPrefix(f, txPrefix)
			if c.wantMsg {
				s.Message = c.str(i, f)
			}
		case cThread:
			s.Thread = c.str(i, f)
		case cDataType:
			if c.wantDataType {
				s.DataType = c.str(i, f)
			}
		case cSuccess:
			b, ok := parseBool(f)
			if !ok {
				return c.colFail(i, quote(string(f))+" is not true or false")
			}
			s.Success = b
		case cFailureMessage:
			if c.wantFail {
				s.FailureMessage = c.str(i, f)
			}
		case cBytes, cSentBytes, cGrpThreads, cAllThreads, cSampleCount, cErrorCount:
			v, ok := parseInt(f)
			if !ok {
				return c.colFail(i, notNumber(f))
			}
			switch col.kind {
			case cBytes:
				s.Bytes = v
			case cSentBytes:
				s.SentBytes = v
			default:
				if v > math.MaxInt32 || v < math.MinInt32 {
					return c.colFail(i, quote(string(f))+" is out of range")
				}
				switch col.kind {
				case cGrpThreads:
					s.GrpThreads = int(v)
				case cAllThreads:
					s.AllThreads = int(v)
				case cSampleCount:
					s.SampleCount = int(v)
				case cErrorCount:
					s.ErrorCount = int(v)
				}
			}
		case cURL:
			http = isHTTP(f)
			// JMeter writes the literal "null" for samples without a URL.
			if c.wantURL && string(f) != "null" {
				s.URL = c.str(i, f)
			}
		case cEncoding:
			if c.wantEncoding {
				s.Encoding = c.str(i, f)
			}
		case cHostname:
			if c.wantHost {
				s.Hostname = c.str(i, f)
			}
		case cVar:
			if vars != nil {
				vars[col.vi] = samples.Var{Name: lay.vars[col.vi], Value: c.str(i, f)}
			}
		}
	}
	switch {
	case tx:
		s.Kind = samples.KindTransaction
	case http:
		s.Kind = samples.KindHTTP
	case !lay.hasURL && isHTTPString(s.Label):
		// Files without a URL column (the 2.x and 3.x defaults) often
		// label HTTP samplers with their URL (2.13 names redirect hops so).
		s.Kind = samples.KindHTTP
	}
	return true
}

var txPrefix = []byte(samples.TransactionMessagePrefix)

const maxMillis = math.MaxInt64 / int64(time.Millisecond)

func (c *converter) setDuration(s *samples.Sample, k colKind, d time.Duration) {
	switch k {
	case cElapsed, cElapsedNs:
		s.Elapsed = d
	case cLatency, cLatencyNs:
		s.Latency = d
	case cIdleTime, cIdleTimeNs:
		s.Idle = d
	case cConnect, cConnectNs:
		s.Connect = d
	}
}

// str returns f as a string shared with equal earlier values. Invalid
// UTF-8 is replaced by U+FFFD so that every string a Sample holds is valid
// (the row is kept; Meta says how many rows had it).
func (c *converter) str(col int, f []byte) string {
	if c.sanitize && !utf8.Valid(f) {
		return c.caches[col].getString(strings.ToValidUTF8(string(f), "\uFFFD"))
	}
	return c.caches[col].get(f)
}

func (c *converter) parseTime(f []byte) (time.Time, bool) {
	f = trimSpace(f)
	switch c.mode {
	case tsMillis:
		v, ok := parseInt(f)
		return time.UnixMilli(v), ok
	case tsPattern:
		t, ok := c.pat.parse(f, c.loc)
		if ok && !c.pat.zone && c.pat.epoch == 0 {
			c.checkDST(t)
		}
		return t, ok
	}
	// As JMeter's reader does: epoch milliseconds, else the first of its
	// fallback patterns that reads the stamp. JMeter keeps that pattern for
	// the rows after; here it is only tried first, to save time, and does
	// not decide the reading: two patterns read "0012/01/02 03:04:05" (year
	// 12, or 1 December 2002), and parallel mode parses each block without
	// the rows before it.
	if c.pat == nil {
		if v, ok := parseInt(f); ok {
			return time.UnixMilli(v), true
		}
	} else if t, ok := c.pat.parse(f, c.loc); ok && !readBefore(f, c.pat, c.loc) {
		c.checkDST(t)
		return t, true
	}
	if v, ok := parseInt(f); ok {
		c.pat = nil
		return time.UnixMilli(v), true
	}
	for _, p := range jmeterFallbacks {
		if t, ok := p.parse(f, c.loc); ok {
			c.pat = p
			c.checkDST(t)
			return t, true
		}
	}
	return time.Time{}, false
}

// checkDST counts t when its wall-clock time occurs twice in its zone
// (the hour repeated when clocks go back): a timestamp written without a
// zone then reads as either, and time.Date picks one. A run across that
// hour looks shorter, and its samples out of order. Answers are kept per
// hour, so the zone is looked up about once an hour of data.
func (c *converter) checkDST(t time.Time) {
	if c.loc == nil || c.loc == time.UTC {
		return
	}
	// Keyed by the half hour: a shift can be 30 minutes.
	h := t.Unix()/1800 + 1
	if h != c.dstHour {
		c.dstHour, c.dstAmb = h, ambiguousWallTime(t)
	}
	if c.dstAmb {
		if c.dst.n == 0 {
			c.dst.first = t
		}
		c.dst.n++
	}
}

// ambiguousWallTime reports whether t's wall-clock time also names
// another instant in its zone: one a daylight-saving shift (an hour,
// half an hour, two) before or after t shows the same clock.
func ambiguousWallTime(t time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	for _, k := range []time.Duration{time.Hour, 30 * time.Minute, 2 * time.Hour} {
		for _, alt := range []time.Time{t.Add(k), t.Add(-k)} {
			y2, mo2, d2 := alt.Date()
			h2, mi2, s2 := alt.Clock()
			if y == y2 && mo == mo2 && d == d2 && h == h2 && mi == mi2 && s == s2 {
				return true
			}
		}
	}
	return false
}

// dstCount counts times read in a repeated hour.
type dstCount struct {
	n     int
	first time.Time
}

func (a *dstCount) add(b dstCount) {
	if b.n == 0 {
		return
	}
	if a.n == 0 {
		a.first = b.first
	}
	a.n += b.n
}

// readBefore reports whether a fallback pattern that JMeter tries before
// p reads f.
func readBefore(f []byte, p *dateFormat, loc *time.Location) bool {
	for _, q := range jmeterFallbacks {
		if q == p {
			return false
		}
		if _, ok := q.parse(f, loc); ok {
			return true
		}
	}
	return false
}

func (c *converter) timeError(f []byte) string {
	if d, ok := sciDigits(trimSpace(f)); ok {
		return quote(string(f)) + " is a number in scientific notation, as a spreadsheet saves it: only " + itoa(d) +
			" digits of the timestamp are left (save the column as a whole number, or use the file JMeter wrote)"
	}
	switch c.mode {
	case tsMillis:
		return quote(string(f)) + " is not a time in epoch milliseconds"
	case tsPattern:
		return quote(string(f)) + " does not match the timestamp format " + quote(c.pat.pattern)
	}
	return quote(string(f)) + " is neither epoch milliseconds nor one of JMeter's date formats (give the timestamp format)"
}

// sciDigits reports whether b is a number in scientific notation
// ("1.79565e+12") and how many significant digits it kept.
func sciDigits(b []byte) (int, bool) {
	i := bytes.IndexAny(b, "eE")
	if i <= 0 || i == len(b)-1 {
		return 0, false
	}
	digits := 0
	for _, c := range b[:i] {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c != '.' && c != '-' && c != '+':
			return 0, false
		}
	}
	exp := b[i+1:]
	if exp[0] == '+' || exp[0] == '-' {
		exp = exp[1:]
	}
	if _, ok := parseInt(exp); !ok || digits == 0 {
		return 0, false
	}
	return digits, true
}

func notNumber(f []byte) string { return quote(string(f)) + " is not a whole number" }

// parseInt reads a decimal integer, allowing the spaces JMeter itself has
// been known to write around numbers (bug 63471).
func parseInt(b []byte) (int64, bool) {
	if n := len(b); n > 0 && n < 19 {
		var v int64
		for _, c := range b {
			d := c - '0'
			if d > 9 {
				return parseIntSlow(b)
			}
			v = v*10 + int64(d)
		}
		return v, true
	}
	return parseIntSlow(b)
}

func parseIntSlow(b []byte) (int64, bool) {
	b = trimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxInt64-uint64(d))/10 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseBool accepts true and false in any case, as Java's
// Boolean.parseBoolean writes and reads them; anything else means the
// columns are not what we think.
func parseBool(b []byte) (bool, bool) {
	b = trimSpace(b)
	switch len(b) {
	case 4:
		if b[0]|0x20 == 't' && b[1]|0x20 == 'r' && b[2]|0x20 == 'u' && b[3]|0x20 == 'e' {
			return true, true
		}
	case 5:
		if b[0]|0x20 == 'f' && b[1]|0x20 == 'a' && b[2]|0x20 == 'l' && b[3]|0x20 == 's' && b[4]|0x20 == 'e' {
			return false, true
		}
	}
	return false, false
}

// isHTTP reports whether u starts with an http: or https: scheme.
func isHTTP(u []byte) bool {
	return hasPrefixFold(u, "http:") || hasPrefixFold(u, "https:")
}

func isHTTPString(s string) bool {
	var b [6]byte
	n := copy(b[:], s)
	return isHTTP(b[:n])
}
