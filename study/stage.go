package study

import (
	"encoding/json"
	"fmt"
)

// Stage is the part of a study a trial belongs to.
type Stage string

// The stages. After the search, the final stage trains again what the
// search found, measuring the test set at the end of each run: with a
// confirmation stage, the top configurations (and the baseline) with
// fresh seeds; without, the best trial with its own seeds.
const (
	SearchStage   Stage = ""         // proposed by the sampler, judged on validation only
	ConfirmStage  Stage = "confirm"  // a top configuration of the search, trained again with fresh seeds
	BaselineStage Stage = "baseline" // the spec's fixed settings on their defaults, trained like the confirmed ones
	TestStage     Stage = "test"     // without confirmation: the best search trial, trained again with its own seeds
)

// Final is the final stage's plan: the numbers of the search trials whose
// configurations it trains again, in order, BaselineSource for the
// baseline. Its trials are numbered from the spec's TotalTrials on. The
// plan is made once, when the search has finished, and kept in the study
// (AttrFinal).
type Final []int

// BaselineSource stands for the baseline in a Final.
const BaselineSource = -1

// AttrFinal is the study attribute holding the Final, as JSON.
const AttrFinal = "sweep:final"

// AttrSearchEnd is the study attribute holding the number of search trials
// when the metric's target ended the search early (Spec.EndSearch).
const AttrSearchEnd = "sweep:search_end"

// ParseFinal reads a Final from its attribute ("" before it is planned).
func ParseFinal(attr string) (Final, error) {
	var f Final
	if attr == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(attr), &f); err != nil {
		return nil, fmt.Errorf("the study's final stage %q: %w", attr, err)
	}
	return f, nil
}

// String is the Final's attribute form.
func (f Final) String() string {
	b, _ := json.Marshal([]int(f))
	return string(b)
}

// Total is the number of trials of the study: the search's and the final
// stage's once it is planned.
func (s *Spec) Total(final Final) int { return s.TotalTrials() + len(final) }

// StageOf says which stage trial number is in and, for one that trains a
// search trial's configuration again, that trial's number (else -1).
func (s *Spec) StageOf(number int, final Final) (Stage, int) {
	i := number - s.TotalTrials()
	if i < 0 || i >= len(final) {
		return SearchStage, -1
	}
	switch src := final[i]; {
	case src == BaselineSource:
		return BaselineStage, -1
	case s.Confirm.Top > 0:
		return ConfirmStage, src
	default:
		return TestStage, src
	}
}

// Runs is how many runs a trial of the stage trains: the search's repeats
// or folds (a test-stage trial repeats its source's), the confirmation's
// seeds.
func (s *Spec) Runs(stage Stage) int {
	if stage == ConfirmStage || stage == BaselineStage {
		return s.Confirm.Seeds
	}
	return max(s.Repeats, s.Data.Folds)
}

// Seeds are the seeds of a trial's runs: its own, or for a test-stage
// trial its source's, so that it trains the very same models.
func (s *Spec) Seeds(number int, stage Stage, source int) []uint64 {
	if stage == TestStage {
		number = source
	}
	out := make([]uint64, s.Runs(stage))
	for r := range out {
		out[r] = TrialSeed(s.Seed, number, r)
	}
	return out
}

// NewRun describes run r of trial t for its objective.
func (s *Spec) NewRun(t Trial, r int) TrialRun {
	run := TrialRun{Number: t.Number, Repeat: r, Seed: t.Seeds[r], SplitSeed: s.Seed, Params: Active(t.Params), Stage: t.Stage}
	switch t.Stage {
	case ConfirmStage, BaselineStage:
		run.Test = true
		if s.Data.Resplit {
			run.SplitSeed = run.Seed
		}
		if t.Stage == BaselineStage {
			run.Params = nil // the defaults
		}
	default:
		run.Test = t.Stage == TestStage
		if s.Data.Folds > 1 {
			run.Folds, run.Fold = s.Data.Folds, r
		}
	}
	return run
}

// PlanFinal chooses the final stage once the search has finished: with
// confirmation, the Top distinct configurations of the search ranked by
// its metric (other than the baseline's), then the baseline if asked for;
// without, the best search trial. With several objectives, the
// configurations are those of the Pareto front, ranked by the first. Nothing in it looks at the test set.
func (s *Spec) PlanFinal(trials []Trial) Final {
	if !s.HasFinal() {
		return Final{}
	}
	var search []Trial
	for _, t := range trials {
		if t.Stage == SearchStage {
			search = append(search, t)
		}
	}
	ranked := Ranked(s, search)
	if s.MultiObjective() { // the front's configurations, best first by the first metric
		ranked = Ranked(s, s.Pareto(search))
	}
	final := Final{}
	if s.Confirm.Top == 0 {
		if len(ranked) > 0 {
			final = append(final, ranked[0].Number)
		}
		return final
	}
	seen := map[string]bool{}
	if s.Confirm.Baseline { // confirmed as the baseline, not twice
		seen[fmt.Sprint(s.baselineParams())] = true
	}
	for _, t := range ranked {
		if key := fmt.Sprint(t.Params); !seen[key] && len(final) < s.Confirm.Top {
			seen[key] = true
			final = append(final, t.Number)
		}
	}
	if s.Confirm.Baseline {
		final = append(final, BaselineSource)
	}
	return final
}

// HasFinal reports whether the study has a final stage: not without a
// metric (nothing says which is best), nor for a W&B spec (program:)
// unless it asks for a confirmation — a W&B user's budget is its runs.
func (s *Spec) HasFinal() bool {
	return !s.Metric.None() && (s.Program == "" || s.Confirm.Top > 0)
}

// baselineParams are the values the baseline's settings take for the
// spec's parameters, for reports.
func (s *Spec) baselineParams() []ParamValue {
	var out []ParamValue
	for _, prm := range s.Parameters {
		var v any
		if s.settings != nil {
			v = s.settings.Get(s.Fixed, prm.Name)
		}
		if n, ok := v.(int); ok {
			v = int64(n) // as a spec writes integers
		}
		if !prm.Active(ParamLookup(out)) { // the defaults leave its when: unmet
			out = append(out, ParamValue{Name: prm.Name, Inactive: true})
			continue
		}
		out = append(out, ParamValue{Name: prm.Name, Value: v})
	}
	return out
}
