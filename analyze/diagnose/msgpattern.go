package diagnose

import (
	"strings"
	"unicode/utf8"
)

// messagePattern folds the parts of a message that vary from one failure
// to the next (numbers, IDs, UUIDs, quoted values, e-mail addresses,
// URLs, timestamps) into placeholders, so that 192 assertion failures
// "Duplicate login: 0075FE,BS48 1UE", each with other values, read as
// one message "Duplicate login: <id>,<id> <id>". Words without digits
// are kept: they are the message.
func messagePattern(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			// A quoted value: fold it whole, keep the quotes.
			if j := strings.IndexByte(s[i+1:], c); j >= 0 && j < 200 {
				b.WriteByte(c)
				b.WriteString("<value>")
				b.WriteByte(c)
				i += j + 2
				continue
			}
			b.WriteByte(c)
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == '.' && j+1 < len(s) && isWordByte(s[j+1]) || s[j] == '@' || s[j] == ':' && j+2 < len(s) && s[j+1] == '/' && s[j+2] == '/') {
				if s[j] == ':' {
					// a URL scheme: take the rest up to a space
					k := strings.IndexAny(s[j:], " \t\r\n\"'<>")
					if k < 0 {
						k = len(s) - j
					}
					j += k
					break
				}
				j++
			}
			w := s[i:j]
			// Dashes join the parts of one UUID or ID ("rec-00123") but
			// also separate words ("Non-HTTP"): keep a dashed run whole
			// only when it holds digits.
			for j < len(s) && s[j] == '-' && j+1 < len(s) && isWordByte(s[j+1]) {
				k := j + 1
				for k < len(s) && isWordByte(s[k]) {
					k++
				}
				if !hasDigit(w) && !hasDigit(s[j+1:k]) {
					break
				}
				w, j = s[i:k], k
			}
			if ph := placeholder(w); ph != "" {
				b.WriteString(ph)
			} else {
				b.WriteString(w)
			}
			i = j
		default:
			// Punctuation, spaces and non-ASCII text are kept as they are.
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return foldRuns(b.String())
}

// foldRuns folds placeholders separated by single spaces into one: a
// postcode ("BS48 1UE", "W1A 1AA") or a date with its time is one
// variable part, however many words it has.
func foldRuns(s string) string {
	for _, ph := range []string{"<id>", "<n>", "<uuid>"} {
		for _, next := range []string{" <id>", " <n>", " <uuid>"} {
			for strings.Contains(s, ph+next) {
				s = strings.ReplaceAll(s, ph+next, "<id>")
			}
		}
	}
	return s
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// placeholder names a variable word, or "" for one to keep.
func placeholder(w string) string {
	switch {
	case strings.Contains(w, "://"):
		return "<url>"
	case strings.Contains(w, "@") && strings.Contains(w, "."):
		return "<email>"
	case !hasDigit(w):
		return ""
	case isNumber(w):
		return "<n>"
	case isUUIDish(w):
		return "<uuid>"
	}
	// A word that mixes letters and digits is an identifier (0075FE,
	// BS48, rec-00123, v2 is the exception: short version tags are kept).
	if len(w) <= 2 || (len(w) <= 3 && (w[0] == 'v' || w[0] == 'V')) {
		return ""
	}
	return "<id>"
}

func isNumber(w string) bool {
	dot := false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

func isUUIDish(w string) bool {
	if len(w) != 36 || strings.Count(w, "-") != 4 {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
