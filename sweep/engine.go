package sweep

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/storage"
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
	storage storage.Storage
	reader  *study.Reader
	// proposals is the study as the samplers see it: view limits it to
	// the trials below the proposed trial's horizon.
	proposals *goptuna.Study
	view      *horizonView
	// local is the journal when this process alone runs the study, nil
	// for a shared storage. Then trials follow the window rule
	// (horizon.go), so results do not depend on timing.
	local    *local
	sampler  sampler
	pruner   pruner
	progress *progress
	final    study.Final // the final stage's plan, once the search has finished
	settled  settled     // a local study's trials below the horizons, ended
	claimed  time.Time   // when stale trials were last claimed
	targeted int         // trials below this were checked against the metric's target
	slots    chan string // the free GPU slots (Options.Devices), nil without

	mu     sync.Mutex
	active map[int]*running // the trials this process runs, by ID: heartbeated
	curves map[[2]int]curve // a shared study's finished trials' runs as the pruner sees them, by trial ID and run (under mu)
}

// running is a trial this process runs: its attempt, and how to stop it
// when the attempt is fenced off.
type running struct {
	attempt storage.Attempt
	cancel  context.CancelFunc
}

func (e *engine) run(ctx context.Context) (*Result, error) {
	res := &Result{Dir: e.storage.Redacted()}
	trials, err := e.trials()
	if err != nil {
		return nil, err
	}
	if e.final, err = study.ReadFinal(e.storage, e.study.ID, e.spec); err != nil {
		return nil, err
	}
	if err := e.tooManyFailures(trials); err != nil { // a rerun starts nothing new
		return &Result{Dir: res.Dir, Trials: trials}, err
	}
	e.progress = newProgress(e.opt.Progress, e.opt.Live, e.spec, e.totalRuns(), trials)
	defer e.progress.end()
	defer e.heartbeat()()
	res.Stopped, err = e.schedule(ctx)
	trials, rerr := e.trials()
	res.Trials = trials
	return res, cmp.Or(err, rerr)
}

// trials reads the study's trials.
func (e *engine) trials() ([]study.Trial, error) {
	return e.reader.Read(e.storage, e.study.ID)
}

// next is what to run next: the trials taken over from stopped workers
// (for a local journal: those an earlier process left running), rerun
// with their parameters and seeds; else the next new trial, if the budget
// has room and it may start (see ready). Each is begun.
func (e *engine) next(ctx context.Context) ([]*job, error) {
	var claims []storage.Claim
	if time.Since(e.claimed) >= min(e.opt.Grace/4, time.Second) { // no trial goes stale faster
		var err error
		if claims, err = e.storage.ClaimStale(e.study.ID, e.opt.Grace, e.opt.Worker); err != nil {
			return nil, err
		}
		e.claimed = time.Now()
	}
	var numbers, ids []int
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
		numbers, ids = append(numbers, c.Number), append(ids, c.ID)
	}
	if len(claims) == 0 && !isStopped(ctx, e.opt.Stop) {
		ok, err := e.ready()
		if err != nil || !ok {
			return nil, err
		}
		if err := e.target(); err != nil {
			return nil, err
		}
		id, number, ok, err := e.storage.CreateTrialWithin(e.study.ID, e.spec.Total(e.final), e.opt.Worker)
		if err != nil || !ok {
			return nil, err
		}
		if err := e.propose(id, number); err != nil {
			return nil, err
		}
		numbers, ids = append(numbers, number), append(ids, id)
	}
	if len(numbers) == 0 {
		return nil, nil
	}
	return e.begin(ctx, ids, numbers)
}

// propose sets a new trial's parameters: the sampler's for a search
// trial, its source's for a final-stage one (none for the baseline).
func (e *engine) propose(id, number int) error {
	stage, source := e.spec.StageOf(number, e.final)
	if stage == study.SearchStage {
		e.view.limit = -1
		if e.local != nil {
			e.view.limit = e.horizon(number)
		}
		return e.sampler.propose(e.proposals, id, number)
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
		v, ok := from.InternalParams[prm.Name]
		if !ok { // inactive in the source: its when: does not hold
			continue
		}
		if err := e.storage.SetTrialParam(id, prm.Name, v, prm.GoptunaDistribution()); err != nil {
			return err
		}
	}
	return nil
}

// planFinal plans the final stage once every search trial has finished,
// and keeps the plan in the study (the first worker's, in a shared one).
func (e *engine) planFinal() error {
	trials, err := e.trials()
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
// (elsewhere: it is called when this process runs none).
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
					if errors.Is(r.attempt.Heartbeat(), storage.ErrFenced) {
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
