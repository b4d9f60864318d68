package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/storage"
	"github.com/sweepml/sweep/study"
)

// Options says how to run a sweep; none of it changes a local sweep's
// results.
type Options struct {
	// Workers is the number of runs trained at once; 0 means GOMAXPROCS.
	Workers int
	// ResultsDir holds one directory per sweep name; "" means "results".
	ResultsDir string
	// Restart discards earlier results of a sweep of the same name.
	Restart bool
	// Progress receives progress reports; nil means none.
	Progress io.Writer
	// Live redraws one status line on Progress (a terminal) instead of
	// writing a line per finished run.
	Live bool
	// Stop, when closed, lets running trials finish but starts no more;
	// the sweep can be resumed later.
	Stop <-chan struct{}
	// Storage, if set, holds the study, shared with any other worker
	// process using it; ResultsDir is then unused.
	Storage storage.Storage
	// Worker names this process in a shared study; "" means host-pid.
	Worker string
	// Grace is how long a worker may miss heartbeats before its running
	// trials are taken over; 0 means DefaultGrace.
	Grace time.Duration
	// Devices, when set, are the GPU slots: each running run holds one
	// (its device IDs, e.g. "0" or "2,3"), none shared with another run,
	// and at most len(Devices) runs train at once. The run's TrialRun
	// names its slot, and the study records it.
	Devices []string
}

// DefaultGrace is how long a running trial's worker may miss its
// heartbeats before another worker takes the trial over.
const DefaultGrace = time.Minute

// Result is what a sweep recorded.
type Result struct {
	Dir    string // the results directory, or the shared storage
	Trials []study.Trial
	// Stopped is true when Stop or a cancelled context ended the sweep
	// before its budget was spent.
	Stopped bool
}

// SpecChangedError refuses to resume a sweep under a changed spec.
type SpecChangedError struct {
	Dir  string
	What string // the first difference, in the spec's words
}

func (e *SpecChangedError) Error() string {
	return fmt.Sprintf("%s holds a sweep run with a different spec (%s); run with --restart to discard it, or give the sweep another name", e.Dir, e.What)
}

// InputError is an error in what the sweep was given (spec, an earlier
// sweep's directory), found before anything was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrTooManyFailures is wrapped by the error of a sweep stopped by
// budget.max_failed.
var ErrTooManyFailures = errors.New("too many failed trials")

// WorkerName is this process's default worker name: host and process ID.
func WorkerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// Run runs the sweep the spec describes with obj training its trials, or
// resumes it. src is the spec's text, kept with the study.
func Run(ctx context.Context, spec *study.Spec, src []byte, obj Objective, opt Options) (*Result, error) {
	e, err := newEngine(spec, src, obj, opt)
	if err != nil {
		return nil, err
	}
	if e.local != nil {
		defer e.local.Close()
	}
	return e.run(ctx)
}

// newEngine opens the sweep's study, in opt.Storage or a local journal
// (which the caller closes, unless newEngine fails), and prepares to run
// it.
func newEngine(spec *study.Spec, src []byte, obj Objective, opt Options) (_ *engine, err error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if len(opt.Devices) > 0 {
		opt.Workers = min(opt.Workers, len(opt.Devices))
	}
	if opt.Worker == "" {
		opt.Worker = WorkerName()
	}
	if opt.Grace <= 0 {
		opt.Grace = DefaultGrace
	}
	smp, err := newSampler(spec)
	if err != nil {
		return nil, err
	}
	storage := opt.Storage
	var journal *local
	if storage == nil {
		if journal, err = openLocal(spec, src, opt); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				journal.Close()
			}
		}()
		storage = journal
	} else if opt.Restart {
		if err := restartShared(spec, storage, opt); err != nil {
			return nil, err
		}
	}
	st, err := openStudy(spec, src, storage)
	if err != nil {
		return nil, err
	}
	if opt.Storage != nil {
		if opt.Grace, err = sharedGrace(st.ID, storage, opt); err != nil {
			return nil, err
		}
	}
	e := &engine{spec: spec, opt: opt, obj: obj, build: buildOf(obj), study: st, storage: storage, reader: study.NewReader(spec),
		view: &horizonView{Storage: storage, limit: -1}, local: journal,
		sampler: smp, pruner: newPruner(spec.EarlyTerminate), active: map[int]*running{}, curves: map[[2]int]curve{}}
	if len(opt.Devices) > 0 {
		e.slots = make(chan string, len(opt.Devices))
		for _, d := range opt.Devices {
			e.slots <- d
		}
	}
	if e.local != nil {
		if err := checkWindow(storage, st.ID, spec); err != nil {
			return nil, err
		}
	}
	if e.proposals, err = goptuna.LoadStudy(spec.Name, goptuna.StudyOptionStorage(e.view), goptuna.StudyOptionLogger(nil),
		goptuna.StudyOptionDefineSearchSpace(spec.SearchSpace())); err != nil {
		return nil, err
	}
	return e, nil
}

// restartShared deletes a shared study, unless a live worker still runs
// one of its trials (one that has heartbeated within the grace period):
// deleting under it would fail its writes.
func restartShared(spec *study.Spec, st storage.Storage, opt Options) error {
	id, err := st.GetStudyIDFromName(spec.Name)
	if err != nil {
		return nil // nothing to restart
	}
	stale, err := st.ClaimStale(id, opt.Grace, opt.Worker) // the dead workers' trials: ours to delete
	if err != nil {
		return err
	}
	trials, err := st.GetAllTrials(id)
	if err != nil {
		return err
	}
	for _, t := range trials {
		if !t.State.IsFinished() && !slices.ContainsFunc(stale, func(c storage.Claim) bool { return c.ID == t.ID }) {
			return &InputError{fmt.Errorf("study %s in %s has a trial running on a live worker (trial %d, and maybe more): stop its workers first, or wait for them to finish, then --restart", spec.Name, st.Redacted(), t.Number)}
		}
	}
	return st.DeleteStudy(id)
}

// sharedGrace is the grace period of a shared study: the first worker's,
// kept in the study, so that every worker judges the others alike.
func sharedGrace(studyID int, st storage.Storage, opt Options) (time.Duration, error) {
	stored, err := st.SetStudySystemAttrIfAbsent(studyID, attrGrace, opt.Grace.String())
	if err != nil {
		return 0, err
	}
	grace, err := time.ParseDuration(stored)
	if err != nil || grace <= 0 {
		return 0, fmt.Errorf("the study's grace period %q: %v", stored, err)
	}
	if grace != opt.Grace && opt.Progress != nil {
		fmt.Fprintf(opt.Progress, "the study's grace period is %v, set by its first worker; --grace %v is not used\n", grace, opt.Grace)
	}
	return grace, nil
}

// attrGrace keeps a shared study's grace period.
const attrGrace = "sweep:grace"

// openLocal opens the journal in the sweep's results directory, after
// checking that an earlier sweep there had the same spec.
func openLocal(spec *study.Spec, src []byte, opt Options) (*local, error) {
	if opt.ResultsDir == "" {
		opt.ResultsDir = "results"
	}
	dir := filepath.Join(opt.ResultsDir, spec.Name)
	journalPath, specPath := filepath.Join(dir, journal.FileName), filepath.Join(dir, journal.SpecFile)
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
	j, err := journal.Open(journalPath)
	if err != nil {
		return nil, err
	}
	return &local{Journal: j, dir: dir, claimed: map[int]bool{}}, nil
}

// sameSpec checks that the spec a sweep's directory was made with is the
// given one.
func sameSpec(path string, spec *study.Spec) error {
	src, err := os.ReadFile(path)
	var old *study.Spec
	if err == nil {
		old, err = study.ParseSpec(path, src, spec.Settings())
	}
	if err != nil {
		return fmt.Errorf("the spec kept in %s does not load (%v); run with --restart to discard the sweep", path, err)
	}
	if what := study.Diff(old, spec); what != "" {
		return &SpecChangedError{Dir: filepath.Dir(path), What: what}
	}
	return nil
}

// openStudy opens (or creates) the spec's study in storage. A shared
// storage keeps the spec its first worker stored; later ones must bring
// the same.
func openStudy(spec *study.Spec, src []byte, store storage.Storage) (*goptuna.Study, error) {
	direction := goptuna.StudyDirectionMaximize
	if spec.Metric.Minimize() {
		direction = goptuna.StudyDirectionMinimize
	}
	st, err := goptuna.CreateStudy(spec.Name, goptuna.StudyOptionStorage(store), goptuna.StudyOptionLoadIfExists(true),
		goptuna.StudyOptionDirection(direction), goptuna.StudyOptionLogger(nil), goptuna.StudyOptionDefineSearchSpace(spec.SearchSpace()))
	if err != nil {
		return nil, fmt.Errorf("opening study %s in %s: %w", spec.Name, store.Redacted(), err)
	}
	if _, ok := store.(*local); ok {
		return st, nil // its spec is the file beside the journal
	}
	stored, err := store.SetStudySystemAttrIfAbsent(st.ID, study.AttrSpec, string(src))
	if err != nil {
		return nil, err
	}
	if stored != string(src) {
		old, err := study.ParseSpec("the spec stored in "+store.Redacted(), []byte(stored), spec.Settings())
		if err != nil {
			return nil, &InputError{err}
		}
		if what := study.Diff(old, spec); what != "" {
			return nil, &InputError{&SpecChangedError{Dir: "study " + spec.Name + " in " + store.Redacted(), What: what}}
		}
	}
	return st, nil
}
