package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

func cmdReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep report [flags] [results/NAME]\n\nReports a sweep: ranked trials, each parameter's effect and importance, and which hyperparameters work best.\nWithout a directory, the most recently updated sweep under results/.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	top := fs.Int("top", 10, "ranked rows shown by table and markdown (0 = all)")
	format := fs.String("format", "table", "output format: "+strings.Join(report.Formats, ", "))
	files := fs.Bool("files", true, "also write report.html, report.json and plots/ into the sweep's directory")
	storage := fs.String("storage", "", "read the sweep from this PostgreSQL `URL`; the argument is then the sweep's name")
	number := fs.Int("trial", -1, "show trial `N` in full instead: parameters, seeds, every run's last epoch, failure reason, and a command trial's log tails")
	dir, code := parseDir(fs, args, stderr, false)
	if code >= 0 {
		return code
	}
	if !slices.Contains(report.Formats, *format) {
		fmt.Fprintf(stderr, "sweep report: unknown format %q (want one of %s)\n", *format, strings.Join(report.Formats, ", "))
		return exitUsage
	}
	if dir == "" && *storage == "" {
		var err error
		if dir, err = latestSweep("results"); err != nil {
			fmt.Fprintf(stderr, "sweep report: %v\n", err)
			return exitUsage
		}
	}
	spec, trials, err := load(*storage, dir)
	if err != nil {
		fmt.Fprintf(stderr, "sweep report: %v\n", err)
		return exitFor(err)
	}
	if *storage != "" {
		// The files go to results/<name>/ for a study kept in a database.
		dir = filepath.Join("results", spec.Name)
		os.MkdirAll(dir, 0o755)
	}
	if *number >= 0 {
		return showTrial(stdout, stderr, spec, trials, *number, dir)
	}
	r := report.Analyze(spec, trials)
	if err := report.Write(stdout, r, *format, *top); err != nil {
		fmt.Fprintf(stderr, "sweep report: %v\n", err)
		return exitFailure
	}
	if *files {
		if err := report.WriteFiles(dir, spec, r); err != nil {
			fmt.Fprintf(stderr, "sweep report: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "Wrote %s, %s and %s/\n", filepath.Join(dir, report.HTMLFile), filepath.Join(dir, report.JSONFile), filepath.Join(dir, report.PlotsDir))
	}
	return exitOK
}

func cmdReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep replay results/NAME --trial N\n\nTrains trial N again from its recorded parameters and seed and compares every epoch with the record.\nExit status 0 only if they are identical.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	number := fs.Int("trial", -1, "the trial's `number`")
	storage := fs.String("storage", "", "read the sweep from this PostgreSQL `URL`; the argument is then the sweep's name")
	dir, code := parseDir(fs, args, stderr, true)
	if code >= 0 {
		return code
	}
	if *number < 0 {
		fmt.Fprintln(stderr, "sweep replay: --trial N is required")
		return exitUsage
	}
	spec, trials, err := load(*storage, dir)
	if err != nil {
		fmt.Fprintf(stderr, "sweep replay: %v\n", err)
		return exitFor(err)
	}
	obj, err := objectiveFor(spec, filepath.Join(os.TempDir(), "sweep-replay-"+spec.Name))
	if err != nil {
		fmt.Fprintf(stderr, "sweep replay: %v\n", err)
		return exitUsage
	}
	trial, runs, err := sweep.Replay(ctx, spec, trials, *number, obj)
	if err != nil {
		fmt.Fprintf(stderr, "sweep replay: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "Trial %d of %s (%s): %s\n", trial.Number, spec.Name, study.Describe(trial.Params), trial.State)
	if b, ok := obj.(sweep.Builder); ok && trial.Build != "" && trial.Build != b.Build() {
		now := b.Build()
		fmt.Fprintf(stdout, "Note: recorded with %s; replaying with %s. Another BLAS or compiler may change float64 results in the last bits, and float32 ones more.\n", trial.Build, now)
	}
	same := true
	for _, run := range runs {
		fmt.Fprintf(stdout, "\nRun %d, seed %d\n", run.Repeat+1, run.Seed)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		compared(tw, run)
		tw.Flush()
		if run.Identical() {
			fmt.Fprintf(stdout, "identical: all %d epochs\n", len(run.Recorded))
		} else {
			same = false
			fmt.Fprintf(stdout, "DIFFERENT from the record\n")
		}
	}
	if !same {
		fmt.Fprintf(stderr, "sweep replay: trial %d does not replay identically\n", trial.Number)
		return exitFailure
	}
	return exitOK
}

// load reads a sweep from its results directory, or by name from a
// PostgreSQL storage.
func load(storage, dirOrName string) (*study.Spec, []study.Trial, error) {
	if storage == "" {
		spec, trials, err := study.Load(dirOrName, recipe.Table)
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

// parseDir parses flags and at most one directory argument, given before
// or after the flags; code ≥ 0 means return it.
func parseDir(fs *flag.FlagSet, args []string, stderr io.Writer, required bool) (string, int) {
	positional, code := parseArgs(fs, args)
	if code >= 0 {
		return "", code
	}
	if len(positional) > 1 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), positional[1])
		return "", exitUsage
	}
	if len(positional) == 0 && required {
		fmt.Fprintf(stderr, "%s: want a sweep's results directory, e.g. results/lr_sizes\n", fs.Name())
		fs.Usage()
		return "", exitUsage
	}
	if len(positional) == 0 {
		return "", -1
	}
	return positional[0], -1
}

// latestSweep is the sweep directory under root whose journal changed
// last.
func latestSweep(root string) (string, error) {
	journals, _ := filepath.Glob(filepath.Join(root, "*", study.JournalFile))
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

// compared writes a replayed run beside its record, epoch by epoch: the
// built-in networks' losses and accuracy, or a program's every figure.
func compared(tw io.Writer, run sweep.Replayed) {
	same := func(i int) string { return map[bool]string{true: "yes", false: "NO"}[run.Same(i)] }
	if len(run.Recorded) > 0 && run.Recorded[0].Metrics != nil { // a program's reports
		fmt.Fprintln(tw, "report\trecorded\treplayed\tsame")
		for i, rec := range run.Recorded {
			rep := "(none)"
			if i < len(run.Replayed) {
				rep = figures(run.Replayed[i])
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", rec.Epoch, figures(rec), rep, same(i))
		}
		return
	}
	fmt.Fprintln(tw, "epoch\ttrain loss: recorded\treplayed\tval accuracy: recorded\treplayed\tval loss: recorded\treplayed\tsame")
	for i, rec := range run.Recorded {
		rep := study.Epoch{Epoch: rec.Epoch}
		if i < len(run.Replayed) {
			rep = run.Replayed[i]
		}
		fmt.Fprintf(tw, "%d\t%.10g\t%.10g\t%.4f\t%.4f\t%.10g\t%.10g\t%s\n", rec.Epoch,
			rec.TrainLoss, rep.TrainLoss, rec.ValAccuracy, rep.ValAccuracy, rec.ValLoss, rep.ValLoss, same(i))
	}
}
