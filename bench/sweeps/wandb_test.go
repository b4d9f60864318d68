package sweeps

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Three command sweeps of the same size, in turn, 2 workers: a trial of
// /bin/echo (the sweep's own cost per trial: start, supervise, read,
// record), of a Python program that prints its report itself, and of the
// same program written for W&B (import wandb, init, log, finish), which
// this tool's wandb module serves. The third less the second is the
// module's cost; the second less the first, Python's start.
const overheadSpec = `name: %s
command: %s
metric: {name: val_accuracy, goal: maximize}
method: random
parameters:
  lr: {distribution: uniform, min: 0, max: 1}
budget: {trials: %d, batch: 4}
confirm: false
`

const plainProgram = `import json, sys
lr = float(sys.argv[1].split("=")[1])
print(json.dumps({"epoch": 1, "val_accuracy": lr}), flush=True)
`

const wandbProgram = `import wandb
run = wandb.init(project="overhead")
wandb.log({"val_accuracy": wandb.config.lr})
wandb.finish()
`

// TestWandbOverhead: make bench-sweeps.
func TestWandbOverhead(t *testing.T) {
	if os.Getenv("SWEEP_BENCH") == "" {
		t.Skip("a benchmark: make bench-sweeps")
	}
	bin, err := filepath.Abs("../../bin/sweep")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	const trials, rounds = 200, 3
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "plain.py"), []byte(plainProgram), 0o644)
	os.WriteFile(filepath.Join(dir, "train.py"), []byte(wandbProgram), 0o644)
	kinds := []struct{ name, command string }{
		{"echo", `[/bin/echo, '{"epoch": 1, "val_accuracy": ${lr}}']`},
		{"python", fmt.Sprintf(`[python3, %q, "${args}"]`, filepath.Join(dir, "plain.py"))},
		{"wandb", ""},
	}
	per := make([][]time.Duration, len(kinds))
	for r := range rounds {
		for k, kind := range kinds {
			spec := filepath.Join(dir, fmt.Sprintf("%s%d.yaml", kind.name, r))
			src := fmt.Sprintf(overheadSpec, kind.name, kind.command, trials)
			if kind.name == "wandb" { // a W&B spec: the module is on
				src = strings.Replace(src, "command: \n", fmt.Sprintf("program: %q\n", filepath.Join(dir, "train.py")), 1)
			}
			os.WriteFile(spec, []byte(src), 0o644)
			m := run(t, bin, "run", "--workers", "2", "--results", filepath.Join(dir, fmt.Sprint("r", r)), spec)
			per[k] = append(per[k], m.wall/trials)
		}
	}
	fmt.Printf("\nA command trial's cost, %d trials on 2 workers, %d rounds in turn (median, range)\n", trials, rounds)
	for k, kind := range kinds {
		fmt.Printf("  %-7s %v\n", kind.name, durations(per[k]))
	}
	fmt.Printf("  wandb module (wandb − python): %v per trial\n", median(per[2])-median(per[1]))
}

func durations(d []time.Duration) string {
	lo, hi := d[0], d[0]
	for _, x := range d {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%6.1f ms per trial (%.1f–%.1f)", ms(median(d)), ms(lo), ms(hi))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
