package sweep

import (
	"fmt"
	"strconv"

	"github.com/sweepml/sweep/study"
)

// target ends the search before the next trial once a trial it may see
// has reached the metric's target (W&B's metric.target: no new run
// starts). In a local study that is a trial below the next one's horizon,
// all of which have ended (see ready), so where the search ends depends
// on neither timing nor the number of workers; in a shared study, any
// finished search trial. The end is kept in the study (AttrSearchEnd), the
// first worker's in a shared one; the final stage, if any, follows it.
func (e *engine) target() error {
	if e.spec.Metric.Target == nil {
		return nil
	}
	var n, horizon int
	var trials []study.Trial
	if e.local != nil {
		n = e.local.NumTrials()
		horizon = e.horizon(n)
	} else {
		var err error
		if trials, err = e.trials(); err != nil {
			return err
		}
		n = len(trials)
		horizon = min(n, e.spec.TotalTrials())
	}
	if n >= e.spec.TotalTrials() {
		return nil
	}
	reached := false
	for k := e.targeted; k < horizon && !reached; k++ {
		var t study.Trial
		if trials != nil {
			t = trials[k]
		} else {
			var err error
			if t, err = e.reader.ReadTrial(e.storage, e.study.ID, k); err != nil { // a journal's trial IDs are their numbers
				return err
			}
		}
		reached = t.State.Finished() && e.spec.Metric.Reached(t.Value)
	}
	if e.local != nil {
		e.targeted = horizon // ended below the horizon, never to change
	}
	if !reached {
		return nil
	}
	stored, err := e.storage.SetStudySystemAttrIfAbsent(e.study.ID, study.AttrSearchEnd, strconv.Itoa(n))
	if err != nil {
		return err
	}
	end, err := strconv.Atoi(stored)
	if err != nil || end < 1 {
		return fmt.Errorf("the study's search end %q: want a trial number ≥ 1", stored)
	}
	e.spec.EndSearch(end)
	e.progress.grow(e.totalRuns())
	return nil
}
