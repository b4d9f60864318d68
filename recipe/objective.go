package recipe

import (
	"context"
	"errors"
	"os"
	"slices"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/train"
)

// Objective trains the built-in networks as the trials of a sweep: a
// sweep.Objective. Each run's settings are the defaults of its
// architecture, the spec's fixed settings, then the trial's parameters;
// its seed is the run's, its split the spec's.
type Objective struct {
	Spec *study.Spec
	Data *dataset.Data
}

// NewObjective loads the spec's data and checks that every architecture
// the spec can produce fits it. Its errors are the spec's: they name the
// file and line.
func NewObjective(spec *study.Spec) (*Objective, error) {
	if src := spec.Data.Source; src != dataset.EmbeddedSource {
		if st, err := os.Stat(src); err != nil || !st.IsDir() {
			return nil, spec.Errorf("data.source", "%q is neither mnist (the embedded MNIST) nor a directory of MNIST-named IDX files", src)
		}
	}
	data, err := dataset.Load(spec.Data.Source, spec.Data.Subset)
	if err != nil {
		return nil, err
	}
	if _, err := data.Test(); err != nil { // the final stage measures it: refused now, not after the search
		return nil, err
	}
	o := &Objective{Spec: spec, Data: data}
	if err := o.checkTorch(); err != nil {
		return nil, err
	}
	return o, o.checkData()
}

// checkData checks that every architecture the spec can produce fits the
// data, and its subset and folds; errors name the spec's key.
func (o *Objective) checkData() error {
	sizes, key := []any{nil}, "data.source"
	if _, ok := o.Spec.FixedValue("sizes"); ok {
		key = "fixed.sizes"
	}
	for _, prm := range o.Spec.Parameters {
		if prm.Name == "sizes" {
			sizes, key = prm.Values, "parameters.sizes"
		}
	}
	if o.Spec.Data.Subset > o.Data.TrainTotal {
		key = "data.subset"
	} else if o.Spec.Data.Folds > 1 {
		key = "data.folds"
	}
	for _, v := range sizes {
		var params []study.ParamValue
		if v != nil {
			params = append(params, study.ParamValue{Name: "sizes", Value: v})
		}
		s, err := o.Settings(study.TrialRun{Params: params, Folds: o.Spec.Data.Folds})
		if err != nil {
			return err
		}
		if err := s.CheckData(o.Data); err != nil {
			return o.Spec.Errorf(key, "%v", err)
		}
	}
	return nil
}

// Settings are the training settings of one run of a trial.
func (o *Objective) Settings(run study.TrialRun) (Settings, error) {
	s, err := Table.Apply(o.Spec.TrialSettings(run.Params))
	if err != nil {
		return s, err
	}
	s.Seed, s.SplitSeed = run.Seed, run.SplitSeed
	s.Subset, s.Validation = o.Spec.Data.Subset, o.Spec.Data.Validation
	if run.Folds > 1 {
		s.Folds, s.Fold = run.Folds, run.Fold
	}
	return s, nil
}

// Run trains one run of a trial, reporting every epoch. When report says
// to prune, training stops and Run returns study.ErrPruned — except at
// the last epoch: a run that gets there completes. With run.Test the last
// epoch is reported once the trained model has been measured on the test
// set, with those figures; nothing else reads the test set.
func (o *Objective) Run(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	s, err := o.Settings(run)
	if err != nil {
		return err
	}
	pruned := false
	var last train.Epoch
	var size, flops float64 // recorded where the spec optimizes them
	opt := Options{Test: run.Test}
	if o.sized() {
		n, err := s.Size()
		if err != nil {
			return err
		}
		opt.OnStart = func(_ Model, trainN, _ int) { size, flops = float64(n), EpochFlops(n, trainN) }
	}
	opt.OnEpoch = func(e train.Epoch) error {
		e.Params, e.Flops = size, flops
		if run.Test && e.Epoch == s.Epochs {
			last = e // reported with the test figures
			return nil
		}
		err := report(e)
		if errors.Is(err, study.ErrPruned) {
			if e.Epoch == s.Epochs {
				return nil
			}
			pruned = true
			return train.ErrStop
		}
		return err
	}
	res, err := Run(ctx, o.Data, s, opt)
	switch {
	case err == nil && pruned:
		return study.ErrPruned
	case err == nil && run.Test:
		last.TestLoss, last.TestAccuracy = res.TestLoss, res.TestAccuracy
		return report(last)
	}
	return err
}

// sized reports whether the spec optimizes a network's size or cost: then
// every epoch records both.
func (o *Objective) sized() bool {
	for _, m := range o.Spec.Objectives() {
		if m.Name == study.Params.Name || m.Name == study.Flops.Name {
			return true
		}
	}
	return false
}

// Build says what trains the trials (see linalg.Build); trials record it.
func (o *Objective) Build() string { return linalg.Build() }

// checkTorch checks, where the spec can train with impl torch, that its
// Python and script are there.
func (o *Objective) checkTorch() error {
	key, torch := "fixed.impl", false
	if v, ok := o.Spec.FixedValue("impl"); ok && v == ImplTorch {
		torch = true
	}
	for _, prm := range o.Spec.Parameters {
		if prm.Name == "impl" && slices.Contains(prm.Values, any(ImplTorch)) {
			key, torch = "parameters.impl", true
		}
	}
	if !torch {
		return nil
	}
	if _, err := os.Stat(TorchPython); err != nil {
		return o.Spec.Errorf(key, "impl torch needs %s with Debian's python3-torch: %v", TorchPython, err)
	}
	if _, err := os.Stat(TorchScript); err != nil {
		return o.Spec.Errorf(key, "impl torch runs %s, relative to the working directory (the repository's root): %v", TorchScript, err)
	}
	return nil
}
