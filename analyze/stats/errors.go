package stats

import (
	"errors"
	"fmt"
	"math"
)

// The sentinel errors. Functions wrap them with detail; test with errors.Is.
var (
	// ErrEmpty means there was nothing to compute on: no values, no trials.
	ErrEmpty = errors.New("stats: no data")
	// ErrInvalid means an argument is out of its domain: NaN or infinite
	// values, negative counts, k > n, slices of different lengths, a
	// probability or confidence level outside (0, 1).
	ErrInvalid = errors.New("stats: invalid input")
	// ErrDegenerate means the data are well formed but carry no
	// information for the question: zero variance, a single group, a table
	// with an empty margin.
	ErrDegenerate = errors.New("stats: degenerate data")
	// ErrSingular means a matrix that must be inverted is singular or
	// nearly so (collinear covariates, fewer informative rows than
	// parameters).
	ErrSingular = errors.New("stats: singular matrix")
	// ErrSeparation means maximum likelihood does not exist because the
	// outcome is perfectly (or quasi-perfectly) predicted; use Firth's
	// penalised likelihood instead.
	ErrSeparation = errors.New("stats: perfect separation")
	// ErrNoConvergence means an iterative fit stopped before converging.
	ErrNoConvergence = errors.New("stats: did not converge")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// finite reports whether every value is neither NaN nor infinite.
func finite(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
