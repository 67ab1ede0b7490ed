package jtlcsv

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// A dateFormat parses timestamps written with a java.text.SimpleDateFormat
// pattern, which is what jmeter.save.saveservice.timestamp_format holds
// when it is not "ms" or "none". It covers the letters JTL writers use:
// y M d H h k K m s S a E and the zones Z X z, with 'quoted' literals.
//
// Parsing follows SimpleDateFormat with setLenient(false), as JMeter's
// reader does, with one difference: the whole field must match (Java
// ignores trailing text, so "yyyy/MM/dd HH:mm:ss" would accept and
// silently drop ".256").
type dateFormat struct {
	pattern string
	toks    []dateTok
	zone    bool // the pattern carries a zone: ignore the default location
	// century is the first year two-digit years resolve into (Java: 80
	// years before the formatter was made).
	century int
	// fullYear makes "yyyy" take exactly four digits. JMeter's fallback
	// list tries "yyyy/MM/dd HH:mm:ss" before "MM/dd/yy HH:mm:ss", and Java
	// reads "01/02/24 03:04:05" with the first as 24 February of year 1;
	// we do not.
	fullYear bool
	// fraction reads S as a decimal fraction of the second, whatever its
	// number of digits (ISO 8601 and java.time), not as Java's count of
	// milliseconds. Set for detected formats.
	fraction bool
	// epoch, when not zero, makes this no pattern but a count of epoch
	// units ("s", "ms", "us", "ns").
	epoch time.Duration
}

type dateTok struct {
	letter byte // 0 for a literal
	lit    string
	n      int  // how many times the letter was repeated
	fixed  bool // a number directly followed by another: read exactly n digits
}

func isNumericTok(t dateTok) bool {
	switch t.letter {
	case 'y', 'd', 'H', 'h', 'k', 'K', 'm', 's', 'S':
		return true
	case 'M':
		return t.n < 3
	}
	return false
}

func compileDateFormat(p string) (*dateFormat, error) {
	f := &dateFormat{pattern: p, century: time.Now().Year() - 80}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f.toks = append(f.toks, dateTok{lit: string(lit)})
			lit = nil
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit = append(lit, '\'')
				i += 2
				continue
			}
			j := i + 1
			for {
				if j >= len(p) {
					return nil, fmt.Errorf("timestamp format %q: unterminated quote", p)
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit = append(lit, '\'')
						j += 2
						continue
					}
					break
				}
				lit = append(lit, p[j])
				j++
			}
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			switch c {
			case 'y', 'M', 'd', 'H', 'h', 'k', 'K', 'm', 's', 'S', 'a', 'E':
			case 'Z', 'X', 'z':
				f.zone = true
			default:
				return nil, fmt.Errorf("timestamp format %q: pattern letter %q is not supported", p, c)
			}
			flush()
			f.toks = append(f.toks, dateTok{letter: c, n: j - i})
			i = j
		default:
			lit = append(lit, c)
			i++
		}
	}
	flush()
	if len(f.toks) == 0 {
		return nil, errors.New("empty timestamp format")
	}
	for i := range f.toks {
		if i+1 < len(f.toks) && isNumericTok(f.toks[i]) && isNumericTok(f.toks[i+1]) {
			f.toks[i].fixed = true
		}
	}
	return f, nil
}

var monthNames = []string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

// parse reads b; loc is the zone for patterns without one.
func (f *dateFormat) parse(b []byte, loc *time.Location) (time.Time, bool) {
	if f.epoch != 0 {
		return parseEpoch(b, f.epoch)
	}
	year, month, day := 1970, 1, 1
	hour, minute, sec, ms := 0, 0, 0, 0
	nsec := 0 // a fraction read as such
	h12, pm := -1, -1
	var zloc *time.Location
	offset, haveOffset := 0, false
	i := 0
	for _, t := range f.toks {
		if t.letter == 0 {
			if len(b)-i < len(t.lit) || string(b[i:i+len(t.lit)]) != t.lit {
				return time.Time{}, false
			}
			i += len(t.lit)
			continue
		}
		if isNumericTok(t) {
			j := i
			max := 10
			if t.fixed {
				max = t.n
			}
			v := 0
			for j < len(b) && j-i < max && b[j] >= '0' && b[j] <= '9' {
				v = v*10 + int(b[j]-'0')
				j++
			}
			if j == i || (t.fixed && j-i != t.n) || (f.fullYear && t.letter == 'y' && t.n == 4 && j-i != 4) {
				return time.Time{}, false
			}
			digits := j - i
			i = j
			switch t.letter {
			case 'y':
				year = v
				if t.n <= 2 && digits == 2 {
					year = f.century/100*100 + v
					if year < f.century {
						year += 100
					}
				}
			case 'M':
				month = v
			case 'd':
				day = v
			case 'H':
				if v > 23 {
					return time.Time{}, false
				}
				hour = v
			case 'k':
				if v < 1 || v > 24 {
					return time.Time{}, false
				}
				hour = v % 24
			case 'K':
				if v > 11 {
					return time.Time{}, false
				}
				h12 = v
			case 'h':
				if v < 1 || v > 12 {
					return time.Time{}, false
				}
				h12 = v % 12
			case 'm':
				minute = v
			case 's':
				sec = v
			case 'S':
				if !f.fraction {
					ms = v
					break
				}
				for ; digits < 9; digits++ {
					v *= 10
				}
				for ; digits > 9; digits-- {
					v /= 10
				}
				nsec = v
			}
			continue
		}
		switch t.letter {
		case 'M':
			m, n := matchName(b[i:], monthNames)
			if m < 0 {
				return time.Time{}, false
			}
			month = m + 1
			i += n
		case 'a':
			switch {
			case hasPrefixFold(b[i:], "am"):
				pm = 0
			case hasPrefixFold(b[i:], "pm"):
				pm = 1
			default:
				return time.Time{}, false
			}
			i += 2
		case 'E':
			j := i
			for j < len(b) && (b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z') {
				j++
			}
			if j == i {
				return time.Time{}, false
			}
			i = j
		case 'Z', 'X', 'z':
			n, off, l, ok := parseZone(b[i:])
			if !ok {
				return time.Time{}, false
			}
			i += n
			if l != nil {
				zloc = l
			} else {
				offset, haveOffset = off, true
			}
		}
	}
	if i != len(b) {
		return time.Time{}, false
	}
	if h12 >= 0 {
		hour = h12
		if pm == 1 {
			hour += 12
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		minute > 59 || sec > 59 || ms > 999 {
		return time.Time{}, false
	}
	nsec += ms * 1e6
	switch {
	case haveOffset:
		t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
		return t.Add(-time.Duration(offset) * time.Second), true
	case zloc != nil:
		loc = zloc
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), true
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// matchName matches a full or three-letter English name, any case.
func matchName(b []byte, names []string) (int, int) {
	for i, n := range names {
		if hasPrefixFold(b, n) {
			return i, len(n)
		}
	}
	for i, n := range names {
		if hasPrefixFold(b, n[:3]) {
			return i, 3
		}
	}
	return -1, 0
}

func hasPrefixFold(b []byte, lower string) bool {
	if len(b) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseZone reads "Z", "+hh", "+hhmm", "+hh:mm", "GMT+h:mm", "UTC", "GMT"
// or an IANA zone name. It returns the bytes used and either an offset in
// seconds east of UTC or a location.
func parseZone(b []byte) (int, int, *time.Location, bool) {
	if len(b) == 0 {
		return 0, 0, nil, false
	}
	if b[0] == 'Z' && (len(b) == 1 || !isLetter(b[1])) {
		return 1, 0, nil, true
	}
	if b[0] == '+' || b[0] == '-' {
		n, off, ok := parseOffset(b)
		return n, off, nil, ok
	}
	for _, p := range []string{"gmt", "utc", "ut"} {
		if hasPrefixFold(b, p) && (len(b) == len(p) || !isLetter(b[len(p)])) {
			if len(b) > len(p) && (b[len(p)] == '+' || b[len(p)] == '-') {
				n, off, ok := parseOffset(b[len(p):])
				return len(p) + n, off, nil, ok
			}
			return len(p), 0, nil, true
		}
	}
	j := 0
	for j < len(b) && (isLetter(b[j]) || b[j] == '/' || b[j] == '_') {
		j++
	}
	if j == 0 {
		return 0, 0, nil, false
	}
	l := loadZone(string(b[:j]))
	if l == nil {
		return 0, 0, nil, false
	}
	return j, 0, l, true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// parseOffset reads +h, +hh, +hhmm or +h[h]:mm.
func parseOffset(b []byte) (int, int, bool) {
	sign := 1
	if b[0] == '-' {
		sign = -1
	}
	i := 1
	digits := func(max int) (int, int) {
		v, n := 0, 0
		for i+n < len(b) && n < max && b[i+n] >= '0' && b[i+n] <= '9' {
			v = v*10 + int(b[i+n]-'0')
			n++
		}
		return v, n
	}
	h, n := digits(2)
	if n == 0 {
		return 0, 0, false
	}
	i += n
	m := 0
	if i < len(b) && b[i] == ':' {
		i++
		var k int
		m, k = digits(2)
		if k != 2 {
			return 0, 0, false
		}
		i += k
	} else if n == 2 {
		var k int
		m, k = digits(2)
		if k != 0 && k != 2 {
			return 0, 0, false
		}
		i += k
	}
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	return i, sign * (h*3600 + m*60), true
}

var (
	zonesMu sync.Mutex
	zones   = map[string]*time.Location{}
)

// loadZone caches time.LoadLocation, which reads the zone database.
func loadZone(name string) *time.Location {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if l, ok := zones[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		l = nil
	}
	if len(zones) < 256 {
		zones[name] = l
	}
	return l
}

// jmeterFallbacks are the patterns JMeter's reader tries, in order, when a
// timestamp is not a number (CSVSaveService.DATE_FORMAT_STRINGS).
var jmeterFallbacks = func() []*dateFormat {
	var out []*dateFormat
	for _, p := range []string{
		"yyyy/MM/dd HH:mm:ss.SSS",
		"yyyy/MM/dd HH:mm:ss",
		"yyyy-MM-dd HH:mm:ss.SSS",
		"yyyy-MM-dd HH:mm:ss",
		"MM/dd/yy HH:mm:ss",
	} {
		// The patterns are constant; TestFallbackPatterns checks they all compile.
		if f, err := compileDateFormat(p); err == nil {
			f.fullYear = true
			out = append(out, f)
		}
	}
	return out
}()
