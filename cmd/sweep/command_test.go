package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// accuracy is what the test program reports: a deterministic function of
// its arguments, seed and epoch, peaked at lr 0.01.
func accuracy(lr float64, width int, seed uint64, epoch int) float64 {
	return 0.9 - math.Abs(math.Log10(lr)+2)/10 + float64(width)/10000 + float64(seed%1000)/1e6 - 0.3/float64(epoch)
}

// testProgram is a training program as a command sweep runs it: flags in,
// one JSON line per epoch out, log lines and garbage between.
func testProgram() {
	var lr float64
	var width int
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--lr="); ok {
			lr, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(a, "--width="); ok {
			width, _ = strconv.Atoi(v)
		}
	}
	seed, _ := strconv.ParseUint(os.Getenv("SWEEP_SEED"), 10, 64)
	if dir := os.Getenv("SWEEP_TRIAL_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("pid-%d", os.Getpid())), nil, 0o644)
	}
	fmt.Println("training with", os.Args[1:])
	pause := 2 * time.Millisecond
	if os.Getenv("SWEEP_TEST_SLOW") != "" {
		pause = time.Minute // until killed
	}
	for e := 1; e <= 9; e++ {
		time.Sleep(pause)
		fmt.Printf("{\"epoch\": %d, \"val_accuracy\": %s, \"note\": \"x\"}\n", e, strconv.FormatFloat(accuracy(lr, width, seed, e), 'g', -1, 64))
		fmt.Println("{garbage")
	}
}

const commandSpec = `name: cmd
seed: 4
command: [%q, --sweep-test-program, "${args}"]
metric: {name: val_accuracy, goal: maximize}
method: tpe
parameters:
  lr: {distribution: log_uniform_values, min: 0.001, max: 0.3}
  width: {values: [64, 128]}
budget: {trials: 12, batch: 3}
early_terminate: {type: successive_halving, min_epochs: 1, eta: 3}
confirm: {top: 2, seeds: 2, baseline: false}
`

// TestCommandSweep: a sweep of a program records exactly what it printed,
// gives the same study with 1 and 2 workers, and leaves no process of a
// pruned trial behind.
func TestCommandSweep(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "cmd.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(commandSpec, os.Args[0])), 0o644)
	if code, out, errOut := cli("plan", spec); code != 0 || !strings.Contains(out, "command: "+os.Args[0]+" --sweep-test-program ${args} (run directly, no shell)") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	var studies [][]study.Trial
	for _, workers := range []string{"1", "2"} {
		dir := t.TempDir()
		if code, _, errOut := cli("run", "--workers", workers, "--results", dir, spec); code != 0 {
			t.Fatalf("run: exit %d\n%s", code, errOut)
		}
		_, trials, err := journal.Load(filepath.Join(dir, "cmd"), recipe.Table)
		if err != nil {
			t.Fatal(err)
		}
		pruned := 0
		for _, tr := range trials {
			lr, width := tr.Params[0].Value.(float64), int(tr.Params[1].Value.(int64))
			for r, run := range tr.Runs {
				for _, e := range run {
					if want := accuracy(lr, width, tr.Seeds[r], e.Epoch); e.Value("val_accuracy") != want || e.Metrics["epoch"] != 0 {
						t.Fatalf("trial %d epoch %d: recorded %v, printed %v", tr.Number, e.Epoch, e.Metrics, want)
					}
				}
			}
			if tr.State == study.Pruned {
				pruned++
			}
			pids, _ := filepath.Glob(filepath.Join(dir, "cmd", "trials", strconv.Itoa(tr.Number), "pid-*"))
			for _, p := range pids {
				pid, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "pid-"))
				if syscall.Kill(pid, 0) == nil {
					t.Errorf("trial %d: process %d still runs", tr.Number, pid)
				}
			}
		}
		if pruned == 0 || len(trials) != 12+2 {
			t.Errorf("%d trials, %d pruned: want 12 and 2 confirmed, some pruned", len(trials), pruned)
		}
		// Replay runs the program again and compares what it prints.
		if code, out, errOut := cli("replay", filepath.Join(dir, "cmd"), "--trial", "13"); code != 0 || !strings.Contains(out, "identical") {
			t.Errorf("replay: exit %d %s\n%s", code, errOut, out)
		}
		// A trial in full, with the tail of its program's output.
		code, out, errOut := cli("report", "--files=false", "--trial", "13", filepath.Join(dir, "cmd"))
		if code != 0 || !strings.Contains(out, "Trial 13 of cmd (confirm stage): complete") || !strings.Contains(out, "stdout, last 19 of 19 lines:\n    training with [--sweep-test-program --lr=") {
			t.Errorf("report --trial 13: exit %d %s\n%s", code, errOut, out)
		}
		studies = append(studies, study.Untimed(trials))
	}
	if !reflect.DeepEqual(studies[0], studies[1]) {
		t.Error("1 and 2 workers recorded different studies")
	}
}

func TestCommandSpecErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ spec, want string }{
		{"name: c\ncommand: [sh, \"${nope}\"]\nmethod: grid\nparameters:\n  lr: {values: [1]}\n",
			`c.yaml:2: command: element 1 ("${nope}") names ${nope}, which is neither a parameter (lr) nor one of ${args}, ${seed}, ${trial} or W&B's macros`},
		{"name: c\ncommand: [no-such-program-here]\nmethod: grid\nparameters:\n  lr: {values: [1]}\n",
			"c.yaml:2: command: no-such-program-here: not a program on PATH, nor a path to one"},
		{"name: c\nfixed: {epochs: 3}\ncommand: [sh]\nmethod: grid\nparameters:\n  lr: {values: [1]}\n",
			"c.yaml:2: fixed: built-in training settings do not apply to a command: pass them in its arguments"},
		{"name: c\ncommand: []\nmethod: grid\nparameters:\n  lr: {values: [1]}\n",
			`c.yaml:2: command: want a list: the program and its arguments, e.g. [python3, train.py, "${args}"]`},
	} {
		path := filepath.Join(dir, "c.yaml")
		os.WriteFile(path, []byte(tt.spec), 0o644)
		code, _, errOut := cli("plan", path)
		if got := strings.TrimSpace(strings.TrimPrefix(errOut, "sweep plan: ")); code != 2 || !strings.HasSuffix(got, tt.want) {
			t.Errorf("exit %d, %q\nwant %q", code, got, tt.want)
		}
	}
}

// TestCommandSweepKilled: a command sweep killed with SIGKILL while its
// programs run (each would run for minutes) leaves none of them running,
// and the same command resumes it to the study a clean run records.
func TestCommandSweepKilled(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "cmd.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(commandSpec, os.Args[0])), 0o644)
	dir := t.TempDir()
	t.Setenv("SWEEP_TEST_SLOW", "1")
	cmd, stderr := sweepProcess(t, "run", "--workers", "2", "--results", dir, spec)
	os.Unsetenv("SWEEP_TEST_SLOW") // the resumed and the clean sweeps run fast
	var pids []string
	for start := time.Now(); len(pids) < 2 && time.Since(start) < time.Minute; time.Sleep(5 * time.Millisecond) {
		pids, _ = filepath.Glob(filepath.Join(dir, "cmd", "trials", "*", "pid-*"))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(pids) < 2 {
		t.Fatalf("no program started\n%s", stderr)
	}
	deadline := time.Now().Add(time.Second)
	for _, p := range pids {
		pid, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "pid-"))
		for syscall.Kill(pid, 0) == nil && !zombie(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil && !zombie(pid) {
			t.Errorf("process %d outlived the killed sweep\n%s", pid, stderr)
		}
	}
	if code, _, errOut := cli("run", "--workers", "2", "--results", dir, spec); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, errOut)
	}
	clean := t.TempDir()
	if code, _, errOut := cli("run", "--workers", "1", "--results", clean, spec); code != 0 {
		t.Fatalf("clean: exit %d\n%s", code, errOut)
	}
	load := func(d string) []study.Trial {
		_, trials, err := journal.Load(filepath.Join(d, "cmd"), recipe.Table)
		if err != nil {
			t.Fatal(err)
		}
		return study.Untimed(trials)
	}
	if a, b := load(dir), load(clean); !reflect.DeepEqual(a, b) {
		t.Errorf("resumed and clean studies differ:\n%+v\n%+v", a, b)
	}
}

// zombie reports whether a process has exited and awaits its parent.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && strings.Contains(string(b), ") Z ")
}

// TestDataExport: the exported files load as a data source equal to the
// embedded one; exporting again writes nothing.
func TestDataExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mnist")
	if code, out, errOut := cli("data", "export", dir); code != 0 || !strings.Contains(out, "4 written") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if code, out, _ := cli("data", "export", dir); code != 0 || !strings.Contains(out, "0 written, 4 already there") {
		t.Errorf("again: %s", out)
	}
	code, out, errOut := cli("train", "--data", dir, "--subset", "300", "--epochs", "2")
	_, want, _ := cli("train", "--subset", "300", "--epochs", "2")
	strip := func(s string) string {
		return regexp.MustCompile(`Training Time: [0-9.]+s|\(mnist\)|\(`+regexp.QuoteMeta(dir)+`\)`).ReplaceAllString(s, "")
	}
	if code != 0 || strip(out) != strip(want) {
		t.Errorf("training on the export: exit %d %s\n%s\nwant\n%s", code, errOut, out, want)
	}
	if code, _, _ := cli("data", "bogus"); code != 2 {
		t.Errorf("bad usage: exit %d", code)
	}
}
