package pgstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// Attempt is a worker's attempt at a trial: every write checks, in the
// same statement, that the trial is still running under this worker and
// attempt, and fails with storage.ErrFenced once another worker has taken
// it over (ClaimStale).
//
// Attributes (a run's epoch records, the trial's time and build) and the
// value are sent in batches: the attributes set within flushEvery in one
// statement, or with the attempt's heartbeat; everything, then the state,
// when the state is set. A killed worker loses at most the last second's
// epochs of a trial that is rerun anyway; a finished trial's records are
// all written before its state. A fenced attempt learns so at its next
// statement.
type Attempt struct {
	s      *Store
	id, n  int
	worker string
	trial  goptuna.FrozenTrial // as begun

	mu     sync.Mutex
	system []bool // attributes not yet sent
	keys   []string
	values []string
	since  time.Time
	value  *float64 // the value not yet sent
}

// flushEvery bounds how long an attribute waits to be sent.
const flushEvery = time.Second

// Begin starts worker's next attempt at a running trial it owns, and
// records the attempt's number (the sweep:attempt attribute too, which
// names the attempt's epoch records) and the trial's parameters kept
// (params.go), in one statement that also reads the trial back: the
// attempt's Trial.
func (s *Store) Begin(trialID int, worker string) (storage.Attempt, error) {
	names, values, dists := s.kept.takeFor(trialID)
	var n int
	var ft goptuna.FrozenTrial
	found := false
	// The statement's parts share one snapshot: the final SELECT reads the
	// trial's rows as they were before the attempt's attribute and the
	// parameters were written, and those are set on the record below.
	err := s.query(func(rows *sql.Rows) error {
		found = rows.Next()
		if !found {
			return nil
		}
		var err error
		ft, err = scanTrial(rows, &n)
		return err
	}, `WITH begun AS (
			UPDATE trials SET attempt = attempt + 1, heartbeat = now()
			WHERE id = $1 AND worker = $2 AND state = 'Running' RETURNING *),
		attr AS (
			INSERT INTO trial_attrs (trial_id, system, key, value) SELECT id, true, $3, attempt::text FROM begun
			ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value),
		params AS (
			INSERT INTO trial_params (trial_id, name, value, distribution)
			SELECT id, n, v, d FROM begun, unnest($4::text[], $5::float8[], $6::text[]) AS u(n, v, d)
			ON CONFLICT (trial_id, name) DO UPDATE SET value = EXCLUDED.value, distribution = EXCLUDED.distribution)
		SELECT t.attempt, `+trialColumns+` FROM begun t`, trialID, worker, study.AttrAttempt, names, values, dists)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, storage.ErrFenced
	}
	for i, name := range names {
		if err := setParam(&ft, name, values[i], dists[i]); err != nil {
			return nil, fmt.Errorf("trial %d: %w", trialID, err)
		}
	}
	ft.SystemAttrs[study.AttrAttempt] = strconv.Itoa(n)
	return &Attempt{s: s, id: trialID, n: n, worker: worker, trial: ft}, nil
}

// Number is the attempt's number, 1 for the first.
func (a *Attempt) Number() int { return a.n }

// Trial is the trial as the attempt began it.
func (a *Attempt) Trial() goptuna.FrozenTrial { return a.trial }

// fence is the condition every write of the attempt carries.
const fence = `EXISTS (SELECT 1 FROM trials WHERE id = $1 AND worker = $2 AND attempt = $3 AND state IN ('Running', 'Waiting'))`

func (a *Attempt) fenced(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storage.ErrFenced
	}
	return nil
}

// SetUserAttr sets a trial user attribute, if the attempt stands (see
// Attempt: sent within a second).
func (a *Attempt) SetUserAttr(key, value string) error { return a.setAttr(false, key, value) }

// SetSystemAttr sets a trial system attribute, if the attempt stands (see
// Attempt: sent within a second).
func (a *Attempt) SetSystemAttr(key, value string) error { return a.setAttr(true, key, value) }

func (a *Attempt) setAttr(system bool, key, value string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.keys) == 0 {
		a.since = time.Now()
	}
	a.system, a.keys, a.values = append(a.system, system), append(a.keys, key), append(a.values, value)
	if time.Since(a.since) < flushEvery {
		return nil
	}
	return a.flushLocked()
}

// flushLocked sends the attributes not yet sent, in one statement.
func (a *Attempt) flushLocked() error {
	if len(a.keys) == 0 {
		return nil
	}
	err := a.fenced(a.s.exec(`INSERT INTO trial_attrs (trial_id, system, key, value)
		SELECT $1, s, k, v FROM unnest($4::boolean[], $5::text[], $6::text[]) AS u(s, k, v) WHERE `+fence+`
		ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value`, a.id, a.worker, a.n, a.system, a.keys, a.values))
	a.system, a.keys, a.values = nil, nil, nil
	return err
}

// SetValue sets the trial's value, if the attempt stands: sent with its
// state.
func (a *Attempt) SetValue(value float64) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.value = &value
	return nil
}

// SetState ends the trial, if the attempt stands, with its attributes and
// value not yet sent, in one statement. Setting the state it already has
// succeeds, so that a retry after a lost reply is harmless.
func (a *Attempt) SetState(state goptuna.TrialState) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.fenced(a.s.exec(`WITH attrs AS (
			INSERT INTO trial_attrs (trial_id, system, key, value)
			SELECT $1, s, k, v FROM unnest($7::boolean[], $8::text[], $9::text[]) AS u(s, k, v) WHERE `+fence+`
			ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value)
		UPDATE trials SET state = $4, value = COALESCE($6, value), completed = CASE WHEN $5 THEN now() END
		WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`,
		a.id, a.worker, a.n, state.String(), state.IsFinished(), a.value, a.system, a.keys, a.values))
	a.system, a.keys, a.values = nil, nil, nil
	if errors.Is(err, storage.ErrFenced) {
		var now string
		if a.s.queryRow([]any{&now}, `SELECT state FROM trials WHERE id = $1 AND worker = $2 AND attempt = $3`, a.id, a.worker, a.n) == nil && now == state.String() {
			return nil
		}
	}
	return err
}

// Heartbeat marks the attempt alive, if it stands, and sends the
// attributes not yet sent.
func (a *Attempt) Heartbeat() error {
	a.mu.Lock()
	err := a.flushLocked()
	a.mu.Unlock()
	if err != nil {
		return err
	}
	return a.fenced(a.s.exec(`UPDATE trials SET heartbeat = now() WHERE id = $1 AND worker = $2 AND attempt = $3 AND state = 'Running'`, a.id, a.worker, a.n))
}
