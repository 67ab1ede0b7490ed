// Command runcheck checks a real JMeter run of samples/testdata/jmeter
// against the mock server's verdicts and prints the Markdown tables its
// run.md is written from: the truth table, the join of JMeter uploads to
// verdicts by recording id, verdicts by active threads, the onset of each
// failure cause, and per-thread or per-id views where a run needs them.
//
//	go run ./samples/testdata/runcheck -ttl 50s samples/testdata/jmeter/m4-token-limit-boundary
//
// It reads results.csv(.gz), results.xml(.gz) and truth.jsonl(.gz) of the
// folder. It lives under testdata so that the module's build leaves it
// alone; it uses the standard library only.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

const uploadLabel = "upload screen recording"

type sample struct {
	ts, elapsed int64
	label, rc   string
	thread      string
	allThreads  int
	recID       string
	line        int
}

func (s *sample) end() int64 { return s.ts + s.elapsed }

type verdict struct {
	At          string `json:"at"`
	RecordingID string `json:"recording_id"`
	Status      int    `json:"status"`
	Cause       string `json:"cause"`
	InFlight    int    `json:"in_flight"`
	TokenAgeMS  int64  `json:"token_age_ms"`
	ServiceMS   *int64 `json:"service_ms"`
	ElapsedMS   *int64 `json:"elapsed_ms"`
	Stored      bool   `json:"stored"`
	at          int64  // ms since the epoch
}

type pair struct {
	s *sample
	v *verdict
}

func main() {
	ttl := flag.Duration("ttl", 0, "the server's -token-ttl: print the token-age view")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: runcheck [-ttl D] RUNDIR")
	}
	if err := run(os.Stdout, flag.Arg(0), *ttl); err != nil {
		log.Fatal(err)
	}
}

func open(dir, name string) (io.ReadCloser, error) {
	for _, p := range []string{filepath.Join(dir, name+".gz"), filepath.Join(dir, name)} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if !strings.HasSuffix(p, ".gz") {
			return f, nil
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, f}, nil
	}
	return nil, fmt.Errorf("%s: no %s or %s.gz", dir, name, name)
}

func readCSV(dir string) ([]*sample, error) {
	rc, err := open(dir, "results.csv")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r := csv.NewReader(bufio.NewReader(rc))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, h := range []string{"timeStamp", "elapsed", "label", "responseCode", "threadName", "allThreads", "recId"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("results.csv: no column %s", h)
		}
	}
	var out []*sample
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("results.csv:%d: %v", line, err)
		}
		ts, _ := strconv.ParseInt(rec[col["timeStamp"]], 10, 64)
		el, _ := strconv.ParseInt(rec[col["elapsed"]], 10, 64)
		na, _ := strconv.Atoi(rec[col["allThreads"]])
		out = append(out, &sample{ts: ts, elapsed: el, label: rec[col["label"]], rc: rec[col["responseCode"]],
			thread: rec[col["threadName"]], allThreads: na, recID: rec[col["recId"]], line: line})
	}
}

func readTruth(dir string) ([]*verdict, error) {
	rc, err := open(dir, "truth.jsonl")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []*verdict
	sc := bufio.NewScanner(rc)
	for n := 1; sc.Scan(); n++ {
		v := &verdict{}
		if err := json.Unmarshal(sc.Bytes(), v); err != nil {
			return nil, fmt.Errorf("truth.jsonl:%d: %v", n, err)
		}
		t, err := time.Parse(time.RFC3339Nano, v.At)
		if err != nil {
			return nil, fmt.Errorf("truth.jsonl:%d: %v", n, err)
		}
		v.at = t.UnixMilli()
		out = append(out, v)
	}
	return out, sc.Err()
}

// countXML counts the samples of results.xml, to check that the two
// writers of the run saw the same samples.
func countXML(dir string) (int, error) {
	rc, err := open(dir, "results.xml")
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n := 0
	br := bufio.NewReaderSize(rc, 1<<20)
	for {
		line, err := br.ReadSlice('\n')
		if bytes.HasPrefix(line, []byte("<httpSample ")) || bytes.HasPrefix(line, []byte("<sample ")) {
			n++
		}
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
	}
}

var threadSuffix = regexp.MustCompile(` \d+-\d+$`)

func group(thread string) string { return threadSuffix.ReplaceAllString(thread, "") }

func statusOf(rc string) int {
	if strings.Contains(rc, "SocketTimeoutException") {
		return 499
	}
	n, _ := strconv.Atoi(rc)
	return n
}

// worked says whether the server did the work for a verdict: the causes
// decided before it are answered at once.
func worked(v *verdict) bool {
	switch v.Cause {
	case "ok", "concurrency", "timeout_client":
		return true
	case "rate":
		return v.Stored
	}
	return false
}

func disagreement(s *sample, v *verdict, workMS int64) int {
	d := 0
	if statusOf(s.rc) != v.Status {
		d += 2
	}
	if workMS > 0 && (s.elapsed >= workMS) != worked(v) {
		d++
	}
	return d
}

// join pairs the n-th upload of an id (by start time) with the n-th
// verdict for it (by arrival). Where that disagrees on status within a
// group of uploads sharing an id (JMeter stamps samples to the
// millisecond, so same-millisecond uploads cannot be ordered), the group
// is paired by the least disagreement on status and on whether the server
// did its work (JMeter elapsed against the verdict), then by time.
func join(ups []*sample, truth []*verdict, workMS int64) (pairs []pair, sUnmatched []*sample, vUnmatched []*verdict, regrouped int) {
	bs := map[string][]*sample{}
	bv := map[string][]*verdict{}
	var ids []string
	for _, s := range ups {
		if _, ok := bs[s.recID]; !ok {
			ids = append(ids, s.recID)
		}
		bs[s.recID] = append(bs[s.recID], s)
	}
	for _, v := range truth {
		bv[v.RecordingID] = append(bv[v.RecordingID], v)
	}
	for id, vs := range bv {
		if _, ok := bs[id]; !ok {
			vUnmatched = append(vUnmatched, vs...)
		}
	}
	for _, id := range ids {
		ss, vs := bs[id], bv[id]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].ts < ss[j].ts })
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].at < vs[j].at })
		n := min(len(ss), len(vs))
		bad := 0
		for i := 0; i < n; i++ {
			bad += disagreement(ss[i], vs[i], workMS)
		}
		if bad > 0 && len(ss) == len(vs) && n <= 7 && n > 1 {
			best, bestCost, bestDT := []int(nil), 1<<30, int64(1)<<62
			permute(n, func(p []int) {
				c, dt := 0, int64(0)
				for i, j := range p {
					c += disagreement(ss[i], vs[j], workMS)
					dt += abs(vs[j].at - ss[i].ts)
				}
				if c < bestCost || (c == bestCost && dt < bestDT) {
					best, bestCost, bestDT = append([]int(nil), p...), c, dt
				}
			})
			if bestCost < bad {
				regrouped++
				perm := make([]*verdict, n)
				for i, j := range best {
					perm[i] = vs[j]
				}
				vs = perm
			}
		}
		for i := 0; i < n; i++ {
			pairs = append(pairs, pair{ss[i], vs[i]})
		}
		sUnmatched = append(sUnmatched, ss[n:]...)
		vUnmatched = append(vUnmatched, vs[n:]...)
	}
	return
}

func permute(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			f(p)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k + 1)
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0)
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func num(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func run(w io.Writer, dir string, ttl time.Duration) error {
	all, err := readCSV(dir)
	if err != nil {
		return err
	}
	truth, err := readTruth(dir)
	if err != nil {
		return err
	}
	nx, err := countXML(dir)
	if err != nil {
		return err
	}
	var ups []*sample
	codes := map[string]int{}
	for _, s := range all {
		if s.label == uploadLabel {
			ups = append(ups, s)
			codes[s.rc]++
		}
	}

	// Truth table.
	type sc struct {
		status int
		cause  string
	}
	tt := map[sc]int{}
	stored := 0
	for _, v := range truth {
		tt[sc{v.Status, v.Cause}]++
		if v.Stored {
			stored++
		}
	}
	keys := make([]sc, 0, len(tt))
	for k := range tt {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].status != keys[j].status {
			return keys[i].status < keys[j].status
		}
		return keys[i].cause < keys[j].cause
	})
	fmt.Fprintf(w, "## Truth (server verdict per upload, truth.jsonl)\n\n| status | cause | uploads |\n|---|---|---|\n")
	for _, k := range keys {
		fmt.Fprintf(w, "| %d | %s | %s |\n", k.status, k.cause, num(tt[k]))
	}
	fmt.Fprintf(w, "| all | | %s |\n\n", num(len(truth)))
	if stored > 0 {
		fmt.Fprintf(w, "Of the 429s, %s were late (`\"stored\":true`: processed and stored before the 429 went out).\n\n", num(stored))
	}

	// Join.
	var cl []string
	for _, c := range sortedKeys(codes) {
		cl = append(cl, fmt.Sprintf("%s %s", c, num(codes[c])))
	}
	workMS := guessWork(ups, truth)
	pairs, su, vu, regrouped := join(ups, truth, workMS)
	mism := 0
	for _, p := range pairs {
		if statusOf(p.s.rc) != p.v.Status {
			mism++
		}
	}
	fmt.Fprintf(w, "JMeter: %s samples in results.csv (%s in results.xml), %s uploads (response codes: %s). Joined to truth by recording id in time order: %s pairs, %s status mismatches, %s JMeter uploads and %s server rows unmatched.",
		num(len(all)), num(nx), num(len(ups)), strings.Join(cl, ", "), num(len(pairs)), num(mism), num(len(su)), num(len(vu)))
	if regrouped > 0 {
		fmt.Fprintf(w, " (%s groups of uploads sharing an id (JMeter times samples to the millisecond) were paired by the least disagreement on status and on whether the server did its work, JMeter elapsed against the verdict.)", num(regrouped))
	}
	fmt.Fprintf(w, "\n\n")

	// Uploads that ended before JMeter's threads began to stop: the
	// first thread to stop is the one whose last sample ended first.
	last := map[string]int64{}
	for _, s := range all {
		if s.label != uploadLabel {
			continue
		}
		if e := s.end(); e > last[s.thread] {
			last[s.thread] = e
		}
	}
	for _, s := range all {
		if _, ok := last[s.thread]; ok && s.end() > last[s.thread] {
			last[s.thread] = s.end()
		}
	}
	stop := int64(1) << 62
	for _, e := range last {
		stop = min(stop, e)
	}
	var kept []pair
	for _, p := range pairs {
		if p.s.end() < stop {
			kept = append(kept, p)
		}
	}
	fmt.Fprintf(w, "Thread-level tables use the %s joined uploads that ended before JMeter's threads began to stop (%s uploads of the final ramp-down left out).\n\n",
		num(len(kept)), num(len(pairs)-len(kept)))

	causes := map[string]bool{}
	for _, p := range pairs {
		causes[p.v.Cause] = true
	}
	cs := sortedKeys(causes)
	if i := indexOf(cs, "ok"); i > 0 {
		cs[0], cs[i] = cs[i], cs[0]
	}

	// By thread group.
	byGroup := map[string]map[string]int{}
	for _, p := range pairs {
		g := group(p.s.thread)
		if byGroup[g] == nil {
			byGroup[g] = map[string]int{}
		}
		byGroup[g][p.v.Cause]++
	}
	fmt.Fprintf(w, "## Verdicts by thread group\n\n")
	tableHead(w, []string{"thread group", "uploads"}, cs)
	for _, g := range sortedKeys(byGroup) {
		t := sum(byGroup[g])
		fmt.Fprintf(w, "| %s | %s |", g, num(t))
		for _, c := range cs {
			fmt.Fprintf(w, " %s |", num(byGroup[g][c]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	// Onsets.
	fmt.Fprintf(w, "## Onset truth\n\nPer JMeter active-thread level (`allThreads`), the share of the joined uploads (that ended before the threads began to stop) with that verdict; base = levels 1-5; onset = first level above 5 whose share exceeds the base share by more than 1 point.\n\n")
	for _, c := range cs {
		if c == "ok" {
			continue
		}
		fmt.Fprintf(w, "- %s\n", onset(kept, c))
	}
	fmt.Fprintln(w)
	if ttl > 0 {
		// Past the TTL every upload is refused for its token before
		// any other check, so the other causes are measured on the
		// uploads whose token was still valid.
		var valid []pair
		for _, p := range kept {
			if p.v.TokenAgeMS <= ttl.Milliseconds() {
				valid = append(valid, p)
			}
		}
		fmt.Fprintf(w, "Among the %s of them whose token was within the TTL (%s):\n\n", num(len(valid)), ttl)
		for _, c := range cs {
			if c != "ok" && c != "token" {
				fmt.Fprintf(w, "- %s\n", onset(valid, c))
			}
		}
		fmt.Fprintln(w)
	}

	// By active threads.
	fmt.Fprintf(w, "## Verdicts by active threads (allThreads)\n\n")
	tableHead(w, []string{"active threads", "uploads"}, cs, "failure rate")
	buckets := map[int]map[string]int{}
	maxB := 0
	for _, p := range kept {
		b := (p.s.allThreads - 1) / 5
		if buckets[b] == nil {
			buckets[b] = map[string]int{}
		}
		buckets[b][p.v.Cause]++
		maxB = max(maxB, b)
	}
	for b := 0; b <= maxB; b++ {
		m := buckets[b]
		t := sum(m)
		if t == 0 {
			continue
		}
		fmt.Fprintf(w, "| %d-%d | %s |", b*5+1, b*5+5, num(t))
		for _, c := range cs {
			fmt.Fprintf(w, " %s |", num(m[c]))
		}
		fmt.Fprintf(w, " %s |\n", pct(t-m["ok"], t))
	}
	fmt.Fprintln(w)

	if ttl > 0 {
		tokenView(w, pairs, ttl)
	}
	if stored > 0 || tt[sc{429, "rate"}] > 0 {
		resendView(w, all, pairs)
	}
	tokenRequestView(w, all, pairs)
	return nil
}

// tableHead writes the head of a Markdown table: the lead columns, one
// column per cause, then the trailing ones.
func tableHead(w io.Writer, lead, causes []string, trail ...string) {
	cols := append(append(append([]string(nil), lead...), causes...), trail...)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
}

func sum(m map[string]int) int {
	t := 0
	for _, n := range m {
		t += n
	}
	return t
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// guessWork is the server's -work-ms as seen in the run: the least JMeter
// elapsed of an upload the server answered 201.
func guessWork(ups []*sample, truth []*verdict) int64 {
	ok := map[string]bool{}
	for _, v := range truth {
		if v.Cause == "ok" {
			ok[v.RecordingID] = true
		}
	}
	w := int64(-1)
	for _, s := range ups {
		if s.rc == "201" && ok[s.recID] && (w < 0 || s.elapsed < w) {
			w = s.elapsed
		}
	}
	return max(w, 0)
}

func onset(kept []pair, cause string) string {
	n := map[int]int{}
	k := map[int]int{}
	maxL := 0
	for _, p := range kept {
		l := p.s.allThreads
		n[l]++
		if p.v.Cause == cause {
			k[l]++
		}
		maxL = max(maxL, l)
	}
	bn, bk := 0, 0
	for l := 1; l <= 5; l++ {
		bn += n[l]
		bk += k[l]
	}
	base := 0.0
	if bn > 0 {
		base = float64(bk) / float64(bn)
	}
	first, stays := 0, 0
	for l := 6; l <= maxL; l++ {
		if n[l] == 0 {
			continue
		}
		above := float64(k[l])/float64(n[l]) > base+0.01
		if above && first == 0 {
			first = l
		}
		if above && stays == 0 {
			stays = l
		}
		if !above {
			stays = 0
		}
	}
	s := fmt.Sprintf("`%s`: base (1-5 threads) %s of %s uploads; ", cause, pct(bk, bn), num(bn))
	if first == 0 {
		return s + "no level above base + 1 point (no onset)"
	}
	s += fmt.Sprintf("**onset %d threads** (first level above base + 1 point); ", first)
	if stays == 0 {
		return s + "no level from which every higher level stays above"
	}
	return s + fmt.Sprintf("first level from which every higher level stays above: %d", stays)
}

func tokenView(w io.Writer, pairs []pair, ttl time.Duration) {
	minTok, maxOther := int64(-1), int64(-1)
	for _, p := range pairs {
		a := p.v.TokenAgeMS
		if p.v.Cause == "token" {
			if minTok < 0 || a < minTok {
				minTok = a
			}
		} else if a > maxOther {
			maxOther = a
		}
	}
	fmt.Fprintf(w, "## Token age (TTL %s)\n\nMin token age among `token` 400s %.3f s; max among the other uploads %.3f s. Token-age onset = the TTL, %s after the token was issued.\n\n",
		ttl, float64(minTok)/1000, float64(maxOther)/1000, ttl)
	buckets := map[int64]map[string]int{}
	thr := map[int64][2]int{}
	var causes []string
	seen := map[string]bool{}
	maxB := int64(0)
	for _, p := range pairs {
		b := p.v.TokenAgeMS / 5000
		if buckets[b] == nil {
			buckets[b] = map[string]int{}
			thr[b] = [2]int{p.s.allThreads, p.s.allThreads}
		}
		buckets[b][p.v.Cause]++
		t := thr[b]
		thr[b] = [2]int{min(t[0], p.s.allThreads), max(t[1], p.s.allThreads)}
		if !seen[p.v.Cause] {
			seen[p.v.Cause] = true
			causes = append(causes, p.v.Cause)
		}
		maxB = max(maxB, b)
	}
	sort.Strings(causes)
	if i := indexOf(causes, "ok"); i > 0 {
		causes[0], causes[i] = causes[i], causes[0]
	}
	tableHead(w, []string{"token age", "active threads (JMeter)", "uploads"}, causes)
	for b := int64(0); b <= maxB; b++ {
		m := buckets[b]
		if m == nil {
			continue
		}
		t := sum(m)
		fmt.Fprintf(w, "| %d-%d s | %d-%d | %s |", b*5, b*5+5, thr[b][0], thr[b][1], num(t))
		for _, c := range causes {
			fmt.Fprintf(w, " %s |", num(m[c]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// resendView follows each recording id through its uploads: the plan
// re-sends an id after a 429.
func resendView(w io.Writer, all []*sample, pairs []pair) {
	byID := map[string][]pair{}
	for _, p := range pairs {
		byID[p.s.recID] = append(byID[p.s.recID], p)
	}
	chains := map[string]int{}
	dupAfterLate, dupOther := 0, 0
	for _, ps := range byID {
		sort.Slice(ps, func(i, j int) bool { return ps[i].s.ts < ps[j].s.ts })
		var parts []string
		late := false
		for _, p := range ps {
			c := p.v.Cause
			if p.v.Stored {
				c += "(stored)"
			}
			if p.v.Cause == "dupid" {
				if late {
					dupAfterLate++
				} else {
					dupOther++
				}
			}
			late = late || p.v.Stored || p.v.Cause == "ok"
			parts = append(parts, c)
		}
		if len(parts) > 4 {
			parts = append(parts[:4], "...")
		}
		chains[strings.Join(parts, " -> ")]++
	}
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range chains {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n || (l[i].n == l[j].n && l[i].k < l[j].k) })
	fmt.Fprintf(w, "## Uploads per recording id (the plan re-sends an id after a 429)\n\n%s recording ids; `dupid` verdicts after a stored (late) 429 or a 201 of the same id: %s; other `dupid`: %s.\n\n| verdicts of one id, in order | ids |\n|---|---|\n",
		num(len(byID)), num(dupAfterLate), num(dupOther))
	for i, e := range l {
		if i == 15 {
			break
		}
		fmt.Fprintf(w, "| %s | %s |\n", e.k, num(e.n))
	}
	fmt.Fprintln(w)
}

// tokenRequestView crosses each thread's token request with the verdicts
// of its uploads, where some token request failed.
func tokenRequestView(w io.Writer, all []*sample, pairs []pair) {
	tokRC := map[string]string{}
	failed := 0
	for _, s := range all {
		if s.label == "get token" {
			tokRC[s.thread] = s.rc
			if s.rc != "200" {
				failed++
			}
		}
	}
	if failed == 0 {
		return
	}
	m := map[string]map[string]int{}
	threads := map[string]map[string]bool{}
	var causes []string
	seen := map[string]bool{}
	for _, p := range pairs {
		rc := tokRC[p.s.thread]
		if m[rc] == nil {
			m[rc] = map[string]int{}
			threads[rc] = map[string]bool{}
		}
		m[rc][p.v.Cause]++
		threads[rc][p.s.thread] = true
		if !seen[p.v.Cause] {
			seen[p.v.Cause] = true
			causes = append(causes, p.v.Cause)
		}
	}
	sort.Strings(causes)
	fmt.Fprintf(w, "## Token request of the thread x verdicts of its uploads\n\n%s token requests failed.\n\n", num(failed))
	tableHead(w, []string{"thread's token request", "threads", "uploads"}, causes)
	for _, rc := range sortedKeys(m) {
		t := sum(m[rc])
		fmt.Fprintf(w, "| %s | %d | %s |", rc, len(threads[rc]), num(t))
		for _, c := range causes {
			fmt.Fprintf(w, " %s |", num(m[rc][c]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}
