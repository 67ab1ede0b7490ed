package samples

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffSize is how much of an input Open looks at to pick a format.
const sniffSize = 64 << 10

// Stdin is the input name that means standard input.
const Stdin = "-"

// An Input is one opened file with the decoder chosen for it.
type Input struct {
	Name   string
	Format string // the registered format name that was used
	Decoder
	closer io.Closer
	count  *countingReader
	id     identity
}

// Close releases the file. It is safe to call more than once.
func (in *Input) Close() error {
	if in.closer == nil {
		return nil
	}
	c := in.closer
	in.closer = nil
	return c.Close()
}

// BytesRead is how many bytes of the file (compressed, as stored) have been
// consumed so far; progress reporting uses it.
func (in *Input) BytesRead() int64 {
	if in.count == nil {
		return 0
	}
	return in.count.n.Load()
}

// Open opens the named file ("-" for standard input) and returns a decoder
// for it. It reads gzip and zlib (mitmproxy's .zhar) transparently, skips a
// UTF-8 BOM, converts UTF-16 with a BOM, and picks the format from the
// content unless opts.Format names one: a CSV file called .xml is read as
// CSV.
func Open(name string, opts Options) (*Input, error) {
	ctx := opts.Context
	if ctx == nil {
		return open(name, opts)
	}
	// Opening a FIFO blocks until something opens it for writing, and the
	// first read (to sniff the format) until data comes: both may take
	// forever, so they run aside and the caller waits for them or for ctx.
	in, err := Await(ctx, func() (*Input, error) { return open(name, opts) }, func(in *Input) { in.Close() })
	if err != nil && in == nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return in, err
}

// Await runs f in a goroutine of its own and returns what f returns, or
// ctx's error as soon as ctx is done, whichever comes first. Work that
// cannot watch a context (opening a FIFO, a computation in a package that
// takes none) is waited for this way; the process is about to end when
// ctx is done, f's goroutine with it. A result f returns after that is
// handed to discard (to close a file), when discard is not nil.
func Await[T any](ctx context.Context, f func() (T, error), discard func(T)) (T, error) {
	type result struct {
		v   T
		err error
	}
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		if discard != nil {
			go func() {
				if r := <-ch; r.err == nil {
					discard(r.v)
				}
			}()
		}
		return zero, ctx.Err()
	}
}

func open(name string, opts Options) (*Input, error) {
	var r io.Reader
	var closer io.Closer
	var id identity
	if name == Stdin {
		r = opts.Stdin
		if r == nil {
			r = os.Stdin
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err == nil && fi.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s: is a directory", name)
		}
		r, closer = f, f
		if err == nil {
			id.file, id.info = f, fi
		}
	}
	in, err := newInput(r, name, opts)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	in.closer = closer
	in.id.file, in.id.info = id.file, id.info
	return in, nil
}

// OpenReader is Open for a reader that is already open; name is used in
// messages.
func OpenReader(r io.Reader, name string, opts Options) (*Input, error) {
	return newInput(r, name, opts)
}

func newInput(r io.Reader, name string, opts Options) (*Input, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, sniffSize)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var body io.Reader = br
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{File: name, Offset: 0, Msg: "gzip header is broken: " + err.Error()}
		}
		zr.Multistream(true)
		body = &readErrors{r: zr, what: "gzip"}
	case len(head) >= 2 && head[0] == 0x78 && (head[1] == 0x01 || head[1] == 0x5e || head[1] == 0x9c || head[1] == 0xda):
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, &ParseError{File: name, Offset: 0, Msg: "zlib header is broken: " + err.Error()}
		}
		body = &readErrors{r: zr, what: "zlib"}
	}
	if body != io.Reader(br) {
		br = bufio.NewReaderSize(body, sniffSize)
	}

	head, err = br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if len(head) == 0 {
			return nil, err
		}
	}
	var text io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		head = head[3:]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// Windows tools (Fiddler, PowerShell redirection) write UTF-16.
		dec := unicode.BOMOverride(unicode.UTF8.NewDecoder())
		br = bufio.NewReaderSize(transform.NewReader(br, dec), sniffSize)
		text = br
		head, _ = br.Peek(sniffSize)
	}

	id := identity{head: sha256.Sum256(head), whole: len(head) < sniffSize}
	var f Format
	if opts.Format != "" {
		var ok bool
		f, ok = lookupFormat(opts.Format)
		if !ok {
			return nil, fmt.Errorf("unknown input format %q (known: %v)", opts.Format, Formats())
		}
	} else {
		if off, bad := binaryAt(head); bad {
			return nil, &ParseError{File: name, Offset: int64(off),
				Msg: "not a JTL or HAR file: binary data (a control byte) where text was expected"}
		}
		var ok bool
		f, ok = sniff(head)
		if !ok {
			what, _ := Describe(head)
			return nil, &ParseError{File: name, Offset: 0, Msg: "not a JTL (CSV or XML) or HAR file: it looks like " + what}
		}
	}
	d, err := f.New(text, name, opts)
	if err != nil {
		return nil, err
	}
	return &Input{Name: name, Format: f.Name, Decoder: d, count: cr, id: id}, nil
}

// binaryAt reports the offset of a byte that says the data is not text:
// NUL, which no JTL or HAR writer puts in text; C0 controls (other than
// tab, CR, LF and form feed) when they are more than a few (a label may
// hold an ANSI colour sequence from a WebDriver error, and must not make
// the whole file "binary"); or so much invalid UTF-8 that the data is
// not text.
func binaryAt(head []byte) (int, bool) {
	if len(head) == 0 {
		return 0, false
	}
	n := len(head)
	if n > 4096 {
		n = 4096
	}
	invalid, controls, firstControl := 0, 0, -1
	for i := 0; i < n; {
		c := head[i]
		if c == 0 {
			return i, true
		}
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			if firstControl < 0 {
				firstControl = i
			}
			if controls++; controls > 8 && controls*64 > i {
				return firstControl, true
			}
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(head[i:n])
		if r == utf8.RuneError && size == 1 && i+utf8.UTFMax < n {
			invalid++
			if invalid > 16 && invalid*20 > i {
				return i, true
			}
		}
		i += size
	}
	return 0, false
}

// countingReader counts bytes read. The decoder goroutine writes the
// count while a progress bar reads it, hence the atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// readErrors names the format and the decompressed offset in errors from a
// decompressor, so that "unexpected EOF" says where the data was cut off
// (the decoder or the Stream adds the file name).
type readErrors struct {
	r    io.Reader
	what string
	n    int64
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.n += int64(n)
	if err != nil && err != io.EOF {
		// No file name here: the decoder or the Stream adds it.
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%s data is cut off after %d uncompressed bytes: %w", e.what, e.n, err)
		} else {
			err = fmt.Errorf("reading %s data after %d uncompressed bytes: %w", e.what, e.n, err)
		}
	}
	return n, err
}

// identity is what tells two inputs with the same content apart from two
// that merely look alike.
type identity struct {
	file  *os.File    // nil for standard input or a reader
	info  os.FileInfo // of file
	head  [sha256.Size]byte
	whole bool // the head is all of the (decompressed) input
}

// sameAs compares two opened inputs. It reports whether they are the same
// data (the same file, or byte-identical), and whether they only begin
// alike.
func (a *identity) sameAs(b *identity) (same, prefix bool) {
	if a.info != nil && b.info != nil && os.SameFile(a.info, b.info) {
		return true, false
	}
	if a.head != b.head {
		return false, false
	}
	if a.whole && b.whole {
		return true, false
	}
	if a.info != nil && b.info != nil && a.info.Mode().IsRegular() && b.info.Mode().IsRegular() &&
		a.info.Size() == b.info.Size() && sameTail(a.file, b.file, a.info.Size()) {
		return true, false
	}
	return false, true
}

// sameTail compares the last 64 KiB of two regular files of size n.
func sameTail(a, b *os.File, n int64) bool {
	const tail = 64 << 10
	off := max(0, n-tail)
	ba, bb := make([]byte, n-off), make([]byte, n-off)
	if _, err := a.ReadAt(ba, off); err != nil && err != io.EOF {
		return false
	}
	if _, err := b.ReadAt(bb, off); err != nil && err != io.EOF {
		return false
	}
	return bytes.Equal(ba, bb)
}

// dropDuplicates keeps the first of inputs with the same content and
// closes the others, with a warning for each; inputs that only begin
// alike are all kept, with a warning that what they share counts twice.
func dropDuplicates(ins []*Input) ([]*Input, []string) {
	var keep []*Input
	var warnings []string
next:
	for _, in := range ins {
		for _, k := range keep {
			same, prefix := k.id.sameAs(&in.id)
			if same {
				warnings = append(warnings, fmt.Sprintf("%s has the same content as %s: read once (reading it twice would double every count and rate)", in.Name, k.Name))
				in.Close()
				continue next
			}
			if prefix {
				warnings = append(warnings, fmt.Sprintf("%s begins with the same %d KiB as %s (the same run, one file a copy of the other taken at another time?): both are read, so the samples they share are counted twice", in.Name, sniffSize>>10, k.Name))
			}
		}
		keep = append(keep, in)
	}
	return keep, warnings
}
