package jtlxml

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// start reads the XML declaration and, when it names an encoding other
// than UTF-8, decodes the rest of the input from it. JMeter writes UTF-8
// unless told otherwise, but files pass through editors and Windows tools.
func (d *Decoder) start() {
	d.started = true
	sc := d.sc
	sc.ensure(1024)
	head := sc.buf[sc.pos:sc.end]
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return
	}
	d.sawMarkup = true
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return
	}
	name := declEncoding(head[:end])
	enc, ok := lookupEncoding(name)
	if !ok {
		line, col, off := sc.posAt(sc.pos)
		d.pending = append(d.pending, d.perr(line, col, off,
			fmt.Sprintf("encoding %q in the XML declaration is not known; read as UTF-8", name)))
		return
	}
	if enc == nil {
		return
	}
	// The declaration is ASCII in every encoding that can spell it, so
	// transcoding from the start keeps lines as they are.
	rest := bytes.NewReader(append([]byte(nil), head...))
	var r io.Reader = rest
	if sc.err == nil {
		r = io.MultiReader(rest, sc.rd)
	}
	sc.reset(transform.NewReader(r, enc.NewDecoder()))
}

// declEncoding returns the encoding="..." pseudo-attribute of an XML
// declaration, or "".
func declEncoding(decl []byte) string {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	j := bytes.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return ""
	}
	return string(rest[1 : 1+j])
}

// lookupEncoding returns the decoder for name: nil (and true) when the
// input can be read as it is, false when the name is unknown.
func lookupEncoding(name string) (encoding.Encoding, bool) {
	switch n := strings.ToLower(strings.TrimSpace(name)); {
	case n == "", n == "utf-8", n == "utf8", n == "us-ascii", n == "ascii":
		return nil, true
	case strings.HasPrefix(n, "utf-16"), strings.HasPrefix(n, "utf-32"), strings.HasPrefix(n, "ucs"):
		// Open converts UTF-16 with a BOM before the declaration is
		// seen; a declaration we can read as ASCII is not UTF-16 any more.
		return nil, true
	}
	if e, err := ianaindex.IANA.Encoding(name); err == nil && e != nil {
		return e, true
	}
	if e, err := htmlindex.Get(name); err == nil {
		return e, true
	}
	return nil, false
}
