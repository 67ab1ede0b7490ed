package report

import (
	"bytes"
	"io"
	"strings"

	"github.com/clipperhouse/displaywidth"
)

// Layout says how text output fits where it goes. The "table" format of
// summary, diagnose and compare is laid out for its reader when it goes
// to a terminal: the command gives the terminal's width, prose is wrapped
// to it and a table too wide for it loses its least needed columns, with
// a note saying which. The zero Layout is for a file or a pipe, and every
// other format ignores it: nothing is wrapped or narrowed, so what a
// script reads does not depend on the window of whoever ran it.
type Layout struct {
	// Width is the terminal's width in columns; 0 when not a terminal.
	Width int
}

// Wrapping is by hand: it breaks at spaces, measures with displaywidth
// (the widths tablewriter uses, so East Asian labels line up) and keeps a
// bullet's hanging indent, which is all this output needs; the wrapping
// libraries add ANSI handling we have no use for.

// textWidth is the width prose wrapped at def columns (after indent)
// gets on a terminal of width columns: def when there is no terminal or
// it is wide enough, else what is left of the terminal after indent.
func textWidth(width, def int, indent string) int {
	if width <= 0 {
		return def
	}
	return max(min(def, width-displaywidth.String(indent)), 20)
}

// wrap breaks s into lines of at most width columns, each prefixed with
// indent (the first too).
func wrap(s string, width int, indent string) string {
	w := width + displaywidth.String(indent)
	return fill(s, w, indent, indent)
}

// fill breaks the words of s into lines of at most width columns, the
// first prefixed with first and the others with rest. A word longer than
// a line is left whole: a URL or an ID broken in two cannot be searched.
func fill(s string, width int, first, rest string) string {
	var b strings.Builder
	b.WriteString(first)
	col := displaywidth.String(first)
	start := true
	for _, word := range strings.Fields(s) {
		ww := displaywidth.String(word)
		switch {
		case start:
		case col+1+ww > width:
			b.WriteString("\n" + rest)
			col = displaywidth.String(rest)
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += ww
		start = false
	}
	return b.String()
}

// Hanging is s after first, wrapped to width columns with the lines
// after the first indented by rest; width ≤ 0 does not wrap. It is for
// messages on a terminal ("jtlscope: warning: ...").
func Hanging(s string, width int, first, rest string) string {
	if width <= 0 {
		return first + s
	}
	return fill(s, width, first, rest)
}

// fitLine wraps one line of text output to width columns. A line of a
// table (its first character after the indentation is + or |) is left
// alone: broken, it would be no table at all. A bullet ("- ") hangs its
// continuation lines under its text.
func fitLine(line string, width int) string {
	if width <= 0 || displaywidth.String(line) <= width {
		return line
	}
	body := strings.TrimLeft(line, " ")
	if body == "" || body[0] == '+' || body[0] == '|' {
		return line
	}
	lead := line[:len(line)-len(body)]
	hang := lead
	if strings.HasPrefix(body, "- ") || strings.HasPrefix(body, "* ") {
		hang += "  "
	}
	return fill(body, width, lead, hang)
}

// fitWriter passes text output through fitLine, a line at a time.
// Call flush at the end for a last line without a newline.
type fitWriter struct {
	w     io.Writer
	width int
	line  []byte
}

// fitTo returns a writer that wraps the prose written to w to width
// columns; width ≤ 0 returns w itself.
func fitTo(w io.Writer, width int) *fitWriter { return &fitWriter{w: w, width: width} }

func (f *fitWriter) Write(p []byte) (int, error) {
	if f.width <= 0 {
		return f.w.Write(p)
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			f.line = append(f.line, p...)
			break
		}
		f.line = append(f.line, p[:i]...)
		p = p[i+1:]
		if _, err := io.WriteString(f.w, fitLine(string(f.line), f.width)+"\n"); err != nil {
			return 0, err
		}
		f.line = f.line[:0]
	}
	return n, nil
}

func (f *fitWriter) flush() error {
	if len(f.line) == 0 {
		return nil
	}
	_, err := io.WriteString(f.w, fitLine(string(f.line), f.width))
	f.line = f.line[:0]
	return err
}
