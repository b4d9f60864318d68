package study_test

import (
	"strings"
	"testing"

	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// TestNestedConditionsGrid: a condition on a conditional parameter; the
// grid holds only the points that exist: sgd; momentum light; momentum
// heavy with each nesterov.
func TestNestedConditionsGrid(t *testing.T) {
	src := `name: n
method: grid
parameters:
  optimizer: {values: [sgd, momentum]}
  kind: {values: [heavy, light], when: {optimizer: momentum}}
  nest: {values: [a, b], when: {kind: heavy}}
`
	s, err := study.ParseSpec("n.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.GridSize() != 4 {
		t.Fatalf("grid of %d points, want 4", s.GridSize())
	}
	var got []string
	for n := range 4 {
		var vals []string
		get := s.Lookup(s.GridPoint(n))
		for _, prm := range s.Parameters {
			if v, ok := get(prm.Name); ok {
				vals = append(vals, study.FormatValue(v))
			}
		}
		got = append(got, strings.Join(vals, " "))
	}
	if strings.Join(got, ", ") != "sgd, momentum heavy a, momentum heavy b, momentum light" {
		t.Errorf("points %v", got)
	}
}

// TestConditionErrors: what when: and forbid: may name, with the built-in
// networks' settings too.
func TestConditionErrors(t *testing.T) {
	base := "name: c\nfixed: {epochs: 2}\nmethod: random\nbudget: {trials: 4}\nparameters:\n  optimizer: {values: [sgd, momentum]}\n  momentum: {distribution: uniform, min: 0.5, max: 0.9, when: %s}\n"
	for when, want := range map[string]string{
		"{optimizer: adam}":     `c.yaml:7: parameters.momentum.when.optimizer: 'adam' is not one of optimizer's values (['sgd', 'momentum'])`,
		"{optimiser: momentum}": "c.yaml:7: parameters.momentum.when.optimiser: optimiser is not a parameter of this spec",
		"{momentum: 0.6}":       "c.yaml:7: parameters.momentum.when.momentum: momentum comes after momentum: a condition names a parameter given before it (so no two can depend on each other)",
		"[optimizer]":           "c.yaml:7: parameters.momentum.when: want a mapping of earlier parameters to the value (or list of values) they must take, e.g. {optimizer: momentum}",
		"{optimizer: []}":       "c.yaml:7: parameters.momentum.when.optimizer: an empty list: want a value or a list of values",
		"{optimizer: momentum}": "",
	} {
		_, err := study.ParseSpec("c.yaml", []byte(strings.Replace(base, "%s", when, 1)), recipe.Table)
		if want == "" && err != nil || want != "" && (err == nil || err.Error() != want) {
			t.Errorf("when: %s:\n got %v\nwant %s", when, err, want)
		}
	}
	fb := "name: f\nfixed: {epochs: 2}\nmethod: random\nbudget: {trials: 4}\nparameters:\n  optimizer: {values: [sgd, momentum]}\n  lr: {distribution: uniform, min: 0.01, max: 0.5}\nforbid:\n  - %s\n"
	for forbid, want := range map[string]string{
		"{optimizer: {min: 1}}":            "f.yaml:9: forbid[0].optimizer: a range applies to a parameter of numbers; optimizer's values are not all numbers: give them",
		"{batch: 8}":                       "f.yaml:9: forbid[0].batch: batch is not a parameter of this spec",
		"{lr: 0.9}":                        "f.yaml:9: forbid[0].lr: 0.9 is not a value lr takes (0.01 to 0.5)",
		"{lr: {mini: 0.1}}":                "f.yaml:9: forbid[0].lr.mini: unknown key (valid keys under forbid[0].lr: min, max)",
		"[lr]":                             "f.yaml:9: forbid[0]: want a mapping of parameters to values, e.g. {arch: resnet, impl: torch}",
		"{lr: {min: 0.3}, optimizer: sgd}": "",
	} {
		_, err := study.ParseSpec("f.yaml", []byte(strings.Replace(fb, "%s", forbid, 1)), recipe.Table)
		if want == "" && err != nil || want != "" && (err == nil || err.Error() != want) {
			t.Errorf("forbid: %s:\n got %v\nwant %s", forbid, err, want)
		}
	}
	// A setting valid only where its condition holds is checked there:
	// pre_activation is the residual network's.
	arch := "name: a\nmethod: grid\nparameters:\n  arch: {values: [mlp, resnet]}\n  pre_activation: {values: [false, true]%s}\n"
	if _, err := study.ParseSpec("a.yaml", []byte(strings.Replace(arch, "%s", ", when: {arch: resnet}", 1)), recipe.Table); err != nil {
		t.Errorf("pre_activation when arch resnet: %v", err)
	}
	if _, err := study.ParseSpec("a.yaml", []byte(strings.Replace(arch, "%s", "", 1)), recipe.Table); err == nil ||
		err.Error() != "a.yaml:5: parameters.pre_activation: value true: pre-activation and no-projection apply to arch resnet, not mlp" {
		t.Errorf("pre_activation for every arch: %v", err)
	}
	cma := "name: m\nmethod: cmaes\nbudget: {trials: 4}\nparameters:\n  a: {min: 0.0, max: 1.0}\n  b: {min: 0.0, max: 1.0, when: {a: 0.5}}\n"
	if _, err := study.ParseSpec("m.yaml", []byte(cma), nil); err == nil || err.Error() != "m.yaml:2: method: cmaes draws every parameter in every trial: with when: or forbid:, use tpe" {
		t.Errorf("cmaes: %v", err)
	}
}
