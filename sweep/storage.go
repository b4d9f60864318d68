package sweep

import (
	"strconv"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// local is a journal owned by this process: every running trial it did
// not start here was left by an earlier process, and is claimed once.
type local struct {
	*journal.Journal
	dir     string
	mu      sync.Mutex
	claimed map[int]bool
}

var _ storage.Storage = (*local)(nil)

func (l *local) CreateTrialWithin(studyID, limit int, _ string) (int, int, bool, error) {
	if l.NumTrials() >= limit {
		return -1, -1, false, nil
	}
	id, err := l.CreateNewTrial(studyID)
	if err != nil {
		return -1, -1, false, err
	}
	l.mu.Lock()
	l.claimed[id] = true
	l.mu.Unlock()
	return id, id, true, nil // a journal's trial IDs are their numbers
}

// Begin counts the attempt in the trial's attributes; its writes go
// straight to the journal, which no one else writes.
func (l *local) Begin(trialID int, _ string) (storage.Attempt, error) {
	attrs, err := l.GetTrialSystemAttrs(trialID)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(attrs[study.AttrAttempt])
	if err := l.SetTrialSystemAttr(trialID, study.AttrAttempt, strconv.Itoa(n+1)); err != nil {
		return nil, err
	}
	ft, err := l.GetTrial(trialID)
	if err != nil {
		return nil, err
	}
	return &journalAttempt{l.Journal, trialID, n + 1, ft}, nil
}

type journalAttempt struct {
	j     *journal.Journal
	id, n int
	trial goptuna.FrozenTrial // as begun
}

func (a *journalAttempt) Number() int                { return a.n }
func (a *journalAttempt) Trial() goptuna.FrozenTrial { return a.trial }
func (a *journalAttempt) SetUserAttr(k, v string) error {
	return a.j.SetTrialUserAttr(a.id, k, v)
}
func (a *journalAttempt) SetSystemAttr(k, v string) error {
	return a.j.SetTrialSystemAttr(a.id, k, v)
}
func (a *journalAttempt) SetValue(v float64) error { return a.j.SetTrialValue(a.id, v) }
func (a *journalAttempt) SetState(s goptuna.TrialState) error {
	return a.j.SetTrialState(a.id, s)
}
func (a *journalAttempt) Heartbeat() error { return nil }

func (l *local) ClaimStale(studyID int, _ time.Duration, _ string) ([]storage.Claim, error) {
	trials, err := l.GetAllTrials(studyID)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []storage.Claim
	for _, t := range trials {
		if !t.State.IsFinished() && !l.claimed[t.ID] {
			l.claimed[t.ID] = true
			out = append(out, storage.Claim{ID: t.ID, Number: t.Number})
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
