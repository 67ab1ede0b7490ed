package jtlcsv

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// A scanner splits records the way JMeter's own reader
// (CSVSaveService.csvReadFile) does: CR, LF and CRLF all end a record, a
// field that starts with a quote runs to the matching quote, a doubled
// quote inside it is one quote, and a quote anywhere else is an error.
//
// Fields are slices of the data, or of scratch when a doubled quote had to
// be undone; they are valid until the next scan.
type scanner struct {
	delim   byte
	fields  [][]byte
	quoted  []bool // which fields were quoted; filled only when wantQuoted
	scratch []byte

	wantQuoted bool

	// Where the next quote and CR are in the data last scanned (data0);
	// -1 when not looked for yet. newData must be called when the bytes
	// change: a recycled buffer has the same address.
	data0     *byte
	qAt, crAt int

	// lines is how many line breaks the last record held, its terminator
	// included.
	lines int

	// What scanFast saw of the bytes of the record it split, found in the
	// same pass: known says these are set (scanSlow leaves them unset);
	// nul that there is a NUL byte, ascii that no byte is above 0x7f (so
	// the record is valid UTF-8).
	known, nul, ascii bool

	// Where and why the last scan failed.
	errAt  int // offset in data
	errCol int // 1-based field number
	errMsg string
}

type scanStatus uint8

const (
	scanRecord    scanStatus = iota
	scanBlank                // an empty line
	scanEnd                  // no data left
	scanBadQuote             // a quote where none may be; see errAt
	scanOpenQuote            // the data ended inside a quoted field
)

// scan reads the record that starts at data[pos] and returns its status and
// the offset just past it (line break included). The end of data is the
// end of the record: callers only pass data that ends at a line break or
// at the end of the input.
func (sc *scanner) scan(data []byte, pos int) (scanStatus, int) {
	if pos >= len(data) {
		return scanEnd, pos
	}
	if c := data[pos]; c == '\n' || c == '\r' {
		sc.lines = 1
		if c == '\r' && pos+1 < len(data) && data[pos+1] == '\n' {
			return scanBlank, pos + 2
		}
		return scanBlank, pos + 1
	}
	if !sc.wantQuoted {
		if end, ok := sc.scanFast(data, pos); ok {
			return scanRecord, end
		}
	}
	sc.known = false
	return sc.scanSlow(data, pos)
}

// newData forgets what scanFast learned about the previous data.
func (sc *scanner) newData() { sc.data0 = nil }

// Masks for finding bytes eight at a time (SWAR).
const (
	ones  = 0x0101010101010101
	low7  = 0x7f7f7f7f7f7f7f7f
	highs = 0x8080808080808080
)

// zeroBytes sets the high bit of each byte of y that is zero, and only
// those (the exact form: no borrow runs from one byte into the next).
func zeroBytes(y uint64) uint64 {
	return ^(((y & low7) + low7) | y) & highs
}

// scanFast splits a record that has no quotes and no bare CR, which is
// nearly every JTL line, in one pass over the bytes, eight at a time,
// looking only for the delimiter and LF. Where the next quote and the next
// CR are is found once for many lines with the vectorised IndexByte. It
// returns false when the record needs the full state machine.
func (sc *scanner) scanFast(data []byte, pos int) (int, bool) {
	if &data[0] != sc.data0 {
		sc.data0, sc.qAt, sc.crAt = &data[0], -1, -1
	}
	if sc.qAt < pos {
		sc.qAt = indexFrom(data, pos, '"')
	}
	if sc.crAt < pos {
		sc.crAt = indexFrom(data, pos, '\r')
	}
	stop := min(sc.qAt, sc.crAt) // the first byte only the state machine handles
	d := sc.delim
	dm := ones * uint64(d)
	f := sc.fields[:0]
	start := pos
	i := pos
	// or and zero gather the record's bytes and its NUL bytes as they
	// go by, so that the parser need not read the record again for them.
	var or, zero uint64
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		m := zeroBytes(w^dm) | zeroBytes(w^(ones*'\n'))
		for m != 0 {
			k := i + bits.TrailingZeros64(m)>>3
			m &= m - 1
			if k > stop {
				return sc.special(data, f, start, stop, k, or, zero, w, i)
			}
			if data[k] == d {
				f = append(f, data[start:k])
				start = k + 1
				continue
			}
			// The record ends here: only the bytes of w before k are
			// its own.
			low := uint64(1)<<(8*uint(k-i)) - 1
			sc.note(or|w&low, zero|zeroBytes(w)&low)
			return sc.endLine(f, data[start:k], k+1)
		}
		or |= w
		zero |= zeroBytes(w)
	}
	for ; i < len(data); i++ {
		c := data[i]
		if c != d && c != '\n' {
			or |= uint64(c)
			if c == 0 {
				zero = highs
			}
			continue
		}
		if i > stop {
			return sc.special(data, f, start, stop, i, or, zero, 0, i)
		}
		if c == d {
			f = append(f, data[start:i])
			start = i + 1
			continue
		}
		sc.note(or, zero)
		return sc.endLine(f, data[start:i], i+1)
	}
	if stop < len(data) {
		return 0, false
	}
	sc.note(or, zero)
	sc.lines = 0
	sc.fields = append(f, data[start:])
	sc.quoted = sc.quoted[:0]
	return len(data), true
}

// note records what scanFast saw of a record's bytes: or is their OR,
// zero has a high bit set where one of them was NUL.
func (sc *scanner) note(or, zero uint64) {
	sc.known, sc.nul, sc.ascii = true, zero&highs != 0, or&highs == 0
}

// special handles the quote or CR at data[stop] met before data[k], the
// next delimiter or LF. A CRLF line end is fine; anything else is not.
// or and zero are what scanFast gathered before the word w at data[i:]
// (w is 0 in the byte-at-a-time tail, which has gathered them all).
func (sc *scanner) special(data []byte, f [][]byte, start, stop, k int, or, zero, w uint64, i int) (int, bool) {
	if data[stop] == '\r' && k == stop+1 && data[k] == '\n' {
		sc.crAt = -1
		if k >= i && k < i+8 {
			low := uint64(1)<<(8*uint(k-i)) - 1
			or, zero = or|w&low, zero|zeroBytes(w)&low
		}
		sc.note(or, zero)
		return sc.endLine(f, data[start:stop], k+1)
	}
	return 0, false
}

func (sc *scanner) endLine(f [][]byte, last []byte, end int) (int, bool) {
	sc.lines = 1
	sc.fields = append(f, last)
	sc.quoted = sc.quoted[:0]
	return end, true
}

// indexFrom is the index of the first c at or after pos, or len(data).
func indexFrom(data []byte, pos int, c byte) int {
	if i := bytes.IndexByte(data[pos:], c); i >= 0 {
		return pos + i
	}
	return len(data)
}

// scanSlow is the full state machine, for records with quotes or bare CRs.
func (sc *scanner) scanSlow(data []byte, pos int) (scanStatus, int) {
	d := sc.delim
	f := sc.fields[:0]
	q := sc.quoted[:0]
	sc.scratch = sc.scratch[:0]
	i := pos
	for {
		if i < len(data) && data[i] == '"' {
			start := i + 1
			j, seg := start, start
			escaped := false
			mark := len(sc.scratch)
			for {
				k := bytes.IndexByte(data[j:], '"')
				if k < 0 {
					sc.fields, sc.quoted = f, q
					sc.errAt, sc.errCol = i, len(f)+1
					sc.lines = countLines(data[pos:])
					return scanOpenQuote, len(data)
				}
				e := j + k
				if e+1 < len(data) && data[e+1] == '"' {
					sc.scratch = append(sc.scratch, data[seg:e+1]...)
					j = e + 2
					seg = j
					escaped = true
					continue
				}
				if escaped {
					sc.scratch = append(sc.scratch, data[seg:e]...)
					f = append(f, sc.scratch[mark:len(sc.scratch):len(sc.scratch)])
				} else {
					f = append(f, data[start:e])
				}
				q = append(q, true)
				i = e + 1
				if i < len(data) {
					if c := data[i]; c != d && c != '\n' && c != '\r' {
						sc.fields, sc.quoted = f, q
						sc.errAt, sc.errCol = i, len(f)
						sc.errMsg = "a quoted field must end at a delimiter, but its closing quote is followed by " + quoteByte(c)
						return scanBadQuote, i
					}
				}
				break
			}
		} else {
			j := i
			for j < len(data) {
				c := data[j]
				if c == d || c == '\n' || c == '\r' {
					break
				}
				if c == '"' {
					sc.fields, sc.quoted = f, q
					sc.errAt, sc.errCol = j, len(f)+1
					sc.errMsg = "a quote inside an unquoted field"
					return scanBadQuote, j
				}
				j++
			}
			f = append(f, data[i:j])
			q = append(q, false)
			i = j
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		i++
		if c == d {
			continue
		}
		if c == '\r' && i < len(data) && data[i] == '\n' {
			i++
		}
		break
	}
	sc.fields, sc.quoted = f, q
	sc.lines = countLines(data[pos:i])
	return scanRecord, i
}

// countLines counts line breaks: LF, CRLF and a CR on its own.
func countLines(b []byte) int {
	n := bytes.Count(b, nl)
	if bytes.IndexByte(b, '\r') < 0 {
		return n
	}
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			n++
		}
	}
	return n
}

var nl = []byte{'\n'}

// nextLine returns the offset just past the first line break at or after
// i, or len(data).
func nextLine(data []byte, i int) int {
	for ; i < len(data); i++ {
		switch data[i] {
		case '\n':
			return i + 1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return i + 2
			}
			return i + 1
		}
	}
	return len(data)
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string(hex[c>>4]) + string(hex[c&15])
}
