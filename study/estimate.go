package study

import (
	"github.com/sweepml/sweep/stats"
)

// Ahead reports whether interval a lies wholly on the better side of b
// for metric m: the data say a's mean is better (equal exact values are
// not ahead; an interval of kind none is never).
func (m Metric) Ahead(a, b stats.Interval) bool {
	if !a.Known() || !b.Known() {
		return false
	}
	if m.Maximize {
		return a.Low > b.High
	}
	return a.High < b.Low
}

// ValidationImages is how many images one run of a search trial validates
// on, where the spec tells (0 where it does not: all images of a data set
// other than the embedded MNIST): round(validation × subset) held out, or
// subset/folds per fold.
func (s *Spec) ValidationImages() int {
	if s.Command != nil {
		return 0 // the program's own
	}
	n := s.Data.Subset
	if n == 0 && s.Data.Source == "mnist" {
		n = 60000
	}
	if s.Data.Folds > 1 {
		return n / s.Data.Folds
	}
	return int(s.Data.Validation*float64(n) + 0.5)
}

// Estimate is a trial's metric with its 95% interval: over its runs (t)
// when it has several, else for accuracy stats.Wilson's on the validation
// images.
func (s *Spec) Estimate(t Trial) stats.Interval { return s.EstimateOf(s.Metric, t) }

// EstimateOf is a trial's value of metric m with its 95% interval: as
// Estimate; a built-in network's size and cost exactly, being fixed by
// its configuration; one run's training time from the spread of its
// epochs' times (n epochs' sum varies √n times one epoch's deviation).
func (s *Spec) EstimateOf(m Metric, t Trial) stats.Interval {
	var finals []float64
	for _, run := range t.Runs {
		if v, ok := m.Last(run); ok {
			finals = append(finals, v)
		}
	}
	switch {
	case len(finals) == 0:
		return stats.Interval{Kind: stats.KindNone}
	case s.Command == nil && (m.Name == Params.Name || m.Name == Flops.Name):
		return stats.Interval{Mean: finals[0], Low: finals[0], High: finals[0], N: len(finals), Kind: stats.KindExact}
	case len(finals) == 1 && m.percent():
		return stats.Wilson(finals[0], s.ValidationImages())
	case len(finals) == 1 && m.Measured():
		return epochTimes(t.Runs[0])
	}
	return m.Clamp(stats.TInterval(finals))
}

// epochTimes is one run's training time with the 95% interval its
// epochs' times imply, taken as independent draws: none with fewer than 2
// epochs.
func epochTimes(run []Epoch) stats.Interval {
	d := make([]float64, len(run))
	prev := 0.0
	for i, e := range run {
		d[i], prev = e.Seconds-prev, e.Seconds
	}
	total := prev
	if len(d) < 2 {
		return stats.Interval{Mean: total, Low: total, High: total, N: 1, Kind: stats.KindNone}
	}
	one := stats.TInterval(d) // its half width is t·sd/√n
	half := one.HalfWidth * float64(len(d))
	return stats.Interval{Mean: total, Low: max(total-half, 0), High: total + half, N: len(d), Kind: stats.KindEpochs, HalfWidth: half}
}

// Clamp keeps an interval of the metric within its range: an accuracy
// lies in [0, 1].
func (m Metric) Clamp(e stats.Interval) stats.Interval {
	if m.percent() {
		e.Low, e.High = max(e.Low, 0), min(e.High, 1)
	}
	return e
}
