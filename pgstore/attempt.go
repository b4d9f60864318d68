package pgstore

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// Attempt is a worker's attempt at a trial: every write checks, in the
// same statement, that the trial is still running under this worker and
// attempt, and fails with study.ErrFenced once another worker has taken
// it over (ClaimStale).
type Attempt struct {
	s      *Store
	id, n  int
	worker string
}

// Begin starts worker's next attempt at a running trial it owns, and
// records the attempt's number (the sweep:attempt attribute too, which
// names the attempt's epoch records).
func (s *Store) Begin(trialID int, worker string) (study.Attempt, error) {
	var n int
	err := s.queryRow([]any{&n}, `UPDATE trials SET attempt = attempt + 1, heartbeat = now()
		WHERE id = $1 AND worker = $2 AND state = 'Running' RETURNING attempt`, trialID, worker)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, study.ErrFenced
	}
	if err != nil {
		return nil, err
	}
	a := &Attempt{s: s, id: trialID, n: n, worker: worker}
	return a, a.SetSystemAttr(study.AttrAttempt, strconv.Itoa(n))
}

// Number is the attempt's number, 1 for the first.
func (a *Attempt) Number() int { return a.n }

// fence is the condition every write of the attempt carries.
const fence = `EXISTS (SELECT 1 FROM trials WHERE id = $1 AND worker = $2 AND attempt = $3 AND state IN ('Running', 'Waiting'))`

func (a *Attempt) fenced(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return study.ErrFenced
	}
	return nil
}

func (a *Attempt) setAttr(system bool, key, value string) error {
	return a.fenced(a.s.exec(`INSERT INTO trial_attrs (trial_id, system, key, value) SELECT $1, $4, $5, $6 WHERE `+fence+`
		ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value`, a.id, a.worker, a.n, system, key, value))
}

// SetUserAttr sets a trial user attribute, if the attempt stands.
func (a *Attempt) SetUserAttr(key, value string) error { return a.setAttr(false, key, value) }

// SetSystemAttr sets a trial system attribute, if the attempt stands.
func (a *Attempt) SetSystemAttr(key, value string) error { return a.setAttr(true, key, value) }

// SetValue sets the trial's value, if the attempt stands.
func (a *Attempt) SetValue(value float64) error {
	return a.fenced(a.s.exec(`UPDATE trials SET value = $4 WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n, value))
}

// SetState ends the trial, if the attempt stands. Setting the state it
// already has succeeds, so that a retry after a lost reply is harmless.
func (a *Attempt) SetState(state goptuna.TrialState) error {
	err := a.fenced(a.s.exec(`UPDATE trials SET state = $4, completed = CASE WHEN $5 THEN now() END
		WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n, state.String(), state.IsFinished()))
	if errors.Is(err, study.ErrFenced) {
		var now string
		if a.s.queryRow([]any{&now}, `SELECT state FROM trials WHERE id = $1 AND worker = $2 AND attempt = $3`, a.id, a.worker, a.n) == nil && now == state.String() {
			return nil
		}
	}
	return err
}

// Heartbeat marks the attempt alive, if it stands.
func (a *Attempt) Heartbeat() error {
	return a.fenced(a.s.exec(`UPDATE trials SET heartbeat = now() WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n))
}
