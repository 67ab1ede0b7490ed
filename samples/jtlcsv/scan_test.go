package jtlcsv

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// What scanFast gathers of a record's bytes in its one pass (a NUL byte,
// a byte above 0x7f) is what a second look at the record finds, for
// records of every length and at every alignment.
func TestScanFastSeesNULAndNonASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	alphabet := []byte("a,b,1,2,\x00\x80\xc3\xa9\xff\r\"x")
	for n := 0; n < 20000; n++ {
		var data []byte
		for j, lines := 0, 1+rng.IntN(4); j < lines; j++ {
			for k, w := 0, rng.IntN(40); k < w; k++ {
				data = append(data, alphabet[rng.IntN(len(alphabet))])
			}
			if rng.IntN(3) == 0 {
				data = append(data, '\r')
			}
			data = append(data, '\n')
		}
		data = data[:len(data)-rng.IntN(2)] // sometimes no final line break
		sc := scanner{delim: ','}
		for pos := 0; pos < len(data); {
			st, end := sc.scan(data, pos)
			if st == scanRecord && sc.known {
				raw := bytes.TrimRight(data[pos:end], "\r\n")
				wantNUL := bytes.IndexByte(raw, 0) >= 0
				wantASCII := true
				for _, c := range raw {
					wantASCII = wantASCII && c < 0x80
				}
				if sc.nul != wantNUL || sc.ascii != wantASCII {
					t.Fatalf("record %q: nul %v ascii %v, want %v %v", raw, sc.nul, sc.ascii, wantNUL, wantASCII)
				}
			}
			if end <= pos {
				break
			}
			pos = end
		}
	}
}
