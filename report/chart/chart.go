package chart

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A Chart is one figure: the plot and a record of what it shows.
type Chart struct {
	// Name is the file name without extension: "failure-rate".
	Name  string
	Title string
	Plot  *plot.Plot
	// Series are the data drawn, in drawing order.
	Series []Series
	// Categories name the positions 0, 1, ... of a bar chart's category
	// axis.
	Categories []string
	// Note is a caveat for the reader, shown under the figure.
	Note string

	// legend is drawn beside the data area, never over it; gonum's own
	// legend sits inside the plot and hides data. Entries are ordered by
	// rank: data first, then intervals, then marks.
	legend  plot.Legend
	entries []legendEntry
	colours int
	// fixedX and fixedY keep an axis range a builder chose; other axes
	// are extended to the next round tick.
	fixedX, fixedY bool
	grid           *plotter.Grid
}

type legendEntry struct {
	rank  int
	name  string
	thumb plot.Thumbnailer
}

// Legend ranks.
const (
	rankData = iota
	rankInterval
	rankMark
	rankBand
)

// Kind says how a Series is drawn.
type Kind string

const (
	Line      Kind = "line"
	Points    Kind = "points"
	ErrorBars Kind = "error-bars" // Y from Lo to Hi at each X
	Bars      Kind = "bars"       // Y at category index X; Lo and Hi are the bar's bottom and top when stacked
	VLine     Kind = "vline"      // a vertical line at X[0]
	HLine     Kind = "hline"      // a horizontal line at Y[0]
	VBand     Kind = "vband"      // a shaded band from Lo[0] to Hi[0] along X
)

// A Series is one thing drawn.
type Series struct {
	Name   string
	Kind   Kind
	X, Y   []float64
	Lo, Hi []float64
}

// Find returns the series called name, or nil.
func (c *Chart) Find(name string) *Series {
	for i := range c.Series {
		if c.Series[i].Name == name {
			return &c.Series[i]
		}
	}
	return nil
}

// NoData is the error of a chart the input cannot feed.
type NoData struct {
	// Why is what the data lacks, for the reader.
	Why string
	// Record says what to save next time so the chart can be drawn; empty
	// when the data is complete and simply shows nothing to draw (no ID
	// was reused).
	Record string
}

// causeNoData is a NoData from a cause's summary and its "what to save"
// hint, both whole sentences written for the diagnosis ("… were saved.",
// "save the ID as …"): the report adds its own period and "save".
func causeNoData(summary, missing string) *NoData {
	record := strings.TrimSuffix(strings.TrimSpace(missing), ".")
	record = strings.TrimPrefix(record, "save ")
	return &NoData{Why: strings.TrimSuffix(strings.TrimSpace(summary), "."), Record: record}
}

func (e *NoData) Error() string {
	if e.Record == "" {
		return "no data: " + e.Why
	}
	return "no data: " + e.Why + " (record " + e.Record + ")"
}

func newChart(name, title, xLabel, yLabel string) *Chart {
	p := newPlot(title, xLabel, yLabel)
	g := grid()
	p.Add(g)
	return &Chart{Name: name, Title: title, Plot: p, legend: p.Legend, grid: g}
}

// next returns the next palette colour and dash pattern.
func (c *Chart) next() (color.RGBA, []vg.Length) {
	i := c.colours
	c.colours++
	return palette[i%len(palette)], dashes[i%len(dashes)]
}

func (c *Chart) addLegend(rank int, name string, t plot.Thumbnailer) {
	if name == "" {
		return
	}
	c.entries = append(c.entries, legendEntry{rank, name, t})
}

// finish orders the legend and ends each free axis on a labelled tick,
// so that the largest value is never past the last number a reader can
// read off.
func (c *Chart) finish() *Chart {
	sort.SliceStable(c.entries, func(i, j int) bool { return c.entries[i].rank < c.entries[j].rank })
	for _, e := range c.entries {
		c.legend.Add(e.name, e.thumb)
	}
	if !c.fixedX {
		roundUp(&c.Plot.X)
	}
	if !c.fixedY {
		roundUp(&c.Plot.Y)
	}
	return c
}

func roundUp(a *plot.Axis) {
	if math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) || !(a.Max > a.Min) {
		return
	}
	t, ok := a.Tick.Marker.(niceTicks)
	if !ok {
		return
	}
	// 1% of headroom keeps a line at the largest value off the frame.
	step, _ := niceStep((a.Max - a.Min) / float64(max(t.n, 2)))
	a.Max = math.Ceil((a.Max+0.01*(a.Max-a.Min))/step-1e-9) * step
}

// finite keeps the points where both coordinates are numbers: gonum
// refuses NaN and infinities, and a gap is the honest rendering of a
// window without data.
func finite(xs, ys []float64) (plotter.XYs, []float64, []float64) {
	var xy plotter.XYs
	var kx, ky []float64
	for i := range min(len(xs), len(ys)) {
		x, y := xs[i], ys[i]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: x, Y: y})
		kx, ky = append(kx, x), append(ky, y)
	}
	return xy, kx, ky
}

// line draws a polyline through the finite points, broken where a
// value is missing (NaN) rather than bridged.
func (c *Chart) line(name string, xs, ys []float64, col color.Color, dash []vg.Length, width vg.Length) error {
	return c.lineFill(name, xs, ys, col, dash, width, nil)
}

// area is a line with the area below it filled.
func (c *Chart) area(name string, xs, ys []float64, col color.RGBA, width vg.Length) error {
	return c.lineFill(name, xs, ys, col, nil, width, translucent(col, 0.3))
}

func (c *Chart) lineFill(name string, xs, ys []float64, col color.Color, dash []vg.Length, width vg.Length, fill color.Color) error {
	style := draw.LineStyle{Color: col, Width: width, Dashes: dash}
	var seg plotter.XYs
	var legendLine *plotter.Line
	flush := func() error {
		if len(seg) == 0 {
			return nil
		}
		l, err := plotter.NewLine(seg)
		if err != nil {
			return err
		}
		l.LineStyle = style
		l.FillColor = fill
		c.Plot.Add(l)
		if legendLine == nil {
			legendLine = l
		}
		seg = nil
		return nil
	}
	for i := range min(len(xs), len(ys)) {
		if bad(xs[i]) || bad(ys[i]) {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		seg = append(seg, plotter.XY{X: xs[i], Y: ys[i]})
	}
	if err := flush(); err != nil {
		return err
	}
	if legendLine == nil {
		return nil
	}
	c.addLegend(rankData, name, legendLine)
	_, kx, ky := finite(xs, ys)
	c.Series = append(c.Series, Series{Name: name, Kind: Line, X: kx, Y: ky})
	return nil
}

func bad(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// points draws markers at the finite points.
func (c *Chart) points(name string, xs, ys []float64, col color.Color, shape draw.GlyphDrawer, radius vg.Length) error {
	xy, kx, ky := finite(xs, ys)
	if len(xy) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: radius, Shape: shape}
	c.Plot.Add(s)
	c.addLegend(rankData, name, s)
	c.Series = append(c.Series, Series{Name: name, Kind: Points, X: kx, Y: ky})
	return nil
}

// intervals draws vertical error bars from lo to hi (absolute values).
func (c *Chart) intervals(name string, xs, ys, lo, hi []float64, col color.Color) error {
	var e intervalData
	var s Series
	for i := range xs {
		if i >= len(ys) || i >= len(lo) || i >= len(hi) {
			break
		}
		v := []float64{xs[i], ys[i], lo[i], hi[i]}
		ok := true
		for _, x := range v {
			ok = ok && !math.IsNaN(x) && !math.IsInf(x, 0)
		}
		if !ok {
			continue
		}
		e.xy = append(e.xy, plotter.XY{X: xs[i], Y: ys[i]})
		e.err = append(e.err, struct{ Low, High float64 }{max(ys[i]-lo[i], 0), max(hi[i]-ys[i], 0)})
		s.X, s.Y, s.Lo, s.Hi = append(s.X, xs[i]), append(s.Y, ys[i]), append(s.Lo, lo[i]), append(s.Hi, hi[i])
	}
	if len(e.xy) == 0 {
		return nil
	}
	b, err := plotter.NewYErrorBars(e)
	if err != nil {
		return err
	}
	b.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1)}
	b.CapWidth = vg.Points(4)
	c.Plot.Add(b)
	s.Name, s.Kind = name, ErrorBars
	c.addLegend(rankInterval, name, barThumb{b.LineStyle})
	c.Series = append(c.Series, s)
	return nil
}

// intervalData is a plotter.XYer and YErrorer for error bars.
type intervalData struct {
	xy  plotter.XYs
	err plotter.YErrors
}

func (d intervalData) Len() int                        { return len(d.xy) }
func (d intervalData) XY(i int) (float64, float64)     { return d.xy[i].X, d.xy[i].Y }
func (d intervalData) YError(i int) (float64, float64) { return d.err[i].Low, d.err[i].High }

// barThumb is the legend entry of error bars: one capped bar.
type barThumb struct{ style draw.LineStyle }

func (t barThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	capW := vg.Points(2)
	c.StrokeLine2(t.style, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(t.style, x-capW, c.Min.Y, x+capW, c.Min.Y)
	c.StrokeLine2(t.style, x-capW, c.Max.Y, x+capW, c.Max.Y)
}

// vline marks x with a vertical line across the data area.
func (c *Chart) vline(name string, x float64, col color.Color, dash []vg.Length) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return
	}
	v := vertical{x: x, style: draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: dash}}
	c.Plot.Add(v)
	c.addLegend(rankMark, name, v)
	c.Series = append(c.Series, Series{Name: name, Kind: VLine, X: []float64{x}})
}

// hline marks y with a horizontal line across the data area.
func (c *Chart) hline(name string, y float64, col color.Color, dash []vg.Length) {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return
	}
	h := horizontal{y: y, style: draw.LineStyle{Color: col, Width: vg.Points(1.2), Dashes: dash}}
	c.Plot.Add(h)
	c.addLegend(rankMark, name, h)
	c.Series = append(c.Series, Series{Name: name, Kind: HLine, Y: []float64{y}})
}

// vband shades the interval [lo, hi] of the x axis.
func (c *Chart) vband(name string, lo, hi float64, col color.Color) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || hi < lo {
		return
	}
	b := band{lo: lo, hi: hi, fill: col}
	c.Plot.Add(b)
	c.addLegend(rankBand, name, b)
	c.Series = append(c.Series, Series{Name: name, Kind: VBand, Lo: []float64{lo}, Hi: []float64{hi}})
}

// vertical is a plot.Plotter drawing a line at x over the whole height.
type vertical struct {
	x     float64
	style draw.LineStyle
}

func (v vertical) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	if x < c.Min.X-1 || x > c.Max.X+1 {
		return
	}
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// DataRange widens the x axis to x and leaves y alone.
func (v vertical) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.x, v.x, math.Inf(1), math.Inf(-1)
}

func (v vertical) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// horizontal is a plot.Plotter drawing a line at y over the whole width.
type horizontal struct {
	y     float64
	style draw.LineStyle
}

func (h horizontal) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.y)
	if y < c.Min.Y-1 || y > c.Max.Y+1 {
		return
	}
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

func (h horizontal) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

func (h horizontal) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// band is a plot.Plotter shading [lo, hi] of the x axis over the whole
// height: an interval on a threshold.
type band struct {
	lo, hi float64
	fill   color.Color
}

func (b band) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := max(trX(b.lo), c.Min.X), min(trX(b.hi), c.Max.X)
	if x1 <= x0 {
		x1 = x0 + vg.Points(1) // a zero-width interval still shows
	}
	c.FillPolygon(b.fill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x0, Y: c.Max.Y}, {X: x1, Y: c.Max.Y}, {X: x1, Y: c.Min.Y}})
}

func (b band) DataRange() (xmin, xmax, ymin, ymax float64) {
	return b.lo, b.hi, math.Inf(1), math.Inf(-1)
}

func (b band) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.fill, []vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}})
}

// draw renders the chart with its legend in a column on the right.
func (c *Chart) draw(dc draw.Canvas) {
	const margin = vg.Length(6)
	dc = draw.Crop(dc, margin, -margin, margin, -margin)
	pc := dc
	if len(c.entries) > 0 {
		r := c.legend.Rectangle(dc)
		w := r.Max.X - r.Min.X
		pc = draw.Crop(dc, 0, -(w + vg.Points(10)), 0, 0)
		top := vg.Length(0)
		if c.Plot.Title.Text != "" {
			top = c.Plot.Title.TextStyle.Rectangle(c.Plot.Title.Text).Size().Y + c.Plot.Title.Padding + vg.Points(4)
		}
		lc := draw.Crop(dc, (dc.Max.X-dc.Min.X)-w, 0, 0, -top)
		c.legend.Draw(lc)
	}
	// The title spans the whole figure, legend column included, so that
	// a long one (a label in it) is not cut at the plot's edge; one wider
	// than the figure is set smaller.
	if t := c.Plot.Title; t.Text != "" {
		st := t.TextStyle
		if w := st.Width(t.Text); w > dc.Max.X-dc.Min.X {
			st.Font.Size = max(st.Font.Size*(dc.Max.X-dc.Min.X)/w, vg.Points(7))
		}
		dc.FillText(st, vg.Point{X: dc.Center().X, Y: dc.Max.Y + st.FontExtents().Descent}, t.Text)
		h := t.TextStyle.Rectangle(t.Text).Size().Y + t.Padding
		pc.Max.Y -= h
		c.Plot.Title.Text = ""
		defer func() { c.Plot.Title.Text = t.Text }()
	}
	c.Plot.Draw(pc)
}

// WritePNG writes the chart as a PNG of Width × Height at DPI.
func (c *Chart) WritePNG(w io.Writer) (err error) {
	defer recoverDraw(&err, c.Name)
	cv := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	c.draw(draw.New(cv))
	_, err = vgimg.PngCanvas{Canvas: cv}.WriteTo(w)
	return err
}

// WriteSVG writes the chart as SVG (fonts not embedded: the report's
// page names fallbacks with the same metrics).
func (c *Chart) WriteSVG(w io.Writer) (err error) {
	defer recoverDraw(&err, c.Name)
	cv := vgsvg.New(Width, Height)
	c.draw(draw.New(cv))
	_, err = cv.WriteTo(w)
	return err
}

// recoverDraw turns a panic inside gonum/plot (it panics on some
// degenerate inputs rather than returning errors) into an error, so that
// one odd chart costs the report a figure, not the whole run.
func recoverDraw(err *error, name string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("chart %s: %v", name, r)
	}
}

// bars draws one bar per category, at x = 0, 1, ... (y when
// horizontal). A non-nil on stacks them on an earlier set; offset shifts
// them sideways for grouped bars.
func (c *Chart) bars(name string, values []float64, col color.Color, width, offset vg.Length, on *plotter.BarChart, horizontal bool) (*plotter.BarChart, error) {
	vs := make(plotter.Values, len(values))
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		vs[i] = v
	}
	b, err := plotter.NewBarChart(vs, width)
	if err != nil {
		return nil, err
	}
	b.Color = col
	b.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	b.Horizontal = horizontal
	if on != nil {
		b.StackOn(on)
	}
	b.Offset = offset
	c.Plot.Add(b)
	c.addLegend(rankData, name, b)
	s := Series{Name: name, Kind: Bars}
	for i, v := range vs {
		bottom := on.BarHeight(i)
		s.X = append(s.X, float64(i))
		s.Y = append(s.Y, v)
		s.Lo = append(s.Lo, bottom)
		s.Hi = append(s.Hi, bottom+v)
	}
	c.Series = append(c.Series, s)
	return b, nil
}

// barWidth is the width of one bar when n categories hold groups of k
// bars, on a data area about 12 cm wide (or 6 cm tall when horizontal).
func barWidth(n, k int, horizontal bool) vg.Length {
	span, widest := 11*vg.Centimeter, 1.5*vg.Centimeter
	if horizontal {
		span, widest = 6*vg.Centimeter, 0.9*vg.Centimeter
	}
	w := min(span*0.75/vg.Length(max(n, 1)), widest)
	return w / vg.Length(max(k, 1))
}

// valueLabels writes each bar's value just past its end, so that a
// reader need not estimate it against the axis.
func (c *Chart) valueLabels(xs, ys []float64, texts []string) error {
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xyOf(xs, ys), Labels: texts})
	if err != nil {
		return err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(sans, 8)
		l.TextStyle[i].YAlign = draw.YCenter
	}
	l.Offset = vg.Point{X: vg.Points(4)}
	c.Plot.Add(l)
	return nil
}

func xyOf(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	return out
}
