package study_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/pyvalue"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

const goodSpec = `name: lr_sizes
seed: 42
data: {source: mnist, subset: 1000, validation: 0.2}
fixed: {arch: mlp, impl: scratch, epochs: 30, optimizer: sgd}
metric: {name: val_accuracy, goal: maximize}
method: tpe
parameters:
  lr:      {distribution: log_uniform_values, min: 0.001, max: 1.0}
  sizes:   {values: ["784,128,64,10", "784,256,128,10", "784,128,128,10"]}
  batch:   {distribution: int_uniform, min: 8, max: 64}
  schedule: {values: [constant, cosine]}
budget: {trials: 40, batch: 4, trial_timeout: 5m, max_failed: 5}
early_terminate: {type: successive_halving, min_epochs: 3, eta: 3}
repeats: 1
`

func TestParseGoodSpec(t *testing.T) {
	s, err := study.ParseSpec("s.yaml", []byte(goodSpec), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "lr_sizes" || s.Seed != 42 || s.Method != study.TPE || len(s.Fixed) != 4 || s.Fixed[2].Key != "epochs" || s.Fixed[2].Value != int64(30) {
		t.Errorf("spec %+v", s)
	}
	names := []string{}
	for _, p := range s.Parameters {
		names = append(names, p.Name+":"+string(p.Distribution))
	}
	if got := strings.Join(names, " "); got != "lr:log_uniform_values sizes:categorical batch:int_uniform schedule:categorical" {
		t.Errorf("parameters in order: %s", got)
	}
	if s.Budget != (study.Budget{Trials: 40, Batch: 4, TrialTimeout: 5 * time.Minute, MaxFailed: 5}) {
		t.Errorf("budget %+v", s.Budget)
	}
	if s.Confirm != (study.Confirm{Top: 5, Seeds: 5, Baseline: true}) || !s.Data.Resplit || s.Data.Folds != 1 {
		t.Errorf("a search confirms by default: %+v, data %+v", s.Confirm, s.Data)
	}
	grid, err := study.ParseSpec("g.yaml", []byte("name: g\nmethod: grid\nparameters: {lr: {values: [0.1, 0.2]}}\n"), recipe.Table)
	if err != nil || grid.Confirm.Top != 0 {
		t.Errorf("a grid does not confirm unless asked: %+v, %v", grid.Confirm, err)
	}
	if !reflect.DeepEqual(s.EarlyTerminate, study.EarlyTerminate{Type: study.SuccessiveHalving, MinEpochs: 3, Eta: 3, MinTrials: 5}) {
		t.Errorf("early_terminate %+v", s.EarlyTerminate)
	}
}

// TestSpecErrors is the catalogue of bad specs: each edit of the good
// spec, and the exact message it gets.
func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown top key", "repeats: 1", "repeat: 1",
			"s.yaml:14: repeat: unknown key (valid keys: name, description, seed, program, command, wandb_module, data, fixed, metric, metrics, method, parameters, budget, run_cap, early_terminate, repeats, confirm, forbid, gpus, gpus_per_trial, project, entity, controller, job, image_uri, apiVersion, kind)"},
		{"unknown nested key", "trials: 40,", "trails: 40,",
			"s.yaml:12: budget.trails: unknown key (valid keys under budget: trials, batch, trial_timeout, max_failed)"},
		{"wrong type", "seed: 42", "seed: forty-two", `s.yaml:2: seed: want an integer, got str "forty-two"`},
		{"negative seed", "seed: 42", "seed: -1", "s.yaml:2: seed: -1: want an integer ≥ 0"},
		{"bad name", "name: lr_sizes", "name: ../..", `s.yaml:1: name: "../..": want a name with a letter or digit in it (it names the results directory)`},
		{"unknown method", "method: tpe", "method: bayesian", `s.yaml:6: method: "bayesian" is not one of grid, random, sobol, tpe, cmaes, nsga2, bayes`},
		{"unknown setting", "  lr:  ", "  rate:", "s.yaml:8: parameters.rate: unknown training setting (valid: activation, arch, batch, dtype, epochs, gamma, impl, init, lr, min_lr, momentum, nesterov, no_projection, optimizer, pre_activation, schedule, sizes, step_size, warmup, weight_decay; to sweep a program's parameters, name it with program: or command:)"},
		{"inverted range", "min: 8, max: 64", "min: 64, max: 8", "s.yaml:10: parameters.batch.max: 8 must be greater than min 64"},
		{"empty range", "min: 8, max: 64", "min: 8, max: 8", "s.yaml:10: parameters.batch.max: 8 must be greater than min 8"},
		{"log range at zero", "min: 0.001, max: 1.0", "min: 0, max: 1.0", "s.yaml:8: parameters.lr.min: 0: log_uniform_values needs min > 0"},
		{"unknown distribution", "distribution: log_uniform_values", "distribution: loguniform",
			`s.yaml:8: parameters.lr.distribution: "loguniform" is not one of constant, categorical, int_uniform, uniform, q_uniform, log_uniform_values, log_uniform, inv_log_uniform, inv_log_uniform_values, q_log_uniform, q_log_uniform_values, normal, q_normal, log_normal, q_log_normal, beta, q_beta, categorical_w_probabilities`},
		{"float int range", "int_uniform, min: 8, max: 64", "int_uniform, min: 8.5, max: 64", "s.yaml:10: parameters.batch: int_uniform needs integer min and max, got 8.5 and 64"},
		{"integer setting, float distribution", "int_uniform, min: 8, max: 64", "uniform, min: 8, max: 64", "s.yaml:10: parameters.batch: batch is an integer setting: use int_uniform or q_uniform"},
		{"bad categorical value", "[constant, cosine]", "[constant, cyclic]", `s.yaml:11: parameters.schedule: value cyclic: unknown schedule "cyclic" (want one of [constant cosine step])`},
		{"duplicate value", "[constant, cosine]", "[cosine, cosine]", "s.yaml:11: parameters.schedule.values[1]: 'cosine' listed twice"},
		{"wrong value type", "[constant, cosine]", "[constant, 3]", `s.yaml:11: parameters.schedule.values[1]: want a string, got int "3"`},
		{"empty values", "[constant, cosine]", "[]", "s.yaml:11: parameters.schedule.values: want a non-empty list"},
		{"numeric distribution on a string setting", "schedule: {values: [constant, cosine]}", "schedule: {min: 1, max: 2}",
			"s.yaml:11: parameters.schedule: schedule is a string setting: sweep it with values: [...], not a numeric distribution"},
		{"bad fixed value", "optimizer: sgd}", "optimizer: rmsprop}", `s.yaml:4: fixed.optimizer: unknown optimizer "rmsprop" (want one of [sgd momentum adam])`},
		{"fixed and swept", "optimizer: sgd}", "optimizer: sgd, lr: 0.1}", "s.yaml:8: parameters.lr: is also fixed: a setting is either fixed or swept"},
		{"bad fixed type", "epochs: 30,", "epochs: thirty,", `s.yaml:4: fixed.epochs: want an integer, got str "thirty"`},
		{"bad range value", "min: 0.001, max: 1.0", "min: 0.001, max: 1e9", ""}, // valid: any positive learning rate
		{"grid over continuous", "method: tpe", "method: grid",
			"s.yaml:8: parameters.lr: method grid needs a finite set of values: give values: [...], or int_uniform or q_uniform bounds (log_uniform_values is continuous)"},
		{"missing trials", "trials: 40, ", "", "s.yaml:12: run_cap: method tpe needs a number of trials: give run_cap (or budget.trials) in the spec, or sweep run --trials N"},
		{"bad timeout", "trial_timeout: 5m", "trial_timeout: soon", `s.yaml:12: budget.trial_timeout: "soon": want a positive duration such as 90s or 5m`},
		{"zero batch", "batch: 4,", "batch: 0,", "s.yaml:12: budget.batch: 0: want an integer ≥ 1"},
		{"bad pruner", "type: successive_halving", "type: hyperbend", `s.yaml:13: early_terminate.type: "hyperbend" is not one of none, successive_halving, median, hyperband`},
		{"eta too small", "eta: 3", "eta: 1", "s.yaml:13: early_terminate.eta: 1: want an integer ≥ 2"},
		{"nothing to prune", "min_epochs: 3", "min_epochs: 30", "s.yaml:13: early_terminate.min_epochs: 30 leaves nothing to prune in 30 epochs"},
		{"pruning with repeats", "repeats: 1", "repeats: 3", "s.yaml:13: early_terminate: pruning judges single runs; with repeats: 3 use type: none"},
		{"metric goal mismatch", "goal: maximize", "goal: minimize", "s.yaml:5: metric.goal: val_accuracy is to maximize, not minimize"},
		{"unknown metric", "name: val_accuracy", "name: accuracy", `s.yaml:5: metric.name: "accuracy" is not one of val_accuracy, val_loss, params, flops, seconds: without program: or command:, a spec sweeps the built-in networks; to sweep a program that reports "accuracy", name it with program: (W&B's) or command:`},
		{"two objectives", "metric: {name: val_accuracy, goal: maximize}\nmethod: tpe", "metrics: [{name: val_accuracy, goal: maximize}, {name: params, goal: minimize}]\nmethod: nsga2", ""},
		{"metric and metrics", "metric: {name: val_accuracy, goal: maximize}", "metric: {name: val_accuracy, goal: maximize}\nmetrics: [{name: params}]", "s.yaml:6: metrics: metric: is given too: give metric: for one objective, metrics: for several"},
		{"metrics empty", "metric: {name: val_accuracy, goal: maximize}", "metrics: []", "s.yaml:5: metrics: want a list of 1 to 8 metrics, e.g. [{name: val_accuracy, goal: maximize}, {name: seconds, goal: minimize}]"},
		{"metrics not a list", "metric: {name: val_accuracy, goal: maximize}", "metrics: {name: params}", "s.yaml:5: metrics: want a list of 1 to 8 metrics, e.g. [{name: val_accuracy, goal: maximize}, {name: seconds, goal: minimize}]"},
		{"metric twice", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: params}, {name: params}]", `s.yaml:5: metrics[1].name: "params" is metrics[0] too: each objective once`},
		{"metrics unknown name", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: val_accuracy}, {name: size}]", `s.yaml:5: metrics[1].name: "size" is not one of val_accuracy, val_loss, params, flops, seconds: without program: or command:, a spec sweeps the built-in networks; to sweep a program that reports "size", name it with program: (W&B's) or command:`},
		{"objective goal mismatch", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: val_accuracy}, {name: seconds, goal: maximize}]", "s.yaml:5: metrics[1].goal: seconds is to minimize, not maximize"},
		{"metrics unknown key", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: val_accuracy}, {name: params, direction: down}]", "s.yaml:5: metrics[1].direction: unknown key (valid keys under metrics[1]: name, goal, target, impute, impute_while_running)"},
		{"metrics target", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: val_accuracy, target: 0.9}, {name: params}]", "s.yaml:5: metrics[0].target: a target ends a search on one metric; with several objectives none is the best: leave target out"},
		{"tpe on several", "metric: {name: val_accuracy, goal: maximize}", "metrics: [{name: val_accuracy, goal: maximize}, {name: params, goal: minimize}]", "s.yaml:6: method: tpe searches by one metric; with several objectives (metrics:) use nsga2, random, sobol or grid"},
		{"validation out of range", "validation: 0.2", "validation: 1.5", "s.yaml:3: data.validation: 1.5: want a fraction strictly between 0 and 1"},
		{"missing data dir", "source: mnist", "source: /no/such/dir", ""}, // parsing reads no file: see recipe's TestObjectiveChecksData
		{"duplicate key", "repeats: 1", "repeats: 1\nrepeats: 2", "s.yaml:15: repeats: given twice"},
		{"not yaml", "method: tpe", "method: [tpe", "s.yaml:5: not valid YAML: did not find expected ',' or ']'"},
		{"missing method", "method: tpe\n", "", `s.yaml:1: missing required key "method"`},
		{"pre-activation on mlp", "optimizer: sgd}", "optimizer: sgd, pre_activation: true}", "s.yaml:4: fixed.pre_activation: pre-activation and no-projection apply to arch resnet, not mlp"},
		{"cmaes one numeric", "method: tpe", "method: cmaes", ""},
		{"q without q_uniform", "{distribution: int_uniform, min: 8, max: 64}", "{distribution: int_uniform, min: 8, max: 64, q: 8}", "s.yaml:10: parameters.batch.q: applies to the q_ distributions only"},
		{"no confirmation", "repeats: 1", "repeats: 1\nconfirm: false", ""},
		{"confirm top 0", "repeats: 1", "repeats: 1\nconfirm: {top: 0}", "s.yaml:15: confirm.top: 0: want an integer ≥ 1"},
		{"confirm seeds 0", "repeats: 1", "repeats: 1\nconfirm: {top: 3, seeds: 0}", "s.yaml:15: confirm.seeds: 0: want an integer ≥ 2"},
		{"confirm true", "repeats: 1", "repeats: 1\nconfirm: true", "s.yaml:15: confirm: want false or a mapping with keys top, seeds, baseline"},
		{"one fold", "validation: 0.2", "validation: 0.2, folds: 1", "s.yaml:3: data.folds: 1: want an integer ≥ 2"},
		{"folds and repeats", "validation: 0.2", "validation: 0.2, folds: 5", ""},
		{"bad resplit", "validation: 0.2", "validation: 0.2, resplit: sometimes", `s.yaml:3: data.resplit: want true or false, got str "sometimes"`},
		{"huge int range", "min: 8, max: 64", "min: 1, max: 100000000000", "s.yaml:10: parameters.batch: 1e+11 values: a parameter may have at most 1000000000"},
		{"huge q range", "batch:   {distribution: int_uniform, min: 8, max: 64}", "batch:   {distribution: q_uniform, min: 0, max: 1e12, q: 1}", "s.yaml:10: parameters.batch: 1e+12 values: a parameter may have at most 1000000000"},
		{"too many trials", "trials: 40,", "trials: 10000000,", "s.yaml:12: budget.trials: 10000000: want an integer from 1 to 100000"},
		{"too large a batch", "batch: 4,", "batch: 1000000,", "s.yaml:12: budget.batch: 1000000: want an integer from 1 to 1000"},
		{"too many repeats", "repeats: 1", "repeats: 1000", "s.yaml:14: repeats: 1000: want an integer from 1 to 100"},
		{"eta with median", "type: successive_halving", "type: median", "s.yaml:13: early_terminate.eta: does not apply to type median (its keys: type, min_epochs, min_trials)"},
		{"min_trials with halving", "eta: 3}", "eta: 3, min_trials: 4}", "s.yaml:13: early_terminate.min_trials: does not apply to type successive_halving (its keys: type, min_epochs, eta)"},
		{"keys with none", "type: successive_halving", "type: none", "s.yaml:13: early_terminate.min_epochs: does not apply to type none (its keys: type)"},
		{"values and range", `{values: ["784,128,64,10"`, `{min: 1, values: ["784,128,64,10"`, "s.yaml:9: parameters.sizes.min: does not apply to distribution categorical"},
	}
	for _, tt := range tests {
		src := strings.Replace(goodSpec, tt.from, tt.to, 1)
		if src == goodSpec && tt.from != tt.to {
			t.Fatalf("%s: %q not in the good spec", tt.name, tt.from)
		}
		_, err := study.ParseSpec("s.yaml", []byte(src), recipe.Table)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(goodSpec))
	f.Add([]byte("name: x\nmethod: grid\nparameters: {lr: {values: [0.1, 0.2]}}\n"))
	f.Add([]byte(wandbSpec))
	f.Add([]byte("name: m\nmethod: nsga2\nrun_cap: 8\nmetrics:\n  - {name: val_accuracy, goal: maximize}\n  - {name: params}\n  - {name: seconds, goal: minimize}\nparameters: {lr: {min: 0.01, max: 0.1}}\n"))
	f.Add([]byte("name: p\ncommand: [x]\nmethod: random\nrun_cap: 4\nmetrics: [{name: acc, goal: maximize}, {name: seconds}, {name: loss, target: 1}]\nparameters: {a: {values: [1]}}\n"))
	f.Add([]byte("name: c\nmethod: grid\nparameters:\n  o: {values: [a, b]}\n  m: {values: [1, 2], when: {o: a}}\n  n: {min: 1, max: 3, when: {m: [1, 2]}}\nforbid:\n  - {o: b}\n  - {n: {min: 2}}\n"))
	f.Add([]byte("name: w\nprogram: t.py\nmethod: random\nrun_cap: 3\nparameters:\n  g: {parameters: {a: {distribution: q_normal, mu: 1, q: 2}}}\n  b: {values: [[1], {k: null}]}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := study.ParseSpec("f.yaml", b, recipe.Table)
		if err == nil && (s.Name == "" || len(s.Parameters) == 0 || s.TotalTrials() < 1) {
			t.Fatalf("accepted an incomplete spec: %+v", s)
		}
		if err != nil {
			return
		}
		for _, prm := range s.Parameters { // every accepted parameter draws values, never panics
			for _, u := range []float64{0, 0.5, 0.999999} {
				if v := prm.External(prm.FromUnit(u)); v == nil && prm.Numeric() {
					t.Fatalf("%s: no value at %v", prm.Name, u)
				}
			}
			_ = pyvalue.Repr(prm.Values)
		}
	})
}

// TestHugeGrid: a grid of four 65,536-value ranges (2⁶⁴ points, which
// used to overflow to "a grid of 0 points") is refused unless budget.trials
// says how many of its points to run, and then runs that many.
func TestHugeGrid(t *testing.T) {
	src := "name: g\nmethod: grid\nparameters:\n  a: {min: 1, max: 65536}\n  b: {min: 1, max: 65536}\n  c: {min: 1, max: 65536}\n  d: {min: 1, max: 65536}\n"
	if _, err := study.ParseSpec("g.yaml", []byte(src), nil); err == nil || err.Error() != "g.yaml:2: method: grid of more than 100000 points: give budget.trials to run its first points, or sample the space with random or tpe" {
		t.Errorf("got %v", err)
	}
	s, err := study.ParseSpec("g.yaml", []byte(src+"budget: {trials: 10}\n"), nil)
	if err != nil || s.TotalTrials() != 10 {
		t.Errorf("with budget.trials: %v", err)
	}
}
