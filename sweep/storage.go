package sweep

import (
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// Storage keeps a study: goptuna's Storage, plus what running it from
// several processes at once needs. pgstore.Store is one, shared by worker
// processes on many machines; a sweep without one keeps its study in a
// local journal that its process owns.
type Storage interface {
	goptuna.Storage
	// CreateTrialWithin creates a running trial owned by worker, unless
	// the study already has limit trials.
	CreateTrialWithin(studyID, limit int, worker string) (id int, ok bool, err error)
	// Heartbeat marks the trials worker runs as alive.
	Heartbeat(ids []int, worker string) error
	// ClaimStale takes over, for worker, the running trials whose worker
	// has missed its heartbeats for grace; each goes to exactly one
	// claimant.
	ClaimStale(studyID int, grace time.Duration, worker string) ([]study.Claim, error)
	// SetStudySystemAttrIfAbsent stores a study attribute unless it is set
	// and returns the value stored.
	SetStudySystemAttrIfAbsent(studyID int, key, value string) (string, error)
	// Redacted names the storage in messages, without secrets.
	Redacted() string
}

// local is a journal owned by this process: every running trial it did
// not start here was left by an earlier process, and is claimed once.
type local struct {
	*study.Journal
	dir     string
	mu      sync.Mutex
	claimed map[int]bool
}

var _ Storage = (*local)(nil)

func (l *local) CreateTrialWithin(studyID, limit int, _ string) (int, bool, error) {
	trials, err := l.GetAllTrials(studyID)
	if err != nil || len(trials) >= limit {
		return -1, false, err
	}
	id, err := l.CreateNewTrial(studyID)
	if err == nil {
		l.mu.Lock()
		l.claimed[id] = true
		l.mu.Unlock()
	}
	return id, err == nil, err
}

func (l *local) Heartbeat([]int, string) error { return nil }

func (l *local) ClaimStale(studyID int, _ time.Duration, _ string) ([]study.Claim, error) {
	trials, err := l.GetAllTrials(studyID)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []study.Claim
	for _, t := range trials {
		if !t.State.IsFinished() && !l.claimed[t.ID] {
			l.claimed[t.ID] = true
			out = append(out, study.Claim{ID: t.ID, Number: t.Number})
		}
	}
	return out, nil
}

func (l *local) SetStudySystemAttrIfAbsent(studyID int, key, value string) (string, error) {
	attrs, err := l.GetStudySystemAttrs(studyID)
	if err != nil {
		return "", err
	}
	if v, ok := attrs[key]; ok {
		return v, nil
	}
	return value, l.SetStudySystemAttr(studyID, key, value)
}

func (l *local) Redacted() string { return l.dir }
