package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

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

// The built-in networks' metrics. Beside what they learn, the size of
// a network and its cost, both fixed by its configuration, and the
// measured training time: objectives to trade accuracy against.
var (
	ValAccuracy = Metric{Name: record.ValAccuracy, Maximize: true}
	ValLoss     = Metric{Name: record.ValLoss}
	Params      = Metric{Name: record.Params} // weights and biases
	Flops       = Metric{Name: record.Flops}  // arithmetic of one training epoch
	// Seconds is a run's measured training time: the last report's
	// clock, for a program as for the built-in networks.
	Seconds = Metric{Name: "seconds"}
)

// Metrics lists the metrics of the built-in networks, whose direction
// their name says.
var Metrics = []Metric{ValAccuracy, ValLoss, Params, Flops, Seconds}

// MaxObjectives bounds metrics:.
const MaxObjectives = 8

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
// Seconds reads the record's clock.
func (m Metric) Of(e Epoch) (float64, bool) {
	if m.Measured() {
		return e.Seconds, true
	}
	return e.Get(m.Name)
}

// Last is the metric's value at the last report of run that carries it.
func (m Metric) Last(run []Epoch) (float64, bool) {
	for i := len(run) - 1; i >= 0; i-- {
		if v, ok := m.Of(run[i]); ok {
			return v, true
		}
	}
	return 0, false
}

// Measured reports whether the metric is the measured training time:
// a study that optimizes it depends on the machine's speed.
func (m Metric) Measured() bool { return m.Name == Seconds.Name }

// Objectives lists the spec's metrics in order: Metric, then More.
func (s *Spec) Objectives() []Metric {
	if s.Metric.None() {
		return nil
	}
	return append([]Metric{s.Metric}, s.More...)
}

// MultiObjective reports whether the spec has several objectives.
func (s *Spec) MultiObjective() bool { return len(s.More) > 0 }

// Measured reports whether an objective is measured rather than computed:
// then the study depends on the machine's speed.
func (s *Spec) Measured() bool {
	return slices.ContainsFunc(s.Objectives(), Metric.Measured)
}

// Values are a trial's objectives, each the mean over runs of its last
// value; missing names the first objective a run never reported (then
// there are no values).
func (s *Spec) Values(runs [][]Epoch) (values []float64, missing string) {
	out := make([]float64, len(s.Objectives()))
	for i, m := range s.Objectives() {
		for _, run := range runs {
			v, ok := m.Last(run)
			if !ok {
				return nil, m.Name
			}
			out[i] += v
		}
		out[i] /= float64(len(runs))
	}
	return out, ""
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
	switch {
	case m.percent():
		return fmt.Sprintf("%.2f%%", 100*v)
	case m.Measured():
		return fmt.Sprintf("%.3g s", v)
	case m.Name == Params.Name || m.Name == Flops.Name:
		return thousands(v)
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

// thousands writes a count rounded to a whole number, its digits grouped
// by thousands: 109,386.
func thousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(math.Round(v)), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v <= -0.5 {
		s = "-" + s
	}
	return s
}
