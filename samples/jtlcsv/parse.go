package jtlcsv

import (
	"bytes"
	"slices"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// A parser reads the records of one block, a run of whole lines. It never
// stops at a bad record: it reports it and resynchronises at the next line.
type parser struct {
	name  string
	sc    scanner
	conv  *converter
	data  []byte
	pos   int
	final bool  // the block ends the input
	max   int   // the longest record (maxRecord)
	line  int   // line number of data[pos]
	off   int64 // input offset of data[0]

	// tail is where an unfinished record starts when a non-final block
	// ends inside a quoted field; -1 when the block ended cleanly.
	tail     int
	tailLine int

	notes []lineNote // header lines met inside the data

	// The last field-count message: a broken file repeats it on every
	// row, and building it each time was a third of the time spent on
	// such files.
	countN, countWant int
	countMsg          string
}

// A lineNote is a fact about one line, for Meta.Notes. In parallel mode
// line is relative to the block until the consumer fixes it up.
type lineNote struct {
	line int
	msg  string
}

type step uint8

const (
	stepSample step = iota
	stepError
	stepDone
)

func (p *parser) reset(data []byte, off int64, line int, final bool) {
	p.data, p.off, p.line, p.final = data, off, line, final
	p.sc.newData()
	p.pos, p.tail, p.tailLine = 0, -1, 0
}

func (p *parser) errorAt(line, col, at int, msg string) *samples.ParseError {
	return &samples.ParseError{File: p.name, Line: line, Column: col, Offset: p.off + int64(at), Msg: msg}
}

// next reads the next record into s. stepDone means the block is used up
// (see tail).
func (p *parser) next(s *samples.Sample) (step, *samples.ParseError) {
	for {
		start := p.pos
		st, end := p.sc.scan(p.data, start)
		switch st {
		case scanEnd:
			return stepDone, nil
		case scanBlank:
			p.pos = end
			p.line += p.sc.lines
			continue
		case scanBadQuote:
			at := p.sc.errAt
			line := p.line + countLines(p.data[start:at])
			next := nextLine(p.data, at)
			err := p.errorAt(line, p.sc.errCol, at, p.sc.errMsg+"; skipped the record")
			p.pos = next
			p.line = line + countLines(p.data[at:next])
			return stepError, err
		case scanOpenQuote:
			if !p.final && end-start < p.max {
				p.tail, p.tailLine = start, p.line
				p.pos = len(p.data)
				return stepDone, nil
			}
			// Read on from the line after the record's first: a stray quote
			// must not swallow the rest of the file.
			next := nextLine(p.data, start)
			col := p.sc.errCol
			var msg string
			switch {
			case end-start >= p.max:
				msg = "record longer than " + mib(p.max) + " (a quoted field that never ends?); skipped its first line"
			case next == len(p.data):
				msg = "the last line ends inside the quoted field of column " + itoa(col) + ": it is cut off (was the test killed while writing?)"
			default:
				msg = "the quoted field of column " + itoa(col) + " is never closed; skipped this line and read on from the next"
			}
			err := p.errorAt(p.line, col, p.sc.errAt, msg)
			p.line += countLines(p.data[start:next])
			p.pos = next
			return stepError, err
		}

		line := p.line
		if end-start > p.max {
			// As for a quoted field that never ends: where a block happens
			// to end must not change what is skipped.
			next := nextLine(p.data, start)
			p.pos = next
			p.line += countLines(p.data[start:next])
			return stepError, p.errorAt(line, 0, start, "record longer than "+mib(p.max)+" (a quoted field that never ends?); skipped its first line")
		}
		p.pos = end
		p.line += p.sc.lines
		raw := p.data[start:end]
		fields := p.sc.fields
		if !p.sc.known || p.sc.nul {
			if i := bytes.IndexByte(raw, 0); i >= 0 {
				return stepError, p.errorAt(line, fieldOf(raw, i, p.sc.delim), start+i, "NUL byte in the record (a crash or a disk-full left the file padded?); skipped")
			}
		}
		lay := p.conv.lay
		if len(fields) != len(lay.cols) {
			if p.header(line) {
				continue
			}
			return stepError, p.errorAt(line, 0, start, p.countMessage(len(fields), end))
		}
		p.conv.sanitize = !(p.sc.known && p.sc.ascii) && !utf8.Valid(raw)
		if p.conv.sanitize {
			p.conv.badUTF8++
		}
		if !p.conv.convert(fields, s) {
			if p.header(line) {
				continue
			}
			return stepError, p.errorAt(line, p.conv.errCol, start, p.conv.errMsg+"; skipped the record")
		}
		s.Source = p.name
		s.Line = line
		return stepSample, nil
	}
}

func (p *parser) countMessage(n, end int) string {
	want := len(p.conv.lay.cols)
	what := "the header has " + itoa(want) + " columns"
	if !p.conv.lay.header {
		what = "the assumed layout has " + itoa(want) + " columns"
	}
	if p.final && end == len(p.data) && n < want {
		return "the last line has " + itoa(n) + " of " + itoa(want) + " fields: it is cut off (was the test killed while writing?)"
	}
	if n == p.countN && want == p.countWant && p.countMsg != "" {
		return p.countMsg
	}
	msg := "too many fields: " + itoa(n) + ", but " + what + " (an unquoted delimiter, or rows from a run with other columns?); skipped the record"
	if n < want {
		msg = "too few fields: " + itoa(n) + ", but " + what + "; skipped the record"
	}
	p.countN, p.countWant, p.countMsg = n, want, msg
	return msg
}

// header handles a header line inside the data, as left by concatenating
// files: the same header again is skipped, a different one takes over.
func (p *parser) header(line int) bool {
	names, quoted, ok := headerFields(p.sc.fields, p.sc.quoted)
	if !ok {
		return false
	}
	lay := p.conv.lay
	if slices.Equal(names, lay.headerLine) {
		p.notes = append(p.notes, lineNote{line, "the header line again (files concatenated?); skipped"})
		return true
	}
	nl, _ := newLayout(lay.delim, names, quoted, true)
	nl.headerLine = names
	p.conv.setLayout(nl)
	p.notes = append(p.notes, lineNote{line, "a new header line with " + itoa(len(names)) + " columns; the rows after it are read with it"})
	return true
}

// headerFields reports whether fields look like JMeter's header line: at
// least two unquoted known column names, one of them elapsed (or one
// name, if it is the only field). Other tools' CSVs share a name or two
// with JMeter's (k6's metrics CSV has timestamp and url), but none of
// them writes JMeter's elapsed, which every JTL has unless the test
// saved no response times at all (jmeter.save.saveservice.time=false).
// timeStamp is not required: timestamp_format=none leaves it out.
func headerFields(fields [][]byte, quoted []bool) ([]string, []bool, bool) {
	quoted = plainIfAllQuoted(quoted, len(fields))
	known, elapsed := 0, false
	for i, f := range fields {
		if i < len(quoted) && quoted[i] {
			continue
		}
		if len(f) < 32 {
			if k, _, ok := kindByName(string(f)); ok {
				known++
				elapsed = elapsed || k == cElapsed || k == cElapsedNs
			}
		}
	}
	if !(known >= 2 && elapsed) && !(known == 1 && len(fields) == 1) {
		return nil, nil, false
	}
	names := make([]string, len(fields))
	q := make([]bool, len(fields))
	for i, f := range fields {
		names[i] = string(f)
		q[i] = i < len(quoted) && quoted[i]
	}
	return names, q, true
}

// plainIfAllQuoted drops the quote marks when every name is quoted: JMeter
// quotes only sample_variables names, so a header quoted throughout comes
// from a writer that quotes everything, and the quotes mean nothing.
func plainIfAllQuoted(quoted []bool, n int) []bool {
	if len(quoted) != n || n == 0 {
		return quoted
	}
	for _, q := range quoted {
		if !q {
			return quoted
		}
	}
	return nil
}

// fieldOf returns the 1-based number of the field that holds raw[i]:
// one more than the delimiters outside quotes before it.
func fieldOf(raw []byte, i int, delim byte) int {
	col, inQ := 1, false
	for _, c := range raw[:i] {
		switch {
		case c == '"':
			inQ = !inQ
		case !inQ && c == delim:
			col++
		}
	}
	return col
}
