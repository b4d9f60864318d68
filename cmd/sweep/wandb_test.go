package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// needPython skips a test where python3 is missing.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
}

// inDir copies files of testdata/wandb into a fresh directory, for a
// sweep run there as a W&B user runs one: from the program's directory.
func inDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("testdata", "wandb", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// cliIn runs the sweep command in a child process, in dir.
func cliIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SWEEP_CLI_CHILD_ARGS="+strings.Join(args, "\n"))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// leftBehind lists the processes whose environment names a trial
// directory below dir: everything a sweep in dir started, at any depth.
func leftBehind(dir string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(env, []byte("SWEEP_TRIAL_DIR="+dir)) {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		if !strings.Contains(string(stat), ") Z ") {
			out = append(out, e.Name()+": "+string(stat))
		}
	}
	return out
}

// TestHostilePrograms: a program whose child holds stdout after it exits,
// one that leaves a setsid daemon, one that reads its stdin, and one that
// prints a 5 MB line that is not UTF-8, in one grid with a 40 s timeout:
// each trial completes with what it printed, the sweep takes seconds,
// and nothing any of them started is left.
func TestHostilePrograms(t *testing.T) {
	needPython(t)
	dir := inDir(t, "hostile.py", "hostile.yaml")
	start := time.Now()
	code, out, errOut := cliIn(t, dir, "run", "--workers", "2", "hostile.yaml")
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if took > 30*time.Second {
		t.Errorf("the sweep took %v: want < 30 s (trial_timeout is 40 s)", took)
	}
	if left := leftBehind(dir); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
	res := filepath.Join(dir, "results", "hostile_programs")
	_, trials, err := journal.Load(res, recipe.Table)
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) != 4+1 { // and the best's test-stage run
		t.Fatalf("%d trials, want 4 and 1", len(trials))
	}
	for _, tr := range trials[:4] {
		var got []float64
		for _, e := range tr.Runs[0] {
			got = append(got, e.Value("score"))
		}
		if tr.State != study.Complete || tr.Value != 0.3 || !slices.Equal(got, []float64{0.1, 0.2, 0.3}) {
			t.Errorf("trial %d (%v): %s %v, reports %v: want complete 0.3, reports 0.1 0.2 0.3 (%s)", tr.Number, tr.Params, tr.State, tr.Value, got, tr.Reason)
		}
	}
	log, _ := os.ReadFile(command.LogFile(res, 3, 0, "stdout"))
	if !bytes.Contains(log, []byte("\xc3(\xc3(\xc3(")) || !bytes.Contains(log, []byte(`"epoch": 3`)) {
		t.Errorf("the binary trial's stdout log (%d bytes) lacks its output", len(log))
	}
	if log, _ := os.ReadFile(command.LogFile(res, 2, 0, "stdout")); !bytes.Contains(log, []byte("stdin held 0 bytes")) {
		t.Errorf("stdin trial's log: %q", log)
	}
}

// wandbSpecs are sweep files as W&B users write them (testdata/wandb),
// each run against train.py, a program written for W&B.
var wandbSpecs = []struct{ file, dir, metric string }{
	{"bayes_hyperband.yaml", "bayes_hyperband", "val/loss"},
	{"random_probabilities.yaml", "random_with_probabilities", "mAP_0.5"},
	{"grid_no_metric.yaml", "grid_sweep_no_metric", ""},
	{"log_uniform_spaces.yaml", "log_uniform_spaces", "val loss"},
	{"bayes_steps.yaml", "rollout_reward", "rollout.ep_rew_mean"},
}

// TestWandbSweepFiles runs each W&B sweep file with --trials 8 against a
// program that imports wandb and logs with wandb.log: every recorded
// figure is one the program logged, the metric as often as it logged it;
// the bayes + hyperband file prunes and gives the same study with 1 and 2
// workers; no process of theirs is left.
func TestWandbSweepFiles(t *testing.T) {
	needPython(t)
	for _, s := range wandbSpecs {
		t.Run(s.file, func(t *testing.T) {
			dir := inDir(t, "train.py", s.file)
			var studies [][]study.Trial
			for _, workers := range []string{"2", "1"} {
				results := filepath.Join(dir, "r"+workers)
				if code, out, errOut := cliIn(t, dir, "run", "--trials", "8", "--workers", workers, "--results", results, s.file); code != 0 {
					t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
				}
				_, trials, err := journal.Load(filepath.Join(results, s.dir), recipe.Table)
				if err != nil {
					t.Fatal(err)
				}
				checkLogged(t, filepath.Join(results, s.dir), trials, s.metric)
				studies = append(studies, study.Untimed(trials))
				if s.file != "bayes_hyperband.yaml" {
					break
				}
				pruned := 0
				for _, tr := range trials {
					if tr.State == study.Pruned {
						pruned++
					}
				}
				if pruned == 0 {
					t.Errorf("%d workers: no trial pruned", len(trials))
				}
			}
			if len(studies) == 2 && !reflect.DeepEqual(studies[0], studies[1]) {
				t.Error("1 and 2 workers recorded different studies")
			}
			if left := leftBehind(dir); len(left) > 0 {
				t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
			}
		})
	}
}

// checkLogged compares each trial's reports with the rows its program
// logged (train.py's logged.jsonl).
func checkLogged(t *testing.T, res string, trials []study.Trial, metric string) {
	t.Helper()
	if len(trials) != 8 { // the grid's 12 points too: --trials caps it, as run_cap does
		t.Errorf("%d trials, want 8", len(trials))
	}
	for _, tr := range trials {
		if !tr.State.Finished() || len(tr.Runs) != 1 {
			t.Errorf("trial %d: %s (%s), %d runs", tr.Number, tr.State, tr.Reason, len(tr.Runs))
			continue
		}
		logged := map[string][]float64{}
		f, err := os.Open(filepath.Join(command.TrialDir(res, tr.Number), "logged.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var line struct{ Row map[string]any }
			json.Unmarshal(sc.Bytes(), &line)
			flatten(line.Row, "", logged)
		}
		f.Close()
		n := 0
		for _, e := range tr.Runs[0] {
			for _, name := range e.Names() {
				if name == "_step" || name == "final_loss" {
					continue
				}
				if !slices.Contains(logged[name], e.Value(name)) {
					t.Errorf("trial %d report %d: %s = %v, which the program never logged", tr.Number, e.Epoch, name, e.Value(name))
				}
			}
			if _, ok := e.Get(metric); ok {
				n++
			}
		}
		if metric != "" && (n != len(logged[metric]) && tr.State == study.Complete || n == 0) {
			t.Errorf("trial %d: %d reports of %s, the program logged %d", tr.Number, n, metric, len(logged[metric]))
		}
	}
}

func flatten(m map[string]any, prefix string, out map[string][]float64) {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			flatten(v, prefix+k+".", out)
		case float64:
			out[prefix+k] = append(out[prefix+k], v)
		}
	}
}
