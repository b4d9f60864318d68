package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/sweep"
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

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := recipe.Defaults(recipe.ArchMLP)
	resnet := recipe.Defaults(recipe.ArchResNet)
	fs := flag.NewFlagSet("sweep train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: sweep train [flags]\n\nTrains one network and prints one line per epoch. Defaults reproduce the notebook's task.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&s.Arch, "arch", s.Arch, "architecture: "+strings.Join(recipe.Archs, ", "))
	fs.StringVar(&s.Impl, "impl", s.Impl, "implementation: scratch (hand-written backward pass) or gomlx (GoMLX autodiff)")
	fs.TextVar(&s.Sizes, "sizes", s.Sizes, "layer `widths`, input to output (resnet: "+resnet.Sizes.String()+")")
	fs.BoolVar(&s.PreActivation, "pre-activation", s.PreActivation, "resnet: activation before the weights, h = W·act(x) + b + shortcut")
	fs.BoolVar(&s.NoProjection, "no-projection", s.NoProjection, "resnet: leave layers whose widths differ plain instead of adding a learned projection")
	act := fs.String("activation", string(s.Activation), "hidden activation: "+join(network.Activations))
	init := fs.String("init", "", "weight initialisation: "+join(network.Inits)+" (default: he for relu-like, xavier otherwise)")
	opt := fs.String("optimizer", string(s.Optimizer), "optimizer: "+join(train.OptimizerKinds))
	fs.Float64Var(&s.LR, "lr", s.LR, fmt.Sprintf("learning rate (resnet: %g)", resnet.LR))
	fs.Float64Var(&s.Momentum, "momentum", s.Momentum, "momentum coefficient (momentum optimizer)")
	fs.BoolVar(&s.Nesterov, "nesterov", s.Nesterov, "Nesterov momentum (momentum optimizer)")
	fs.Float64Var(&s.WeightDecay, "weight-decay", s.WeightDecay, "L2 weight decay on weights (not biases)")
	sched := fs.String("schedule", string(s.Schedule), "learning-rate schedule: "+join(train.ScheduleKinds))
	fs.IntVar(&s.Warmup, "warmup", s.Warmup, "`epochs` of linear learning-rate warm-up")
	fs.IntVar(&s.StepSize, "step-size", s.StepSize, "`epochs` between decays (step schedule)")
	fs.Float64Var(&s.Gamma, "gamma", s.Gamma, "decay factor (step schedule)")
	fs.Float64Var(&s.MinLR, "min-lr", s.MinLR, "final learning rate (cosine schedule)")
	fs.IntVar(&s.Epochs, "epochs", s.Epochs, "training epochs")
	fs.IntVar(&s.Batch, "batch", s.Batch, fmt.Sprintf("minibatch size, 1 = per sample as in the notebook (resnet: %d)", resnet.Batch))
	fs.StringVar(&s.DType, "dtype", s.DType, "element type: float32 or float64")
	seed := fs.Uint64("seed", s.Seed, "seed of the split, the initial weights and the shuffling")
	fs.IntVar(&s.Subset, "subset", s.Subset, "use the first `N` training images (0 = all 60,000)")
	fs.Float64Var(&s.Validation, "val", s.Validation, "`fraction` held out for validation, stratified by label")
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
	// The settings whose defaults depend on the architecture take the
	// chosen architecture's unless given.
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	archDefaults := recipe.Defaults(s.Arch)
	if !explicit["sizes"] {
		s.Sizes = archDefaults.Sizes
	}
	if !explicit["batch"] {
		s.Batch = archDefaults.Batch
	}
	if !explicit["lr"] {
		s.LR = archDefaults.LR
	}
	s.Activation, s.Init = network.Activation(*act), network.Init(*init)
	s.Optimizer, s.Schedule = train.OptimizerKind(*opt), train.ScheduleKind(*sched)
	s.Seed, s.SplitSeed = *seed, *seed
	if err := s.Validate(); err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}

	data, err := dataset.Load(*dataSrc)
	if err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}
	res, err := recipe.Run(ctx, data, s, recipe.Options{
		Test: *test,
		OnStart: func(m recipe.Model, trainN, valN int) {
			fmt.Fprintf(stdout, "Training %s on %d images, validating on %d (%s): %s lr %g, %s schedule, batch %d, %d epochs, %s, seed %d\n",
				m, trainN, valN, data.Source, s.Optimizer, s.LR, s.Schedule, s.Batch, s.Epochs, s.DType, s.Seed)
		},
		OnEpoch: func(e train.Epoch) error {
			fmt.Fprintf(stdout, "Epoch: %d, Training Time: %.2fs, Training Accuracy: %.2f%%, Validation Accuracy: %.2f%%, Learning Rate: %.4g, Training Loss: %.4f, Validation Loss: %.4f\n",
				e.Epoch, e.Seconds, 100*e.TrainAccuracy, 100*e.ValAccuracy, e.LR, e.TrainLoss, e.ValLoss)
			return nil
		},
	})
	if res == nil { // invalid settings for this data
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		return exitUsage
	}
	status := exitOK
	if err != nil {
		fmt.Fprintf(stderr, "sweep train: %v\n", err)
		status = exitFailure
	} else if *test {
		fmt.Fprintf(stdout, "Test Accuracy: %.2f%%, Test Loss: %.4f (%d images)\n", 100*res.TestAccuracy, res.TestLoss, data.Test.Len())
	}
	if *jsonPath != "" {
		rep := trainReport{Model: res.Model.String(), Build: sweep.Build(), Data: data.Source, Settings: s, TrainImages: res.TrainN, ValImages: res.ValN, History: res.History}
		if err != nil {
			rep.Error = err.Error()
		} else if *test {
			rep.TestAccuracy, rep.TestLoss = &res.TestAccuracy, &res.TestLoss
		}
		if werr := safefile.Write(*jsonPath, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}); werr != nil {
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

func join[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}
