package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/safefile"
)

var dataCmd = &subcommand{
	Name:      "data",
	UsageLine: "data export DIR | data split [flags] FILE",
	Short:     "write the embedded MNIST's files into DIR, or sweep train's split to FILE (JSON)",
	Long: `sweep data export DIR
    writes the embedded MNIST's four files (gzip-compressed IDX, the official names and
    bytes) into DIR, for programs of other languages to read the same data
sweep data split [--subset N] [--validation F] [--seed S] FILE
    writes the training and validation rows of sweep train's split (the first N training
    images, F held out, stratified, drawn from seed S) to FILE as JSON, for programs of
    other languages to train and validate on the same images`,
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		d := &dataRun{}
		fs.IntVar(&d.subset, "subset", 1000, "split: the first `N` training images (0 = all)")
		fs.Float64Var(&d.validation, "validation", 0.2, "split: `fraction` held out for validation")
		fs.Uint64Var(&d.seed, "seed", 42, "split: the split's `seed`")
		return d.run
	},
}

// dataRun is what sweep data's flags ask for.
type dataRun struct {
	subset     int
	validation float64
	seed       uint64
}

func (d *dataRun) run(_ context.Context, c *call) error {
	args, err := c.parse()
	if err != nil {
		return err
	}
	switch {
	case len(args) == 2 && args[0] == "export":
		written, err := dataset.Export(args[1])
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(c.stdout, "%s: the four MNIST files (%d written, %d already there)\n", args[1], len(written), 4-len(written))
		return nil
	case len(args) == 2 && args[0] == "split":
		return d.split(c, args[1])
	case len(args) > 0 && (args[0] == "export" || args[0] == "split"):
		return c.wrong("%s: want one %s, got %d arguments", args[0], map[string]string{"export": "directory", "split": "file"}[args[0]], len(args)-1)
	case len(args) > 0:
		return c.wrong("unknown action %q: want export or split", args[0])
	}
	return c.wrong("want export DIR or split FILE")
}

// split writes sweep train's split to path.
func (d *dataRun) split(c *call, path string) error {
	data, err := dataset.Load(dataset.EmbeddedSource, d.subset)
	if err != nil {
		return fmt.Errorf("split: %v", err)
	}
	train, val, err := data.Train.First(d.subset).Split(d.validation, d.seed)
	if err != nil {
		return badUsage(fmt.Errorf("split: %w", err))
	}
	doc := map[string]any{"subset": d.subset, "validation": d.validation, "seed": d.seed, "train": train.Rows(), "validation_rows": val.Rows()}
	if err := safefile.Write(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(doc) }); err != nil {
		return fmt.Errorf("split: %w", err)
	}
	fmt.Fprintf(c.stdout, "%s: %d training and %d validation rows of the first %d images (seed %d)\n", path, train.Len(), val.Len(), d.subset, d.seed)
	return nil
}
