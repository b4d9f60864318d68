package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/sweepml/sweep/report/chart"
	"github.com/sweepml/sweep/study"
)

// The figures over parameters: slices, importance, the heat map and
// parallel coordinates.

// categorical reports whether a parameter's values are placed by index.
func categorical(prm study.Parameter) bool {
	return prm.Distribution == study.Categorical || prm.Distribution == study.Constant
}

// paramAxis is the axis of a parameter: its values as categories, or a
// log axis for a log-distributed one, labelled in its own units.
func paramAxis(prm study.Parameter) chart.Axis {
	a := chart.Axis{Label: prm.Name}
	switch {
	case categorical(prm):
		a.Scale = chart.Category
		for _, v := range prm.Values {
			a.Categories = append(a.Categories, study.FormatValue(v))
		}
	case prm.Distribution == study.LogUniformValues:
		a.Scale, a.Label = chart.Log, prm.Name+" (log scale)"
	}
	return a
}

// paramX is where a parameter's value sits on its axis.
func paramX(prm study.Parameter, v any) float64 {
	if categorical(prm) {
		return float64(prm.Index(v))
	}
	f, _ := study.AsNumber(v)
	return f
}

// jitter spreads a trial's point within a category's slot, the same way
// on every call.
func jitter(number int) float64 {
	return (math.Mod(float64(number)*0.618034, 1) - 0.5) * 0.4
}

// slicePlot draws the metric against one parameter, each point coloured
// by its trial's number.
func slicePlot(spec *study.Spec, r *Report, index int) *chart.Chart {
	prm := spec.Parameters[index]
	c := chart.New("Slice: "+r.Metric+" against "+prm.Name, "", r.Metric)
	c.X = paramAxis(prm)
	last := max(len(r.Trials)-1, 1)
	for _, t := range r.finished() {
		if t.Params[index].Inactive {
			continue // its when: did not hold: no value to place
		}
		x := paramX(prm, t.Params[index].Value)
		if categorical(prm) {
			x += jitter(t.Number)
		}
		col := chart.Viridis(float64(t.Number) / float64(last))
		st := chart.Style{Fill: col, Stroke: "#fff", Width: 0.5, Class: "pt"}
		if t.State == study.Pruned {
			st = chart.Style{Fill: "#fff", Stroke: col, Width: 1.2, Class: "pt"}
		}
		c.Point(x, t.Value, st, t.Number)
	}
	c.Legend("complete", chart.Style{Fill: chart.Viridis(0.5)}, "point")
	c.Legend("pruned", chart.Style{Fill: "#fff", Stroke: chart.Viridis(0.5), Width: 1.2}, "point")
	c.ColorKey("trial number", 0, float64(last), false)
	return c
}

// importance draws each parameter's η² as a bar with its 95% bootstrap
// interval, the most important at the top.
func importance(r *Report) *chart.Chart {
	c := chart.New("Parameter importance (η², 95% bootstrap interval)", "share of "+r.Metric+"'s variance explained (η²)", "")
	effects := slices.Clone(r.Parameters)
	slices.SortStableFunc(effects, func(a, b ParamEffect) int { return cmpFloat(a.Importance, b.Importance) })
	c.Y.Scale = chart.Category
	for i, pe := range effects {
		c.Y.Categories = append(c.Y.Categories, pe.Name)
		y := float64(i)
		c.Rect(0, y-0.3, pe.Importance, y+0.3, chart.Style{Fill: chart.Palette[0], Opacity: 0.8}, chart.NoTrial)
		iv := pe.ImportanceInterval
		c.Line([]float64{iv.Low, iv.High}, []float64{y, y}, chart.Style{Stroke: "#000", Width: 1.5}, chart.NoTrial)
		for _, x := range []float64{iv.Low, iv.High} {
			c.Line([]float64{x, x}, []float64{y - 0.12, y + 0.12}, chart.Style{Stroke: "#000", Width: 1.5}, chart.NoTrial)
		}
		c.Text(math.Min(iv.High+0.02, 0.92), y+0.22, fmt.Sprintf("%.2f [%.2f, %.2f]", pe.Importance, iv.Low, iv.High), "start", "")
	}
	c.X.Include(0, 1)
	c.X.Tight = true
	c.Legend("η² of the compared trials", chart.Style{Fill: chart.Palette[0], Opacity: 0.8}, "rect")
	c.Legend("95% bootstrap interval", chart.Style{Stroke: "#000", Width: 1.5}, "line")
	return c
}

// heatmap draws the mean metric over the two most important parameters'
// groups (values, or quartile bins), with every compared trial on top.
func heatmap(spec *study.Spec, r *Report) *chart.Chart {
	order := make([]int, len(r.Parameters))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return -cmpFloat(r.Parameters[a].Importance, r.Parameters[b].Importance) })
	ix, iy := order[0], order[1]
	px, py := spec.Parameters[ix], spec.Parameters[iy]
	c := chart.New(fmt.Sprintf("Heat map: mean %s over %s and %s", r.Metric, px.Name, py.Name), px.Name, py.Name)
	var compared []study.Trial // where both exist
	for _, t := range r.compared() {
		if !t.Params[ix].Inactive && !t.Params[iy].Inactive {
			compared = append(compared, t)
		}
	}
	bx, lx := bins(px, ix, compared)
	by, ly := bins(py, iy, compared)
	c.X = chart.Axis{Label: px.Name, Scale: chart.Category, Categories: lx}
	c.Y = chart.Axis{Label: py.Name, Scale: chart.Category, Categories: ly}
	sum := make([][]float64, len(lx))
	count := make([][]int, len(lx))
	for i := range sum {
		sum[i], count[i] = make([]float64, len(ly)), make([]int, len(ly))
	}
	for _, t := range compared {
		sum[bx[t.Number]][by[t.Number]] += t.Value
		count[bx[t.Number]][by[t.Number]]++
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range sum {
		for j := range sum[i] {
			if count[i][j] > 0 {
				m := sum[i][j] / float64(count[i][j])
				lo, hi = min(lo, m), max(hi, m)
			}
		}
	}
	for i := range sum {
		for j := range sum[i] {
			if count[i][j] == 0 {
				continue
			}
			m := sum[i][j] / float64(count[i][j])
			t := 0.5
			if hi > lo {
				t = (m - lo) / (hi - lo)
			}
			x, y := float64(i), float64(j)
			c.Rect(x-0.5, y-0.5, x+0.5, y+0.5, chart.Style{Fill: chart.Viridis(t)}, chart.NoTrial)
			ink := "#000"
			if t < 0.55 { // Viridis is dark below the middle
				ink = "#fff"
			}
			c.Text(x, y-0.38, fmt.Sprintf("%s (%d)", spec.Metric.Format(m), count[i][j]), "middle", ink)
		}
	}
	for _, t := range compared {
		c.Point(float64(bx[t.Number])+jitter(t.Number), float64(by[t.Number])+jitter(t.Number*7+3), chart.Style{Fill: "#fff", Stroke: "#000", Width: 0.6, Radius: 2.5, Class: "pt"}, t.Number)
	}
	if lo <= hi {
		c.ColorKey("mean "+r.Metric, lo, hi, false)
	}
	c.Legend("a trial", chart.Style{Fill: "#fff", Stroke: "#000", Width: 0.6, Radius: 2.5}, "point")
	return c
}

// bins places each trial (by number) in one of the parameter's groups and
// names the groups.
func bins(prm study.Parameter, index int, trials []study.Trial) (map[int]int, []string) {
	of := map[int]int{}
	var labels []string
	for i, g := range groupsOf(prm, index, trials) {
		labels = append(labels, groupLabel(g))
		for _, o := range g {
			of[o.trial] = i
		}
	}
	return of, labels
}

// parallel draws one line per finished trial across an axis per
// parameter and one for the metric, each scaled to its range, coloured by
// the metric with the best drawn on top.
func parallel(spec *study.Spec, r *Report) *chart.Chart {
	c := chart.New("Parallel coordinates", "", "each axis scaled to its range")
	var finished []study.Trial // those with every parameter: a line needs a point on each axis
	for _, t := range r.finished() {
		if len(study.Active(t.Params)) == len(t.Params) {
			finished = append(finished, t)
		}
	}
	axes := len(spec.Parameters) + 1
	c.X = chart.Axis{Scale: chart.Category}
	lo, hi := make([]float64, axes), make([]float64, axes)
	coord := func(t study.Trial, a int) float64 {
		if a == axes-1 {
			return t.Value
		}
		v := paramX(spec.Parameters[a], t.Params[a].Value)
		if spec.Parameters[a].Distribution == study.LogUniformValues {
			return math.Log10(v)
		}
		return v
	}
	for a := range axes {
		lo[a], hi[a] = math.Inf(1), math.Inf(-1)
		if a < axes-1 && categorical(spec.Parameters[a]) {
			lo[a], hi[a] = 0, float64(len(spec.Parameters[a].Values)-1)
		}
		for _, t := range finished {
			lo[a], hi[a] = min(lo[a], coord(t, a)), max(hi[a], coord(t, a))
		}
	}
	scale := func(a int, v float64) float64 {
		if !(hi[a] > lo[a]) {
			return 0.5
		}
		return (v - lo[a]) / (hi[a] - lo[a])
	}
	slices.SortStableFunc(finished, func(a, b study.Trial) int {
		return cmpFloat(spec.Metric.Score(a.Value), spec.Metric.Score(b.Value))
	})
	for _, t := range finished {
		xs, ys := make([]float64, axes), make([]float64, axes)
		for a := range axes {
			xs[a], ys[a] = float64(a), scale(a, coord(t, a))
		}
		st := chart.Style{Stroke: chart.Viridis(scale(axes-1, t.Value)), Width: 1.4, Opacity: 0.8}
		if t.State == study.Pruned {
			st.Dash = "3 2"
		}
		c.Line(xs, ys, st, t.Number)
	}
	for a := range axes {
		c.Rule(float64(a), "", chart.Style{Stroke: "#444", Width: 1})
		name, lab := r.Metric, func(v float64) string { return chart.Number(roundTo(v, 4)) }
		if a < axes-1 {
			prm := spec.Parameters[a]
			name = prm.Name
			lab = func(v float64) string { return axisValue(prm, v) }
			if categorical(prm) {
				for i := range prm.Values {
					c.Text(float64(a)+0.04, scale(a, float64(i)), lab(float64(i)), "start", "")
				}
			}
		}
		c.X.Categories = append(c.X.Categories, name)
		if a == axes-1 || !categorical(spec.Parameters[a]) {
			c.Text(float64(a)+0.04, 1, lab(hi[a]), "start", "")
			c.Text(float64(a)+0.04, 0, lab(lo[a]), "start", "")
		}
	}
	c.Y.Include(0, 1)
	if len(finished) > 0 {
		c.ColorKey(r.Metric, lo[axes-1], hi[axes-1], false)
	}
	c.Legend("pruned: dashed", chart.Style{Stroke: "#444", Dash: "3 2"}, "line")
	return c
}

// axisValue labels a position on a parameter's parallel axis in the
// parameter's units.
func axisValue(prm study.Parameter, v float64) string {
	switch {
	case categorical(prm):
		if i := int(v); i >= 0 && i < len(prm.Values) && !math.IsInf(v, 0) {
			return study.FormatValue(prm.Values[i])
		}
	case prm.Distribution == study.LogUniformValues:
		return chart.Number(roundTo(math.Pow(10, v), 3))
	}
	return chart.Number(roundTo(v, 4))
}

// roundTo rounds to n significant digits.
func roundTo(v float64, n int) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}
