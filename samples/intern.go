package samples

// An Interner returns one shared string for equal byte slices, so that a
// label or response code repeated on millions of rows is allocated once
// (Miller 6 does the same for field names). It stops adding new strings
// once it holds Max of them, so that a high-cardinality column (URLs with
// IDs in them) cannot grow it without bound; after that it allocates.
type Interner struct {
	Max int // 0 means 4096
	m   map[string]string
}

// Bytes returns b as a string, shared with earlier equal calls.
func (in *Interner) Bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in.m[string(b)]; ok { // no allocation: the compiler special-cases this
		return s
	}
	s := string(b)
	in.add(s)
	return s
}

// String returns s, or an equal string seen earlier.
func (in *Interner) String(s string) string {
	if s == "" {
		return ""
	}
	if t, ok := in.m[s]; ok {
		return t
	}
	in.add(s)
	return s
}

func (in *Interner) add(s string) {
	max := in.Max
	if max == 0 {
		max = 4096
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < max {
		in.m[s] = s
	}
}
