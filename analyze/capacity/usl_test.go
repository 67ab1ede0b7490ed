package capacity

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/analyze/stats"
)

func near(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.8g, want %.8g (±%g relative)", name, got, want, rel)
	}
}

// SPEC SDM 91 results for a Sun SPARCcenter 2000, the specsdm91 data set
// of R's usl package (smoeding/usl; values recovered from the fitted and
// residual values in its tests/t03.Rout.save). The package's own test
// output (tests/summary.Rout.save, usl 2.0, nlxb) publishes:
//
//	        Estimate  Std. Error
//	alpha  2.773e-02   9.122e-03
//	beta   1.044e-04   1.988e-05
//	gamma  9.000e+01   1.421e+01
//	Residual standard error: 82.85 on 4 degrees of freedom
//	Multiple R-squared: 0.9896
//
// alpha is σ, beta κ and gamma λ.
var specsdm91 = []Point{
	{1, 64.9}, {18, 995.9}, {36, 1652.4}, {72, 1853.2},
	{108, 1828.9}, {144, 1775.0}, {216, 1702.2},
}

func TestUSLSpecSDM91(t *testing.T) {
	m, err := FitUSL(specsdm91)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "σ", m.Sigma, 2.773e-02, 5e-4)
	near(t, "κ", m.Kappa, 1.044e-04, 5e-4)
	near(t, "λ", m.Lambda, 9.000e+01, 5e-4)
	near(t, "SE σ", m.SigmaSE, 9.122e-03, 5e-4)
	near(t, "SE κ", m.KappaSE, 1.988e-05, 5e-4)
	near(t, "SE λ", m.LambdaSE, 1.421e+01, 5e-4)
	near(t, "RSE", m.RSE, 82.85, 5e-4)
	near(t, "R²", m.R2, 0.9896, 1e-4)
	if m.DF != 4 || len(m.Warnings) != 0 {
		t.Errorf("df %d warnings %v", m.DF, m.Warnings)
	}
	// Peak by the closed form, and the 95 % interval from t(4).
	near(t, "N*", m.NStar, math.Sqrt((1-m.Sigma)/m.Kappa), 1e-12)
	near(t, "X_max", m.XMax, m.Throughput(m.NStar), 1e-12)
	near(t, "σ CI half-width", (m.SigmaCI.Hi-m.SigmaCI.Lo)/2, 2.776445*m.SigmaSE, 1e-6)
	// X(N*) is the maximum: nearby concurrencies give less.
	for _, n := range []float64{m.NStar * 0.9, m.NStar * 1.1} {
		if m.Throughput(n) >= m.XMax {
			t.Errorf("X(%v) = %v ≥ X_max %v", n, m.Throughput(n), m.XMax)
		}
	}
	near(t, "latency", m.Latency(72), 72/m.Throughput(72), 1e-12)
}

// The measurements and fitted values of codahale/usl's model_test.go
// (unconstrained Levenberg–Marquardt): σ = 0.02671591,
// κ = 7.690945e-4, λ = 995.6486, checked there to a relative 1e-5. Both
// estimates are positive, so the bounded fit must agree.
func TestUSLCodahale(t *testing.T) {
	x := []float64{955.16, 1878.91, 2688.01, 3548.68, 4315.54, 5130.43, 5931.37, 6531.08,
		7219.8, 7867.61, 8278.71, 8646.7, 9047.84, 9426.55, 9645.37, 9897.24,
		10097.6, 10240.5, 10532.39, 10798.52, 11151.43, 11518.63, 11806, 12089.37,
		12075.41, 12177.29, 12211.41, 12158.93, 12155.27, 12118.04, 12140.4, 12074.39}
	pts := make([]Point, len(x))
	for i, v := range x {
		pts[i] = Point{float64(i + 1), v}
	}
	m, err := FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "σ", m.Sigma, 0.02671591, 1e-5)
	near(t, "κ", m.Kappa, 7.690945e-4, 1e-5)
	near(t, "λ", m.Lambda, 995.6486, 1e-5)
	near(t, "raw σ", m.RawSigma, 0.02671591, 1e-5)
	// codahale floors N* to 35 and gives X_max 12341.745 there.
	if math.Floor(m.NStar) != 35 {
		t.Errorf("N* = %v", m.NStar)
	}
	near(t, "X(35)", m.Throughput(35), 12341.745655201905, 1e-5)
	// The data stop at 32 < N* ≈ 35.
	if !slices.Contains(m.Warnings, WarnNoPointsBeyondPeak) {
		t.Errorf("warnings %v", m.Warnings)
	}
}

// Synthetic curves with known parameters are recovered exactly.
func TestUSLRecoversTruth(t *testing.T) {
	truth := &USL{Sigma: 0.05, Kappa: 0.0008, Lambda: 120}
	var pts []Point
	for _, n := range []float64{1, 2, 4, 8, 16, 24, 32, 48, 64, 96} {
		pts = append(pts, Point{n, truth.Throughput(n)})
	}
	m, err := FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "σ", m.Sigma, 0.05, 1e-6)
	near(t, "κ", m.Kappa, 0.0008, 1e-6)
	near(t, "λ", m.Lambda, 120, 1e-6)
	near(t, "R²", m.R2, 1, 1e-9)
	if len(m.Warnings) != 0 {
		t.Errorf("warnings %v", m.Warnings)
	}

	// Pure contention, no coherency: κ sits on its bound and the system
	// is limitless, approaching λ/σ.
	truth = &USL{Sigma: 0.1, Kappa: 0, Lambda: 50}
	pts = pts[:0]
	for _, n := range []float64{1, 2, 4, 8, 16, 32, 64} {
		pts = append(pts, Point{n, truth.Throughput(n) * (1 + 0.001*math.Sin(n))})
	}
	m, err = FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kappa != 0 || !m.Limitless || !math.IsInf(m.NStar, 1) {
		t.Errorf("κ = %v limitless %v N* %v", m.Kappa, m.Limitless, m.NStar)
	}
	near(t, "X_max", m.XMax, m.Lambda/m.Sigma, 1e-12)
	b, err := json.Marshal(m)
	if err != nil || !strings.Contains(string(b), `"nStar":null`) || !strings.Contains(string(b), `"sigma":`) {
		t.Errorf("JSON %s, %v", b, err)
	}
}

// Superlinear data (efficiency above 1 early on, as in Gunther, Puglia &
// Tomasette's Hadoop measurements) fit with σ < 0 unconstrained; the
// bounded fit clamps σ at 0 and warns.
func TestUSLSuperlinear(t *testing.T) {
	truth := &USL{Sigma: -0.03, Kappa: 0.0005, Lambda: 10}
	var pts []Point
	for _, n := range []float64{1, 2, 4, 6, 8, 12, 16, 24, 32, 48} {
		pts = append(pts, Point{n, truth.Throughput(n)})
	}
	m, err := FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "raw σ", m.RawSigma, -0.03, 1e-4)
	near(t, "raw κ", m.RawKappa, 0.0005, 1e-4)
	if m.Sigma != 0 || !slices.Contains(m.Warnings, WarnSuperlinear) {
		t.Errorf("σ = %v warnings %v", m.Sigma, m.Warnings)
	}
}

func TestUSLErrors(t *testing.T) {
	for _, c := range []struct {
		pts  []Point
		want error
	}{
		{nil, stats.ErrDegenerate},
		{[]Point{{1, 1}, {2, 2}, {3, 3}}, stats.ErrDegenerate},
		{[]Point{{1, 1}, {1, 2}, {2, 3}, {2, 3}}, stats.ErrDegenerate},
		{[]Point{{1, 0}, {2, 0}, {3, 0}, {4, 0}}, stats.ErrDegenerate},
		{[]Point{{1, 1}, {2, math.NaN()}, {3, 3}, {4, 4}}, stats.ErrInvalid},
		{[]Point{{0, 1}, {2, 2}, {3, 3}, {4, 4}}, stats.ErrInvalid},
		{[]Point{{1, -1}, {2, 2}, {3, 3}, {4, 4}}, stats.ErrInvalid},
	} {
		if _, err := FitUSL(c.pts); !errors.Is(err, c.want) {
			t.Errorf("FitUSL(%v): %v, want %v", c.pts, err, c.want)
		}
	}
	// Four points fit, with a warning.
	m, err := FitUSL([]Point{{1, 10}, {2, 19}, {4, 33}, {8, 50}})
	if err != nil || !slices.Contains(m.Warnings, WarnFewPoints) {
		t.Errorf("four points: %+v %v", m, err)
	}
}

func BenchmarkFitUSL(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := FitUSL(specsdm91); err != nil {
			b.Fatal(err)
		}
	}
}
