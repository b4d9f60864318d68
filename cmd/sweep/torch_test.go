package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sweepml/sweep/internal/race"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// python is the Python with Debian's torch and numpy (.ci/run installs
// them); the tests of examples/torch_mnist are skipped without it, except
// in CI.
const python = "/usr/bin/python3"

func needTorch(t *testing.T) {
	if exec.Command(python, "-c", "import torch, numpy").Run() != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs Debian's python3-torch and python3-numpy")
		}
		t.Skip("no torch for " + python)
	}
}

// TestTorchExample: the notebook's PyTorch network trains on the exported
// data and split, prints one JSON line per epoch, is deterministic with its
// seed, and runs as a command sweep whose record is what it printed.
func TestTorchExample(t *testing.T) {
	if race.Enabled {
		t.Skip("Python does the work: run in the plain pass")
	}
	needTorch(t)
	dir := t.TempDir()
	data, split := filepath.Join(dir, "mnist"), filepath.Join(dir, "split.json")
	for _, args := range [][]string{{"data", "export", data}, {"data", "split", "--subset", "300", "--seed", "7", split}} {
		if code, _, errOut := cli(args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	script := "../../examples/torch_mnist/train.py"
	train := func() string {
		out, err := exec.Command(python, script, "--data", data, "--split", split, "--subset", "300", "--epochs", "2", "--seed", "7", "--test").CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return regexp.MustCompile(`"seconds": [0-9.e-]+`).ReplaceAllString(string(out), "")
	}
	first := train()
	lines := strings.Split(strings.TrimSpace(first), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `{"epoch": 2, `) || !strings.Contains(lines[1], `"test_accuracy": `) {
		t.Fatalf("output:\n%s", first)
	}
	if again := train(); again != first {
		t.Errorf("not deterministic:\n%s\n%s", first, again)
	}
	// sweep train --impl torch runs the same program on the same split.
	code, out, errOut := cli("train", "--impl", "torch", "--subset", "300", "--epochs", "2", "--seed", "7")
	m := regexp.MustCompile(`"val_accuracy": ([0-9.]+)`).FindStringSubmatch(lines[1])
	acc, _ := strconv.ParseFloat(m[1], 64)
	if want := fmt.Sprintf("Validation Accuracy: %.2f%%", 100*acc); code != 0 || !strings.Contains(out, "Epoch: 2, ") || !strings.Contains(out, want) {
		t.Errorf("sweep train --impl torch: exit %d %s\n%s\nwant %s", code, errOut, out, want)
	}

	spec := filepath.Join(dir, "torch.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(`name: torch
command: [%s, %s, --data, %s, --split, %s, --subset, "300", --epochs, "2", "${args}", "--seed=${seed}"]
metric: {name: val_accuracy, goal: maximize}
method: grid
parameters:
  lr: {values: [0.01, 0.05]}
confirm: false
`, python, script, data, split)), 0o644)
	results := filepath.Join(dir, "results")
	if code, _, errOut := cli("run", "--results", results, spec); code != 0 {
		t.Fatalf("sweep: exit %d\n%s", code, errOut)
	}
	_, trials, err := journal.Load(filepath.Join(results, "torch"), recipe.Table)
	if err != nil || len(trials) != 3 {
		t.Fatalf("%d trials, %v", len(trials), err)
	}
	for _, tr := range trials {
		if tr.State != study.Complete || len(tr.Runs[0]) != 2 || !(tr.Value > 0.5) {
			t.Errorf("trial %d: %s, %d epochs, value %v", tr.Number, tr.State, len(tr.Runs[0]), tr.Value)
		}
	}
	if last := trials[2].Runs[0][1]; !(last.Value("test_accuracy") > 0.5) {
		t.Errorf("the final stage's run measured no test set: %+v", last)
	}
}
