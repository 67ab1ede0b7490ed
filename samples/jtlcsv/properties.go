package jtlcsv

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxProperties bounds how much of a properties file is read; JMeter's own
// jmeter.properties is about 60 KiB.
const maxProperties = 16 << 20

// ReadProperties parses a Java .properties file (jmeter.properties,
// user.properties, a -q file) the way java.util.Properties.load does:
// "key=value", "key: value" and "key value"; lines starting with # or ! are
// comments; a line ending in an odd number of backslashes continues on the
// next one (whose leading blanks are dropped); \t \n \r \f \uXXXX and
// \<any> escapes; the last of repeated keys wins.
//
// Java reads these files as ISO-8859-1. A file that is valid UTF-8 is read
// as UTF-8 (what people write today); any other is read as ISO-8859-1.
func ReadProperties(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProperties+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxProperties {
		return nil, fmt.Errorf("properties file is larger than %d MiB", maxProperties>>20)
	}
	text := string(data)
	if !utf8.ValidString(text) {
		rs := make([]rune, len(data))
		for i, b := range data {
			rs[i] = rune(b)
		}
		text = string(rs)
	}
	text = strings.TrimPrefix(text, "\uFEFF")

	var lines []string
	for text != "" {
		var l string
		l, text = cutLine(text)
		lines = append(lines, l)
	}
	props := map[string]string{}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		start := i + 1
		var logical strings.Builder
		for {
			// An odd number of trailing backslashes escapes the line break.
			n := 0
			for n < len(line) && line[len(line)-1-n] == '\\' {
				n++
			}
			if n%2 == 0 {
				logical.WriteString(line)
				break
			}
			logical.WriteString(line[:len(line)-1])
			if i+1 >= len(lines) {
				break
			}
			i++
			line = strings.TrimLeft(lines[i], " \t\f")
		}
		k, v, err := splitProperty(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", start, err)
		}
		props[k] = v
	}
	return props, nil
}

// cutLine splits off the first natural line (ended by LF, CR or CRLF).
func cutLine(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return s[:i], s[i+1:]
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return s[:i], s[i+2:]
			}
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// splitProperty splits a logical line into its unescaped key and value.
func splitProperty(line string) (string, string, error) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	if i > len(line) {
		i = len(line)
	}
	rawKey := line[:i]
	rest := line[i:]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	k, err := unescapeProperty(rawKey)
	if err != nil {
		return "", "", err
	}
	v, err := unescapeProperty(rest)
	if err != nil {
		return "", "", err
	}
	return k, v, nil
}

func unescapeProperty(s string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch c = s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return "", fmt.Errorf(`malformed \uxxxx escape in %q`, short(s))
			}
			i += 4
			// Java strings are UTF-16: a surrogate pair comes as two escapes.
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+1:], `\u`) {
				if r2, ok := hex4(s, i+3); ok {
					if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
						r = c
						i += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// hex4 reads four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	r := rune(0)
	for _, h := range s[i : i+4] {
		var d rune
		switch {
		case h >= '0' && h <= '9':
			d = h - '0'
		case h >= 'a' && h <= 'f':
			d = h - 'a' + 10
		case h >= 'A' && h <= 'F':
			d = h - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | d
	}
	return r, true
}
