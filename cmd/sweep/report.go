package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

var reportCmd = &subcommand{
	Name:      "report",
	UsageLine: "report [flags] [results/NAME]",
	Short:     "rank a sweep's trials and say which hyperparameters work best",
	Long: "Reports a sweep: ranked trials, each parameter's effect and importance, and which hyperparameters work best.\n" +
		"Without a directory, the most recently updated sweep under results/.",
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		r := &reportRun{}
		fs.IntVar(&r.top, "top", 10, "ranked rows shown by table and markdown (0 = all)")
		fs.StringVar(&r.format, "format", "table", "output format: "+strings.Join(report.Formats, ", "))
		fs.BoolVar(&r.files, "files", true, "also write report.html, report.json and plots/ into the sweep's directory")
		fs.StringVar(&r.storage, "storage", "", "read the sweep from this PostgreSQL `URL`; the argument is then the sweep's name")
		fs.IntVar(&r.trial, "trial", -1, "show trial `N` in full instead: parameters, seeds, every run's last epoch, failure reason, and a command trial's log tails")
		return r.run
	},
}

// reportRun is what sweep report's flags ask for.
type reportRun struct {
	top, trial      int
	format, storage string
	files           bool
}

func (r *reportRun) run(_ context.Context, c *call) error {
	dir, err := c.dir(false)
	if err != nil {
		return err
	}
	if !slices.Contains(report.Formats, r.format) {
		return badUsage(fmt.Errorf("unknown format %q (want one of %s)", r.format, strings.Join(report.Formats, ", ")))
	}
	if dir == "" && r.storage == "" {
		if dir, err = latestSweep("results"); err != nil {
			return badUsage(err)
		}
	}
	spec, trials, err := load(r.storage, dir)
	if err != nil {
		return err
	}
	if r.storage != "" {
		// The files go to results/<name>/ for a study kept in a database.
		dir = filepath.Join("results", spec.Name)
		os.MkdirAll(dir, 0o755)
	}
	if r.trial >= 0 {
		return showTrial(c.stdout, spec, trials, r.trial, dir)
	}
	rep := report.Analyze(spec, trials)
	if err := report.Write(c.stdout, rep, r.format, r.top); err != nil {
		return err
	}
	if r.files {
		if err := report.WriteFiles(dir, spec, rep); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "Wrote %s, %s and %s/\n", filepath.Join(dir, report.HTMLFile), filepath.Join(dir, report.JSONFile), filepath.Join(dir, report.PlotsDir))
	}
	return nil
}

// load reads a sweep from its results directory, or by name from a
// PostgreSQL storage.
func load(storage, dirOrName string) (*study.Spec, []study.Trial, error) {
	if storage == "" {
		spec, trials, err := journal.Load(dirOrName, recipe.Table)
		if err != nil {
			err = &sweep.InputError{Err: err} // a directory that is not a sweep's, or a damaged journal
		}
		return spec, trials, err
	}
	if dirOrName == "" {
		return nil, nil, &sweep.InputError{Err: fmt.Errorf("with --storage, name the sweep")}
	}
	st, err := pgstore.Open(context.Background(), storage, pgstore.Options{RetryFor: 30 * time.Second})
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	spec, trials, err := study.Read(st, dirOrName, st.Redacted(), recipe.Table)
	if pgstore.Permanent(err) {
		err = &sweep.InputError{Err: err} // no such sweep, or a stored spec or row that does not read
	}
	return spec, trials, err
}

// latestSweep is the sweep directory under root whose journal changed
// last.
func latestSweep(root string) (string, error) {
	journals, _ := filepath.Glob(filepath.Join(root, "*", journal.FileName))
	var best string
	var bestTime int64
	for _, j := range journals {
		if st, err := os.Stat(j); err == nil && st.ModTime().UnixNano() > bestTime {
			best, bestTime = filepath.Dir(j), st.ModTime().UnixNano()
		}
	}
	if best == "" {
		return "", fmt.Errorf("no sweep under %s/; run one with sweep run SPEC, or name its directory", root)
	}
	return best, nil
}
