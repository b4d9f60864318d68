package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sweepml/sweep/report/chart"
	"github.com/sweepml/sweep/stats"
	"github.com/sweepml/sweep/study"
)

// Objective is one of a study's several metrics.
type Objective struct {
	Name string `json:"name"`
	Goal string `json:"goal"`
	// Measured: the machine's speed, not the configuration alone, sets it.
	Measured bool `json:"measured,omitempty"`
}

// FrontPoint is a trial of the Pareto front: a complete search trial no
// other complete search trial dominates.
type FrontPoint struct {
	Trial     int                `json:"trial"`
	Values    []float64          `json:"values"`    // one per objective, in order
	Intervals []stats.Interval   `json:"intervals"` // each value's 95% interval
	Params    []study.ParamValue `json:"params"`
	// Nondominated95 is true when the data rule out that any other
	// complete trial dominates it: against each, on some objective, its
	// interval lies wholly on the better side. RivalsAt95 lists the trials
	// the intervals cannot rule out.
	Nondominated95 bool  `json:"nondominated_95"`
	RivalsAt95     []int `json:"could_be_dominated_by,omitempty"`
}

// pareto builds the front of a study with several objectives, best
// first by the first objective.
func pareto(spec *study.Spec, search []study.Trial) []FrontPoint {
	metrics := spec.Objectives()
	estimates := func(t study.Trial) []stats.Interval {
		out := make([]stats.Interval, len(metrics))
		for i, m := range metrics {
			out[i] = spec.EstimateOf(m, t)
		}
		return out
	}
	var done []study.Trial
	for _, t := range search {
		if t.State == study.Complete && len(t.Values) == len(metrics) {
			done = append(done, t)
		}
	}
	intervals := make([][]stats.Interval, len(done)) // each trial's, once
	for i, t := range done {
		intervals[i] = estimates(t)
	}
	var out []FrontPoint
	for _, t := range study.Ranked(spec, spec.Pareto(search)) {
		p := FrontPoint{Trial: t.Number, Values: t.Values, Intervals: estimates(t), Params: t.Params}
		for i, o := range done {
			if o.Number != t.Number && !separated(metrics, p.Intervals, intervals[i]) {
				p.RivalsAt95 = append(p.RivalsAt95, o.Number)
			}
		}
		p.Nondominated95 = len(p.RivalsAt95) == 0
		out = append(out, p)
	}
	return out
}

// separated reports whether, on some objective, interval a lies wholly
// on the better side of b: then b cannot dominate a.
func separated(metrics []study.Metric, a, b []stats.Interval) bool {
	for i, m := range metrics {
		if m.Ahead(a[i], b[i]) {
			return true
		}
	}
	return false
}

// objectives lists the spec's objectives for the report.
func objectives(spec *study.Spec) []Objective {
	var out []Objective
	for _, m := range spec.Objectives() {
		out = append(out, Objective{Name: m.Name, Goal: m.Goal(), Measured: m.Measured()})
	}
	return out
}

// tradeOff says in words what the front offers: how many trials it holds,
// how many the noise cannot threaten, and what its two ends trade, e.g.
// "for 2.10 points less val_accuracy, trial #3 trains 12× faster than
// trial #7".
func tradeOff(spec *study.Spec, r *Report) string {
	front := r.Pareto
	if len(front) == 0 {
		return "No trial of the search completed with every objective: there is no Pareto front yet."
	}
	metrics := spec.Objectives()
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = fmt.Sprintf("%s (%s)", m.Name, m.Goal())
	}
	sure := 0
	for _, p := range front {
		if p.Nondominated95 {
			sure++
		}
	}
	var b strings.Builder
	howMany := fmt.Sprint(sure)
	if sure == 0 {
		howMany = "none"
	}
	fmt.Fprintf(&b, "Trading %s, the Pareto front holds %d of the %d complete search trials; %s of them are non-dominated at 95%% (the intervals rule out every other trial dominating them).",
		strings.Join(names, " against "), len(front), countComplete(r), howMany)
	if len(front) == 1 {
		p := front[0]
		fmt.Fprintf(&b, " Trial #%d (%s) is best on every objective: %s.", p.Trial, study.Describe(p.Params), values(metrics, p))
		return b.String()
	}
	m0, m1 := metrics[0], metrics[1]
	first, last := front[0], front[len(front)-1] // the ends: best by the first objective, and by the second
	for _, p := range front {
		if m1.Better(p.Values[1], last.Values[1]) {
			last = p
		}
	}
	fmt.Fprintf(&b, " At one end trial #%d (%s): %s. At the other trial #%d (%s): %s.",
		first.Trial, study.Describe(first.Params), values(metrics, first), last.Trial, study.Describe(last.Params), values(metrics, last))
	if last.Trial != first.Trial {
		fmt.Fprintf(&b, " For %s less %s, trial #%d %s than trial #%d.", m0.FormatDiff(math.Abs(first.Values[0]-last.Values[0])), m0.Name,
			last.Trial, ratio(m1, first.Values[1], last.Values[1]), first.Trial)
	}
	offFront(&b, spec, r)
	return b.String()
}

// offFront says what the best trial off the front (by the first
// objective) gives away: which front trial dominates it, and by how much
// on the second objective.
func offFront(b *strings.Builder, spec *study.Spec, r *Report) {
	metrics := spec.Objectives()
	onFront := map[int]bool{}
	for _, p := range r.Pareto {
		onFront[p.Trial] = true
	}
	for _, row := range r.Ranked {
		t := r.trial(row.Trial)
		if row.State != study.Complete || onFront[t.Number] || len(t.Values) != len(metrics) {
			continue
		}
		for _, p := range r.Pareto {
			if study.Dominates(metrics, p.Values, t.Values) {
				fmt.Fprintf(b, " The best trial off the front, #%d (%s: %s %s), is dominated by #%d (%s), which %s.", t.Number, study.Describe(t.Params),
					metrics[0].Name, metrics[0].Format(t.Values[0]), p.Trial, metrics[0].Format(p.Values[0]), ratio(metrics[1], t.Values[1], p.Values[1]))
				return
			}
		}
		return
	}
}

// values writes a front point's objectives with their intervals.
func values(metrics []study.Metric, p FrontPoint) string {
	out := make([]string, len(metrics))
	for i, m := range metrics {
		out[i] = m.Name + " " + interval(m, p.Intervals[i])
	}
	return strings.Join(out, ", ")
}

// ratio says how much better b is than a on m: "trains 12× faster", "has
// 3.1× fewer params", "has 0.04 more score".
func ratio(m study.Metric, a, b float64) string {
	switch {
	case m.Measured() && b > 0:
		return fmt.Sprintf("trains %.3g× faster", a/b)
	case m.Name == study.Params.Name && b > 0:
		return fmt.Sprintf("has %.3g× fewer weights", a/b)
	case m.Name == study.Flops.Name && b > 0:
		return fmt.Sprintf("needs %.3g× less arithmetic per epoch", a/b)
	case m.Minimize() && b > 0 && a > 0:
		return fmt.Sprintf("has %.3g× less %s", a/b, m.Name)
	case m.Minimize():
		return fmt.Sprintf("has %s less %s", m.FormatDiff(a-b), m.Name)
	}
	return fmt.Sprintf("has %s more %s", m.FormatDiff(b-a), m.Name)
}

func countComplete(r *Report) int {
	n := 0
	for _, t := range r.Trials {
		if t.State == study.Complete && t.Stage == study.SearchStage {
			n++
		}
	}
	return n
}

// metric is the objective as the study names it.
func (o Objective) metric() study.Metric {
	return study.Metric{Name: o.Name, Maximize: o.Goal == "maximize"}
}

// more are the objectives after the first.
func (r *Report) more() []Objective {
	if len(r.Objectives) < 2 {
		return nil
	}
	return r.Objectives[1:]
}

// front is the Pareto front as a table: each objective with its interval,
// whether it is non-dominated at 95%, its parameters.
func (r *Report) front() (header []string, body [][]string) {
	header = []string{"trial"}
	for _, o := range r.Objectives {
		header = append(header, o.Name+" [95% interval]")
	}
	header = append(header, "non-dominated at 95%", "parameters")
	for _, p := range r.Pareto {
		row := []string{fmt.Sprint(p.Trial)}
		for i, o := range r.Objectives {
			row = append(row, bracket(o.metric(), p.Intervals[i]))
		}
		sure := "yes"
		if !p.Nondominated95 {
			sure = "no: " + numbers(p.RivalsAt95, 6)
		}
		row = append(row, sure, study.Describe(p.Params))
		body = append(body, row)
	}
	return header, body
}

// bracket writes a value and its interval as "88.00% [80.19%, 93.00%]".
func bracket(m study.Metric, e stats.Interval) string {
	if !e.Known() || e.Kind == stats.KindExact {
		return m.Format(e.Mean)
	}
	return fmt.Sprintf("%s [%s, %s]", m.Format(e.Mean), m.Format(e.Low), m.Format(e.High))
}

// numbers writes trial numbers, "#3, #5 and 4 more" past max.
func numbers(ns []int, most int) string {
	var out []string
	for i, n := range ns {
		if i == most {
			out = append(out, fmt.Sprintf("%d more", len(ns)-most))
			break
		}
		out = append(out, fmt.Sprintf("#%d", n))
	}
	return strings.Join(out, ", ")
}

// frontPlot draws the trade-off of the first two objectives: every
// complete search trial, the front's trials joined in order with their
// 95% intervals, those non-dominated at 95% filled. A log axis where an
// objective spans more than 20×.
func frontPlot(spec *study.Spec, r *Report) *chart.Chart {
	m0, m1 := spec.Objectives()[0], spec.Objectives()[1]
	c := chart.New(fmt.Sprintf("Pareto front: %s against %s", m0.Name, m1.Name), m1.Name+" ("+m1.Goal()+")", m0.Name+" ("+m0.Goal()+")")
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range r.Trials {
		if t.State == study.Complete && t.Stage == study.SearchStage && len(t.Values) > 1 {
			lo, hi = min(lo, t.Values[1]), max(hi, t.Values[1])
		}
	}
	if lo > 0 && hi/lo > 20 {
		c.X.Scale = chart.Log
	}
	onFront := map[int]bool{}
	for _, p := range r.Pareto {
		onFront[p.Trial] = true
	}
	others := chart.Style{Fill: "#999", Opacity: 0.6, Class: "pt"}
	for _, t := range r.Trials {
		if t.State == study.Complete && t.Stage == study.SearchStage && len(t.Values) > 1 && !onFront[t.Number] {
			c.Point(t.Values[1], t.Values[0], others, t.Number)
		}
	}
	front := make([]FrontPoint, len(r.Pareto))
	copy(front, r.Pareto)
	slices.SortFunc(front, func(a, b FrontPoint) int { return cmpFloat(a.Values[1], b.Values[1]) })
	var xs, ys []float64
	for _, p := range front {
		xs, ys = append(xs, p.Values[1]), append(ys, p.Values[0])
	}
	c.Line(xs, ys, chart.Style{Stroke: chart.Palette[3], Width: 1.5}, chart.NoTrial)
	sure := chart.Style{Fill: chart.Palette[3], Class: "pt", Radius: 4.5}
	unsure := chart.Style{Stroke: chart.Palette[3], Fill: "#fff", Width: 1.8, Class: "pt", Radius: 4.5}
	for _, p := range front {
		x, y := p.Values[1], p.Values[0]
		if iv := p.Intervals[0]; iv.High > iv.Low {
			c.Line([]float64{x, x}, []float64{iv.Low, iv.High}, whiskerStyle, p.Trial)
		}
		if iv := p.Intervals[1]; iv.High > iv.Low {
			c.Line([]float64{iv.Low, iv.High}, []float64{y, y}, whiskerStyle, p.Trial)
		}
		st := unsure
		if p.Nondominated95 {
			st = sure
		}
		c.Point(x, y, st, p.Trial)
	}
	c.Legend("front, sure at 95%", sure, "point")
	c.Legend("front, could be dominated", unsure, "point")
	c.Legend("dominated", others, "point")
	c.Legend("95% interval", whiskerStyle, "line")
	return c
}

// moreNames head the columns of the objectives after the first: their
// names, the measured time as "seconds per run" (beside a trial's total
// seconds).
func (r *Report) moreNames() []string {
	var out []string
	for _, o := range r.more() {
		if o.Measured {
			out = append(out, o.Name+" per run")
			continue
		}
		out = append(out, o.Name)
	}
	return out
}

// moreValues writes a ranked trial's values of the objectives after the
// first (empty where it has none).
func (r *Report) moreValues(row Row) []string {
	var out []string
	v := r.trial(row.Trial).Values
	for i, o := range r.more() {
		if i+1 < len(v) {
			out = append(out, o.metric().Format(v[i+1]))
		} else {
			out = append(out, "")
		}
	}
	return out
}
