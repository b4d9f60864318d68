package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sweepml/sweep/study"
)

// Report is the analysis of one study.
type Report struct {
	Name    string `json:"name"`
	Metric  string `json:"metric"`
	Goal    string `json:"goal"`
	Repeats int    `json:"repeats"`
	Counts  string `json:"counts"`
	Ranked  []Row  `json:"ranked"`
	// Parameters compares all finished trials, pruned ones included, at
	// Epoch: the last epoch every one of them reached (the final epoch
	// when nothing was pruned). Comparing only trials that survived
	// pruning would judge on a few, chosen by the parameters themselves.
	Epoch      int           `json:"epoch"`
	Compared   int           `json:"compared"`
	Parameters []ParamEffect `json:"parameters"`
	Answer     string        `json:"answer"`
	Trials     []study.Trial `json:"trials"`
}

// Row is one ranked trial.
type Row struct {
	Rank   int           `json:"rank"`
	Trial  int           `json:"trial"`
	Mean   float64       `json:"mean"`
	Half   float64       `json:"half_width,omitempty"` // 95% t-interval half-width over repeats
	Params []study.Param `json:"params"`
	Epochs int           `json:"epochs"`
	State  study.State   `json:"state"`
	Secs   float64       `json:"seconds"`
}

// ParamEffect is how the metric varies with one parameter, over every
// finished (complete or pruned) trial at the comparison epoch.
type ParamEffect struct {
	Name string `json:"name"`
	// Importance is the share of the metric's variance explained by the
	// parameter's groups (its values, or quartile bins of numeric ones):
	// the correlation ratio η², a first-order functional-ANOVA term
	// estimated on the marginal. 0 = no effect, 1 = all of it.
	Importance float64 `json:"importance"`
	Groups     []Group `json:"groups"`
}

// Group is one value (or bin) of a parameter and its trials' metric.
type Group struct {
	Label string  `json:"label"`
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	Best  float64 `json:"best"`
}

// Analyze builds the report of a sweep's trials.
func Analyze(spec *study.Spec, trials []study.Trial) *Report {
	r := &Report{Name: spec.Name, Metric: string(spec.Metric), Goal: spec.Metric.Goal(), Repeats: spec.Repeats,
		Counts: study.Counts(trials), Trials: trials}
	for i, t := range study.Ranked(spec, trials) {
		row := Row{Rank: i + 1, Trial: t.Number, Mean: t.Value, Params: t.Params, Epochs: t.Epochs(), State: t.State, Secs: t.Seconds}
		if finals := finalValues(spec, t); len(finals) > 1 {
			row.Half = halfWidth95(finals)
		}
		r.Ranked = append(r.Ranked, row)
	}
	var finished []study.Trial
	for _, t := range trials {
		if t.State == study.Complete || t.State == study.Pruned {
			if r.Epoch == 0 || t.Epochs() < r.Epoch {
				r.Epoch = t.Epochs()
			}
			finished = append(finished, t)
		}
	}
	r.Compared = len(finished)
	atEpoch := make([]study.Trial, len(finished))
	for i, t := range finished {
		t.Value = valueAt(spec, t, r.Epoch)
		atEpoch[i] = t
	}
	for i, prm := range spec.Parameters {
		r.Parameters = append(r.Parameters, effect(prm, i, atEpoch, spec.Metric.Better))
	}
	r.Answer = answer(spec, r)
	return r
}

// valueAt is the trial's metric at an epoch, the mean over its runs.
func valueAt(spec *study.Spec, t study.Trial, epoch int) float64 {
	var sum float64
	for _, run := range t.Runs {
		sum += spec.Metric.Of(run[epoch-1])
	}
	return sum / float64(len(t.Runs))
}

// finalValues is each run's metric at its last epoch.
func finalValues(spec *study.Spec, t study.Trial) []float64 {
	var out []float64
	for _, run := range t.Runs {
		if len(run) > 0 {
			out = append(out, spec.Metric.Of(run[len(run)-1]))
		}
	}
	return out
}

// t975 holds Student's t quantile 0.975 for 1…30 degrees of freedom.
var t975 = []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
	2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// halfWidth95 is the half-width of the 95% t-interval of the mean.
func halfWidth95(v []float64) float64 {
	n := float64(len(v))
	var mean, ss float64
	for _, x := range v {
		mean += x / n
	}
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	t := 1.96
	if df := len(v) - 1; df <= len(t975) {
		t = t975[df-1]
	}
	return t * math.Sqrt(ss/(n-1)) / math.Sqrt(n)
}

// effect groups the completed trials by the parameter's value (numeric
// parameters with more than 6 distinct values: by quartile of rank) and
// computes each group's count, mean and best, and η².
func effect(prm study.Parameter, index int, trials []study.Trial, better func(a, b float64) bool) ParamEffect {
	pe := ParamEffect{Name: prm.Name}
	if len(trials) == 0 {
		return pe
	}
	obsv := make([]obs, len(trials))
	numeric := prm.Distribution != study.Categorical && prm.Distribution != study.Constant
	distinct := map[string]bool{}
	for i, t := range trials {
		val := t.Params[index].Value
		o := obs{label: study.FormatValue(val), v: t.Value}
		if f, ok := toFloat(val); ok {
			o.key = f
		} else {
			o.key = float64(slices.Index(prm.Values, val))
		}
		obsv[i] = o
		distinct[o.label] = true
	}
	slices.SortStableFunc(obsv, func(a, b obs) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	groups := group(obsv, numeric && len(distinct) > 6)
	var mean float64
	for _, o := range obsv {
		mean += o.v / float64(len(obsv))
	}
	var total, between float64
	for _, o := range obsv {
		total += (o.v - mean) * (o.v - mean)
	}
	for _, g := range groups {
		grp := Group{Count: len(g), Best: g[0].v}
		label := g[0].label
		if g[len(g)-1].label != label {
			label = fmt.Sprintf("%s – %s", label, g[len(g)-1].label)
		}
		grp.Label = label
		for _, o := range g {
			grp.Mean += o.v / float64(len(g))
			if better(o.v, grp.Best) {
				grp.Best = o.v
			}
		}
		between += float64(len(g)) * (grp.Mean - mean) * (grp.Mean - mean)
		pe.Groups = append(pe.Groups, grp)
	}
	if total > 0 {
		pe.Importance = between / total
	}
	return pe
}

// obs is one trial's value of a parameter and its metric.
type obs struct {
	key   float64 // sort key for numeric values
	label string
	v     float64
}

// group splits observations sorted by key into groups: one per value, or
// with bins, four quartile bins by rank.
func group(obsv []obs, bins bool) [][]obs {
	var groups [][]obs
	if bins {
		// Quartile bins by rank: four groups of (nearly) equal size, an
		// edge moved past equal values so that no value is in two bins.
		from := 0
		for b := 1; b <= 4 && from < len(obsv); b++ {
			to := max(b*len(obsv)/4, from+1)
			for to < len(obsv) && obsv[to].key == obsv[to-1].key {
				to++
			}
			groups = append(groups, obsv[from:to])
			from = to
		}
	} else {
		for _, o := range obsv {
			if n := len(groups); n > 0 && groups[n-1][0].label == o.label {
				groups[n-1] = append(groups[n-1], o)
			} else {
				groups = append(groups, []obs{o})
			}
		}
	}
	return groups
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// answer says, from the numbers above, which parameter matters most, its
// best value or range, and by how much the best trial leads.
func answer(spec *study.Spec, r *Report) string {
	better := spec.Metric.Better
	if len(r.Ranked) == 0 {
		return "No trial has finished yet."
	}
	pct, unit := spec.Metric.Format, spec.Metric.FormatDiff
	var b strings.Builder
	best := r.Ranked[0]
	var kv []string
	for _, p := range best.Params {
		kv = append(kv, p.Name+"="+study.FormatValue(p.Value))
	}
	fmt.Fprintf(&b, "The best trial, #%d (%s), reached %s %s", best.Trial, strings.Join(kv, ", "), r.Metric, pct(best.Mean))
	if best.Half > 0 {
		fmt.Fprintf(&b, " ± %s over %d seeds", unit(best.Half), r.Repeats)
	}
	if len(r.Ranked) > 1 {
		fmt.Fprintf(&b, ", %s ahead of the runner-up (#%d)", unit(math.Abs(best.Mean-r.Ranked[1].Mean)), r.Ranked[1].Trial)
		if best.Half > 0 && math.Abs(best.Mean-r.Ranked[1].Mean) < best.Half {
			b.WriteString(", within the interval: not a clear winner")
		}
	}
	b.WriteString(".")
	ordered := slices.Clone(r.Parameters)
	slices.SortStableFunc(ordered, func(a, b ParamEffect) int {
		switch {
		case a.Importance > b.Importance:
			return -1
		case a.Importance < b.Importance:
			return 1
		}
		return 0
	})
	if len(ordered) > 0 && len(ordered[0].Groups) > 1 {
		top := ordered[0]
		bestG, worstG := top.Groups[0], top.Groups[0]
		for _, g := range top.Groups[1:] {
			if better(g.Mean, bestG.Mean) {
				bestG = g
			}
			if better(worstG.Mean, g.Mean) {
				worstG = g
			}
		}
		fmt.Fprintf(&b, " Comparing all %d finished trials at epoch %d, %s matters most (it explains %.0f%% of the variance of %s): %s %s averages %s, against %s for %s %s",
			r.Compared, r.Epoch, top.Name, 100*top.Importance, r.Metric, top.Name, bestG.Label, pct(bestG.Mean), pct(worstG.Mean), top.Name, worstG.Label)
		// With repeats, set the effect against the seeds' own spread.
		var spread float64
		for _, row := range r.Ranked {
			spread += row.Half / float64(len(r.Ranked))
		}
		if spread > 0 && math.Abs(bestG.Mean-worstG.Mean) < spread {
			fmt.Fprintf(&b, ", a difference smaller than the typical 95%% interval of a trial (± %s): no setting of any parameter is clearly better", unit(spread))
		}
		b.WriteString(".")
		if len(ordered) > 1 {
			fmt.Fprintf(&b, " Next: %s (%.0f%%).", ordered[1].Name, 100*ordered[1].Importance)
		}
	}
	return b.String()
}
