package study

import (
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// settingKey checks that a setting's name is one the Settings know, and
// returns its kind ("" when any kind goes: no Settings).
func (p *parser) settingKey(k *yaml.Node, path string) (Kind, error) {
	if p.settings == nil {
		return "", nil
	}
	kind, ok := p.settings.Kind(k.Value)
	if !ok {
		return "", p.errorf(k, path, "unknown training setting (valid: %s)", strings.Join(p.settings.Names(), ", "))
	}
	return kind, nil
}

// settingValue reads a value and checks that it suits the setting's kind.
func (p *parser) settingValue(n *yaml.Node, path string, kind Kind) (any, error) {
	v, err := p.scalar(n, path)
	if err != nil || kind == "" {
		return v, err
	}
	ok := false
	switch v.(type) {
	case string:
		ok = kind == String || kind == Sizes
	case int64:
		ok = kind == Integer || kind == Number
	case float64:
		ok = kind == Number
	case bool:
		ok = kind == Boolean
	}
	if !ok {
		want := map[Kind]string{Sizes: `layer sizes as a string, e.g. "784,128,64,10"`, Number: "a number", Integer: "an integer", Boolean: "true or false", String: "a string"}[kind]
		return nil, p.errorf(n, path, "want %s, got %s", want, describe(n))
	}
	return v, nil
}

// eachSetting walks a mapping of settings (fixed: or parameters:), checking
// each name once and calling f with its path and kind.
func (p *parser) eachSetting(n *yaml.Node, path string, f func(k, v *yaml.Node, path string, kind Kind) error) error {
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		at := path + "." + k.Value
		p.lines[at], p.lines[at+":key"] = v.Line, k.Line
		kind, err := p.settingKey(k, at)
		if err != nil {
			return err
		}
		if seen[k.Value] {
			return p.errorf(k, at, "given twice")
		}
		seen[k.Value] = true
		if err := f(k, v, at, kind); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) fixed(n *yaml.Node) ([]Setting, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "fixed", "want a mapping of training settings")
	}
	var out []Setting
	return out, p.eachSetting(n, "fixed", func(k, v *yaml.Node, path string, kind Kind) error {
		val, err := p.settingValue(v, path, kind)
		out = append(out, Setting{Key: k.Value, Value: val})
		return err
	})
}

func (p *parser) parameters(n *yaml.Node) ([]Parameter, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "parameters", "want a mapping from training settings to their values or distributions")
	}
	var out []Parameter
	return out, p.eachSetting(n, "parameters", func(k, v *yaml.Node, path string, kind Kind) error {
		prm, err := p.parameter(k.Value, kind, v, path)
		out = append(out, prm)
		return err
	})
}

var parameterKeys = []string{"distribution", "values", "value", "min", "max", "q"}

func (p *parser) parameter(name string, kind Kind, n *yaml.Node, path string) (Parameter, error) {
	prm := Parameter{Name: name}
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
			if val, err = p.settingValue(v, path+".value", kind); err == nil {
				prm.Values = []any{val}
			}
		case "min":
			prm.Min, err = p.number(v, path+".min")
		case "max":
			prm.Max, err = p.number(v, path+".max")
		case "q":
			prm.Q, err = p.number(v, path+".q")
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
	if prm.Distribution == Categorical || prm.Distribution == Constant {
		return prm, p.listed(prm, n, path, nodes)
	}
	return prm, p.numeric(&prm, kind, n, path, nodes)
}

func (p *parser) values(v *yaml.Node, path string, kind Kind) ([]any, error) {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return nil, p.errorf(v, path, "want a non-empty list")
	}
	out := make([]any, 0, len(v.Content))
	seen := make(map[any]bool, len(v.Content))
	for j, item := range v.Content {
		val, err := p.settingValue(item, path, kind)
		if err == nil && seen[val] {
			err = fmt.Errorf("%v listed twice", val)
		}
		if err != nil {
			at := fmt.Sprintf("%s[%d]", path, j)
			val, err = p.settingValue(item, at, kind) // the error again, naming the item
			if err == nil {
				err = p.errorf(item, at, "%v listed twice", val)
			}
			return nil, err
		}
		seen[val] = true
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
	for _, k := range []string{other, "min", "max", "q"} {
		if v, ok := nodes[k]; ok {
			return p.errorf(v, path+"."+k, "does not apply to distribution %s", prm.Distribution)
		}
	}
	return nil
}

// numeric checks a numeric parameter's keys and bounds against its kind.
func (p *parser) numeric(prm *Parameter, kind Kind, n *yaml.Node, path string, nodes map[string]*yaml.Node) error {
	for _, k := range []string{"values", "value"} {
		if v, ok := nodes[k]; ok {
			return p.errorf(v, path+"."+k, "does not apply to distribution %s (it takes min and max)", prm.Distribution)
		}
	}
	if nodes["min"] == nil || nodes["max"] == nil {
		return p.errorf(n, path, "distribution %s needs min and max", prm.Distribution)
	}
	if q, ok := nodes["q"]; ok != (prm.Distribution == QUniform) {
		if ok {
			return p.errorf(q, path+".q", "applies to q_uniform only")
		}
		return p.errorf(n, path, "distribution q_uniform needs q, the step")
	}
	if kind == "" && prm.Distribution == QUniform && nodes["min"].Tag == "!!int" && nodes["q"].Tag == "!!int" {
		kind = Integer // no Settings: integer bounds and step mean integer values
	}
	name := prm.Name
	switch {
	case kind != "" && kind != Number && kind != Integer:
		return p.errorf(n, path, "%s is a %s setting: sweep it with values: [...], not a numeric distribution", name, kind)
	case prm.Distribution == IntUniform && (prm.Min != math.Trunc(prm.Min) || prm.Max != math.Trunc(prm.Max)):
		return p.errorf(n, path, "int_uniform needs integer min and max, got %v and %v", prm.Min, prm.Max)
	case kind == Integer && prm.Distribution != IntUniform && prm.Distribution != QUniform:
		return p.errorf(n, path, "%s is an integer setting: use int_uniform or q_uniform", name)
	case prm.Min >= prm.Max:
		return p.errorf(nodes["max"], path+".max", "%v must be greater than min %v", prm.Max, prm.Min)
	case prm.Distribution == LogUniformValues && prm.Min <= 0:
		return p.errorf(nodes["min"], path+".min", "%v: log_uniform_values needs min > 0", prm.Min)
	case prm.Distribution == QUniform && !(prm.Q > 0):
		return p.errorf(nodes["q"], path+".q", "%v: want a step > 0", prm.Q)
	case prm.Distribution == QUniform && kind == Integer && (prm.Q != math.Trunc(prm.Q) || prm.Min != math.Trunc(prm.Min)):
		return p.errorf(n, path, "%s is an integer setting: q_uniform needs integer min and q", name)
	}
	prm.Integer = prm.Distribution == IntUniform || kind == Integer
	if step := max(prm.Q, 1); prm.Discrete() {
		if prm.Distribution == QUniform {
			step = prm.Q
		}
		if n := (prm.Max-prm.Min)/step + 1; !(n <= MaxValues) {
			return p.errorf(nodes["max"], path, "%.4g values: a parameter may have at most %d", n, MaxValues)
		}
	}
	return nil
}
