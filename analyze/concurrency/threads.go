package concurrency

import "github.com/jtlscope/jtlscope/samples"

// Threads adds up JMeter's active-thread counts over the load generators
// of a run. Each JMeter engine's allThreads counts the threads of its own
// JVM only (JMeterContextService), in distributed mode as when separate
// JMeter instances each write their own file; the run's concurrency at a
// moment is the sum over engines.
//
// An engine is told apart by, in order: the "host:port-" prefix JMeter 5
// puts on thread names in distributed mode (one controller file, many
// engines), the Hostname column (hostname=true), or the input file when
// neither is there. Two files of one JVM without hostnames (a file per
// listener) would be taken for two engines: save hostname=true.
//
// The count for a request is its own engine's count from its own row plus
// the latest count of every other engine: for one engine, exactly
// JMeter's allThreads. Requests must come in start order (as for
// Tracker); an engine whose last request is behind keeps its last count.
type Threads struct {
	ix     map[engineKey]int
	counts []int
	total  int
	// last is the engine of the previous request and lastIx its index:
	// in one engine's file every request has the same, and the map lookup
	// is skipped.
	last   engineKey
	lastIx int
}

// engineKey names a load generator without building a string per
// request: this runs for every sample of a many-gigabyte file.
type engineKey struct {
	kind byte // 'e' distributed prefix, 'h' hostname, 'f' file
	name string
}

func engineOf(r *samples.Sample) engineKey {
	if p := distributedPrefix(r.Thread); p != "" {
		return engineKey{'e', p}
	}
	if r.Hostname != "" {
		return engineKey{'h', r.Hostname}
	}
	return engineKey{'f', r.Source}
}

// maxEngines bounds the engines kept apart: the keys come from the input,
// and a file with a million thread-name prefixes must not make a million
// entries. Past it, new engines share one entry (their counts replace each
// other instead of adding up).
const maxEngines = 1024

// otherEngines is the shared entry past maxEngines.
var otherEngines = engineKey{0, "other"}

// NewThreads returns an empty count.
func NewThreads() *Threads { return &Threads{ix: map[engineKey]int{}, lastIx: -1} }

// Observe notes r's count and returns the run's active threads when r
// started, or -1 when r records no thread count (HAR, thread_counts=false,
// or JMeter's 0 on a row it did not fill).
func (t *Threads) Observe(r *samples.Sample) int {
	if r.Has&samples.FieldThreads == 0 || r.AllThreads <= 0 {
		return -1
	}
	if t.ix == nil {
		t.ix, t.lastIx = map[engineKey]int{}, -1
	}
	e := engineOf(r)
	i := t.lastIx
	if i < 0 || e != t.last {
		var ok bool
		if i, ok = t.ix[e]; !ok {
			if len(t.counts) >= maxEngines {
				e = otherEngines
			}
			if i, ok = t.ix[e]; !ok {
				i = len(t.counts)
				t.ix[e] = i
				t.counts = append(t.counts, 0)
			}
		}
		t.last, t.lastIx = e, i
	}
	t.total += r.AllThreads - t.counts[i]
	t.counts[i] = r.AllThreads
	return t.total
}

// Engines is how many load generators were told apart so far.
func (t *Threads) Engines() int { return len(t.counts) }

// Engine names the load generator r ran on (see Threads).
func Engine(r *samples.Sample) string {
	e := engineOf(r)
	return map[byte]string{'e': "engine ", 'h': "host ", 'f': "file "}[e.kind] + e.name
}

// distributedPrefix returns the "host:port" JMeter 5 puts before the
// thread group's name in distributed mode ("10.0.0.5:1099-Users 1-3";
// AbstractThreadGroup.makeThread), or "".
func distributedPrefix(thread string) string {
	for i := 1; i < len(thread); i++ {
		switch thread[i] {
		case ' ', '\t':
			return "" // the group's name has begun: no prefix
		case ':':
			j := i + 1
			for j < len(thread) && thread[j] >= '0' && thread[j] <= '9' {
				j++
			}
			if j > i+1 && j < len(thread) && thread[j] == '-' {
				return thread[:j]
			}
		}
	}
	return ""
}
