package ids

import (
	"encoding/json"
	"strings"
)

// A frame is one open JSON container during a walk.
type frame struct {
	obj     bool
	wantKey bool   // in an object: the next token is a key
	base    int    // path length at the container
	key     string // the key the container is under, for array elements
}

// walkJSON adds the string and number leaves of the JSON text, at
// locations made of prefix, field and "." (when field is not empty), then
// the keys joined by "." with arrays as "[]": "json:metadata.id",
// "form:metadata.items[].id". Keys that look like IDs themselves become
// "{id}", so that a map keyed by IDs is one location, not one per key.
// The walk stops at the first syntax error (a truncated body keeps the
// leaves before it), below maxJSONDepth, and after maxJSONTokens tokens.
func (x *Extractor) walkJSON(prefix, field, text string) {
	if len(x.Select) == 0 && !mayHoldID(text) {
		return
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber() // keeps 19-digit IDs exact
	p := append(x.jpath[:0], prefix...)
	if field != "" {
		p = append(append(p, field...), '.')
	}
	root := len(p)
	stack := x.stack[:0]
	key := ""
	defer func() { x.jpath, x.stack = p[:0], stack[:0] }()
	for n := 0; n < maxJSONTokens; n++ {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case tok == json.Delim('}') || tok == json.Delim(']'):
				stack = stack[:len(stack)-1]
				valueDone(stack)
				continue
			case top.obj && top.wantKey:
				k, _ := tok.(string)
				p = appendKey(p[:top.base], root, k)
				key, top.wantKey = k, false
				continue
			case !top.obj:
				p = append(p[:top.base], "[]"...)
				key = top.key
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			if len(stack) >= maxJSONDepth {
				return
			}
			stack = append(stack, frame{obj: t == '{', wantKey: t == '{', base: len(p), key: key})
			continue
		case string:
			x.leaf(p, root, key, t)
		case json.Number:
			x.leaf(p, root, key, string(t))
		}
		valueDone(stack)
	}
}

// valueDone notes that a value of the innermost container was read.
func valueDone(stack []frame) {
	if len(stack) > 0 && stack[len(stack)-1].obj {
		stack[len(stack)-1].wantKey = true
	}
}

func (x *Extractor) leaf(loc []byte, root int, key, value string) {
	if len(loc) == root {
		return // a bare scalar has no name to report it under
	}
	if len(x.Select) == 0 && x.credential(key) {
		return // "access_token", "password": the token analysis's
	}
	x.add(loc, key, value)
}

func appendKey(p []byte, root int, k string) []byte {
	if len(p) > root {
		p = append(p, '.')
	}
	if k == "" || len(k) > maxKeyLen || allDigits(k) || shape(k) != NotID {
		return append(p, "{id}"...)
	}
	return append(p, k...)
}

// mayHoldID is a cheap, sound pre-check that spares the JSON decoder (the
// costliest step of extraction) on text that cannot hold a value Classify
// would take: every ID shape needs a run of 6 or more characters from
// [A-Za-z0-9_.:{}=-] with a digit in it, or of 16 or more without; a value
// taken for its key needs a key containing "id", "key", "nonce",
// "correlation" or "request" (in any case). Escapes could hide either, so
// text with a backslash is always walked.
func mayHoldID(text string) bool {
	run, digit := 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\':
			return true
		case isDigit(c):
			run++
			digit = true
		case isLetter(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '{' || c == '}' || c == '=':
			run++
		default:
			run, digit = 0, false
		}
		if run >= 16 || run >= 6 && digit {
			return true
		}
	}
	return containsFold(text, "id") || containsFold(text, "key") || containsFold(text, "nonce") ||
		containsFold(text, "correlation") || containsFold(text, "request")
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any case, without allocating.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if lower(s[i]) != w[0] {
			continue
		}
		j := 1
		for j < len(w) && lower(s[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}
