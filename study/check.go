package study

import (
	"slices"
	"strings"
)

// at is an error under key, on the line where lineKey's value starts.
func (p *parser) at(lineKey, key, format string, args ...any) error {
	s := &Spec{file: p.file, lines: map[string]int{key: p.lines[lineKey]}}
	return s.Errorf(key, format, args...)
}

// check validates what needs the whole spec: the settings' values against
// the Settings' rules, the method against the space, the pruner against
// the epochs.
func (p *parser) check(s *Spec) error {
	if err := p.checkSettings(s); err != nil {
		return err
	}
	if err := p.checkConditions(s); err != nil {
		return err
	}
	if s.Metric.None() {
		switch {
		case s.Method != Grid && s.Method != Random && s.Method != Sobol:
			return p.at("method", "metric", "method %s searches by a metric: give metric: {name: ..., goal: ...}, a figure the program reports", s.Method)
		case s.EarlyTerminate.Type != NoPruner:
			return p.at("early_terminate", "metric", "early_terminate prunes by a metric: give metric: {name: ...}")
		case s.Confirm.Top > 0:
			return p.at("confirm", "metric", "the confirmation stage confirms the best by a metric: give metric: {name: ...}, or confirm: false")
		}
	}
	if s.MultiObjective() && (s.Method == TPE || s.Method == Bayes || s.Method == CMAES) {
		return p.at("method", "method", "%s searches by one metric; with several objectives (metrics:) use nsga2, random, sobol or grid", s.Method)
	}
	if s.Method == Grid {
		for _, prm := range s.Parameters {
			path := "parameters." + strings.Join(prm.Path, ".parameters.")
			if !prm.Discrete() {
				return p.at(path, path, "method grid needs a finite set of values: give values: [...], or int_uniform or q_uniform bounds (%s is continuous)", prm.Distribution)
			}
			if prm.Probabilities != nil {
				return p.at(path+".probabilities", path+".probabilities", "method grid tries every value once: probabilities apply to random and bayes")
			}
		}
		if size := s.GridSize(); size > MaxTrials && s.Budget.Trials == 0 {
			return p.at("method", "method", "grid of more than %d points: give budget.trials to run its first points, or sample the space with random or tpe", MaxTrials)
		}
	} else if s.Budget.Trials == 0 {
		where := "budget"
		if p.lines[where] == 0 {
			where = "method"
		}
		return p.at(where, "run_cap", "method %s needs a number of trials: give run_cap (or budget.trials) in the spec, or sweep run --trials N", s.Method)
	}
	if s.Method == CMAES {
		numeric := 0
		for _, prm := range s.Parameters {
			if prm.Distribution != Categorical && prm.Distribution != Constant {
				numeric++
			}
		}
		if numeric < 2 {
			return p.at("method", "method", "cmaes needs at least two numeric parameters (has %d); use tpe", numeric)
		}
	}
	if s.GPUs != nil && s.Command == nil {
		return p.at("gpus", "gpus", "GPUs are given to a program's runs (command: or program:); the built-in networks train on CPUs")
	}
	if s.Data.Folds > 1 && s.Repeats > 1 {
		return p.at("data.folds", "data.folds", "cross-validation trains each trial once per fold; with repeats: %d give folds or repeats, not both", s.Repeats)
	}
	if s.Confirm.Baseline && p.settings == nil {
		return p.at("confirm", "confirm.baseline", "a baseline needs the defaults of a settings table; this objective has none")
	}
	if s.EarlyTerminate.Type != NoPruner {
		if s.Repeats > 1 {
			return p.at("early_terminate", "early_terminate", "pruning judges single runs; with repeats: %d use type: none", s.Repeats)
		}
		if epochs := s.MaxEpochs(p.settings); epochs > 0 && s.EarlyTerminate.MinEpochs >= epochs {
			return p.at("early_terminate", "early_terminate.min_epochs", "%d leaves nothing to prune in %d epochs", s.EarlyTerminate.MinEpochs, epochs)
		}
	}
	return nil
}

// checkSettings checks the fixed settings one at a time, so that an error
// names its key, then every value of every parameter on top of them.
func (p *parser) checkSettings(s *Spec) error {
	for i, f := range s.Fixed {
		if p.settings == nil {
			break
		}
		if err := p.settings.Check(s.Fixed[:i+1]); err != nil {
			return p.at("fixed."+f.Key, "fixed."+f.Key, "%v", err)
		}
	}
	for _, prm := range s.Parameters {
		path := "parameters." + prm.Name
		if slices.ContainsFunc(s.Fixed, func(f Setting) bool { return f.Key == prm.Name }) {
			return p.at(path+":key", path, "is also fixed: a setting is either fixed or swept")
		}
		if p.settings == nil {
			continue
		}
		// A conditional parameter's values are checked where it exists:
		// with arch resnet for when: {arch: resnet}.
		context := s.Fixed[:len(s.Fixed):len(s.Fixed)]
		for _, c := range prm.When {
			if len(c.Values) > 0 && slices.ContainsFunc(s.Parameters, func(q Parameter) bool { return q.Name == c.Param }) {
				context = append(context, Setting{c.Param, c.Values[0]}) // checkConditions checks the condition itself
			}
		}
		for _, v := range prm.probes() {
			if err := p.settings.Check(append(context[:len(context):len(context)], Setting{prm.Name, v})); err != nil {
				return p.at(path, path, "value %v: %v", v, err)
			}
		}
	}
	return nil
}

// MaxEpochs is the most epochs any trial can run, as far as settings tell
// (0: unknown).
func (s *Spec) MaxEpochs(settings SettingTable) int {
	for _, prm := range s.Parameters {
		if prm.Name == "epochs" {
			if prm.Distribution == Categorical || prm.Distribution == Constant {
				most := 0
				for _, v := range prm.Values {
					if n, ok := v.(int64); ok {
						most = max(most, int(n))
					}
				}
				return most
			}
			return int(prm.Max)
		}
	}
	if v, ok := s.FixedValue("epochs"); ok {
		n, _ := v.(int64)
		return int(n)
	}
	if settings != nil {
		n, _ := settings.Get(s.Fixed, "epochs").(int)
		return n
	}
	return 0
}
