package har

import "bytes"

// idPlaceholder stands for a path segment that looks like an identifier.
const idPlaceholder = "{id}"

// appendLabel appends the label of a request: "METHOD scheme://host/path"
// with the user info, query and fragment dropped and ID-like path segments
// replaced by {id} (see the package documentation for why).
func appendLabel(dst []byte, method string, url []byte) []byte {
	dst = append(dst, method...)
	if len(url) == 0 {
		return dst
	}
	if len(dst) > 0 {
		dst = append(dst, ' ')
	}
	if k := bytes.IndexAny(url, "?#"); k >= 0 {
		url = url[:k]
	}
	rest := url
	if k := schemeEnd(url); k > 0 {
		scheme := url[:k]
		for _, c := range scheme {
			dst = append(dst, lower(c))
		}
		dst = append(dst, ':')
		rest = url[k+1:]
		if bytes.EqualFold(scheme, []byte("data")) {
			// data:image/png;base64,... carries its payload in the URL:
			// keep the media type only.
			if k := bytes.IndexAny(rest, ";,"); k >= 0 {
				rest = rest[:k]
			}
			return append(dst, rest...)
		}
		if bytes.HasPrefix(rest, []byte("//")) {
			dst = append(dst, "//"...)
			rest = rest[2:]
			auth := rest
			if k := bytes.IndexByte(rest, '/'); k >= 0 {
				auth, rest = rest[:k], rest[k:]
			} else {
				rest = nil
			}
			// user:password@ is a secret and not part of the endpoint.
			if k := bytes.LastIndexByte(auth, '@'); k >= 0 {
				auth = auth[k+1:]
			}
			for _, c := range auth {
				dst = append(dst, lower(c))
			}
			if len(rest) == 0 {
				return append(dst, '/')
			}
		}
	}
	for len(rest) > 0 {
		seg := rest
		k := bytes.IndexByte(rest, '/')
		if k >= 0 {
			seg, rest = rest[:k], rest[k+1:]
		} else {
			rest = nil
		}
		if isID(seg) {
			dst = append(dst, idPlaceholder...)
		} else {
			dst = append(dst, seg...)
		}
		if k >= 0 {
			dst = append(dst, '/')
		}
	}
	return dst
}

// schemeEnd returns the index of the ':' ending a URL scheme, or -1.
func schemeEnd(url []byte) int {
	for i, c := range url {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return i
		default:
			return -1
		}
	}
	return -1
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isID reports whether a path segment looks like an identifier rather than
// a name: all digits, a UUID, 16 or more hex digits, a ULID, or anything
// with a run of 8 or more digits (epoch milliseconds, order numbers).
func isID(seg []byte) bool {
	if len(seg) == 0 {
		return false
	}
	allDigits, allHex, crockford := true, true, true
	digits, run, longest := 0, 0, 0
	for _, c := range seg {
		isDigit := c >= '0' && c <= '9'
		if isDigit {
			digits++
			run++
			longest = max(longest, run)
		} else {
			run = 0
			allDigits = false
		}
		lc := lower(c)
		if !isDigit && (lc < 'a' || lc > 'f') {
			allHex = false
		}
		if !isDigit && (lc < 'a' || lc > 'z' || lc == 'i' || lc == 'l' || lc == 'o' || lc == 'u') {
			crockford = false
		}
	}
	switch {
	case allDigits, longest >= 8:
		return true
	case digits == 0:
		return false
	case allHex && len(seg) >= 16:
		return true
	case crockford && len(seg) == 26:
		return true
	}
	return isUUID(seg)
}

// isUUID reports whether seg is 8-4-4-4-12 hex digits.
func isUUID(seg []byte) bool {
	if len(seg) != 36 {
		return false
	}
	for i, c := range seg {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if lc := lower(c); !(c >= '0' && c <= '9' || lc >= 'a' && lc <= 'f') {
				return false
			}
		}
	}
	return true
}
