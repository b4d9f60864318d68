package sweep

import (
	"context"
	"errors"
	"fmt"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/train"
)

// Replayed is one run of a trial trained again: its recorded and replayed
// epochs, side by side.
type Replayed struct {
	Repeat   int
	Seed     uint64
	Recorded []train.Epoch
	Replayed []train.Epoch
}

// Same reports whether epoch i's figures (all but wall-clock time) were
// replayed bit for bit.
func (r Replayed) Same(i int) bool {
	if i >= len(r.Replayed) {
		return false
	}
	a, b := r.Recorded[i], r.Replayed[i]
	a.Seconds, b.Seconds = 0, 0
	return a == b
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

// Replay trains trial number of a sweep (see Load and LoadStudy) again,
// every repeat, from its recorded parameters and seeds, for as many epochs
// as were recorded (a pruned trial stops where it was pruned).
func Replay(ctx context.Context, spec *Spec, trials []Trial, number int) (Trial, []Replayed, error) {
	if number < 0 || number >= len(trials) {
		return Trial{}, nil, fmt.Errorf("sweep %s has trials 0 to %d, not %d", spec.Name, len(trials)-1, number)
	}
	t := trials[number]
	if t.State != StateComplete && t.State != StatePruned {
		return t, nil, fmt.Errorf("trial %d is %s, not complete or pruned: nothing recorded to compare with", number, t.State)
	}
	data, err := dataset.Load(spec.Data.Source)
	if err != nil {
		return t, nil, err
	}
	var out []Replayed
	for r, recorded := range t.Runs {
		settings, err := spec.settings(t.Params, number, r)
		if err != nil {
			return t, nil, err
		}
		rep := Replayed{Repeat: r, Seed: settings.Seed, Recorded: recorded}
		_, err = recipe.Run(ctx, data, settings, recipe.Options{OnEpoch: func(e train.Epoch) error {
			rep.Replayed = append(rep.Replayed, e)
			if len(rep.Replayed) == len(recorded) {
				return train.ErrStop
			}
			return nil
		}})
		if err != nil && !errors.Is(err, train.ErrStop) {
			return t, nil, fmt.Errorf("replaying trial %d run %d: %w", number, r, err)
		}
		out = append(out, rep)
	}
	return t, out, nil
}
