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

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep train [flags]\n\nTrains one network and prints one line per epoch. Defaults reproduce the notebook's task.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	settings := trainFlags(fs)
	test := fs.Bool("test", false, "also report accuracy on the 10,000-image test set")
	dataSrc := fs.String("data", dataset.EmbeddedSource, "data `source`: mnist (embedded) or a directory of MNIST-named IDX files")
	jsonPath := fs.String("json", "", "write the history as JSON to `file`")
	savePath := fs.String("save", "", "save the trained model to `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sweep train: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}
	s := settings()
	if err := s.Validate(); err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}

	data, err := dataset.Load(*dataSrc, s.Subset)
	var testSet *dataset.Set
	if err == nil && *test {
		testSet, err = data.Test()
	}
	if err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}
	if s.Folds > 1 {
		if *jsonPath != "" || *savePath != "" {
			fmt.Fprintln(stderr, "sweep train: --json and --save keep one run; cross-validation (--folds) trains several")
			return exitUsage
		}
		return trainFolds(ctx, data, s, testSet, stdout, stderr)
	}
	res, err := recipe.Run(ctx, data, s, printing(data, s, *test, stdout))
	if res == nil { // invalid settings for this data
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}
	status := exitOK
	if err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		status = exitFailure
	} else if *test {
		fmt.Fprintf(stdout, "Test Accuracy: %.2f%%, Test Loss: %.4f (%d images)\n", 100*res.TestAccuracy, res.TestLoss, testSet.Len())
	}
	if *jsonPath != "" {
		if werr := writeHistory(*jsonPath, res, err, s, data.Source, *test); werr != nil {
			fmt.Fprintf(stderr, "sweep train: --json: %v\n", werr)
			return exitFailure
		}
	}
	if *savePath != "" && err == nil {
		if werr := safefile.Write(*savePath, res.Model.Save); werr != nil {
			fmt.Fprintf(stderr, "sweep train: --save: %v\n", werr)
			return exitFailure
		}
	}
	return status
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
func trainFolds(ctx context.Context, data *dataset.Data, s recipe.Settings, testSet *dataset.Set, stdout, stderr io.Writer) int {
	test := testSet != nil
	var acc, loss, testAcc []float64
	for fold := range s.Folds {
		s.Fold = fold
		res, err := recipe.Run(ctx, data, s, printing(data, s, test, stdout))
		if err != nil {
			fmt.Fprintf(stderr, "sweep train: fold %d: %v\n", fold+1, err)
			if res == nil {
				return exitUsage
			}
			return exitFailure
		}
		last := res.History.Last()
		acc, loss, testAcc = append(acc, last.ValAccuracy), append(loss, last.ValLoss), append(testAcc, res.TestAccuracy)
	}
	a, l := study.TInterval(acc), study.TInterval(loss)
	fmt.Fprintf(stdout, "Cross-validated over %d folds: Validation Accuracy: %.2f%% (95%% interval %.2f–%.2f%%), Validation Loss: %.4f ± %.4f\n",
		s.Folds, 100*a.Mean, 100*a.Low, 100*a.High, l.Mean, l.HalfWidth)
	if test {
		t := study.TInterval(testAcc)
		fmt.Fprintf(stdout, "Test Accuracy: %.2f%% (95%% interval over the folds' models %.2f–%.2f%%, %d images)\n", 100*t.Mean, 100*t.Low, 100*t.High, testSet.Len())
	}
	return exitOK
}
