package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/internal/race"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// chaosSchedules is how many seeded fault schedules TestChaos runs: one
// by default (CI), more with CHAOS_SCHEDULES (make chaos).
func chaosSchedules() int {
	n, err := strconv.Atoi(os.Getenv("CHAOS_SCHEDULES"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// TestChaos injects faults by a seeded random schedule and checks the
// invariants after each: locally, sweep processes killed with SIGKILL at
// random moments and a second sweep run started on the same directory
// (refused while the first holds it) end with the study a clean run
// makes; shared, worker processes killed, stopped and continued past the
// grace period, and the server stopped and started, end with exactly the
// budget of trials, no number twice, one attempt per trial, and the
// trials that were taken over replaying bit for bit.
func TestChaos(t *testing.T) {
	if race.Enabled {
		t.Skip("slow under the race detector; make test runs it without")
	}
	seed, _ := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64)
	for s := range chaosSchedules() {
		rng := rand.New(rand.NewPCG(seed, uint64(s)))
		t.Run(fmt.Sprintf("local/%d", s), func(t *testing.T) { chaosLocal(t, rng) })
		t.Run(fmt.Sprintf("shared/%d", s), func(t *testing.T) { chaosShared(t, rng) })
	}
}

// child starts a sweep of smallSpec in a process of its own.
func child(t *testing.T, dir string) (*exec.Cmd, *bytes.Buffer) {
	return spawn(t, "SWEEP_TEST_CHILD_RESULTS="+dir)
}

func chaosLocal(t *testing.T, rng *rand.Rand) {
	spec := parse(t, smallSpec)
	dir := t.TempDir()
	jpath := filepath.Join(dir, spec.Name, journal.FileName)
	kills := 1 + rng.IntN(3)
	for k := range kills {
		cmd, _ := child(t, dir)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		if k == 0 { // a second run on the directory while the first holds it
			for {
				if st, err := os.Stat(jpath); err == nil && st.Size() > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			j, err := journal.Open(jpath)
			select {
			case <-done: // it finished first
			default:
				if !errors.Is(err, journal.ErrInUse) {
					t.Errorf("a second sweep run on the directory: %v", err)
				}
			}
			if err == nil {
				j.Close()
			}
		}
		before, _ := os.ReadFile(jpath)
		target := len(before) + 2000 + rng.IntN(30000) // some bytes more of journal
		for grown := false; !grown; {
			select {
			case <-done: // it finished first: nothing left to interrupt
				grown = true
			case <-time.After(time.Millisecond):
				st, err := os.Stat(jpath)
				grown = err == nil && int(st.Size()) >= target
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
	res, err := Run(context.Background(), spec, []byte(smallSpec), builtin(spec), Options{Workers: 2, ResultsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	clean, err := Run(context.Background(), spec, []byte(smallSpec), builtin(spec), Options{Workers: 1, ResultsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	diffTrials(t, fmt.Sprintf("after %d kills vs clean", kills), res.Trials, clean.Trials)
}

func chaosShared(t *testing.T, rng *rand.Rand) {
	srv := pgtest.Start(t)
	url := srv.URL("chaos")
	spec := strings.Replace(fmt.Sprintf(gridSpec, 600, 30), "min: 8, max: 17", "min: 8, max: 11", 1) // 40 trials
	const grace = 2 * time.Second
	workers := map[string]*exec.Cmd{}
	logs := map[string]*bytes.Buffer{}
	start := func(name string) {
		workers[name], logs[name] = worker(t, url, spec, name, grace)
	}
	for i := range 3 {
		start(fmt.Sprintf("w%d", i))
	}
	for e := range 4 {
		time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
		victim := fmt.Sprintf("w%d", rng.IntN(3))
		switch rng.IntN(3) {
		case 0: // killed, and a new worker in its place
			workers[victim].Process.Signal(syscall.SIGKILL)
			workers[victim].Wait()
			start(fmt.Sprintf("%s.%d", victim, e))
		case 1: // paused past the grace period
			workers[victim].Process.Signal(syscall.SIGSTOP)
			time.Sleep(grace + time.Second)
			workers[victim].Process.Signal(syscall.SIGCONT)
		case 2: // the server goes away and comes back
			srv.Stop()
			time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
			srv.Start()
		}
	}
	for name, cmd := range workers {
		if cmd.ProcessState != nil {
			continue // killed above
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker %s: %v\n%s", name, err, logs[name])
		}
	}
	trials := checkComplete(t, url, 40)
	st := open(t, url)
	spec2, _, err := study.Read(st, "shared", st.Redacted(), recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials {
		if attempt, _ := strconv.Atoi(attemptOf(t, st, tr)); attempt > 1 || tr.Number == 0 {
			_, runs, err := Replay(context.Background(), spec2, trials, tr.Number, builtin(spec2))
			if err != nil || !runs[0].Identical() {
				t.Errorf("trial %d (attempt %d) does not replay: %v", tr.Number, attempt, err)
			}
		}
	}
}

// attemptOf reads how many attempts a shared trial took.
func attemptOf(t *testing.T, st *pgstore.Store, tr study.Trial) string {
	ft, err := st.GetTrial(tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ft.SystemAttrs[study.AttrAttempt]
}
