package journal

import (
	"maps"

	"github.com/c-bata/goptuna"
)

// goptuna's in-memory storage hands out its own maps, which a later change
// writes; a running trial's are copied here, under the journal's lock
// (every change is applied under it). A finished trial's maps never change
// and are shared.

// GetAllTrials returns the study's trials.
func (j *Journal) GetAllTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	trials, err := j.InMemoryStorage.GetAllTrials(studyID)
	j.read += len(trials)
	for i := range trials {
		trials[i] = frozenCopy(trials[i])
	}
	return trials, err
}

// GetTrial returns a trial.
func (j *Journal) GetTrial(trialID int) (goptuna.FrozenTrial, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	t, err := j.InMemoryStorage.GetTrial(trialID)
	j.read++
	return frozenCopy(t), err
}

// TrialsRead is the number of trial records the journal has handed out
// (GetAllTrials, GetTrial): what its readers cost, for tests.
func (j *Journal) TrialsRead() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.read
}

// GetTrialParams returns a trial's parameters.
func (j *Journal) GetTrialParams(trialID int) (map[string]any, error) {
	t, err := j.GetTrial(trialID)
	return t.Params, err
}

func frozenCopy(t goptuna.FrozenTrial) goptuna.FrozenTrial {
	if t.State.IsFinished() {
		return t
	}
	t.Params, t.InternalParams = maps.Clone(t.Params), maps.Clone(t.InternalParams)
	t.Distributions = maps.Clone(t.Distributions)
	t.UserAttrs, t.SystemAttrs = maps.Clone(t.UserAttrs), maps.Clone(t.SystemAttrs)
	t.IntermediateValues = maps.Clone(t.IntermediateValues)
	return t
}
