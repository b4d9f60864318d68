package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

var planCmd = &subcommand{
	Name:      "plan",
	UsageLine: "plan [flags] SPEC",
	Short:     "check a spec and show what it would run",
	Long:      "Checks a sweep spec and shows its search space and what it would run, without training.",
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		p := &planRun{}
		fs.IntVar(&p.workers, "workers", 0, "trials trained at once (default: number of CPUs)")
		fs.IntVar(&p.trials, "trials", 0, trialsUsage)
		fs.StringVar(&p.gpus, "gpus", "", gpusUsage)
		return p.run
	},
}

// planRun is what sweep plan's flags ask for.
type planRun struct {
	workers, trials int
	gpus            string
}

func (p *planRun) run(_ context.Context, c *call) error {
	path, err := c.one("spec file")
	if err != nil {
		return err
	}
	spec, _, err := loadSpec(path, p.trials)
	if err == nil {
		_, err = objectiveFor(spec, "")
	}
	workers := p.workers
	var slots []string
	if err == nil {
		slots, err = gpuSlots(spec, p.gpus, &workers)
	}
	if err != nil {
		return badUsage(err)
	}
	if workers <= 0 {
		workers = linalg.Procs()
	}
	if err := sweep.Plan(c.stdout, spec, recipe.Table, workers, "results"); err != nil {
		return err
	}
	writeGPUs(c.stdout, slots)
	return nil
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
