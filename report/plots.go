package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/sweepml/sweep/study"
)

// Figure is one plot, rendered as SVG and PNG.
type Figure struct {
	Name  string // file name without extension, e.g. "history"
	Title string
	SVG   []byte
	PNG   []byte
}

const topCurves = 5

var (
	width, height = 7 * vg.Inch, 4 * vg.Inch
	palette       = []color.Color{
		color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
		color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
		color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff},
		color.RGBA{0x17, 0xbe, 0xcf, 0xff},
	}
)

// Plots draws the report's figures: learning curves of the top trials,
// the optimization history, one slice plot per parameter, parallel
// coordinates (darker and thicker: better ranked), and for a sweep over models (arch or impl among the
// parameters) a comparison of the models.
func Plots(spec *study.Spec, r *Report) ([]Figure, error) {
	type builder struct {
		name, title string
		build       func() (*plot.Plot, error)
	}
	builders := []builder{
		{"curves_accuracy", "Learning curves of the top trials: accuracy", func() (*plot.Plot, error) { return curves(r, false) }},
		{"curves_loss", "Learning curves of the top trials: loss", func() (*plot.Plot, error) { return curves(r, true) }},
		{"history", "Optimization history", func() (*plot.Plot, error) { return history(spec, r) }},
	}
	for i, prm := range spec.Parameters {
		builders = append(builders, builder{"slice_" + prm.Name, "Slice: " + r.Metric + " against " + prm.Name,
			func() (*plot.Plot, error) { return slicePlot(spec, r, i) }})
	}
	if len(spec.Parameters) > 1 {
		builders = append(builders, builder{"parallel", "Parallel coordinates", func() (*plot.Plot, error) { return parallel(spec, r) }})
	}
	if slices.ContainsFunc(spec.Parameters, func(p study.Parameter) bool { return p.Name == "arch" || p.Name == "impl" }) {
		builders = append(builders,
			builder{"models", "The models compared", func() (*plot.Plot, error) { return models(r) }},
			builder{"models_curves", "The models' learning curves", func() (*plot.Plot, error) { return modelCurves(r) }})
	}
	var out []Figure
	for _, b := range builders {
		p, err := b.build()
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", b.name, err)
		}
		p.Title.Text = b.title
		f := Figure{Name: b.name, Title: b.title}
		for _, format := range []string{"svg", "png"} {
			wt, err := p.WriterTo(width, height, format)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if _, err := wt.WriteTo(&buf); err != nil {
				return nil, err
			}
			if format == "svg" {
				f.SVG = buf.Bytes()
			} else {
				f.PNG = buf.Bytes()
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// label names a trial in a legend: its number and parameter values.
func label(row Row) string {
	var vals []string
	for _, p := range row.Params {
		vals = append(vals, study.FormatValue(p.Value))
	}
	return fmt.Sprintf("#%d %s", row.Trial, strings.Join(vals, " "))
}

// trial finds a trial's record.
func (r *Report) trial(number int) study.Trial {
	for _, t := range r.Trials {
		if t.Number == number {
			return t
		}
	}
	return study.Trial{}
}

// meanCurve averages a per-epoch quantity over a trial's runs.
func meanCurve(t study.Trial, get func(e int, run int) float64) plotter.XYs {
	var xy plotter.XYs
	for e := range t.Epochs() {
		var sum float64
		n := 0
		for ri, run := range t.Runs {
			if e < len(run) {
				sum += get(e, ri)
				n++
			}
		}
		xy = append(xy, plotter.XY{X: float64(e + 1), Y: sum / float64(n)})
	}
	return xy
}

func curves(r *Report, loss bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "accuracy (solid: validation, dashed: training)"
	if loss {
		p.Y.Label.Text = "loss (solid: validation, dashed: training)"
	}
	p.Legend.Top = !loss
	p.Legend.Left = true
	for i, row := range r.Ranked[:min(topCurves, len(r.Ranked))] {
		t := r.trial(row.Trial)
		for _, train := range []bool{false, true} {
			xy := meanCurve(t, func(e, ri int) float64 {
				ep := t.Runs[ri][e]
				switch {
				case loss && train:
					return ep.TrainLoss
				case loss:
					return ep.ValLoss
				case train:
					return ep.TrainAccuracy
				}
				return ep.ValAccuracy
			})
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.Color = palette[i%len(palette)]
			l.Width = vg.Points(1.5)
			if train {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			} else {
				p.Legend.Add(label(row), l)
			}
			p.Add(l)
		}
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

func history(spec *study.Spec, r *Report) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "trial"
	p.Y.Label.Text = r.Metric
	var done, pruned, best plotter.XYs
	var bestSoFar float64
	have := false
	for _, t := range r.Trials {
		switch t.State {
		case study.Complete:
			done = append(done, plotter.XY{X: float64(t.Number), Y: t.Value})
			if !have || spec.Metric.Better(t.Value, bestSoFar) {
				bestSoFar, have = t.Value, true
			}
		case study.Pruned:
			pruned = append(pruned, plotter.XY{X: float64(t.Number), Y: t.Value})
		}
		if have {
			best = append(best, plotter.XY{X: float64(t.Number), Y: bestSoFar})
		}
	}
	for _, s := range []struct {
		xy    plotter.XYs
		name  string
		shape draw.GlyphDrawer
		col   color.Color
	}{{done, "complete", draw.CircleGlyph{}, palette[0]}, {pruned, "pruned (last epoch run)", draw.RingGlyph{}, palette[7]}} {
		if len(s.xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Color = s.shape, s.col
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	if len(best) > 0 {
		l, err := plotter.NewLine(best)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = palette[3], vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("best complete so far", l)
	}
	p.Legend.Top, p.Legend.Left = spec.Metric.Minimize(), false
	p.Add(plotter.NewGrid())
	return p, nil
}

// position places a parameter value on an axis: categorical values at
// their index, log-distributed ones at their logarithm.
func position(prm study.Parameter, v any) float64 {
	if i := slices.Index(prm.Values, v); i >= 0 && (prm.Distribution == study.Categorical || prm.Distribution == study.Constant) {
		return float64(i)
	}
	f, _ := toFloat(v)
	if prm.Distribution == study.LogUniformValues {
		return math.Log10(f)
	}
	return f
}

func slicePlot(spec *study.Spec, r *Report, index int) (*plot.Plot, error) {
	prm := spec.Parameters[index]
	p := plot.New()
	p.X.Label.Text = prm.Name
	p.Y.Label.Text = r.Metric
	if prm.Distribution == study.LogUniformValues {
		p.X.Label.Text = "log10 " + prm.Name
	}
	var done, pruned plotter.XYs
	for _, t := range r.Trials {
		if t.State != study.Complete && t.State != study.Pruned {
			continue
		}
		xy := plotter.XY{X: position(prm, t.Params[index].Value), Y: t.Value}
		if t.State == study.Complete {
			done = append(done, xy)
		} else {
			pruned = append(pruned, xy)
		}
	}
	for i, xy := range []plotter.XYs{done, pruned} {
		if len(xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Color = draw.CircleGlyph{}, palette[0]
		name := "complete"
		if i == 1 {
			sc.GlyphStyle.Shape, sc.GlyphStyle.Color, name = draw.RingGlyph{}, palette[7], "pruned"
		}
		p.Add(sc)
		p.Legend.Add(name, sc)
	}
	if prm.Distribution == study.Categorical || prm.Distribution == study.Constant {
		names := make([]string, len(prm.Values))
		for i, v := range prm.Values {
			names[i] = study.FormatValue(v)
		}
		p.NominalX(names...)
		p.X.Label.Text = prm.Name
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// parallel draws one polyline per finished trial across one axis per
// parameter and one for the metric, each scaled to [0, 1]; darker lines
// are better trials.
func parallel(spec *study.Spec, r *Report) (*plot.Plot, error) {
	p := plot.New()
	var finished []study.Trial
	for _, t := range r.Trials {
		if t.State == study.Complete || t.State == study.Pruned {
			finished = append(finished, t)
		}
	}
	axes := len(spec.Parameters) + 1
	lo, hi := make([]float64, axes), make([]float64, axes)
	for a := range axes {
		lo[a], hi[a] = math.Inf(1), math.Inf(-1)
	}
	coord := func(t study.Trial, a int) float64 {
		if a == axes-1 {
			return t.Value
		}
		return position(spec.Parameters[a], t.Params[a].Value)
	}
	for _, t := range finished {
		for a := range axes {
			lo[a], hi[a] = min(lo[a], coord(t, a)), max(hi[a], coord(t, a))
		}
	}
	scale := func(a int, v float64) float64 {
		if hi[a] == lo[a] {
			return 0.5
		}
		return (v - lo[a]) / (hi[a] - lo[a])
	}
	// Worst first, so that the best trials are drawn on top.
	slices.SortStableFunc(finished, func(a, b study.Trial) int {
		sa, sb := scale(axes-1, a.Value), scale(axes-1, b.Value)
		if spec.Metric.Minimize() {
			sa, sb = 1-sa, 1-sb
		}
		switch {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return 0
	})
	for rank, t := range finished {
		var xy plotter.XYs
		for a := range axes {
			xy = append(xy, plotter.XY{X: float64(a), Y: scale(a, coord(t, a))})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		// Shade by rank, not value, so that one outlier cannot wash out
		// the differences among the rest.
		q := float64(rank) / float64(max(len(finished)-1, 1))
		shade := uint8(220 - 200*q)
		l.Color = color.RGBA{shade, shade, 255 - uint8(100*(1-q)), 255}
		l.Width = vg.Points(1 + 1.5*q)
		p.Add(l)
	}
	names := make([]string, axes)
	for a := range axes - 1 {
		names[a] = fmt.Sprintf("%s\n%s–%s", spec.Parameters[a].Name, axisValue(spec.Parameters[a], lo[a]), axisValue(spec.Parameters[a], hi[a]))
	}
	names[axes-1] = fmt.Sprintf("%s\n%.4g–%.4g", r.Metric, lo[axes-1], hi[axes-1])
	p.NominalX(names...)
	p.Y.Label.Text = "scaled to each axis's range"
	p.Add(plotter.NewGrid())
	return p, nil
}

func axisValue(prm study.Parameter, v float64) string {
	switch prm.Distribution {
	case study.Categorical, study.Constant:
		if i := int(v); i >= 0 && i < len(prm.Values) && !math.IsInf(v, 0) {
			return study.FormatValue(prm.Values[i])
		}
	case study.LogUniformValues:
		return fmt.Sprintf("%.3g", math.Pow(10, v))
	}
	return fmt.Sprintf("%.4g", v)
}
