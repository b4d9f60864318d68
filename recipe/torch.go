package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/train"
)

// ImplTorch trains the MLP with PyTorch: the notebook's third
// implementation, examples/torch_mnist/train.py, run as a program on the
// same images, split and settings (see docs/programs.md).
const ImplTorch = "torch"

// Where the PyTorch implementation lives: Debian's Python with its torch,
// and the script, relative to the working directory (the repository's
// root, where make runs).
var (
	TorchPython = "/usr/bin/python3"
	TorchScript = "examples/torch_mnist/train.py"
)

// checkTorch reports the first setting the PyTorch script does not have.
func (s Settings) checkTorch() error {
	switch {
	case s.Arch != ArchMLP:
		return fmt.Errorf("impl torch trains the MLP only, not arch %s", s.Arch)
	case s.Activation != network.ReLU || s.Init != "" && s.Init != network.He:
		return fmt.Errorf("impl torch trains ReLU units with He initialisation, not %s/%s", s.Activation, s.Init)
	case s.Optimizer != train.Momentum && s.Optimizer != train.SGD, s.Nesterov, s.WeightDecay != 0:
		return fmt.Errorf("impl torch trains with SGD or momentum (no Nesterov, no weight decay), not %s", s.Optimizer)
	case s.Schedule != train.Cosine && s.Schedule != train.Constant, s.Warmup != 0, s.MinLR != 0:
		return fmt.Errorf("impl torch anneals cosine to 0 or keeps the rate constant, without warm-up, not %s", s.Schedule)
	}
	return nil
}

// torchModel stands for a model trained by the PyTorch program.
type torchModel struct{ s Settings }

func (m torchModel) String() string {
	return fmt.Sprintf("MLP %s relu (PyTorch, float32, %s)", strings.ReplaceAll(m.s.Sizes.String(), ",", "-"), TorchScript)
}

func (m torchModel) Save(io.Writer) error {
	return errors.New("impl torch: the model lives in its PyTorch program; sweep does not save it")
}

// runTorch trains with the PyTorch program: the data as files, the views'
// rows as its split, the settings as its flags; its epochs are reported
// as this package's own.
func runTorch(ctx context.Context, data *dataset.Data, trainSet, valSet dataset.View, s Settings, opt Options) (*Result, error) {
	tmp, err := os.MkdirTemp("", "sweep-torch-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := data.Source
	if dir == dataset.EmbeddedSource {
		dir = filepath.Join(os.TempDir(), "sweep-mnist")
		if _, err := dataset.Export(dir); err != nil {
			return nil, err
		}
	}
	split := filepath.Join(tmp, "split.json")
	if err := writeSplit(split, trainSet, valSet); err != nil {
		return nil, err
	}
	momentum := s.Momentum
	if s.Optimizer == train.SGD {
		momentum = 0
	}
	argv := []string{TorchPython, TorchScript, "--data", dir, "--split", split, "--subset", strconv.Itoa(trainSet.Len() + valSet.Len()),
		"--sizes", s.Sizes.String(), "--lr", strconv.FormatFloat(s.LR, 'g', -1, 64), "--momentum", strconv.FormatFloat(momentum, 'g', -1, 64),
		"--batch", strconv.Itoa(s.Batch), "--epochs", strconv.Itoa(s.Epochs), "--schedule", string(s.Schedule), "--seed", strconv.FormatUint(s.Seed, 10)}
	if opt.Test {
		argv = append(argv, "--test")
	}
	res := &Result{Model: torchModel{s}, TrainN: trainSet.Len(), ValN: valSet.Len()}
	if opt.OnStart != nil {
		opt.OnStart(res.Model, res.TrainN, res.ValN)
	}
	prog := &command.Objective{Argv: argv, Dir: tmp}
	err = prog.Run(ctx, study.TrialRun{}, func(e study.Epoch) error {
		e = e.Named()
		res.TestLoss, res.TestAccuracy = e.TestLoss, e.TestAccuracy
		e.TestLoss, e.TestAccuracy = 0, 0
		res.History.Epochs = append(res.History.Epochs, e)
		if opt.OnEpoch != nil {
			return opt.OnEpoch(e)
		}
		return nil
	})
	if errors.Is(err, train.ErrStop) {
		res.History.Stopped, err = true, nil
	}
	if err == nil && len(res.History.Epochs) != s.Epochs && !res.History.Stopped {
		err = fmt.Errorf("%s printed %d epochs of %d", TorchScript, len(res.History.Epochs), s.Epochs)
	}
	return res, err
}

// writeSplit writes the views' rows as the script's --split file.
func writeSplit(path string, trainSet, valSet dataset.View) error {
	b, err := json.Marshal(map[string][]int{"train": trainSet.Rows(), "validation_rows": valSet.Rows()})
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
