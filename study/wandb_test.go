package study_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sweepml/sweep/pyvalue"
	"github.com/sweepml/sweep/study"
)

// wandbSpec is a W&B sweep file using every key and distribution W&B's
// sweep configuration documents (written for this test from its schema).
const wandbSpec = `name: every key, with spaces
description: W&B's whole schema
program: train.py
method: bayes
project: p
entity: e
controller: {type: local}
run_cap: 20
metric:
  name: val/loss
  goal: minimize
  target: 0.01
  impute: worst
  impute_while_running: "false"
parameters:
  c: {value: [1, 2]}
  cat: {values: [a, 2, 2.5, true, null, [1, 2], {k: v}]}
  w: {values: [x, y], probabilities: [0.25, 0.75]}
  wp: {distribution: categorical_w_probabilities, values: [x, y], probabilities: [0.5, 0.5]}
  i: {min: 1, max: 4}
  u: {min: 1, max: 4.0}
  qu: {distribution: q_uniform, min: 0, max: 10, q: 2}
  lu: {distribution: log_uniform, min: -2, max: 0}
  luv: {distribution: log_uniform_values, min: 1.e-5, max: 2.}
  qlu: {distribution: q_log_uniform, min: 0, max: 5}
  qluv: {distribution: q_log_uniform_values, min: 1, max: 256, q: 1}
  ilu: {distribution: inv_log_uniform, min: 1, max: 3}
  iluv: {distribution: inv_log_uniform_values, min: 1e-3, max: 1e-1}
  n: {distribution: normal, mu: 1, sigma: 2}
  qn: {distribution: q_normal, mu: 10, sigma: 3, q: 0.5}
  ln: {distribution: log_normal}
  qln: {distribution: q_log_normal, q: 2}
  b: {distribution: beta, a: 2, b: 2}
  opt:
    parameters:
      lr: {distribution: uniform, min: 0, max: 1}
      adam:
        parameters:
          beta: {values: [0.9, 0.99]}
early_terminate:
  type: hyperband
  max_iter: 27
  s: 2
  eta: 3
  strict: false
`

func TestWandbSpec(t *testing.T) {
	s, err := study.ParseSpec("w.yaml", []byte(wandbSpec), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "every_key_with_spaces" || s.Title != "every key, with spaces" || s.Method != study.Bayes || s.Budget.Trials != 20 ||
		s.Program != "train.py" || !reflect.DeepEqual(s.Command, study.DefaultCommand) || !reflect.DeepEqual(s.NoEffect, []string{"project", "entity", "controller"}) {
		t.Errorf("spec %+v", s)
	}
	if m := s.Metric; m.Name != "val/loss" || m.Maximize || m.Target == nil || *m.Target != 0.01 {
		t.Errorf("metric %+v", m)
	}
	if et := s.EarlyTerminate; et.Type != study.Hyperband || !reflect.DeepEqual(et.Bands, []int{3, 9}) || et.Strict || et.Eta != 3 {
		t.Errorf("early_terminate %+v", et)
	}
	if s.Confirm.Top != 0 || s.HasFinal() {
		t.Errorf("a W&B spec confirms only when asked: %+v", s.Confirm)
	}
	byName := map[string]study.Parameter{}
	var names []string
	for _, p := range s.Parameters {
		byName[p.Name] = p
		names = append(names, p.Name)
	}
	if strings.Join(names, " ") != "c cat w wp i u qu lu luv qlu qluv ilu iluv n qn ln qln b opt.lr opt.adam.beta" {
		t.Errorf("names %v", names)
	}
	if p := byName["opt.adam.beta"]; !reflect.DeepEqual(p.Path, []string{"opt", "adam", "beta"}) {
		t.Errorf("nested path %v", p.Path)
	}
	if got := pyvalue.Repr(byName["cat"].Values); got != "['a', 2, 2.5, True, None, [1, 2], {'k': 'v'}]" {
		t.Errorf("values of any type: %s", got)
	}
	if p := byName["i"]; p.Distribution != study.IntUniform || byName["u"].Distribution != study.Uniform {
		t.Errorf("min/max typed as W&B types them: %s, %s", p.Distribution, byName["u"].Distribution)
	}
	// Values at chosen internal points, computed by hand.
	for _, tt := range []struct {
		name     string
		internal float64
		want     any
	}{
		{"qu", 4, int64(4)}, // an integer q: integers
		{"i", 4, int64(4)},
		{"qluv", 37.5, int64(38)}, // numpy rounds half to even
		{"qluv", 36.5, int64(36)},
		{"qlu", 2.5, 2.0}, // the default q is 1.0: floats
		{"n", 0.5, 1.0},
		{"n", 0.8413447460685429, 3.0}, // Φ(1)
		{"qn", 0.5, 10.0},
		{"ln", 0.5, 1.0},
		{"b", 0.5, 0.5},
		{"w", 1, "y"},
	} {
		got := byName[tt.name].External(tt.internal)
		if f, ok := got.(float64); ok {
			if w, _ := tt.want.(float64); math.Abs(f-w) > 1e-9 {
				t.Errorf("%s at %v: %v, want %v", tt.name, tt.internal, got, tt.want)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s at %v: %#v, want %#v", tt.name, tt.internal, got, tt.want)
		}
	}
	// Ranges: log_uniform's bounds are exponents, inv_log_uniform's mirrored.
	for name, want := range map[string][2]float64{"lu": {math.Exp(-2), 1}, "luv": {1e-5, 2}, "ilu": {math.Exp(-3), math.Exp(-1)}, "iluv": {1e-3, 1e-1}} {
		if lo, hi := byName[name].Range(); math.Abs(lo-want[0]) > 1e-15 || math.Abs(hi-want[1]) > 1e-15 {
			t.Errorf("%s: range [%v, %v], want %v", name, lo, hi, want)
		}
	}
	// Probabilities: a draw u picks the first value whose cumulative
	// probability exceeds it.
	if w := byName["w"]; w.FromUnit(0.2) != 0 || w.FromUnit(0.25) != 1 || w.FromUnit(0.99) != 1 {
		t.Errorf("probabilities: %v %v %v", w.FromUnit(0.2), w.FromUnit(0.25), w.FromUnit(0.99))
	}
}

// TestHyperbandBands: W&B's bands (sweeps' hyperband_stopping.py).
func TestHyperbandBands(t *testing.T) {
	for et, want := range map[string][]int{
		"{type: hyperband, max_iter: 27, s: 2, eta: 3}":                 {3, 9},
		"{type: hyperband, max_iter: 19, s: 2, eta: 3}":                 {2, 6},
		"{type: hyperband, max_iter: 27, s: 5}":                         {1, 3, 9},
		"{type: hyperband, min_iter: 3}":                                {3, 9, 27, 81, 243},
		"{type: hyperband, min_iter: 100, max_iter: 200, s: 4, eta: 3}": {2, 7, 22, 66}, // max_iter wins
	} {
		s, err := study.ParseSpec("h.yaml", []byte("name: h\ncommand: [x]\nmetric: {name: m}\nmethod: random\nrun_cap: 3\nparameters: {a: {min: 0.0, max: 1.0}}\nearly_terminate: "+et+"\n"), nil)
		if err != nil {
			t.Fatalf("%s: %v", et, err)
		}
		if got := s.EarlyTerminate.Bands; len(got) < len(want) || !reflect.DeepEqual(got[:len(want)], want) {
			t.Errorf("%s: bands %v, want %v…", et, got, want)
		}
	}
}

// TestWandbRejects: what W&B's schema refuses, and what cannot run, is an
// error at its line.
func TestWandbRejects(t *testing.T) {
	base := "program: t.py\nmethod: random\nrun_cap: 4\nmetric: {name: m}\nparameters:\n  a: %s\n"
	for param, want := range map[string]string{
		"{values: [x, y], probabilities: [0.5, 0.6]}":        "s.yaml:6: parameters.a.probabilities: they sum to 1.1: want 1",
		"{values: [x, y], probabilities: [1]}":               "s.yaml:6: parameters.a.probabilities: 1 probabilities for 2 values: want one per value",
		"{min: 2, max: 1}":                                   "s.yaml:6: parameters.a.max: 1 must be greater than min 2",
		"{distribution: log_uniform_values, min: 0, max: 1}": "s.yaml:6: parameters.a.min: 0: log_uniform_values needs min > 0",
		"{distribution: log_uniform, min: 0.001, max: 1000}": "s.yaml:6: parameters.a: log_uniform's bounds are natural logarithms (e^1000 overflows): did you mean log_uniform_values?",
		"{distribution: normal, min: 0, max: 1}":             "s.yaml:6: parameters.a.min: does not apply to distribution normal (it takes mu and sigma)",
		"{distribution: int_uniform, min: 1.5, max: 3}":      "s.yaml:6: parameters.a: int_uniform needs integer min and max, got 1.5 and 3",
		"{distribution: uniform, min: 0, max: 1, q: 2}":      "s.yaml:6: parameters.a.q: applies to the q_ distributions only",
		"{distribution: beta, a: 0}":                         "s.yaml:6: parameters.a: a 0, b 1: a beta distribution needs a > 0 and b > 0",
		"{parameters: {}}":                                   "s.yaml:6: parameters.a.parameters: want a mapping of parameters",
	} {
		_, err := study.ParseSpec("s.yaml", []byte(strings.Replace(base, "%s", param, 1)), nil)
		if err == nil || err.Error() != "s.yaml:"+strings.TrimPrefix(want, "s.yaml:") {
			t.Errorf("%s:\n got %v\nwant %s", param, err, want)
		}
	}
	for src, want := range map[string]string{
		"program: t.py\nmethod: bayes\nrun_cap: 2\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                                                      "s.yaml:3: metric: method bayes searches by a metric: give metric: {name: ..., goal: ...}, a figure the program reports",
		"program: t.py\nmethod: grid\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                                                                   "s.yaml:4: parameters.a: method grid needs a finite set of values: give values: [...], or int_uniform or q_uniform bounds (uniform is continuous)",
		"program: t.py\nmethod: random\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                                                                 "s.yaml:3: run_cap: method random needs a number of trials: give run_cap (or budget.trials) in the spec, or sweep run --trials N",
		"program: t.py\nmethod: random\nrun_cap: 2\nmetric: {name: m}\nparameters: {a: {min: 0.0, max: 1.0}}\nearly_terminate: {type: hyperband, max_iter: 9}\n": "s.yaml:7: early_terminate: hyperband needs bands: give min_iter, or max_iter with s ≥ 1 (max_iter/eta, max_iter/eta², … down to 1)",
		"program: t.py\nmethod: random\nrun_cap: 2\nparameters: {1a: {min: 0.0, max: 1.0}}\n":                                                                    "s.yaml:5: parameters.1a: \"1a\": a parameter's name is a letter or '_', then letters, digits, '_', '.' or '-'",
		"program: t.py\nmethod: random\nrun_cap: 2\nbudget: {trials: 3}\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                                "s.yaml:5: budget.trials: run_cap is given too: give one",
		"program: t.py\nmethod: random\nrun_cap: 2\nmetric: {name: \"val loss \"}\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                      "s.yaml:5: metric.name: \"val loss \": want letters, digits, '_', '.', '/', '-', ':' and inner spaces, at most 128 bytes",
		"program: t.py\nmethod: random\nrun_cap: 2\nmetric: {name: m, goal: maximise}\nparameters: {a: {min: 0.0, max: 1.0}}\n":                                  "s.yaml:5: metric.goal: \"maximise\" is not one of maximize, minimize",
	} {
		_, err := study.ParseSpec("s.yaml", []byte("name: s\n"+src), nil)
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", src, err, want)
		}
	}
}

// TestPrepare: a spec without a name is named after its file; --trials
// sets run_cap, or replaces the one given, lines kept.
func TestPrepare(t *testing.T) {
	src := "program: t.py # the program\nmethod: random\nrun_cap: 50\nparameters:\n  a: {min: 0.0, max: 1.0}\n"
	got := string(study.Prepare("dir/my sweep.yaml", []byte(src), 8))
	want := "program: t.py # the program\nmethod: random\nrun_cap: 8\nparameters:\n  a: {min: 0.0, max: 1.0}\nname: \"my sweep\"\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	s, err := study.ParseSpec("s.yaml", []byte(got), nil)
	if err != nil || s.Budget.Trials != 8 || s.Name != "my_sweep" {
		t.Errorf("%+v %v", s, err)
	}
	if got := string(study.Prepare("x.yaml", []byte("name: n\nmethod: random\nbudget: {trials: 3}\n"), 5)); got != "name: n\nmethod: random\nbudget: {trials: 5}\n" {
		t.Errorf("budget.trials: %q", got)
	}
	if got := string(study.Prepare("x.yaml", []byte("name: n\nmethod: random\n"), 5)); got != "name: n\nmethod: random\nrun_cap: 5\n" {
		t.Errorf("added: %q", got)
	}
}
