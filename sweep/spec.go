package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sweepml/sweep/recipe"
)

// Spec is a parsed, validated sweep specification. See README.md for the
// YAML reference.
type Spec struct {
	Name           string
	Seed           uint64
	Data           DataSpec
	Fixed          []Setting // in spec order
	Metric         Metric
	Method         string
	Parameters     []Parameter // in spec order: the order of suggestion
	Budget         Budget
	EarlyTerminate EarlyTerminate
	Repeats        int
}

// DataSpec selects the data every trial trains on.
type DataSpec struct {
	Source     string  // "mnist" (embedded) or a directory of IDX files
	Subset     int     // first N training images, 0 = all
	Validation float64 // fraction held out, stratified, split with the sweep's seed
}

// Setting is one fixed training setting.
type Setting struct {
	Key   string
	Value any // string, int64, float64 or bool
}

// Metric is what trials are ranked by.
type Metric struct {
	Name string // val_accuracy or val_loss
	Goal string // maximize or minimize
}

// Budget bounds the sweep.
type Budget struct {
	Trials       int // configurations to try (for grid: at most the grid's size)
	Batch        int // trials asked of the sampler at once
	TrialTimeout time.Duration
	MaxFailed    int // failed trials that stop the sweep
}

// EarlyTerminate configures the pruner.
type EarlyTerminate struct {
	Type      string // none, successive_halving, median
	MinEpochs int    // successive halving: first rung; median: warm-up epochs
	Eta       int    // successive halving: reduction factor
	MinTrials int    // median: earlier trials needed before pruning
}

// Parameter is one dimension of the search space.
type Parameter struct {
	Name         string
	Distribution string
	Values       []any // categorical (and constant: one value)
	Min, Max, Q  float64
}

// The distributions, W&B's names.
const (
	Constant         = "constant"
	Categorical      = "categorical"
	IntUniform       = "int_uniform"
	Uniform          = "uniform"
	QUniform         = "q_uniform"
	LogUniformValues = "log_uniform_values"
)

var (
	distributions = []string{Constant, Categorical, IntUniform, Uniform, QUniform, LogUniformValues}
	methods       = []string{"grid", "random", "sobol", "tpe", "cmaes"}
	pruners       = []string{"none", "successive_halving", "median"}
	metrics       = map[string]string{"val_accuracy": "maximize", "val_loss": "minimize"}
	validName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// SpecError is an error in a spec file, at a line, under a key.
type SpecError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *SpecError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

// LoadSpec reads and validates a spec file.
func LoadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, b)
}

// ParseSpec parses and validates a spec; file names it in errors.
func ParseSpec(file string, src []byte) (*Spec, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
		return nil, &SpecError{File: file, Line: yamlErrorLine(err), Msg: "not valid YAML: " + msg}
	}
	p := &parser{file: file}
	spec, err := p.spec(&doc)
	if err != nil {
		return nil, err
	}
	return spec, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

func yamlErrorLine(err error) int {
	var line int
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &line)
	}
	return max(line, 1)
}

type parser struct{ file string }

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) error {
	return &SpecError{File: p.file, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// fields walks a mapping node, calling f for each key in order; unknown
// keys, duplicates and non-mappings are errors.
func (p *parser) fields(n *yaml.Node, path string, allowed []string, f func(key string, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, path, "want a mapping with keys %s", strings.Join(allowed, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if !slices.Contains(allowed, k.Value) {
			return p.errorf(k, key, "unknown key (valid keys%s: %s)", under(path), strings.Join(allowed, ", "))
		}
		if seen[k.Value] {
			return p.errorf(k, key, "given twice")
		}
		seen[k.Value] = true
		if err := f(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func under(path string) string {
	if path == "" {
		return ""
	}
	return " under " + path
}

func (p *parser) str(n *yaml.Node, key string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return "", p.errorf(n, key, "want a string, got %s", describe(n))
	}
	return n.Value, nil
}

func (p *parser) integer(n *yaml.Node, key string, least int) (int, error) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		return 0, p.errorf(n, key, "want an integer, got %s", describe(n))
	}
	if v < least {
		return 0, p.errorf(n, key, "%d: want an integer ≥ %d", v, least)
	}
	return v, nil
}

func (p *parser) number(n *yaml.Node, key string) (float64, error) {
	var v float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, p.errorf(n, key, "want a finite number, got %s", describe(n))
	}
	return v, nil
}

func (p *parser) oneOf(n *yaml.Node, key string, valid []string) (string, error) {
	s, err := p.str(n, key)
	if err != nil {
		return "", err
	}
	if !slices.Contains(valid, s) {
		return "", p.errorf(n, key, "%q is not one of %s", s, strings.Join(valid, ", "))
	}
	return s, nil
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
		if err := n.Decode(&v); err == nil {
			return v, nil
		}
	case "!!float":
		var v float64
		if err := n.Decode(&v); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
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

var topKeys = []string{"name", "description", "seed", "data", "fixed", "metric", "method", "parameters", "budget", "early_terminate", "repeats"}

func (p *parser) spec(doc *yaml.Node) (*Spec, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &SpecError{File: p.file, Line: 1, Msg: "empty spec (want a mapping with keys " + strings.Join(topKeys, ", ") + ")"}
	}
	root := doc.Content[0]
	s := &Spec{
		Data:           DataSpec{Source: "mnist", Subset: 1000, Validation: 0.2},
		Metric:         Metric{Name: "val_accuracy", Goal: "maximize"},
		Budget:         Budget{Batch: 4, MaxFailed: 5},
		EarlyTerminate: EarlyTerminate{Type: "none", MinEpochs: 1, Eta: 3, MinTrials: 5},
		Repeats:        1,
	}
	nodes := map[string]*yaml.Node{}
	err := p.fields(root, "", topKeys, func(key string, v *yaml.Node) error {
		nodes[key] = v
		var err error
		switch key {
		case "name":
			if s.Name, err = p.str(v, key); err == nil && !validName.MatchString(s.Name) {
				err = p.errorf(v, key, "%q: want letters, digits, '.', '_' or '-' (it names the results directory)", s.Name)
			}
		case "description":
			_, err = p.str(v, key)
		case "seed":
			var seed int
			seed, err = p.integer(v, key, 0)
			s.Seed = uint64(seed)
		case "data":
			err = p.data(v, &s.Data)
		case "fixed":
			s.Fixed, err = p.fixed(v)
		case "metric":
			err = p.metric(v, &s.Metric)
		case "method":
			s.Method, err = p.oneOf(v, key, methods)
		case "parameters":
			s.Parameters, err = p.parameters(v)
		case "budget":
			err = p.budget(v, &s.Budget)
		case "early_terminate":
			err = p.earlyTerminate(v, &s.EarlyTerminate)
		case "repeats":
			s.Repeats, err = p.integer(v, key, 1)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"name", "method", "parameters"} {
		if nodes[key] == nil {
			return nil, p.errorf(root, "", "missing required key %q", key)
		}
	}
	return s, p.check(s, nodes)
}

func (p *parser) data(n *yaml.Node, d *DataSpec) error {
	return p.fields(n, "data", []string{"source", "subset", "validation"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "source":
			if d.Source, err = p.str(v, "data.source"); err == nil && d.Source != "mnist" {
				if st, serr := os.Stat(d.Source); serr != nil || !st.IsDir() {
					err = p.errorf(v, "data.source", "%q is neither mnist (the embedded MNIST) nor a directory of MNIST-named IDX files", d.Source)
				}
			}
		case "subset":
			d.Subset, err = p.integer(v, "data.subset", 0)
		case "validation":
			if d.Validation, err = p.number(v, "data.validation"); err == nil && !(d.Validation > 0 && d.Validation < 1) {
				err = p.errorf(v, "data.validation", "%v: want a fraction strictly between 0 and 1", d.Validation)
			}
		}
		return err
	})
}

func (p *parser) metric(n *yaml.Node, m *Metric) error {
	var goal *yaml.Node
	err := p.fields(n, "metric", []string{"name", "goal"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
			m.Name, err = p.oneOf(v, "metric.name", []string{"val_accuracy", "val_loss"})
		case "goal":
			goal = v
			m.Goal, err = p.oneOf(v, "metric.goal", []string{"maximize", "minimize"})
		}
		return err
	})
	if err != nil {
		return err
	}
	if want := metrics[m.Name]; goal == nil {
		m.Goal = want
	} else if m.Goal != want {
		return p.errorf(goal, "metric.goal", "%s is to %s, not %s", m.Name, want, m.Goal)
	}
	return nil
}

func (p *parser) budget(n *yaml.Node, b *Budget) error {
	return p.fields(n, "budget", []string{"trials", "batch", "trial_timeout", "max_failed"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "trials":
			b.Trials, err = p.integer(v, "budget.trials", 1)
		case "batch":
			b.Batch, err = p.integer(v, "budget.batch", 1)
		case "max_failed":
			b.MaxFailed, err = p.integer(v, "budget.max_failed", 1)
		case "trial_timeout":
			var s string
			if s, err = p.str(v, "budget.trial_timeout"); err == nil {
				if b.TrialTimeout, err = time.ParseDuration(s); err != nil || b.TrialTimeout <= 0 {
					err = p.errorf(v, "budget.trial_timeout", "%q: want a positive duration such as 90s or 5m", s)
				}
			}
		}
		return err
	})
}

func (p *parser) earlyTerminate(n *yaml.Node, e *EarlyTerminate) error {
	return p.fields(n, "early_terminate", []string{"type", "min_epochs", "eta", "min_trials"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "type":
			e.Type, err = p.oneOf(v, "early_terminate.type", pruners)
		case "min_epochs":
			e.MinEpochs, err = p.integer(v, "early_terminate.min_epochs", 1)
		case "eta":
			e.Eta, err = p.integer(v, "early_terminate.eta", 2)
		case "min_trials":
			e.MinTrials, err = p.integer(v, "early_terminate.min_trials", 1)
		}
		return err
	})
}

// settingKinds maps each training setting a spec may fix or sweep to the
// YAML kind of its values: number, integer, boolean, string or sizes.
var settingKinds = func() map[string]string {
	kinds := map[string]string{}
	t := reflect.TypeFor[recipe.Settings]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "seed", "split_seed", "subset", "validation": // the spec's seed and data
			continue
		}
		switch {
		case f.Type == reflect.TypeFor[recipe.Sizes]():
			kinds[name] = "sizes"
		case f.Type.Kind() == reflect.Float64:
			kinds[name] = "number"
		case f.Type.Kind() == reflect.Int:
			kinds[name] = "integer"
		case f.Type.Kind() == reflect.Bool:
			kinds[name] = "boolean"
		default:
			kinds[name] = "string"
		}
	}
	return kinds
}()

// SettingNames lists the settings a spec may fix or sweep, sorted.
func SettingNames() []string {
	names := make([]string, 0, len(settingKinds))
	for k := range settingKinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// settingValue checks that v suits the setting's kind.
func (p *parser) settingValue(n *yaml.Node, path, setting string) (any, error) {
	v, err := p.scalar(n, path)
	if err != nil {
		return nil, err
	}
	kind := settingKinds[setting]
	ok := false
	switch v.(type) {
	case string:
		ok = kind == "string" || kind == "sizes"
	case int64:
		ok = kind == "integer" || kind == "number"
	case float64:
		ok = kind == "number"
	case bool:
		ok = kind == "boolean"
	}
	if !ok {
		want := map[string]string{"sizes": `layer sizes as a string, e.g. "784,128,64,10"`, "number": "a number", "integer": "an integer", "boolean": "true or false", "string": "a string"}[kind]
		return nil, p.errorf(n, path, "want %s, got %s", want, describe(n))
	}
	return v, nil
}

func (p *parser) settingKey(k *yaml.Node, path string) error {
	if _, ok := settingKinds[k.Value]; !ok {
		return p.errorf(k, path, "unknown training setting (valid: %s)", strings.Join(SettingNames(), ", "))
	}
	return nil
}

func (p *parser) fixed(n *yaml.Node) ([]Setting, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, "fixed", "want a mapping of training settings")
	}
	var out []Setting
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := "fixed." + k.Value
		if err := p.settingKey(k, path); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(s Setting) bool { return s.Key == k.Value }) {
			return nil, p.errorf(k, path, "given twice")
		}
		val, err := p.settingValue(v, path, k.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, Setting{Key: k.Value, Value: val})
	}
	return out, nil
}

func (p *parser) parameters(n *yaml.Node) ([]Parameter, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return nil, p.errorf(n, "parameters", "want a mapping from training settings to their values or distributions")
	}
	var out []Parameter
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := "parameters." + k.Value
		if err := p.settingKey(k, path); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(q Parameter) bool { return q.Name == k.Value }) {
			return nil, p.errorf(k, path, "given twice")
		}
		prm, err := p.parameter(k.Value, v, path)
		if err != nil {
			return nil, err
		}
		out = append(out, prm)
	}
	return out, nil
}

func (p *parser) parameter(name string, n *yaml.Node, path string) (Parameter, error) {
	prm := Parameter{Name: name}
	nodes := map[string]*yaml.Node{}
	err := p.fields(n, path, []string{"distribution", "values", "value", "min", "max", "q"}, func(key string, v *yaml.Node) error {
		nodes[key] = v
		var err error
		switch key {
		case "distribution":
			prm.Distribution, err = p.oneOf(v, path+".distribution", distributions)
		case "values":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return p.errorf(v, path+".values", "want a non-empty list")
			}
			for j, item := range v.Content {
				val, err := p.settingValue(item, fmt.Sprintf("%s.values[%d]", path, j), name)
				if err != nil {
					return err
				}
				if slices.Contains(prm.Values, val) {
					return p.errorf(item, fmt.Sprintf("%s.values[%d]", path, j), "%v listed twice", val)
				}
				prm.Values = append(prm.Values, val)
			}
		case "value":
			var val any
			if val, err = p.settingValue(v, path+".value", name); err == nil {
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
	// Infer the distribution as W&B does.
	_, hasValues := nodes["values"]
	_, hasValue := nodes["value"]
	_, hasMin := nodes["min"]
	_, hasMax := nodes["max"]
	if prm.Distribution == "" {
		switch {
		case hasValues:
			prm.Distribution = Categorical
		case hasValue:
			prm.Distribution = Constant
		case hasMin && hasMax && nodes["min"].Tag == "!!int" && nodes["max"].Tag == "!!int":
			prm.Distribution = IntUniform
		case hasMin && hasMax:
			prm.Distribution = Uniform
		default:
			return prm, p.errorf(n, path, "want values: [...], value: x, or a distribution with min and max")
		}
	}
	switch prm.Distribution {
	case Categorical, Constant:
		want, other := "values", "value"
		if prm.Distribution == Constant {
			want, other = "value", "values"
		}
		if _, ok := nodes[want]; !ok {
			return prm, p.errorf(n, path, "distribution %s needs %s", prm.Distribution, want)
		}
		for _, k := range []string{other, "min", "max", "q"} {
			if v, ok := nodes[k]; ok {
				return prm, p.errorf(v, path+"."+k, "does not apply to distribution %s", prm.Distribution)
			}
		}
		return prm, nil
	}
	for _, k := range []string{"values", "value"} {
		if v, ok := nodes[k]; ok {
			return prm, p.errorf(v, path+"."+k, "does not apply to distribution %s (it takes min and max)", prm.Distribution)
		}
	}
	if !hasMin || !hasMax {
		return prm, p.errorf(n, path, "distribution %s needs min and max", prm.Distribution)
	}
	if q, ok := nodes["q"]; ok != (prm.Distribution == QUniform) {
		if ok {
			return prm, p.errorf(q, path+".q", "applies to q_uniform only")
		}
		return prm, p.errorf(n, path, "distribution q_uniform needs q, the step")
	}
	kind := settingKinds[name]
	switch {
	case kind != "number" && kind != "integer":
		return prm, p.errorf(n, path, "%s is a %s setting: sweep it with values: [...], not a numeric distribution", name, kind)
	case prm.Distribution == IntUniform && (prm.Min != math.Trunc(prm.Min) || prm.Max != math.Trunc(prm.Max)):
		return prm, p.errorf(n, path, "int_uniform needs integer min and max, got %v and %v", prm.Min, prm.Max)
	case kind == "integer" && prm.Distribution != IntUniform && prm.Distribution != QUniform:
		return prm, p.errorf(n, path, "%s is an integer setting: use int_uniform or q_uniform", name)
	case prm.Min >= prm.Max:
		return prm, p.errorf(nodes["max"], path+".max", "%v must be greater than min %v", prm.Max, prm.Min)
	case prm.Distribution == LogUniformValues && prm.Min <= 0:
		return prm, p.errorf(nodes["min"], path+".min", "%v: log_uniform_values needs min > 0", prm.Min)
	case prm.Distribution == QUniform && !(prm.Q > 0):
		return prm, p.errorf(nodes["q"], path+".q", "%v: want a step > 0", prm.Q)
	case prm.Distribution == QUniform && kind == "integer" && (prm.Q != math.Trunc(prm.Q) || prm.Min != math.Trunc(prm.Min)):
		return prm, p.errorf(n, path, "%s is an integer setting: q_uniform needs integer min and q", name)
	}
	return prm, nil
}

// check validates what needs the whole spec: the settings' values against
// recipe's rules, the method against the space, the pruner against the
// epochs.
func (p *parser) check(s *Spec, nodes map[string]*yaml.Node) error {
	base := recipe.Defaults(recipe.ArchMLP)
	if v, ok := s.fixedValue("arch"); ok {
		if a, _ := v.(string); slices.Contains(recipe.Archs, a) {
			base = recipe.Defaults(a)
		}
	}
	// Fixed settings, one at a time, so that an error names its key.
	fixedNode := nodes["fixed"]
	for i, f := range s.Fixed {
		var err error
		if base, err = apply(base, f.Key, f.Value); err == nil {
			err = base.Validate()
		}
		if err != nil {
			return p.errorf(fixedNode.Content[2*i+1], "fixed."+f.Key, "%v", err)
		}
	}
	// Every value of every parameter, on top of the fixed settings.
	paramNodes := nodes["parameters"]
	for i, prm := range s.Parameters {
		node, path := paramNodes.Content[2*i+1], "parameters."+prm.Name
		if slices.ContainsFunc(s.Fixed, func(f Setting) bool { return f.Key == prm.Name }) {
			return p.errorf(paramNodes.Content[2*i], path, "is also fixed: a setting is either fixed or swept")
		}
		for _, v := range prm.probes() {
			trial, err := apply(base, prm.Name, v)
			if err == nil {
				err = trial.Validate()
			}
			if err != nil {
				return p.errorf(node, path, "value %v: %v", v, err)
			}
		}
	}
	if s.Method == "grid" {
		for i, prm := range s.Parameters {
			if prm.Distribution == Uniform || prm.Distribution == LogUniformValues {
				return p.errorf(paramNodes.Content[2*i+1], "parameters."+prm.Name,
					"method grid needs a finite set of values: give values: [...], or int_uniform or q_uniform bounds (%s is continuous)", prm.Distribution)
			}
		}
		if size := s.GridSize(); s.Budget.Trials > size {
			return p.errorf(nodes["budget"], "budget.trials", "%d is more than the grid's %d points; a grid tries each once", s.Budget.Trials, size)
		}
	} else if s.Budget.Trials == 0 {
		return p.errorf(nodeOr(nodes["budget"], nodes["method"]), "budget.trials", "method %s needs budget.trials, the number of trials to run", s.Method)
	}
	if s.Method == "cmaes" {
		numeric := 0
		for _, prm := range s.Parameters {
			if prm.Distribution != Categorical && prm.Distribution != Constant {
				numeric++
			}
		}
		if numeric < 2 {
			return p.errorf(nodes["method"], "method", "cmaes needs at least two numeric parameters (has %d); use tpe", numeric)
		}
	}
	if s.EarlyTerminate.Type != "none" {
		et := nodes["early_terminate"]
		if s.Repeats > 1 {
			return p.errorf(et, "early_terminate", "pruning judges single runs; with repeats: %d use type: none", s.Repeats)
		}
		if epochs := s.maxEpochs(base); s.EarlyTerminate.MinEpochs >= epochs {
			return p.errorf(et, "early_terminate.min_epochs", "%d leaves nothing to prune in %d epochs", s.EarlyTerminate.MinEpochs, epochs)
		}
	}
	return nil
}

func nodeOr(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

func (s *Spec) fixedValue(key string) (any, bool) {
	for _, f := range s.Fixed {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// maxEpochs is the most epochs any trial can run.
func (s *Spec) maxEpochs(base recipe.Settings) int {
	for _, prm := range s.Parameters {
		if prm.Name == "epochs" {
			return int(prm.Max)
		}
	}
	return base.Epochs
}

// probes are the values of a parameter validated against recipe's rules:
// every listed value, or both ends of a range.
func (prm Parameter) probes() []any {
	switch prm.Distribution {
	case Categorical, Constant:
		return prm.Values
	}
	return []any{prm.value(prm.Min), prm.value(prm.Max)}
}

// value turns a numeric draw into the setting's value: an integer for
// integer distributions, a float otherwise.
func (prm Parameter) value(x float64) any {
	if prm.Distribution == IntUniform || (prm.Distribution == QUniform && settingKinds[prm.Name] == "integer") {
		return int64(math.Round(x))
	}
	return x
}

// GridSize is the number of points of the grid over all parameters.
func (s *Spec) GridSize() int {
	size := 1
	for _, prm := range s.Parameters {
		size *= len(prm.gridValues())
	}
	return size
}

// gridValues lists a discrete parameter's values, both ends included.
func (prm Parameter) gridValues() []any {
	switch prm.Distribution {
	case Categorical, Constant:
		return prm.Values
	case IntUniform:
		var out []any
		for v := prm.Min; v <= prm.Max; v++ {
			out = append(out, prm.value(v))
		}
		return out
	case QUniform:
		n := int(math.Floor((prm.Max-prm.Min)/prm.Q + 1e-9))
		out := make([]any, n+1)
		for i := range out {
			out[i] = prm.value(prm.Min + float64(i)*prm.Q)
		}
		return out
	}
	return nil
}

// apply returns s with one setting changed, through the settings' JSON
// form so that every setting is reachable by its name.
func apply(s recipe.Settings, key string, value any) (recipe.Settings, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return s, err
	}
	m[key] = value
	if b, err = json.Marshal(m); err != nil {
		return s, err
	}
	var out recipe.Settings
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return s, fmt.Errorf("%v does not fit setting %s", value, key)
		}
		return s, err
	}
	return out, nil
}
