package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// TestMain lets TestCtrlC run the real command, signal handling included,
// in a child process.
func TestMain(m *testing.M) {
	recipe.TorchScript = "../../examples/torch_mnist/train.py" // tests run in cmd/sweep
	if len(os.Args) > 1 && os.Args[1] == "--sweep-test-program" {
		testProgram() // a command trial's program (command_test.go)
		os.Exit(0)
	}
	if len(os.Args) > 1 && os.Args[1] == "--sweep-gpu-program" {
		gpuProgram() // a program that records its GPUs and times (gpus_test.go)
		os.Exit(0)
	}
	if args := os.Getenv("SWEEP_CLI_CHILD_ARGS"); args != "" {
		os.Args = append([]string{"sweep"}, strings.Split(args, "\n")...)
		main()
	}
	os.Exit(m.Run())
}

const slowSpec = `name: slow
seed: 3
data: {subset: 400}
fixed: {sizes: "784,32,10", epochs: 20}
method: grid
parameters:
  lr: {values: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]}
budget: {batch: 2}
`

// sweepProcess starts `sweep run` in a child process.
func sweepProcess(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SWEEP_CLI_CHILD_ARGS="+strings.Join(args, "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// finished counts the trials the journal records as ended.
func finished(jpath string) int {
	b, _ := os.ReadFile(jpath)
	return strings.Count(string(b), `"op":"state"`)
}

// waitFinished waits until the journal records more ended trials than
// before.
func waitFinished(t *testing.T, jpath string, before int) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if finished(jpath) > before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the sweep finished no trial")
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestCtrlC: the first Ctrl-C lets running trials finish and starts no
// new one; the second cancels running trials; either way the state is
// saved, the exit status is 130, and the same command resumes to the end.
func TestCtrlC(t *testing.T) {
	results := t.TempDir()
	spec := writeSpec(t, slowSpec)
	jpath := filepath.Join(results, "slow", journal.FileName)
	args := []string{"run", "--workers", "1", "--results", results, spec}
	load := func() []study.Trial {
		_, trials, err := journal.Load(filepath.Join(results, "slow"), recipe.Table)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trials {
			if tr.State == study.Complete && tr.Epochs() != 20 || tr.State == study.Failed {
				t.Errorf("trial %d: %s after %d epochs", tr.Number, tr.State, tr.Epochs())
			}
		}
		return trials
	}
	complete := func(trials []study.Trial) int {
		n := 0
		for _, tr := range trials {
			if tr.State == study.Complete {
				n++
			}
		}
		return n
	}

	// One Ctrl-C once trials have finished: the running one finishes, no
	// other starts (an unfinished trial has no epoch recorded).
	cmd, stderr := sweepProcess(t, args...)
	waitFinished(t, jpath, 0)
	cmd.Process.Signal(os.Interrupt)
	if code := exitCode(cmd.Wait()); code != 130 || !strings.Contains(stderr.String(), "interrupted; run the same command again to resume") {
		t.Fatalf("first Ctrl-C: exit %d\n%s", code, stderr)
	}
	trials := load()
	for _, tr := range trials {
		if tr.State == study.Running && tr.Epochs() != 0 {
			t.Errorf("trial %d was cut short after %d epochs by a single Ctrl-C", tr.Number, tr.Epochs())
		}
	}
	if complete(trials) == 6 {
		t.Error("a single Ctrl-C did not stop the sweep early")
	}

	// Two Ctrl-Cs: running trials are cancelled and left to rerun.
	cmd, stderr = sweepProcess(t, args...)
	waitFinished(t, jpath, finished(jpath))
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(cmd.Wait()); code != 130 {
		t.Fatalf("second Ctrl-C: exit %d\n%s", code, stderr)
	}
	if complete(load()) == 6 {
		t.Error("two Ctrl-Cs did not stop the sweep early")
	}

	// The same command finishes the sweep.
	cmd, stderr = sweepProcess(t, args...)
	if code := exitCode(cmd.Wait()); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	if c := study.Counts(load()); c != "7 trials: 7 complete" {
		t.Errorf("after resuming: %s", c)
	}
}

// TestSecondRunIsRefused: a sweep run on a directory another sweep run is
// writing is refused, exit status 1, and the first goes on unharmed.
func TestSecondRunIsRefused(t *testing.T) {
	results := t.TempDir()
	spec := writeSpec(t, strings.Replace(slowSpec, "epochs: 20", "epochs: 300", 1)) // long enough to outlast the second's start
	jpath := filepath.Join(results, "slow", journal.FileName)
	first, _ := sweepProcess(t, "run", "--workers", "1", "--results", results, spec)
	for {
		if b, _ := os.ReadFile(jpath); strings.Contains(string(b), "sweep:epoch") {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	code, _, errOut := cli("run", "--workers", "1", "--results", results, spec)
	if code != 1 || !strings.Contains(errOut, "in use by another sweep run") {
		t.Errorf("second run: exit %d: %s", code, errOut)
	}
	first.Process.Signal(os.Interrupt) // stop it: its journal is sound
	first.Process.Signal(os.Interrupt)
	first.Wait()
	if _, _, err := journal.Load(filepath.Join(results, "slow"), recipe.Table); err != nil {
		t.Errorf("the first run's journal: %v", err)
	}
}
