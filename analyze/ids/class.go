package ids

import (
	"math"
	"strings"
)

// A Class says why a value was taken for an identifier.
type Class string

const (
	NotID    Class = ""
	UUID     Class = "uuid"     // 8-4-4-4-12 hex, any version, braces or "urn:uuid:" allowed
	ULID     Class = "ulid"     // 26 Crockford base32 characters
	ObjectID Class = "objectid" // 24 hex digits (MongoDB)
	Hex      Class = "hex"      // 16 or more hex digits, possibly in dash-separated groups
	Epoch    Class = "epoch"    // 13–16 digits (epoch ms or µs), bare or after a prefix
	Number   Class = "number"   // more than 16 digits, or 6 and more under an ID-like key
	Prefixed Class = "prefixed" // a name, a separator and 4 or more digits: "rec-000123"
	Random   Class = "random"   // 16 or more base64url characters with high entropy
	Named    Class = "named"    // not ID-shaped, but its key says it is an ID
	Selected Class = "selected" // not ID-like, but the user selected its location
)

// classOrder lists the classes, for counting them in an array.
var classOrder = [...]Class{NotID, UUID, ULID, ObjectID, Hex, Epoch, Number, Prefixed, Random, Named, Selected}

func classIndex(c Class) int {
	for i, k := range classOrder {
		if k == c {
			return i
		}
	}
	return 0
}

// maxValueLen is the longest value considered; identifiers are short, and a
// bound keeps hashing and classification cheap on hostile input.
const maxValueLen = 512

// Classify reports whether value, found under the name key (a header, form
// field, JSON key or variable name; "" for a path segment), looks like an
// identifier, and of which kind. Booleans, numbers under 6 digits, dates
// and anything with white space never are.
//
// Classify knows nothing of credentials: callers leave those out first.
func Classify(key, value string) Class {
	v := value
	if v == "" || len(v) > maxValueLen {
		return NotID
	}
	// The commonest ID, first: no filter below rejects a UUID.
	if isUUID(v) {
		return UUID
	}
	// Most values looked at (path segments, words) are short and end in
	// a letter: no shape takes them, so only their key can.
	if len(v) < minShapeLen && !isDigit(v[len(v)-1]) && !keyNamesID(key) {
		return NotID
	}
	if hasSpaceOrControl(v) || isWordConstant(v) || isDate(v) {
		return NotID
	}
	if c := shape(v); c != NotID {
		return c
	}
	if !keyNamesID(key) {
		return NotID
	}
	if n := strings.TrimPrefix(v, "-"); allDigits(n) {
		if len(n) < 6 {
			return NotID // a counter or a small user ID, reused by nature
		}
		return Number
	}
	if isDecimal(v) {
		return NotID
	}
	return Named
}

// minShapeLen is the shortest value shape takes that does not end in a
// digit: shorter IDs are all digits, or a prefix and digits.
const minShapeLen = 16

// keyFree reports whether Classify gave v the class c for its shape, so
// that it would give it under any key.
func keyFree(c Class, v string) bool {
	switch c {
	case UUID, ULID, ObjectID, Hex, Epoch, Prefixed, Random:
		return true
	case Number: // more than 16 digits, or 6 and more under an ID-like key
		return len(v) > 16 && allDigits(v)
	}
	return false
}

// shape classifies v by its form alone.
func shape(v string) Class {
	if c := uuidShape(v); c != NotID {
		return c
	}
	if allDigits(v) {
		switch n := len(v); {
		case n >= 13 && n <= 16:
			return Epoch
		case n > 16:
			return Number
		}
		return NotID
	}
	if c := hexShape(v); c != NotID {
		return c
	}
	if isULID(v) {
		return ULID
	}
	if c := prefixedShape(v); c != NotID {
		return c
	}
	if isRandom(v) {
		return Random
	}
	return NotID
}

func uuidShape(v string) Class {
	switch {
	case len(v) == 38 && v[0] == '{' && v[37] == '}':
		v = v[1:37]
	case len(v) == 45 && strings.EqualFold(v[:9], "urn:uuid:"):
		v = v[9:]
	}
	if isUUID(v) {
		return UUID
	}
	return NotID
}

// isUUID reports whether v is 8-4-4-4-12 hex digits. The version and
// variant digits are not checked: load-test tools and servers mint
// non-RFC "UUIDs" too, and they collide just the same.
func isUUID(v string) bool {
	if len(v) != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return false
	}
	// Every UUID is looked at on a CSV row: a table is cheaper than
	// isHexDigit's comparisons, and '-' is left to the checks above.
	for i := 0; i < len(v); i++ {
		if !uuidByte[v[i]] {
			return false
		}
	}
	return true
}

// uuidByte holds the bytes of a UUID: hex digits and '-'.
var uuidByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isHexDigit(byte(c)) || c == '-'
	}
	return t
}()

// hexShape accepts 16 or more hex digits, alone or in dash-separated
// groups of 24 or more (W3C traceparent, odd UUID layouts). A digit is
// required so that long words made of a–f are not taken.
func hexShape(v string) Class {
	hex, digits, dashes := 0, 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			hex++
			digits++
		case isHexDigit(c):
			hex++
		case c == '-' && i > 0 && i < len(v)-1 && v[i-1] != '-':
			dashes++
		default:
			return NotID
		}
	}
	switch {
	case digits == 0:
		return NotID
	case dashes == 0 && hex == 24:
		return ObjectID
	case dashes == 0 && hex >= 16, dashes > 0 && hex >= 24:
		return Hex
	}
	return NotID
}

// isULID: 26 characters of Crockford's base32 (no I, L, O, U), the first
// at most '7' (the 48-bit time must fit), and some digits, which a
// timestamp prefix always has.
func isULID(v string) bool {
	if len(v) != 26 || v[0] < '0' || v[0] > '7' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := lower(v[i])
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u':
		default:
			return false
		}
	}
	return true
}

// prefixedShape accepts "rec-000123", "ORD_2024_000017", "job:12345":
// a letter-led name, a separator, then 4 or more digits (zero padding
// counts: sequential IDs from CSV files look like this). When the digits
// are epoch-sized the class is Epoch, because that is the pattern that
// collides under load.
func prefixedShape(v string) Class {
	k := strings.LastIndexAny(v, "-_:.")
	if k <= 0 || k > 48 {
		return NotID
	}
	head, tail := v[:k], v[k+1:]
	if len(tail) < 4 || !allDigits(tail) || !isLetter(head[0]) {
		return NotID
	}
	for i := 0; i < len(head); i++ {
		c := head[i]
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' && c != ':' && c != '.' {
			return NotID
		}
	}
	if n := len(tail); n >= 13 && n <= 16 {
		return Epoch
	}
	return Prefixed
}

// isRandom accepts base64url text of 16 or more characters that looks
// machine-made rather than written:
//   - its Shannon entropy is within 1.1 bits of the most its length and
//     alphabet allow (capped at detect-secrets' 4.5 bits for base64);
//   - it mixes upper and lower case without reading as words (camelCase
//     names have runs like "Recording" with vowels in them), or it mixes
//     one case with digits in at least two places ("application-json-v2"
//     has one).
//
// '/' is left out of the alphabet: paths and MIME types are not IDs.
// Simulated on random strings, this misses about 1% of 16-character and
// 0.5% of 22-character base64url or base62 IDs, and 6% of 16-character
// (1% of 22-character) lower-case base36 IDs; values under an ID-like key
// are taken whatever their shape.
func isRandom(v string) bool {
	if len(v) < 16 {
		return false
	}
	body := strings.TrimRight(v, "=")
	if len(v)-len(body) > 2 {
		return false
	}
	var upper, low, digit, sep bool
	digitRuns := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			low = true
		case isDigit(c):
			digit = true
			if i == 0 || !isDigit(body[i-1]) {
				digitRuns++
			}
		case c == '-' || c == '_':
			sep = true
		default:
			return false
		}
	}
	alphabet := 26*b2i(upper) + 26*b2i(low) + 10*b2i(digit) + 2*b2i(sep)
	most := math.Log2(float64(min(len(body), alphabet)))
	if entropy(body) < min(4.5, most-1.1) {
		return false
	}
	switch {
	case upper && low:
		return !wordy(body)
	case (upper || low) && digit:
		return digitRuns >= 2
	}
	return false
}

// wordy reports whether most letters of s sit in word-like runs
// ("Recording", "json": an optional capital and 3 or more lower-case
// letters) that have the vowels of words (30% or more; random letters
// have about 19%).
func wordy(s string) bool {
	letters, inWords, vowels := 0, 0, 0
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			letters++
		}
	}
	for i := 0; i < len(s); {
		j := i
		if s[j] >= 'A' && s[j] <= 'Z' {
			j++
		}
		k := j
		for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
			k++
		}
		if k-j < 3 {
			i++
			continue
		}
		for m := i; m < k; m++ {
			switch lower(s[m]) {
			case 'a', 'e', 'i', 'o', 'u':
				vowels++
			}
		}
		inWords += k - i
		i = k
	}
	return letters > 0 && inWords*10 >= letters*6 && vowels*10 >= inWords*3
}

// entropy is the Shannon entropy of s in bits per byte, computed as
// log2(n) - Σ c·log2(c) / n over the byte counts c, with c·log2(c) from a
// table: Classify runs on every candidate value.
func entropy(s string) float64 {
	if len(s) == 0 {
		return 0
	}
	var counts [256]uint16
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	sum := 0.0
	for _, c := range counts {
		if c > 1 {
			sum += cLog2c(int(c))
		}
	}
	n := float64(len(s))
	return math.Log2(n) - sum/n
}

var cLog2cTable = func() (t [maxValueLen + 1]float64) {
	for c := 2; c <= maxValueLen; c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

func cLog2c(c int) float64 {
	if c <= maxValueLen {
		return cLog2cTable[c]
	}
	return float64(c) * math.Log2(float64(c))
}

// isWordConstant: booleans and null-ish words, which are never IDs however
// they are named.
func isWordConstant(v string) bool {
	if len(v) > 9 {
		return false
	}
	var b [9]byte
	for i := 0; i < len(v); i++ {
		b[i] = lower(v[i])
	}
	switch string(b[:len(v)]) {
	case "true", "false", "yes", "no", "on", "off", "null", "nil", "none", "undefined", "nan":
		return true
	}
	return false
}

// isDate reports dates and times written as such: "2024-01-15",
// "2024-01-15T10:00:00Z", "2024/01/15", "10:00:00", "20240115T100000Z".
// (Epoch numbers are not dates here: they are how colliding IDs are made.)
func isDate(v string) bool {
	d := func(i int) bool { return i < len(v) && isDigit(v[i]) }
	switch {
	case len(v) >= 10 && d(0) && d(1) && d(2) && d(3) && (v[4] == '-' || v[4] == '/') &&
		d(5) && d(6) && v[7] == v[4] && d(8) && d(9):
		return true
	case len(v) >= 5 && d(0) && d(1) && v[2] == ':' && d(3) && d(4):
		return true
	case len(v) >= 13 && allDigits(v[:8]) && (v[8] == 'T' || v[8] == 't') && allDigits(v[9:13]):
		return true
	}
	return false
}

func isDecimal(v string) bool {
	v = strings.TrimPrefix(v, "-")
	i := strings.IndexByte(v, '.')
	return i > 0 && i < len(v)-1 && allDigits(v[:i]) && allDigits(v[i+1:])
}

// idWords are the last words of key names that say "identifier".
var idWords = map[string]bool{
	"id": true, "ids": true, "uuid": true, "uuids": true, "guid": true, "guids": true,
	"key": true, "keys": true, "nonce": true, "correlation": true, "request": true,
}

// strongIDWords anywhere in a name make it an identifier even when the
// name also looks like a credential ("sessionId", "Idempotency-Key").
var strongIDWords = map[string]bool{
	"id": true, "ids": true, "uuid": true, "guid": true, "nonce": true,
	"correlation": true, "request": true, "idempotency": true, "trace": true,
}

// keyNamesID reports whether a key's last word says it holds an
// identifier: "recordingId", "X-Request-ID", "correlation_id",
// "Idempotency-Key", "nonce". Only the last word counts, so "requestType"
// does not.
func keyNamesID(key string) bool {
	if key == "" {
		return false
	}
	if hasSuffixFold(key, "uuid") || hasSuffixFold(key, "guid") {
		return true
	}
	last := ""
	forWords(key, func(w string) { last = w })
	return isWordIn(last, idWords)
}

// isWordIn looks w up in a set of lower-case words, folding ASCII case
// without allocating.
func isWordIn(w string, set map[string]bool) bool {
	if len(w) > 16 {
		return false
	}
	var b [16]byte
	for i := 0; i < len(w); i++ {
		b[i] = lower(w[i])
	}
	return set[string(b[:len(w)])]
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// hasIDWord reports whether any word of key is a strong ID word.
func hasIDWord(key string) bool {
	found := false
	forWords(key, func(w string) {
		if !found && isWordIn(w, strongIDWords) {
			found = true
		}
	})
	return found
}

// forWords calls fn for each word of a key: words are split at anything
// that is not a letter or digit, and before an upper-case letter that
// follows a lower-case one or a digit ("recordingId" → recording, Id;
// "requestID" → request, ID).
func forWords(key string, fn func(string)) {
	start := -1
	for i := 0; i <= len(key); i++ {
		var c byte
		if i < len(key) {
			c = key[i]
		}
		alnum := i < len(key) && (isLetter(c) || isDigit(c))
		split := !alnum
		if alnum && start >= 0 && c >= 'A' && c <= 'Z' {
			p := key[i-1]
			split = p >= 'a' && p <= 'z' || isDigit(p)
		}
		if split && start >= 0 {
			fn(key[start:i])
			start = -1
		}
		if alnum && start < 0 {
			start = i
		}
	}
}

func hasSpaceOrControl(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

func allDigits(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
