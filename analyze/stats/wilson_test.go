package stats

import (
	"errors"
	"math"
	"testing"
)

// Newcombe (1998), "Two-sided confidence intervals for the single
// proportion: comparison of seven methods", Statistics in Medicine 17,
// Table II, method 3 (Wilson score without continuity correction).
func TestWilsonNewcombe(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		ci, err := Wilson(c.k, c.n, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "lo", ci.Lo, c.lo, 5e-5)
		near(t, "hi", ci.Hi, c.hi, 5e-5)
	}
}

func TestWilsonByHand(t *testing.T) {
	// 0 of 10: centre z²/2n / (1 + z²/n), half-width z/(1+z²/n)·√(z²/4n²).
	z := 1.959963984540054
	d := 1 + z*z/10
	ci, err := Wilson(0, 10, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Lo != 0 {
		t.Errorf("lo = %v", ci.Lo)
	}
	near(t, "hi", ci.Hi, (z*z/20)/d+z/d*math.Sqrt(z*z/400), 1e-12)
	ci, _ = Wilson(10, 10, 0.95)
	if ci.Hi != 1 {
		t.Errorf("hi of 10/10 = %v", ci.Hi)
	}
	// Symmetry: the interval for k is the mirror of that for n − k.
	a, _ := Wilson(3, 17, 0.9)
	b, _ := Wilson(14, 17, 0.9)
	near(t, "mirror", a.Lo, 1-b.Hi, 1e-12)

	for _, c := range []struct {
		k, n  int
		level float64
		want  error
	}{
		{0, 0, 0.95, ErrEmpty}, {3, 2, 0.95, ErrInvalid}, {-1, 2, 0.95, ErrInvalid},
		{1, 2, 1, ErrInvalid}, {1, 2, math.NaN(), ErrInvalid},
	} {
		if _, err := Wilson(c.k, c.n, c.level); !errors.Is(err, c.want) {
			t.Errorf("Wilson(%d, %d, %v): %v", c.k, c.n, c.level, err)
		}
	}
}

// Newcombe (1998), "Interval estimation for the difference between
// independent proportions: comparison of eleven methods", Statistics in
// Medicine 17, Table II, method 10.
func TestNewcombeDiff(t *testing.T) {
	for _, c := range []struct {
		k1, n1, k2, n2 int
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1},
		{10, 10, 0, 10, 0.6075, 1},
	} {
		ci, err := NewcombeDiff(c.k1, c.n1, c.k2, c.n2, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "lo", ci.Lo, c.lo, 5e-5)
		near(t, "hi", ci.Hi, c.hi, 5e-5)
	}
	if _, err := NewcombeDiff(1, 0, 0, 5, 0.95); !errors.Is(err, ErrEmpty) {
		t.Errorf("0 trials: %v", err)
	}
}
