package sweep

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// gridSpec is a 100-point grid of tiny trials.
const gridSpec = `name: shared
seed: 5
data: {subset: %d}
fixed: {sizes: "784,8,10", epochs: %d}
method: grid
parameters:
  lr: {values: [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.2]}
  batch: {distribution: int_uniform, min: 8, max: 17}
budget: {batch: 2, max_failed: 3}
`

// worker starts a worker process on the shared study.
func worker(t *testing.T, url, spec, name string, grace time.Duration) (*exec.Cmd, *bytes.Buffer) {
	return spawn(t, "SWEEP_TEST_CHILD_STORAGE="+url, "SWEEP_TEST_CHILD_SPEC="+spec,
		"SWEEP_TEST_CHILD_WORKER="+name, "SWEEP_TEST_CHILD_GRACE="+grace.String())
}

// spawn starts this test binary as a child sweep process (see TestMain)
// with the given environment, its stderr kept.
func spawn(t *testing.T, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// checkComplete checks that the study holds exactly n search trials,
// numbered 0…n-1, and the final stage's one (the grid has no
// confirmation: the best trial trained again), all complete with their
// history, no configuration twice in the search.
func checkComplete(t *testing.T, url string, n int) []study.Trial {
	t.Helper()
	trials := load(t, url)
	if len(trials) != n+1 || trials[n].Stage != study.TestStage {
		t.Fatalf("%d trials (the last %q), want %d and the final stage's", len(trials), trials[len(trials)-1].Stage, n)
	}
	configs := map[string]int{}
	for i, tr := range trials {
		if tr.Stage != study.SearchStage {
			if tr.State != study.Complete || tr.Runs[0][len(tr.Runs[0])-1].TestAccuracy == 0 {
				t.Errorf("final trial %d: %s, no test figures", i, tr.State)
			}
			continue
		}
		if tr.Number != i || tr.State != study.Complete || len(tr.Runs[0]) == 0 {
			t.Errorf("trial %d: number %d, %s, %d epochs recorded", i, tr.Number, tr.State, len(tr.Runs[0]))
		}
		key := fmt.Sprint(tr.Params)
		if prev, ok := configs[key]; ok {
			t.Errorf("trials %d and %d both ran %s", prev, i, key)
		}
		configs[key] = i
	}
	return trials
}

// waitFor polls the study until cond holds of its trials.
func waitFor(t *testing.T, url string, what string, cond func([]goptuna.FrozenTrial) bool) {
	t.Helper()
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if id, err := st.GetStudyIDFromName("shared"); err == nil {
			if trials, err := st.GetAllTrials(id); err == nil && cond(trials) {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestFourWorkers: 4 worker processes on one study of 100 trials end with
// exactly 100 complete trials, distinct numbers and configurations.
func TestFourWorkers(t *testing.T) {
	url := pgtest.Start(t).URL("four")
	spec := fmt.Sprintf(gridSpec, 100, 3)
	var cmds []*exec.Cmd
	var logs []*bytes.Buffer
	for w := range 4 {
		cmd, log := worker(t, url, spec, fmt.Sprintf("w%d", w), time.Minute)
		cmds, logs = append(cmds, cmd), append(logs, log)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, logs[i])
		}
	}
	checkComplete(t, url, 100)
	// The work was shared (a worker that starts last may find the budget
	// spent, so not necessarily by all four).
	busy := 0
	for _, log := range logs {
		if strings.Contains(log.String(), " complete: ") {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("only %d of 4 workers ran trials", busy)
	}
}

// TestKilledWorkersTrialIsRerun: a worker killed with SIGKILL in the
// middle of a trial; after the grace period another takes the trial over
// with the same parameters and seed, and the study ends complete.
func TestKilledWorkersTrialIsRerun(t *testing.T) {
	url := pgtest.Start(t).URL("kill")
	// 20 trials of 80 epochs, a fraction of a second each: long enough
	// for the poll below to catch the victim early in one.
	spec := strings.Replace(fmt.Sprintf(gridSpec, 800, 80), "min: 8, max: 17", "min: 8, max: 9", 1)
	victim, _ := worker(t, url, spec, "victim", 2*time.Second)
	survivor, log := worker(t, url, spec, "survivor", 2*time.Second)
	// Kill the victim in the middle of a trial: one it has begun and not
	// yet sent an epoch of (a worker sends a trial's epoch records once a
	// second, or with its heartbeat), so early that it cannot finish the
	// trial's 80 epochs before the kill lands.
	waitFor(t, url, "the victim to be mid-trial", func(trials []goptuna.FrozenTrial) bool {
		for _, ft := range trials {
			epochs := 0
			for k := range ft.UserAttrs {
				if strings.HasPrefix(k, "sweep:epoch") {
					epochs++
				}
			}
			if ft.State == goptuna.TrialStateRunning && ft.SystemAttrs[study.AttrAttempt] != "" && epochs == 0 && workerOf(t, url, ft.ID) == "victim" {
				return true
			}
		}
		return false
	})
	victim.Process.Signal(syscall.SIGKILL)
	victim.Wait()
	if err := survivor.Wait(); err != nil {
		t.Fatalf("survivor: %v\n%s", err, log)
	}
	checkComplete(t, url, 20)
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := st.GetStudyIDFromName("shared")
	all, _ := st.GetAllTrials(id)
	taken := 0
	for _, ft := range all {
		for k, v := range ft.SystemAttrs {
			if strings.HasPrefix(k, study.AttrStale) && strings.Contains(v, "worker victim stopped beating; taken over by survivor") {
				taken++
			}
		}
	}
	if taken == 0 {
		t.Errorf("no trial of the killed worker was taken over")
	}
	t.Logf("%d trial(s) taken over from the killed worker", taken)
}

// TestServerOutage: the server stops mid-sweep and starts again; the
// workers report the outage, retry, and finish without losing a trial.
func TestServerOutage(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.URL("outage")
	spec := fmt.Sprintf(gridSpec, 200, 10) // 100 trials, several seconds in all
	a, logA := worker(t, url, spec, "a", time.Minute)
	b, logB := worker(t, url, spec, "b", time.Minute)
	waitFor(t, url, "some trials to finish", func(trials []goptuna.FrozenTrial) bool {
		done := 0
		for _, ft := range trials {
			if ft.State == goptuna.TrialStateComplete {
				done++
			}
		}
		return done >= 4
	})
	srv.Stop()
	time.Sleep(2 * time.Second)
	srv.Start()
	for _, w := range []struct {
		cmd *exec.Cmd
		log *bytes.Buffer
	}{{a, logA}, {b, logB}} {
		if err := w.cmd.Wait(); err != nil {
			t.Fatalf("worker: %v\n%s", err, w.log)
		}
	}
	checkComplete(t, url, 100)
	if !strings.Contains(logA.String()+logB.String(), "storage unavailable while ") {
		t.Error("no worker reported the outage")
	}
}

// TestSharedReportMatchesLocal: the same sweep run locally and in
// PostgreSQL gives the same ranked table.
func TestSharedReportMatchesLocal(t *testing.T) {
	url := pgtest.Start(t).URL("same")
	src := strings.Replace(fmt.Sprintf(gridSpec, 100, 2), "max: 17", "max: 9", 1)
	spec := parse(t, src)
	local, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 2, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	st := open(t, url)
	reads := &studyReads{Store: st}
	if _, err := Run(context.Background(), spec, []byte(src), builtin(spec), Options{Workers: 2, Storage: reads}); err != nil {
		t.Fatal(err)
	}
	shared := load(t, url)
	// Without a pruner, a worker reads the trials it begins, not the study.
	if reads.n >= len(shared)/2 {
		t.Errorf("the study was read %d times for %d trials", reads.n, len(shared))
	}
	a, _ := json.Marshal(study.Ranked(spec, comparable(local.Trials)))
	b, _ := json.Marshal(study.Ranked(spec, comparable(shared)))
	if !bytes.Equal(a, b) {
		t.Errorf("local and shared rankings differ:\n%s\n%s", a, b)
	}
	// A worker with another spec is refused.
	other := strings.Replace(src, "seed: 5", "seed: 6", 1)
	_, err = Run(context.Background(), parse(t, other), []byte(other), builtin(parse(t, other)), Options{Storage: st})
	if err == nil || !strings.Contains(err.Error(), "holds a sweep run with a different spec (seed was 5, is now 6)") {
		t.Errorf("mismatched spec: %v", err)
	}
	// The first worker's grace period is the study's.
	id, _ := st.GetStudyIDFromName("shared")
	if attrs, _ := st.GetStudySystemAttrs(id); attrs["sweep:grace"] != DefaultGrace.String() {
		t.Errorf("grace kept as %q", attrs["sweep:grace"])
	}
	// --restart refuses while a live worker runs a trial of the study.
	if _, _, _, err := st.CreateTrialWithin(id, -1, "live"); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), spec, []byte(src), builtin(spec), Options{Storage: st, Restart: true})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "has a trial running on a live worker") {
		t.Errorf("restart under a live worker: %v", err)
	}
}

// studyReads counts the reads of a whole study.
type studyReads struct {
	*pgstore.Store
	n int
}

func (s *studyReads) GetAllTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	s.n++
	return s.Store.GetAllTrials(studyID)
}

// trialsOf reads the shared study's trials as stored.
func trialsOf(t *testing.T, url string) []goptuna.FrozenTrial {
	st := open(t, url)
	id, err := st.GetStudyIDFromName("shared")
	if err != nil {
		t.Fatal(err)
	}
	trials, err := st.GetAllTrials(id)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// workerOf reads which worker holds a trial.
func workerOf(t *testing.T, url string, id int) string {
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var w string
	db.QueryRow(`SELECT worker FROM trials WHERE id = $1`, id).Scan(&w)
	return w
}

// open opens the study storage at url for the test.
func open(t *testing.T, url string) *pgstore.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// load reads the shared study's trials.
func load(t *testing.T, url string) []study.Trial {
	t.Helper()
	st := open(t, url)
	_, trials, err := study.Read(st, "shared", st.Redacted(), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// TestPausedWorkerIsFenced: a worker stopped (SIGSTOP) longer than the
// grace period has its trial taken over; continued, it finds its attempt
// fenced off, abandons the trial quietly and ends normally. Every trial
// holds one attempt's record, which replays bit for bit.
func TestPausedWorkerIsFenced(t *testing.T) {
	url := pgtest.Start(t).URL("pause")
	spec := strings.Replace(fmt.Sprintf(gridSpec, 800, 80), "min: 8, max: 17", "min: 8, max: 9", 1)
	zombie, zlog := worker(t, url, spec, "zombie", 2*time.Second)
	survivor, slog := worker(t, url, spec, "survivor", 2*time.Second)
	// Stop the zombie while it runs a trial: stop it, and if it had just
	// finished its trials, let it go on a moment and try again.
	var victim int
	for try := 0; victim == 0; try++ {
		if try == 50 {
			t.Fatal("never caught the zombie mid-trial")
		}
		waitFor(t, url, "the zombie to run a trial", func(trials []goptuna.FrozenTrial) bool {
			for _, ft := range trials {
				if ft.State == goptuna.TrialStateRunning && len(ft.UserAttrs) > 0 {
					return true
				}
			}
			return false
		})
		zombie.Process.Signal(syscall.SIGSTOP)
		for _, ft := range trialsOf(t, url) {
			if ft.State == goptuna.TrialStateRunning && workerOf(t, url, ft.ID) == "zombie" {
				victim = ft.ID
			}
		}
		if victim == 0 {
			zombie.Process.Signal(syscall.SIGCONT)
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(t, url, "the survivor to take the trial over", func([]goptuna.FrozenTrial) bool { return workerOf(t, url, victim) == "survivor" })
	time.Sleep(500 * time.Millisecond)
	zombie.Process.Signal(syscall.SIGCONT)
	if err := survivor.Wait(); err != nil {
		t.Fatalf("survivor: %v\n%s", err, slog)
	}
	if err := zombie.Wait(); err != nil {
		t.Fatalf("zombie: %v\n%s", err, zlog)
	}
	trials := checkComplete(t, url, 20)
	st := open(t, url)
	spec2, _, err := study.Read(st, "shared", st.Redacted(), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials {
		if tr.ID != victim {
			continue
		}
		if tr.Epochs() != 80 {
			t.Errorf("taken-over trial %d: %d epochs recorded", tr.Number, tr.Epochs())
		}
		_, runs, err := Replay(context.Background(), spec2, trials, tr.Number, builtin(spec2))
		if err != nil || !runs[0].Identical() {
			t.Errorf("trial %d does not replay: %v", tr.Number, err)
		}
	}
}
