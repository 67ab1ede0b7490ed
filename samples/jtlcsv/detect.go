package jtlcsv

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// errNeedMore: the first record does not end within the data given.
var errNeedMore = errors.New("first record incomplete")

// detect works out the delimiter and the columns from the first record of
// data (which starts at line). It returns the layout and how many bytes the
// header line takes (0 without one), and fills in Meta.
func (d *Decoder) detect(data []byte, final bool, line int) (*layout, int, error) {
	best, bestKnown := -1, 0
	var bestSc scanner
	var bestEnd int
	open := false
	for i, delim := range d.delims {
		sc := scanner{delim: delim, wantQuoted: true}
		st, end := sc.scan(data, 0)
		if st == scanOpenQuote {
			open = true
		}
		if st != scanRecord {
			continue
		}
		if k := countKnown(sc.fields, sc.quoted); k > bestKnown {
			best, bestKnown, bestSc, bestEnd = i, k, sc, end
		}
	}
	if best >= 0 {
		if names, quoted, ok := headerFields(bestSc.fields, bestSc.quoted); ok {
			// The first row after the header is looked at too; make sure
			// it is all here.
			if !final && len(data) < d.max && !firstRowComplete(data[bestEnd:], d.delims[best]) {
				return nil, 0, errNeedMore
			}
			lay, notes := newLayout(d.delims[best], names, quoted, true)
			lay.headerLine = names
			if adj, note := d.matchRows(lay, names, quoted, data[bestEnd:]); adj != nil {
				lay = adj
				notes = append(notes, note)
			}
			for c, col := range lay.cols {
				if col.kind == cTimeStamp {
					notes = append(notes, d.detectTime(timestampValues(data[bestEnd:], lay.delim, c)))
					break
				}
			}
			d.describe(lay, data[bestEnd:], notes, producer(lay))
			return lay, bestEnd, nil
		}
	}
	if best >= 0 && bestKnown >= 2 {
		// JMeter's names, but not elapsed: another tool's CSV.
		what, _ := samples.Describe(data)
		return nil, 0, fmt.Errorf("%s:%d: not a JTL: the file looks like %s; its first line names JMeter columns (%s) but not elapsed, which every JTL has",
			d.name, line, what, knownNames(bestSc.fields, bestSc.quoted))
	}
	if (open || !firstLineComplete(data)) && !final && len(data) < d.max {
		// What the file is, or looks like, is judged on its first line
		// that is not blank: read on until it is all here, so that the
		// verdict does not depend on where a block ends.
		return nil, 0, errNeedMore
	}
	lay, note, prod, err := d.infer(data, line)
	if err != nil {
		return nil, 0, err
	}
	d.describe(lay, data, []string{note}, prod)
	return lay, 0, nil
}

// assumed records, for Meta.Assumed, which default columns a file without
// a header line was read with, when they were guessed rather than given.
func (d *Decoder) assumed(c candidate, vars int) {
	if c.prod == "" {
		return // the columns the given properties describe
	}
	a := strings.TrimSuffix(c.prod, " (default columns, guessed)") + "'s " + itoa(len(c.names)) + " default columns"
	if vars > 0 {
		a += " and " + itoa(vars) + " unnamed sample variable columns"
	}
	d.mu.Lock()
	d.meta.Assumed = a
	d.mu.Unlock()
}

// knownNames lists the unquoted fields that are JMeter column names, as
// written: "timestamp, url".
func knownNames(fields [][]byte, quoted []bool) string {
	quoted = plainIfAllQuoted(quoted, len(fields))
	var names []string
	for i, f := range fields {
		if (i >= len(quoted) || !quoted[i]) && len(f) < 32 {
			if _, _, ok := kindByName(string(f)); ok {
				names = append(names, string(f))
			}
		}
	}
	return strings.Join(names, ", ")
}

// countKnown counts the unquoted fields that are JMeter column names.
func countKnown(fields [][]byte, quoted []bool) int {
	quoted = plainIfAllQuoted(quoted, len(fields))
	n := 0
	for i, f := range fields {
		if (i >= len(quoted) || !quoted[i]) && len(f) < 32 {
			if _, _, ok := kindByName(string(f)); ok {
				n++
			}
		}
	}
	return n
}

// describe fills in Meta once the layout is known; rows is the data after
// the header, whose first record shows how timestamps are written.
func (d *Decoder) describe(lay *layout, rows []byte, notes []string, prod string) {
	ts := "none"
	if lay.hasKind(cTimeStamp) || lay.hasKind(cTimeStampNs) {
		ts = d.tsName(lay, rows)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.meta.Producer = prod
	d.meta.Columns = lay.names()
	d.meta.Header = lay.header
	d.meta.Delimiter = string(rune(lay.delim))
	d.meta.Saved = lay.saved(ts)
	for _, n := range notes {
		if n != "" {
			d.meta.Notes = append(d.meta.Notes, n)
		}
	}
}

// tsName says how the first data row writes its timestamp: "ms" or the
// pattern that reads it.
func (d *Decoder) tsName(lay *layout, rows []byte) string {
	switch {
	case lay.hasKind(cTimeStampNs):
		return "ns"
	case d.mode == tsPattern:
		return d.pat.pattern
	case d.mode == tsMillis:
		return "ms"
	}
	// Skip blank lines, then try the first record.
	i := 0
	for i < len(rows) && (rows[i] == '\n' || rows[i] == '\r') {
		i++
	}
	sc := scanner{delim: lay.delim}
	if st, _ := sc.scan(rows, i); st == scanRecord {
		for c, col := range lay.cols {
			if col.kind == cTimeStamp && c < len(sc.fields) {
				conv := newConverter(lay, d.mode, d.pat, d.loc, 0)
				if _, ok := conv.parseTime(sc.fields[c]); ok {
					if conv.pat != nil {
						return conv.pat.pattern
					}
					return "ms"
				}
			}
		}
	}
	return "ms"
}

// detectTime works out the timestamp format from the first rows' values
// when none was given and JMeter's own way does not read them (see
// timedetect.go); it returns a note for Meta, or "".
func (d *Decoder) detectTime(values [][]byte) string {
	if d.mode != tsDetect {
		return ""
	}
	f, note, warning := detectTime(values, d.loc)
	if warning != "" {
		d.mu.Lock()
		d.meta.Warnings = append(d.meta.Warnings, d.name+": "+warning)
		d.mu.Unlock()
	}
	if f != nil {
		d.mode, d.pat = tsPattern, f
	}
	return note
}

func joinNotes(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// A candidate is a column set a headerless file may have.
type candidate struct {
	names []string
	what  string
	prod  string
}

// infer picks the columns of a file without a header line: from the
// jmeter.save.saveservice properties when given, else from JMeter's
// default column sets, choosing the one the first row fits (field count,
// numbers where numbers belong, true/false, a timestamp, a data type).
func (d *Decoder) infer(data []byte, line int) (*layout, string, string, error) {
	var cands []candidate
	withProps := hasSaveProperties(d.props)
	if withProps {
		vars := sampleVariables(d.props)
		seen := map[string]bool{}
		for _, v := range versions {
			names := columnsFor(v, d.props, d.tsNone, vars)
			key := strings.Join(names, ",")
			if seen[key] {
				continue
			}
			seen[key] = true
			cands = append(cands, candidate{names: names,
				what: "the columns the given properties describe (with " + v.name + " defaults for the flags they do not set)"})
		}
	} else {
		for _, v := range append(append([]version(nil), versions...), oldDefault) {
			cands = append(cands, candidate{names: columnsFor(v, nil, d.tsNone, nil),
				what: v.name + "'s default columns", prod: v.name + " (default columns, guessed)"})
		}
	}

	firstLine := data
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		firstLine = data[:i]
	}
	delims := append([]byte(nil), d.delims...)
	if d.opts.Delimiter == 0 && !withProps {
		// The delimiter that splits the line most is the likeliest.
		sort.SliceStable(delims, func(i, j int) bool {
			return bytes.Count(firstLine, []byte{delims[i]}) > bytes.Count(firstLine, []byte{delims[j]})
		})
	}
	// Every default column set starts with timeStamp.
	timeNote := d.detectTime(timestampValues(data, delims[0], 0))
	nfields, firstRow := 0, ""
	for _, delim := range delims {
		sc := scanner{delim: delim}
		if st, _ := sc.scan(data, 0); st != scanRecord {
			continue
		}
		n := len(sc.fields)
		if n > nfields {
			nfields, firstRow = n, fieldsPreview(sc.fields)
		}
		for _, c := range cands {
			if len(c.names) == n {
				if lay, ok := d.fits(delim, c.names, sc.fields); ok {
					d.assumed(c, 0)
					return lay, joinNotes("no header line: assumed "+c.what+": "+strings.Join(c.names, ","), timeNote), c.prod, nil
				}
			}
		}
		// sample_variables columns JMeter appended without a header to
		// name them.
		for _, c := range cands {
			if len(c.names) < n {
				names := append([]string(nil), c.names...)
				for i := len(c.names); i < n; i++ {
					names = append(names, `"column`+itoa(i+1)+`"`)
				}
				if lay, ok := d.fits(delim, names, sc.fields); ok {
					note := "no header line: assumed " + c.what + " followed by " + itoa(n-len(c.names)) +
						" sample variable columns with unknown names (called column" + itoa(len(c.names)+1) + "...; give sample_variables to name them): " +
						strings.Join(names, ",")
					d.assumed(c, n-len(c.names))
					return lay, joinNotes(note, timeNote), c.prod, nil
				}
			}
		}
	}
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '<' || t[0] == '{') {
		// An XML or HAR file given --input-format csv.
		kind := "XML"
		if t[0] == '{' {
			kind = "JSON (a HAR?)"
		}
		return nil, "", "", fmt.Errorf("%s:%d: the file starts like %s, not CSV: leave --input-format out to detect the format", d.name, line, kind)
	}
	if len(d.delims) == 1 {
		// Only the given delimiter was tried: say so when another one
		// makes the first line a header.
		for _, c := range []byte{',', '\t', ';', '|'} {
			if c == d.delims[0] {
				continue
			}
			sc := scanner{delim: c, wantQuoted: true}
			if st, _ := sc.scan(data, 0); st == scanRecord {
				if _, _, ok := headerFields(sc.fields, sc.quoted); ok {
					return nil, "", "", fmt.Errorf("%s:%d: the first line is a header split on %s, not on the delimiter given (%s): leave the delimiter out to detect it",
						d.name, line, delimWord(c), delimWord(d.delims[0]))
				}
			}
		}
	}
	what, foreign := samples.Describe(data)
	if !foreign {
		what = itoa(nfields) + " fields: " + firstRow
	}
	if foreign && !withProps {
		return nil, "", "", fmt.Errorf("%s:%d: not a JTL: the file looks like %s; a JTL CSV starts with a header naming JMeter's columns, such as timeStamp,elapsed,label,responseCode, or with rows of them",
			d.name, line, what)
	}
	if withProps {
		return nil, "", "", fmt.Errorf("%s:%d: no header line, and the first row (%s) does not fit the columns the given properties describe (%s)",
			d.name, line, what, strings.Join(cands[0].names, ","))
	}
	return nil, "", "", &samples.ColumnsError{Msg: fmt.Sprintf("%s:%d: no header line, and the first row (%s) fits none of JMeter's default column sets; give the jmeter.save.saveservice.* properties (and sample_variables) the file was written with",
		d.name, line, what)}
}

// matchRows handles files whose rows do not have as many fields as their
// header names (python-jtl's JMeter 2.7 sample names IdleTime in the header
// but writes no value for it). When the first row reads cleanly as the
// header's first columns, or as the header plus unnamed variables, that
// layout is used, with a note.
func (d *Decoder) matchRows(lay *layout, names []string, quoted []bool, rows []byte) (*layout, string) {
	i := 0
	for i < len(rows) && (rows[i] == '\n' || rows[i] == '\r') {
		i++
	}
	sc := scanner{delim: lay.delim}
	if st, _ := sc.scan(rows, i); st != scanRecord {
		return nil, ""
	}
	n := len(sc.fields)
	if n == len(names) || n == 0 {
		return nil, ""
	}
	var adj *layout
	var note string
	if n < len(names) {
		adj, _ = newLayout(lay.delim, names[:n], quoted[:n], true)
		note = "the header names " + itoa(len(names)) + " columns but the rows have " + itoa(n) +
			": read as the first " + itoa(n) + " (" + strings.Join(names[n:], ",") + " not written)"
	} else {
		more := append([]string(nil), names...)
		q := append([]bool(nil), quoted...)
		for k := len(names); k < n; k++ {
			more = append(more, "column"+itoa(k+1))
			q = append(q, true)
		}
		adj, _ = newLayout(lay.delim, more, q, true)
		note = "the header names " + itoa(len(names)) + " columns but the rows have " + itoa(n) +
			": the extra ones are kept as variables column" + itoa(len(names)+1) + "..."
	}
	if !d.fitsLayout(adj, sc.fields) {
		return nil, ""
	}
	adj.headerLine = names
	return adj, note
}

// fits reports whether one row reads cleanly with the named columns.
func (d *Decoder) fits(delim byte, names []string, fields [][]byte) (*layout, bool) {
	lay := layoutFromNames(delim, names)
	return lay, d.fitsLayout(lay, fields)
}

func (d *Decoder) fitsLayout(lay *layout, fields [][]byte) bool {
	if len(lay.cols) != len(fields) {
		return false
	}
	conv := newConverter(lay, d.mode, d.pat, d.loc, 0)
	var s samples.Sample
	if !conv.convert(fields, &s) {
		return false
	}
	return !lay.hasKind(cDataType) || s.DataType == "" || s.DataType == "text" || s.DataType == "bin"
}

// firstRowComplete reports whether rows holds a whole record after any
// blank lines.
func firstRowComplete(rows []byte, delim byte) bool {
	i := 0
	for i < len(rows) && (rows[i] == '\n' || rows[i] == '\r') {
		i++
	}
	sc := scanner{delim: delim}
	st, _ := sc.scan(rows, i)
	return st == scanRecord || st == scanBadQuote
}

// fieldsPreview quotes the first fields of a row for a message.
func fieldsPreview(fields [][]byte) string {
	var parts []string
	for i, f := range fields {
		if i == 6 {
			parts = append(parts, "…")
			break
		}
		if !redact.Quotable(string(f)) {
			parts = append(parts, "…") // shaped like a credential
			continue
		}
		parts = append(parts, quote(string(f)))
	}
	return strings.Join(parts, ", ")
}

// delimWord writes a delimiter for a message.
func delimWord(c byte) string {
	if c == '\t' {
		return "tab"
	}
	return "'" + string(rune(c)) + "'"
}

// firstLineComplete reports whether data holds a line break after its
// first byte that is not blank (space, tab, CR, LF, BOM).
func firstLineComplete(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && bytes.ContainsAny(t, "\r\n")
}
