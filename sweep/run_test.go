package sweep

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
)

// smallSpec searches with TPE and prunes with successive halving, so that
// both the sampler's and the pruner's decisions depend on earlier results.
const smallSpec = `name: small
seed: 11
data: {subset: 300, validation: 0.2}
fixed: {sizes: "784,24,10", epochs: 4, optimizer: momentum}
method: tpe
parameters:
  lr: {distribution: log_uniform_values, min: 0.001, max: 0.3}
  batch: {distribution: int_uniform, min: 4, max: 32}
  activation: {values: [relu, tanh]}
budget: {trials: 12, batch: 3}
early_terminate: {type: successive_halving, min_epochs: 1, eta: 2}
`

func parse(t testing.TB, src string) *study.Spec {
	t.Helper()
	s, err := study.ParseSpec("spec.yaml", []byte(src), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// comparable strips what may differ between runs: wall-clock times, and
// IDs (the storage's).
func comparable(trials []study.Trial) []study.Trial {
	out := study.Untimed(trials)
	for i := range out {
		out[i].ID = 0
	}
	return out
}

func diffTrials(t *testing.T, what string, a, b []study.Trial) {
	t.Helper()
	a, b = comparable(a), comparable(b)
	if len(a) != len(b) {
		t.Fatalf("%s: %d trials vs %d", what, len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Errorf("%s: trial %d differs:\n%+v\n%+v", what, i, a[i], b[i])
		}
	}
}

// TestWorkersDoNotChangeResults runs the same spec with 1, 2 and 4 workers
// (runs delayed at random, so that trials finish in any order):
// parameters, per-epoch metrics, states and values are identical, the
// confirmation stage included. Only final-stage runs measure the test
// set.
func TestWorkersDoNotChangeResults(t *testing.T) {
	spec := parse(t, smallSpec)
	var results [][]study.Trial
	for _, workers := range []int{1, 2, 4} {
		var mu sync.Mutex
		tested := map[study.Stage]int{}
		obj := ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
			mu.Lock()
			if run.Test {
				tested[run.Stage]++
			}
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			return builtin(spec).Run(ctx, run, report)
		})
		res, err := Run(context.Background(), spec, []byte(smallSpec), obj, Options{Workers: workers, ResultsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res.Trials)
		if tested[study.SearchStage] != 0 || tested[study.ConfirmStage] == 0 || tested[study.BaselineStage] != spec.Confirm.Seeds {
			t.Errorf("runs that measured the test set, by stage: %v", tested)
		}
	}
	diffTrials(t, "1 vs 2 workers", results[0], results[1])
	diffTrials(t, "1 vs 4 workers", results[0], results[2])
	if n := len(results[0]); n <= 12 || results[0][n-1].Stage != study.BaselineStage {
		t.Errorf("%d trials: want the 12 searched and their confirmation, the baseline last", n)
	}
	states := study.Counts(results[0])
	if !strings.Contains(states, "pruned") || !strings.Contains(states, "complete") {
		t.Errorf("want both complete and pruned trials to exercise the pruner, got %s", states)
	}
	t.Log(states)
}

// TestFoldsPruneAndRepeat: cross-validated trials (3 folds each) pruned
// per fold give the same study with 1 and 2 workers; each trial's value is
// the mean of its folds' last epochs.
func TestFoldsPruneAndRepeat(t *testing.T) {
	src := strings.Replace(smallSpec, "data: {subset: 300, validation: 0.2}", "data: {subset: 300, folds: 3}\nconfirm: false", 1)
	spec := parse(t, src)
	var results [][]study.Trial
	for _, workers := range []int{1, 2} {
		res, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: workers, ResultsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res.Trials)
	}
	diffTrials(t, "folds, 1 vs 2 workers", results[0], results[1])
	for _, tr := range results[0] {
		if len(tr.Runs) != 3 {
			t.Fatalf("trial %d: %d runs, want 3 folds", tr.Number, len(tr.Runs))
		}
		if tr.State == study.Complete {
			var sum float64
			for _, run := range tr.Runs {
				sum += run[len(run)-1].ValAccuracy
			}
			if math.Abs(tr.Value-sum/3) > 1e-12 {
				t.Errorf("trial %d: value %v, mean of folds %v", tr.Number, tr.Value, sum/3)
			}
		}
	}
	if c := study.Counts(results[0]); !strings.Contains(c, "pruned") {
		t.Errorf("nothing pruned: %s", c)
	}
}

// TestMain lets the resume test run a sweep in a child process it can kill.
func TestMain(m *testing.M) {
	if url := os.Getenv("SWEEP_TEST_CHILD_STORAGE"); url != "" {
		src := os.Getenv("SWEEP_TEST_CHILD_SPEC")
		grace, _ := time.ParseDuration(os.Getenv("SWEEP_TEST_CHILD_GRACE"))
		spec, err := study.ParseSpec("spec.yaml", []byte(src), recipe.Table)
		if err == nil {
			var st *pgstore.Store
			if st, err = pgstore.Open(context.Background(), url, pgstore.Options{OnRetry: func(op string, err error, wait time.Duration) {
				fmt.Fprintf(os.Stderr, "storage unavailable while %s (%v); retrying in %v\n", op, err, wait)
			}}); err == nil {
				_, err = Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 1, Storage: st, Progress: os.Stderr,
					Worker: os.Getenv("SWEEP_TEST_CHILD_WORKER"), Grace: grace})
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if dir := os.Getenv("SWEEP_TEST_CHILD_RESULTS"); dir != "" {
		src := cmp.Or(os.Getenv("SWEEP_TEST_CHILD_SPEC"), smallSpec)
		spec, err := study.ParseSpec("spec.yaml", []byte(src), recipe.Table)
		if err == nil {
			_, err = Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 2, ResultsDir: dir})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestResumeAfterKill kills a sweep process with SIGKILL while trials are
// running, runs it again, and checks that every trial exists exactly once,
// finished, with the same results as a sweep never interrupted.
func TestResumeAfterKill(t *testing.T) {
	// Kill once some search trials have finished and before all have;
	// then during the confirmation stage, some of its runs recorded.
	t.Run("search", func(t *testing.T) {
		killAndResume(t, smallSpec, func(jpath string) bool { return strings.Count(jpath, `"op":"state"`) >= 4 })
	})
	t.Run("confirmation", func(t *testing.T) {
		killAndResume(t, smallSpec, func(jpath string) bool {
			_, after, ok := strings.Cut(jpath, study.AttrFinal)
			return ok && strings.Count(after, `"name":"sweep:epoch`) >= 6
		})
	})
}

// killAndResume runs spec src in a child process, kills it with SIGKILL
// when the journal says so, resumes, and compares with a clean run.
func killAndResume(t *testing.T, src string, when func(jpath string) bool) {
	spec := parse(t, src)
	dir := t.TempDir()
	jpath := filepath.Join(dir, spec.Name, journal.FileName)
	cmd, _ := spawn(t, "SWEEP_TEST_CHILD_RESULTS="+dir, "SWEEP_TEST_CHILD_SPEC="+src)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := os.ReadFile(jpath)
		if when(string(b)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child sweep did not get there")
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	j, err := journal.Open(jpath)
	if err != nil {
		t.Fatal(err)
	}
	before, err := spec.ReadTrials(j, 1)
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with %s", study.Counts(before))

	res, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 2, ResultsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range res.Trials {
		if tr.Number != i || tr.State == study.Running {
			t.Errorf("trial %d: number %d, state %s", i, tr.Number, tr.State)
		}
	}
	// Finished trials are kept as they were.
	for _, b := range before {
		if b.State != study.Running {
			diffTrials(t, "kept trial", []study.Trial{b}, []study.Trial{res.Trials[b.Number]})
		}
	}
	clean, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 1, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	diffTrials(t, "resumed vs uninterrupted", res.Trials, clean.Trials)
}

func TestChangedSpecIsRefused(t *testing.T) {
	dir := t.TempDir()
	src := strings.Replace(smallSpec, "trials: 12", "trials: 2", 1)
	if _, err := Run(context.Background(), parse(t, src), []byte(src), builtin(parse(t, src)), Options{ResultsDir: dir}); err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(src, "trials: 2", "trials: 3", 1)
	_, err := Run(context.Background(), parse(t, changed), []byte(changed), builtin(parse(t, changed)), Options{ResultsDir: dir})
	var ie *InputError
	want := filepath.Join(dir, "small") + ` holds a sweep run with a different spec (budget.trials was 2, is now 3); run with --restart to discard it, or give the sweep another name`
	if !errors.As(err, &ie) || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	res, err := Run(context.Background(), parse(t, changed), []byte(changed), builtin(parse(t, changed)), Options{ResultsDir: dir, Restart: true})
	if err != nil || len(res.Trials) != 3+4 || res.Trials[3].Stage != study.ConfirmStage {
		t.Fatalf("restart: %v, %d trials; want 3 and the confirmation of the 3 and of the baseline", err, len(res.Trials))
	}
	// The same spec again resumes a finished sweep: nothing to do.
	again, err := Run(context.Background(), parse(t, changed), []byte(changed), builtin(parse(t, changed)), Options{ResultsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	diffTrials(t, "rerun of a finished sweep", res.Trials, again.Trials)
}

const failSpec = `name: fail
data: {subset: 100}
fixed: {sizes: "784,8,10", epochs: 3}
method: grid
parameters:
  lr: {values: [0.01, 0.02, 0.03, 0.04]}
budget: {batch: 4, trial_timeout: 50ms, max_failed: 4}
`

// fake trains nothing: by learning rate it completes, panics, fails or
// hangs until its context ends.
var fake = ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	switch run.Params[0].Value {
	case 0.02:
		panic("boom")
	case 0.03:
		return errors.New("training diverged: loss is NaN in epoch 1 at example 0 (learning rate 0.03)")
	case 0.04:
		<-ctx.Done()
		return fmt.Errorf("training stopped in epoch 1: %w", ctx.Err())
	}
	for e := 1; e <= 3; e++ {
		if err := report(study.Epoch{Epoch: e, ValAccuracy: float64(e) / 10}); err != nil {
			return err
		}
	}
	return nil
})

func TestFailedTrials(t *testing.T) {
	spec := parse(t, failSpec)
	res, err := Run(context.Background(), spec, []byte(failSpec), fake, Options{ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		state  study.State
		reason string
	}{
		{study.Complete, ""},
		{study.Failed, "panic: boom"},
		{study.Failed, "training diverged: loss is NaN in epoch 1 at example 0 (learning rate 0.03)"},
		{study.Failed, "exceeded budget.trial_timeout 50ms in epoch 1"},
	}
	for i, w := range want {
		if tr := res.Trials[i]; tr.State != w.state || tr.Reason != w.reason {
			t.Errorf("trial %d: %s %q, want %s %q", i, tr.State, tr.Reason, w.state, w.reason)
		}
	}
	if v := res.Trials[0].Value; v != 0.3 || len(res.Trials[0].Runs[0]) != 3 {
		t.Errorf("complete trial: value %v, %d epochs", v, len(res.Trials[0].Runs[0]))
	}

	// With max_failed 3 the sweep stops after the batch, saying why.
	src := strings.Replace(failSpec, "max_failed: 4", "max_failed: 3", 1)
	dir := t.TempDir()
	for range 2 { // the rerun stops at once, starting nothing
		res, err = Run(context.Background(), parse(t, src), []byte(src), fake, Options{ResultsDir: dir})
		if !errors.Is(err, ErrTooManyFailures) || err.Error() != "too many failed trials: 3 trials failed (budget.max_failed: 3); the last: trial 3: exceeded budget.trial_timeout 50ms in epoch 1" {
			t.Errorf("got %v", err)
		}
		if res == nil || len(res.Trials) != 4 {
			t.Error("the trials of a stopped sweep must be reported")
		}
	}
}

// TestStopStartsNothingNew: a closed Stop channel lets the sweep end
// cleanly, its trials left to a later run.
func TestStopStartsNothingNew(t *testing.T) {
	spec := parse(t, failSpec)
	stop := make(chan struct{})
	close(stop)
	dir := t.TempDir()
	res, err := Run(context.Background(), spec, []byte(failSpec), fake, Options{ResultsDir: dir, Stop: stop})
	if err != nil || !res.Stopped || len(res.Trials) != 0 {
		t.Fatalf("err %v, stopped %v, %d trials", err, res.Stopped, len(res.Trials))
	}
}

// TestRealDifferenceIsReported: lr 0.0001 against 0.01, one seed each on
// the notebook's 200 validation images: the gap is far outside the noise,
// and the report does not call them tied.
func TestRealDifferenceIsReported(t *testing.T) {
	src := "name: gap\nseed: 1\nfixed: {epochs: 5, batch: 16, dtype: float32}\nmethod: grid\nparameters:\n  lr: {values: [0.0001, 0.01]}\n"
	spec := parse(t, src)
	res, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	r := report.Analyze(spec, res.Trials)
	best, other := r.Ranked[0], r.Ranked[1]
	if best.Params[0].Value != 0.01 || other.Tied || best.Interval.Kind != "wilson" {
		t.Errorf("best %v %.3f [%.3f, %.3f], other %v %.3f [%.3f, %.3f] tied %v", best.Params[0].Value, best.Mean, best.Interval.Low, best.Interval.High,
			other.Params[0].Value, other.Mean, other.Interval.Low, other.Interval.High, other.Tied)
	}
	if strings.Contains(r.Answer, "cannot tell them apart") {
		t.Errorf("answer: %s", r.Answer)
	}
}

// TestTinyGrace: a grace period of a nanosecond does not make the
// heartbeat's ticker panic.
func TestTinyGrace(t *testing.T) {
	spec := parse(t, failSpec)
	if _, err := Run(context.Background(), spec, []byte(failSpec), fake, Options{ResultsDir: t.TempDir(), Grace: time.Nanosecond}); err != nil {
		t.Fatal(err)
	}
}
