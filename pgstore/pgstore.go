// Package pgstore keeps goptuna studies in PostgreSQL, so that sweep
// workers on many machines can share one study. It implements
// goptuna.Storage with database/sql and pgx, plus what sharing needs:
// creating a trial atomically within a budget, heartbeats, and claiming
// the running trials of workers that stopped beating.
//
// The schema is created and migrated by Open, its version recorded in
// sweep_schema. Every operation retries transient faults — the server
// restarting, a connection dropped — with exponential backoff for up to
// Options.RetryFor, reporting each retry. A password in a URL is never
// printed: errors and Redacted show the URL without it.
package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/c-bata/goptuna"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// SchemaVersion is the version of the tables this build creates and reads.
const SchemaVersion = 1

// Options configures a Store.
type Options struct {
	// RetryFor bounds how long an operation retries transient faults;
	// 0 means 5 minutes.
	RetryFor time.Duration
	// OnRetry, if set, hears of each retry.
	OnRetry func(err error, wait time.Duration)
}

// Store is a goptuna.Storage in PostgreSQL. It is safe for concurrent
// use.
type Store struct {
	db       *sql.DB
	redacted string
	password string
	opt      Options
}

var _ goptuna.Storage = (*Store)(nil)

// Open connects to the database at rawURL (postgres://user:pass@host/db),
// creating or migrating the schema.
func Open(ctx context.Context, rawURL string, opt Options) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("storage URL %q: want postgres://user[:password]@host[:port]/database", redactRaw(rawURL))
	}
	if opt.RetryFor == 0 {
		opt.RetryFor = 5 * time.Minute
	}
	pw, _ := u.User.Password()
	s := &Store{redacted: u.Redacted(), password: pw, opt: opt}
	if s.db, err = sql.Open("pgx", rawURL); err != nil {
		return nil, s.clean(err)
	}
	s.db.SetMaxOpenConns(8)
	if err := s.retry(ctx, func() error { return s.db.PingContext(ctx) }); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("storage %s: %w", s.redacted, s.clean(err))
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("storage %s: %w", s.redacted, s.clean(err))
	}
	return s, nil
}

// Redacted is the store's URL without its password.
func (s *Store) Redacted() string { return s.redacted }

// Close closes the connections.
func (s *Store) Close() error { return s.db.Close() }

// redactRaw hides anything that looks like a password in an unparsable URL.
func redactRaw(raw string) string {
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		if c := strings.Index(raw, "://"); c >= 0 && c < at {
			if colon := strings.Index(raw[c+3:at], ":"); colon >= 0 {
				return raw[:c+3+colon+1] + "xxxxx" + raw[at:]
			}
		}
	}
	return raw
}

// clean removes the password from an error's text.
func (s *Store) clean(err error) error {
	if err == nil || s.password == "" || !strings.Contains(err.Error(), s.password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), s.password, "xxxxx"))
}

// transient reports whether err is a fault worth retrying: no connection,
// a dropped one, the server shutting down or starting up.
func transient(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "bad connection", "unexpected EOF", "conn closed", "server closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// retry runs f until it succeeds, fails for good, or RetryFor has passed.
func (s *Store) retry(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(s.opt.RetryFor)
	wait := 250 * time.Millisecond
	for {
		err := f()
		if !transient(err) || time.Now().Add(wait).After(deadline) {
			return s.clean(err)
		}
		if s.opt.OnRetry != nil {
			s.opt.OnRetry(s.clean(err), wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// exec runs a statement with retries.
func (s *Store) exec(query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.retry(context.Background(), func() error {
		var err error
		res, err = s.db.Exec(query, args...)
		return err
	})
	return res, err
}

// query runs a query with retries, handing the rows to scan.
func (s *Store) query(scan func(*sql.Rows) error, query string, args ...any) error {
	return s.retry(context.Background(), func() error {
		rows, err := s.db.Query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := scan(rows); err != nil {
			return err
		}
		return rows.Err()
	})
}

// queryRow scans one row, with retries.
func (s *Store) queryRow(dest []any, query string, args ...any) error {
	return s.retry(context.Background(), func() error {
		return s.db.QueryRow(query, args...).Scan(dest...)
	})
}

const schema = `
CREATE TABLE IF NOT EXISTS sweep_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
	id serial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	direction text NOT NULL DEFAULT 'minimize'
);
CREATE TABLE IF NOT EXISTS study_attrs (
	study_id integer NOT NULL REFERENCES studies ON DELETE CASCADE,
	system boolean NOT NULL,
	key text NOT NULL,
	value text NOT NULL,
	PRIMARY KEY (study_id, system, key)
);
CREATE TABLE IF NOT EXISTS trials (
	id serial PRIMARY KEY,
	study_id integer NOT NULL REFERENCES studies ON DELETE CASCADE,
	number integer NOT NULL,
	state text NOT NULL DEFAULT 'Running',
	value double precision NOT NULL DEFAULT 0,
	started timestamptz NOT NULL DEFAULT now(),
	completed timestamptz,
	worker text NOT NULL DEFAULT '',
	heartbeat timestamptz NOT NULL DEFAULT now(),
	UNIQUE (study_id, number)
);
CREATE TABLE IF NOT EXISTS trial_params (
	trial_id integer NOT NULL REFERENCES trials ON DELETE CASCADE,
	name text NOT NULL,
	value double precision NOT NULL,
	distribution text NOT NULL,
	PRIMARY KEY (trial_id, name)
);
CREATE TABLE IF NOT EXISTS trial_attrs (
	trial_id integer NOT NULL REFERENCES trials ON DELETE CASCADE,
	system boolean NOT NULL,
	key text NOT NULL,
	value text NOT NULL,
	PRIMARY KEY (trial_id, system, key)
);
CREATE TABLE IF NOT EXISTS trial_values (
	trial_id integer NOT NULL REFERENCES trials ON DELETE CASCADE,
	step integer NOT NULL,
	value double precision NOT NULL,
	PRIMARY KEY (trial_id, step)
);
`

// migrate creates the schema under an advisory lock, so that workers
// starting together do not race, and checks its version.
func (s *Store) migrate(ctx context.Context) error {
	return s.retry(ctx, func() error {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		const lock = 0x5_3eed
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
			return err
		}
		defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lock)
		if _, err := conn.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("creating the schema: %w", err)
		}
		var version int
		err = conn.QueryRowContext(ctx, "SELECT version FROM sweep_schema").Scan(&version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = conn.ExecContext(ctx, "INSERT INTO sweep_schema (version) VALUES ($1)", SchemaVersion)
			return err
		case err != nil:
			return err
		case version > SchemaVersion:
			return fmt.Errorf("the database's schema is version %d, newer than this build of sweep reads (%d)", version, SchemaVersion)
		}
		return nil
	})
}
