package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/sweep"
)

var runCmd = &subcommand{
	Name:      "run",
	UsageLine: "run [flags] SPEC",
	Short:     "run (or resume) the sweep a YAML spec describes",
	Long:      "Runs the sweep the YAML spec describes, or resumes it from results/<name>/.",
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		r := &runRun{}
		fs.IntVar(&r.opt.Workers, "workers", 0, "trials trained at once (default: number of CPUs); results do not depend on it")
		fs.StringVar(&r.opt.ResultsDir, "results", "results", "`directory` holding one directory per sweep")
		fs.BoolVar(&r.opt.Restart, "restart", false, "discard earlier results of this sweep and start over")
		fs.StringVar(&r.storage, "storage", "", "keep the study in this PostgreSQL `URL`, shared with every worker that uses it (postgres://user:password@host/db)")
		fs.StringVar(&r.opt.Worker, "worker", "", "this worker's name in a shared study (default: host-pid)")
		fs.DurationVar(&r.opt.Grace, "grace", sweep.DefaultGrace, "in a shared study, how long a worker may miss heartbeats before its trials are rerun elsewhere")
		fs.IntVar(&r.top, "top", 10, "rows of the ranked table (0 = all)")
		fs.IntVar(&r.trials, "trials", 0, trialsUsage)
		fs.StringVar(&r.gpus, "gpus", "", gpusUsage)
		return r.run
	},
}

// runRun is what sweep run's flags ask for.
type runRun struct {
	opt           sweep.Options
	storage, gpus string
	top, trials   int
}

func (r *runRun) run(ctx context.Context, c *call) error {
	path, err := c.one("spec file")
	if err != nil {
		return err
	}
	spec, src, err := loadSpec(path, r.trials)
	if err != nil {
		return badUsage(err)
	}
	opt := r.opt
	obj, err := objectiveFor(spec, filepath.Join(opt.ResultsDir, spec.Name))
	if err == nil {
		opt.Devices, err = gpuSlots(spec, r.gpus, &opt.Workers)
	}
	if err != nil {
		return badUsage(err)
	}
	if opt.Workers <= 0 {
		opt.Workers = linalg.Procs()
	}
	opt.Stop, opt.Progress, opt.Live = c.stop, c.stderr, isTerminal(c.stderr)
	if r.storage != "" {
		st, err := openStorage(ctx, r.storage, c)
		if err != nil {
			return err
		}
		defer st.Close()
		opt.Storage = st
	}
	if err := sweep.Plan(c.stdout, spec, recipe.Table, opt.Workers, opt.ResultsDir); err != nil {
		return err
	}
	writeGPUs(c.stdout, opt.Devices)
	res, err := sweep.Run(ctx, spec, src, obj, opt)
	var input *sweep.InputError
	if errors.As(err, &input) {
		return err
	}
	if res != nil {
		fmt.Fprintln(c.stdout)
		if terr := report.WriteRanking(c.stdout, report.Analyze(spec, res.Trials), r.top); terr != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", c.fs.Name(), terr)
		}
		fmt.Fprintf(c.stdout, "Results: %s\n", res.Dir)
	}
	switch {
	case err != nil:
		return err
	case res.Stopped:
		return fmt.Errorf("%w; run the same command again to resume", errInterrupted)
	}
	return nil
}

// openStorage opens the PostgreSQL study storage at url, reporting each
// retry on the command's stderr.
func openStorage(ctx context.Context, url string, c *call) (*pgstore.Store, error) {
	var mu sync.Mutex
	return pgstore.Open(ctx, url, pgstore.Options{Context: ctx, OnRetry: func(op string, err error, wait time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(c.stderr, "storage unavailable while %s (%v); retrying in %v\n", op, err, wait)
	}})
}
