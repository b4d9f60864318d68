package sweep

import (
	"fmt"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// The window rule. In a local study, trial n is proposed, and pruned,
// from the trials numbered below its horizon, n − budget.batch + 1: the
// budget.batch − 1 trials before it run blind to each other. It is created
// only once every trial below its horizon has finished, so what informs
// it is fixed before it starts, whatever the number of workers or the
// order in which trials finish; and a worker that is free starts the next
// trial at once unless a trial budget.batch numbers before it still runs.
// With budget.batch 1 the search is sequential.

// horizon is the number of trials whose results inform trial n in a local
// study.
func (e *engine) horizon(n int) int {
	return max(n-e.spec.Budget.Batch+1, 0)
}

// ready reports whether the next new trial may be created: in a local
// study, once every trial below its horizon has finished (a final-stage
// trial, once the final stage is planned, at once); in a shared study
// always.
func (e *engine) ready() (bool, error) {
	if e.local == nil {
		return true, nil
	}
	n := e.local.NumTrials()
	if n >= e.spec.TotalTrials() {
		return true, nil
	}
	return e.settled.advance(e, e.horizon(n))
}

// settled is what a local study knows of the trials below a horizon: how
// far from trial 0 they have all ended (completed, pruned or failed), and
// the curves the pruner compares a trial's runs with: those of the
// completed and pruned ones. A trial that has ended never changes, and
// horizons grow as trials are created, so each trial is read once: the
// window rule asks only about the trials ended since it last asked,
// and a trial taken over from an earlier process, with a lower horizon,
// takes a prefix of the curves. The coordinator's alone.
type settled struct {
	n      int       // the trials numbered below n have all ended, and are read
	curves [][]curve // by run: theirs, in number order (with a pruner)
	ends   [][]int   // by run: ends[r][k] is len(curves[r]) with trial k read
}

// advance reads the trials below h not read yet, in number order, as long
// as they have ended, and reports whether every trial below h has.
func (s *settled) advance(e *engine, h int) (bool, error) {
	runs := e.spec.Runs(study.SearchStage)
	if s.curves == nil {
		s.curves, s.ends = make([][]curve, runs), make([][]int, runs)
	}
	for ; s.n < h; s.n++ {
		t, err := e.reader.ReadTrial(e.storage, e.study.ID, s.n) // a journal's trial IDs are their numbers
		if err != nil || t.State == study.Running {
			return false, err
		}
		if e.pruner == nil {
			continue
		}
		for r := range runs {
			// A failed trial has no curve; with folds, run r of each
			// trial validates on the same fold.
			if t.State.Finished() && r < len(t.Runs) {
				s.curves[r] = append(s.curves[r], e.newCurve(t, r))
			}
			s.ends[r] = append(s.ends[r], len(s.curves[r]))
		}
	}
	return true, nil
}

// below returns run run's curves of the trials numbered below h, every
// one of which has ended (the window rule), for a study with a pruner.
func (s *settled) below(e *engine, h, run int) ([]curve, error) {
	switch ok, err := s.advance(e, h); {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("trial %d is below a horizon of %d and has not ended: the window rule does not hold", s.n, h)
	case h == 0 || e.pruner == nil:
		return nil, nil
	}
	k := s.ends[run][h-1]
	return s.curves[run][:k:k], nil
}

// attrWindow marks a study scheduled by the window rule. Studies without
// it were scheduled in aligned batches; one of those cannot be resumed
// mid-search without mixing the two rules.
const attrWindow = "sweep:window"

// checkWindow marks a new local study as scheduled by the window rule, and
// refuses to resume the search of one that was not.
func checkWindow(st storage.Storage, studyID int, spec *study.Spec) error {
	trials, err := st.GetAllTrials(studyID)
	if err != nil {
		return err
	}
	attrs, err := st.GetStudySystemAttrs(studyID)
	if err != nil {
		return err
	}
	if _, ok := attrs[attrWindow]; ok {
		return nil
	}
	if len(trials) == 0 {
		return st.SetStudySystemAttr(studyID, attrWindow, "1")
	}
	searched := 0
	for _, t := range trials {
		if t.Number < spec.TotalTrials() && t.State.IsFinished() {
			searched++
		}
	}
	if searched < spec.TotalTrials() {
		return &InputError{fmt.Errorf("%s holds a search begun by an earlier version of sweep, which asked trials in aligned batches; "+
			"resuming it under today's rule would mix the two: run with --restart, or finish it with that version", st.Redacted())}
	}
	return nil
}

// horizonView is the study as a proposal sees it: goptuna's samplers read
// every trial of the study, and in a local study trial n's proposal must
// see only the trials below its horizon.
type horizonView struct {
	storage.Storage
	limit int // trials numbered below it are seen; < 0: all
}

func (v *horizonView) GetAllTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	trials, err := v.Storage.GetAllTrials(studyID)
	if err != nil || v.limit < 0 {
		return trials, err
	}
	out := make([]goptuna.FrozenTrial, 0, min(len(trials), v.limit))
	for _, t := range trials {
		if t.Number < v.limit {
			out = append(out, t)
		}
	}
	return out, nil
}
