package sweep

import (
	"context"
	"errors"
	"fmt"

	"github.com/sweepml/sweep/study"
)

// Replayed is one run of a trial trained again: its recorded and replayed
// epochs, side by side.
type Replayed struct {
	Repeat   int
	Seed     uint64
	Recorded []study.Epoch
	Replayed []study.Epoch
}

// Same reports whether epoch i's figures (all but wall-clock time) were
// replayed bit for bit.
func (r Replayed) Same(i int) bool {
	if i >= len(r.Replayed) {
		return false
	}
	return r.Recorded[i].Equal(r.Replayed[i])
}

// Identical reports whether every epoch was replayed bit for bit.
func (r Replayed) Identical() bool {
	if len(r.Recorded) != len(r.Replayed) {
		return false
	}
	for i := range r.Recorded {
		if !r.Same(i) {
			return false
		}
	}
	return true
}

// Replay runs trial number of a study (see journal.Load and study.Read)
// again with obj, every repeat, from its recorded parameters and seeds,
// for as many epochs as were recorded (a pruned trial stops where it was
// pruned).
func Replay(ctx context.Context, spec *study.Spec, trials []study.Trial, number int, obj Objective) (study.Trial, []Replayed, error) {
	if number < 0 || number >= len(trials) {
		return study.Trial{}, nil, fmt.Errorf("sweep %s has trials 0 to %d, not %d", spec.Name, len(trials)-1, number)
	}
	t := trials[number]
	if !t.State.Finished() {
		return t, nil, fmt.Errorf("trial %d is %s, not complete or pruned: nothing recorded to compare with", number, t.State)
	}
	var out []Replayed
	for r, recorded := range t.Runs {
		run := spec.NewRun(t, r)
		rep := Replayed{Repeat: r, Seed: run.Seed, Recorded: recorded}
		err := obj.Run(ctx, run, func(e study.Epoch) error {
			rep.Replayed = append(rep.Replayed, e)
			if len(rep.Replayed) == len(recorded) {
				return study.ErrPruned // as many epochs as recorded
			}
			return nil
		})
		if err != nil && !errors.Is(err, study.ErrPruned) {
			return t, nil, fmt.Errorf("replaying trial %d run %d: %w", number, r, err)
		}
		out = append(out, rep)
	}
	return t, out, nil
}
