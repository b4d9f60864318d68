package sweep

import (
	"context"
	"errors"
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
	final     study.Final // the final stage's plan, once the search has finished

	mu     sync.Mutex
	active map[int]*running // the trials this process runs, by ID: heartbeated
}

// running is a trial this process runs: its attempt, and how to stop it
// when the attempt is fenced off.
type running struct {
	attempt study.Attempt
	cancel  context.CancelFunc
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	res := &Result{Dir: e.storage.Redacted()}
	trials, err := e.spec.ReadTrials(e.storage, e.study.ID)
	if err != nil {
		return nil, err
	}
	if e.final, err = study.ReadFinal(e.storage, e.study.ID); err != nil {
		return nil, err
	}
	if err := e.tooManyFailures(trials); err != nil { // a rerun starts nothing new
		return &Result{Dir: res.Dir, Trials: trials}, err
	}
	if e.exclusive {
		if err := e.completeBatch(len(trials)); err != nil {
			return nil, err
		}
	}
	e.progress = newProgress(e.opt.Progress, e.opt.Live, e.spec, e.totalRuns(), trials)
	defer e.progress.end()
	defer e.heartbeat()()
	for {
		if stopped(ctx, e.opt.Stop) {
			res.Stopped = true
			break
		}
		batch, err := e.next(ctx)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			done, err := e.othersDone()
			if err != nil {
				return nil, err
			}
			if done && e.final == nil {
				if err := e.planFinal(); err != nil {
					return nil, err
				}
				continue
			}
			if done {
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
	for ; created%e.spec.Budget.Batch != 0 && created < e.spec.TotalTrials(); created++ { // the search's batches only
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
func (e *engine) next(ctx context.Context) ([]int, error) {
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
			if err := e.propose(c.ID, c.Number); err != nil {
				return nil, err
			}
		}
		batch = append(batch, c.Number)
	}
	for len(batch) < e.spec.Budget.Batch && len(claims) == 0 && !stopped(ctx, e.opt.Stop) {
		id, ok, err := e.storage.CreateTrialWithin(e.study.ID, e.spec.Total(e.final), e.opt.Worker)
		if err != nil || !ok {
			return batch, err
		}
		number, err := e.storage.GetTrialNumberFromID(id)
		if err != nil {
			return nil, err
		}
		if err := e.propose(id, number); err != nil {
			return nil, err
		}
		batch = append(batch, number)
	}
	return batch, nil
}

// propose sets a new trial's parameters: the sampler's for a search
// trial, its source's for a final-stage one (none for the baseline).
func (e *engine) propose(id, number int) error {
	stage, source := e.spec.StageOf(number, e.final)
	if stage == study.SearchStage {
		return e.sampler.propose(e.study, id, number)
	}
	if source < 0 {
		return nil
	}
	trials, err := e.storage.GetAllTrials(e.study.ID)
	if err != nil {
		return err
	}
	from := trials[source]
	for _, prm := range e.spec.Parameters {
		if err := e.storage.SetTrialParam(id, prm.Name, from.InternalParams[prm.Name], prm.GoptunaDistribution()); err != nil {
			return err
		}
	}
	return nil
}

// planFinal plans the final stage once every search trial has finished,
// and keeps the plan in the study (the first worker's, in a shared one).
func (e *engine) planFinal() error {
	trials, err := e.spec.ReadTrials(e.storage, e.study.ID)
	if err != nil {
		return err
	}
	stored, err := e.storage.SetStudySystemAttrIfAbsent(e.study.ID, study.AttrFinal, e.spec.PlanFinal(trials).String())
	if err != nil {
		return err
	}
	if e.final, err = study.ParseFinal(stored); err != nil {
		return err
	}
	e.progress.grow(e.totalRuns())
	return nil
}

// totalRuns is the number of runs the study trains, as far as it is
// planned.
func (e *engine) totalRuns() int {
	n := e.spec.TotalTrials() * e.spec.Runs(study.SearchStage)
	for i := range e.final {
		stage, _ := e.spec.StageOf(e.spec.TotalTrials()+i, e.final)
		n += e.spec.Runs(stage)
	}
	return n
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
		tick := time.NewTicker(max(e.opt.Grace/4, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				e.mu.Lock()
				beating := make([]*running, 0, len(e.active))
				for _, r := range e.active {
					beating = append(beating, r)
				}
				e.mu.Unlock()
				for _, r := range beating {
					if errors.Is(r.attempt.Heartbeat(), study.ErrFenced) {
						r.cancel() // taken over: abandon it at once
					}
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
