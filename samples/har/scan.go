package har

import (
	"bytes"
	"io"

	"github.com/jtlscope/jtlscope/samples"
)

// maxRecord is samples.MaxRecord, a variable so that tests can lower it.
var maxRecord = samples.MaxRecord

const (
	// minRead is the least free space fill asks the reader to fill.
	minRead = 64 << 10
	// shrinkAbove: a buffer grown past this for one huge entry is dropped
	// once that entry is done, so that memory follows the current entry.
	shrinkAbove = 16 << 20
)

// A scanner reads the input through a buffer it can grow, so that a whole
// entry can be handed to the parser as one slice, while values we skip
// (pages, an oversized entry) stream through without being kept. It tracks
// byte offsets and line numbers for messages.
type scanner struct {
	r   io.Reader
	buf []byte
	pos int // next byte to look at
	end int // buf[pos:end] is read and not yet scanned

	off    int64 // input offset of buf[0]
	line   int   // line number at buf[lineAt]
	lineAt int
	// nl is the input offset of the last newline before buf[lineAt]: -1
	// when there is none, -2 when it is not known.
	nl int64

	eof  bool
	rerr error // a read error other than io.EOF

	vs valueScan
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, 0, minRead), line: 1, nl: -1}
}

// fill reads more input, keeping buf[keep:]. It returns how far buffer
// positions moved down (callers holding positions subtract it) and false
// when there is nothing more to read.
func (s *scanner) fill(keep int) (shift int, ok bool) {
	if s.eof || s.rerr != nil {
		return 0, false
	}
	if keep > 0 {
		s.lineOf(keep)
		if cap(s.buf) > shrinkAbove && s.end-keep < minRead {
			nb := make([]byte, 4*minRead)
			copy(nb, s.buf[keep:s.end])
			s.buf = nb[:0]
		} else {
			copy(s.buf[:cap(s.buf)], s.buf[keep:s.end])
		}
		s.off += int64(keep)
		s.pos -= keep
		s.end -= keep
		s.lineAt -= keep
		shift = keep
	}
	if cap(s.buf)-s.end < minRead {
		// Double, but not far past the largest entry we keep: that entry
		// alone decides how much memory the decoder holds.
		n := max(min(2*cap(s.buf), maxRecord+2*minRead), s.end+minRead)
		nb := make([]byte, n)
		copy(nb, s.buf[:s.end])
		s.buf = nb[:0]
	}
	b := s.buf[:cap(s.buf)]
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(b[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.rerr = err
		}
		if n > 0 || err != nil {
			break
		}
	}
	s.buf = b[:s.end]
	return shift, s.end > s.pos
}

// lineOf returns the line number of buf[p]. Positions asked for mostly
// grow, so counting from the last one keeps this linear in the input.
func (s *scanner) lineOf(p int) int {
	if p >= s.lineAt {
		seg := s.buf[s.lineAt:p]
		if n := bytes.Count(seg, nl); n > 0 {
			s.line += n
			s.nl = s.off + int64(s.lineAt+bytes.LastIndexByte(seg, '\n'))
		}
	} else {
		s.line -= bytes.Count(s.buf[p:s.lineAt], nl)
		switch k := bytes.LastIndexByte(s.buf[:p], '\n'); {
		case k >= 0:
			s.nl = s.off + int64(k)
		case s.off == 0:
			s.nl = -1
		default:
			s.nl = -2
		}
	}
	s.lineAt = p
	return s.line
}

var nl = []byte{'\n'}

// position returns the line and 1-based byte column of buf[p]; the column
// is 0 when the start of its line is no longer known.
func (s *scanner) position(p int) (line, col int) {
	line = s.lineOf(p)
	if s.nl >= -1 {
		col = int(s.off + int64(p) - s.nl)
	}
	return line, col
}

// peek skips white space and returns the next byte, or false at the end
// of the input.
func (s *scanner) peek() (byte, bool) {
	for {
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\n', '\r', '\t':
				s.pos++
			default:
				return c, true
			}
		}
		if _, ok := s.fill(s.pos); !ok {
			return 0, false
		}
	}
}

// A scanError is a framing problem at an input position.
type scanError struct {
	pos int // buffer position; the decoder turns it into line and offset
	msg string
	eof bool // the input ended inside the value
}

// value scans the JSON value at s.pos (white space already skipped) and
// returns it when it is at most limit bytes long; a longer value is read
// through without being kept and comes back nil with whole false. raw is
// valid until the next call.
func (s *scanner) value(limit int) (raw []byte, whole bool, err *scanError) {
	s.vs.reset()
	start, keep := s.pos, true
	for {
		n, serr := s.vs.step(s.buf[s.pos:s.end], s.eof)
		s.pos += n
		if serr != nil {
			return nil, false, &scanError{pos: s.pos, msg: serr.msg}
		}
		if s.vs.done {
			if !keep || s.pos-start > limit {
				return nil, false, nil
			}
			return s.buf[start:s.pos], true, nil
		}
		if keep && s.pos-start > limit {
			keep = false
		}
		from := s.pos
		if keep {
			from = start
		}
		shift, ok := s.fill(from)
		start -= shift
		if !ok {
			return nil, false, &scanError{pos: s.pos, msg: "the input ends inside a value", eof: true}
		}
	}
}

// short reads a value expected to be small (log.version, the creator) and
// returns nil for one longer than limit, which has been passed over.
func (s *scanner) short(limit int) (raw []byte, err *scanError) {
	raw, whole, err := s.value(limit)
	if err != nil || !whole {
		return nil, err
	}
	return raw, nil
}
