package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// seen is what the GPU test program records of a run.
type seen struct {
	CUDA, HIP, ROCR string
	Start, End      int64 // unix nanoseconds
	Trial           string
}

// gpuProgram records the GPUs it was given and when it ran, holds them a
// moment, and reports a score that depends on its parameter alone.
func gpuProgram() {
	lr := 0.0
	for _, a := range os.Args[2:] {
		if v, ok := strings.CutPrefix(a, "--lr="); ok {
			lr, _ = strconv.ParseFloat(v, 64)
		}
	}
	s := seen{CUDA: os.Getenv("CUDA_VISIBLE_DEVICES"), HIP: os.Getenv("HIP_VISIBLE_DEVICES"), ROCR: os.Getenv("ROCR_VISIBLE_DEVICES"),
		Start: time.Now().UnixNano(), Trial: os.Getenv("SWEEP_TRIAL")}
	time.Sleep(120 * time.Millisecond)
	s.End = time.Now().UnixNano()
	b, _ := json.Marshal(s)
	os.WriteFile(filepath.Join(os.Getenv("SWEEP_TRIAL_DIR"), fmt.Sprintf("gpu-%d.json", s.Start)), b, 0o644)
	fmt.Printf("{\"epoch\": 1, \"score\": %v}\n", lr)
}

const gpuSpec = `name: gpus
seed: 2
command: [%q, --sweep-gpu-program, "${args}"]
metric: {name: score, goal: maximize}
method: random
parameters:
  lr: {distribution: uniform, min: 0, max: 1}
budget: {trials: 12, batch: 3}
confirm: false
`

// TestGPUSlots: sweep run --workers 3 --gpus 0,1,2 on 12 trials: every
// run sees exactly one of the three devices (in CUDA's, HIP's and ROCm's
// variables), no two runs at once see the same one, the study records
// which each used, and it is the study one slot records.
func TestGPUSlots(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "gpus.yaml")
	os.WriteFile(spec, []byte(fmt.Sprintf(gpuSpec, os.Args[0])), 0o644)
	if code, out, errOut := cli("plan", "--gpus", "0,1,2", spec); code != 0 || !strings.Contains(out, "gpus:    3 slots, one to each running run (CUDA_VISIBLE_DEVICES, HIP_ and ROCR_VISIBLE_DEVICES): 0 | 1 | 2") ||
		!strings.Contains(out, "3 runs trained at a time") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	var studies [][]study.Trial
	for _, args := range [][]string{{"--workers", "3", "--gpus", "0,1,2"}, {"--gpus", "7"}} {
		res := filepath.Join(dir, "r"+args[len(args)-1])
		if code, _, errOut := cli(append(append([]string{"run", "--results", res}, args...), spec)...); code != 0 {
			t.Fatalf("run %v: exit %d\n%s", args, code, errOut)
		}
		_, trials, err := journal.Load(filepath.Join(res, "gpus"), recipe.Table)
		if err != nil || len(trials) != 12+1 {
			t.Fatalf("%d trials, %v", len(trials), err)
		}
		files, _ := filepath.Glob(filepath.Join(res, "gpus", "trials", "*", "gpu-*.json"))
		var runs []seen
		for _, f := range files {
			var s seen
			b, _ := os.ReadFile(f)
			json.Unmarshal(b, &s)
			runs = append(runs, s)
			if s.CUDA != s.HIP || s.CUDA != s.ROCR || !strings.Contains(strings.Join(args, " "), s.CUDA) || strings.Contains(s.CUDA, ",") {
				t.Errorf("%v: a run saw CUDA %q, HIP %q, ROCR %q", args, s.CUDA, s.HIP, s.ROCR)
			}
			n, _ := strconv.Atoi(s.Trial)
			if d := trials[n].Devices; len(d) != 1 || d[0] != s.CUDA {
				t.Errorf("%v: trial %d ran on %q; the study records %v", args, n, s.CUDA, d)
			}
		}
		if len(runs) != 13 {
			t.Fatalf("%v: %d runs recorded their devices, want 13", args, len(runs))
		}
		overlapped := 0
		for i, a := range runs {
			for _, b := range runs[i+1:] {
				if a.Start < b.End && b.Start < a.End {
					overlapped++
					if a.CUDA == b.CUDA {
						t.Errorf("%v: trials %s and %s ran at once on GPU %s", args, a.Trial, b.Trial, a.CUDA)
					}
				}
			}
		}
		if args[0] == "--workers" && overlapped == 0 {
			t.Errorf("no two runs ran at once on 3 slots")
		}
		studies = append(studies, study.Untimed(trials))
	}
	if !reflect.DeepEqual(studies[0], studies[1]) {
		t.Error("3 slots and 1 recorded different studies")
	}
	for _, bad := range []struct{ args, want string }{
		{"--gpus 0,,1", `sweep plan: --gpus "0,,1": want device IDs separated by commas (0,1,2), or all`},
	} {
		if code, _, errOut := cli(append(append([]string{"plan"}, strings.Fields(bad.args)...), spec)...); code != 2 || strings.TrimSpace(errOut) != bad.want {
			t.Errorf("%s: exit %d, %q", bad.args, code, errOut)
		}
	}
}
