package main

import (
	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

// objectiveFor is what trains the spec's trials: its command, run with
// its logs in dir, or the built-in networks. Errors are the spec's.
func objectiveFor(spec *study.Spec, dir string) (sweep.Objective, error) {
	if spec.Command == nil {
		o, err := recipe.NewObjective(spec)
		if err != nil {
			return nil, err
		}
		return o, nil
	}
	return command.FromSpec(spec, dir)
}
