package sweep

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/pgstore"
)

// sharedStorage is a storage several processes use at once.
type sharedStorage interface {
	goptuna.Storage
	CreateTrialWithin(studyID, limit int, worker string) (int, bool, error)
	Heartbeat(ids []int, worker string) error
	ClaimStale(studyID int, grace time.Duration, worker string) ([]pgstore.Claim, error)
	SetStudySystemAttrIfAbsent(studyID int, key, value string) (string, error)
}

const (
	// DefaultGrace is how long a running trial's worker may miss its
	// heartbeats before another worker takes the trial over.
	DefaultGrace = time.Minute
	attrSpec     = "sweep:spec"
	attrStale    = "sweep:stale" // sweep:stale:<attempt>: who stopped beating, who took over
)

// WorkerName is this process's default worker name: host and process ID.
func WorkerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// runShared opens a study in the database at opt.Storage, checks that it
// was made by this spec (the first worker stores it), and works on it
// beside any other worker.
func runShared(ctx context.Context, spec *Spec, src []byte, opt Options, data *dataset.Data, fit fitFunc) (*Result, error) {
	if opt.Worker == "" {
		opt.Worker = WorkerName()
	}
	if opt.Grace <= 0 {
		opt.Grace = DefaultGrace
	}
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	var printMu sync.Mutex
	st, err := pgstore.Open(ctx, opt.Storage, pgstore.Options{OnRetry: func(err error, wait time.Duration) {
		printMu.Lock()
		defer printMu.Unlock()
		fmt.Fprintf(progress, "storage unavailable (%v); retrying in %v\n", err, wait)
	}})
	if err != nil {
		if strings.HasPrefix(err.Error(), "storage URL ") {
			return nil, &InputError{err}
		}
		return nil, err
	}
	defer st.Close()
	if opt.Restart {
		if id, err := st.GetStudyIDFromName(spec.Name); err == nil {
			if err := st.DeleteStudy(id); err != nil {
				return nil, err
			}
		}
	}
	direction := goptuna.StudyDirectionMaximize
	if spec.Metric.Goal == "minimize" {
		direction = goptuna.StudyDirectionMinimize
	}
	study, err := goptuna.CreateStudy(spec.Name, goptuna.StudyOptionStorage(st), goptuna.StudyOptionLoadIfExists(true),
		goptuna.StudyOptionDirection(direction), goptuna.StudyOptionLogger(nil), goptuna.StudyOptionDefineSearchSpace(spec.searchSpace()))
	if err != nil {
		return nil, fmt.Errorf("opening study %s in %s: %w", spec.Name, st.Redacted(), err)
	}
	stored, err := st.SetStudySystemAttrIfAbsent(study.ID, attrSpec, string(src))
	if err != nil {
		return nil, err
	}
	if stored != string(src) {
		old, err := ParseSpec("the spec stored in "+st.Redacted(), []byte(stored))
		if err != nil {
			return nil, &InputError{err}
		}
		if what := specDiff(old, spec); what != "" {
			return nil, &InputError{&SpecChangedError{Dir: "study " + spec.Name + " in " + st.Redacted(), What: what}}
		}
	}
	e := &engine{spec: spec, opt: opt, data: data, study: study, sampler: newSampler(spec), pruner: newPruner(spec.EarlyTerminate), fit: fit, shared: st}
	return e.runShared(ctx, st.Redacted())
}

// runShared works beside other workers: it first takes over the trials
// of workers that stopped beating, then creates new trials while the
// budget lasts, then waits for the other workers' running trials, taking
// over any whose worker dies.
func (e *engine) runShared(ctx context.Context, where string) (*Result, error) {
	storage := e.study.Storage
	total := e.spec.TotalTrials()
	trials, err := e.spec.readTrials(storage, e.study.ID)
	if err != nil {
		return nil, err
	}
	e.progress = newProgress(e.opt.Progress, e.opt.Live, e.spec, total, trials)
	defer e.progress.end()

	// Heartbeat the trials this worker runs.
	var mu sync.Mutex
	active := map[int]bool{}
	beat := func() {
		mu.Lock()
		ids := make([]int, 0, len(active))
		for id := range active {
			ids = append(ids, id)
		}
		mu.Unlock()
		if len(ids) > 0 {
			e.shared.Heartbeat(ids, e.opt.Worker)
		}
	}
	stopBeats := make(chan struct{})
	var beats sync.WaitGroup
	beats.Add(1)
	go func() {
		defer beats.Done()
		tick := time.NewTicker(e.opt.Grace / 4)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				beat()
			case <-stopBeats:
				return
			}
		}
	}()
	defer func() { close(stopBeats); beats.Wait() }()

	res := &Result{Dir: where}
	for {
		if stopped(ctx, e.opt.Stop) {
			res.Stopped = true
			break
		}
		var batch []int
		claims, err := e.shared.ClaimStale(e.study.ID, e.opt.Grace, e.opt.Worker)
		if err != nil {
			return nil, err
		}
		for _, c := range claims {
			ft, err := storage.GetTrial(c.ID)
			if err != nil {
				return nil, err
			}
			note := fmt.Sprintf("worker %s stopped beating; taken over by %s at %s", c.From, e.opt.Worker, time.Now().UTC().Format(time.RFC3339))
			if err := storage.SetTrialSystemAttr(c.ID, attrStale+":"+ft.SystemAttrs[attrAttempt], note); err != nil {
				return nil, err
			}
			if len(ft.InternalParams) < len(e.spec.Parameters) { // its creator died proposing it
				if err := e.sampler.propose(e.study, c.ID, c.Number); err != nil {
					return nil, err
				}
			}
			batch = append(batch, c.Number)
		}
		for len(batch) < e.spec.Budget.Batch && len(claims) == 0 {
			id, ok, err := e.shared.CreateTrialWithin(e.study.ID, total, e.opt.Worker)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			number, err := e.ask(id)
			if err != nil {
				return nil, err
			}
			batch = append(batch, number)
		}
		if trials, err = e.spec.readTrials(storage, e.study.ID); err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			// The budget is spent: done when no other worker still runs a
			// trial; otherwise wait, ready to take over a dead one's.
			running := 0
			for _, t := range trials {
				if t.State == StateRunning {
					running++
				}
			}
			if running == 0 {
				break
			}
			select {
			case <-time.After(min(e.opt.Grace/4, time.Second)):
			case <-ctx.Done():
			case <-e.opt.Stop:
			}
			continue
		}
		mu.Lock()
		for _, n := range batch {
			active[trials[n].ID] = true
		}
		mu.Unlock()
		trials, err = e.runAndTell(ctx, trials, batch)
		mu.Lock()
		clear(active)
		mu.Unlock()
		if err != nil {
			res.Trials = trials
			return res, err
		}
	}
	if trials, err = e.spec.readTrials(storage, e.study.ID); err != nil {
		return nil, err
	}
	res.Trials = trials
	return res, nil
}

// LoadStudy reads the sweep named name from the database at url: the spec
// its first worker stored and its trials, as far as they got.
func LoadStudy(ctx context.Context, url, name string) (*Spec, []Trial, error) {
	st, err := pgstore.Open(ctx, url, pgstore.Options{RetryFor: 30 * time.Second})
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	id, err := st.GetStudyIDFromName(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s holds no sweep named %q", st.Redacted(), name)
	}
	attrs, err := st.GetStudySystemAttrs(id)
	if err != nil {
		return nil, nil, err
	}
	spec, err := ParseSpec("the spec stored in "+st.Redacted(), []byte(attrs[attrSpec]))
	if err != nil {
		return nil, nil, err
	}
	trials, err := spec.readTrials(st, id)
	return spec, trials, err
}
