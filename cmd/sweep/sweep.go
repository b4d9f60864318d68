package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

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
	fs.StringVar(&opt.Storage, "storage", "", "keep the study in this PostgreSQL `URL`, shared with every worker that uses it (postgres://user:password@host/db)")
	fs.StringVar(&opt.Worker, "worker", "", "this worker's name in a shared study (default: host-pid)")
	fs.DurationVar(&opt.Grace, "grace", sweep.DefaultGrace, "in a shared study, how long a worker may miss heartbeats before its trials are rerun elsewhere")
	top := fs.Int("top", 10, "rows of the ranked table (0 = all)")
	path, code := parseWithSpec(fs, args, stderr)
	if code >= 0 {
		return code
	}
	spec, src, err := loadSpec(path)
	if err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitUsage
	}
	opt.Stop = stop
	opt.Progress = stderr
	opt.Live = isTerminal(stderr)
	if err := sweep.Plan(stdout, spec, opt.Workers, opt.ResultsDir); err != nil {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitFailure
	}
	res, err := sweep.Run(ctx, spec, src, opt)
	var input *sweep.InputError
	if errors.As(err, &input) {
		fmt.Fprintf(stderr, "sweep run: %v\n", err)
		return exitUsage
	}
	if res != nil {
		fmt.Fprintln(stdout)
		if terr := sweep.WriteTable(stdout, spec, res.Trials, *top); terr != nil {
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

func cmdPlan(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep plan SPEC\n\nChecks a sweep spec and shows its search space and what it would run, without training.\n")
	}
	workers := fs.Int("workers", 0, "trials trained at once (default: number of CPUs)")
	path, code := parseWithSpec(fs, args, stderr)
	if code >= 0 {
		return code
	}
	spec, _, err := loadSpec(path)
	if err != nil {
		fmt.Fprintf(stderr, "sweep plan: %v\n", err)
		return exitUsage
	}
	if err := sweep.Plan(stdout, spec, *workers, "results"); err != nil {
		fmt.Fprintf(stderr, "sweep plan: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// parseWithSpec parses flags and the one SPEC argument; code ≥ 0 means
// return it.
func parseWithSpec(fs *flag.FlagSet, args []string, stderr io.Writer) (string, int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", exitOK
		}
		return "", exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "%s: want one spec file, got %d arguments\n", fs.Name(), fs.NArg())
		fs.Usage()
		return "", exitUsage
	}
	return fs.Arg(0), -1
}

func loadSpec(path string) (*sweep.Spec, []byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	spec, err := sweep.ParseSpec(path, src)
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
