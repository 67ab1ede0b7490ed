package diagnose

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// clientSide explains the failures the client, not the server, declared:
// a read or connect timeout (the load generator gave up waiting) and
// connection errors (refused, reset, no response, unknown host, TLS).
// What such a failure is, is what its kind is; the evidence says why it
// happened: the timeout the client used, the load where the failures
// begin, and whether the server's latency grew with the load until the
// timeout fired.
type clientSide struct {
	name    string
	classes map[string]bool
	// latency holds the successes' response times per label and
	// concurrency level, to show them rising towards the timeout.
	latency map[latKey]*latencyHist
	// connect sums, per concurrency level, the successes' connect time and
	// the server's time to first byte after it: a load generator short of
	// sockets shows in the first while the second stays flat.
	connect map[int32]*connectSums
}

type connectSums struct {
	n                int64
	connect, latency float64 // ms
}

// maxConnectLevels bounds the levels kept for the connect-time check.
const maxConnectLevels = 1 << 12

type latKey struct {
	label, level int32
}

// Cause names.
const (
	causeClientTimeout = "client-timeout"
	causeConnection    = "connection"
)

// maxLatencyCells bounds the success-latency histograms kept.
const maxLatencyCells = 1 << 13

func newClientSide(name string) *clientSide {
	c := &clientSide{name: name, latency: map[latKey]*latencyHist{}, connect: map[int32]*connectSums{}}
	// A connect timeout never reached the server: it is a connection
	// error (an unreachable host, a full backlog), not the server too slow
	// to answer.
	if name == causeClientTimeout {
		c.classes = map[string]bool{NonHTTPTimeout: true}
	} else {
		c.classes = map[string]bool{NonHTTPConnectTimeout: true, NonHTTPRefused: true, NonHTTPReset: true, NonHTTPNoResponse: true, NonHTTPUnknownHost: true, NonHTTPSSL: true}
	}
	return c
}

func (c *clientSide) Name() string { return c.name }
func (c *clientSide) setup(*Table) {}

func (c *clientSide) observe(r *samples.Sample, rc *request, k *Key) {
	if c.name == causeConnection && rc.kind == 0 && r.Has&(samples.FieldConnect|samples.FieldLatency) == samples.FieldConnect|samples.FieldLatency {
		lv := int32(rc.level.Threads)
		if lv < 0 {
			lv = int32(rc.level.InFlight)
		}
		s := c.connect[lv]
		if s == nil && len(c.connect) < maxConnectLevels {
			s = &connectSums{}
			c.connect[lv] = s
		}
		if s != nil {
			s.n++
			s.connect += float64(r.Connect) / 1e6
			s.latency += float64(max(r.Latency-r.Connect, 0)) / 1e6
		}
	}
	if c.name != causeClientTimeout || rc.kind != 0 || r.Has&samples.FieldElapsed == 0 {
		return
	}
	lk := latKey{rc.label, int32(rc.level.Threads)}
	if rc.level.Threads < 0 {
		lk.level = int32(rc.level.InFlight)
	}
	h := c.latency[lk]
	if h == nil {
		if len(c.latency) >= maxLatencyCells {
			return
		}
		h = &latencyHist{}
		c.latency[lk] = h
	}
	h.add(r.Elapsed.Milliseconds())
}

// explains reports whether the cause explains a kind: by its class, or,
// for timeouts, by failures that all took the same time (a ceiling) even
// when the error does not name a timeout.
func (c *clientSide) explains(a *assessment, p *population) bool {
	if p.kind == 0 || p.def.class != ClassNonHTTP {
		return false
	}
	if c.classes[p.def.sub] {
		return true
	}
	if c.name == causeClientTimeout && (p.def.sub == NonHTTPOther || p.def.sub == NonHTTPNoResponse) {
		_, at := ceiling(a.kinds.stat(p.kind))
		return at
	}
	return false
}

// ceiling finds a timeout in a kind's response times: the median, when
// nine failures in ten took within 2% of it (and at least 100 ms).
func ceiling(st *kindStats) (float64, bool) {
	if st.lat.n < 5 {
		return 0, false
	}
	med := st.lat.quantile(0.5)
	if med < 100 {
		return med, false
	}
	return med, st.lat.share(med*0.98, med*1.02) >= 0.9
}

func (c *clientSide) propose(a *assessment, p *population) *Marker {
	if !c.explains(a, p) {
		return nil
	}
	kind := p.kind
	return &Marker{cause: c.name, match: func(k Key) bool { return k[dimKind] == kind }, defining: true, mechanism: true, detail: p.def.phrase() + "s"}
}

// ClientEvidence is the evidence of a client-side cause.
type ClientEvidence struct {
	Kind string `json:"kind,omitempty"`
	// Errors are the exceptions as the client named them.
	Errors []CodeCount `json:"errors,omitempty"`
	// TimeoutMS is the time after which the client gave up, when the
	// failures all took it; AtTimeout counts those that did.
	TimeoutMS float64 `json:"timeout_ms,omitempty"`
	AtTimeout int64   `json:"at_timeout,omitempty"`
	// Onset is the load where the failures begin, Levels their rate.
	Onset  *Onset      `json:"onset,omitempty"`
	Metric string      `json:"metric,omitempty"`
	Levels []LevelRate `json:"levels,omitempty"`
	// Latency is the successes' response time by band of load, on the
	// failing labels.
	Latency []LevelLatency `json:"latency,omitempty"`
	// Burst is set when most failures came within a few time windows.
	Burst bool `json:"burst,omitempty"`
	// ClientLimit is set when the successes' connect time rose with the
	// load while the server's own time did not: the load generator (or
	// the network before the server) is the limit.
	ClientLimit bool `json:"client_limit,omitempty"`
}

// LevelLatency is the successes' response time at a band of load.
type LevelLatency struct {
	From     int     `json:"from"`
	To       int     `json:"to"`
	Requests int64   `json:"requests"`
	MedianMS float64 `json:"median_ms"`
	P90MS    float64 `json:"p90_ms"`
}

func (c *clientSide) assess(a *assessment, v *causeVerdict) Finding {
	f := Finding{Cause: c.name, Verdict: Unlikely, mechanism: true}
	ev := &ClientEvidence{}
	f.Evidence = ev
	if len(v.chosen) == 0 {
		if c.name == causeClientTimeout {
			f.Summary = "No request timed out on the client."
			f.short = "no request timed out on the client"
		} else {
			f.Summary = "No request failed to connect or lost its connection."
			f.short = "there were no connection errors"
		}
		return f
	}
	var parts []string
	for _, ch := range v.chosen {
		pop := ch.dec.pop
		st := a.kinds.stat(pop.kind)
		ev.Kind = pop.def.name()
		for _, code := range sortedByCount(st.codes) {
			ev.Errors = append(ev.Errors, CodeCount{Code: code, Count: st.codes[code]})
		}
		what := fmt.Sprintf("%s failed with %s (%s)", count(ch.attributed, "request"), pop.def.phrase(), strings.Join(exceptionNames(st.codes), ", "))
		if on := a.labelsOf(pop, 3); on != "" {
			what += ", all on " + on
		}
		if c.name == causeClientTimeout {
			if at, ok := ceiling(st); ok {
				ev.TimeoutMS = math.Round(at)
				ev.AtTimeout = int64(math.Round(st.lat.share(at*0.98, at*1.02) * float64(st.n)))
				what += fmt.Sprintf(": the client gave up after %s (%s of them took %s)",
					fmtMS(at), countNum(ev.AtTimeout), msRange(float64(st.minMS), float64(st.maxMS)))
			}
		}
		parts = append(parts, what+".")
		if a.noTimes {
			continue
		}
		dim := a.levelDim
		ev.Metric = metricUnit((&concurrencyCause{}).metric(a))
		ev.Levels = bands(a.table.marginal(dim, pop.all()))
		on, err := a.onsetOn(dim, a.steadyView(pop.all()), 199)
		unit := ev.Metric
		if err == nil && on.Found && on.RateBelow < highBase {
			at, lo, hi := reported(on)
			ev.Onset = &Onset{Metric: (&concurrencyCause{}).metric(a), Value: round1(at), Low: round1(lo), High: round1(hi)}
			f.detail = fmt.Sprintf("from %s %s", fmtWhole(at), unit)
			marked := func(k Key) bool { return float64(k[dim]) >= at }
			below := a.table.total(a.steadyView(pop.where(func(k Key) bool { return !marked(k) })))
			above := a.table.total(a.steadyView(pop.where(marked)))
			parts = append(parts, fmt.Sprintf("They begin at %s %s (95%% CI %s–%s): %s below, %s at or above.",
				fmtWhole(at), unit, fmtWhole(lo), fmtWhole(hi), naturalRate(below), naturalRate(above)))
		}
		if c.name == causeClientTimeout {
			ev.Latency = c.latencyByLevel(st.labels)
			if s := latencyRise(ev.Latency, ev.TimeoutMS, unit); s != "" {
				parts = append(parts, s)
			}
		}
		// Only failures that rise with the load can be a load generator's
		// limit; a TLS error is a configuration, whatever the load.
		if c.name == causeConnection && ev.Onset != nil && pop.def.sub != NonHTTPSSL {
			if s := c.connectRise(ev.Metric); s != "" {
				ev.ClientLimit = true
				parts = append(parts, s)
			}
		}
		if pop.def.sub == NonHTTPSSL && ev.Onset == nil {
			parts = append(parts, "They do not come with the load: a TLS error like this is a configuration (plain HTTP on a TLS port or the reverse, a protocol or cipher the two sides do not share), not a capacity limit.")
		}
		ev.Burst = a.bursty(pop)
		if ev.Burst {
			parts = append(parts, "Most of them came in a few bursts, as when the load generator itself runs out of connections or sockets.")
		}
	}
	f.Summary = strings.Join(parts, " ")

	return f
}

// exceptionNames shortens "Non HTTP response code: java.net.SocketTimeoutException"
// to the exception's simple name.
func exceptionNames(codes map[string]int64) []string {
	var out []string
	for _, code := range sortedByCount(codes) {
		name := strings.TrimPrefix(code, "Non HTTP response code: ")
		if i := strings.LastIndexByte(name, '.'); i >= 0 && i+1 < len(name) {
			name = name[i+1:]
		}
		if !contains(out, name) {
			out = append(out, name)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// latencyByLevel gives the successes' response times on the labels by
// band of load.
func (c *clientSide) latencyByLevel(labels map[int32]int64) []LevelLatency {
	maxL := int32(0)
	for k := range c.latency {
		if labels[k.label] > 0 {
			maxL = max(maxL, k.level)
		}
	}
	w := int32(bandWidth(int(maxL)))
	by := map[int32]*latencyHist{}
	for k, h := range c.latency {
		if labels[k.label] == 0 || k.level < 0 {
			continue
		}
		b := k.level / w
		m := by[b]
		if m == nil {
			m = &latencyHist{counts: map[int32]int64{}}
			by[b] = m
		}
		for bk, n := range h.counts {
			m.counts[bk] += n
		}
		m.n += h.n
	}
	var out []LevelLatency
	for b, h := range by {
		out = append(out, LevelLatency{From: int(b * w), To: int(b*w + w - 1), Requests: h.n, MedianMS: round1(h.quantile(0.5)), P90MS: round1(h.quantile(0.9))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// latencyRise says that the successes slowed down towards the timeout
// as the load rose, when they did.
func latencyRise(ls []LevelLatency, timeout float64, unit string) string {
	var first, last *LevelLatency
	for i := range ls {
		if ls[i].Requests < 10 {
			continue
		}
		if first == nil {
			first = &ls[i]
		}
		last = &ls[i]
	}
	if first == nil || last == first || last.MedianMS < 2*first.MedianMS {
		return ""
	}
	s := fmt.Sprintf("Meanwhile the successes slowed from a median of %s at %s %s to %s at %s",
		fmtMS(first.MedianMS), levelSpan(first.From, first.To), unit, fmtMS(last.MedianMS), levelSpan(last.From, last.To))
	if timeout > 0 {
		s += fmt.Sprintf(" (90th percentile %s, against the %s timeout): the server's latency grows with the load until the client's timeout fires, a capacity limit seen from the client.", fmtMS(last.P90MS), fmtMS(timeout))
	} else {
		s += ": the server's latency grows with the load."
	}
	return s
}

// bursty reports whether most of a population's failures fell in a few
// time windows: a tenth of the windows holding three quarters of them.
func (a *assessment) bursty(p *population) bool {
	byWin := a.table.marginal(dimTime, p.all())
	if len(byWin) < 10 {
		return false
	}
	var fails []int64
	var total int64
	for _, c := range byWin {
		fails = append(fails, c.Fail)
		total += c.Fail
	}
	if total < 20 {
		return false
	}
	sort.Slice(fails, func(i, j int) bool { return fails[i] > fails[j] })
	var top int64
	for _, n := range fails[:max(1, len(fails)/10)] {
		top += n
	}
	return float64(top) >= 0.75*float64(total)
}

// connectRise compares the successes' connect time and the server's time
// to first byte at the lowest and highest bands of load: connect time
// that grows several-fold while the server's time does not points at the
// load generator (too few sockets or ephemeral ports, a saturated NIC or
// proxy), not at the server.
func (c *clientSide) connectRise(unit string) string {
	maxL := int32(0)
	for l := range c.connect {
		maxL = max(maxL, l)
	}
	w := int32(bandWidth(int(maxL)))
	by := map[int32]*connectSums{}
	for l, s := range c.connect {
		b := by[l/w]
		if b == nil {
			b = &connectSums{}
			by[l/w] = b
		}
		b.n += s.n
		b.connect += s.connect
		b.latency += s.latency
	}
	var bands []int32
	for b, s := range by {
		if s.n >= 20 {
			bands = append(bands, b)
		}
	}
	if len(bands) < 2 {
		return ""
	}
	sort.Slice(bands, func(i, j int) bool { return bands[i] < bands[j] })
	lo, hi := by[bands[0]], by[bands[len(bands)-1]]
	c0, c1 := lo.connect/float64(lo.n), hi.connect/float64(hi.n)
	l0, l1 := lo.latency/float64(lo.n), hi.latency/float64(hi.n)
	if c1 < 3*c0 || c1-c0 < 10 || l1 > 1.5*math.Max(l0, 1) {
		return ""
	}
	b0, b1 := int(bands[0]*w), int(bands[len(bands)-1]*w)
	return fmt.Sprintf("Meanwhile the successes' time to connect rose from %s at %s %s to %s at %s, while the server's time to first byte stayed near %s: the load generator or the network before the server is the limit (too few sockets or ephemeral ports, connection setup under load), not the server.",
		fmtMS(c0), levelSpan(b0, b0+int(w)-1), unit, fmtMS(c1), levelSpan(b1, b1+int(w)-1), fmtMS(l1))
}

// labelsOf names the labels of a population's failures when they are a
// few of the run's: where to look.
func (a *assessment) labelsOf(p *population, most int) string {
	by := a.table.marginal(dimLabel, p.where(p.failure))
	all := a.table.marginal(dimLabel, view{})
	if len(by) == 0 || len(by) > most || len(by) == len(all) {
		return ""
	}
	return a.quotedLabels(by)
}

// quotedLabels lists the labels of by, quoted and sorted, for prose.
func (a *assessment) quotedLabels(by map[int32]Counts) string {
	var names []string
	for l := range by {
		names = append(names, strconv.Quote(redact.Text(a.labels[l])))
	}
	sort.Strings(names)
	return join(names)
}
