// Package chart draws the figures of the capacity report with gonum/plot,
// the only package that imports it.
//
// Each chart is a function from analysis results to a *Chart: the
// gonum plot plus a record of what was drawn (Series), so that tests and
// the report's tables check the data the reader sees, not only that an
// image exists. A chart whose data the input does not hold returns a
// *NoData error saying why and what to record next time.
//
// The look is fixed in one place (style.go): 16 cm × 9 cm, a sans-serif
// face, the Okabe–Ito palette (safe for the common colour-vision
// deficiencies) with dash patterns as a second cue for greyscale print,
// and the legend beside the data rather than over it. Text that comes
// from inputs (labels, response codes) is passed through redact.Text and
// shortened before it reaches a plot; the SVG writer escapes it.
package chart
