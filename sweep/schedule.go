package sweep

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// job is a trial this process runs: its attempt, the curves its runs are
// pruned against, and how its runs ended.
type job struct {
	trial    study.Trial
	attempt  storage.Attempt
	ctx      context.Context
	earlier  [][]curve // by run
	outcomes []outcome
	left     int // runs not yet ended
}

// item is one run of a job: the unit a worker trains.
type item struct {
	job    *job
	repeat int
}

type ended struct {
	item
	o outcome
}

// schedule runs the study's trials on the workers until the budget is
// spent, the sweep is stopped, or an error ends it. There is no barrier:
// a worker that is free starts the next run at once, of the next trial
// that may start (see horizon), made ready while the workers were busy.
// It reports whether the sweep was stopped.
func (e *engine) schedule(ctx context.Context) (stopped bool, err error) {
	work, done := make(chan item), make(chan ended)
	var wg sync.WaitGroup
	for range e.opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				done <- ended{it, e.trainItem(it)}
			}
		}()
	}
	defer func() { close(work); wg.Wait() }()

	var queue []item
	busy := 0
	var halt error // set: start nothing more, drain, then return it
	for {
		stop := halt != nil || isStopped(ctx, e.opt.Stop)
		if stop {
			for _, it := range queue { // never started: rerun when the sweep resumes
				if err := e.end(ended{it, outcome{end: runInterrupted}}); err != nil && halt == nil {
					halt = err
				}
			}
			queue = nil
			if busy == 0 {
				if halt != nil {
					return false, halt
				}
				return true, nil
			}
		}
		// One trial ahead: while every worker is busy, the next trial is
		// made ready (created, proposed, begun) for the first to be free.
		if !stop && len(queue) == 0 && busy <= e.opt.Workers {
			jobs, err := e.next(ctx)
			if err != nil {
				halt = e.abort(err)
				continue
			}
			for _, j := range jobs {
				for r := range j.outcomes {
					queue = append(queue, item{j, r})
				}
			}
			if len(queue) == 0 && busy == 0 {
				finished, err := e.idle(ctx)
				if err != nil {
					halt = e.abort(err)
					continue
				}
				if finished {
					return false, nil
				}
				continue
			}
		}
		var send chan item
		var first item
		if !stop && len(queue) > 0 && busy < e.opt.Workers {
			send, first = work, queue[0]
		}
		select {
		case send <- first:
			queue = queue[1:]
			busy++
		case r := <-done:
			busy--
			if err := e.end(r); err != nil && halt == nil {
				if errors.Is(err, ErrTooManyFailures) {
					halt = err // running trials finish
				} else {
					halt = e.abort(err)
				}
			}
		}
	}
}

// abort cancels every running trial (they stay running in the study, to
// be rerun) and returns err.
func (e *engine) abort(err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.active {
		r.cancel()
	}
	return err
}

// idle is called when this process has nothing to run: it plans the final
// stage once every search trial has finished, reports whether the study is
// finished, or waits a moment for other workers (ready to take over a dead
// one's trials).
func (e *engine) idle(ctx context.Context) (finished bool, err error) {
	done, err := e.othersDone()
	if err != nil {
		return false, err
	}
	if done && e.final == nil {
		return false, e.planFinal()
	}
	if done {
		return true, nil
	}
	select {
	case <-time.After(min(e.opt.Grace/4, time.Second)):
	case <-ctx.Done():
	case <-e.opt.Stop:
	}
	return false, nil
}

// trainItem trains one run on a worker goroutine.
func (e *engine) trainItem(it item) outcome {
	j := it.job
	if isStopped(j.ctx, e.opt.Stop) {
		return outcome{end: runInterrupted}
	}
	devices := ""
	if e.slots != nil { // a slot of its own while it trains
		devices = <-e.slots
		defer func() { e.slots <- devices }()
	}
	e.progress.started()
	o := e.train(j.ctx, j.trial, it.repeat, j.attempt, j.earlier[it.repeat], devices)
	e.progress.finishedRun(j.trial.Number, it.repeat, o)
	return o
}

// end records how a run ended and, once every run of its trial has, tells
// the study how the trial ended. It returns an error wrapping
// ErrTooManyFailures once budget.max_failed trials have failed.
func (e *engine) end(r ended) error {
	j := r.job
	j.outcomes[r.repeat] = r.o
	if j.left--; j.left > 0 {
		return nil
	}
	e.mu.Lock()
	if a := e.active[j.trial.ID]; a != nil {
		a.cancel()
		delete(e.active, j.trial.ID)
	}
	e.mu.Unlock()
	if err := e.tell(j.attempt, j.outcomes); err != nil && !errors.Is(err, storage.ErrFenced) {
		return err
	}
	if e.failed(j.outcomes) {
		trials, err := e.trials()
		if err != nil {
			return err
		}
		return e.tooManyFailures(trials)
	}
	return nil
}

// failed reports whether runs that ended so make their trial failed.
func (e *engine) failed(runs []outcome) bool {
	for _, o := range runs {
		if !o.ended() {
			return false
		}
	}
	for _, o := range runs {
		if o.end == runFailed {
			return true
		}
	}
	return false
}

func isStopped(ctx context.Context, stop <-chan struct{}) bool {
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
