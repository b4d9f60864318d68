package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// outcome is how one run (a trial's repeat) ended.
type outcome struct {
	stage   study.Stage
	runs    int // of the trial
	epochs  []study.Epoch
	end     runEnd
	err     error // why it failed (end runFailed)
	seconds float64
}

// runEnd is how a run ended.
type runEnd int

const (
	runComplete    runEnd = iota
	runPruned             // the pruner stopped it
	runFailed             // err says why
	runInterrupted        // by Stop or the context: rerun later
	runAbandoned          // fenced: another worker took the trial over
)

// fail ends the run failed, for err.
func (o *outcome) fail(err error) { o.end, o.err = runFailed, err }

// ended reports whether the run ended for its trial: not interrupted or
// abandoned, which leave the trial to be run again.
func (o *outcome) ended() bool { return o.end != runInterrupted && o.end != runAbandoned }

// tooManyFailures is the error of a study that has had budget.max_failed
// failed trials, nil before.
func (e *engine) tooManyFailures(trials []study.Trial) error {
	failed, last := 0, -1
	for _, t := range trials {
		if t.State == study.Failed {
			failed++
			last = t.Number
		}
	}
	if failed < e.spec.Budget.MaxFailed {
		return nil
	}
	return fmt.Errorf("%w: %d trials failed (budget.max_failed: %d); the last: trial %d: %s",
		ErrTooManyFailures, failed, e.spec.Budget.MaxFailed, last, trials[last].Reason)
}

// earlier is what the pruner compares run run of trial number with: in a
// local study the completed and pruned trials below its horizon (every
// trial below it ended before it was created; settled), in a shared study
// every completed and pruned search trial (trials, the study as read).
func (e *engine) earlier(trials []study.Trial, number, run int) ([]curve, error) {
	if e.local != nil {
		return e.settled.below(e, e.horizon(number), run)
	}
	var out []curve
	for _, t := range trials[:min(len(trials), e.spec.TotalTrials())] {
		if t.State.Finished() && run < len(t.Runs) { // with folds, run r of each trial validates on the same fold
			out = append(out, e.curve(t, run))
		}
	}
	return out, nil
}

// curve is run run of a finished trial as the pruner compares it, built
// once: a finished trial never changes.
func (e *engine) curve(t study.Trial, run int) curve {
	key := [2]int{t.ID, run}
	if c, ok := e.curves[key]; ok {
		return c
	}
	c := e.newCurve(t, run)
	e.curves[key] = c
	return c
}

// newCurve builds run run of a finished trial as the pruner compares it.
func (e *engine) newCurve(t study.Trial, run int) curve {
	c := curve{complete: t.State == study.Complete, scores: map[int]float64{}}
	it := 0
	for _, ep := range t.Runs[run] {
		if v, ok := e.spec.Metric.Of(ep); ok {
			it++
			c.scores[it] = e.spec.Metric.Score(v)
		}
	}
	return c
}

// begin starts this worker's attempt at each trial (in a shared study one
// statement carries the trial's parameters and reads the trial back,
// pgstore's Begin), builds each trial's record from the attempt's Trial,
// and the curves its runs are pruned against: in a shared study the
// study's finished trials, read whole for them (pgstore fetches only what
// changed); in a local study the trials below its horizon, read once each
// (settled). Each job has a context of its own that the heartbeat cancels
// when the attempt is fenced off. A trial already taken over is skipped.
func (e *engine) begin(ctx context.Context, ids, numbers []int) ([]*job, error) {
	attempts := make([]storage.Attempt, len(ids))
	for i, id := range ids {
		a, err := e.storage.Begin(id, e.opt.Worker)
		if errors.Is(err, storage.ErrFenced) {
			continue // attempts[i] stays nil
		}
		if err != nil {
			return nil, err
		}
		attempts[i] = a
	}
	var trials []study.Trial
	if e.local == nil && e.pruner != nil {
		var err error
		if trials, err = e.trials(); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var jobs []*job
	for i, number := range numbers {
		a := attempts[i]
		if a == nil {
			continue
		}
		t, err := e.reader.Record(e.storage, e.study.ID, a.Trial())
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithCancel(ctx)
		j := &job{trial: t, attempt: a, ctx: tctx, outcomes: make([]outcome, len(t.Seeds)), left: len(t.Seeds)}
		j.earlier = make([][]curve, len(t.Seeds))
		if t.Stage == study.SearchStage && e.pruner != nil { // the final stage is not pruned
			for r := range j.earlier {
				if j.earlier[r], err = e.earlier(trials, number, r); err != nil {
					cancel()
					return nil, err
				}
			}
		}
		e.active[t.ID] = &running{attempt: a, cancel: cancel}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// train runs one repeat of one trial: never panics, never blocks past
// trial_timeout.
func (e *engine) train(ctx context.Context, t study.Trial, repeat int, attempt storage.Attempt, earlier []curve, devices string) (o outcome) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			o.fail(fmt.Errorf("panic: %v", r))
		}
		o.seconds = time.Since(start).Seconds()
	}()
	tctx, cancel := ctx, context.CancelFunc(func() {})
	if e.spec.Budget.TrialTimeout > 0 {
		tctx, cancel = context.WithTimeout(ctx, e.spec.Budget.TrialTimeout)
	}
	defer cancel()
	o.runs, o.stage = len(t.Seeds), t.Stage
	run := e.spec.NewRun(t, repeat)
	if run.Devices = devices; devices != "" {
		if err := attempt.SetSystemAttr(study.DevicesKey(attempt.Number(), repeat), devices); err != nil {
			o.fail(err)
			if errors.Is(err, storage.ErrFenced) {
				o.end, o.err = runAbandoned, nil
			}
			return o
		}
	}
	var scores []float64 // per iteration: reports that carry the metric, what the pruner counts
	err := e.obj.Run(tctx, run, func(ep study.Epoch) error {
		b, err := json.Marshal(ep)
		if err != nil {
			return err
		}
		if err := attempt.SetUserAttr(study.EpochKey(attempt.Number(), repeat, ep.Epoch), string(b)); err != nil {
			return err
		}
		o.epochs = append(o.epochs, ep)
		v, ok := e.spec.Metric.Of(ep)
		if !ok {
			return nil
		}
		scores = append(scores, e.spec.Metric.Score(v))
		if e.pruner != nil && t.Stage == study.SearchStage && e.pruner.prune(scores, earlier) {
			return study.ErrPruned
		}
		return nil
	})
	switch {
	case errors.Is(err, storage.ErrFenced) || ctx.Err() != nil && e.fenced(attempt):
		o.end = runAbandoned
	case errors.Is(err, study.ErrPruned):
		o.end = runPruned
	case err == nil && len(o.epochs) == 0:
		o.fail(errors.New("the objective reported no epoch"))
	case err == nil && len(scores) == 0 && !e.spec.Metric.None():
		o.fail(fmt.Errorf("%d reports, none with metric %q (reported: %s)", len(o.epochs), e.spec.Metric.Name, strings.Join(reported(o.epochs), ", ")))
	case err == nil && missing(e.spec, o.epochs) != "":
		o.fail(fmt.Errorf("%d reports, none with metric %q (reported: %s)", len(o.epochs), missing(e.spec, o.epochs), strings.Join(reported(o.epochs), ", ")))
	case err == nil:
	case ctx.Err() != nil:
		o.end = runInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		o.fail(fmt.Errorf("exceeded budget.trial_timeout %v in epoch %d", e.spec.Budget.TrialTimeout, len(o.epochs)+1))
	default:
		o.fail(err)
	}
	return o
}

// fenced reports whether an attempt no longer stands.
func (e *engine) fenced(a storage.Attempt) bool {
	return errors.Is(a.Heartbeat(), storage.ErrFenced)
}

// tell records how a trial ended. An interrupted trial stays running, to
// be rerun when the sweep resumes; an abandoned one is another worker's.
func (e *engine) tell(a storage.Attempt, runs []outcome) error {
	var seconds, sum float64
	state, reason := study.Complete, ""
	epochs := make([][]study.Epoch, len(runs))
	for i, o := range runs {
		seconds += o.seconds
		switch {
		case !o.ended():
			return nil
		case o.end == runFailed && state != study.Failed:
			state, reason = study.Failed, o.err.Error()
		case o.end == runPruned && state == study.Complete:
			state = study.Pruned
		}
		if v, ok := e.spec.Metric.Last(o.epochs); ok {
			sum += v
		}
		epochs[i] = o.epochs
	}
	// Attributes and value first, goptuna's state last: until the state is
	// written the trial counts as running and a resumed sweep reruns it.
	attrs := [][2]string{{study.AttrSeconds, strconv.FormatFloat(seconds, 'f', 3, 64)}, {study.AttrBuild, e.build}}
	if reason != "" {
		attrs = append(attrs, [2]string{study.AttrReason, reason})
	}
	if values, lacking := e.spec.Values(epochs); e.spec.MultiObjective() && state != study.Failed {
		if lacking != "" { // a pruned run that stopped before reporting it
			state, reason = study.Failed, fmt.Sprintf("pruned before reporting metric %q", lacking)
			attrs = append(attrs, [2]string{study.AttrReason, reason})
		} else {
			b, _ := json.Marshal(values)
			attrs = append(attrs, [2]string{study.AttrValues, string(b)})
		}
	}
	for _, kv := range attrs {
		if err := a.SetSystemAttr(kv[0], kv[1]); err != nil {
			return err
		}
	}
	goState := goptuna.TrialStateFail
	if state != study.Failed {
		if err := a.SetValue(sum / float64(len(runs))); err != nil {
			return err
		}
		goState = goptuna.TrialStateComplete
		if state == study.Pruned {
			goState = goptuna.TrialStatePruned
		}
	}
	return a.SetState(goState)
}

// missing names the first objective beyond the first that a run's reports
// never carried ("" if none).
func missing(spec *study.Spec, epochs []study.Epoch) string {
	for _, m := range spec.More {
		if _, ok := m.Last(epochs); !ok {
			return m.Name
		}
	}
	return ""
}

// reported lists the names of the figures a run's reports carried, the
// first 20 of them.
func reported(epochs []study.Epoch) []string {
	var names []string
	for _, ep := range epochs {
		for _, n := range ep.Names() {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	return names
}
