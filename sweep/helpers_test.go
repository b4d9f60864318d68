package sweep

import (
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// builtin is the built-in networks' objective for a spec.
func builtin(spec *study.Spec) Objective {
	obj, err := recipe.NewObjective(spec)
	if err != nil {
		panic(err)
	}
	return obj
}
