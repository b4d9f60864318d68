package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/stats"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/train"
)

// trainReport is what --json writes.
type trainReport struct {
	Model        string          `json:"model"`
	Build        string          `json:"build"`
	Data         string          `json:"data"`
	Settings     recipe.Settings `json:"settings"`
	TrainImages  int             `json:"train_images"`
	ValImages    int             `json:"validation_images"`
	History      train.History   `json:"history"`
	TestAccuracy *float64        `json:"test_accuracy,omitempty"`
	TestLoss     *float64        `json:"test_loss,omitempty"`
	Error        string          `json:"error,omitempty"`
}

// settingFlag is a flag of sweep train made from a row of recipe.Table:
// it checks its text and records it, to be applied on the defaults of the
// architecture chosen.
type settingFlag struct {
	def   recipe.Def
	given map[string]string
}

func (f *settingFlag) String() string { return "" }

func (f *settingFlag) Set(text string) error {
	scratch := recipe.Defaults(recipe.ArchMLP)
	if err := f.def.Parse(&scratch, text); err != nil {
		return err
	}
	f.given[f.def.Name] = text
	return nil
}

func (f *settingFlag) IsBoolFlag() bool { return f.def.Kind == study.Boolean }

// trainFlags declares a flag per training setting, then the flags that
// are not settings; settings returns the settings the flags given select.
func trainFlags(fs *flag.FlagSet) (settings func() recipe.Settings) {
	given := map[string]string{}
	for _, d := range recipe.Table {
		fs.Var(&settingFlag{def: d, given: given}, d.FlagName(), fmt.Sprintf("%s (default %s)", d.Doc, d.Default()))
	}
	return func() recipe.Settings {
		s := recipe.Defaults(given["arch"])
		if given["arch"] == "" {
			s = recipe.Defaults(recipe.ArchMLP)
		}
		for _, d := range recipe.Table {
			if text, ok := given[d.Name]; ok {
				d.Parse(&s, text) // checked when the flag was set
			}
		}
		return s
	}
}

var trainCmd = &subcommand{
	Name:      "train",
	UsageLine: "train [flags]",
	Short:     "train one network and print one line per epoch",
	Long:      "Trains one network and prints one line per epoch. Defaults reproduce the notebook's task.",
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		settings := trainFlags(fs)
		t := trainRun{settings: settings}
		fs.BoolVar(&t.test, "test", false, "also report accuracy on the 10,000-image test set")
		fs.StringVar(&t.data, "data", dataset.EmbeddedSource, "data `source`: mnist (embedded) or a directory of MNIST-named IDX files")
		fs.StringVar(&t.json, "json", "", "write the history as JSON to `file`")
		fs.StringVar(&t.save, "save", "", "save the trained model to `file`")
		return t.run
	},
}

// trainRun is what sweep train's flags ask for.
type trainRun struct {
	settings         func() recipe.Settings
	test             bool
	data, json, save string
}

func (t *trainRun) run(ctx context.Context, c *call) error {
	if err := c.none(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx) // the first Ctrl-C stops training
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	s := t.settings()
	if err := s.Validate(); err != nil {
		return badUsage(err)
	}
	data, err := dataset.Load(t.data, s.Subset)
	var testSet *dataset.Set
	if err == nil && t.test {
		testSet, err = data.Test()
	}
	if err != nil {
		return badUsage(err)
	}
	if s.Folds > 1 {
		if t.json != "" || t.save != "" {
			return badUsage(errors.New("--json and --save keep one run; cross-validation (--folds) trains several"))
		}
		return trainFolds(ctx, data, s, testSet, c.stdout)
	}
	res, err := recipe.Run(ctx, data, s, printing(data, s, t.test, c.stdout))
	if res == nil { // invalid settings for this data
		return badUsage(err)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.fs.Name(), err) // and still write what --json asks for
	} else if t.test {
		fmt.Fprintf(c.stdout, "Test Accuracy: %.2f%%, Test Loss: %.4f (%d images)\n", 100*res.TestAccuracy, res.TestLoss, testSet.Len())
	}
	if t.json != "" {
		if werr := writeHistory(t.json, res, err, s, data.Source, t.test); werr != nil {
			return fmt.Errorf("--json: %v", werr) // a failure to write, not a bad argument: exit 1
		}
	}
	if t.save != "" && err == nil {
		if werr := safefile.Write(t.save, res.Model.Save); werr != nil {
			return fmt.Errorf("--save: %v", werr)
		}
	}
	if err != nil {
		return exited(exitFailure)
	}
	return nil
}

// writeHistory writes what --json asks for: settings, history, and the
// test figures or the error.
func writeHistory(path string, res *recipe.Result, err error, s recipe.Settings, source string, test bool) error {
	rep := trainReport{Model: res.Model.String(), Build: linalg.Build(), Data: source, Settings: s, TrainImages: res.TrainN, ValImages: res.ValN, History: res.History}
	if err != nil {
		rep.Error = err.Error()
	} else if test {
		rep.TestAccuracy, rep.TestLoss = &res.TestAccuracy, &res.TestLoss
	}
	return safefile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	})
}

// printing are the options that print the notebook's lines as a run
// trains.
func printing(data *dataset.Data, s recipe.Settings, test bool, stdout io.Writer) recipe.Options {
	return recipe.Options{
		Test: test,
		OnStart: func(m recipe.Model, trainN, valN int) {
			fold := ""
			if s.Folds > 1 {
				fold = fmt.Sprintf(" (fold %d of %d)", s.Fold+1, s.Folds)
			}
			fmt.Fprintf(stdout, "Training %s on %d images, validating on %d%s (%s): %s lr %g, %s schedule, batch %d, %d epochs, %s, seed %d\n",
				m, trainN, valN, fold, data.Source, s.Optimizer, s.LR, s.Schedule, s.Batch, s.Epochs, s.DType, s.Seed)
		},
		OnEpoch: func(e train.Epoch) error {
			fmt.Fprintf(stdout, "Epoch: %d, Training Time: %.2fs, Training Accuracy: %.2f%%, Validation Accuracy: %.2f%%, Learning Rate: %.4g, Training Loss: %.4f, Validation Loss: %.4f\n",
				e.Epoch, e.Seconds, 100*e.TrainAccuracy, 100*e.ValAccuracy, e.LR, e.TrainLoss, e.ValLoss)
			return nil
		},
	}
}

// trainFolds cross-validates: one run per fold, then their mean with its
// 95% interval (Student's t over the folds).
func trainFolds(ctx context.Context, data *dataset.Data, s recipe.Settings, testSet *dataset.Set, stdout io.Writer) error {
	test := testSet != nil
	var acc, loss, testAcc []float64
	for fold := range s.Folds {
		s.Fold = fold
		res, err := recipe.Run(ctx, data, s, printing(data, s, test, stdout))
		if res == nil {
			return badUsage(fmt.Errorf("fold %d: %w", fold+1, err))
		}
		if err != nil {
			return fmt.Errorf("fold %d: %w", fold+1, err)
		}
		last := res.History.Last()
		acc, loss, testAcc = append(acc, last.ValAccuracy), append(loss, last.ValLoss), append(testAcc, res.TestAccuracy)
	}
	a, l := stats.TInterval(acc), stats.TInterval(loss)
	fmt.Fprintf(stdout, "Cross-validated over %d folds: Validation Accuracy: %.2f%% (95%% interval %.2f–%.2f%%), Validation Loss: %.4f ± %.4f\n",
		s.Folds, 100*a.Mean, 100*a.Low, 100*a.High, l.Mean, l.HalfWidth)
	if test {
		t := stats.TInterval(testAcc)
		fmt.Fprintf(stdout, "Test Accuracy: %.2f%% (95%% interval over the folds' models %.2f–%.2f%%, %d images)\n", 100*t.Mean, 100*t.Low, 100*t.High, testSet.Len())
	}
	return nil
}
