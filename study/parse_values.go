package study

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sweepml/sweep/pyvalue"
)

// The parser's readers of single YAML values, each an error at the
// value's line naming what would be valid.

// strings reads a non-empty list of strings.
func (p *parser) strings(n *yaml.Node, key string) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, key, "want a list: the program and its arguments, e.g. [python3, train.py, \"${args}\"]")
	}
	out := make([]string, len(n.Content))
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, p.errorf(c, key, "element %d: want a string, got %s", i, describe(c))
		}
		out[i] = c.Value // numbers too, as written
		if c.Tag == "!!bool" || c.Tag == "!!null" {
			v, _ := p.anyValue(c, key, 0)
			out[i] = pyvalue.Str(v) // as W&B's agent writes them: True, None
		}
	}
	return out, nil
}

func (p *parser) str(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return "", p.errorf(n, key, "want a string, got %s", describe(n))
	}
	return n.Value, nil
}

func (p *parser) integer(n *yaml.Node, key string, least int) (int, error) {
	return p.bounded(n, key, least, math.MaxInt)
}

// bounded reads an integer in [least, most].
func (p *parser) bounded(n *yaml.Node, key string, least, most int) (int, error) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || decode(n, &v) != nil {
		return 0, p.errorf(n, key, "want an integer, got %s", describe(n))
	}
	if v < least {
		return 0, p.errorf(n, key, "%d: want an integer ≥ %d", v, least)
	}
	if v > most {
		return 0, p.errorf(n, key, "%d: want an integer from %d to %d", v, least, most)
	}
	return v, nil
}

func (p *parser) number(n *yaml.Node, key string) (float64, error) {
	var v float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || decode(n, &v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, p.errorf(n, key, "want a finite number, got %s", describe(n))
	}
	return v, nil
}

// boolean reads true or false.
func (p *parser) boolean(n *yaml.Node, key string) (bool, error) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		return false, p.errorf(n, key, "want true or false, got %s", describe(n))
	}
	return v, nil
}

// oneOf reads a string that must be one of valid.
func oneOf[T ~string](p *parser, n *yaml.Node, key string, valid []T) (T, error) {
	s, err := p.str(n, key)
	if err != nil {
		return "", err
	}
	if !slices.Contains(valid, T(s)) {
		names := make([]string, len(valid))
		for i, v := range valid {
			names[i] = string(v)
		}
		return "", p.errorf(n, key, "%q is not one of %s", s, strings.Join(names, ", "))
	}
	return T(s), nil
}

// scalar decodes a YAML scalar into string, int64, float64 or bool.
func (p *parser) scalar(n *yaml.Node, key string) (any, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, p.errorf(n, key, "want a single value, got %s", describe(n))
	}
	switch n.Tag {
	case "!!str":
		return n.Value, nil
	case "!!int":
		var v int64
		if err := decode(n, &v); err == nil {
			return v, nil
		}
	case "!!float":
		var v float64
		if err := decode(n, &v); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, nil
		}
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err == nil {
			return v, nil
		}
	}
	return nil, p.errorf(n, key, "want a string, number or boolean, got %s", describe(n))
}

// decode reads a plain int or float scalar with strconv, which yaml.v3's
// Node.Decode does by way of a whole decoder each time: a spec of many
// values would allocate tens of MB. Anything else goes to Node.Decode.
func decode[T int | int64 | float64](n *yaml.Node, v *T) error {
	if n.Style == 0 && n.Tag == "!!int" {
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			*v = T(i)
			return nil
		}
	}
	if n.Style == 0 && n.Tag == "!!float" {
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			if _, isFloat := any(*v).(float64); isFloat {
				*v = T(f)
				return nil
			}
		}
	}
	return n.Decode(v)
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
}

// gpus reads gpus: a list of device IDs, or all.
func (p *parser) gpus(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		return []string{"all"}, nil
	}
	const want = "want a list of GPU device IDs (e.g. [0, 1, 2]) or all"
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "gpus", want)
	}
	var out []string
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.Value == "" || strings.ContainsAny(c.Value, ", \t") || slices.Contains(out, c.Value) {
			return nil, p.errorf(c, fmt.Sprintf("gpus[%d]", i), "%s, each once", want)
		}
		out = append(out, c.Value)
	}
	return out, nil
}
