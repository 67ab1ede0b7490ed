package ids

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/samples"
)

// An Extractor remembers URL prefixes and segments that held no ID,
// variable and header locations, and the class of the last value from one
// request to the next; what it extracts must be what a fresh one does.
func TestExtractorMemoryMatchesFresh(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	segs := []string{"api", "v2", "recordings", "screen", "", "users", "rec-0001", "12345678",
		"aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", "%61pi", "a%2Fb", "%zz", " rec-0002 ", "ORD_2024_000017",
		"1795653120373", "true", "x"}
	hosts := []string{"http://h:8080", "https://h", "HTTP://Other", "", "null", "h"}
	names := []string{"recId", "token", "sessionId", "", "orderId", "x"}
	headers := []string{"X-Request-Id", "x-request-id", "Authorization", "Content-Type", " X-Trace-Id ",
		"Host", "Idempotency-Key", "X-Bequest-Id", "X-Api-Key", "Sec-Fetch-Mode", "X-B3-TraceId", "X-Correlation-ID", "x"}
	for _, selected := range []bool{false, true} {
		long := Extractor{}
		if selected {
			long.Select = mustSpecs(t, "path:1", "path:3", "query:id", "var:recId", "header:authorization", "header:x-trace-id")
		}
		for i := range 20000 {
			var b strings.Builder
			b.WriteString(hosts[rnd.IntN(len(hosts))])
			for range rnd.IntN(7) {
				b.WriteString("/" + segs[rnd.IntN(len(segs))])
			}
			if rnd.IntN(4) == 0 {
				b.WriteString("/")
			}
			switch rnd.IntN(6) {
			case 0:
				b.WriteString("?id=" + segs[rnd.IntN(len(segs))])
			case 1:
				b.WriteString("#/frag/rec-0009")
			}
			s := samples.Sample{Label: "x", URL: b.String()}
			for k := range rnd.IntN(3) {
				s.Vars = append(s.Vars, samples.Var{Name: names[(k+rnd.IntN(2))%len(names)], Value: segs[rnd.IntN(len(segs))]})
			}
			for range rnd.IntN(4) {
				s.RequestHeaders = append(s.RequestHeaders, samples.Header{
					Name: headers[rnd.IntN(len(headers))], Value: segs[rnd.IntN(len(segs))]})
			}
			fresh := Extractor{Select: long.Select}
			got := slices.Clone(long.Extract(&s))
			want := fresh.Extract(&s)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("select=%v request %d %q %v:\n got %v\nwant %v", selected, i, s.URL, s.Vars, got, want)
			}
		}
	}
}

// FuzzExtractorMemory extracts three URLs in a row with one Extractor and
// each with a fresh one.
func FuzzExtractorMemory(f *testing.F) {
	f.Add("http://127.0.0.1:18080/api/v2/recordings/screen", "http://127.0.0.1:18080/api/v2/recordings/screen/rec-0001", "/api/v2/recordings/")
	f.Add("http://h/a/b/c?x=1", "http://h/a/b/rec-0001?requestId=rec-0002#f", "http://h/a/b/%zz/c")
	f.Add("/a//b/", "/a//b/12345678901234", "/a//b")
	f.Fuzz(func(t *testing.T, u1, u2, u3 string) {
		var long Extractor
		for _, u := range []string{u1, u2, u3, u1, u2} {
			s := samples.Sample{Label: "x", URL: u}
			var fresh Extractor
			got := slices.Clone(long.Extract(&s))
			if want := fresh.Extract(&s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%q after %q, %q, %q:\n got %v\nwant %v", u, u1, u2, u3, got, want)
			}
		}
	})
}

// A class keyFree accepts is the class under any key.
func TestKeyFree(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	keys := []string{"", "recId", "x-request-id", "name", "orderNumber", "nonce", "type", "id"}
	values := []string{"aa9ce7f2-b3e8-4de8-8406-ca78b21dcdb5", "rec-000123", "01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"507f1f77bcf86cd799439011", "1795653120373", "12345678901234567890", "123456", "-1234567",
		"V1StGXR8_Z5jdHi6B-myT", "screen", "2024-01-15", "true", "1.5", "abc", "deadbeefdeadbeef42"}
	for range 20000 {
		v := values[rnd.IntN(len(values))]
		if rnd.IntN(2) == 0 { // mutate a byte or two
			b := []byte(v)
			for range 1 + rnd.IntN(2) {
				b[rnd.IntN(len(b))] = "0123456789abcdefXYZ-_:."[rnd.IntN(23)]
			}
			v = string(b)
		}
		k := keys[rnd.IntN(len(keys))]
		c := Classify(k, v)
		if !keyFree(c, v) {
			continue
		}
		for _, k2 := range keys {
			if c2 := Classify(k2, v); c2 != c {
				t.Fatalf("%q is %q under %q but %q under %q", v, c, k, c2, k2)
			}
		}
	}
}

// The kind constants the hot paths use are the ranks of kinds.
func TestKindConstants(t *testing.T) {
	consts := []int{kindHeader, kindForm, kindJSON, kindQuery, kindPath, kindRegex, kindVar}
	if len(consts) != len(kinds) {
		t.Fatalf("%d constants for %d kinds", len(consts), len(kinds))
	}
	for i, k := range kinds {
		if kindRank(k) != i || consts[i] != i {
			t.Errorf("%s: rank %d, constant %d, want %d", k, kindRank(k), consts[i], i)
		}
	}
	if kindRank("cookie") != len(kinds) {
		t.Errorf("unknown kind ranked %d", kindRank("cookie"))
	}
}
