package study

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseSpec parses and checks a spec; file names it in errors. settings
// says what fixed: and parameters: may name (nil: anything). It reads
// nothing but src: checks against the data are the caller's (see
// Spec.Errorf).
func ParseSpec(file string, src []byte, settings SettingTable) (*Spec, error) {
	if len(src) > MaxSpecBytes {
		return nil, &SpecError{File: file, Line: 1, Msg: fmt.Sprintf("%d bytes: a spec may have at most %d", len(src), MaxSpecBytes)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		msg := yamlLine.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
		return nil, &SpecError{File: file, Line: yamlErrorLine(err), Msg: "not valid YAML: " + msg}
	}
	p := &parser{file: file, settings: settings, lines: map[string]int{}}
	if p.command = hasKey(&doc, "command") || hasKey(&doc, "program"); p.command {
		p.settings = nil // a command's parameters are its own
	}
	spec, err := p.spec(&doc)
	if spec != nil {
		spec.settings = p.settings
	}
	return spec, err
}

var (
	yamlLine  = regexp.MustCompile(`line (\d+): `)
	validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	topKeys   = []string{"name", "description", "seed", "program", "command", "wandb_module", "data", "fixed", "metric", "metrics", "method", "parameters",
		"budget", "run_cap", "early_terminate", "repeats", "confirm", "forbid", "gpus", "gpus_per_trial", "project", "entity", "controller", "job", "image_uri", "apiVersion", "kind"}
	// noEffect are W&B's keys that mean nothing to an offline sweep: read,
	// checked for type, and shown by sweep plan as having no effect.
	noEffect = []string{"project", "entity", "controller", "job", "image_uri", "apiVersion", "kind"}
)

// hasKey reports whether a document's top-level mapping has the key.
func hasKey(doc *yaml.Node, key string) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(doc.Content[0].Content); i += 2 {
		if doc.Content[0].Content[i].Value == key {
			return true
		}
	}
	return false
}

func yamlErrorLine(err error) int {
	var line int
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &line)
	}
	return max(line, 1)
}

// parser walks the YAML tree, remembering the line of every key.
type parser struct {
	file     string
	settings SettingTable
	command  bool // the spec names a command: no settings apply
	lines    map[string]int
}

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
		p.lines[key] = v.Line
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

// Bounds on what a spec may ask for: past them a sweep has no sane
// meaning on one study, and counting it would overflow or exhaust memory.
const (
	MaxTrials = 100_000       // budget.trials, and a grid's points
	MaxBatch  = 1_000         // budget.batch
	MaxRuns   = 100           // repeats, folds, confirm.top, confirm.seeds
	MaxValues = 1_000_000_000 // of one discrete numeric parameter
	// MaxSpecBytes bounds a spec file: a few hundred bytes are typical.
	MaxSpecBytes = 1 << 20
)

// defaults is a spec before its keys are read.
func defaults() *Spec {
	return &Spec{
		Data:           DataSpec{Source: "mnist", Subset: 1000, Validation: 0.2, Folds: 1, Resplit: true},
		Metric:         ValAccuracy,
		Budget:         Budget{Batch: 4, MaxFailed: 5},
		EarlyTerminate: EarlyTerminate{Type: NoPruner, MinEpochs: 1, Eta: 3, MinTrials: 5},
		Repeats:        1,
		GPUsPerTrial:   1,
	}
}

func (p *parser) spec(doc *yaml.Node) (*Spec, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &SpecError{File: p.file, Line: 1, Msg: "empty spec (want a mapping with keys " + strings.Join(topKeys, ", ") + ")"}
	}
	root := doc.Content[0]
	s := defaults()
	s.file, s.lines = p.file, p.lines
	err := p.fields(root, "", topKeys, func(key string, v *yaml.Node) error {
		return p.top(s, key, v)
	})
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"name", "method", "parameters"} { // name: Prepare adds one
		if p.lines[key] == 0 {
			return nil, p.errorf(root, "", "missing required key %q", key)
		}
	}
	if p.lines["metric"] == 0 && p.lines["metrics"] == 0 && p.command {
		s.Metric = Metric{} // a program's metric is its own: none unless named
	}
	if s.Program != "" && s.Command == nil {
		s.Command = DefaultCommand // W&B's
	}
	if p.lines["confirm"] == 0 && s.Method != Grid && s.Program == "" { // searches confirm unless told not to; W&B's have none
		s.Confirm = defaultConfirm(p.settings)
	}
	return s, p.check(s)
}

// top reads one top-level key.
func (p *parser) top(s *Spec, key string, v *yaml.Node) error {
	var err error
	switch key {
	case "name":
		if s.Title, err = p.str(v, key); err == nil {
			if s.Name = SafeName(s.Title); s.Name == "" {
				err = p.errorf(v, key, "%q: want a name with a letter or digit in it (it names the results directory)", s.Title)
			}
		}
	case "program":
		s.Program, err = p.str(v, key)
		if err == nil && s.Program == "" {
			err = p.errorf(v, key, "an empty program: want the script W&B's agent would run, e.g. train.py")
		}
	case "wandb_module":
		var on bool
		on, err = p.boolean(v, key)
		s.NoWandbModule = !on
	case "run_cap":
		if p.lines["budget.trials"] != 0 {
			return p.errorf(v, key, "budget.trials is given too: give one")
		}
		s.Budget.Trials, err = p.bounded(v, key, 1, MaxTrials)
	case "forbid":
		s.Forbid, err = p.forbid(v)
	case "gpus":
		s.GPUs, err = p.gpus(v)
	case "gpus_per_trial":
		s.GPUsPerTrial, err = p.bounded(v, key, 1, 64)
	case "project", "entity", "controller", "job", "image_uri", "apiVersion", "kind":
		s.NoEffect = append(s.NoEffect, key)
	case "description":
		_, err = p.str(v, key)
	case "seed":
		var seed int
		seed, err = p.integer(v, key, 0)
		s.Seed = uint64(seed)
	case "command":
		s.Command, err = p.strings(v, key)
	case "data":
		if p.command {
			return p.errorf(v, key, "a command trains on data of its own: give it its data in its arguments (data applies to the built-in networks)")
		}
		err = p.data(v, &s.Data)
	case "fixed":
		if p.command {
			return p.errorf(v, key, "built-in training settings do not apply to a command: pass them in its arguments")
		}
		s.Fixed, err = p.fixed(v)
	case "metric":
		if p.lines["metrics"] != 0 {
			return p.errorf(v, key, "metrics: is given too: give metric: for one objective, metrics: for several")
		}
		err = p.metric(v, &s.Metric, key)
	case "metrics":
		err = p.metrics(v, s)
	case "method":
		s.Method, err = oneOf(p, v, key, Methods)
	case "parameters":
		s.Parameters, err = p.parameters(v)
	case "budget":
		if err = p.budget(v, &s.Budget); err == nil && p.lines["run_cap"] != 0 && p.lines["budget.trials"] != 0 {
			err = p.errorf(v, "budget.trials", "run_cap is given too: give one")
		}
	case "early_terminate":
		err = p.earlyTerminate(v, &s.EarlyTerminate)
	case "repeats":
		s.Repeats, err = p.bounded(v, key, 1, MaxRuns)
	case "confirm":
		err = p.confirm(v, &s.Confirm)
	}
	return err
}

// confirm reads the confirmation stage: false (none), or a mapping.
func (p *parser) confirm(n *yaml.Node, c *Confirm) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var on bool
		n.Decode(&on)
		if !on {
			*c = Confirm{}
			return nil
		}
		return p.errorf(n, "confirm", "want false or a mapping with keys top, seeds, baseline")
	}
	*c = defaultConfirm(p.settings)
	return p.fields(n, "confirm", []string{"top", "seeds", "baseline"}, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "top":
			c.Top, err = p.bounded(v, "confirm.top", 1, MaxRuns)
		case "seeds":
			c.Seeds, err = p.bounded(v, "confirm.seeds", 2, MaxRuns)
		case "baseline":
			c.Baseline, err = p.boolean(v, "confirm.baseline")
		}
		return err
	})
}

// defaultConfirm is the confirmation stage a search gets unless its spec
// says otherwise; the baseline needs the Settings' defaults.
func defaultConfirm(settings SettingTable) Confirm {
	return Confirm{Top: 5, Seeds: 5, Baseline: settings != nil}
}
