// Package stats holds the estimates sweep reports: a mean with its 95%
// interval, over runs (Student's t) or for one run's accuracy (Wilson's),
// and what each interval rests on. The study and the report share it.
package stats

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
	Kind      IntervalKind `json:"kind"` // "" is KindNone too
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
