package har

import (
	"time"
)

// zones caches the fixed-offset locations of startedDateTime values, so
// that a Firefox HAR (every entry at +02:00) builds one, not one per entry.
type zones map[int]*time.Location

func (z zones) fixed(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if loc, ok := z[offset]; ok {
		return loc
	}
	loc := time.FixedZone("", offset)
	if len(z) < 64 {
		z[offset] = loc
	}
	return loc
}

// parseTime reads an ISO 8601 date-time the way HAR writers produce it:
// RFC 3339 with Z or an offset ("+02:00", "+0200", "+02"), 0 to 9 (or
// more, cut) fractional digits, 'T' or a space between date and time, and
// the basic forms the HAR JSON schema allows ("20230329T173742Z"). A
// value without a zone is in loc.
func parseTime(b []byte, loc *time.Location, z zones) (time.Time, bool) {
	i := 0
	digits := func(n int) (int, bool) {
		if i+n > len(b) {
			return 0, false
		}
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v, true
	}
	sep := func(c byte) {
		if i < len(b) && b[i] == c {
			i++
		}
	}
	year, ok := digits(4)
	if !ok {
		return time.Time{}, false
	}
	sep('-')
	month, ok1 := digits(2)
	sep('-')
	day, ok2 := digits(2)
	if !ok1 || !ok2 || i >= len(b) || (b[i] != 'T' && b[i] != 't' && b[i] != ' ') {
		return time.Time{}, false
	}
	i++
	hour, ok1 := digits(2)
	sep(':')
	min, ok2 := digits(2)
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	sec := 0
	if i < len(b) && b[i] == ':' {
		i++
	}
	if i < len(b) && b[i] >= '0' && b[i] <= '9' {
		if sec, ok = digits(2); !ok {
			return time.Time{}, false
		}
	}
	nsec := 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		scale, n := 100_000_000, 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i, n = i+1, n+1 {
			nsec += int(b[i]-'0') * scale
			scale /= 10
		}
		if n == 0 {
			return time.Time{}, false
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	switch {
	case i == len(b):
		// no zone: the writer's local time, which we take to be loc
	case b[i] == 'Z' || b[i] == 'z':
		loc = time.UTC
		i++
	case b[i] == '+' || b[i] == '-':
		neg := b[i] == '-'
		i++
		oh, ok := digits(2)
		if !ok {
			return time.Time{}, false
		}
		sep(':')
		om := 0
		if i < len(b) {
			if om, ok = digits(2); !ok || om > 59 {
				return time.Time{}, false
			}
		}
		if oh > 23 {
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if neg {
			off = -off
		}
		loc = z.fixed(off)
	default:
		return time.Time{}, false
	}
	if i != len(b) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc), true
}
