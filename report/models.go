package report

import (
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sweepml/sweep/study"
)

// The figures of a sweep over models (arch or impl among its parameters).

// models draws each configuration's metric as a bar, best first, with its
// 95% interval over repeats.
func models(r *Report) (*plot.Plot, error) {
	p := plot.New()
	var values plotter.Values
	var errs plotter.YErrors
	var names []string
	for _, row := range r.Ranked {
		values = append(values, row.Mean)
		lo, hi := 0.0, 0.0
		if row.Interval.Kind != "none" {
			lo, hi = row.Mean-row.Interval.Low, row.Interval.High-row.Mean
		}
		errs = append(errs, struct{ Low, High float64 }{lo, hi})
		var kv []string
		for _, prm := range row.Params {
			kv = append(kv, study.FormatValue(prm.Value))
		}
		names = append(names, strings.Join(kv, "\n"))
	}
	bars, err := plotter.NewBarChart(values, vg.Points(24))
	if err != nil {
		return nil, err
	}
	bars.Color = palette[0]
	p.Add(bars)
	xy := make(plotter.XYs, len(values))
	for i, v := range values {
		xy[i] = plotter.XY{X: float64(i), Y: v}
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{xy, errs})
	if err != nil {
		return nil, err
	}
	p.Add(eb)
	p.NominalX(names...)
	p.Y.Label.Text = r.Metric
	p.Y.Label.Text += " (95% interval)"
	lo := slices.Min(values)
	p.Y.Min = math.Max(0, lo-0.1*(slices.Max(values)-lo)-0.02)
	p.Add(plotter.NewGrid())
	return p, nil
}

// modelCurves overlays each configuration's mean validation accuracy per
// epoch.
func modelCurves(r *Report) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "validation accuracy (mean over seeds)"
	p.Legend.Top = false
	p.Legend.Left = false
	for i, row := range r.Ranked {
		t := r.trial(row.Trial)
		l, err := plotter.NewLine(meanCurve(t, func(e, ri int) float64 { return t.Runs[ri][e].ValAccuracy }))
		if err != nil {
			return nil, err
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(1.5)
		if i >= len(palette) {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(label(row), l)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}
