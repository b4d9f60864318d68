package pgstore

import (
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// Attempt is a worker's attempt at a trial: every write checks, in the
// same statement, that the trial is still running under this worker and
// attempt, and fails with study.ErrFenced once another worker has taken
// it over (ClaimStale).
//
// User attributes (a run's epoch records) are sent in batches: one
// statement for those set within flushEvery, or before any other write or
// heartbeat of the attempt. A killed worker loses at most the last
// second's epochs of a trial that is rerun anyway; a finished trial's
// records are all written before its state.
type Attempt struct {
	s      *Store
	id, n  int
	worker string

	mu           sync.Mutex
	keys, values []string // user attributes not yet sent
	since        time.Time
}

// flushEvery bounds how long a user attribute waits to be sent.
const flushEvery = time.Second

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

// setAttrs sets attributes, in one statement, if the attempt stands.
func (a *Attempt) setAttrs(system bool, keys, values []string) error {
	return a.fenced(a.s.exec(`INSERT INTO trial_attrs (trial_id, system, key, value)
		SELECT $1, $4, k, v FROM unnest($5::text[], $6::text[]) AS u(k, v) WHERE `+fence+`
		ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value`, a.id, a.worker, a.n, system, keys, values))
}

// SetUserAttr sets a trial user attribute, if the attempt stands: sent
// with the others of the last second (see Attempt).
func (a *Attempt) SetUserAttr(key, value string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.keys) == 0 {
		a.since = time.Now()
	}
	a.keys, a.values = append(a.keys, key), append(a.values, value)
	if time.Since(a.since) < flushEvery {
		return nil
	}
	return a.flushLocked()
}

// flush sends the user attributes not yet sent.
func (a *Attempt) flush() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flushLocked()
}

func (a *Attempt) flushLocked() error {
	if len(a.keys) == 0 {
		return nil
	}
	err := a.setAttrs(false, a.keys, a.values)
	a.keys, a.values = nil, nil
	return err
}

// SetSystemAttr sets a trial system attribute, if the attempt stands.
func (a *Attempt) SetSystemAttr(key, value string) error {
	if err := a.flush(); err != nil {
		return err
	}
	return a.setAttrs(true, []string{key}, []string{value})
}

// SetValue sets the trial's value, if the attempt stands.
func (a *Attempt) SetValue(value float64) error {
	if err := a.flush(); err != nil {
		return err
	}
	return a.fenced(a.s.exec(`UPDATE trials SET value = $4 WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n, value))
}

// SetState ends the trial, if the attempt stands. Setting the state it
// already has succeeds, so that a retry after a lost reply is harmless.
func (a *Attempt) SetState(state goptuna.TrialState) error {
	if err := a.flush(); err != nil {
		return err
	}
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
	if err := a.flush(); err != nil {
		return err
	}
	return a.fenced(a.s.exec(`UPDATE trials SET heartbeat = now() WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n))
}
