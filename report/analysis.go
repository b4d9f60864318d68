package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sweepml/sweep/stats"
	"github.com/sweepml/sweep/study"
)

// Report is the analysis of one sweep.
type Report struct {
	Name    string `json:"name"`
	Metric  string `json:"metric"`
	Goal    string `json:"goal"`
	Repeats int    `json:"repeats"`
	Counts  string `json:"counts"`
	// ValidationImages is how many images one run validates on: what a
	// single run's accuracy can tell apart (0: unknown).
	ValidationImages int `json:"validation_images"`
	// Ranked are the search's trials, best first, each with its 95%
	// interval; Tied marks those whose interval overlaps the best's.
	Ranked []Row `json:"ranked"`
	// Confirmation are the final stage's trials, best first: the top
	// configurations trained again with fresh seeds (and the baseline), or
	// the best trial trained again to measure the test set.
	Confirmation   []Row           `json:"confirmation,omitempty"`
	Recommendation *Recommendation `json:"recommendation,omitempty"`
	// Parameters compares the trials that ran to their last epoch, on the
	// metric they are ranked by (and each confirmed configuration by its
	// mean); Compared counts them. Note says why there is no comparison.
	Compared   int           `json:"compared"`
	Parameters []ParamEffect `json:"parameters"`
	Note       string        `json:"parameters_note,omitempty"`
	Answer     string        `json:"answer"`
	// Objectives and Pareto, with several objectives (metrics:): what the
	// trials trade, and the front of that trade-off. Ranked, the
	// parameters' effects and the recommendation then judge the first.
	Objectives []Objective   `json:"objectives,omitempty"`
	Pareto     []FrontPoint  `json:"pareto,omitempty"`
	Trials     []study.Trial `json:"trials"`
}

// Row is one ranked trial.
type Row struct {
	Rank     int                `json:"rank"`
	Trial    int                `json:"trial"`
	Mean     float64            `json:"mean"`
	Interval stats.Interval     `json:"interval"`
	Tied     bool               `json:"tied,omitempty"` // its interval overlaps the best's
	Params   []study.ParamValue `json:"params"`
	Epochs   int                `json:"epochs"`
	State    study.State        `json:"state"`
	Secs     float64            `json:"seconds"`
	Stage    study.Stage        `json:"stage,omitempty"`
}

// Figures are a final-stage trial's validation metric and test figures,
// each the mean over its runs with its 95% interval.
type Figures struct {
	Trial        int            `json:"trial"`
	Params       map[string]any `json:"params"`
	Metric       stats.Interval `json:"metric"`
	Seeds        []uint64       `json:"seeds"`
	TestAccuracy *float64       `json:"test_accuracy,omitempty"`
	TestLoss     *float64       `json:"test_loss,omitempty"`
	Test         stats.Interval `json:"test_accuracy_interval"`
}

// Recommendation is the answer: the final stage's best configuration by
// its validation mean (or, without a final stage, the best trial), with
// its test figures — measured once, on images that played no part in
// choosing it — and the baseline's.
type Recommendation struct {
	Figures
	Stage    study.Stage `json:"stage"`
	Baseline *Figures    `json:"baseline,omitempty"`
	// BeatsBaseline is true when the recommendation's validation interval
	// and the baseline's do not overlap.
	BeatsBaseline bool `json:"beats_baseline"`
	// Command trains the recommendation again (add --seed N).
	Command string `json:"command,omitempty"`
}

// ParamEffect is how the metric varies with one parameter over the
// compared trials.
type ParamEffect struct {
	Name string `json:"name"`
	// Importance is the share of the metric's variance explained by the
	// parameter's groups (its values, or quartile bins of numeric ones):
	// the correlation ratio η², a first-order functional-ANOVA term
	// estimated on the marginal. 0 = no effect, 1 = all of it.
	Importance float64 `json:"importance"`
	// ImportanceInterval is η²'s 95% bootstrap interval over the
	// compared trials: how sure the data are of the importance.
	ImportanceInterval stats.Interval `json:"importance_interval"`
	Groups             []Group        `json:"groups"`
	// Over, for a conditional parameter, says which trials it is compared
	// over: those where it was active.
	Over string `json:"over,omitempty"`
}

// Group is one value (or bin) of a parameter and its trials' metric.
type Group struct {
	Label    string         `json:"label"`
	Count    int            `json:"count"`
	Mean     float64        `json:"mean"`
	Best     float64        `json:"best"`
	Interval stats.Interval `json:"interval"` // of the mean: Student's t over the group's trials
}

// minCompared is the fewest trials run to the end for the report to say
// which parameters matter when pruning stopped others: those that survive
// pruning are chosen by the very parameters being judged, and a few of
// them say little.
const minCompared = 8

// Analyze builds the report of a sweep's trials.
func Analyze(spec *study.Spec, trials []study.Trial) *Report {
	r := &Report{Name: spec.Name, Metric: spec.Metric.Name, Goal: spec.Metric.Goal(), Repeats: spec.Repeats,
		Counts: study.Counts(trials), Trials: trials, ValidationImages: spec.ValidationImages()}
	var search, final []study.Trial
	for _, t := range trials {
		if t.Stage == study.SearchStage {
			search = append(search, t)
		} else {
			final = append(final, t)
		}
	}
	r.Ranked = rows(spec, search)
	r.Confirmation = rows(spec, final)
	if spec.Metric.None() {
		r.Note = "No metric: the spec names none, so nothing ranks the trials or says which parameters matter."
		r.Answer = fmt.Sprintf("This sweep has no metric: its %d trials ran and were recorded, and nothing ranks them. Name one with metric: {name: …, goal: …}, a figure its program reports, to rank them.", len(trials))
		return r
	}
	r.Recommendation = recommend(spec, r)
	compared := r.compared()
	r.Compared = len(compared)
	if pruned := countState(search, study.Pruned); len(compared) < 2 || pruned > 0 && len(compared) < minCompared {
		r.Note = fmt.Sprintf("Only %d trials ran to their last epoch (%d were stopped early by pruning): too few to say which parameters matter on the values the trials are ranked by.",
			len(compared), pruned)
	} else {
		for i, prm := range spec.Parameters {
			r.Parameters = append(r.Parameters, effect(prm, i, compared, spec.Metric))
		}
	}
	r.Answer = answer(spec, r)
	if spec.MultiObjective() {
		r.Objectives, r.Pareto = objectives(spec), pareto(spec, search)
		r.Answer = tradeOff(spec, r) + " By " + spec.Metric.Name + " alone: " + strings.ToLower(r.Answer[:1]) + r.Answer[1:]
	}
	return r
}

// compared are the trials the parameters are judged on: those of the
// search and the confirmation that ran to their last epoch.
func (r *Report) compared() []study.Trial {
	var out []study.Trial
	for _, t := range r.Trials {
		if t.State == study.Complete && (t.Stage == study.SearchStage || t.Stage == study.ConfirmStage) {
			out = append(out, t)
		}
	}
	return out
}

func countState(trials []study.Trial, s study.State) int {
	n := 0
	for _, t := range trials {
		if t.State == s {
			n++
		}
	}
	return n
}

// rows ranks finished trials with their intervals, marking those tied
// with the best.
func rows(spec *study.Spec, trials []study.Trial) []Row {
	var out []Row
	for i, t := range study.Ranked(spec, trials) {
		est := spec.Estimate(t)
		row := Row{Rank: i + 1, Trial: t.Number, Mean: t.Value, Interval: est, Params: t.Params, Epochs: t.Epochs(),
			State: t.State, Secs: t.Seconds, Stage: t.Stage}
		row.Tied = i > 0 && t.State == study.Complete && est.Overlaps(out[0].Interval)
		out = append(out, row)
	}
	return out
}

// effect groups the completed trials by the parameter's value (numeric
// parameters with more than 6 distinct values: by quartile of rank) and
// computes each group's count, mean and best, η², and η²'s bootstrap
// interval.
func effect(prm study.Parameter, index int, trials []study.Trial, m study.Metric) ParamEffect {
	pe := ParamEffect{Name: prm.Name}
	if len(prm.When) > 0 { // compared only where it exists
		var active []study.Trial
		for _, t := range trials {
			if index < len(t.Params) && !t.Params[index].Inactive {
				active = append(active, t)
			}
		}
		pe.Over = fmt.Sprintf("over the %d of %d trials where it was active (%s)", len(active), len(trials), prm.Condition())
		trials = active
	}
	if len(trials) == 0 {
		return pe
	}
	groups := groupsOf(prm, index, trials)
	for _, g := range groups {
		grp := Group{Count: len(g), Best: g[0].v, Label: groupLabel(g)}
		values := make([]float64, len(g))
		for i, o := range g {
			grp.Mean += o.v / float64(len(g))
			if m.Better(o.v, grp.Best) {
				grp.Best = o.v
			}
			values[i] = o.v
		}
		grp.Interval = m.Clamp(stats.TInterval(values))
		pe.Groups = append(pe.Groups, grp)
	}
	pe.Importance = eta2(groups)
	pe.ImportanceInterval = bootstrapEta2(prm, index, trials, pe.Importance)
	return pe
}

// groupLabel names a group by its value, or a bin by its range.
func groupLabel(g []obs) string {
	if last := g[len(g)-1].label; last != g[0].label {
		return fmt.Sprintf("%s – %s", g[0].label, last)
	}
	return g[0].label
}

// groupsOf sorts the trials by the parameter's value and groups them: by
// value, or for a numeric parameter with more than 6 distinct values into
// quartile bins.
func groupsOf(prm study.Parameter, index int, trials []study.Trial) [][]obs {
	sorted, _ := observations(prm, index, trials)
	return group(sorted, binned(prm, sorted))
}

// observations are the trials' values of the parameter with their
// metric, sorted (stably) by the value, and each trial's place in that
// order.
func observations(prm study.Parameter, index int, trials []study.Trial) (sorted []obs, place []int) {
	obsv := make([]obs, len(trials))
	order := make([]int, len(trials))
	for i, t := range trials {
		val := t.Params[index].Value
		o := obs{label: study.FormatValue(val), v: t.Value, trial: t.Number}
		if f, ok := study.AsNumber(val); ok {
			o.key = f
		} else {
			o.key = float64(prm.Index(val))
		}
		obsv[i], order[i] = o, i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(obsv[a].key, obsv[b].key) })
	sorted, place = make([]obs, len(trials)), make([]int, len(trials))
	for k, i := range order {
		sorted[k], place[i] = obsv[i], k
	}
	return sorted, place
}

// binned reports whether sorted observations of the parameter are grouped
// into quartile bins: a numeric parameter with more than 6 distinct
// values.
func binned(prm study.Parameter, sorted []obs) bool {
	if prm.Distribution == study.Categorical || prm.Distribution == study.Constant {
		return false
	}
	distinct := 0
	for i, o := range sorted {
		if i == 0 || o.label != sorted[i-1].label {
			distinct++
		}
	}
	return distinct > 6
}

// eta2 is the share of the values' variance between the groups.
func eta2(groups [][]obs) float64 {
	var mean float64
	n := 0
	for _, g := range groups {
		for _, o := range g {
			mean += o.v
			n++
		}
	}
	mean /= float64(n)
	var total, between float64
	for _, g := range groups {
		var gm float64
		for _, o := range g {
			total += (o.v - mean) * (o.v - mean)
			gm += o.v / float64(len(g))
		}
		between += float64(len(g)) * (gm - mean) * (gm - mean)
	}
	if total <= 0 {
		return 0
	}
	return between / total
}

// bootstraps is how many resamples η²'s interval is estimated from.
const bootstraps = 200

// bootstrapEta2 is the 95% percentile-bootstrap interval of η²: the
// trials resampled with replacement, grouped and scored again. The
// resamples come from a fixed seed, so the same trials give the same
// interval.
func bootstrapEta2(prm study.Parameter, index int, trials []study.Trial, point float64) stats.Interval {
	rng := rand.New(rand.NewPCG(uint64(index)+1, uint64(len(trials))))
	scores := make([]float64, bootstraps)
	// A resample drawn as counts of each observation in sorted order:
	// laid out again it is sorted, without sorting.
	sorted, place := observations(prm, index, trials)
	counts := make([]int, len(trials))
	sample := make([]obs, 0, len(trials))
	for b := range scores {
		clear(counts)
		for range trials {
			counts[place[rng.IntN(len(trials))]]++
		}
		sample = sample[:0]
		for k, c := range counts {
			for range c {
				sample = append(sample, sorted[k])
			}
		}
		scores[b] = eta2(group(sample, binned(prm, sample)))
	}
	slices.Sort(scores)
	return stats.Interval{Mean: point, Low: scores[bootstraps*25/1000], High: scores[bootstraps*975/1000-1], N: len(trials), Kind: stats.KindBootstrap}
}

// obs is one trial's value of a parameter and its metric.
type obs struct {
	key   float64 // sort key for numeric values
	label string
	v     float64
	trial int
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
		from := 0
		for i := 1; i <= len(obsv); i++ {
			if i == len(obsv) || obsv[i].label != obsv[from].label {
				groups = append(groups, obsv[from:i])
				from = i
			}
		}
	}
	return groups
}
