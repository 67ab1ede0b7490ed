package jtlcsv

import (
	"bytes"
	"io"

	"github.com/jtlscope/jtlscope/samples"
)

// blockSize is how much input one block holds: big enough that per-block
// costs (a read call, a channel send in parallel mode) vanish, small enough
// to stay in the L2/L3 caches of the core that parses it.
const blockSize = 1 << 20

// maxRecord is the longest CSV record kept: 16 MiB, a quarter of
// samples.MaxRecord, because a JTL CSV never holds bodies (JMeter cannot
// save response data to CSV) and a record that long is a broken file;
// buffering it costs up to twice the limit. A variable so tests can
// shrink it; each Decoder copies it when it is made.
var maxRecord = min(16<<20, samples.MaxRecord)

// mib renders a size limit for messages.
func mib(n int) string {
	if n >= 1<<20 {
		return itoa(n>>20) + " MiB"
	}
	return itoa(n) + " bytes"
}

// A chunkReader cuts its input into blocks that end at a line break (or at
// the end of the input), so that blocks can be parsed independently. A
// line break inside a quoted field can still end a block; the parser then
// hands the unfinished record back as a tail to be carried into the next
// block (sequential mode) or re-read (parallel mode).
type chunkReader struct {
	r       io.Reader
	size    int    // block size; 0 means blockSize
	max     int    // the longest line it holds (maxRecord)
	rest    []byte // input read but not yet in a block: a partial line
	restOff int64  // input offset of rest[0]
	eof     bool
	err     error // a read error other than io.EOF; it ends the input
	// eager returns a block at a short read (see next).
	eager bool
}

// A skip says that the chunkReader dropped a line longer than max.
type skip struct {
	off   int64 // where the dropped bytes began
	carry []byte
}

// next returns the next block in dst's memory (growing it if needed):
// carry, then the leftover of the previous read, then new input, cut after
// the last line break. final is true when the block ends the input.
func (c *chunkReader) next(dst, carry []byte) (block []byte, off int64, final bool, sk *skip) {
	off = c.restOff - int64(len(carry))
	want := c.size
	if want == 0 {
		want = blockSize
	}
	if 2*len(carry) > want {
		// An unfinished record is carried from block to block; read twice
		// its size each time so that re-scanning it stays linear.
		want = 2 * len(carry)
	}
	dst = append(dst[:0], carry...)
	keep := len(dst)
	dst = append(dst, c.rest...)
	c.rest = nil
	for {
		for len(dst) < want && !c.eof {
			if len(dst) == cap(dst) {
				dst = grow(dst, want)
			}
			ask := min(cap(dst), want) - len(dst)
			n, err := c.r.Read(dst[len(dst) : len(dst)+ask])
			dst = dst[:len(dst)+n]
			if err == io.EOF {
				c.eof = true
			} else if err != nil {
				c.eof, c.err = true, err
			}
			// A short read is what a pipe has for now: once the first
			// block (which detection wants whole) is read, parse the
			// whole lines read so far rather than wait for a full block,
			// so that a stalled writer still leaves them analysed.
			if c.eager && n > 0 && n < ask && !c.eof && bytes.IndexByte(dst[len(dst)-n:], '\n') >= 0 {
				break
			}
		}
		if c.eof {
			c.restOff = off + int64(len(dst))
			return dst, off, true, nil
		}
		if k := lastBreak(dst[keep:]); k >= 0 {
			cut := keep + k + 1
			if cut < len(dst) {
				c.rest = dst[cut:]
				c.restOff = off + int64(cut)
				return dst[:cut], off, false, nil
			}
			// The data read ends at a line break. Cut before its last
			// line, which goes with the next block: whether that line is
			// the file's last (a cut-off line is reported as such) is
			// known only once more is read. Reading on here instead
			// would hold every blank line after it (a file can end with
			// gigabytes of them), and the lines a stalled pipe has
			// already sent.
			if k := lastBreak(dst[keep : len(dst)-1]); k >= 0 {
				cut = keep + k + 1
				c.rest = dst[cut:]
				c.restOff = off + int64(cut)
				return dst[:cut], off, false, nil
			}
			// A single line: read on to learn whether the input ends.
			want = len(dst) + 1
			continue
		}
		if len(dst)-keep >= c.max {
			return c.skipLine(dst, off, keep)
		}
		want = 2 * len(dst)
	}
}

// skipLine drops a line too long to hold, up to its line break.
func (c *chunkReader) skipLine(buf []byte, off int64, keep int) ([]byte, int64, bool, *skip) {
	sk := &skip{off: off, carry: append([]byte(nil), buf[:keep]...)}
	pos := off + int64(len(buf))
	buf = buf[:cap(buf)]
	for !c.eof {
		n, err := c.r.Read(buf)
		if err == io.EOF {
			c.eof = true
		} else if err != nil {
			c.eof, c.err = true, err
		}
		if i := bytes.IndexAny(buf[:n], "\r\n"); i >= 0 {
			// A CR at the end of a read may be half of a CRLF; the stray LF
			// then reads as one blank line, which costs only a line number.
			c.rest = append([]byte(nil), buf[i+1:n]...)
			if buf[i] == '\r' && i+1 < n && buf[i+1] == '\n' {
				c.rest = c.rest[1:]
			}
			c.restOff = pos + int64(n-len(c.rest))
			return buf[:0], c.restOff, false, sk
		}
		pos += int64(n)
	}
	c.restOff = pos
	return buf[:0], pos, true, sk
}

// lastBreak finds the last line break in b that surely ends a line: an LF,
// or a CR that is not the last byte (it could be the first half of a CRLF).
func lastBreak(b []byte) int {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return i
	}
	if len(b) < 2 {
		return -1
	}
	return bytes.LastIndexByte(b[:len(b)-1], '\r')
}

// grow makes room in b: 64 KiB first, so that a small file costs little,
// then what a block needs at once.
func grow(b []byte, want int) []byte {
	n := 64 << 10
	if cap(b) > 0 {
		n = max(2*cap(b), want+want/4)
	}
	nb := make([]byte, len(b), n)
	copy(nb, b)
	return nb
}
