package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/study"
)

// TestMain makes the test binary the program under test when
// COMMAND_TEST_MODE is set: one program for every path of the protocol.
func TestMain(m *testing.M) {
	mode := os.Getenv("COMMAND_TEST_MODE")
	if mode == "" {
		os.Exit(m.Run())
	}
	lr := 0.0
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--lr="); ok {
			lr, _ = strconv.ParseFloat(v, 64)
		}
	}
	epoch := func(e int) {
		fmt.Printf("{\"epoch\": %d, \"val_accuracy\": %v, \"val_loss\": %v}\n", e, lr*float64(e), 1/float64(e))
	}
	switch mode {
	case "metrics":
		fmt.Println("loading data")
		fmt.Println("{not json")
		fmt.Println(`{"epoch": 1.5, "val_accuracy": 9}`)
		fmt.Println(`{"step": "x"}`)
		for e := 1; e <= 3; e++ {
			epoch(e)
		}
		fmt.Println(`{"epoch": 4, "val_accuracy": 1, "seconds": 2.5, "_timestamp": 1700000000, "note": "x", "nan": NaN}`)
		fmt.Fprintln(os.Stderr, "seed", os.Getenv("SWEEP_SEED"), "lr", os.Getenv("SWEEP_PARAM_LR"))
	case "crash":
		epoch(1)
		fmt.Fprintln(os.Stderr, "Traceback (most recent call last):")
		fmt.Fprintln(os.Stderr, "RuntimeError: CUDA out of memory")
		os.Exit(3)
	case "bounds":
		fields := []string{`"epoch": 1`, `"bad\u0001name": 1`, `"` + strings.Repeat("n", 200) + `": 2`}
		for i := range 300 {
			fields = append(fields, fmt.Sprintf(`"m%03d": %d`, i, i))
		}
		fmt.Println("{" + strings.Join(fields, ", ") + "}")
		for e := 2; e <= 10_005; e++ {
			fmt.Printf("{\"epoch\": %d, \"loss\": %d}\n", e, e)
		}
	case "silent":
	case "huge":
		line := strings.Repeat("x", 1000)
		for range 5000 {
			fmt.Println(line)
		}
		fmt.Println(strings.Repeat("y", 3<<20)) // one line of 3 MB
		epoch(1)
	case "hang", "ignore-term", "child":
		if mode == "ignore-term" {
			signal.Ignore(syscall.SIGTERM)
		}
		if mode == "child" {
			c := exec.Command("sleep", "600")
			c.Start()
			fmt.Fprintln(os.Stderr, "child", c.Process.Pid)
			os.WriteFile(filepath.Join(os.Getenv("SWEEP_TRIAL_DIR"), "child.pid"), []byte(strconv.Itoa(c.Process.Pid)), 0o644)
		}
		for e := 1; ; e++ {
			if mode != "hang" {
				epoch(e)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(0)
}

func objective(t *testing.T, mode string) *Objective {
	t.Setenv("COMMAND_TEST_MODE", mode)
	return &Objective{Argv: []string{os.Args[0], "${args}", "--seed=${seed}"}, Dir: t.TempDir(), Grace: 300 * time.Millisecond, MaxLog: 64 << 10}
}

var run = study.TrialRun{Number: 7, Seed: 42, Params: []study.ParamValue{{Name: "lr", Value: 0.25}, {Name: "act", Value: "relu"}}}

func collect(t *testing.T, o *Objective, ctx context.Context, stopAt int) ([]study.Epoch, error) {
	t.Helper()
	var got []study.Epoch
	err := o.Run(ctx, run, func(e study.Epoch) error {
		got = append(got, e)
		if stopAt > 0 && len(got) == stopAt {
			return study.ErrPruned
		}
		return nil
	})
	return got, err
}

func TestMetricsAreRead(t *testing.T) {
	o := objective(t, "metrics")
	got, err := collect(t, o, context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[2].Epoch != 3 || got[2].Value("val_accuracy") != 0.75 || got[2].Value("val_loss") != 1.0/3 || len(got[2].Metrics) != 2 {
		t.Fatalf("reports %+v: want the 4 report lines, garbage and log skipped", got)
	}
	// The program's clock is the record's time, not a figure; NaN (as
	// Python writes it) and strings are no figures either.
	if last := got[3]; last.Seconds != 2.5 || len(last.Metrics) != 1 || last.Value("val_accuracy") != 1 {
		t.Errorf("a report with a clock: %+v", last)
	}
	logs, _ := os.ReadFile(filepath.Join(o.Dir, "trials", "7", "run0.stdout"))
	errs, _ := os.ReadFile(filepath.Join(o.Dir, "trials", "7", "run0.stderr"))
	if !strings.Contains(string(logs), "loading data") || string(errs) != "seed 42 lr 0.25\n" {
		t.Errorf("logs: %q / %q", logs, errs)
	}
}

// TestReportBounds: past each bound — a name that is not a metric's, more
// figures on a line than a report records, more reports than a run
// records — the run's log says so and what was recorded stays.
func TestReportBounds(t *testing.T) {
	o := objective(t, "bounds")
	o.MaxLog = 1 << 20 // all of it
	got, err := collect(t, o, context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	// 256 recorded, the report's number among them (dropped: it is the record's own).
	if len(got) != 10_000 || len(got[0].Metrics) != 255 || got[0].Metrics["m254"] != 254 || got[9_999].Value("loss") != 10_000 {
		t.Fatalf("%d reports, the first with %d figures", len(got), len(got[0].Metrics))
	}
	logs, _ := os.ReadFile(filepath.Join(o.Dir, "trials", "7", "run0.stdout"))
	for _, want := range []string{
		"[sweep] report 1: more than 256 figures on one report: m255 and those after it (in name order) not recorded",
		"[sweep] report 1: not recorded: \"bad\\x01name\", \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\" (a metric's name is letters, digits, '_', '.', '/', '-', ':' and inner spaces, at most 128 bytes)",
		"[sweep] more than 10000 reports: this one and those after it not recorded",
	} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("the log lacks %q", want)
		}
	}
}

func TestCrashIsAFailureWithStderr(t *testing.T) {
	got, err := collect(t, objective(t, "crash"), context.Background(), 0)
	if len(got) != 1 || err == nil || !strings.HasSuffix(err.Error(), "exit status 3: Traceback (most recent call last): | RuntimeError: CUDA out of memory") {
		t.Errorf("%d reports, error %v", len(got), err)
	}
}

func TestSilentProgramReportsNothing(t *testing.T) {
	if got, err := collect(t, objective(t, "silent"), context.Background(), 0); err != nil || len(got) != 0 {
		t.Errorf("%d reports, %v", len(got), err)
	}
}

func TestHugeOutputIsBounded(t *testing.T) {
	o := objective(t, "huge")
	got, err := collect(t, o, context.Background(), 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("%d reports, %v", len(got), err)
	}
	st, _ := os.Stat(filepath.Join(o.Dir, "trials", "7", "run0.stdout"))
	if st == nil || st.Size() > 64<<10+100 {
		t.Errorf("stdout log: %v", st)
	}
}

func TestTimeoutStopsIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := collect(t, objective(t, "hang"), ctx, 0)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("%v after %v", err, time.Since(start))
	}
}

// TestPrunedProgramIsGone: a program that ignores SIGTERM is killed after
// the grace period, and a child it started goes with it.
func TestPrunedProgramIsGone(t *testing.T) {
	for _, mode := range []string{"ignore-term", "child"} {
		o := objective(t, mode)
		start := time.Now()
		got, err := collect(t, o, context.Background(), 3)
		if !errors.Is(err, study.ErrPruned) || len(got) != 3 {
			t.Errorf("%s: %d reports, %v", mode, len(got), err)
		}
		if mode == "ignore-term" && time.Since(start) < o.Grace {
			t.Errorf("killed before the grace period")
		}
		if mode == "child" {
			b, _ := os.ReadFile(filepath.Join(o.Dir, "trials", "7", "child.pid"))
			pid, _ := strconv.Atoi(string(b))
			if pid == 0 || syscall.Kill(pid, 0) == nil && !zombie(pid) {
				t.Errorf("the child %d outlived its pruned parent", pid)
			}
		}
	}
}

// zombie reports whether a process has exited and awaits its parent's wait.
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && strings.Contains(string(b), ") Z ")
}

func TestArgumentsAndChecks(t *testing.T) {
	o := &Objective{Argv: []string{"python3", "train.py", "${args}", "--seed", "${seed}", "--out=run${trial}-${act}"}}
	got := o.Expand(run, "")
	want := "python3 train.py --lr=0.25 --act=relu --seed 42 --out=run7-relu"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
	for argv, want := range map[string]string{
		"":                   "an empty command: want the program and its arguments, e.g. [python3, train.py, \"${args}\"]",
		"x ${lrr}":           `element 1 ("${lrr}") names ${lrr}, which is neither a parameter (lr, act) nor one of ${args}, ${seed}, ${trial} or W&B's macros`,
		"x --a=${args}":      `element 1 ("--a=${args}"): ${args} expands to several arguments and must stand alone`,
		"x --a=${args_json}": `element 1 ("--a=${args_json}"): ${args_json} expands to several arguments and must stand alone`,
		"x ${program}":       `element 1 ("${program}"): ${program} needs program: in the spec`,
		"x ${args} ${trial}": "",
		"${env} ${interpreter} ${envvar:HOME} ${args_no_hyphens}": "",
	} {
		err := Check(strings.Fields(argv), []string{"lr", "act"}, "")
		if fmt.Sprint(err) != want && !(want == "" && err == nil) {
			t.Errorf("%q: got %v, want %s", argv, err, want)
		}
	}
}

// TestWandbMacros: W&B's macros give what W&B's agent gives (its own
// tests' cases: wandb/tests/system_tests/test_sweep/test_wandb_agent.py),
// floats and nested groups as Python's str() writes them.
func TestWandbMacros(t *testing.T) {
	t.Setenv("SWEEP_TEST_VAR", "v1")
	r := study.TrialRun{Params: []study.ParamValue{{Name: "a", Value: true}, {Name: "b", Value: false}, {Name: "c", Value: int64(1)}, {Name: "d", Value: nil}}}
	nested := study.TrialRun{Params: []study.ParamValue{{Name: "opt.lr", Value: 0.001}, {Name: "opt.nadam.beta", Value: 0.9}, {Name: "f", Value: 1e-5},
		{Name: "g", Value: 1e6}, {Name: "h", Value: 3.0}, {Name: "i", Value: 1e16}, {Name: "j", Value: []any{int64(64), int64(64)}}, {Name: "k", Value: "it's"}}}
	paths := map[string][]string{"opt.lr": {"opt", "lr"}, "opt.nadam.beta": {"opt", "nadam", "beta"}}
	for _, tt := range []struct {
		argv []string
		run  study.TrialRun
		want string
	}{
		{[]string{"${env}", "${interpreter}", "${program}", "${args}"}, r, "/usr/bin/env PY train.py --a=True --b=False --c=1 --d=None"},
		{[]string{"p", "${args_no_boolean_flags}"}, r, "p --a --c=1 --d=None"},
		{[]string{"p", "${args_no_hyphens}"}, r, "p a=True b=False c=1 d=None"},
		{[]string{"p", "${args_json}"}, r, `p {"a": true, "b": false, "c": 1, "d": null}`},
		{[]string{"p", "${args_no_equals}"}, r, "p --a True --b False --c 1 --d None"},
		{[]string{"p", "${args_override_hydra}"}, r, "p ++a=True ++b=False ++c=1 ++d=None"},
		{[]string{"p", "--x=${envvar:SWEEP_TEST_VAR}", "${envvar:SWEEP_UNSET_VAR}"}, r, "p --x=v1 SWEEP_UNSET_VAR"},
		{[]string{"p", "${args}"}, nested, "p --opt={'lr': 0.001, 'nadam': {'beta': 0.9}} --f=1e-05 --g=1000000.0 --h=3.0 --i=1e+16 --j=[64, 64] --k=it's"},
		{[]string{"p", "${args_json}"}, nested, `p {"opt": {"lr": 0.001, "nadam": {"beta": 0.9}}, "f": 1e-05, "g": 1000000.0, "h": 3.0, "i": 1e+16, "j": [64, 64], "k": "it's"}`},
	} {
		o := &Objective{Argv: tt.argv, Program: "train.py", Paths: paths}
		got := strings.Join(o.Expand(tt.run, ""), " ")
		got = strings.Replace(got, " "+o.interpreter()+" ", " PY ", 1)
		if got != tt.want {
			t.Errorf("%v:\n got %s\nwant %s", tt.argv, got, tt.want)
		}
	}
}
