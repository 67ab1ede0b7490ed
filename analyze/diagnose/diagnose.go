package diagnose

import (
	"github.com/jtlscope/jtlscope/analyze"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/analyze/concurrency"
	"github.com/jtlscope/jtlscope/analyze/ids"
	"github.com/jtlscope/jtlscope/analyze/tokens"
	"github.com/jtlscope/jtlscope/samples"
)

// Options configure a Diagnoser.
type Options struct {
	// Status narrows the failures to explain; the zero value is every
	// failing sample.
	Status StatusFilter
	// IDs name the ID fields explicitly (--id header:x-recording-id);
	// empty means auto-detect.
	IDs []ids.Spec
	// Seed makes bootstrap intervals reproducible.
	Seed uint64
	// Attribution keeps every failure so that Result.Attribution can list
	// them; it costs about 100 bytes per failure, so it is off unless
	// asked for.
	Attribution bool
}

// timeBin is the width of the time windows used as strata and as
// bootstrap blocks: long enough to hold several requests per thread,
// short enough that concurrency and token age barely move inside one.
// Long runs double it (see maxCells).
const timeBin = 5 * time.Second

// maxCells bounds the table. Past it, the time windows double in width
// and cells that then coincide merge, so that a day-long soak test costs
// the same memory as an hour (about 30 MB at this bound).
const maxCells = 200_000

// maxTimeShift caps the doubling: windows of 5 s × 2^10, about 85 min.
const maxTimeShift = 10

// maxThreadShift caps the merging of thread counts, which starts only when
// the widest windows are not enough: allThreads comes from the input, and a
// file with a million distinct values must not make a million cells.
const maxThreadShift = 16

// Built-in key dimensions, filled for every request.
const (
	dimLabel = iota
	dimGroup
	dimThreads
	dimInFlight
	dimTime
	// dimKind is the request's outcome: 0 success, k > 0 failure kind k
	// (see kindSet), -1 a failure the status filter leaves out.
	dimKind
	// dimLatency is a failure's response-time band (latencyBand), 0 for
	// a success: what tells two mechanisms of one kind apart.
	dimLatency
	numBuiltin
)

// Diagnoser is the accumulator behind `jtlscope diagnose`. Give it samples
// in start order (samples.StreamOptions.Ordered).
type Diagnoser struct {
	opts    Options
	table   *Table
	causes  []Cause
	tracker *concurrency.Tracker
	little  concurrency.Little

	labels  []string
	labelIx map[string]int32
	groups  []string
	groupIx map[string]int32

	origin    time.Time
	hasOrigin bool
	// timeShift is how many times the time windows have doubled;
	// threadShift how many times adjacent thread counts were merged.
	timeShift, threadShift int
	last                   time.Time

	samples, requests int64
	noStart           int64
	noStartFailed     int64
	status            map[string]int64
	kinds             *kindSet
	failures          []failure
	has               samples.Fields
	sources           []string
	sourceIx          map[string]int32
	// dupid is the duplicate-ID cause, which may change the key of a
	// request already counted (see duplicateID.collide).
	dupid *duplicateID
	age   *tokenAge
	mp    *multipartCause

	// The pipelined pass (analyze.Preparer): batch is what Prepare
	// worked out for the samples being added, read in order; without
	// it each request is prepared as it comes, into one.
	batch *prepBatch
	one   prepBatch
	// rc and k are the request being added and its key: fields rather
	// than variables, which the causes' observe would make escape to the
	// heap on every request.
	rc request
	k  Key
	// prepare is d.prepareRequest as a func, made once.
	prepare func(*samples.Sample)
	// preparing is the batch Prepare is filling.
	preparing *prepBatch
}

// prepared is what a request's trackers say about it: the state that
// follows values through the run (requests in flight, each ID's uses, each
// thread's token, multipart bodies) and needs nothing else of the
// diagnosis, worked out ahead of addRequest, on another core when the
// pass is pipelined (see Prepare).
type prepared struct {
	level concurrency.Level
	ids   []ids.Use
	tok   tokens.Use
	mp    mpObservation
}

// prepBatch holds the prepared requests of a batch of samples, in order.
type prepBatch struct {
	recs []prepared
	uses []ids.Use // what recs' ids slices point into
	pos  int
}

// failure is one failing request, kept for the per-sample attribution.
type failure struct {
	source int32
	line   int32
	label  int32
	start  time.Time
	code   string
	key    Key
}

// New returns a Diagnoser.
func New(opts Options) *Diagnoser {
	d := &Diagnoser{
		opts:     opts,
		table:    newTable(),
		tracker:  concurrency.NewTracker(),
		labelIx:  map[string]int32{},
		groupIx:  map[string]int32{},
		status:   map[string]int64{},
		sourceIx: map[string]int32{},
		kinds:    newKindSet(),
	}
	for _, n := range []string{"label", "group", "threads", "in_flight", "time", "kind", "latency"} {
		d.table.addDim(n)
	}
	d.causes = newCauses(opts)
	for _, c := range d.causes {
		c.setup(d.table)
		switch c := c.(type) {
		case *duplicateID:
			d.dupid = c
			c.d = d
		case *tokenAge:
			d.age = c
		case *multipartCause:
			d.mp = c
		}
	}
	d.prepare = d.prepareRequest
	return d
}

// Prepare runs the trackers over the requests of a batch of samples (see
// analyze.Preparer): about half the work of the pass, which Run does on
// another core while Add counts the batch before.
func (d *Diagnoser) Prepare(batch []samples.Sample, prev any) any {
	pb, _ := prev.(*prepBatch)
	if pb == nil {
		pb = &prepBatch{}
	}
	pb.recs, pb.uses, pb.pos = pb.recs[:0], pb.uses[:0], 0
	d.preparing = pb
	for i := range batch {
		batch[i].Requests(d.prepare)
	}
	d.preparing = nil
	return pb
}

// Prepared says that the samples Add is given next are those p was
// prepared from.
func (d *Diagnoser) Prepared(p any) { d.batch = p.(*prepBatch) }

// prepareRequest appends what the trackers say about r to the batch being
// prepared. It skips the requests addRequest skips before reading it.
func (d *Diagnoser) prepareRequest(r *samples.Sample) {
	if r.Has&samples.FieldStart == 0 {
		return
	}
	pb := d.preparing
	pb.recs = append(pb.recs, prepared{})
	pr := &pb.recs[len(pb.recs)-1]
	pr.level = d.tracker.Observe(r)
	d.little.Add(r)
	if d.dupid != nil {
		n := len(pb.uses)
		pb.uses = append(pb.uses, d.dupid.tr.Observe(r)...)
		pr.ids = pb.uses[n:len(pb.uses):len(pb.uses)]
	}
	if d.age != nil {
		pr.tok = d.age.tr.Observe(r)
	}
	if d.mp != nil {
		pr.mp = d.mp.examine(r)
	}
}

// prepared returns what was prepared for r, the next request with a
// start time.
func (d *Diagnoser) nextPrepared(r *samples.Sample) *prepared {
	if pb := d.batch; pb != nil && pb.pos < len(pb.recs) {
		pb.pos++
		return &pb.recs[pb.pos-1]
	}
	d.preparing = &d.one
	d.one.recs, d.one.uses = d.one.recs[:0], d.one.uses[:0]
	d.prepareRequest(r)
	d.preparing = nil
	return &d.one.recs[0]
}

// Add takes one sample; its requests (samples.Sample.Requests: a parent
// with its redirect and resource sub-results counts once, a Transaction
// Controller's samplers each count) are what is diagnosed.
func (d *Diagnoser) Add(s *samples.Sample) {
	d.samples++
	s.Requests(d.addRequest)
}

func (d *Diagnoser) addRequest(r *samples.Sample) {
	d.requests++
	d.has |= r.Has
	if r.Has&samples.FieldStart == 0 {
		d.noStart++
		if f := d.opts.Status; f.isFailure(r) && f.selects(r) {
			d.noStartFailed++
		}
		return
	}
	if !d.hasOrigin {
		d.origin, d.hasOrigin = r.Start, true
	}
	if end := r.End(); end.After(d.last) {
		d.last = end
	}
	pr := d.nextPrepared(r)
	kind, eff := d.kinds.classify(r, d.opts.Status)
	d.rc = request{
		failed:  kind > 0,
		kind:    kind,
		status:  r.Status(),
		level:   pr.level,
		label:   d.intern(r.Label, d.labelIx, &d.labels),
		group:   d.group(r.Thread),
		failure: -1,
		prep:    pr,
	}
	rc := &d.rc
	rc.offsetMS = r.Start.Sub(d.origin).Milliseconds()
	d.k = Key{}
	k := &d.k
	k[dimLabel] = rc.label
	k[dimGroup] = rc.group
	k[dimThreads] = int32(rc.level.Threads)
	k[dimInFlight] = inFlightBin(rc.level.InFlight)
	k[dimTime] = int32(rc.offsetMS / timeBin.Milliseconds())
	k[dimKind] = kind
	if rc.failed {
		k[dimLatency] = latencyBand(r.Elapsed)
		d.kinds.observe(kind, r, eff, rc.label)
		if d.opts.Attribution {
			rc.failure = len(d.failures)
		}
	}
	for _, c := range d.causes {
		c.observe(r, rc, k)
	}
	raw := *k
	d.table.add(d.coarse(raw), rc.failed)
	if d.dupid != nil {
		d.dupid.counted(raw, rc)
	}
	if d.table.cells.len() > maxCells {
		switch {
		case d.timeShift < maxTimeShift:
			d.timeShift++
			d.table.coarsenTime(dimTime)
		case d.threadShift < maxThreadShift:
			d.threadShift++
			d.table.rekey(func(k Key) Key {
				k[dimThreads] = int32(concurrency.Bin(int(k[dimThreads]), d.threadShift))
				return k
			})
		}
	}
	if rc.failed {
		analyze.AddCode(d.status, r.Code, 1)
	}
	if rc.failed && d.opts.Attribution {
		d.failures = append(d.failures, failure{
			source: d.intern(r.Source, d.sourceIx, &d.sources),
			line:   int32(r.Line),
			label:  rc.label,
			start:  r.Start,
			code:   r.Code,
			key:    raw, // the time window is coarsened at the end
		})
	}
}

func (d *Diagnoser) intern(s string, ix map[string]int32, list *[]string) int32 {
	if i, ok := ix[s]; ok {
		return i
	}
	i := int32(len(*list))
	*list = append(*list, s)
	ix[s] = i
	return i
}

// maxGroups bounds the thread groups kept apart. Thread names come from
// the input, and names unique per thread (not JMeter's "Group 1-1") would
// make a table cell per request; past maxGroups (far more than the
// thread-group cause compares) later groups share one entry.
const maxGroups = 1000

// otherGroups names the entry past maxGroups.
const otherGroups = "(other thread groups)"

func (d *Diagnoser) group(thread string) int32 {
	g := threadGroup(thread)
	if _, ok := d.groupIx[g]; !ok && len(d.groups) >= maxGroups {
		g = otherGroups
	}
	return d.intern(g, d.groupIx, &d.groups)
}

// inFlightBin keeps small in-flight counts exact and groups large ones
// into bands about 12% wide: a limit at 500 requests in flight is not
// told apart from one at 510 anyway, and exact counts would make a cell
// per request on a busy run.
func inFlightBin(n int) int32 {
	if n <= 64 {
		return int32(n)
	}
	step := 1 << (bits.Len(uint(n)) - 1) / 8
	return int32(n - n%step)
}

// threadGroup is a JMeter thread name without its "<group>-<thread>"
// numbers: "desktop agents 1-3" is group "desktop agents". Distributed
// runs prefix the engine ("host:port-"), which is kept: a group on one
// engine is a place of its own.
func threadGroup(thread string) string {
	if i := strings.LastIndexByte(thread, ' '); i > 0 {
		tail := thread[i+1:]
		if j := strings.IndexByte(tail, '-'); j > 0 && isDigits(tail[:j]) && isDigits(tail[j+1:]) {
			return thread[:i]
		}
	}
	return thread
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Attribution is one failing sample and the cause it is put down to.
type Attribution struct {
	Source string    `csv:"source" json:"source"`
	Line   int       `csv:"line" json:"line"`
	Label  string    `csv:"label" json:"label"`
	Start  time.Time `csv:"start" json:"start"`
	Code   string    `csv:"code" json:"code"`
	Kind   string    `csv:"kind" json:"kind"`
	Cause  string    `csv:"cause" json:"cause"`
}

// Unexplained is the cause of a failure no cause accounts for.
const Unexplained = "unexplained"

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// coarse maps a request's key to the table's current resolution.
func (d *Diagnoser) coarse(k Key) Key {
	k[dimTime] >>= d.timeShift
	k[dimThreads] = int32(concurrency.Bin(int(k[dimThreads]), d.threadShift))
	return k
}
