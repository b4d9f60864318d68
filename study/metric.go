package study

import (
	"errors"
	"fmt"
)

// Metric is what trials are ranked by: a figure of each epoch's record.
// Its name determines its direction.
type Metric string

// The metrics.
const (
	ValAccuracy Metric = "val_accuracy"
	ValLoss     Metric = "val_loss"
)

// Metrics lists the valid metrics.
var Metrics = []Metric{ValAccuracy, ValLoss}

// Goal is "maximize" or "minimize": how the metric improves.
func (m Metric) Goal() string {
	if m.Minimize() {
		return "minimize"
	}
	return "maximize"
}

// Minimize reports whether lower is better.
func (m Metric) Minimize() bool { return m == ValLoss }

// Of reads the metric off an epoch's record.
func (m Metric) Of(e Epoch) float64 {
	if m == ValLoss {
		return e.ValLoss
	}
	return e.ValAccuracy
}

// Score turns a value of the metric into a score: higher is better.
func (m Metric) Score(v float64) float64 {
	if m.Minimize() {
		return -v
	}
	return v
}

// Better reports whether a is strictly better than b.
func (m Metric) Better(a, b float64) bool { return m.Score(a) > m.Score(b) }

// Format writes a value of the metric: accuracy as a percentage.
func (m Metric) Format(v float64) string {
	if m == ValAccuracy {
		return fmt.Sprintf("%.2f%%", 100*v)
	}
	return fmt.Sprintf("%.4f", v)
}

// FormatDiff writes a difference of two values: accuracy in points.
func (m Metric) FormatDiff(d float64) string {
	if m == ValAccuracy {
		return fmt.Sprintf("%.2f points", 100*d)
	}
	return fmt.Sprintf("%.4f", d)
}

// Epoch is one epoch's record of a run: what every objective reports. Its
// JSON form is the journal's.
type Epoch struct {
	Epoch         int     `json:"epoch"` // from 1
	LR            float64 `json:"lr"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	ValLoss       float64 `json:"val_loss"`
	ValAccuracy   float64 `json:"val_accuracy"`
	// Seconds is the wall-clock time since the run began, at the end of
	// this epoch: the only figure that differs between two runs.
	Seconds float64 `json:"seconds"`
	// The test set's figures, on the last epoch of a final-stage run only.
	TestLoss     float64 `json:"test_loss,omitempty"`
	TestAccuracy float64 `json:"test_accuracy,omitempty"`
}

// ErrPruned is what a sweep's reporter returns when the pruner stops a
// run, and what an objective returns for a run it stopped so.
var ErrPruned = errors.New("pruned")

// ErrFenced is the error of a write by a worker whose trial another worker
// has taken over: its attempt no longer stands, and it abandons the trial.
var ErrFenced = errors.New("the trial was taken over by another worker")
