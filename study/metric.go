package study

import (
	"errors"
	"fmt"

	"github.com/sweepml/sweep/record"
)

// Metric is what trials are ranked by: a figure of each epoch's record,
// by name, and which way it improves. The zero Metric is none: a grid
// without a metric runs and records its trials, and ranks nothing.
type Metric struct {
	Name     string
	Maximize bool
	// Target, when set, stops the sweep once a finished trial reaches it.
	Target *float64
}

// The built-in networks' metrics.
var (
	ValAccuracy = Metric{Name: record.ValAccuracy, Maximize: true}
	ValLoss     = Metric{Name: record.ValLoss}
)

// Metrics lists the metrics of the built-in networks, whose direction
// their name says.
var Metrics = []Metric{ValAccuracy, ValLoss}

// builtinMetric is the built-in metric of that name.
func builtinMetric(name string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// None reports whether there is no metric.
func (m Metric) None() bool { return m.Name == "" }

func (m Metric) String() string { return m.Name }

// Goal is "maximize" or "minimize": how the metric improves.
func (m Metric) Goal() string {
	if m.Minimize() {
		return "minimize"
	}
	return "maximize"
}

// Minimize reports whether lower is better.
func (m Metric) Minimize() bool { return !m.Maximize }

// Of reads the metric off an epoch's record; ok is false where the record
// has no such figure (a program's report that carries other figures).
func (m Metric) Of(e Epoch) (float64, bool) { return e.Get(m.Name) }

// Last is the metric's value at the last report of run that carries it.
func (m Metric) Last(run []Epoch) (float64, bool) { return record.Last(run, m.Name) }

// Score turns a value of the metric into a score: higher is better.
func (m Metric) Score(v float64) float64 {
	if m.Minimize() {
		return -v
	}
	return v
}

// Better reports whether a is strictly better than b.
func (m Metric) Better(a, b float64) bool { return m.Score(a) > m.Score(b) }

// Reached reports whether v reaches the metric's target (false without
// one).
func (m Metric) Reached(v float64) bool {
	return m.Target != nil && (v == *m.Target || m.Better(v, *m.Target))
}

// percent reports whether the metric is the built-in networks' accuracy,
// a fraction written as a percentage.
func (m Metric) percent() bool { return m.Name == record.ValAccuracy }

// Format writes a value of the metric: accuracy as a percentage.
func (m Metric) Format(v float64) string {
	if m.percent() {
		return fmt.Sprintf("%.2f%%", 100*v)
	}
	if _, ok := builtinMetric(m.Name); ok {
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.5g", v)
}

// FormatDiff writes a difference of two values: accuracy in points.
func (m Metric) FormatDiff(d float64) string {
	if m.percent() {
		return fmt.Sprintf("%.2f points", 100*d)
	}
	return m.Format(d)
}

// Epoch is one epoch's record of a run: what every objective reports
// (package record).
type Epoch = record.Epoch

// ErrPruned is what a sweep's reporter returns when the pruner stops a
// run, and what an objective returns for a run it stopped so.
var ErrPruned = errors.New("pruned")

// ErrFenced is the error of a write by a worker whose trial another worker
// has taken over: its attempt no longer stands, and it abandons the trial.
var ErrFenced = errors.New("the trial was taken over by another worker")
