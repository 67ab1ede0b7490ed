package jtlcsv

import (
	"strconv"
	"unicode/utf8"
)

func itoa(n int) string { return strconv.Itoa(n) }

// maxQuoted is how much of a bad value an error message shows: enough to
// recognise it, too little to leak a token that landed in the wrong column.
const maxQuoted = 24

// quote renders a value for an error message, cut to maxQuoted bytes.
func quote(s string) string { return strconv.Quote(short(s)) }

func short(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
