package study

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sweepml/sweep/pyvalue"
)

// wandbName is what W&B's schema allows a parameter's name to be.
var wandbName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// maxDepth bounds nested parameters and nested values.
const maxDepth = 16

func (p *parser) parameters(n *yaml.Node) ([]Parameter, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "parameters", "want a mapping from training settings to their values or distributions")
	}
	var out []Parameter
	err := p.group(n, "parameters", nil, &out)
	if err == nil && len(out) == 0 {
		err = p.errorf(n, "parameters", "no parameter: every group is empty")
	}
	return out, err
}

// group reads a mapping of parameters, nested groups among them (W&B's
// parameters: under a parameter), appending them to out in order.
func (p *parser) group(n *yaml.Node, path string, prefix []string, out *[]Parameter) error {
	if len(prefix) > maxDepth {
		return p.errorf(n, path, "parameters nested more than %d deep", maxDepth)
	}
	return p.eachSetting(n, path, func(k, v *yaml.Node, at string, kind Kind) error {
		name := append(prefix[:len(prefix):len(prefix)], k.Value)
		if p.command && !wandbName.MatchString(k.Value) {
			return p.errorf(k, at, "%q: a parameter's name is a letter or '_', then letters, digits, '_', '.' or '-'", k.Value)
		}
		if sub := mappingValue(v, "parameters"); sub != nil {
			if !p.command {
				return p.errorf(k, at, "nested parameters are a program's: the built-in networks' settings are flat")
			}
			if v.Kind != yaml.MappingNode || len(v.Content) != 2 {
				return p.errorf(v, at, "a group has parameters: and nothing else")
			}
			p.lines[at+".parameters"] = sub.Line
			if sub.Kind != yaml.MappingNode || len(sub.Content) == 0 {
				return p.errorf(sub, at+".parameters", "want a mapping of parameters")
			}
			return p.group(sub, at+".parameters", name, out)
		}
		prm, err := p.parameter(strings.Join(name, "."), kind, v, at)
		prm.Path = name
		if err == nil && slices.ContainsFunc(*out, func(o Parameter) bool { return o.Name == prm.Name }) {
			err = p.errorf(k, at, "%s is given twice (once in a group)", prm.Name)
		}
		*out = append(*out, prm)
		return err
	})
}

// mappingValue is the value of key in mapping n, nil if absent.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var parameterKeys = []string{"distribution", "values", "value", "min", "max", "q", "probabilities", "mu", "sigma", "a", "b", "when"}

func (p *parser) parameter(name string, kind Kind, n *yaml.Node, path string) (Parameter, error) {
	prm := Parameter{Name: name, Sigma: 1, A: 1, B: 1}
	nodes := map[string]*yaml.Node{}
	err := p.fields(n, path, parameterKeys, func(key string, v *yaml.Node) error {
		nodes[key] = v
		var err error
		switch key {
		case "distribution":
			prm.Distribution, err = oneOf(p, v, path+".distribution", Distributions)
		case "values":
			prm.Values, err = p.values(v, path+".values", kind)
		case "value":
			var val any
			if val, err = p.paramValue(v, path+".value", kind); err == nil {
				prm.Values = []any{val}
			}
		case "min":
			prm.Min, err = p.number(v, path+".min")
		case "max":
			prm.Max, err = p.number(v, path+".max")
		case "q":
			prm.Q, err = p.number(v, path+".q")
		case "mu":
			prm.Mu, err = p.number(v, path+".mu")
		case "sigma":
			prm.Sigma, err = p.number(v, path+".sigma")
		case "a":
			prm.A, err = p.number(v, path+".a")
		case "b":
			prm.B, err = p.number(v, path+".b")
		case "probabilities":
			prm.Probabilities, err = p.probabilities(v, path+".probabilities")
		case "when":
			prm.When, err = p.when(v, path+".when")
		}
		return err
	})
	if err != nil {
		return prm, err
	}
	if prm.Distribution == "" {
		if prm.Distribution, err = p.infer(n, path, nodes); err != nil {
			return prm, err
		}
	}
	if prm.Distribution == CategoricalWeighted {
		prm.Distribution = Categorical
	}
	if prm.Distribution == Categorical || prm.Distribution == Constant {
		if p.command && prm.Probabilities == nil { // W&B allows a value twice: once is enough
			prm.Values = dedupe(prm.Values)
		}
		return prm, p.listed(prm, n, path, nodes)
	}
	return prm, p.numeric(&prm, kind, n, path, nodes)
}

// paramValue reads one value of a parameter: a setting's, or for a
// program any YAML value (lists and mappings too).
func (p *parser) paramValue(n *yaml.Node, path string, kind Kind) (any, error) {
	if p.command {
		return p.anyValue(n, path, 0)
	}
	return p.settingValue(n, path, kind)
}

// anyValue reads a value of any YAML type: a scalar (null too), a list, a
// mapping (its keys in order, as a pyvalue.Map).
func (p *parser) anyValue(n *yaml.Node, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf(n, path, "a value nested more than %d deep", maxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, p.errorf(n, path, "YAML aliases are not read in values")
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := p.anyValue(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(pyvalue.Map, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, p.errorf(k, path, "a mapping's keys are strings here")
			}
			v, err := p.anyValue(n.Content[i+1], path+"."+k.Value, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, pyvalue.MapItem{Key: k.Value, Value: v})
		}
		return out, nil
	}
	if n.Tag == "!!null" {
		return nil, nil
	}
	return p.scalar(n, path)
}

// probabilities reads a categorical's weights.
func (p *parser) probabilities(n *yaml.Node, path string) ([]float64, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errorf(n, path, "want a list of numbers, one per value, summing to 1")
	}
	out := make([]float64, len(n.Content))
	for i, c := range n.Content {
		v, err := p.number(c, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if v < 0 {
			return nil, p.errorf(c, fmt.Sprintf("%s[%d]", path, i), "%v: want a probability ≥ 0", v)
		}
		out[i] = v
	}
	return out, nil
}

func (p *parser) values(v *yaml.Node, path string, kind Kind) ([]any, error) {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return nil, p.errorf(v, path, "want a non-empty list")
	}
	out := make([]any, 0, len(v.Content))
	seen := make(map[string]bool, len(v.Content))
	for j, item := range v.Content {
		at := fmt.Sprintf("%s[%d]", path, j)
		val, err := p.paramValue(item, at, kind)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%T %s", val, pyvalue.Repr(val))
		if seen[key] && !p.command {
			return nil, p.errorf(item, at, "%s listed twice", pyvalue.Repr(val))
		}
		seen[key] = true
		out = append(out, val)
	}
	return out, nil
}

// infer finds the distribution from the keys given, as W&B does.
func (p *parser) infer(n *yaml.Node, path string, nodes map[string]*yaml.Node) (Distribution, error) {
	minN, hasMin := nodes["min"]
	maxN, hasMax := nodes["max"]
	switch {
	case nodes["values"] != nil:
		return Categorical, nil
	case nodes["value"] != nil:
		return Constant, nil
	case hasMin && hasMax && minN.Tag == "!!int" && maxN.Tag == "!!int":
		return IntUniform, nil
	case hasMin && hasMax:
		return Uniform, nil
	}
	return "", p.errorf(n, path, "want values: [...], value: x, or a distribution with min and max")
}

// listed checks a categorical or constant parameter's keys.
func (p *parser) listed(prm Parameter, n *yaml.Node, path string, nodes map[string]*yaml.Node) error {
	want, other := "values", "value"
	if prm.Distribution == Constant {
		want, other = "value", "values"
	}
	if _, ok := nodes[want]; !ok {
		return p.errorf(n, path, "distribution %s needs %s", prm.Distribution, want)
	}
	for _, k := range []string{other, "min", "max", "q", "mu", "sigma"} {
		if v, ok := nodes[k]; ok {
			return p.errorf(v, path+"."+k, "does not apply to distribution %s", prm.Distribution)
		}
	}
	if pr := prm.Probabilities; pr != nil {
		at := nodes["probabilities"]
		sum := 0.0
		for _, x := range pr {
			sum += x
		}
		switch {
		case prm.Distribution != Categorical:
			return p.errorf(at, path+".probabilities", "applies to values: [...] only")
		case len(pr) != len(prm.Values):
			return p.errorf(at, path+".probabilities", "%d probabilities for %d values: want one per value", len(pr), len(prm.Values))
		case math.Abs(sum-1) > 1e-6:
			return p.errorf(at, path+".probabilities", "they sum to %v: want 1", sum)
		}
	}
	return nil
}

// numeric checks a numeric parameter's keys and bounds against its kind.
func (p *parser) numeric(prm *Parameter, kind Kind, n *yaml.Node, path string, nodes map[string]*yaml.Node) error {
	d := prm.Distribution
	normal := d == Normal || d == QNormal || d == LogNormal || d == QLogNormal
	beta := d == Beta || d == QBeta
	quantized := d == QUniform || d == QLogUniform || d == QLogUniformValues || d == QNormal || d == QLogNormal || d == QBeta
	takes := map[bool]string{true: "mu and sigma", false: "min and max"}[normal]
	if beta {
		takes = "a and b"
	}
	for _, k := range []string{"values", "value", "probabilities", "min", "max", "mu", "sigma", "a", "b"} {
		v, ok := nodes[k]
		if !ok {
			continue
		}
		switch k {
		case "min", "max":
			ok = normal || beta
		case "mu", "sigma":
			ok = !normal
		case "a", "b":
			ok = !beta
		}
		if ok {
			return p.errorf(v, path+"."+k, "does not apply to distribution %s (it takes %s)", d, takes)
		}
	}
	if !normal && !beta && (nodes["min"] == nil || nodes["max"] == nil) {
		return p.errorf(n, path, "distribution %s needs min and max", d)
	}
	q, hasQ := nodes["q"]
	if hasQ && !quantized {
		return p.errorf(q, path+".q", "applies to the q_ distributions only")
	}
	if !hasQ {
		prm.Q = 1 // W&B's default step
	}
	if kind == "" && hasQ && q.Tag == "!!int" && (d != QUniform || nodes["min"].Tag == "!!int") {
		kind = Integer // no Settings: an integer step (and bound) means integer values
	}
	name := prm.Name
	switch {
	case kind != "" && kind != Number && kind != Integer:
		return p.errorf(n, path, "%s is a %s setting: sweep it with values: [...], not a numeric distribution", name, kind)
	case d == IntUniform && (prm.Min != math.Trunc(prm.Min) || prm.Max != math.Trunc(prm.Max)):
		return p.errorf(n, path, "int_uniform needs integer min and max, got %v and %v", prm.Min, prm.Max)
	case kind == Integer && !quantized && d != IntUniform:
		return p.errorf(n, path, "%s is an integer setting: use int_uniform or q_uniform", name)
	case normal && !(prm.Sigma >= 0):
		return p.errorf(nodes["sigma"], path+".sigma", "%v: want sigma ≥ 0", prm.Sigma)
	case beta && !(prm.A > 0 && prm.B > 0):
		return p.errorf(n, path, "a %v, b %v: a beta distribution needs a > 0 and b > 0", prm.A, prm.B)
	case !normal && !beta && prm.Min >= prm.Max:
		return p.errorf(nodes["max"], path+".max", "%v must be greater than min %v", prm.Max, prm.Min)
	case (d == LogUniformValues || d == InvLogUniformValues || d == QLogUniformValues) && prm.Min <= 0:
		return p.errorf(nodes["min"], path+".min", "%v: %s needs min > 0", prm.Min, d)
	case (d == LogUniform || d == QLogUniform || d == InvLogUniform) && math.Max(math.Abs(prm.Min), math.Abs(prm.Max)) > 700:
		return p.errorf(nodes["max"], path, "%s's bounds are natural logarithms (e^%v overflows): did you mean log_uniform_values?", d, math.Max(math.Abs(prm.Min), math.Abs(prm.Max)))
	case quantized && !(prm.Q > 0):
		return p.errorf(q, path+".q", "%v: want a step > 0", prm.Q)
	case d == QUniform && kind == Integer && (prm.Q != math.Trunc(prm.Q) || prm.Min != math.Trunc(prm.Min)):
		return p.errorf(n, path, "%s is an integer setting: q_uniform needs integer min and q", name)
	}
	prm.Integer = d == IntUniform || kind == Integer
	if prm.Discrete() {
		if n := (prm.Max-prm.Min)/prm.step() + 1; !(n <= MaxValues) {
			return p.errorf(nodes["max"], path, "%.4g values: a parameter may have at most %d", n, MaxValues)
		}
	}
	return nil
}

// dedupe drops values listed again, keeping the first.
func dedupe(values []any) []any {
	seen := map[string]bool{}
	out := values[:0:0]
	for _, v := range values {
		if key := fmt.Sprintf("%T %s", v, pyvalue.Repr(v)); !seen[key] {
			seen[key] = true
			out = append(out, v)
		}
	}
	return out
}
