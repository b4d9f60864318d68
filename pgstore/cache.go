package pgstore

import (
	"fmt"
	"slices"
	"sync"

	"github.com/c-bata/goptuna"
)

// A finished trial never changes, so GetAllTrials keeps the finished
// trials it has read and asks the server only for the rest: the trials
// that were unfinished at its last read and those created since. What a
// read costs is then the running and new trials, not the study's size.
// Trial IDs come from a sequence and are never reused.

// finishedCache is one study's trials as last read, by number: numbers
// are dense (CreateTrialWithin), so the records stay in number order
// without sorting.
type finishedCache struct {
	trials  []goptuna.FrozenTrial // by number
	pending []int                 // IDs unfinished at the last read
	maxID   int                   // the largest trial ID read
}

type caches struct {
	mu      sync.Mutex
	byStudy map[int]*finishedCache
	fetched int // trial records read from the server, for tests
}

func (c *caches) forget(studyID int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byStudy, studyID)
}

// allTrials returns the study's trials in number order: the cached
// finished ones and, read afresh, the others. The records it returns
// share their maps with the cache: callers must not modify them.
func (s *Store) allTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.byStudy == nil {
		s.cache.byStudy = map[int]*finishedCache{}
	}
	c := s.cache.byStudy[studyID]
	if c == nil {
		c = &finishedCache{}
	}
	fresh, err := s.trials(`t.study_id = $1 AND (t.id > $2 OR t.id = ANY($3))`, studyID, c.maxID, c.pending)
	if err != nil {
		return nil, err
	}
	s.cache.fetched += len(fresh)
	n := len(c.trials)
	for _, t := range fresh { // in number order
		if t.Number < 0 || t.Number > n {
			return nil, fmt.Errorf("study %d: trial %d (ID %d) read before trial %d: numbers are not dense", studyID, t.Number, t.ID, n)
		}
		if t.Number == n {
			n++
		}
	}
	next := &finishedCache{trials: c.trials, maxID: c.maxID}
	for _, t := range fresh {
		next.maxID = max(next.maxID, t.ID)
		if t.Number == len(next.trials) {
			next.trials = append(next.trials, t)
		} else {
			next.trials[t.Number] = t
		}
		if !t.State.IsFinished() {
			next.pending = append(next.pending, t.ID)
		}
	}
	s.cache.byStudy[studyID] = next
	return slices.Clone(next.trials), nil
}
