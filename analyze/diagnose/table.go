package diagnose

import (
	"sort"
)

// maxDims bounds the number of features in a key. Built-in dimensions
// come first; causes append theirs.
const maxDims = 20

// A Key is one combination of feature values.
type Key [maxDims]int32

// Counts are the requests and failures in one cell.
type Counts struct {
	N, Fail int64
}

// Rate is Fail/N, 0 when N is 0.
func (c Counts) Rate() float64 {
	if c.N == 0 {
		return 0
	}
	return float64(c.Fail) / float64(c.N)
}

func (c *Counts) add(o Counts) { c.N += o.N; c.Fail += o.Fail }

// Table holds request and failure counts per feature combination.
type Table struct {
	dims  []string
	cells *cellMap
	// rows are the cells as a slice, once the pass is over (freeze): the
	// decision scans the table hundreds of times, and a slice scans
	// several times faster than a map.
	rows []row
}

type row struct {
	k Key
	c Counts
}

// freeze ends the pass: from now on the table is read through list.
func (t *Table) freeze() {
	t.rows = make([]row, 0, t.cells.len())
	t.cells.each(func(k *Key, c *Counts) { t.rows = append(t.rows, row{*k, *c}) })
	sort.Slice(t.rows, func(i, j int) bool { return keyLess(t.rows[i].k, t.rows[j].k) })
	// The map is not needed again: let it go, it is the larger copy.
	t.cells = nil
}

// list returns the cells: the frozen rows, or a snapshot while the pass
// is still going.
func (t *Table) list() []row {
	if t.rows != nil {
		return t.rows
	}
	out := make([]row, 0, t.cells.len())
	t.cells.each(func(k *Key, c *Counts) { out = append(out, row{*k, *c}) })
	return out
}

func newTable() *Table { return &Table{cells: newCellMap(0)} }

// addDim registers a feature and returns its index in Key.
func (t *Table) addDim(name string) int {
	t.dims = append(t.dims, name)
	return len(t.dims) - 1
}

// coarsenTime halves the resolution of the time dimension, merging the
// cells that coincide.
func (t *Table) coarsenTime(dim int) {
	t.rekey(func(k Key) Key {
		k[dim] >>= 1
		return k
	})
}

// rekey maps every cell's key through f, merging the cells that then
// coincide.
func (t *Table) rekey(f func(Key) Key) {
	merged := newCellMap(t.cells.len() / 2)
	t.cells.each(func(k *Key, c *Counts) { merged.add(f(*k), *c) })
	t.cells = merged
}

// A view is a set of the table's cells and which of them count as
// failures: one failure kind's population counts only its own failures,
// and a kind's fast failures see its slow ones as requests that passed
// the fast checks.
type view struct {
	keep func(Key) bool
	fail func(Key) bool // nil: every failure in a cell counts
}

func (v view) counts(k Key, c Counts) (Counts, bool) {
	if v.keep != nil && !v.keep(k) {
		return Counts{}, false
	}
	if v.fail != nil && !v.fail(k) {
		c.Fail = 0
	}
	return c, true
}

// total sums the cells of v.
func (t *Table) total(v view) Counts {
	var tot Counts
	for _, r := range t.list() {
		k, c := r.k, &r.c
		if cc, ok := v.counts(k, *c); ok {
			tot.add(cc)
		}
	}
	return tot
}

// marginal sums the cells of v by the value of one feature.
func (t *Table) marginal(dim int, v view) map[int32]Counts {
	out := map[int32]Counts{}
	for _, r := range t.list() {
		k, c := r.k, &r.c
		if cc, ok := v.counts(k, *c); ok {
			m := out[k[dim]]
			m.add(cc)
			out[k[dim]] = m
		}
	}
	return out
}

// Dim returns the index of the named feature, or -1.
func (t *Table) Dim(name string) int {
	for i, d := range t.dims {
		if d == name {
			return i
		}
	}
	return -1
}

// move takes one request out of cell from and puts it in cell to: a
// feature learnt after the request was counted (a later request turned
// out to share its ID) changes its key.
func (t *Table) move(from, to Key, failed bool) {
	c := t.cells.get(from)
	if c == nil || c.N == 0 || from == to {
		return
	}
	if c.N == 1 {
		t.cells.remove(from)
	} else {
		c.N--
		if failed {
			c.Fail--
		}
	}
	t.add(to, failed)
}

func (t *Table) add(k Key, failed bool) {
	c := Counts{N: 1}
	if failed {
		c.Fail = 1
	}
	t.cells.add(k, c)
}

// Each calls fn for every cell that keep accepts (nil keeps all), in a
// fixed order so that results do not depend on map iteration.
func (t *Table) Each(keep func(Key) bool, fn func(Key, Counts)) {
	rows := t.list()
	if t.rows == nil {
		sort.Slice(rows, func(i, j int) bool { return keyLess(rows[i].k, rows[j].k) })
	}
	for _, r := range rows {
		if keep == nil || keep(r.k) {
			fn(r.k, r.c)
		}
	}
}

func keyLess(a, b Key) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// Marginal sums cells accepted by keep by the value of one feature.
func (t *Table) Marginal(dim int, keep func(Key) bool) map[int32]Counts {
	out := map[int32]Counts{}
	for _, r := range t.list() {
		k, c := r.k, &r.c
		if keep != nil && !keep(k) {
			continue
		}
		m := out[k[dim]]
		m.add(*c)
		out[k[dim]] = m
	}
	return out
}

// Total sums the cells accepted by keep.
func (t *Table) Total(keep func(Key) bool) Counts {
	var tot Counts
	for _, r := range t.list() {
		k, c := r.k, &r.c
		if keep == nil || keep(k) {
			tot.add(*c)
		}
	}
	return tot
}

// Split sums the cells accepted by keep into a 2×2 table per stratum:
// exposed (by the indicator) or not, failed or not. Strata are named by
// stratum(k); cells where stratum returns "" are left out.
func (t *Table) Split(keep func(Key) bool, exposed func(Key) bool, stratum func(Key) string) []Stratum {
	byName := map[string]*Stratum{}
	for _, r := range t.list() {
		k, c := r.k, &r.c
		if keep != nil && !keep(k) {
			continue
		}
		name := ""
		if stratum != nil {
			name = stratum(k)
			if name == "" {
				continue
			}
		} else {
			name = "all"
		}
		s := byName[name]
		if s == nil {
			s = &Stratum{Name: name}
			byName[name] = s
		}
		if exposed(k) {
			s.Exposed.add(*c)
		} else {
			s.Unexposed.add(*c)
		}
	}
	out := make([]Stratum, 0, len(byName))
	for _, s := range byName {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// A Stratum is a 2×2 table: requests with and without a factor.
type Stratum struct {
	Name      string
	Exposed   Counts
	Unexposed Counts
}

// Informative reports whether the stratum can say anything about the
// factor: both groups present and at least one failure and one success.
func (s Stratum) Informative() bool {
	tot := s.Exposed
	tot.add(s.Unexposed)
	return s.Exposed.N > 0 && s.Unexposed.N > 0 && tot.Fail > 0 && tot.Fail < tot.N
}
