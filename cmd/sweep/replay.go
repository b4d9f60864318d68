package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

var replayCmd = &subcommand{
	Name:      "replay",
	UsageLine: "replay results/NAME --trial N",
	Short:     "train a recorded trial again and compare, epoch by epoch",
	Long: "Trains trial N again from its recorded parameters and seed and compares every epoch with the record.\n" +
		"Exit status 0 only if they are identical.",
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		r := &replayRun{}
		fs.IntVar(&r.trial, "trial", -1, "the trial's `number`")
		fs.StringVar(&r.storage, "storage", "", "read the sweep from this PostgreSQL `URL`; the argument is then the sweep's name")
		return r.run
	},
}

// replayRun is what sweep replay's flags ask for.
type replayRun struct {
	trial   int
	storage string
}

func (r *replayRun) run(ctx context.Context, c *call) error {
	dir, err := c.dir(true)
	if err != nil {
		return err
	}
	if r.trial < 0 {
		return badUsage(errors.New("--trial N is required"))
	}
	spec, trials, err := load(r.storage, dir)
	if err != nil {
		return err
	}
	obj, err := objectiveFor(spec, filepath.Join(os.TempDir(), "sweep-replay-"+spec.Name))
	if err != nil {
		return badUsage(err)
	}
	trial, runs, err := sweep.Replay(ctx, spec, trials, r.trial, obj)
	if err != nil {
		return badUsage(err)
	}
	fmt.Fprintf(c.stdout, "Trial %d of %s (%s): %s\n", trial.Number, spec.Name, study.Describe(trial.Params), trial.State)
	if b, ok := obj.(sweep.Builder); ok && trial.Build != "" && trial.Build != b.Build() {
		fmt.Fprintf(c.stdout, "Note: recorded with %s; replaying with %s. Another BLAS or compiler may change float64 results in the last bits, and float32 ones more.\n", trial.Build, b.Build())
	}
	same := true
	for _, run := range runs {
		fmt.Fprintf(c.stdout, "\nRun %d, seed %d\n", run.Repeat+1, run.Seed)
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		compared(tw, run)
		tw.Flush()
		if run.Identical() {
			fmt.Fprintf(c.stdout, "identical: all %d epochs\n", len(run.Recorded))
		} else {
			same = false
			fmt.Fprintf(c.stdout, "DIFFERENT from the record\n")
		}
	}
	if !same {
		return fmt.Errorf("trial %d does not replay identically", trial.Number)
	}
	return nil
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
