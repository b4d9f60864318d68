package main

import (
	"os/exec"

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
	var names []string
	for _, p := range spec.Parameters {
		names = append(names, p.Name)
	}
	if err := command.Check(spec.Command, names); err != nil {
		return nil, spec.Errorf("command", "%v", err)
	}
	if _, err := exec.LookPath(spec.Command[0]); err != nil {
		return nil, spec.Errorf("command", "%s: not a program on PATH, nor a path to one", spec.Command[0])
	}
	return &command.Objective{Argv: spec.Command, Dir: dir}, nil
}
