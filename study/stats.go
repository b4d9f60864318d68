package study

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// IntervalKind says what an interval rests on.
type IntervalKind string

// The kinds of interval.
const (
	KindNone      IntervalKind = "none"      // a value without an interval: nothing is known of its spread
	KindT         IntervalKind = "t"         // Student's t over runs
	KindWilson    IntervalKind = "wilson"    // Wilson's, for one run's accuracy on N images
	KindEpochs    IntervalKind = "epochs"    // one run's time, from its N epochs' times
	KindExact     IntervalKind = "exact"     // a figure the configuration fixes
	KindBootstrap IntervalKind = "bootstrap" // a bootstrap's percentiles
)

// Interval is an estimate with its 95% interval [Low, High].
type Interval struct {
	Mean      float64      `json:"mean"`
	Low       float64      `json:"low"`
	High      float64      `json:"high"`
	N         int          `json:"n"`    // runs averaged, or images counted (Wilson)
	Kind      IntervalKind `json:"kind"` // "" is KindNone too`
	HalfWidth float64      `json:"half_width"`
}

// Overlaps reports whether two intervals share a point: the data cannot
// tell their means apart at this level.
func (a Interval) Overlaps(b Interval) bool {
	return a.Known() && b.Known() && a.Low <= b.High && b.Low <= a.High
}

// Known reports whether the interval says something of the estimate's
// spread.
func (a Interval) Known() bool { return a.Kind != KindNone && a.Kind != "" }

// Ahead reports whether interval a lies wholly on the better side of b
// for metric m: the data say a's mean is better (equal exact values are
// not ahead; an interval of kind none is never).
func (m Metric) Ahead(a, b Interval) bool {
	if !a.Known() || !b.Known() {
		return false
	}
	if m.Maximize {
		return a.Low > b.High
	}
	return a.High < b.Low
}

// TInterval is the mean of values with the 95% interval of Student's t
// (n−1 degrees of freedom); with one value, no interval.
func TInterval(values []float64) Interval {
	n := len(values)
	if n == 0 {
		return Interval{Kind: KindNone}
	}
	mean, variance := stat.MeanVariance(values, nil)
	if n < 2 {
		return Interval{Mean: mean, Low: mean, High: mean, N: 1, Kind: KindNone}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	half := t * math.Sqrt(variance/float64(n))
	return Interval{Mean: mean, Low: mean - half, High: mean + half, N: n, Kind: KindT, HalfWidth: half}
}

// Wilson is the 95% Wilson score interval of an accuracy measured on n
// images: the interval of the true accuracy given p = correct/n.
func Wilson(p float64, n int) Interval {
	if n <= 0 {
		return Interval{Mean: p, Low: p, High: p, Kind: KindNone}
	}
	z := distuv.UnitNormal.Quantile(0.975)
	nf := float64(n)
	denom := 1 + z*z/nf
	center := (p + z*z/(2*nf)) / denom
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / denom
	return Interval{Mean: p, Low: center - half, High: center + half, N: n, Kind: KindWilson, HalfWidth: half}
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
// when it has several, else for accuracy Wilson's on the validation
// images.
func (s *Spec) Estimate(t Trial) Interval { return s.EstimateOf(s.Metric, t) }

// EstimateOf is a trial's value of metric m with its 95% interval: as
// Estimate; a built-in network's size and cost exactly, being fixed by
// its configuration; one run's training time from the spread of its
// epochs' times (n epochs' sum varies √n times one epoch's deviation).
func (s *Spec) EstimateOf(m Metric, t Trial) Interval {
	var finals []float64
	for _, run := range t.Runs {
		if v, ok := m.Last(run); ok {
			finals = append(finals, v)
		}
	}
	switch {
	case len(finals) == 0:
		return Interval{Kind: KindNone}
	case s.Command == nil && (m.Name == Params.Name || m.Name == Flops.Name):
		return Interval{Mean: finals[0], Low: finals[0], High: finals[0], N: len(finals), Kind: KindExact}
	case len(finals) == 1 && m.percent():
		return Wilson(finals[0], s.ValidationImages())
	case len(finals) == 1 && m.Measured():
		return epochTimes(t.Runs[0])
	}
	return m.Clamp(TInterval(finals))
}

// epochTimes is one run's training time with the 95% interval its
// epochs' times imply, taken as independent draws: none with fewer than 2
// epochs.
func epochTimes(run []Epoch) Interval {
	d := make([]float64, len(run))
	prev := 0.0
	for i, e := range run {
		d[i], prev = e.Seconds-prev, e.Seconds
	}
	total := prev
	if len(d) < 2 {
		return Interval{Mean: total, Low: total, High: total, N: 1, Kind: KindNone}
	}
	one := TInterval(d) // its half width is t·sd/√n
	half := one.HalfWidth * float64(len(d))
	return Interval{Mean: total, Low: max(total-half, 0), High: total + half, N: len(d), Kind: KindEpochs, HalfWidth: half}
}

// Clamp keeps an interval of the metric within its range: an accuracy
// lies in [0, 1].
func (m Metric) Clamp(e Interval) Interval {
	if m.percent() {
		e.Low, e.High = max(e.Low, 0), min(e.High, 1)
	}
	return e
}
