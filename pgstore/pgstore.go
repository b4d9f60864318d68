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
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/c-bata/goptuna"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// SchemaVersion is the version of the tables this build creates and reads.
const SchemaVersion = 2

// Options configures a Store.
type Options struct {
	// RetryFor bounds how long an operation retries transient faults;
	// 0 means 5 minutes.
	RetryFor time.Duration
	// OnRetry, if set, hears of each retry: of which operation, why, and
	// how long until the next try.
	OnRetry func(op string, err error, wait time.Duration)
	// Context, if set, bounds every operation and its retries: cancelling
	// it stops a store that waits for its server.
	Context context.Context
}

// Store is a goptuna.Storage in PostgreSQL. It is safe for concurrent
// use.
type Store struct {
	db       *sql.DB
	redacted string
	secrets  []string // the password's forms, scrubbed from every error
	opt      Options
	cache    caches // the finished trials read, by study
	kept     kept   // parameters set, not yet sent (params.go)
	// statements counts the statements sent, tries included, for tests.
	statements atomic.Int64
}

var _ goptuna.Storage = (*Store)(nil)

// ErrConnString is wrapped by the error of a connection string that does
// not parse: an input error, unlike a server that cannot be reached.
var ErrConnString = errors.New("not a PostgreSQL connection string")

// DefaultConnectTimeout bounds connecting (TCP, TLS and start-up) unless
// the connection string sets connect_timeout: a port that accepts and
// never answers must not hang a worker.
const DefaultConnectTimeout = 15 * time.Second

// maxMessage bounds a message from the server: a row of ours is a few KB;
// something that is not PostgreSQL (an HTTP server, say) could announce
// gigabytes.
const maxMessage = 64 << 20

// Open connects to the database a connection string names — a URL
// (postgres://user@host[:port]/database?…) or key=value pairs (host=…
// user=… dbname=…), as libpq and pgx read them — creating or migrating
// the schema. The password may be in the string, but had better be in
// PGPASSWORD or ~/.pgpass: it is never printed either way.
func Open(ctx context.Context, conn string, opt Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		return nil, fmt.Errorf("storage URL: %s is %w (want postgres://user@host[:port]/database, or host=… user=… dbname=…; the password in PGPASSWORD or ~/.pgpass)", describeBad(conn), ErrConnString)
	}
	if opt.RetryFor == 0 {
		opt.RetryFor = 5 * time.Minute
	}
	s := &Store{redacted: redacted(cfg), secrets: secrets(conn, cfg.Password), opt: opt}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	cfg.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
		f := pgproto3.NewFrontend(r, w)
		f.SetMaxBodyLen(maxMessage)
		return f
	}
	s.db = stdlib.OpenDB(*cfg)
	// As many kept idle as may be open: a worker's coordinator and its
	// heartbeat, or the pages sweep serve answers, use several at once, and
	// a connection opened afresh costs a handshake and authentication.
	s.db.SetMaxOpenConns(8)
	s.db.SetMaxIdleConns(8)
	if err := s.retry(ctx, "connecting", func() error { return s.db.PingContext(ctx) }); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("storage %s: %w", s.redacted, s.clean(err))
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("storage %s: %w", s.redacted, s.clean(err))
	}
	return s, nil
}

// Redacted names the store's database without its password:
// postgres://user@host:port/database.
func (s *Store) Redacted() string { return s.redacted }

// Close sends the parameters kept, trying once (a worker that cannot
// leaves its trial as one killed before Begin does), and closes the
// connections.
func (s *Store) Close() error { return errors.Join(s.sendParams(false), s.db.Close()) }

func redacted(cfg *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), Path: "/" + cfg.Database}
	if strings.HasPrefix(cfg.Host, "/") { // a Unix socket directory
		u.Host, u.RawQuery = "", "host="+url.QueryEscape(cfg.Host)
	}
	return u.String()
}

// describeBad says what a connection string that does not parse is,
// without repeating any of it: its scheme, if it has one.
func describeBad(conn string) string {
	if scheme, _, ok := strings.Cut(conn, "://"); ok && len(scheme) < 20 && !strings.ContainsAny(scheme, "@:/ ") {
		return fmt.Sprintf("this %s:// string", scheme)
	}
	return "this string"
}

// secrets are the forms a password may take in text: as given, and as
// URL-escaped in the connection string.
func secrets(conn, password string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 3 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if password != "" {
		add(password)
		add(url.QueryEscape(password))
		add(url.PathEscape(password))
		add(strings.ReplaceAll(url.QueryEscape(password), "+", "%20"))
	}
	return out
}

// clean removes every form of the password from an error's text.
func (s *Store) clean(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, secret := range s.secrets {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// Permanent reports whether err is a fault of what was read — a missing
// sweep, a row that does not read — rather than of the connection (or a
// cancellation): what a reader reports as bad input.
func Permanent(err error) bool {
	return err != nil && !Transient(err) && !errors.Is(err, context.Canceled)
}

// Transient reports whether err is a fault worth retrying: no connection,
// a dropped one, the server shutting down or starting up.
func Transient(err error) bool {
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

// retry runs f until it succeeds, fails for good, RetryFor has passed,
// or ctx or the store's context ends; op names the operation in reports.
func (s *Store) retry(ctx context.Context, op string, f func() error) error {
	deadline := time.Now().Add(s.opt.RetryFor)
	wait := 250 * time.Millisecond
	for {
		err := f()
		if !Transient(err) || time.Now().Add(wait).After(deadline) {
			return s.clean(err)
		}
		if s.opt.OnRetry != nil {
			s.opt.OnRetry(op, s.clean(err), wait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", op, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// ctx is the context operations run under.
func (s *Store) ctx() context.Context {
	if s.opt.Context != nil {
		return s.opt.Context
	}
	return context.Background()
}

// opName says what a statement does, for reports: "writing trial_attrs".
func opName(query string) string {
	words := strings.Fields(query)
	verb := map[string]string{"INSERT": "writing", "UPDATE": "updating", "DELETE": "deleting", "SELECT": "reading", "WITH": "claiming"}
	for i, w := range words {
		if v, ok := verb[strings.ToUpper(w)]; ok && i == 0 {
			for k := 1; k+1 < len(words); k++ {
				switch strings.ToUpper(words[k]) {
				case "INTO", "FROM", "UPDATE":
					return v + " " + strings.Trim(words[k+1], "(,")
				}
			}
			if strings.ToUpper(w) == "UPDATE" && len(words) > 1 {
				return v + " " + words[1]
			}
			return v
		}
	}
	return "querying"
}

// exec runs a statement with retries, after the parameters kept.
func (s *Store) exec(query string, args ...any) (sql.Result, error) {
	var res sql.Result
	if err := s.sendParams(true); err != nil {
		return nil, err
	}
	ctx := s.ctx()
	err := s.retry(ctx, opName(query), func() error {
		var err error
		s.statements.Add(1)
		res, err = s.db.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// query runs a query with retries, after the parameters kept, handing
// the rows to scan.
func (s *Store) query(scan func(*sql.Rows) error, query string, args ...any) error {
	if err := s.sendParams(true); err != nil {
		return err
	}
	ctx := s.ctx()
	return s.retry(ctx, opName(query), func() error {
		s.statements.Add(1)
		rows, err := s.db.QueryContext(ctx, query, args...)
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

// queryRow scans one row, with retries, after the parameters kept.
func (s *Store) queryRow(dest []any, query string, args ...any) error {
	if err := s.sendParams(true); err != nil {
		return err
	}
	ctx := s.ctx()
	return s.retry(ctx, opName(query), func() error {
		s.statements.Add(1)
		return s.db.QueryRowContext(ctx, query, args...).Scan(dest...)
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
	attempt integer NOT NULL DEFAULT 0,
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
	return s.retry(ctx, "creating the schema", func() error {
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
		case version < SchemaVersion: // 1 → 2: attempts fence writes
			if _, err := conn.ExecContext(ctx, `ALTER TABLE trials ADD COLUMN IF NOT EXISTS attempt integer NOT NULL DEFAULT 0;
				UPDATE sweep_schema SET version = $1`, SchemaVersion); err != nil {
				return fmt.Errorf("migrating the schema to version %d: %w", SchemaVersion, err)
			}
		}
		return nil
	})
}
