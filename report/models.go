package report

import (
	"strings"

	"github.com/sweepml/sweep/record"
	"github.com/sweepml/sweep/report/chart"
	"github.com/sweepml/sweep/study"
)

// The figures of a sweep over models (arch or impl among its parameters).

// models draws each configuration's metric as a bar, best first, with its
// 95% interval over repeats.
func models(r *Report) *chart.Chart {
	c := chart.New("The models compared", "", r.Metric+" (95% interval)")
	c.X.Scale = chart.Category
	for i, row := range r.Ranked {
		var kv []string
		for _, prm := range row.Params {
			kv = append(kv, study.FormatValue(prm.Value))
		}
		c.X.Categories = append(c.X.Categories, strings.Join(kv, "\n"))
		x := float64(i)
		c.Point(x, row.Mean, chart.Style{Fill: chart.Palette[0], Radius: 5, Class: "pt"}, row.Trial)
		if iv := row.Interval; iv.Known() {
			c.Line([]float64{x, x}, []float64{iv.Low, iv.High}, chart.Style{Stroke: chart.Palette[0], Width: 2}, row.Trial)
		}
	}
	c.Legend("mean over seeds", chart.Style{Fill: chart.Palette[0], Radius: 5}, "point")
	c.Legend("95% interval", chart.Style{Stroke: chart.Palette[0], Width: 2}, "line")
	return c
}

// modelCurves overlays each configuration's mean validation accuracy per
// epoch.
func modelCurves(r *Report) *chart.Chart {
	c := chart.New("The models' learning curves", "epoch", "validation accuracy (mean over seeds)")
	for i, row := range r.Ranked {
		t := r.trial(row.Trial)
		xs, ys := meanCurve(t, record.ValAccuracy)
		st := chart.Style{Stroke: chart.Palette[i%len(chart.Palette)], Width: 1.8}
		if i >= len(chart.Palette) {
			st.Dash = "5 2"
		}
		c.Line(xs, ys, st, row.Trial)
		c.Legend(label(row), st, "line")
	}
	return c
}
