package samples

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// A Decoder reads samples from one input, one at a time.
//
// Decode fills *s (resetting every field first) and returns nil; io.EOF at
// the end of the input; a *ParseError when it had to skip a record or found
// a problem it could step over (call Decode again to go on); or any other
// error, which ends the input: later calls return the same error.
type Decoder interface {
	Decode(s *Sample) error
	// Meta describes the input as far as it has been read: the format, the
	// columns or attributes seen, what was detected about how it was saved.
	Meta() Meta
}

// Meta is what a decoder learned about its input.
type Meta struct {
	Format string `json:"format"` // "jtl-csv", "jtl-xml", "har"
	// Producer is the writer when the input names it (HAR creator, or a
	// JMeter version guessed from the columns), else "".
	Producer string `json:"producer,omitempty"`
	// Columns are the CSV columns in order (from the header line, or the
	// defaults that were assumed), or the XML attributes seen.
	Columns []string `json:"columns,omitempty"`
	// Header is false for a CSV without a header line.
	Header bool `json:"header,omitempty"`
	// Assumed says which default columns a CSV without a header line was
	// read with when they were guessed ("JMeter 5.x's 17 default
	// columns"), else "".
	Assumed string `json:"assumed,omitempty"`
	// Delimiter is the CSV field delimiter.
	Delimiter string `json:"delimiter,omitempty"`
	// Saved lists the jmeter.save.saveservice.* settings (or HAR content
	// options) the input shows, e.g. "requestHeaders": "true".
	Saved map[string]string `json:"saved,omitempty"`
	// Notes are facts worth telling the user that are not problems.
	Notes []string `json:"notes,omitempty"`
	// Warnings are facts that make results wrong unless the user knows
	// them (dates that could be read two ways, times in the hour a
	// daylight-saving change repeats); the records were kept.
	Warnings []string `json:"warnings,omitempty"`
}

// A ParseError is a problem at a place in an input. The decoder that
// returns it has skipped what it could not read and can go on.
type ParseError struct {
	File   string
	Line   int   // 1-based; 0 when unknown
	Column int   // 1-based; 0 when unknown
	Offset int64 // byte offset from the start of the (decompressed) input; -1 when unknown
	Msg    string
}

func (e *ParseError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			pos += fmt.Sprintf(":%d", e.Column)
		}
	} else if e.Offset >= 0 {
		pos += fmt.Sprintf(": byte %d", e.Offset)
	}
	return pos + ": " + e.Msg
}

// Options configure how inputs are read. The zero value sniffs every input
// and applies JMeter's defaults.
type Options struct {
	// Format forces a format by name ("csv", "xml", "har"); "" sniffs the
	// content.
	Format string
	// Strict makes the first problem in any input fatal.
	Strict bool
	// Stdin is what the input name "-" reads; nil means os.Stdin.
	Stdin io.Reader
	// Context, when set, ends a wait for input when it is cancelled:
	// opening a FIFO nobody writes to, a pipe that stalls. Open and Stream
	// then return its error. (An option rather than an argument so that
	// one Options value carries everything about reading.)
	Context context.Context

	// CSV settings. Delimiter 0 detects it from the header or first line.
	Delimiter rune
	// TimestampFormat is JMeter's jmeter.save.saveservice.timestamp_format:
	// "ms" (epoch milliseconds) or a SimpleDateFormat pattern. "" detects.
	TimestampFormat string
	// Location is the zone for timestamps written without one (JMeter uses
	// the JVM's default zone); nil means time.Local.
	Location *time.Location
	// Properties are jmeter.save.saveservice.* and sample_variables settings
	// read from a jmeter.properties or user.properties file; they describe
	// the columns of a CSV written without a header line.
	Properties map[string]string

	// Need, when not zero, is the set of fields the caller will look at. A
	// decoder may leave the others empty (and out of Has) to save work; the
	// summary of a 10 GB CSV does not need URLs or sample variables.
	Need Fields
}

// Needs reports whether the caller asked for every field in f.
func (o *Options) Needs(f Fields) bool { return o.Need == 0 || o.Need&f == f }

// A Format is a decoder that Open can choose by content.
type Format struct {
	// Name is what --input-format takes: "csv", "xml", "har".
	Name string
	// Priority orders sniffing; lower goes first. The CSV decoder, which
	// accepts almost anything, goes last.
	Priority int
	// Sniff reports whether head, the first bytes of the input (after any
	// gzip and BOM; up to 64 KiB), looks like this format.
	Sniff func(head []byte) bool
	// New returns a decoder reading r; name is used in messages.
	New func(r io.Reader, name string, opts Options) (Decoder, error)
}

var (
	formatsMu sync.RWMutex
	formats   []Format
)

// Register makes a format available to Open. Format packages call it from
// init, as image formats do; import them for their side effect.
func Register(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
	sort.SliceStable(formats, func(i, j int) bool { return formats[i].Priority < formats[j].Priority })
}

// Formats returns the registered format names in sniffing order.
func Formats() []string {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return names
}

func lookupFormat(name string) (Format, bool) {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

func sniff(head []byte) (Format, bool) {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		if f.Sniff(head) {
			return f, true
		}
	}
	return Format{}, false
}

// Limits that keep memory bounded whatever the input.
const (
	// MaxBody is how much of a request or response body a decoder keeps;
	// longer bodies are cut and marked BodyTruncated.
	MaxBody = 1 << 20
	// MaxRecord is the largest CSV record, XML sample element or HAR entry a
	// decoder will hold; a larger one is skipped with a ParseError.
	MaxRecord = 64 << 20
)
