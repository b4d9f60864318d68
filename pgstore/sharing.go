package pgstore

import (
	"database/sql"
	"time"

	"github.com/sweepml/sweep/study"
)

// What sharing a study between worker processes needs beyond goptuna's
// Storage: creating trials within a budget and claiming the trials of
// workers that stopped beating (attempts, their fenced writes and
// heartbeats are in attempt.go).

// CreateTrialWithin creates a running trial, owned by worker, unless the
// study already has limit trials (limit < 0: no limit). Trial numbers are
// dense and never used twice: creation holds the study's row lock.
func (s *Store) CreateTrialWithin(studyID, limit int, worker string) (id int, ok bool, err error) {
	ctx := s.ctx()
	err = s.retry(ctx, "creating a trial", func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SELECT id FROM studies WHERE id = $1 FOR UPDATE`, studyID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM trials WHERE study_id = $1`, studyID).Scan(&n); err != nil {
			return err
		}
		if limit >= 0 && n >= limit {
			ok = false
			return tx.Commit()
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO trials (study_id, number, worker) VALUES ($1, $2, $3) RETURNING id`, studyID, n, worker).Scan(&id); err != nil {
			return err
		}
		ok = true
		return tx.Commit()
	})
	return id, ok, err
}

// ClaimStale takes over, for worker, the running trials of the study
// whose heartbeat is older than grace. Each stale trial goes to exactly
// one claimant.
func (s *Store) ClaimStale(studyID int, grace time.Duration, worker string) ([]study.Claim, error) {
	var out []study.Claim
	err := s.query(func(rows *sql.Rows) error {
		out = nil
		for rows.Next() {
			var c study.Claim
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
