package jtlxml

import (
	"bytes"
	"io"

	"github.com/jtlscope/jtlscope/samples"
)

func init() {
	samples.Register(samples.Format{
		Name:     "xml",
		Priority: 10,
		Sniff:    Sniff,
		New: func(r io.Reader, name string, opts samples.Options) (samples.Decoder, error) {
			d, err := NewDecoder(r, name, opts)
			if err != nil {
				return nil, err
			}
			return d, nil
		},
	})
}

// Sniff reports whether head, the first bytes of an input, is XML that
// could be a JTL: after white space and comments it starts with an XML
// declaration, <testResults, or a sample element. The content decides,
// never the file name. A JMeter test plan also starts with "<?xml"; the
// decoder then says what it is.
func Sniff(head []byte) bool {
	b := bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if !bytes.HasPrefix(b, []byte("<!--")) {
			break
		}
		i := bytes.Index(b[4:], []byte("-->"))
		if i < 0 {
			return true // a comment longer than the head: only XML starts so
		}
		b = b[4+i+3:]
	}
	if bytes.HasPrefix(b, []byte("<?xml")) && (len(b) == 5 || isSpace(b[5]) || b[5] == '?') {
		return true
	}
	if !bytes.HasPrefix(b, []byte("<")) {
		return false
	}
	rest := b[1:]
	for _, n := range []string{"testResults", "httpSample", "sample", "statSample", "!DOCTYPE testResults"} {
		if hasTag(rest, n) {
			return true
		}
	}
	return false
}
