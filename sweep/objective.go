package sweep

import (
	"context"

	"github.com/sweepml/sweep/study"
)

// Objective trains one run of a trial: given its parameters and seed, it
// reports each epoch's record as the epoch ends and returns when the run
// is done. When report returns study.ErrPruned the pruner has stopped the
// run: the objective stops and returns that error (or, at its last epoch,
// may finish and return nil). It stops early, with ctx's error, when ctx
// is cancelled. Any other error fails the trial; so does a panic. The same
// run must give the same records (wall-clock time aside) on every call for
// a sweep to be reproducible.
type Objective interface {
	Run(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error
}

// ObjectiveFunc is an Objective written as a function.
type ObjectiveFunc func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error

// Run calls f.
func (f ObjectiveFunc) Run(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	return f(ctx, run, report)
}

// Builder is an Objective that says what built it (libraries, compiler,
// platform); trials record it, and replay notes when it differs.
type Builder interface {
	Build() string
}

func buildOf(obj Objective) string {
	if b, ok := obj.(Builder); ok {
		return b.Build()
	}
	return ""
}
