package study

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sweepml/sweep/pyvalue"
)

// Condition makes a parameter conditional: it exists only in trials where
// the parameter named Param, an earlier listed one, takes one of Values
// (when: {optimizer: momentum}).
type Condition struct {
	Param  string
	Values []any
}

// Clause is one parameter's part of a forbidden combination: one of
// Values, or a number in [Min, Max] (either end open where nil).
type Clause struct {
	Param    string
	Values   []any
	Min, Max *float64
}

// Forbidden is a combination no trial may have: every clause holds.
type Forbidden []Clause

// Lookup gives a parameter's value in a trial being drawn, and whether it
// is there (drawn, and active).
type Lookup func(name string) (any, bool)

// Active reports whether the parameter exists given the values drawn
// before it: every condition holds.
func (prm Parameter) Active(get Lookup) bool {
	for _, c := range prm.When {
		v, ok := get(c.Param)
		if !ok || !hasValue(c.Values, v) {
			return false
		}
	}
	return true
}

// Forbids reports whether a trial with these values is one the spec
// forbids.
func (s *Spec) Forbids(get Lookup) bool {
	for _, f := range s.Forbid {
		if f.holds(get) {
			return true
		}
	}
	return false
}

func (f Forbidden) holds(get Lookup) bool {
	for _, c := range f {
		v, ok := get(c.Param)
		if !ok {
			return false
		}
		if c.Values != nil {
			if !hasValue(c.Values, v) {
				return false
			}
			continue
		}
		x := toFloat(v)
		if math.IsNaN(x) || c.Min != nil && x < *c.Min || c.Max != nil && x > *c.Max {
			return false
		}
	}
	return true
}

// hasValue reports whether v is among values, of the same type.
func hasValue(values []any, v any) bool {
	key := fmt.Sprintf("%T %s", v, pyvalue.Repr(v))
	return slices.ContainsFunc(values, func(w any) bool { return fmt.Sprintf("%T %s", w, pyvalue.Repr(w)) == key })
}

// Conditional reports whether the spec has conditions or forbidden
// combinations: its grid is then enumerated, not multiplied out.
func (s *Spec) Conditional() bool {
	if len(s.Forbid) > 0 {
		return true
	}
	return slices.ContainsFunc(s.Parameters, func(p Parameter) bool { return len(p.When) > 0 })
}

// when reads a parameter's when: a mapping of earlier parameters to a
// value or a list of values. What they name is checked once every
// parameter is read (checkConditions).
func (p *parser) when(n *yaml.Node, path string) ([]Condition, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, p.errorf(n, path, "want a mapping of earlier parameters to the value (or list of values) they must take, e.g. {optimizer: momentum}")
	}
	var out []Condition
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		at := path + "." + k.Value
		p.lines[at] = k.Line
		values, err := p.someValues(v, at)
		if err != nil {
			return nil, err
		}
		out = append(out, Condition{Param: k.Value, Values: values})
	}
	return out, nil
}

// someValues reads a value or a list of values.
func (p *parser) someValues(n *yaml.Node, path string) ([]any, error) {
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			return nil, p.errorf(n, path, "an empty list: want a value or a list of values")
		}
		nodes = n.Content
	}
	var out []any
	for _, c := range nodes {
		v, err := p.anyValue(c, path, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// forbid reads forbid: a list of combinations, each a mapping of
// parameters to a value, a list of values, or a range {min, max}.
func (p *parser) forbid(n *yaml.Node) ([]Forbidden, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "forbid", "want a list of combinations, e.g. [{arch: resnet, impl: torch}]")
	}
	var out []Forbidden
	for i, e := range n.Content {
		path := fmt.Sprintf("forbid[%d]", i)
		p.lines[path] = e.Line
		if e.Kind != yaml.MappingNode || len(e.Content) == 0 {
			return nil, p.errorf(e, path, "want a mapping of parameters to values, e.g. {arch: resnet, impl: torch}")
		}
		var f Forbidden
		for j := 0; j+1 < len(e.Content); j += 2 {
			k, v := e.Content[j], e.Content[j+1]
			at := path + "." + k.Value
			p.lines[at] = k.Line
			c := Clause{Param: k.Value}
			if v.Kind == yaml.MappingNode {
				err := p.fields(v, at, []string{"min", "max"}, func(key string, x *yaml.Node) error {
					num, err := p.number(x, at+"."+key)
					if key == "min" {
						c.Min = &num
					} else {
						c.Max = &num
					}
					return err
				})
				if err != nil {
					return nil, err
				}
			} else {
				var err error
				if c.Values, err = p.someValues(v, at); err != nil {
					return nil, err
				}
			}
			f = append(f, c)
		}
		out = append(out, f)
	}
	return out, nil
}

// checkConditions checks what when: and forbid: name: earlier listed
// parameters and values they take; numeric ranges only of numeric ones.
func (p *parser) checkConditions(s *Spec) error {
	index := map[string]int{}
	for i, prm := range s.Parameters {
		index[prm.Name] = i
	}
	for i, prm := range s.Parameters {
		for _, c := range prm.When {
			at := "parameters." + strings.Join(prm.Path, ".parameters.") + ".when." + c.Param
			j, ok := index[c.Param]
			switch {
			case !ok:
				return p.at(at, at, "%s is not a parameter of this spec", c.Param)
			case j >= i:
				return p.at(at, at, "%s comes after %s: a condition names a parameter given before it (so no two can depend on each other)", c.Param, prm.Name)
			}
			if err := p.takes(s.Parameters[j], c.Values, at); err != nil {
				return err
			}
		}
	}
	for i, f := range s.Forbid {
		for _, c := range f {
			at := fmt.Sprintf("forbid[%d].%s", i, c.Param)
			j, ok := index[c.Param]
			if !ok {
				return p.at(at, at, "%s is not a parameter of this spec", c.Param)
			}
			if c.Values == nil {
				if !numbers(s.Parameters[j]) {
					return p.at(at, at, "a range applies to a parameter of numbers; %s's values are not all numbers: give them", c.Param)
				}
				continue
			}
			if err := p.takes(s.Parameters[j], c.Values, at); err != nil {
				return err
			}
		}
	}
	if s.Method == CMAES && s.Conditional() {
		return p.at("method", "method", "cmaes draws every parameter in every trial: with when: or forbid:, use tpe")
	}
	return nil
}

// takes checks that a parameter can take each of values: a listed one's,
// or a number in a numeric one's range.
func (p *parser) takes(prm Parameter, values []any, at string) error {
	for _, v := range values {
		if !prm.Numeric() {
			if prm.Index(v) < 0 {
				return p.at(at, at, "%s is not one of %s's values (%s)", pyvalue.Repr(v), prm.Name, pyvalue.Repr(prm.Values))
			}
			continue
		}
		lo, hi := prm.Range()
		if x := toFloat(v); math.IsNaN(x) || x < lo || x > hi {
			return p.at(at, at, "%s is not a value %s takes (%v to %v)", pyvalue.Repr(v), prm.Name, lo, hi)
		}
	}
	return nil
}

// Condition writes a parameter's when: in words ("when optimizer
// momentum or adam"); "" for an unconditional one.
func (prm Parameter) Condition() string {
	var parts []string
	for _, c := range prm.When {
		parts = append(parts, c.Param+" "+FormatValues(c.Values, " or "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "when " + strings.Join(parts, " and ")
}

// numbers reports whether every value a parameter takes is a number.
func numbers(prm Parameter) bool {
	return prm.Numeric() || !slices.ContainsFunc(prm.Values, func(v any) bool { return math.IsNaN(toFloat(v)) })
}
