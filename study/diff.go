package study

import (
	"fmt"
	"strings"
)

// Diff names, in the spec's own words, the first setting in which spec b
// differs from a — "budget.trials was 2, is now 3" — or "" when they
// describe the same sweep.
func Diff(a, b *Spec) string {
	fa, fb := a.fields(), b.fields()
	for i := range max(len(fa), len(fb)) {
		switch {
		case i >= len(fa):
			return fmt.Sprintf("%s was not set, is now %s", fb[i][0], fb[i][1])
		case i >= len(fb):
			return fmt.Sprintf("%s was %s, is now not set", fa[i][0], fa[i][1])
		case fa[i][0] != fb[i][0]:
			return fmt.Sprintf("%s was set, is now not (%s is)", fa[i][0], fb[i][0])
		case fa[i][1] != fb[i][1]:
			return fmt.Sprintf("%s was %s, is now %s", fa[i][0], fa[i][1], fb[i][1])
		}
	}
	return ""
}

// fields lists the spec's settings as key path and value, in the spec's
// order and words.
func (s *Spec) fields() [][2]string {
	out := [][2]string{{"name", s.Name}, {"seed", fmt.Sprint(s.Seed)}, {"data.source", s.Data.Source},
		{"data.subset", fmt.Sprint(s.Data.Subset)}, {"data.validation", fmt.Sprint(s.Data.Validation)},
		{"data.folds", fmt.Sprint(s.Data.Folds)}, {"data.resplit", fmt.Sprint(s.Data.Resplit)}}
	for _, f := range s.Fixed {
		out = append(out, [2]string{"fixed." + f.Key, fmt.Sprint(f.Value)})
	}
	out = append(out, [2]string{"metric.name", s.Metric.Name}, [2]string{"metric.goal", s.Metric.Goal()}, [2]string{"metric.target", target(s.Metric.Target)})
	for i, m := range s.More {
		key := fmt.Sprintf("metrics[%d]", i+1)
		out = append(out, [2]string{key + ".name", m.Name}, [2]string{key + ".goal", m.Goal()})
	}
	out = append(out, [2]string{"method", string(s.Method)})
	for _, prm := range s.Parameters {
		path := "parameters." + prm.Name
		out = append(out, [2]string{path + ".distribution", string(prm.Distribution)})
		if prm.Numeric() {
			out = append(out, [2]string{path + ".min", fmt.Sprint(prm.Min)}, [2]string{path + ".max", fmt.Sprint(prm.Max)})
			if prm.Distribution == QUniform {
				out = append(out, [2]string{path + ".q", fmt.Sprint(prm.Q)})
			}
			continue
		}
		vals := make([]string, len(prm.Values))
		for i, v := range prm.Values {
			vals[i] = fmt.Sprint(v)
		}
		out = append(out, [2]string{path + ".values", "[" + strings.Join(vals, ", ") + "]"})
	}
	timeout := "none"
	if s.Budget.TrialTimeout > 0 {
		timeout = s.Budget.TrialTimeout.String()
	}
	b, et := s.Budget, s.EarlyTerminate
	return append(out, [2]string{"budget.trials", fmt.Sprint(b.Trials)}, [2]string{"budget.batch", fmt.Sprint(b.Batch)},
		[2]string{"budget.trial_timeout", timeout}, [2]string{"budget.max_failed", fmt.Sprint(b.MaxFailed)},
		[2]string{"early_terminate.type", string(et.Type)}, [2]string{"early_terminate.min_epochs", fmt.Sprint(et.MinEpochs)},
		[2]string{"early_terminate.eta", fmt.Sprint(et.Eta)}, [2]string{"early_terminate.min_trials", fmt.Sprint(et.MinTrials)},
		[2]string{"repeats", fmt.Sprint(s.Repeats)}, [2]string{"confirm.top", fmt.Sprint(s.Confirm.Top)},
		[2]string{"confirm.seeds", fmt.Sprint(s.Confirm.Seeds)}, [2]string{"confirm.baseline", fmt.Sprint(s.Confirm.Baseline)})
}

func target(t *float64) string {
	if t == nil {
		return "none"
	}
	return fmt.Sprint(*t)
}
