package study

import (
	"fmt"
	"math"

	"github.com/c-bata/goptuna"
)

// probes are the values of a parameter checked against the Settings'
// rules: every listed value, or both ends of a range.
func (prm Parameter) probes() []any {
	switch prm.Distribution {
	case Categorical, Constant:
		return prm.Values
	}
	return []any{prm.value(prm.Min), prm.value(prm.Max)}
}

// value turns a numeric draw into the setting's value: an int64 for
// integer parameters, a float64 otherwise.
func (prm Parameter) value(x float64) any {
	if prm.Integer {
		return int64(math.Round(x))
	}
	return x
}

// Discrete reports whether the parameter has finitely many values.
func (prm Parameter) Discrete() bool {
	return prm.Distribution != Uniform && prm.Distribution != LogUniformValues
}

// Numeric reports whether the parameter is a numeric range.
func (prm Parameter) Numeric() bool {
	return prm.Distribution != Categorical && prm.Distribution != Constant
}

// GridSize is the number of points of the grid over all parameters, at
// most MaxTrials+1 (a grid larger than MaxTrials is too large to run
// whole; counting stops there rather than overflow).
func (s *Spec) GridSize() int {
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
	case IntUniform:
		return int(prm.Max-prm.Min) + 1
	case QUniform:
		return prm.steps() + 1
	}
	return 0
}

// GridValue is the k'th of a discrete parameter's values, both ends
// included, in its internal representation (see External).
func (prm Parameter) GridValue(k int) float64 {
	switch prm.Distribution {
	case IntUniform:
		return prm.Min + float64(k)
	case QUniform:
		return toFloat(prm.value(prm.Min + float64(k)*prm.Q))
	}
	return float64(k)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// steps is the number of q steps from min that stay within max.
func (prm Parameter) steps() int { return int(math.Floor((prm.Max-prm.Min)/prm.Q + 1e-9)) }

// External turns goptuna's internal representation of a parameter value
// (an index for categorical ones) into the setting's value; nil for an
// index out of range (a study edited by hand, or made by another spec).
func (prm Parameter) External(internal float64) any {
	switch prm.Distribution {
	case Categorical, Constant:
		if i := int(internal); internal == math.Trunc(internal) && i >= 0 && i < len(prm.Values) {
			return prm.Values[i]
		}
		return nil
	}
	return prm.value(internal)
}

// FromUnit maps u in [0, 1) to the internal representation of a value,
// every value of a discrete parameter equally likely, both ends included.
func (prm Parameter) FromUnit(u float64) float64 {
	pick := func(n int) float64 { return float64(min(int(u*float64(n)), n-1)) }
	switch prm.Distribution {
	case Categorical, Constant, IntUniform, QUniform:
		return prm.GridValue(int(pick(prm.Count())))
	case LogUniformValues:
		return math.Exp(math.Log(prm.Min) + u*(math.Log(prm.Max)-math.Log(prm.Min)))
	}
	return prm.Min + u*(prm.Max-prm.Min)
}

// GoptunaDistribution is goptuna's form of the parameter's distribution.
// Integers are discrete uniforms with step 1: goptuna's own int
// distributions never draw their upper bound from its random sampler.
func (prm Parameter) GoptunaDistribution() any {
	switch prm.Distribution {
	case Categorical, Constant:
		choices := make([]string, len(prm.Values))
		for i, v := range prm.Values {
			choices[i] = fmt.Sprint(v)
		}
		return goptuna.CategoricalDistribution{Choices: choices}
	case IntUniform:
		return goptuna.DiscreteUniformDistribution{Low: prm.Min, High: prm.Max, Q: 1}
	case QUniform:
		return goptuna.DiscreteUniformDistribution{Low: prm.Min, High: prm.Min + prm.Q*float64(prm.steps()), Q: prm.Q}
	case LogUniformValues:
		return goptuna.LogUniformDistribution{Low: prm.Min, High: prm.Max}
	}
	return goptuna.UniformDistribution{Low: prm.Min, High: prm.Max}
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
