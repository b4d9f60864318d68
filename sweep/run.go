package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/train"
)

// Options says how to run a sweep; none of it changes the results.
type Options struct {
	// Workers is the number of trials trained at once; 0 means one per
	// core (linalg.Procs).
	Workers int
	// ResultsDir holds one directory per sweep name; "" means "results".
	ResultsDir string
	// Restart discards earlier results of a sweep of the same name.
	Restart bool
	// Progress receives progress reports; nil means none.
	Progress io.Writer
	// Live redraws one status line on Progress (a terminal) instead of
	// writing a line per finished trial.
	Live bool
	// Stop, when closed, lets running trials finish but starts no more;
	// the sweep can be resumed later.
	Stop <-chan struct{}
	// Storage, if set, is a PostgreSQL URL holding the study, shared with
	// any other worker process using it; ResultsDir is then unused.
	Storage string
	// Worker names this process in a shared study; "" means host-pid.
	Worker string
	// Grace is how long a worker may miss heartbeats before its running
	// trials are taken over; 0 means DefaultGrace.
	Grace time.Duration
}

// Result is what a sweep recorded.
type Result struct {
	Dir    string
	Trials []Trial
	// Stopped is true when Stop or a cancelled context ended the sweep
	// before its budget was spent.
	Stopped bool
}

// SpecChangedError refuses to resume a sweep under a changed spec.
type SpecChangedError struct {
	Dir  string
	What string // the first difference
}

func (e *SpecChangedError) Error() string {
	return fmt.Sprintf("%s holds a sweep run with a different spec (%s); run with --restart to discard it, or give the sweep another name", e.Dir, e.What)
}

// InputError is an error in what the sweep was given (spec, data, an
// earlier sweep's directory), found before anything was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrTooManyFailures is wrapped by the error of a sweep stopped by
// budget.max_failed.
var ErrTooManyFailures = errors.New("too many failed trials")

// Files in a sweep's directory.
const (
	JournalFile = "journal.jsonl"
	SpecFile    = "spec.yaml"
)

// Run runs the sweep the spec describes, or resumes it from its journal.
// src is the spec's text, kept beside the results.
func Run(ctx context.Context, spec *Spec, src []byte, opt Options) (*Result, error) {
	return run(ctx, spec, src, opt, recipe.Run)
}

// fitFunc trains one run of a trial.
type fitFunc func(context.Context, *dataset.Data, recipe.Settings, recipe.Options) (*recipe.Result, error)

func run(ctx context.Context, spec *Spec, src []byte, opt Options, fit fitFunc) (*Result, error) {
	if opt.Workers <= 0 {
		opt.Workers = linalg.Procs()
	}
	if opt.ResultsDir == "" {
		opt.ResultsDir = "results"
	}
	dir := filepath.Join(opt.ResultsDir, spec.Name)

	// Everything that can be wrong with the input is checked before
	// anything is written.
	data, err := dataset.Load(spec.Data.Source)
	if err != nil {
		return nil, &InputError{err}
	}
	if err := spec.checkData(data); err != nil {
		return nil, &InputError{err}
	}
	if opt.Storage != "" {
		return runShared(ctx, spec, src, opt, data, fit)
	}
	journalPath, specPath := filepath.Join(dir, JournalFile), filepath.Join(dir, SpecFile)
	if _, err := os.Stat(journalPath); err == nil {
		if opt.Restart {
			if err := os.Remove(journalPath); err != nil {
				return nil, err
			}
		} else if err := sameSpec(specPath, spec); err != nil {
			return nil, &InputError{err}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := safefile.Write(specPath, func(w io.Writer) error { _, err := w.Write(src); return err }); err != nil {
		return nil, err
	}
	journal, err := OpenJournal(journalPath)
	if err != nil {
		return nil, err
	}
	defer journal.Close()
	direction := goptuna.StudyDirectionMaximize
	if spec.Metric.Goal == "minimize" {
		direction = goptuna.StudyDirectionMinimize
	}
	study, err := goptuna.CreateStudy(spec.Name, goptuna.StudyOptionStorage(journal), goptuna.StudyOptionLoadIfExists(true),
		goptuna.StudyOptionDirection(direction), goptuna.StudyOptionLogger(nil), goptuna.StudyOptionDefineSearchSpace(spec.searchSpace()))
	if err != nil {
		return nil, fmt.Errorf("opening study %s: %w", spec.Name, err)
	}
	e := &engine{spec: spec, opt: opt, data: data, study: study, sampler: newSampler(spec), pruner: newPruner(spec.EarlyTerminate), fit: fit}
	return e.run(ctx, dir)
}

// checkData checks that every architecture the spec can produce fits the
// data.
func (s *Spec) checkData(data *dataset.Data) error {
	var sizes []any
	for _, prm := range s.Parameters {
		if prm.Name == "sizes" {
			sizes = prm.Values
		}
	}
	if sizes == nil {
		sizes = []any{nil}
	}
	for _, v := range sizes {
		params := []Param{}
		if v != nil {
			params = append(params, Param{Name: "sizes", Value: v})
		}
		st, err := s.settings(params, 0, 0)
		if err != nil {
			return err
		}
		if err := st.CheckData(data); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return nil
}

// sameSpec checks that the spec a sweep's directory was made with is the
// given one.
func sameSpec(path string, spec *Spec) error {
	old, err := LoadSpec(path)
	if err != nil {
		return fmt.Errorf("the spec kept in %s does not load (%v); run with --restart to discard the sweep", path, err)
	}
	if what := specDiff(old, spec); what != "" {
		return &SpecChangedError{Dir: filepath.Dir(path), What: what}
	}
	return nil
}

// specDiff names the first top-level part in which two specs differ.
func specDiff(a, b *Spec) string {
	parts := []struct {
		name string
		a, b any
	}{
		{"name", a.Name, b.Name}, {"seed", a.Seed, b.Seed}, {"data", a.Data, b.Data}, {"fixed", a.Fixed, b.Fixed},
		{"metric", a.Metric, b.Metric}, {"method", a.Method, b.Method}, {"parameters", a.Parameters, b.Parameters},
		{"budget", a.Budget, b.Budget}, {"early_terminate", a.EarlyTerminate, b.EarlyTerminate}, {"repeats", a.Repeats, b.Repeats},
	}
	for _, p := range parts {
		ja, _ := json.Marshal(p.a)
		jb, _ := json.Marshal(p.b)
		if string(ja) != string(jb) {
			return fmt.Sprintf("%s was %s, is now %s", p.name, ja, jb)
		}
	}
	return ""
}

// TotalTrials is the number of trials the sweep runs when not stopped.
func (s *Spec) TotalTrials() int {
	if s.Method == "grid" && (s.Budget.Trials == 0 || s.Budget.Trials > s.GridSize()) {
		return s.GridSize()
	}
	return s.Budget.Trials
}

type engine struct {
	spec     *Spec
	opt      Options
	data     *dataset.Data
	study    *goptuna.Study
	sampler  sampler
	pruner   pruner
	progress *progress
	fit      fitFunc       // recipe.Run, but in tests
	shared   sharedStorage // set when other processes share the study
}

// outcome is how one run (a trial's repeat) ended.
type outcome struct {
	history     train.History
	err         error
	interrupted bool
	seconds     float64
}

func (e *engine) run(ctx context.Context, dir string) (*Result, error) {
	storage := e.study.Storage
	trials, err := e.spec.readTrials(storage, e.study.ID)
	if err != nil {
		return nil, err
	}
	total := e.spec.TotalTrials()
	batchSize := e.spec.Budget.Batch
	// A sweep killed while asking for a batch left it part-asked: ask the
	// rest before anything runs, as the uninterrupted sweep would have.
	for created := len(trials); created%batchSize != 0 && created < total; created++ {
		id, err := storage.CreateNewTrial(e.study.ID)
		if err != nil {
			return nil, err
		}
		trials = append(trials, Trial{ID: id, Number: created, State: StateRunning})
	}
	var pending []int // interrupted trials, rerun first with their parameters and seeds
	for _, t := range trials {
		if t.State == StateRunning {
			if len(t.Params) < len(e.spec.Parameters) {
				if err := e.sampler.propose(e.study, t.ID, t.Number); err != nil {
					return nil, err
				}
			}
			pending = append(pending, t.Number)
		}
	}
	e.progress = newProgress(e.opt.Progress, e.opt.Live, e.spec, total, trials)
	defer e.progress.end()
	res := &Result{Dir: dir}
	for {
		if stopped(ctx, e.opt.Stop) {
			res.Stopped = true
			break
		}
		batch := pending
		pending = nil
		if len(batch) == 0 {
			created := len(trials)
			if created >= total {
				break
			}
			for range min(batchSize, total-created) {
				id, err := storage.CreateNewTrial(e.study.ID)
				if err != nil {
					return nil, err
				}
				number, err := e.ask(id)
				if err != nil {
					return nil, err
				}
				batch = append(batch, number)
			}
		}
		if trials, err = e.spec.readTrials(storage, e.study.ID); err != nil {
			return nil, err
		}
		if trials, err = e.runAndTell(ctx, trials, batch); err != nil {
			res.Trials = trials
			return res, err
		}
	}
	res.Trials = trials
	return res, nil
}

// ask proposes the parameters of the newly created trial id and returns
// its number.
func (e *engine) ask(id int) (int, error) {
	number, err := e.study.Storage.GetTrialNumberFromID(id)
	if err != nil {
		return 0, err
	}
	return number, e.sampler.propose(e.study, id, number)
}

// runAndTell trains the batch, records how each trial ended, and returns
// the study's trials afterwards. Once budget.max_failed trials of the
// study have failed it returns an error wrapping ErrTooManyFailures.
func (e *engine) runAndTell(ctx context.Context, trials []Trial, batch []int) ([]Trial, error) {
	outcomes, err := e.runBatch(ctx, trials, batch)
	if err != nil {
		return trials, err
	}
	for i, number := range batch {
		if err := e.tell(trials[number].ID, outcomes[i]); err != nil {
			return trials, err
		}
	}
	if trials, err = e.spec.readTrials(e.study.Storage, e.study.ID); err != nil {
		return trials, err
	}
	failed, last := 0, -1
	for _, t := range trials {
		if t.State == StateFailed {
			failed++
			last = t.Number
		}
	}
	if failed >= e.spec.Budget.MaxFailed {
		return trials, fmt.Errorf("%w: %d trials failed (budget.max_failed: %d); the last: trial %d: %s",
			ErrTooManyFailures, failed, e.spec.Budget.MaxFailed, last, trials[last].Reason)
	}
	return trials, nil
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

// runBatch trains every repeat of every trial of the batch on the workers
// and returns each trial's outcomes.
func (e *engine) runBatch(ctx context.Context, trials []Trial, batch []int) ([][]outcome, error) {
	// The pruner sees the trials of earlier batches, never those of a
	// trial's own batch (even when a resumed sweep has some of them
	// finished): trial n's batch starts at n - n mod budget.batch.
	earlier := func(number int) []curve {
		var out []curve
		limit := number - number%e.spec.Budget.Batch
		if e.shared != nil {
			// Other workers number trials too: take all finished ones.
			limit = len(trials)
		}
		for _, t := range trials[:limit] {
			if t.State == StateComplete || t.State == StatePruned {
				c := curve{complete: t.State == StateComplete, scores: map[int]float64{}}
				for _, ep := range t.Runs[0] {
					c.scores[ep.Epoch] = e.spec.score(e.spec.metric(ep))
				}
				out = append(out, c)
			}
		}
		return out
	}
	type item struct{ index, repeat, attempt int }
	var items []item
	outcomes := make([][]outcome, len(batch))
	for i, number := range batch {
		outcomes[i] = make([]outcome, e.spec.Repeats)
		ft, err := e.study.Storage.GetTrial(trials[number].ID)
		if err != nil {
			return nil, err
		}
		attempt, _ := strconv.Atoi(ft.SystemAttrs[attrAttempt])
		attempt++
		if err := e.study.Storage.SetTrialSystemAttr(ft.ID, attrAttempt, strconv.Itoa(attempt)); err != nil {
			return nil, err
		}
		for r := range e.spec.Repeats {
			items = append(items, item{i, r, attempt})
		}
	}
	work := make(chan item)
	var wg sync.WaitGroup
	for range min(e.opt.Workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				number := batch[it.index]
				if stopped(ctx, e.opt.Stop) {
					outcomes[it.index][it.repeat] = outcome{interrupted: true}
					continue
				}
				e.progress.started()
				o := e.train(ctx, trials[number], it.repeat, it.attempt, earlier(number))
				outcomes[it.index][it.repeat] = o
				e.progress.finishedRun(number, it.repeat, o, e.spec)
			}
		}()
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
	return outcomes, nil
}

// train runs one repeat of one trial: never panics, never blocks past
// trial_timeout.
func (e *engine) train(ctx context.Context, t Trial, repeat, attempt int, earlier []curve) (o outcome) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			o.err = fmt.Errorf("panic: %v", r)
		}
		o.seconds = time.Since(start).Seconds()
	}()
	settings, err := e.spec.settings(t.Params, t.Number, repeat)
	if err != nil {
		return outcome{err: err}
	}
	tctx, cancel := ctx, context.CancelFunc(func() {})
	if e.spec.Budget.TrialTimeout > 0 {
		tctx, cancel = context.WithTimeout(ctx, e.spec.Budget.TrialTimeout)
	}
	defer cancel()
	res, err := e.fit(tctx, e.data, settings, recipe.Options{OnEpoch: func(ep train.Epoch) error {
		b, err := json.Marshal(ep)
		if err != nil {
			return err
		}
		if err := e.study.Storage.SetTrialUserAttr(t.ID, epochKey(attempt, repeat, ep.Epoch), string(b)); err != nil {
			return err
		}
		// Stopping at the last epoch would save nothing: a trial that gets
		// there completes.
		if e.pruner != nil && ep.Epoch < settings.Epochs && e.pruner.prune(ep.Epoch, e.spec.score(e.spec.metric(ep)), earlier) {
			return train.ErrStop
		}
		return nil
	}})
	if res != nil {
		o.history = res.History
	}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		o.interrupted = true
	case errors.Is(err, context.DeadlineExceeded):
		o.err = fmt.Errorf("exceeded budget.trial_timeout %v in epoch %d", e.spec.Budget.TrialTimeout, len(o.history.Epochs)+1)
	default:
		o.err = err
	}
	return o
}

// tell records how a trial ended. An interrupted trial stays running, to
// be rerun when the sweep resumes.
func (e *engine) tell(id int, runs []outcome) error {
	st := e.study.Storage
	var seconds, sum float64
	state, reason := StateComplete, ""
	for _, o := range runs {
		seconds += o.seconds
		switch {
		case o.interrupted:
			return nil
		case o.err != nil && state != StateFailed:
			state, reason = StateFailed, o.err.Error()
		case o.history.Stopped && state == StateComplete:
			state = StatePruned
		}
		sum += e.spec.metric(o.history.Last())
	}
	// Attributes and value first, goptuna's state last: until the state is
	// written the trial counts as running and a resumed sweep reruns it.
	attrs := [][2]string{{attrSeconds, strconv.FormatFloat(seconds, 'f', 3, 64)}, {attrBuild, Build()}}
	if reason != "" {
		attrs = append(attrs, [2]string{attrReason, reason})
	}
	for _, kv := range attrs {
		if err := st.SetTrialSystemAttr(id, kv[0], kv[1]); err != nil {
			return err
		}
	}
	goState := goptuna.TrialStateFail
	if state != StateFailed {
		if err := st.SetTrialValue(id, sum/float64(len(runs))); err != nil {
			return err
		}
		goState = goptuna.TrialStateComplete
		if state == StatePruned {
			goState = goptuna.TrialStatePruned
		}
	}
	return st.SetTrialState(id, goState)
}
