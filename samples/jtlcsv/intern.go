package jtlcsv

import (
	"encoding/binary"

	"github.com/jtlscope/jtlscope/samples"
)

// A strCache sits in front of a samples.Interner for one column. Most
// rows repeat a value seen a few rows before (a label, a thread, "200",
// "OK"), and a compare against one slot of a small table is several times
// cheaper than hashing into the interner's map.
//
// A column whose values are nearly all new (a UUID variable, URLs with ids)
// gains nothing from interning and would only fill the interner, so if
// nine in ten of its first uniqueProbe values are new it stops using the
// interner and just copies.
type strCache struct {
	last   string // the previous row's value: most rows repeat it
	slots  [1024]string
	in     *samples.Interner
	n      int // lookups in the current trial
	misses int
	unique bool
}

const uniqueProbe = 512

func (c *strCache) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if same(c.last, b) {
		return c.last
	}
	h := hashBytes(b)
	if s := c.slots[h]; same(s, b) {
		c.last = s
		return s
	}
	var s string
	if c.unique {
		s = string(b)
	} else {
		s = c.in.Bytes(b)
		c.misses++
	}
	c.slots[h] = s
	c.last = s
	if c.n < uniqueProbe {
		if c.n++; c.n == uniqueProbe {
			c.unique = c.misses > uniqueProbe*9/10
		}
	}
	return s
}

// same reports whether s == string(b), comparing the last bytes first:
// values of a column that differ (thread names "... 1-17", "... 1-18";
// URLs with IDs) mostly differ at their end, where a compare from the
// start finds it last.
func same(s string, b []byte) bool {
	n := len(b)
	return len(s) == n && s[n-1] == b[n-1] && s == string(b)
}

// getString is get for a value that had to be rewritten (invalid UTF-8).
func (c *strCache) getString(s string) string {
	if c.unique {
		return s
	}
	return c.in.String(s)
}

// hashBytes picks a slot from the length and the first and last 8 bytes.
func hashBytes(b []byte) uint16 {
	n := len(b)
	var x uint64
	if n >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[n-8:])*0x9e3779b97f4a7c15
	} else {
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
	}
	x = (x ^ uint64(n)) * 0xff51afd7ed558ccd
	return uint16(x >> 54) // 10 bits: 1024 slots
}
