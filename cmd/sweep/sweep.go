package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

func cmdRun(ctx context.Context, stop <-chan struct{}, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep run [flags] SPEC\n\nRuns the sweep the YAML spec describes, or resumes it from results/<name>/.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var opt sweep.Options
	fs.IntVar(&opt.Workers, "workers", 0, "trials trained at once (default: number of CPUs); results do not depend on it")
	fs.StringVar(&opt.ResultsDir, "results", "results", "`directory` holding one directory per sweep")
	fs.BoolVar(&opt.Restart, "restart", false, "discard earlier results of this sweep and start over")
	storage := fs.String("storage", "", "keep the study in this PostgreSQL `URL`, shared with every worker that uses it (postgres://user:password@host/db)")
	fs.StringVar(&opt.Worker, "worker", "", "this worker's name in a shared study (default: host-pid)")
	fs.DurationVar(&opt.Grace, "grace", sweep.DefaultGrace, "in a shared study, how long a worker may miss heartbeats before its trials are rerun elsewhere")
	top := fs.Int("top", 10, "rows of the ranked table (0 = all)")
	trials := fs.Int("trials", 0, trialsUsage)
	gpus := fs.String("gpus", "", gpusUsage)
	path, code := parseWithSpec(fs, args, stderr)
	if code >= 0 {
		return code
	}
	spec, src, err := loadSpec(path, *trials)
	if err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitUsage
	}
	obj, err := objectiveFor(spec, filepath.Join(opt.ResultsDir, spec.Name))
	if err == nil {
		opt.Devices, err = gpuSlots(spec, *gpus, &opt.Workers)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitUsage
	}
	if opt.Workers <= 0 {
		opt.Workers = linalg.Procs()
	}
	opt.Stop = stop
	opt.Progress = stderr
	opt.Live = isTerminal(stderr)
	if *storage != "" {
		st, code := openStorage(ctx, *storage, stderr)
		if st == nil {
			return code
		}
		defer st.Close()
		opt.Storage = st
	}
	if err := sweep.Plan(stdout, spec, recipe.Table, opt.Workers, opt.ResultsDir); err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitFailure
	}
	writeGPUs(stdout, opt.Devices)
	res, err := sweep.Run(ctx, spec, src, obj, opt)
	var input *sweep.InputError
	if errors.As(err, &input) {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitUsage
	}
	if res != nil {
		fmt.Fprintln(stdout)
		if terr := report.WriteRanking(stdout, report.Analyze(spec, res.Trials), *top); terr != nil {
			fmt.Fprintf(stderr, "sweep run: %v\n", terr)
		}
		fmt.Fprintf(stdout, "Results: %s\n", res.Dir)
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitFailure
	case res.Stopped:
		fmt.Fprintf(stderr, "sweep run: interrupted; run the same command again to resume\n")
		return exitSignal
	}
	return exitOK
}

// openStorage opens the PostgreSQL study storage at url, reporting each
// retry on stderr; a nil store comes with the exit status.
func openStorage(ctx context.Context, url string, stderr io.Writer) (*pgstore.Store, int) {
	var mu sync.Mutex
	st, err := pgstore.Open(ctx, url, pgstore.Options{Context: ctx, OnRetry: func(op string, err error, wait time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "storage unavailable while %s (%v); retrying in %v\n", op, err, wait)
	}})
	if err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return nil, exitFor(err)
	}
	return st, exitOK
}

func cmdPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep plan [flags] SPEC\n\nChecks a sweep spec and shows its search space and what it would run, without training.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	workers := fs.Int("workers", 0, "trials trained at once (default: number of CPUs)")
	trials := fs.Int("trials", 0, trialsUsage)
	gpus := fs.String("gpus", "", gpusUsage)
	path, code := parseWithSpec(fs, args, stderr)
	if code >= 0 {
		return code
	}
	spec, _, err := loadSpec(path, *trials)
	if err == nil {
		_, err = objectiveFor(spec, "")
	}
	var slots []string
	if err == nil {
		slots, err = gpuSlots(spec, *gpus, workers)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sweep plan: %v\n", err)
		return exitUsage
	}
	if *workers <= 0 {
		*workers = linalg.Procs()
	}
	if err := sweep.Plan(stdout, spec, recipe.Table, *workers, "results"); err != nil {
		fmt.Fprintf(stderr, "sweep plan: %v\n", err)
		return exitFailure
	}
	writeGPUs(stdout, slots)
	return exitOK
}

// exitFor is the exit status of an error that stops a subcommand, the
// same for the same cause in every one: 2 for what it was given (a spec,
// data, a connection string, a results directory), 1 for what went wrong
// while running (a server that cannot be reached, a disk that fails).
func exitFor(err error) int {
	var spec *study.SpecError
	var input *sweep.InputError
	switch {
	case errors.As(err, &spec), errors.As(err, &input), errors.Is(err, pgstore.ErrConnString), errors.Is(err, fs.ErrNotExist):
		return exitUsage
	}
	return exitFailure
}

// parseWithSpec parses flags and the one SPEC argument; code ≥ 0 means
// return it.
func parseWithSpec(fs *flag.FlagSet, args []string, stderr io.Writer) (string, int) {
	positional, code := parseArgs(fs, args)
	if code >= 0 {
		return "", code
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "%s: want one spec file, got %d arguments\n", fs.Name(), len(positional))
		fs.Usage()
		return "", exitUsage
	}
	return positional[0], -1
}

// parseArgs parses flags given before, between and after the arguments
// (users type both orders; "--" ends the flags) and returns the
// arguments; code ≥ 0 means return it.
func parseArgs(fs *flag.FlagSet, args []string) (positional []string, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, -1
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), -1
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// trialsUsage is --trials' help, for run and plan.
const trialsUsage = "run `N` search trials: the spec's run_cap (budget.trials), set or replaced, as wandb agent --count N"

// loadSpec reads and parses a spec file, completed by study.Prepare (its
// name, --trials): what the sweep keeps and every later read parses.
func loadSpec(path string, trials int) (*study.Spec, []byte, error) {
	if trials < 0 {
		return nil, nil, fmt.Errorf("--trials %d: want a number of trials ≥ 1", trials)
	}
	if st, err := os.Stat(path); err == nil && st.Size() > study.MaxSpecBytes {
		return nil, nil, fmt.Errorf("%s: %d bytes: a spec may have at most %d", path, st.Size(), study.MaxSpecBytes)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	src = study.Prepare(path, src, trials)
	spec, err := study.ParseSpec(path, src, recipe.Table)
	return spec, src, err
}

// isTerminal reports whether w is a character device, where a redrawn
// status line makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
