package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sweepml/sweep/record"
	"github.com/sweepml/sweep/report/chart"
	"github.com/sweepml/sweep/study"
)

// Figure is one plot, rendered as SVG.
type Figure struct {
	Name  string // file name without extension, e.g. "history"
	Title string
	SVG   []byte
}

const topCurves = 5

// Styles shared by the figures: a complete trial, a pruned one (faded),
// an interval's whisker.
var (
	completeStyle = chart.Style{Fill: chart.Palette[0], Opacity: 0.85, Class: "pt"}
	prunedStyle   = chart.Style{Stroke: "#888", Fill: "#fff", Width: 1, Class: "pt"}
	whiskerStyle  = chart.Style{Stroke: chart.Palette[0], Width: 1, Opacity: 0.45}
)

// Plots draws the report's figures: every trial's intermediate values,
// learning curves of the top trials, the optimization history, the
// metric's empirical distribution, one slice per parameter, parameter
// importance with intervals, a heat map over the two most important
// parameters, parallel coordinates, and for a sweep over models (arch or
// impl among the parameters) a comparison of the models.
func Plots(spec *study.Spec, r *Report) []Figure {
	var builders []builder
	add := func(name string, build func() *chart.Chart) { builders = append(builders, builder{name, build}) }
	if !spec.Metric.None() {
		add("intermediate", func() *chart.Chart { return intermediate(spec, r) })
	}
	if names, program := recorded(r.Trials); program { // a program's figures, each by name
		files := map[string]bool{}
		for _, n := range names {
			file := "curves_" + study.SafeName(n)
			for k := 2; files[file]; k++ {
				file = fmt.Sprintf("curves_%s_%d", study.SafeName(n), k)
			}
			files[file] = true
			add(file, func() *chart.Chart { return curves(r, "report", n, n, "") })
		}
	} else {
		add("curves_accuracy", func() *chart.Chart { return curves(r, "epoch", "accuracy", record.ValAccuracy, record.TrainAccuracy) })
		add("curves_loss", func() *chart.Chart { return curves(r, "epoch", "loss", record.ValLoss, record.TrainLoss) })
	}
	if !spec.Metric.None() { // what ranks and compares the trials
		builders = append(builders, metricPlots(spec, r)...)
	}
	var out []Figure
	for _, b := range builders {
		c := b.build()
		out = append(out, Figure{Name: b.name, Title: c.Title, SVG: c.SVG()})
	}
	return out
}

// builder draws one figure, named.
type builder struct {
	name  string
	build func() *chart.Chart
}

// metricPlots are the figures of the metric: the optimization history,
// its distribution, a slice per parameter, importance, a heat map,
// parallel coordinates, and the models compared.
func metricPlots(spec *study.Spec, r *Report) []builder {
	var builders []builder
	if spec.MultiObjective() {
		builders = append(builders, builder{"pareto", func() *chart.Chart { return frontPlot(spec, r) }})
	}
	builders = append(builders, []builder{
		{"history", func() *chart.Chart { return history(spec, r) }},
		{"ecdf", func() *chart.Chart { return ecdf(r) }},
	}...)
	for i, prm := range spec.Parameters {
		builders = append(builders, builder{"slice_" + prm.Name, func() *chart.Chart { return slicePlot(spec, r, i) }})
	}
	if len(r.Parameters) > 0 {
		builders = append(builders, builder{"importance", func() *chart.Chart { return importance(r) }})
	}
	if len(r.Parameters) > 1 {
		builders = append(builders, builder{"heatmap", func() *chart.Chart { return heatmap(spec, r) }})
	}
	if len(spec.Parameters) > 1 {
		builders = append(builders, builder{"parallel", func() *chart.Chart { return parallel(spec, r) }})
	}
	if slices.ContainsFunc(spec.Parameters, func(p study.Parameter) bool { return p.Name == "arch" || p.Name == "impl" }) {
		builders = append(builders, builder{"models", func() *chart.Chart { return models(r) }},
			builder{"models_curves", func() *chart.Chart { return modelCurves(r) }})
	}
	return builders
}

// label names a trial in a legend: its number and parameter values.
func label(row Row) string {
	var vals []string
	for _, p := range row.Params {
		vals = append(vals, p.Shown())
	}
	return fmt.Sprintf("#%d %s", row.Trial, strings.Join(vals, " "))
}

// trial finds a trial's record.
func (r *Report) trial(number int) study.Trial {
	if number >= 0 && number < len(r.Trials) && r.Trials[number].Number == number {
		return r.Trials[number]
	}
	for _, t := range r.Trials {
		if t.Number == number {
			return t
		}
	}
	return study.Trial{}
}

// meanCurve averages a figure over a trial's runs, report by report of
// that figure: iterations 1, 2, … and the means (a run that has fewer
// counts in the means it reaches).
func meanCurve(t study.Trial, name string) (xs, ys []float64) {
	var sums []float64
	var ns []int
	for _, run := range t.Runs {
		k := 0
		for _, e := range run {
			v, ok := e.Get(name)
			if !ok {
				continue
			}
			if k == len(sums) {
				sums, ns = append(sums, 0), append(ns, 0)
			}
			sums[k] += v
			ns[k]++
			k++
		}
	}
	for k := range sums {
		xs = append(xs, float64(k+1))
		ys = append(ys, sums[k]/float64(ns[k]))
	}
	return xs, ys
}

// recorded lists the figures the study's runs reported, sorted, at most
// maxCurves of them; program reports is true when they are a program's.
func recorded(trials []study.Trial) (names []string, program bool) {
	seen := map[string]bool{}
	for _, t := range trials {
		for _, run := range t.Runs {
			for _, e := range run {
				program = program || e.Metrics != nil
				for _, n := range e.Names() {
					seen[n] = n != "_step" // W&B's row counter: no figure
				}
			}
		}
	}
	for n, ok := range seen {
		if ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names[:min(len(names), maxCurves)], program
}

// maxCurves bounds the figures of a program's metrics.
const maxCurves = 24

// finished are the search's trials with a value: complete or pruned.
func (r *Report) finished() []study.Trial {
	var out []study.Trial
	for _, t := range r.Trials {
		if t.Stage == study.SearchStage && (t.State == study.Complete || t.State == study.Pruned) {
			out = append(out, t)
		}
	}
	return out
}

// intermediate draws every search trial's metric epoch by epoch: complete
// trials in colour, pruned ones faded, and a rule at each epoch where the
// pruner stopped trials.
func intermediate(spec *study.Spec, r *Report) *chart.Chart {
	c := chart.New("Intermediate values: every trial's "+r.Metric+" per epoch", "epoch", r.Metric+" (mean over runs)")
	rungs := map[int]bool{}
	for _, t := range r.finished() {
		st := chart.Style{Stroke: chart.Palette[0], Width: 1.3, Opacity: 0.7}
		if t.State == study.Pruned {
			st = chart.Style{Stroke: "#999", Width: 1, Opacity: 0.45}
			rungs[t.Epochs()] = true
		}
		xs, ys := meanCurve(t, spec.Metric.Name)
		c.Line(xs, ys, st, t.Number)
	}
	for _, e := range slices.Sorted(maps.Keys(rungs)) {
		c.Rule(float64(e), "rung", chart.Style{Stroke: chart.Palette[3], Width: 1, Dash: "4 3"})
	}
	c.Legend("complete", chart.Style{Stroke: chart.Palette[0], Width: 1.5}, "line")
	c.Legend("pruned", chart.Style{Stroke: "#999", Width: 1.5}, "line")
	if len(rungs) > 0 {
		c.Legend("pruned at this epoch", chart.Style{Stroke: chart.Palette[3], Dash: "4 3"}, "line")
	}
	return c
}

// curves draws a figure's curves for the top trials: val (solid) and,
// where named, train (dashed).
func curves(r *Report, x, what, val, train string) *chart.Chart {
	axis := what + " (solid: validation, dashed: training)"
	if train == "" {
		axis = what + " (mean over runs)"
	}
	c := chart.New("Learning curves of the top trials: "+what, x, axis)
	for i, row := range r.Ranked[:min(topCurves, len(r.Ranked))] {
		t := r.trial(row.Trial)
		col := chart.Palette[i%len(chart.Palette)]
		xs, ys := meanCurve(t, val)
		c.Line(xs, ys, chart.Style{Stroke: col, Width: 1.8}, t.Number)
		if train != "" {
			xs, ys = meanCurve(t, train)
			c.Line(xs, ys, chart.Style{Stroke: col, Width: 1.4, Dash: "5 3"}, t.Number)
		}
		c.Legend(label(row), chart.Style{Stroke: col, Width: 2}, "line")
	}
	return c
}

// history draws each trial's value in the order the trials were numbered,
// complete ones with their 95% interval, and the best so far.
func history(spec *study.Spec, r *Report) *chart.Chart {
	c := chart.New("Optimization history", "trial", r.Metric)
	var bx, by []float64
	var best float64
	have := false
	for _, t := range r.finished() {
		x := float64(t.Number)
		if t.State == study.Complete {
			if iv := spec.Estimate(t); iv.Known() && iv.High > iv.Low {
				c.Line([]float64{x, x}, []float64{iv.Low, iv.High}, whiskerStyle, t.Number)
			}
			c.Point(x, t.Value, completeStyle, t.Number)
			if !have || spec.Metric.Better(t.Value, best) {
				best, have = t.Value, true
			}
		} else {
			c.Point(x, t.Value, prunedStyle, t.Number)
		}
		if have {
			bx, by = append(bx, x), append(by, best)
		}
	}
	if len(bx) > 0 {
		c.Line(bx, by, chart.Style{Stroke: chart.Palette[3], Width: 1.8}, chart.NoTrial)
	}
	c.Legend("complete (95% interval)", completeStyle, "point")
	c.Legend("pruned (last epoch run)", prunedStyle, "point")
	c.Legend("best complete so far", chart.Style{Stroke: chart.Palette[3], Width: 2}, "line")
	return c
}

// ecdf draws the empirical distribution of the complete trials' metric:
// the share of trials at or below each value.
func ecdf(r *Report) *chart.Chart {
	c := chart.New("Empirical distribution of "+r.Metric, r.Metric, "share of complete trials ≤ value")
	var done []study.Trial
	for _, t := range r.finished() {
		if t.State == study.Complete {
			done = append(done, t)
		}
	}
	slices.SortStableFunc(done, func(a, b study.Trial) int { return cmpFloat(a.Value, b.Value) })
	var xs, ys []float64
	for i, t := range done {
		y := float64(i+1) / float64(len(done))
		prev := float64(i) / float64(len(done))
		xs, ys = append(xs, t.Value, t.Value), append(ys, prev, y)
	}
	c.Line(xs, ys, chart.Style{Stroke: chart.Palette[0], Width: 1.6}, chart.NoTrial)
	for i, t := range done {
		c.Point(t.Value, float64(i+1)/float64(len(done)), completeStyle, t.Number)
	}
	c.Y.Include(0, 1)
	return c
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
