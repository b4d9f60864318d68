package study

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// settingKey checks that a setting's name is one the SettingTable knows,
// and returns its kind ("" when any kind goes: no table).
func (p *parser) settingKey(k *yaml.Node, path string) (Kind, error) {
	if p.settings == nil {
		return "", nil
	}
	kind, ok := p.settings.Kind(k.Value)
	if !ok {
		return "", p.errorf(k, path, "unknown training setting (valid: %s; to sweep a program's parameters, name it with program: or command:)", strings.Join(p.settings.Names(), ", "))
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
