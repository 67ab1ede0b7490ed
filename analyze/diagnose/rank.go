package diagnose

import (
	"math"
	"sort"
)

// Thresholds for judging a cause from its fit. They are shares of the
// null deviance (how badly "every request fails at the same rate" fits).
const (
	// likelyAlone: a likely cause's marker alone accounts for at least this
	// much of the failure pattern.
	likelyAlone = 0.30
	// possibleAlone: below this a cause explains too little to matter.
	possibleAlone = 0.10
	// sameTol: a marker that improves the fit by less than this once
	// another is known adds nothing beyond it.
	sameTol = 0.02
	// likelyShare: a likely cause accounts for at least this share of the
	// failures (two real causes can each explain a part).
	likelyShare = 0.20
)

// binomDev is the deviance contribution of a group with n requests and k
// failures under its own rate: -2 log-likelihood at p = k/n.
func binomDev(c Counts) float64 {
	if c.N == 0 || c.Fail == 0 || c.Fail == c.N {
		return 0
	}
	n, k := float64(c.N), float64(c.Fail)
	p := k / n
	return -2 * (k*math.Log(p) + (n-k)*math.Log(1-p))
}

// deviance of the model that gives each combination of the markers its
// own failure rate, over the cells keep accepts. With no markers it is
// the null deviance. Rates of 0 and 1 are fine here (no iteration, no
// separation problem), which matters: many real causes separate failures
// from successes perfectly.
func deviance(t *Table, keep func(Key) bool, markers []func(Key) bool) float64 {
	groups := map[uint64]*Counts{}
	for k, c := range t.cells {
		if keep != nil && !keep(k) {
			continue
		}
		var g uint64
		for i, m := range markers {
			if m(k) {
				g |= 1 << i
			}
		}
		gc := groups[g]
		if gc == nil {
			gc = &Counts{}
			groups[g] = gc
		}
		gc.add(*c)
	}
	d := 0.0
	for _, c := range groups {
		d += binomDev(*c)
	}
	return d
}

// rank fits every candidate cause's marker, settles verdicts where causes
// explain each other or cannot be told apart, and sorts the findings
// most-explaining first.
func rank(t *Table, keep func(Key) bool, fs []Finding) []Finding {
	var cand []int
	for i := range fs {
		f := &fs[i]
		if f.marker != nil && f.Explained > 0 && f.Verdict != NotAssessable && f.Verdict != Unlikely {
			cand = append(cand, i)
		}
	}
	d0 := deviance(t, keep, nil)
	if d0 > 0 && len(cand) > 0 {
		markers := func(ix ...int) []func(Key) bool {
			var ms []func(Key) bool
			for _, i := range ix {
				ms = append(ms, fs[i].marker)
			}
			return ms
		}
		alone := map[int]float64{}
		for _, i := range cand {
			alone[i] = 1 - deviance(t, keep, markers(i))/d0
		}
		dAll := deviance(t, keep, markers(cand...))
		for _, i := range cand {
			var rest []int
			for _, j := range cand {
				if j != i {
					rest = append(rest, j)
				}
			}
			fit := &Fit{Alone: round3(alone[i]), Unique: round3((deviance(t, keep, markers(rest...)) - dAll) / d0)}
			for _, j := range cand {
				if j == i {
					continue
				}
				both := deviance(t, keep, markers(i, j))
				addsNothing := (deviance(t, keep, markers(j))-both)/d0 < sameTol // i adds nothing to j
				jAddsNothing := (deviance(t, keep, markers(i))-both)/d0 < sameTol
				switch {
				case addsNothing && jAddsNothing:
					fit.SameAs = append(fit.SameAs, fs[j].Cause)
				case addsNothing && alone[j] > alone[i]:
					if fit.ExplainedBy == "" || alone[j] > alone[indexOf(fs, fit.ExplainedBy)] {
						fit.ExplainedBy = fs[j].Cause
					}
				}
			}
			fs[i].Fit = fit
		}
		for _, i := range cand {
			fs[i].Verdict = judge(&fs[i], fs)
		}
	} else {
		for _, i := range cand {
			if fs[i].Verdict == Likely {
				fs[i].Verdict = Possible
			}
		}
	}
	sort.SliceStable(fs, func(a, b int) bool {
		fa, fb := &fs[a], &fs[b]
		if fa.Verdict.rank() != fb.Verdict.rank() {
			return fa.Verdict.rank() < fb.Verdict.rank()
		}
		if fa.mechanism != fb.mechanism && sameAs(fa, fb.Cause) {
			return fa.mechanism
		}
		if fa.Explained != fb.Explained {
			return fa.Explained > fb.Explained
		}
		return fitAlone(fa) > fitAlone(fb)
	})
	return fs
}

func judge(f *Finding, all []Finding) Verdict {
	fit := f.Fit
	switch {
	case fit.ExplainedBy != "":
		return Unlikely
	case fit.Alone < possibleAlone:
		return Unlikely
	case len(fit.SameAs) > 0:
		// Told apart only by what kind of cause each is: a mechanism (what
		// was wrong with the request) beats a place (which thread group).
		for _, name := range fit.SameAs {
			if other := all[indexOf(all, name)]; other.mechanism || !f.mechanism {
				return Possible
			}
		}
		if fit.Alone >= likelyAlone && f.Share >= likelyShare {
			return Likely
		}
		return Possible
	case fit.Alone >= likelyAlone && f.Share >= likelyShare:
		return Likely
	}
	return Possible
}

func indexOf(fs []Finding, cause string) int {
	for i := range fs {
		if fs[i].Cause == cause {
			return i
		}
	}
	return -1
}

func sameAs(f *Finding, cause string) bool {
	if f.Fit == nil {
		return false
	}
	for _, s := range f.Fit.SameAs {
		if s == cause {
			return true
		}
	}
	return false
}

func fitAlone(f *Finding) float64 {
	if f.Fit == nil {
		return -1
	}
	return f.Fit.Alone
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
