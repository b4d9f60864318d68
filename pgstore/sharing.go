package pgstore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/sweepml/sweep/storage"
)

// What sharing a study between worker processes needs beyond goptuna's
// Storage: creating trials within a budget and claiming the trials of
// workers that stopped beating (attempts, their fenced writes and
// heartbeats are in attempt.go).

// CreateTrialWithin creates a running trial, owned by worker, unless the
// study already has limit trials (limit < 0: no limit), in one statement.
// Trial numbers are dense and never used twice: a trial is numbered one
// past the largest committed number (found in the index on study and
// number, whatever the study's size), and of two workers numbering one
// alike the second inserts nothing and tries again. So a trial commits
// only after every trial numbered below it, with a larger ID (see
// cache.go). Numbers edited by hand into a gap are not filled: the
// study's next read reports them.
func (s *Store) CreateTrialWithin(studyID, limit int, worker string) (id, number int, ok bool, err error) {
	for {
		err := s.queryRow([]any{&id, &number}, `INSERT INTO trials (study_id, number, worker)
			SELECT $1, c.n, $3 FROM (`+nextNumber+`) c WHERE $2 < 0 OR c.n < $2
			ON CONFLICT (study_id, number) DO NOTHING RETURNING id, number`, studyID, limit, worker)
		if err == nil {
			return id, number, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return -1, -1, false, err
		}
		var n int // the budget is spent, or another worker took the number
		if err := s.queryRow([]any{&n}, nextNumber, studyID); err != nil {
			return -1, -1, false, err
		}
		if limit >= 0 && n >= limit {
			return -1, -1, false, nil
		}
	}
}

// nextNumber is the number after the study $1's largest, 0 for the first.
const nextNumber = `SELECT COALESCE(max(number) + 1, 0) AS n FROM trials WHERE study_id = $1`

// ClaimStale takes over, for worker, the running trials of the study
// whose heartbeat is older than grace. Each stale trial goes to exactly
// one claimant.
func (s *Store) ClaimStale(studyID int, grace time.Duration, worker string) ([]storage.Claim, error) {
	var out []storage.Claim
	err := s.query(func(rows *sql.Rows) error {
		out = nil
		for rows.Next() {
			var c storage.Claim
			if err := rows.Scan(&c.ID, &c.Number, &c.From); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	}, `WITH stale AS (
			SELECT id, worker FROM trials
			WHERE study_id = $1 AND state = 'Running' AND heartbeat < now() - make_interval(secs => $2)
			FOR UPDATE SKIP LOCKED)
		UPDATE trials t SET worker = $3, heartbeat = now() FROM stale WHERE t.id = stale.id
		RETURNING t.id, t.number, stale.worker`, studyID, grace.Seconds(), worker)
	return out, err
}
