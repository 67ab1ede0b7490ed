package stats

import (
	"fmt"
	"math"
)

// MantelHaenszel is the Cochran–Mantel–Haenszel analysis of 2×2 tables
// stratified by a confounder (a concurrency plateau, a time window): the
// association of factor and failure within strata, pooled.
type MantelHaenszel struct {
	// OddsRatio is the Mantel–Haenszel pooled odds ratio
	// Σ(A·D/n) / Σ(B·C/n); its interval uses the Robins–Breslow–Greenland
	// variance of the log (consistent with many sparse strata as well as
	// with few large ones), with LogSE its standard error.
	OddsRatio Estimate `json:"oddsRatio"`
	LogSE     float64  `json:"logSE"`
	// Chi2 is the CMH statistic (|ΣA − ΣE[A]| − ½)² / ΣVar[A] with the
	// continuity correction, as R's mantelhaen.test by default, and P its
	// χ²(1) p-value; Chi2Uncorrected and PUncorrected drop the ½
	// (statsmodels' default).
	Chi2            float64 `json:"chi2"`
	P               float64 `json:"p"`
	Chi2Uncorrected float64 `json:"chi2Uncorrected"`
	PUncorrected    float64 `json:"pUncorrected"`
	// Strata is the number of tables with at least two counts, the ones
	// that carry information.
	Strata int `json:"strata"`
}

// CMH pools the 2×2 tables of the strata. Strata with fewer than two
// counts carry no information and are skipped; zero cells are fine.
//
// It returns ErrInvalid for negative counts or a bad level, ErrEmpty when
// no stratum is left, and ErrDegenerate when the pooled odds ratio is 0 or
// infinite (no stratum has both A·D and B·C positive in the needed
// direction) or the test has no variance.
func CMH(tables []Table2x2, level float64) (MantelHaenszel, error) {
	z, err := zFor(level)
	if err != nil {
		return MantelHaenszel{}, err
	}
	var sr, ss, spr, sps, sqs float64 // Σ R, Σ S and the RBG sums
	var sa, sea, sva float64
	strata := 0
	for _, t := range tables {
		if err := t.check(); err != nil {
			return MantelHaenszel{}, err
		}
		if t.N() < 2 {
			continue
		}
		strata++
		a, b, c, d := float64(t.A), float64(t.B), float64(t.C), float64(t.D)
		n := a + b + c + d
		r, s := a*d/n, b*c/n
		p, q := (a+d)/n, (b+c)/n
		sr += r
		ss += s
		spr += p * r
		sps += p*s + q*r
		sqs += q * s
		sa += a
		sea += (a + b) * (a + c) / n
		sva += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
	}
	if strata == 0 {
		return MantelHaenszel{}, fmt.Errorf("%w: no stratum has two or more counts", ErrEmpty)
	}
	if sr == 0 || ss == 0 {
		return MantelHaenszel{}, fmt.Errorf("%w: the pooled odds ratio is 0 or infinite (Σ A·D/n = %g, Σ B·C/n = %g)", ErrDegenerate, sr, ss)
	}
	if sva == 0 {
		return MantelHaenszel{}, fmt.Errorf("%w: every stratum has an empty margin", ErrDegenerate)
	}
	or := sr / ss
	// Robins, Breslow & Greenland (1986), eq. 8.
	v := spr/(2*sr*sr) + sps/(2*sr*ss) + sqs/(2*ss*ss)
	se := math.Sqrt(v)
	m := MantelHaenszel{
		OddsRatio: Estimate{Value: or, CI: Interval{
			Lo: math.Exp(math.Log(or) - z*se), Hi: math.Exp(math.Log(or) + z*se), Level: level}},
		LogSE:  se,
		Strata: strata,
	}
	dev := math.Abs(sa - sea)
	m.Chi2Uncorrected = dev * dev / sva
	m.PUncorrected = chi2Upper(m.Chi2Uncorrected, 1)
	cc := max(0, dev-0.5)
	m.Chi2 = cc * cc / sva
	m.P = chi2Upper(m.Chi2, 1)
	return m, nil
}

// Homogeneity is the Breslow–Day test that the odds ratio is the same in
// every stratum, which the pooled Mantel–Haenszel ratio assumes. A small P
// means the factor acts differently across strata (at some concurrency
// levels and not others), and the pooled ratio hides that.
type Homogeneity struct {
	Chi2 float64 `json:"chi2"`
	P    float64 `json:"p"`
	// Tarone is the statistic with Tarone's (1985) correction for using
	// the Mantel–Haenszel estimate, and PTarone its p-value.
	Tarone  float64 `json:"tarone"`
	PTarone float64 `json:"pTarone"`
	DF      int     `json:"df"`
}

// BreslowDay tests the homogeneity of the odds ratio across strata against
// χ²(K − 1), K being the number of strata whose four margins are all
// positive (the others have no variance and are skipped).
//
// It returns ErrInvalid for negative counts, and ErrDegenerate when fewer
// than two strata are usable or the pooled odds ratio is 0 or infinite.
func BreslowDay(tables []Table2x2) (Homogeneity, error) {
	mh, err := CMH(tables, 0.95)
	if err != nil {
		return Homogeneity{}, err
	}
	psi := mh.OddsRatio.Value
	var stat, sa, se, sv float64
	k := 0
	for _, t := range tables {
		r1, r2 := float64(t.A+t.B), float64(t.C+t.D)
		c1, c2 := float64(t.A+t.C), float64(t.B+t.D)
		if r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0 {
			continue
		}
		e := expectedA(r1, r2, c1, psi)
		v := 1 / (1/e + 1/(r1-e) + 1/(c1-e) + 1/(r2-c1+e))
		d := float64(t.A) - e
		stat += d * d / v
		sa += float64(t.A)
		se += e
		sv += v
		k++
	}
	if k < 2 {
		return Homogeneity{}, fmt.Errorf("%w: Breslow–Day test needs two strata with positive margins, got %d", ErrDegenerate, k)
	}
	h := Homogeneity{Chi2: stat, DF: k - 1}
	h.P = chi2Upper(stat, h.DF)
	h.Tarone = stat - (sa-se)*(sa-se)/sv
	h.PTarone = chi2Upper(h.Tarone, h.DF)
	return h, nil
}

// expectedA returns the A that gives odds ratio psi with the margins
// r1 = A+B, r2 = C+D, c1 = A+C: the root of
// (1−ψ)A² + (r2 − c1 + ψ(r1 + c1))A − ψ·r1·c1 = 0 between
// max(0, c1 − r2) and min(r1, c1).
func expectedA(r1, r2, c1, psi float64) float64 {
	lo, hi := max(0, c1-r2), min(r1, c1)
	qa := 1 - psi
	qb := r2 - c1 + psi*(r1+c1)
	qc := -psi * r1 * c1
	if math.Abs(qa) < 1e-12 {
		return -qc / qb
	}
	disc := math.Sqrt(qb*qb - 4*qa*qc)
	// The numerically stable pair of roots.
	q := -0.5 * (qb + math.Copysign(disc, qb))
	x1, x2 := q/qa, qc/q
	if x1 >= lo && x1 <= hi {
		return x1
	}
	return min(max(x2, lo), hi)
}
