package chart

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Size of a chart in SVG user units (pixels at 100%), and its margins: the
// legend and colour key sit in a column right of the plot area, never over
// the data.
const (
	Width, Height = 720.0, 380.0
	left, top     = 70.0, 34.0
	bottom        = 50.0
	right         = 18.0
	keyColumn     = 200.0
)

// Font is the type every chart uses.
const Font = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"

// Style is how a mark is drawn. Zero fields are left out: a line without
// Fill is not filled, a point without Radius gets 3.5.
type Style struct {
	Stroke, Fill string
	Width        float64
	Dash         string  // SVG stroke-dasharray
	Opacity      float64 // 0: opaque
	Radius       float64 // points; 0: 3.5
	Class        string  // CSS class, for the page's script and styles
}

type kind int

const (
	line kind = iota
	point
	rect
	text
)

// NoTrial marks a mark that stands for no trial (a guide, a group's bar).
const NoTrial = -1

type mark struct {
	kind   kind
	xs, ys []float64 // rect: xs = {x0, x1}, ys = {y0, y1}
	style  Style
	trial  int
	label  string // text
}

type entry struct {
	label string
	kind  kind
	style Style
}

type colorKey struct {
	label  string
	lo, hi float64
	log    bool
}

// Chart is one figure: two axes, marks in data coordinates, and a legend
// or colour key beside the plot area.
type Chart struct {
	Title string
	X, Y  Axis
	marks []mark
	rules []rule
	items []entry
	key   *colorKey
}

type rule struct {
	x     float64
	label string
	style Style
}

// New starts a chart.
func New(title, xLabel, yLabel string) *Chart {
	return &Chart{Title: title, X: Axis{Label: xLabel}, Y: Axis{Label: yLabel}}
}

// Line draws a polyline through (xs[i], ys[i]) standing for trial (or
// NoTrial), and widens the axes to hold it.
func (c *Chart) Line(xs, ys []float64, st Style, trial int) {
	c.X.Include(xs...)
	c.Y.Include(ys...)
	c.marks = append(c.marks, mark{kind: line, xs: xs, ys: ys, style: st, trial: trial})
}

// Point draws a circle at (x, y) standing for trial.
func (c *Chart) Point(x, y float64, st Style, trial int) {
	c.X.Include(x)
	c.Y.Include(y)
	c.marks = append(c.marks, mark{kind: point, xs: []float64{x}, ys: []float64{y}, style: st, trial: trial})
}

// Rect fills the rectangle between (x0, y0) and (x1, y1).
func (c *Chart) Rect(x0, y0, x1, y1 float64, st Style, trial int) {
	c.X.Include(x0, x1)
	c.Y.Include(y0, y1)
	c.marks = append(c.marks, mark{kind: rect, xs: []float64{x0, x1}, ys: []float64{y0, y1}, style: st, trial: trial})
}

// Text writes s at (x, y) in colour fill (#333 if ""), anchored "start",
// "middle" or "end", without widening the axes.
func (c *Chart) Text(x, y float64, s, anchor, fill string) {
	if fill == "" {
		fill = "#333"
	}
	c.marks = append(c.marks, mark{kind: text, xs: []float64{x}, ys: []float64{y}, label: s, style: Style{Class: anchor, Fill: fill}, trial: NoTrial})
}

// Rule draws a vertical guide at x across the plot area, labelled at its
// top.
func (c *Chart) Rule(x float64, label string, st Style) {
	c.rules = append(c.rules, rule{x, label, st})
}

// Legend adds an entry drawn like a line, point or rect mark of style st.
func (c *Chart) Legend(label string, st Style, as string) {
	k := map[string]kind{"line": line, "point": point, "rect": rect}[as]
	c.items = append(c.items, entry{label, k, st})
}

// ColorKey adds the key of a colour scale (Viridis) from lo to hi.
func (c *Chart) ColorKey(label string, lo, hi float64, log bool) {
	c.key = &colorKey{label, lo, hi, log}
}

// SVG renders the chart.
func (c *Chart) SVG() []byte {
	w := Width - left - right
	if len(c.items) > 0 || c.key != nil {
		w -= keyColumn
	}
	// A category's label may run over lines ("\n"); the plot area
	// shrinks to make room for them.
	lines := 1
	for _, cat := range c.X.Categories {
		lines = max(lines, strings.Count(cat, "\n")+1)
	}
	h := Height - top - bottom - 13*float64(lines-1)
	c.X.settle()
	c.Y.settle()
	px := func(v float64) float64 { return left + c.X.pos(v)*w }
	py := func(v float64) float64 { return top + (1-c.Y.pos(v))*h }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" font-family="%s" font-size="12" role="img">`,
		Width, Height, Width, Height, Font)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="%g" y="20" font-size="14" font-weight="600">%s</text>`, left, html.EscapeString(c.Title))
	c.drawAxes(&b, px, py, w, h)
	for _, r := range c.rules {
		x := f(px(r.x))
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%g" y2="%g"%s/>`, x, x, top, top+h, attrs(r.style))
		fmt.Fprintf(&b, `<text x="%s" y="%g" text-anchor="middle" font-size="10" fill="#555">%s</text>`, x, top-3, html.EscapeString(r.label))
	}
	b.WriteString(`<g class="marks">`)
	for _, m := range c.marks {
		// A mark that stands for no trial lets the pointer through to
		// the trial marks beneath it.
		trial := ` pointer-events="none"`
		if m.trial != NoTrial {
			trial = ` data-trial="` + strconv.Itoa(m.trial) + `"`
		}
		switch m.kind {
		case line:
			b.WriteString(`<polyline points="`)
			for i := range m.xs {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(f(px(m.xs[i])) + "," + f(py(m.ys[i])))
			}
			fmt.Fprintf(&b, `"%s%s/>`, attrs(m.style), trial)
		case point:
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%g"%s%s/>`, f(px(m.xs[0])), f(py(m.ys[0])), radius(m.style), attrs(m.style), trial)
		case text:
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="%s" font-size="10" fill="%s">%s</text>`, f(px(m.xs[0])), f(py(m.ys[0])), m.style.Class, m.style.Fill, html.EscapeString(m.label))
		case rect:
			x0, x1 := px(m.xs[0]), px(m.xs[1])
			y0, y1 := py(m.ys[0]), py(m.ys[1])
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"%s%s/>`, f(min(x0, x1)), f(min(y0, y1)), f(abs(x1-x0)), f(abs(y1-y0)), attrs(m.style), trial)
		}
	}
	b.WriteString(`</g>`)
	c.drawKey(&b, left+w+16)
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// drawAxes draws the grid, the ticks and their labels, and the axes'
// labels of a plot area w × h.
func (c *Chart) drawAxes(b *bytes.Buffer, px, py func(float64) float64, w, h float64) {
	// Grid and ticks.
	b.WriteString(`<g class="axis" stroke="#ddd">`)
	for _, t := range c.X.ticks() {
		fmt.Fprintf(b, `<line x1="%s" x2="%s" y1="%g" y2="%g"/>`, f(px(t.v)), f(px(t.v)), top, top+h)
	}
	for _, t := range c.Y.ticks() {
		fmt.Fprintf(b, `<line x1="%g" x2="%g" y1="%s" y2="%s"/>`, left, left+w, f(py(t.v)), f(py(t.v)))
	}
	fmt.Fprintf(b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#999"/></g>`, left, top, w, h)
	b.WriteString(`<g fill="#333">`)
	for _, t := range c.X.ticks() {
		fmt.Fprintf(b, `<text x="%s" y="%g" text-anchor="middle">`, f(px(t.v)), top+h+16)
		for i, l := range strings.Split(t.label, "\n") {
			fmt.Fprintf(b, `<tspan x="%s" dy="%g">%s</tspan>`, f(px(t.v)), 13*float64(min(i, 1)), html.EscapeString(l))
		}
		b.WriteString(`</text>`)
	}
	for _, t := range c.Y.ticks() {
		fmt.Fprintf(b, `<text x="%g" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, left-6, f(py(t.v)), html.EscapeString(t.label))
	}
	fmt.Fprintf(b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`, left+w/2, Height-10, html.EscapeString(c.X.Label))
	fmt.Fprintf(b, `<text transform="translate(16 %g) rotate(-90)" text-anchor="middle">%s</text></g>`, top+h/2, html.EscapeString(c.Y.Label))
}

// drawKey draws the legend entries and the colour key in the column at x.
func (c *Chart) drawKey(b *bytes.Buffer, x float64) {
	y := top + 8
	for _, e := range c.items {
		switch e.kind {
		case line:
			fmt.Fprintf(b, `<line x1="%g" x2="%g" y1="%g" y2="%g"%s/>`, x, x+22, y, y, attrs(e.style))
		case point:
			fmt.Fprintf(b, `<circle cx="%g" cy="%g" r="%g"%s/>`, x+11, y, radius(e.style), attrs(e.style))
		case rect:
			fmt.Fprintf(b, `<rect x="%g" y="%g" width="22" height="10"%s/>`, x, y-5, attrs(e.style))
		}
		fmt.Fprintf(b, `<text x="%g" y="%g" dominant-baseline="middle" font-size="11">%s</text>`, x+28, y, html.EscapeString(shorten(e.label, 28)))
		y += 18
	}
	if c.key == nil {
		return
	}
	y += 6
	fmt.Fprintf(b, `<text x="%g" y="%g" font-size="11">%s</text>`, x, y, html.EscapeString(c.key.label))
	const steps, barH = 24, 150.0
	y0 := y + 8
	for i := range steps {
		t := 1 - (float64(i)+0.5)/steps
		fmt.Fprintf(b, `<rect x="%g" y="%s" width="16" height="%s" fill="%s"/>`, x, f(y0+float64(i)*barH/steps), f(barH/steps+0.5), Viridis(t))
	}
	a := Axis{Tight: true}
	if c.key.log {
		a.Scale = Log
	}
	a.Include(c.key.lo, c.key.hi)
	a.settle()
	for _, t := range a.ticks() {
		yy := y0 + (1-a.pos(t.v))*barH
		fmt.Fprintf(b, `<text x="%g" y="%s" dominant-baseline="middle" font-size="10">%s</text>`, x+20, f(yy), html.EscapeString(t.label))
	}
}

// attrs writes a style as SVG presentation attributes.
func attrs(st Style) string {
	var b bytes.Buffer
	stroke, fill := st.Stroke, st.Fill
	if fill == "" {
		fill = "none"
	}
	if stroke != "" {
		fmt.Fprintf(&b, ` stroke="%s"`, stroke)
	}
	fmt.Fprintf(&b, ` fill="%s"`, fill)
	if st.Width > 0 {
		fmt.Fprintf(&b, ` stroke-width="%g"`, st.Width)
	}
	if st.Dash != "" {
		fmt.Fprintf(&b, ` stroke-dasharray="%s"`, st.Dash)
	}
	if st.Opacity > 0 {
		fmt.Fprintf(&b, ` opacity="%g"`, st.Opacity)
	}
	if st.Class != "" {
		fmt.Fprintf(&b, ` class="%s"`, st.Class)
	}
	return b.String()
}

// shorten cuts a legend label to n characters, marking the cut.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func radius(st Style) float64 {
	if st.Radius > 0 {
		return st.Radius
	}
	return 3.5
}

// f formats a pixel coordinate to a tenth.
func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
