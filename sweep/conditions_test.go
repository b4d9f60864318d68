package sweep_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

// seenParams is an objective that records the parameters each run got,
// by trial number, and reports a loss made of them.
type seenParams struct {
	mu   sync.Mutex
	runs map[int][]study.ParamValue
}

func (s *seenParams) Run(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	s.mu.Lock()
	s.runs[run.Number] = run.Params
	s.mu.Unlock()
	loss := 1.0
	for _, p := range run.Params {
		if f, ok := p.Value.(float64); ok {
			loss += (f - 0.5) * (f - 0.5)
		}
	}
	return report(study.Epoch{Epoch: 1, ValLoss: loss})
}

const conditionalSpec = `name: cond
seed: 11
metric: {name: val_loss}
method: %s
parameters:
  optimizer: {values: [sgd, momentum, adam]}
  momentum: {distribution: uniform, min: 0.5, max: 0.99, when: {optimizer: [momentum]}}
  nesterov: {values: [true, false], when: {optimizer: momentum, momentum: {}}}
  beta: {distribution: uniform, min: 0.8, max: 0.999, when: {optimizer: adam}}
  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
budget: {trials: 24, batch: 3}
confirm: false
`

// TestConditionalParameters: with momentum only when optimizer is
// momentum (and beta only with adam), no trial of another optimizer has a
// momentum, every momentum trial has one, for every method; the objective
// sees only the active parameters; the record leaves the others out; and
// 1 and 3 workers record the same study.
func TestConditionalParameters(t *testing.T) {
	for _, method := range []string{"random", "sobol", "tpe", "grid"} {
		src := fmt.Sprintf(conditionalSpec, method)
		src = strings.Replace(src, "  nesterov: {values: [true, false], when: {optimizer: momentum, momentum: {}}}\n", "", 1)
		if method == "grid" {
			src = strings.NewReplacer("{distribution: uniform, min: 0.5, max: 0.99,", "{values: [0.5, 0.9],",
				"{distribution: uniform, min: 0.8, max: 0.999,", "{values: [0.9, 0.99],",
				"{distribution: log_uniform_values, min: 0.001, max: 0.1}", "{values: [0.01, 0.1]}",
				"budget: {trials: 24, batch: 3}", "budget: {batch: 3}").Replace(src)
		}
		var studies [][]study.Trial
		for _, workers := range []int{1, 3} {
			spec, err := study.ParseSpec("cond.yaml", []byte(src), nil)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			obj := &seenParams{runs: map[int][]study.ParamValue{}}
			res, err := sweep.Run(context.Background(), spec, []byte(src), obj, sweep.Options{Workers: workers, ResultsDir: t.TempDir()})
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			if method == "grid" && spec.TotalTrials() != 2*(1+2+2) { // lr × (sgd, momentum × 2, adam × 2)
				t.Errorf("grid of %d points, want 10", spec.TotalTrials())
			}
			kinds := map[string]bool{}
			for _, tr := range res.Trials[:spec.TotalTrials()] {
				opt := tr.Params[0].Value.(string)
				kinds[opt] = true
				momentum, beta := tr.Params[1], tr.Params[2]
				if momentum.Inactive != (opt != "momentum") || beta.Inactive != (opt != "adam") {
					t.Errorf("%s trial %d (%s): momentum inactive %v, beta inactive %v", method, tr.Number, opt, momentum.Inactive, beta.Inactive)
				}
				var names []string
				for _, p := range obj.runs[tr.Number] {
					names = append(names, p.Name)
				}
				want := map[string]string{"sgd": "optimizer lr", "momentum": "optimizer momentum lr", "adam": "optimizer beta lr"}[opt]
				if got := strings.Join(names, " "); got != want {
					t.Errorf("%s trial %d: the objective got %s, want %s", method, tr.Number, got, want)
				}
			}
			if len(kinds) != 3 {
				t.Errorf("%s: optimizers drawn %v", method, kinds)
			}
			studies = append(studies, study.Untimed(res.Trials))
		}
		if !reflect.DeepEqual(studies[0], studies[1]) {
			t.Errorf("%s: 1 and 3 workers recorded different studies", method)
		}
	}
}

const forbidSpec = `name: forbid
metric: {name: val_loss}
method: %s
parameters:
  arch: {values: [mlp, resnet]}
  impl: {values: [scratch, gomlx]}
  batch: {values: [8, 64]}
forbid:
  - {arch: resnet, impl: gomlx}
  - {batch: {min: 32}, impl: gomlx}
budget: {trials: %d, batch: 2}
confirm: false
`

// TestForbid: a grid skips the forbidden combinations (8 combinations, 3
// forbidden); random and TPE never draw one; a space forbid: empties is
// an error.
func TestForbid(t *testing.T) {
	for _, tt := range []struct {
		method string
		trials int
	}{{"grid", 0}, {"random", 12}, {"tpe", 12}} {
		src := strings.Replace(fmt.Sprintf(forbidSpec, tt.method, tt.trials), "budget: {trials: 0, batch: 2}", "budget: {batch: 2}", 1)
		spec, err := study.ParseSpec("f.yaml", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		obj := &seenParams{runs: map[int][]study.ParamValue{}}
		res, err := sweep.Run(context.Background(), spec, []byte(src), obj, sweep.Options{Workers: 2, ResultsDir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", tt.method, err)
		}
		if tt.method == "grid" && spec.TotalTrials() != 5 {
			t.Errorf("grid of %d points, want 5", spec.TotalTrials())
		}
		for _, tr := range res.Trials {
			p := map[string]any{}
			for _, x := range tr.Params {
				p[x.Name] = x.Value
			}
			if p["impl"] == "gomlx" && (p["arch"] == "resnet" || p["batch"] == int64(64)) {
				t.Errorf("%s trial %d: %v, a forbidden combination", tt.method, tr.Number, p)
			}
		}
	}
	empty := strings.Replace(fmt.Sprintf(forbidSpec, "random", 4), "  - {arch: resnet, impl: gomlx}\n", "  - {arch: [mlp, resnet]}\n", 1)
	spec, err := study.ParseSpec("f.yaml", []byte(empty), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sweep.Run(context.Background(), spec, []byte(empty), &seenParams{runs: map[int][]study.ParamValue{}}, sweep.Options{Workers: 1, ResultsDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "1000 draws, every one a combination forbid: names") {
		t.Errorf("an empty space: %v", err)
	}
}

// TestForbidArchImpl: a grid of arch × impl without resnet/gomlx runs
// exactly the three allowed points, each once.
func TestForbidArchImpl(t *testing.T) {
	src := "name: ai\nmetric: {name: val_loss}\nmethod: grid\nparameters:\n  arch: {values: [mlp, resnet]}\n  impl: {values: [scratch, gomlx]}\nforbid:\n  - {arch: resnet, impl: gomlx}\n"
	spec, err := study.ParseSpec("ai.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	obj := &seenParams{runs: map[int][]study.ParamValue{}}
	res, err := sweep.Run(context.Background(), spec, []byte(src), obj, sweep.Options{Workers: 2, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range res.Trials[:spec.TotalTrials()] { // the search; then the best trained again
		got = append(got, study.Describe(tr.Params))
	}
	if want := "arch=mlp, impl=scratch; arch=mlp, impl=gomlx; arch=resnet, impl=scratch"; strings.Join(got, "; ") != want {
		t.Errorf("trials %q, want %s", got, want)
	}
}
