package study

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sweepml/sweep/record"
)

// The spec's sections, key by key.

func (p *parser) data(n *yaml.Node, d *DataSpec) error {
	return p.fields(n, "data", []string{"source", "subset", "validation", "folds", "resplit"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "folds":
			d.Folds, err = p.bounded(v, "data.folds", 2, MaxRuns)
		case "resplit":
			d.Resplit, err = p.boolean(v, "data.resplit")
		case "source":
			d.Source, err = p.str(v, "data.source")
		case "subset":
			d.Subset, err = p.integer(v, "data.subset", 0)
		case "validation":
			if d.Validation, err = p.number(v, "data.validation"); err == nil && !(d.Validation > 0 && d.Validation < 1) {
				err = p.errorf(v, "data.validation", "%v: want a fraction strictly between 0 and 1", d.Validation)
			}
		}
		return err
	})
}

// metric reads metric: (at key "metric", or "metrics[i]" for one of
// several objectives). The built-in networks' metrics are named in
// Metrics, their direction fixed by the name; a command's is any name its
// program reports, its goal minimize unless given (W&B's default) or the
// name is a built-in one.
func (p *parser) metric(n *yaml.Node, m *Metric, key string) error {
	var goal, name *yaml.Node
	var g string
	err := p.fields(n, key, []string{"name", "goal", "target", "impute", "impute_while_running"}, func(k string, v *yaml.Node) error {
		var err error
		switch at := key + "." + k; k {
		case "name":
			name = v
			if m.Name, err = p.str(v, at); err == nil && !record.ValidName(m.Name) {
				err = p.errorf(v, at, "%q: want letters, digits, '_', '.', '/', '-', ':' and inner spaces, at most %d bytes", m.Name, record.MaxNameLen)
			}
		case "goal":
			goal = v
			g, err = oneOf(p, v, at, []string{"maximize", "minimize"})
		case "target":
			var t float64
			t, err = p.number(v, at)
			m.Target = &t
		case "impute":
			_, err = oneOf(p, v, at, []string{"worst", "best", "latest"})
		case "impute_while_running":
			_, err = oneOf(p, v, at, []string{"false", "worst", "best", "latest"})
		}
		return err
	})
	if err != nil {
		return err
	}
	if name == nil {
		return p.errorf(n, key, "missing required key \"name\"")
	}
	builtin, known := builtinMetric(m.Name)
	if !p.command && p.settings != nil && !known { // a Go objective's (no settings) may be any name
		names := make([]string, len(Metrics))
		for i, b := range Metrics {
			names[i] = b.Name
		}
		return p.errorf(name, key+".name", "%q is not one of %s: without program: or command:, a spec sweeps the built-in networks; to sweep a program that reports %q, name it with program: (W&B's) or command:", m.Name, strings.Join(names, ", "), m.Name)
	}
	m.Maximize = builtin.Maximize
	switch {
	case goal == nil:
	case (!p.command || m.Name == Seconds.Name) && known && g != builtin.Goal():
		return p.errorf(goal, key+".goal", "%s is to %s, not %s", m.Name, builtin.Goal(), g)
	default:
		m.Maximize = g == "maximize"
	}
	return nil
}

// metrics reads metrics:, several objectives: a list of what metric:
// takes, the first the primary (what pruning and a target judge).
func (p *parser) metrics(n *yaml.Node, s *Spec) error {
	if p.lines["metric"] != 0 {
		return p.errorf(n, "metrics", "metric: is given too: give metric: for one objective, metrics: for several")
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 || len(n.Content) > MaxObjectives {
		return p.errorf(n, "metrics", "want a list of 1 to %d metrics, e.g. [{name: val_accuracy, goal: maximize}, {name: seconds, goal: minimize}]", MaxObjectives)
	}
	ms := make([]Metric, len(n.Content))
	for i, e := range n.Content {
		key := fmt.Sprintf("metrics[%d]", i)
		p.lines[key] = e.Line
		if err := p.metric(e, &ms[i], key); err != nil {
			return err
		}
		for j := range i {
			if ms[j].Name == ms[i].Name {
				return p.errorf(e, key+".name", "%q is metrics[%d] too: each objective once", ms[i].Name, j)
			}
		}
		if ms[i].Target != nil && len(n.Content) > 1 {
			return p.errorf(e, key+".target", "a target ends a search on one metric; with several objectives none is the best: leave target out")
		}
	}
	s.Metric, s.More = ms[0], ms[1:]
	return nil
}

func (p *parser) budget(n *yaml.Node, b *Budget) error {
	return p.fields(n, "budget", []string{"trials", "batch", "trial_timeout", "max_failed"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "trials":
			b.Trials, err = p.bounded(v, "budget.trials", 1, MaxTrials)
		case "batch":
			b.Batch, err = p.bounded(v, "budget.batch", 1, MaxBatch)
		case "max_failed":
			b.MaxFailed, err = p.integer(v, "budget.max_failed", 1)
		case "trial_timeout":
			var s string
			if s, err = p.str(v, "budget.trial_timeout"); err == nil {
				if b.TrialTimeout, err = time.ParseDuration(s); err != nil || b.TrialTimeout <= 0 {
					err = p.errorf(v, "budget.trial_timeout", "%q: want a positive duration such as 90s or 5m", s)
				}
			}
		}
		return err
	})
}

// prunerKeys are the keys of early_terminate each pruner type uses.
var prunerKeys = map[PrunerType][]string{
	NoPruner:          {"type"},
	SuccessiveHalving: {"type", "min_epochs", "eta"},
	MedianPruner:      {"type", "min_epochs", "min_trials"},
	Hyperband:         {"type", "min_iter", "max_iter", "s", "eta", "strict"},
}

// maxBand bounds hyperband's bands: no run reports more often.
const maxBand = 10_000_000

func (p *parser) earlyTerminate(n *yaml.Node, e *EarlyTerminate) error {
	given := map[string]*yaml.Node{}
	var minIter, maxIter, s int
	strict := true // W&B's default since 2024
	err := p.fields(n, "early_terminate", []string{"type", "min_epochs", "eta", "min_trials", "min_iter", "max_iter", "s", "strict"}, func(key string, v *yaml.Node) error {
		given[key] = v
		var err error
		switch key {
		case "type":
			e.Type, err = oneOf(p, v, "early_terminate.type", PrunerTypes)
		case "min_epochs":
			e.MinEpochs, err = p.bounded(v, "early_terminate.min_epochs", 1, 100_000)
		case "eta":
			e.Eta, err = p.bounded(v, "early_terminate.eta", 2, 100)
		case "min_trials":
			e.MinTrials, err = p.bounded(v, "early_terminate.min_trials", 1, MaxTrials)
		case "min_iter":
			minIter, err = p.bounded(v, "early_terminate.min_iter", 1, maxBand)
		case "max_iter":
			maxIter, err = p.bounded(v, "early_terminate.max_iter", 1, maxBand)
		case "s":
			s, err = p.bounded(v, "early_terminate.s", 0, 100)
		case "strict":
			strict, err = p.boolean(v, "early_terminate.strict")
		}
		return err
	})
	if err != nil {
		return err
	}
	if given["type"] == nil {
		return p.errorf(n, "early_terminate", "missing required key \"type\" (one of none, successive_halving, median, hyperband)")
	}
	uses := prunerKeys[e.Type]
	for _, key := range []string{"min_epochs", "eta", "min_trials", "min_iter", "max_iter", "s", "strict"} {
		if v, ok := given[key]; ok && !slices.Contains(uses, key) {
			return p.errorf(v, "early_terminate."+key, "does not apply to type %s (its keys: %s)", e.Type, strings.Join(uses, ", "))
		}
	}
	if e.Type == Hyperband {
		e.Strict = strict
		e.Bands = hyperbandBands(minIter, maxIter, s, e.Eta)
		if len(e.Bands) == 0 {
			return p.errorf(n, "early_terminate", "hyperband needs bands: give min_iter, or max_iter with s ≥ 1 (max_iter/eta, max_iter/eta², … down to 1)")
		}
	}
	return nil
}

// hyperbandBands are W&B's hyperband bands: from max_iter (which wins if
// both are given), max_iter/eta^k for k = 1..s while ≥ 1, truncated;
// from min_iter, min_iter·eta^k.
func hyperbandBands(minIter, maxIter, s, eta int) []int {
	var bands []int
	if maxIter > 0 {
		b := float64(maxIter)
		for range s {
			if b /= float64(eta); b < 1 {
				break
			}
			bands = append(bands, int(b))
		}
		slices.Sort(bands)
		return slices.Compact(bands)
	}
	for b := minIter; b > 0 && b <= maxBand; b *= eta {
		bands = append(bands, b)
	}
	return bands
}
