package study

import (
	"fmt"
	"math"
	"slices"

	"github.com/c-bata/goptuna"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sweepml/sweep/pyvalue"
)

// probes are the values of a parameter checked against the Settings'
// rules: every listed value, or both ends of a range.
func (prm Parameter) probes() []any {
	switch prm.Distribution {
	case Categorical, Constant:
		return prm.Values
	}
	_, lo, hi := prm.shape()
	return []any{prm.External(lo), prm.External(hi)}
}

// value turns a numeric draw into the setting's value: an int64 for
// integer parameters, a float64 otherwise.
func (prm Parameter) value(x float64) any {
	if prm.Integer {
		return int64(math.Round(x))
	}
	return x
}

// shape is how a parameter's values are drawn internally, in goptuna's
// terms: the internal value's range (an index for a listed parameter).
type shape int

const (
	listed   shape = iota // an index into Values
	stepped               // Min + k·step, both ends included
	linear                // uniform over [lo, hi]
	logScale              // log-uniform over [lo, hi]
	unit                  // uniform over (0, 1): a quantile of a normal
)

// shape is the parameter's internal form, with its range.
func (prm Parameter) shape() (sh shape, lo, hi float64) {
	switch prm.Distribution {
	case Categorical, Constant:
		return listed, 0, float64(len(prm.Values) - 1)
	case IntUniform, QUniform:
		return stepped, prm.Min, prm.Min + prm.step()*float64(prm.steps())
	case Uniform:
		return linear, prm.Min, prm.Max
	case LogUniformValues, InvLogUniformValues, QLogUniformValues:
		return logScale, prm.Min, prm.Max
	case LogUniform, QLogUniform:
		return logScale, math.Exp(prm.Min), math.Exp(prm.Max)
	case InvLogUniform:
		return logScale, math.Exp(-prm.Max), math.Exp(-prm.Min)
	}
	return unit, 0, 1
}

// Range is the interval a numeric parameter's values are drawn from
// (before any rounding), its bounds as values; a normal's is unbounded.
func (prm Parameter) Range() (lo, hi float64) {
	sh, lo, hi := prm.shape()
	if sh == unit {
		return math.Inf(-1), math.Inf(1)
	}
	return lo, hi
}

func (prm Parameter) step() float64 {
	if prm.Distribution == IntUniform {
		return 1
	}
	return prm.Q
}

// Discrete reports whether the parameter has finitely many values.
func (prm Parameter) Discrete() bool {
	sh, _, _ := prm.shape()
	return sh == listed || sh == stepped
}

// Numeric reports whether the parameter is a numeric range.
func (prm Parameter) Numeric() bool {
	return prm.Distribution != Categorical && prm.Distribution != Constant
}

// GridSize is the number of points of the grid over all parameters, at
// most MaxTrials+1 (a grid larger than MaxTrials is too large to run
// whole; counting stops there rather than overflow).
func (s *Spec) GridSize() int {
	if s.Conditional() {
		g := s.conditionalGrid()
		if !g.whole {
			return MaxTrials + 1
		}
		return len(g.points)
	}
	size := 1
	for _, prm := range s.Parameters {
		size *= prm.Count()
		if size > MaxTrials {
			return MaxTrials + 1
		}
	}
	return size
}

// Count is the number of values of a discrete parameter.
func (prm Parameter) Count() int {
	switch prm.Distribution {
	case Categorical, Constant:
		return len(prm.Values)
	case IntUniform, QUniform:
		return prm.steps() + 1
	}
	return 0
}

// GridValue is the k'th of a discrete parameter's values, both ends
// included, in its internal representation (see External).
func (prm Parameter) GridValue(k int) float64 {
	if sh, _, _ := prm.shape(); sh == stepped {
		return toFloat(prm.value(prm.Min + float64(k)*prm.step()))
	}
	return float64(k)
}

// AsNumber is a parameter value as a number: an int64 or a float64 (as a
// spec's values are read); ok is false for any other value.
func AsNumber(v any) (x float64, ok bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// toFloat is AsNumber, NaN for a value that is not one.
func toFloat(v any) float64 {
	if x, ok := AsNumber(v); ok {
		return x
	}
	return math.NaN()
}

// steps is the number of q steps from min that stay within max.
func (prm Parameter) steps() int { return int(math.Floor((prm.Max-prm.Min)/prm.step() + 1e-9)) }

// External turns goptuna's internal representation of a parameter value
// (an index for categorical ones) into the setting's value; nil for an
// index out of range (a study edited by hand, or made by another spec).
func (prm Parameter) External(internal float64) any {
	switch sh, _, _ := prm.shape(); sh {
	case listed:
		if i := int(internal); internal == math.Trunc(internal) && i >= 0 && i < len(prm.Values) {
			return prm.Values[i]
		}
		return nil
	case unit:
		u := min(max(internal, 1e-12), 1-1e-12)
		if prm.Distribution == Beta || prm.Distribution == QBeta {
			return prm.quantize(distuv.Beta{Alpha: prm.A, Beta: prm.B}.Quantile(u))
		}
		x := prm.Mu + prm.Sigma*distuv.UnitNormal.Quantile(u)
		if prm.Distribution == LogNormal || prm.Distribution == QLogNormal {
			x = math.Exp(x)
		}
		return prm.quantize(x)
	case logScale:
		return prm.quantize(internal)
	}
	return prm.value(internal)
}

// quantize rounds a W&B q_ distribution's draw to a multiple of q, half to
// even as numpy does, unclipped; an int where q is written as one.
func (prm Parameter) quantize(x float64) any {
	switch prm.Distribution {
	case QLogUniform, QLogUniformValues, QNormal, QLogNormal, QBeta:
		x = math.RoundToEven(x/prm.Q) * prm.Q
		if prm.Integer {
			return int64(x)
		}
	}
	return x
}

// FromUnit maps u in [0, 1) to the internal representation of a value:
// every value of a discrete parameter equally likely (or as likely as its
// probability says), both ends included.
func (prm Parameter) FromUnit(u float64) float64 {
	pick := func(n int) float64 { return float64(min(int(u*float64(n)), n-1)) }
	sh, lo, hi := prm.shape()
	switch {
	case sh == listed && prm.Probabilities != nil:
		sum := 0.0
		for i, p := range prm.Probabilities {
			if sum += p; u < sum {
				return float64(i)
			}
		}
		return float64(len(prm.Values) - 1)
	case sh == listed || sh == stepped:
		return prm.GridValue(int(pick(prm.Count())))
	case sh == logScale:
		return math.Exp(math.Log(lo) + u*(math.Log(hi)-math.Log(lo)))
	}
	return lo + u*(hi-lo)
}

// ToUnit is FromUnit's inverse for a numeric parameter: where in [0, 1)
// its internal value lies (a stepped one's, mid-step). ok is false for a
// listed one, whose values have no order.
func (prm Parameter) ToUnit(internal float64) (u float64, ok bool) {
	sh, lo, hi := prm.shape()
	switch {
	case sh == listed:
		return 0, false
	case hi <= lo:
		return 0.5, true
	case sh == stepped:
		k := math.Round((internal - prm.Min) / prm.step())
		u = (k + 0.5) / float64(prm.Count())
	case sh == logScale:
		u = (math.Log(internal) - math.Log(lo)) / (math.Log(hi) - math.Log(lo))
	default:
		u = (internal - lo) / (hi - lo)
	}
	return min(max(u, 0), math.Nextafter(1, 0)), true
}

// GoptunaDistribution is goptuna's form of the parameter's distribution.
// Integers are discrete uniforms with step 1: goptuna's own int
// distributions never draw their upper bound from its random sampler.
func (prm Parameter) GoptunaDistribution() any {
	switch sh, lo, hi := prm.shape(); sh {
	case listed:
		choices := make([]string, len(prm.Values))
		for i, v := range prm.Values {
			choices[i] = fmt.Sprint(v)
		}
		return goptuna.CategoricalDistribution{Choices: choices}
	case stepped:
		return goptuna.DiscreteUniformDistribution{Low: lo, High: hi, Q: prm.step()}
	case logScale:
		return goptuna.LogUniformDistribution{Low: lo, High: hi}
	default:
		return goptuna.UniformDistribution{Low: lo, High: hi}
	}
}

// SearchSpace is the spec's space in goptuna's terms. Studies are given it
// up front: goptuna's inference of it (IntersectionSearchSpace) compares
// distributions with != and so panics on categorical ones, and mutates
// stored trials.
func (s *Spec) SearchSpace() map[string]any {
	space := make(map[string]any, len(s.Parameters))
	for _, prm := range s.Parameters {
		space[prm.Name] = prm.GoptunaDistribution()
	}
	return space
}

// CheckInternal checks a stored internal value against its distribution
// before goptuna turns it into a value (which panics on an index out of
// range): a journal or database row edited by hand is an error.
func CheckInternal(name string, dist any, v float64) error {
	switch d := dist.(type) {
	case goptuna.CategoricalDistribution:
		if v != math.Trunc(v) || v < 0 || int(v) >= len(d.Choices) {
			return fmt.Errorf("parameter %s has index %v, but its distribution lists %d choices", name, v, len(d.Choices))
		}
	case nil:
		return fmt.Errorf("parameter %s has no distribution", name)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("parameter %s has value %v", name, v)
	}
	return nil
}

// Index is the place of v among a listed parameter's values, -1 if it is
// not one of them. Values of any type compare, lists and mappings too.
func (prm Parameter) Index(v any) int {
	key := fmt.Sprintf("%T %s", v, pyvalue.Repr(v))
	return slices.IndexFunc(prm.Values, func(w any) bool { return fmt.Sprintf("%T %s", w, pyvalue.Repr(w)) == key })
}
