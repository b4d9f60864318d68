package sweep

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// engine runs one study: the one loop that asks, runs, tells and
// heartbeats, over a local journal or a shared storage.
type engine struct {
	spec    *study.Spec
	opt     Options
	obj     Objective
	build   string // what trains the trials, recorded with each
	study   *goptuna.Study
	storage Storage
	// exclusive is true when this process alone runs the study (a local
	// journal): trials are asked in batches aligned on trial numbers, and
	// the pruner sees only earlier batches, so results do not depend on
	// timing.
	exclusive bool
	sampler   sampler
	pruner    pruner
	progress  *progress

	mu     sync.Mutex
	active map[int]bool // IDs of the trials this process runs, heartbeated
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	res := &Result{Dir: e.storage.Redacted()}
	trials, err := e.spec.ReadTrials(e.storage, e.study.ID)
	if err != nil {
		return nil, err
	}
	if e.exclusive {
		if err := e.completeBatch(len(trials)); err != nil {
			return nil, err
		}
	}
	e.progress = newProgress(e.opt.Progress, e.opt.Live, e.spec, e.spec.TotalTrials(), trials)
	defer e.progress.end()
	defer e.heartbeat()()
	for {
		if stopped(ctx, e.opt.Stop) {
			res.Stopped = true
			break
		}
		batch, err := e.next()
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			if done, err := e.othersDone(); err != nil || done {
				if err != nil {
					return nil, err
				}
				break
			}
			select { // wait, ready to take over a dead worker's trials
			case <-time.After(min(e.opt.Grace/4, time.Second)):
			case <-ctx.Done():
			case <-e.opt.Stop:
			}
			continue
		}
		if trials, err = e.runAndTell(ctx, batch); err != nil {
			res.Trials = trials
			return res, err
		}
	}
	res.Trials, err = e.spec.ReadTrials(e.storage, e.study.ID)
	return res, err
}

// completeBatch creates the trials that a sweep killed while asking for a
// batch did not: the batch is asked whole, as an uninterrupted sweep
// would have.
func (e *engine) completeBatch(created int) error {
	for ; created%e.spec.Budget.Batch != 0 && created < e.spec.TotalTrials(); created++ {
		if _, err := e.storage.CreateNewTrial(e.study.ID); err != nil {
			return err
		}
	}
	return nil
}

// next is the batch to run: the trials taken over from stopped workers
// (for a local journal: those an earlier process left running), rerun
// with their parameters and seeds; else new trials, while the budget
// lasts.
func (e *engine) next() ([]int, error) {
	claims, err := e.storage.ClaimStale(e.study.ID, e.opt.Grace, e.opt.Worker)
	if err != nil {
		return nil, err
	}
	var batch []int
	for _, c := range claims {
		ft, err := e.storage.GetTrial(c.ID)
		if err != nil {
			return nil, err
		}
		if c.From != "" {
			note := fmt.Sprintf("worker %s stopped beating; taken over by %s at %s", c.From, e.opt.Worker, time.Now().UTC().Format(time.RFC3339))
			if err := e.storage.SetTrialSystemAttr(c.ID, study.AttrStale+":"+ft.SystemAttrs[study.AttrAttempt], note); err != nil {
				return nil, err
			}
		}
		if len(ft.InternalParams) < len(e.spec.Parameters) { // its creator died proposing it
			if err := e.sampler.propose(e.study, c.ID, c.Number); err != nil {
				return nil, err
			}
		}
		batch = append(batch, c.Number)
	}
	for len(batch) < e.spec.Budget.Batch && len(claims) == 0 {
		id, ok, err := e.storage.CreateTrialWithin(e.study.ID, e.spec.TotalTrials(), e.opt.Worker)
		if err != nil || !ok {
			return batch, err
		}
		number, err := e.storage.GetTrialNumberFromID(id)
		if err != nil {
			return nil, err
		}
		if err := e.sampler.propose(e.study, id, number); err != nil {
			return nil, err
		}
		batch = append(batch, number)
	}
	return batch, nil
}

// othersDone reports whether no trial of the study is still running
// (elsewhere: this process runs none between batches).
func (e *engine) othersDone() (bool, error) {
	trials, err := e.storage.GetAllTrials(e.study.ID)
	if err != nil {
		return false, err
	}
	for _, t := range trials {
		if !t.State.IsFinished() {
			return false, nil
		}
	}
	return true, nil
}

// heartbeat beats for the trials this process runs, every quarter of the
// grace period, until the returned function is called.
func (e *engine) heartbeat() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(e.opt.Grace / 4)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				e.mu.Lock()
				ids := make([]int, 0, len(e.active))
				for id := range e.active {
					ids = append(ids, id)
				}
				e.mu.Unlock()
				if len(ids) > 0 {
					e.storage.Heartbeat(ids, e.opt.Worker)
				}
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func stopped(ctx context.Context, stop <-chan struct{}) bool {
	if ctx.Err() != nil {
		return true
	}
	select {
	case <-stop:
		return true
	default:
		return false
	}
}
