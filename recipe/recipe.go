package recipe

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/sweepml/sweep/autodiff"
	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/residual"
	"github.com/sweepml/sweep/train"
)

// Settings are everything that determines one trained model. The same
// settings on the same data give a bit-identical history and weights.
type Settings struct {
	Arch string `json:"arch"` // mlp | resnet
	Impl string `json:"impl"` // scratch | gomlx

	Sizes      Sizes              `json:"sizes"`
	Activation network.Activation `json:"activation"`
	Init       network.Init       `json:"init,omitempty"` // "" = suited to the activation
	// Residual networks only: the pre-activation form, and plain layers
	// instead of projections where widths differ.
	PreActivation bool `json:"pre_activation,omitempty"`
	NoProjection  bool `json:"no_projection,omitempty"`

	Optimizer   train.OptimizerKind `json:"optimizer"`
	LR          float64             `json:"lr"`
	Momentum    float64             `json:"momentum"`
	Nesterov    bool                `json:"nesterov"`
	WeightDecay float64             `json:"weight_decay"`

	Schedule train.ScheduleKind `json:"schedule"`
	Warmup   int                `json:"warmup"`
	StepSize int                `json:"step_size"`
	Gamma    float64            `json:"gamma"`
	MinLR    float64            `json:"min_lr"`

	Epochs int    `json:"epochs"`
	Batch  int    `json:"batch"`
	DType  string `json:"dtype"` // float32 | float64
	// Seed drives the initial weights and the order of examples.
	Seed uint64 `json:"seed"`

	// Subset takes the first Subset training images (0 = all); Validation
	// of them, stratified by label and drawn with SplitSeed, are held out.
	Subset     int     `json:"subset"`
	Validation float64 `json:"validation"`
	SplitSeed  uint64  `json:"split_seed"`
	// Folds > 1 cross-validates instead of holding Validation out: the
	// subset is dealt into Folds stratified folds (with SplitSeed), and
	// this run validates on fold Fold and trains on the others.
	Folds int `json:"folds,omitempty"`
	Fold  int `json:"fold,omitempty"`
}

// The architectures and implementations.
const (
	ArchMLP     = "mlp"
	ArchResNet  = "resnet"
	ImplScratch = "scratch"
	ImplGoMLX   = "gomlx"
)

// Impls lists the valid implementations.
var Impls = []string{ImplScratch, ImplGoMLX, ImplTorch}

// Archs lists the valid architectures.
var Archs = []string{ArchMLP, ArchResNet}

// Defaults returns the settings of the notebook's task for an
// architecture, with the hyperparameters that reach the accuracy stated in
// the README. The notebook trained its two networks differently; so do we:
//
//	mlp:    784-128-64-10,  batch 4, learning rate 0.01
//	resnet: 784-128-128-10, batch 8, learning rate 0.015
//
// The residual network takes larger steps along its shortcuts; with
// batch 4 it trains at the edge of stability, where the loss rises between
// epochs and rounding differences grow chaotically.
func Defaults(arch string) Settings {
	s := Settings{
		Arch:       arch,
		Impl:       ImplScratch,
		Sizes:      Sizes{784, 128, 64, 10},
		Activation: network.ReLU,
		Optimizer:  train.Momentum,
		LR:         0.01,
		Momentum:   0.9,
		Schedule:   train.Cosine,
		StepSize:   10,
		Gamma:      0.1,
		Epochs:     30,
		Batch:      4,
		DType:      "float64",
		Seed:       42,
		Subset:     1000,
		Validation: 0.2,
		SplitSeed:  42,
	}
	if arch == ArchResNet {
		s.Sizes, s.Batch, s.LR = Sizes{784, 128, 128, 10}, 8, 0.015
	}
	return s
}

// Validate reports the first invalid setting, naming it.
func (s Settings) Validate() error {
	if s.Arch != ArchMLP && s.Arch != ArchResNet {
		return fmt.Errorf("arch %q: want one of %v", s.Arch, Archs)
	}
	if s.Arch == ArchMLP && (s.PreActivation || s.NoProjection) {
		return fmt.Errorf("pre-activation and no-projection apply to arch %s, not %s", ArchResNet, s.Arch)
	}
	if !slices.Contains(Impls, s.Impl) {
		return fmt.Errorf("impl %q: want one of %v", s.Impl, Impls)
	}
	if s.Impl == ImplTorch {
		if err := s.checkTorch(); err != nil {
			return err
		}
	}
	if err := s.networkConfig().Validate(); err != nil {
		return err
	}
	if s.DType != "float32" && s.DType != "float64" {
		return fmt.Errorf("dtype %q: want float32 or float64", s.DType)
	}
	if s.Subset < 0 {
		return fmt.Errorf("subset %d: want ≥ 0 (0 = all images)", s.Subset)
	}
	if !(s.Validation > 0 && s.Validation < 1) {
		return fmt.Errorf("validation fraction %v: want a number strictly between 0 and 1", s.Validation)
	}
	if s.Folds < 0 || s.Folds == 1 {
		return fmt.Errorf("folds %d: want 0 (no cross-validation) or at least 2", s.Folds)
	}
	if s.Fold < 0 || (s.Fold > 0 && s.Fold >= s.Folds) {
		return fmt.Errorf("fold %d of %d: no such fold", s.Fold, s.Folds)
	}
	return s.TrainConfig().Validate()
}

func (s Settings) networkConfig() network.Config {
	return network.Config{Sizes: s.Sizes, Activation: s.Activation, Init: s.Init, Seed: s.Seed}
}

func (s Settings) residualConfig() residual.Config {
	return residual.Config{Sizes: s.Sizes, Activation: s.Activation, Init: s.Init, Seed: s.Seed,
		PreActivation: s.PreActivation, NoProjection: s.NoProjection}
}

// model is what run trains: a train.Model that can be saved and described.
type model[T train.Float] interface {
	train.Model[T]
	Model
}

// build constructs the model the settings describe, freshly initialised.
// A GoMLX model starts from the weights of its scratch twin, so that the
// two implementations begin identically.
func build[T float32 | float64](s Settings) (model[T], error) {
	if s.Arch == ArchResNet {
		r, err := residual.New[T](s.residualConfig())
		if err != nil || s.Impl == ImplScratch {
			return r, err
		}
		backend, err := autodiff.NewBackend()
		if err != nil {
			return nil, err
		}
		return autodiff.FromResidual(backend, r)
	}
	m, err := network.New[T](s.networkConfig())
	if err != nil || s.Impl == ImplScratch {
		return m, err
	}
	backend, err := autodiff.NewBackend()
	if err != nil {
		return nil, err
	}
	return autodiff.FromMLP(backend, m)
}

// TrainConfig is the training part of the settings.
func (s Settings) TrainConfig() train.Config {
	return train.Config{
		Epochs:    s.Epochs,
		BatchSize: s.Batch,
		Optimizer: train.Optimizer{
			Kind:        s.Optimizer,
			LR:          s.LR,
			Momentum:    s.Momentum,
			Nesterov:    s.Nesterov,
			WeightDecay: s.WeightDecay,
		},
		Schedule: train.Schedule{Kind: s.Schedule, Warmup: s.Warmup, StepSize: s.StepSize, Gamma: s.Gamma, MinLR: s.MinLR},
		Seed:     s.Seed,
	}
}

// CheckData reports whether the settings fit the data: the input layer's
// width, the output layer's classes, the subset's size.
func (s Settings) CheckData(data *dataset.Data) error {
	if s.Sizes[0] != data.Train.Images.Size() {
		return fmt.Errorf("sizes %v: the input layer must have %d units, one per pixel of the %d×%d images of %s",
			s.Sizes, data.Train.Images.Size(), data.Train.Images.Rows, data.Train.Images.Cols, data.Source)
	}
	if out := s.Sizes[len(s.Sizes)-1]; out < data.Train.Classes {
		for i, l := range data.Train.Labels {
			if int(l) >= out && data.Train.Classes > 10 { // more classes than digits: a label out of range
				return fmt.Errorf("label %d of image %d in %s is beyond the output layer's %d units (sizes %v): labels must run from 0 to %d",
					l, i, filepath.Join(data.Source, dataset.TrainLabelsFile), out, s.Sizes, out-1)
			}
		}
		return fmt.Errorf("sizes %v: the output layer has %d units but %s has %d classes", s.Sizes, out, data.Source, data.Train.Classes)
	}
	if s.Subset > data.TrainTotal {
		return fmt.Errorf("subset %d: the training set of %s has only %d images", s.Subset, data.Source, data.TrainTotal)
	}
	if s.Subset > data.Train.Len() || s.Subset <= 0 && data.Train.Len() < data.TrainTotal {
		return fmt.Errorf("subset %d: only the first %d images of %s were loaded", s.Subset, data.Train.Len(), data.Source)
	}
	if smallest := data.Train.First(s.Subset).SmallestClass(); s.Folds > smallest {
		return fmt.Errorf("folds %d: the smallest class of the first %d images of %s has %d, and every fold needs one of each", s.Folds, s.Subset, data.Source, smallest)
	}
	return nil
}

// Split selects the training and validation views of data.
func (s Settings) Split(data *dataset.Data) (trainSet, valSet dataset.View, err error) {
	if err := s.CheckData(data); err != nil {
		return trainSet, valSet, err
	}
	if s.Folds > 1 {
		return data.Train.First(s.Subset).Fold(s.Folds, s.Fold, s.SplitSeed)
	}
	return data.Train.First(s.Subset).Split(s.Validation, s.SplitSeed)
}

// Model is a trained model.
type Model interface {
	Save(w io.Writer) error
	String() string
}

// Options asks Run for more than training.
type Options struct {
	// OnStart, if set, is called once the settings and data have been
	// checked and the model built, just before training starts.
	OnStart func(m Model, trainN, valN int)
	// OnEpoch sees every epoch as it ends; see train.Config.OnEpoch.
	OnEpoch func(train.Epoch) error
	// Test also measures the trained model on the test set.
	Test bool
}

// Result is the outcome of Run.
type Result struct {
	Model        Model
	History      train.History
	TrainN, ValN int
	TestLoss     float64 // when Options.Test
	TestAccuracy float64 // when Options.Test
}

// Run trains the model the settings describe on data. On error the result
// holds the history up to the failure.
func Run(ctx context.Context, data *dataset.Data, s Settings, opt Options) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := s.CheckData(data); err != nil {
		return nil, err
	}
	trainSet, valSet, err := s.Split(data)
	if err != nil {
		return nil, err
	}
	if s.Impl == ImplTorch {
		return runTorch(ctx, data, trainSet, valSet, s, opt)
	}
	if s.DType == "float32" {
		return run[float32](ctx, data, trainSet, valSet, s, opt)
	}
	return run[float64](ctx, data, trainSet, valSet, s, opt)
}

func run[T float32 | float64](ctx context.Context, data *dataset.Data, trainSet, valSet dataset.View, s Settings, opt Options) (*Result, error) {
	m, err := build[T](s)
	if err != nil {
		return nil, err
	}
	cfg := s.TrainConfig()
	cfg.OnEpoch = opt.OnEpoch
	res := &Result{Model: m, TrainN: trainSet.Len(), ValN: valSet.Len()}
	if opt.OnStart != nil {
		opt.OnStart(m, res.TrainN, res.ValN)
	}
	res.History, err = train.Fit(ctx, m, trainSet, valSet, cfg)
	if err != nil {
		return res, err
	}
	if opt.Test {
		test, err := data.Test()
		if err != nil {
			return res, fmt.Errorf("the test set: %w", err)
		}
		res.TestLoss, res.TestAccuracy = train.NewEvaluator[T](m, 0).Evaluate(test.All())
	}
	return res, nil
}
