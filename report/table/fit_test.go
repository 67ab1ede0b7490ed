package table

import (
	"slices"
	"testing"
)

func TestFit(t *testing.T) {
	tb := Table{
		Header: []string{"label", "samples", "mean ms", "p95 ms", "codes"},
		Right:  []bool{false, true, true, true, false},
		Rows:   [][]string{{"upload screen recording", "6,313", "402.1", "404", "400:3,594 201:2,719"}},
		Footer: []string{"TOTAL", "6,313", "402.1", "404", "400:3,594 201:2,719"},
	}
	full := Width(tb, Text)
	if got, dropped := Fit(tb, Text, full, []int{2, 4}); dropped != nil || len(got.Header) != 5 {
		t.Errorf("a table that fits lost %v", dropped)
	}
	if got, dropped := Fit(tb, Text, 0, []int{2, 4}); dropped != nil || len(got.Header) != 5 {
		t.Errorf("width 0 lost %v", dropped)
	}
	got, dropped := Fit(tb, Text, full-1, []int{2, 4})
	if !slices.Equal(dropped, []string{"mean ms"}) || !slices.Equal(got.Header, []string{"label", "samples", "p95 ms", "codes"}) {
		t.Errorf("one column too wide: dropped %v, header %v", dropped, got.Header)
	}
	if !slices.Equal(got.Right, []bool{false, true, true, false}) || !slices.Equal(got.Footer, []string{"TOTAL", "6,313", "404", "400:3,594 201:2,719"}) {
		t.Errorf("alignment or footer not narrowed with the header: %v %v", got.Right, got.Footer)
	}
	got, dropped = Fit(tb, Text, 30, []int{2, 4})
	if !slices.Equal(dropped, []string{"mean ms", "codes"}) || Width(got, Text) <= 30 {
		t.Errorf("cannot fit: dropped %v, width %d (the narrowest is still wider than 30)", dropped, Width(got, Text))
	}
}
