package study

import (
	"fmt"
	"strconv"

	"github.com/c-bata/goptuna"
)

// ReadTrials builds the trial records of the study from its storage.
func (s *Spec) ReadTrials(storage goptuna.Storage, studyID int) ([]Trial, error) {
	return NewReader(s).Read(storage, studyID)
}

// Reader reads a study's trials again and again, as a running sweep
// does, building each finished trial's record once: a finished trial
// never changes.
type Reader struct {
	spec     *Spec
	finished map[int]Trial // by ID
	final    Final         // once planned: it never changes
}

// NewReader returns a reader of the spec's study.
func NewReader(spec *Spec) *Reader { return &Reader{spec: spec, finished: map[int]Trial{}} }

// Read builds the trial records of the study from its storage. Records
// share their slices with the reader's: callers must not modify them.
func (r *Reader) Read(storage goptuna.Storage, studyID int) ([]Trial, error) {
	frozen, err := storage.GetAllTrials(studyID)
	if err != nil {
		return nil, err
	}
	if len(frozen) > 0 {
		if err := r.plan(storage, studyID, len(frozen)-1); err != nil {
			return nil, err
		}
	}
	out := make([]Trial, len(frozen))
	for i, ft := range frozen {
		if out[i], err = r.record(ft); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadTrial builds one trial's record, as Read does, reading only that
// trial (a finished one not even that, once read).
func (r *Reader) ReadTrial(storage goptuna.Storage, studyID, trialID int) (Trial, error) {
	if t, ok := r.finished[trialID]; ok {
		return t, nil
	}
	ft, err := storage.GetTrial(trialID)
	if err != nil {
		return Trial{}, err
	}
	return r.Record(storage, studyID, ft)
}

// Record builds the record of a trial already read (an attempt's Trial),
// as Read does, reading the final-stage plan if it needs it.
func (r *Reader) Record(storage goptuna.Storage, studyID int, ft goptuna.FrozenTrial) (Trial, error) {
	if err := r.plan(storage, studyID, ft.Number); err != nil {
		return Trial{}, err
	}
	return r.record(ft)
}

// plan reads the final-stage plan once a trial past the search (number
// is the largest read) exists: no search trial's record needs it, and in
// a shared study it is a round trip.
func (r *Reader) plan(storage goptuna.Storage, studyID, number int) error {
	if r.final != nil || number < r.spec.TotalTrials() && r.spec.Metric.Target == nil {
		return nil // a target may have ended the search early: its studies are always asked
	}
	var err error
	r.final, err = ReadFinal(storage, studyID, r.spec)
	return err
}

// record builds a trial's record, once for a finished one.
func (r *Reader) record(ft goptuna.FrozenTrial) (Trial, error) {
	if t, ok := r.finished[ft.ID]; ok {
		return t, nil
	}
	t, err := r.spec.trial(ft, r.final)
	if err != nil {
		return Trial{}, err
	}
	if t.State != Running {
		r.finished[ft.ID] = t
	}
	return t, nil
}

// ReadFinal reads the study's final-stage plan, nil until it is made, and
// where the metric's target ended the search, applies that to spec.
func ReadFinal(storage goptuna.Storage, studyID int, spec *Spec) (Final, error) {
	attrs, err := storage.GetStudySystemAttrs(studyID)
	if err != nil {
		return nil, err
	}
	if end := attrs[AttrSearchEnd]; end != "" {
		n, err := strconv.Atoi(end)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("the study's search end %q: want a trial number ≥ 1", end)
		}
		spec.EndSearch(n)
	}
	return ParseFinal(attrs[AttrFinal])
}
