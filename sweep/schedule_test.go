package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/study"
)

// TestNoBatchBarrier: with budget.batch 3 and 2 workers, while trial 2
// runs long, trials 3 and 4 (blind to it: their horizons are 1 and 2) run
// and finish beside it — no barrier after trial 2's batch — and trial 5,
// whose horizon includes trial 2, does not start until trial 2 has
// finished.
func TestNoBatchBarrier(t *testing.T) {
	src := "name: window\nseed: 3\nmethod: grid\nconfirm: false\nparameters:\n  lr: {values: [1, 2, 3, 4, 5, 6]}\nbudget: {batch: 3}\n"
	spec := parse(t, src)
	release := make(chan struct{})
	var mu sync.Mutex
	var events []string
	log := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	obj := ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
		if run.Stage != study.SearchStage {
			return report(study.Epoch{Epoch: 1, ValAccuracy: 0.5})
		}
		log("start " + fmt.Sprint("lr=", run.Params[0].Value))
		if run.Number == 2 {
			<-release
		}
		log("end " + fmt.Sprint("lr=", run.Params[0].Value))
		return report(study.Epoch{Epoch: 1, ValAccuracy: float64(run.Number) / 10})
	})
	done := make(chan error)
	go func() {
		_, err := Run(context.Background(), spec, []byte(src), obj, Options{Workers: 2, ResultsDir: t.TempDir()})
		done <- err
	}()
	seen := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(events, ", ") }
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(seen(), "end lr=5") {
		if time.Now().After(deadline) {
			t.Fatalf("trials 3 and 4 did not run beside trial 2: %s", seen())
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // time enough for a wrongly started trial 5
	if got := seen(); strings.Contains(got, "lr=6") || strings.Contains(got, "end lr=3") {
		t.Errorf("trial 5 started before trial 2 ended: %s", got)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := seen()
	if i, j := strings.Index(got, "end lr=3"), strings.Index(got, "start lr=6"); i < 0 || j < i {
		t.Errorf("trial 5 must start after trial 2 ends: %s", got)
	}
}

// TestAlignedStudyIsNotResumed: a study whose search was begun under the
// aligned-batch rule (no sweep:window mark) is refused mid-search, naming
// --restart; once its search is finished it is read as it is.
func TestAlignedStudyIsNotResumed(t *testing.T) {
	src := "name: aligned\nseed: 3\nmethod: grid\nconfirm: false\nparameters:\n  lr: {values: [1, 2, 3, 4]}\nbudget: {batch: 2}\n"
	spec := parse(t, src)
	obj := ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
		return report(study.Epoch{Epoch: 1, ValAccuracy: 0.5})
	})
	for _, stopAfter := range []int{2, -1} {
		dir := t.TempDir()
		stop := make(chan struct{})
		var once sync.Once
		stopping := ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
			if run.Number+1 == stopAfter {
				once.Do(func() { close(stop) })
			}
			return obj(ctx, run, report)
		})
		if _, err := Run(context.Background(), spec, []byte(src), stopping, Options{Workers: 1, ResultsDir: dir, Stop: stop}); err != nil {
			t.Fatal(err)
		}
		journal := filepath.Join(dir, spec.Name, journal.FileName)
		b, err := os.ReadFile(journal)
		if err != nil || !strings.Contains(string(b), attrWindow) {
			t.Fatalf("the study is not marked: %v", err)
		}
		var kept []string
		for _, line := range strings.SplitAfter(string(b), "\n") {
			if !strings.Contains(line, attrWindow) {
				kept = append(kept, line)
			}
		}
		if err := os.WriteFile(journal, []byte(strings.Join(kept, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Run(context.Background(), spec, []byte(src), obj, Options{Workers: 1, ResultsDir: dir})
		var input *InputError
		if stopAfter > 0 && (!errors.As(err, &input) || !strings.Contains(err.Error(), "run with --restart")) {
			t.Errorf("mid-search: %v, want an input error naming --restart", err)
		}
		if stopAfter < 0 && err != nil {
			t.Errorf("finished search: %v", err)
		}
	}
}

// TestSettled: the window rule's question about a local journal, answered
// from the trials ended since it was last asked, with trials ending out
// of order; and the pruner's curves below a horizon, those of the
// completed and pruned trials (not of a failed one), a prefix for a lower
// horizon.
func TestSettled(t *testing.T) {
	src := "name: s\nseed: 3\nmethod: grid\nconfirm: false\nparameters:\n  lr: {values: [0.1, 0.2, 0.3, 0.4]}\nbudget: {batch: 2}\n" +
		"early_terminate: {type: successive_halving, min_epochs: 1, eta: 2}\n"
	spec := parse(t, src)
	j, err := journal.Open(filepath.Join(t.TempDir(), journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	l := &local{Journal: j, claimed: map[int]bool{}}
	st, err := goptuna.CreateStudy(spec.Name, goptuna.StudyOptionStorage(l), goptuna.StudyOptionLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{spec: spec, storage: l, study: st, reader: study.NewReader(spec), pruner: newPruner(spec.EarlyTerminate)}
	prm := spec.Parameters[0]
	for n := range 4 {
		id, _ := j.CreateNewTrial(st.ID)
		j.SetTrialParam(id, prm.Name, float64(n), prm.GoptunaDistribution())
		j.SetTrialSystemAttr(id, study.AttrAttempt, "1")
		j.SetTrialUserAttr(id, study.EpochKey(1, 0, 1), fmt.Sprintf(`{"epoch": 1, "val_accuracy": 0.%d}`, n))
	}
	want := func(h int, finished bool) {
		t.Helper()
		if got, err := e.settled.advance(e, h); err != nil || got != finished {
			t.Errorf("advance(%d) = %v, %v; want %v", h, got, err, finished)
		}
	}
	j.SetTrialState(1, goptuna.TrialStateComplete)
	j.SetTrialState(2, goptuna.TrialStatePruned)
	want(0, true)
	want(1, false)
	want(3, false)
	if _, err := e.settled.below(e, 3, 0); err == nil || err.Error() != "trial 0 is below a horizon of 3 and has not ended: the window rule does not hold" {
		t.Errorf("curves below an unfinished trial: %v", err)
	}
	j.SetTrialState(0, goptuna.TrialStateFail)
	want(3, true)
	want(4, false)
	j.SetTrialState(3, goptuna.TrialStateComplete)
	want(4, true)
	want(2, true)
	// Trial 0 failed: it has no curve.
	for h, from := range [][]int{{}, {}, {1}, {1, 2}, {1, 2, 3}} {
		curves, err := e.settled.below(e, h, 0)
		if err != nil || len(curves) != len(from) {
			t.Fatalf("below(%d): %d curves, %v; want %d", h, len(curves), err, len(from))
		}
		for i, c := range curves {
			n := from[i]
			if want := float64(n) / 10; c.scores[1] != want || c.complete != (n != 2) {
				t.Errorf("below(%d): trial %d's curve %+v, want score %v", h, n, c, want)
			}
		}
	}
}

// TestLocalReadsEachTrialOnce: a local sweep, some of whose trials fail,
// reads, per trial, the trial it begins and, once, each trial that comes
// below a horizon (whether it has ended, and what the pruner compares
// with), not the whole study: the records its journal
// hands out grow with the number of trials, not with its square (reading
// the study per trial, 200 trials cost over 20,000).
func TestLocalReadsEachTrialOnce(t *testing.T) {
	const trials = 200
	src := fmt.Sprintf("name: reads\nseed: 3\nmethod: random\nconfirm: false\nparameters:\n  lr: {distribution: uniform, min: 0.01, max: 1}\n"+
		"budget: {trials: %d, batch: 4, max_failed: %d}\nearly_terminate: {type: successive_halving, min_epochs: 1, eta: 2}\n", trials, trials)
	spec := parse(t, src)
	obj := ObjectiveFunc(func(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
		lr := run.Params[0].Value.(float64)
		if run.Number%17 == 5 {
			return errors.New("a failure")
		}
		for ep := 1; ep <= 4; ep++ {
			if err := report(study.Epoch{Epoch: ep, ValAccuracy: lr * float64(ep) / 4}); err != nil {
				return err
			}
		}
		return nil
	})
	e, err := newEngine(spec, []byte(src), obj, Options{Workers: 2, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.local.Close()
	res, err := e.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	count := map[study.State]int{}
	for _, tr := range res.Trials {
		count[tr.State]++
	}
	if len(res.Trials) != trials+1 || count[study.Pruned] == 0 || count[study.Failed] != 12 { // the search's, and the test-set trial
		t.Fatalf("%d trials, %v: want %d, some pruned, 12 failed", len(res.Trials), count, trials+1)
	}
	if n := e.local.TrialsRead(); n > 20*trials {
		t.Errorf("the journal handed out %d trial records for %d trials, want at most %d", n, trials, 20*trials)
	}
}
