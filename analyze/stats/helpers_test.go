package stats

import (
	"math"
	"testing"
)

// near fails unless got is within tol of want, absolutely or relative to
// |want| when that is larger than 1.
func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol*max(1, math.Abs(want)) {
		t.Errorf("%s = %.8g, want %.8g (±%g)", name, got, want, tol)
	}
}
