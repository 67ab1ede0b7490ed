package chart

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/jtlscope/jtlscope/samples/redact"
)

// Size of every chart: a half-page figure in an A4 or Letter document,
// and 945 × 531 pixels in PNG.
const (
	Width  = 16 * vg.Centimeter
	Height = 9 * vg.Centimeter
	DPI    = 150
)

// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008),
// distinguishable with protanopia, deuteranopia and tritanopia. Yellow is
// left out: it vanishes on white paper.
var (
	Blue      = color.RGBA{0, 114, 178, 255}
	Vermilion = color.RGBA{213, 94, 0, 255}
	Green     = color.RGBA{0, 158, 115, 255} // bluish green
	Orange    = color.RGBA{230, 159, 0, 255}
	Purple    = color.RGBA{204, 121, 167, 255} // reddish purple
	SkyBlue   = color.RGBA{86, 180, 233, 255}
	Black     = color.RGBA{0, 0, 0, 255}
	Grey      = color.RGBA{140, 140, 140, 255}
)

// palette is the order series take colours in. Success is green and
// failure vermilion wherever both appear, so the cycle starts elsewhere.
var palette = []color.RGBA{Blue, Orange, Green, Vermilion, Purple, SkyBlue, Black, Grey}

// dashes give each series of a multi-line chart a second cue besides
// colour, for greyscale printing.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
	{vg.Points(4), vg.Points(4)},
	{vg.Points(1), vg.Points(3)},
	{vg.Points(10), vg.Points(4)},
	{vg.Points(3), vg.Points(2), vg.Points(1), vg.Points(2)},
}

// translucent returns c at the given opacity.
func translucent(c color.RGBA, alpha float64) color.Color {
	return color.NRGBA{c.R, c.G, c.B, uint8(math.Round(alpha * 255))}
}

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// newPlot returns a plot in the house style: sans-serif text sized for a
// printed page, light grid, round ticks.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansBold, 11)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 9.5)
		a.Label.Padding = vg.Points(3)
		a.Tick.Label.Font = font.From(sans, 8.5)
		a.Tick.Length = vg.Points(4)
		a.Tick.Marker = niceTicks{n: 6}
		a.LineStyle.Color = Grey
		a.Tick.LineStyle.Color = Grey
		a.Padding = vg.Points(2)
	}
	p.Legend.TextStyle.Font = font.From(sans, 8.5)
	p.Legend.ThumbnailWidth = vg.Points(22)
	p.Legend.Padding = vg.Points(3)
	p.Legend.Top, p.Legend.Left = true, true
	return p
}

func grid() *plotter.Grid {
	g := plotter.NewGrid()
	st := draw.LineStyle{Color: color.RGBA{225, 225, 225, 255}, Width: vg.Points(0.5)}
	g.Vertical, g.Horizontal = st, st
	return g
}

// niceTicks puts about n labelled ticks at round values (1, 2, 2.5 or 5
// times a power of ten), with an unlabelled minor tick between each pair.
// gonum's default asks for three, which leaves a printed axis hard to
// read off.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo, 0)}}
	}
	step, decimals := niceStep((hi - lo) / float64(max(t.n, 2)))
	var out []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 || i > 100 {
			break
		}
		out = append(out, plot.Tick{Value: v, Label: formatTick(v, decimals)})
	}
	for i := -1; ; i++ {
		v := first + (float64(i)+0.5)*step
		if v > hi || i > 100 {
			break
		}
		if v >= lo {
			out = append(out, plot.Tick{Value: v})
		}
	}
	return out
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten and says
// how many decimals its multiples need.
func niceStep(raw float64) (float64, int) {
	k := math.Floor(math.Log10(raw))
	mag := math.Pow(10, k)
	var m float64
	for _, c := range []float64{1, 2, 2.5, 5, 10} {
		if raw/mag <= c+1e-9 {
			m = c
			break
		}
	}
	if m == 10 {
		m, k, mag = 1, k+1, mag*10
	}
	decimals := max(0, -int(k))
	if m == 2.5 {
		decimals = max(0, 1-int(k))
	}
	return m * mag, decimals
}

// formatTick writes a tick value with thousands separators from 10,000
// on and without "-0".
func formatTick(v float64, decimals int) string {
	if math.Abs(v) < 0.5*math.Pow(10, -float64(decimals)) {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if math.Abs(v) < 10000 {
		return s
	}
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s = b.String()
	if frac != "" {
		s += "." + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}

// maxText is the longest label, legend entry or category drawn from an
// input, in runes: a 200-character label would squeeze the data away.
const maxText = 40

// inputText makes text from an input fit for a chart: credentials
// masked, control characters and newlines flattened, long text cut in
// the middle (the end of a URL or an exception's class name is what
// tells two of them apart). The SVG writer escapes what is left.
func inputText(s string) string { return clip(flat(s), maxText) }

// flat masks credentials and flattens control characters and runs of
// space.
func flat(s string) string {
	s = redact.Text(s)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(none)"
	}
	return s
}

// clip shortens s to n runes by cutting its middle: two thirds of what is
// kept from the end, where labels and URLs differ most.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	tail := (n - 1) * 2 / 3
	head := n - 1 - tail
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// distinctTexts is inputText for a set of names shown side by side (bar
// categories, legend entries): when cutting makes two alike, they are
// cut less, up to twice maxText, so that no two bars read the same.
func distinctTexts(names []string) []string {
	out := make([]string, len(names))
	for n := maxText; ; n += 8 {
		seen := map[string]int{}
		dup := false
		for i, name := range names {
			out[i] = clip(flat(name), n)
			seen[out[i]]++
			dup = dup || (seen[out[i]] > 1 && flat(name) != out[i])
		}
		if !dup || n >= 2*maxText {
			return out
		}
	}
}

// codeText names a response code for a legend: JMeter's "Non HTTP
// response code: org.apache.http.NoHttpResponseException" becomes
// "NoHttpResponseException (non-HTTP)", which fits and still says what
// happened.
func codeText(code string) string {
	if code == "" {
		return "(no code)"
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(code), "Non HTTP response code:"); ok {
		rest = strings.TrimSpace(rest)
		if i := strings.LastIndexByte(rest, '.'); i >= 0 && i < len(rest)-1 && !strings.ContainsAny(rest, " /") {
			rest = rest[i+1:]
		}
		return inputText(rest + " (non-HTTP)")
	}
	return inputText(code)
}
