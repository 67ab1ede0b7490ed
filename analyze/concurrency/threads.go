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
	cur   map[string]int
	total int
}

// maxEngines bounds the engines kept apart: the keys come from the input,
// and a file with a million thread-name prefixes must not make a million
// entries. Past it, new engines share one entry (their counts replace each
// other instead of adding up).
const maxEngines = 1024

// otherEngines is the shared entry past maxEngines.
const otherEngines = "\x00other"

// NewThreads returns an empty count.
func NewThreads() *Threads { return &Threads{cur: map[string]int{}} }

// Observe notes r's count and returns the run's active threads when r
// started, or -1 when r records no thread count (HAR, thread_counts=false,
// or JMeter's 0 on a row it did not fill).
func (t *Threads) Observe(r *samples.Sample) int {
	if r.Has&samples.FieldThreads == 0 || r.AllThreads <= 0 {
		return -1
	}
	e := Engine(r)
	old, ok := t.cur[e]
	if !ok && len(t.cur) >= maxEngines {
		e = otherEngines
		old = t.cur[e]
	}
	t.cur[e] = r.AllThreads
	t.total += r.AllThreads - old
	return t.total
}

// Engines is how many load generators were told apart so far.
func (t *Threads) Engines() int { return len(t.cur) }

// Engine names the load generator r ran on (see Threads).
func Engine(r *samples.Sample) string {
	if p := distributedPrefix(r.Thread); p != "" {
		return "engine " + p
	}
	if r.Hostname != "" {
		return "host " + r.Hostname
	}
	return "file " + r.Source
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
