// Package storage is the protocol a sweep keeps its study through:
// goptuna's Storage, plus trials owned by workers and attempts fenced
// against take-overs, so that workers on many machines share one study.
// pgstore.Store implements it for PostgreSQL; the engine (package sweep)
// wraps a local journal (package journal) in it for one process.
package storage

import (
	"errors"
	"time"

	"github.com/c-bata/goptuna"
)

// Storage keeps a study: goptuna's Storage, plus what running it from
// several processes at once needs. pgstore.Store is one, shared by worker
// processes on many machines; a sweep without one keeps its study in a
// local journal that its process owns.
type Storage interface {
	goptuna.Storage
	// CreateTrialWithin creates a running trial owned by worker, and
	// returns its ID and number, unless
	// the study already has limit trials.
	CreateTrialWithin(studyID, limit int, worker string) (id, number int, ok bool, err error)
	// Begin starts worker's next attempt at a running trial it owns. Every
	// write of the attempt, and its heartbeat, succeeds only while the
	// attempt stands: once another worker has taken the trial over they
	// fail with ErrFenced, and nothing of the old attempt mixes into
	// the new one.
	Begin(trialID int, worker string) (Attempt, error)
	// ClaimStale takes over, for worker, the running trials whose worker
	// has missed its heartbeats for grace; each goes to exactly one
	// claimant.
	ClaimStale(studyID int, grace time.Duration, worker string) ([]Claim, error)
	// SetStudySystemAttrIfAbsent stores a study attribute unless it is set
	// and returns the value stored.
	SetStudySystemAttrIfAbsent(studyID int, key, value string) (string, error)
	// Redacted names the storage in messages, without secrets.
	Redacted() string
}

// Attempt is one worker's attempt at a trial: the trial's writes. In a
// shared study they are fenced: once another worker has taken the trial
// over, each fails with ErrFenced.
type Attempt interface {
	Number() int // 1 for a trial's first attempt
	// Trial is the trial as the attempt began it: its parameters and
	// attributes, the attempt's number among them.
	Trial() goptuna.FrozenTrial
	SetUserAttr(key, value string) error
	SetSystemAttr(key, value string) error
	SetValue(value float64) error
	SetState(state goptuna.TrialState) error
	Heartbeat() error
}

// Claim is a running trial taken over from a worker that stopped
// heartbeating.
type Claim struct {
	ID, Number int
	From       string // the worker that stopped; "" for a trial left running by an earlier process of an exclusive study
}

// ErrFenced is the error of a write by a worker whose trial another worker
// has taken over: its attempt no longer stands, and it abandons the trial.
var ErrFenced = errors.New("the trial was taken over by another worker")
