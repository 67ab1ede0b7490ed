package redact

import (
	"reflect"
	"sync"
)

// Strings passes every string reachable from v through Text, in place: the
// fields of structs, the elements of slices and arrays, the keys and
// values of maps, through pointers and interfaces. v must be a pointer (or
// hold pointers) for the rewrites to land. It is the one layer between
// the analyses and the writers: the CLI hands every result to it before
// any writer sees it, so a field added to a result tomorrow is covered
// without anyone remembering to mask it. Unexported fields cannot be
// reached and must not hold text from inputs.
//
// Map keys that meet once masked (two codes that differed only in a
// token) are merged; numeric values are added.
func Strings(v any) {
	w := &walker{cache: map[string]string{}, seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(v))
}

type walker struct {
	cache map[string]string
	seen  map[uintptr]bool
}

// maxCache bounds the memo of masked strings: results repeat their labels
// and codes (attribution rows), and Text costs microseconds.
const maxCache = 1 << 16

func (w *walker) text(s string) string {
	if t, ok := w.cache[s]; ok {
		return t
	}
	t := Text(s)
	if len(w.cache) < maxCache {
		w.cache[s] = t
	}
	return t
}

func (w *walker) walk(v reflect.Value) {
	if !v.IsValid() || !hasStrings(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if t := w.text(v.String()); t != v.String() {
				v.SetString(t)
			}
		}
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			w.walk(e)
			return
		}
		if !v.CanSet() {
			return
		}
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		w.walk(c)
		v.Set(c)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				w.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		t := v.Type()
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			k := reflect.New(t.Key()).Elem()
			k.Set(it.Key())
			w.walk(k)
			e := reflect.New(t.Elem()).Elem()
			e.Set(it.Value())
			w.walk(e)
			if old := out.MapIndex(k); old.IsValid() {
				e = merge(old, e)
			}
			out.SetMapIndex(k, e)
		}
		v.Set(out)
	}
}

// merge adds numbers; for anything else the first value stays.
func merge(a, b reflect.Value) reflect.Value {
	c := reflect.New(a.Type()).Elem()
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.SetInt(a.Int() + b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.SetUint(a.Uint() + b.Uint())
	case reflect.Float32, reflect.Float64:
		c.SetFloat(a.Float() + b.Float())
	default:
		c.Set(a)
	}
	return c
}

var stringTypes sync.Map // reflect.Type → bool

// hasStrings reports whether values of t can hold a string the walker
// reaches (a float slice, a time.Time need no visit).
func hasStrings(t reflect.Type) bool {
	if v, ok := stringTypes.Load(t); ok {
		return v.(bool)
	}
	// Assume yes while looking, for recursive types.
	stringTypes.Store(t, true)
	has := false
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		has = true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		has = hasStrings(t.Elem())
	case reflect.Map:
		has = hasStrings(t.Key()) || hasStrings(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() && hasStrings(t.Field(i).Type) {
				has = true
				break
			}
		}
	}
	stringTypes.Store(t, has)
	return has
}
