package recipe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sweepml/sweep/network"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/train"
)

// Def is one training setting: its name (a spec's key, and with '-' for
// '_' the flag of sweep train), what values it takes, what it means, and
// how it is read and set on Settings. Defaults come from Defaults, per
// architecture.
type Def struct {
	Name string
	Kind study.Kind
	Doc  string
	// Flag is the flag's name where it is not derived from Name.
	Flag string
	// Spec is true for settings a spec fixes or sweeps; the others (seed,
	// subset, validation) a spec sets with keys of its own.
	Spec bool
	get  func(*Settings) any
	set  func(*Settings, any) error
}

// FlagName is the setting's flag in sweep train.
func (d Def) FlagName() string {
	if d.Flag != "" {
		return d.Flag
	}
	return strings.ReplaceAll(d.Name, "_", "-")
}

// Get reads the setting from s.
func (d Def) Get(s *Settings) any { return d.get(s) }

// Set sets the setting on s from a spec's value: string, int64, float64
// or bool, as its kind wants.
func (d Def) Set(s *Settings, v any) error { return d.set(s, v) }

// Parse sets the setting on s from a flag's text.
func (d Def) Parse(s *Settings, text string) error {
	var v any = text
	var err error
	switch d.Kind {
	case study.Number:
		v, err = strconv.ParseFloat(text, 64)
	case study.Integer:
		v, err = strconv.ParseInt(text, 10, 64)
	case study.Boolean:
		v, err = strconv.ParseBool(text)
	}
	if err != nil {
		return fmt.Errorf("%q is not %s", text, map[study.Kind]string{study.Number: "a number", study.Integer: "an integer", study.Boolean: "true or false"}[d.Kind])
	}
	return d.set(s, v)
}

// Default says the setting's default, and where another architecture's
// differs, that one too: "0.01 (resnet: 0.015)".
func (d Def) Default() string {
	mlp, resnet := Defaults(ArchMLP), Defaults(ArchResNet)
	a, b := format(d.get(&mlp)), format(d.get(&resnet))
	if a != b && d.Name != "arch" {
		return fmt.Sprintf("%s (resnet: %s)", a, b)
	}
	return a
}

func format(v any) string {
	if s := fmt.Sprint(v); s != "" {
		return s
	}
	return `""`
}

// SettingTable lists the training settings; it is the study.SettingTable of
// the built-in networks.
type SettingTable []Def

// Table is every training setting, in the order sweep train lists them.
var Table = SettingTable{
	{Name: "arch", Kind: study.String, Spec: true, Doc: "architecture: " + strings.Join(Archs, ", "), get: func(s *Settings) any { return s.Arch }, set: str(func(s *Settings) *string { return &s.Arch })},
	{Name: "impl", Kind: study.String, Spec: true, Doc: "implementation: scratch (hand-written backward pass), gomlx (GoMLX autodiff) or torch (the PyTorch example, run as a program; MLP only)", get: func(s *Settings) any { return s.Impl }, set: str(func(s *Settings) *string { return &s.Impl })},
	{Name: "sizes", Kind: study.Sizes, Spec: true, Doc: "layer widths, input to output", get: func(s *Settings) any { return s.Sizes.String() }, set: setSizes},
	{Name: "pre_activation", Kind: study.Boolean, Spec: true, Doc: "resnet: activation before the weights, h = W·act(x) + b + shortcut", get: func(s *Settings) any { return s.PreActivation }, set: boolean(func(s *Settings) *bool { return &s.PreActivation })},
	{Name: "no_projection", Kind: study.Boolean, Spec: true, Doc: "resnet: leave layers whose widths differ plain instead of adding a learned projection", get: func(s *Settings) any { return s.NoProjection }, set: boolean(func(s *Settings) *bool { return &s.NoProjection })},
	{Name: "activation", Kind: study.String, Spec: true, Doc: "hidden activation: " + join(network.Activations), get: func(s *Settings) any { return string(s.Activation) }, set: str(func(s *Settings) *network.Activation { return &s.Activation })},
	{Name: "init", Kind: study.String, Spec: true, Doc: "weight initialisation: " + join(network.Inits) + "; empty: he for relu-like activations, xavier otherwise", get: func(s *Settings) any { return string(s.Init) }, set: str(func(s *Settings) *network.Init { return &s.Init })},
	{Name: "optimizer", Kind: study.String, Spec: true, Doc: "optimizer: " + join(train.OptimizerKinds), get: func(s *Settings) any { return string(s.Optimizer) }, set: str(func(s *Settings) *train.OptimizerKind { return &s.Optimizer })},
	{Name: "lr", Kind: study.Number, Spec: true, Doc: "learning rate", get: func(s *Settings) any { return s.LR }, set: number(func(s *Settings) *float64 { return &s.LR })},
	{Name: "momentum", Kind: study.Number, Spec: true, Doc: "momentum coefficient (momentum optimizer)", get: func(s *Settings) any { return s.Momentum }, set: number(func(s *Settings) *float64 { return &s.Momentum })},
	{Name: "nesterov", Kind: study.Boolean, Spec: true, Doc: "Nesterov momentum (momentum optimizer)", get: func(s *Settings) any { return s.Nesterov }, set: boolean(func(s *Settings) *bool { return &s.Nesterov })},
	{Name: "weight_decay", Kind: study.Number, Spec: true, Doc: "L2 weight decay on weights (not biases)", get: func(s *Settings) any { return s.WeightDecay }, set: number(func(s *Settings) *float64 { return &s.WeightDecay })},
	{Name: "schedule", Kind: study.String, Spec: true, Doc: "learning-rate schedule: " + join(train.ScheduleKinds), get: func(s *Settings) any { return string(s.Schedule) }, set: str(func(s *Settings) *train.ScheduleKind { return &s.Schedule })},
	{Name: "warmup", Kind: study.Integer, Spec: true, Doc: "epochs of linear learning-rate warm-up", get: func(s *Settings) any { return s.Warmup }, set: integer(func(s *Settings) *int { return &s.Warmup })},
	{Name: "step_size", Kind: study.Integer, Spec: true, Doc: "epochs between decays (step schedule)", get: func(s *Settings) any { return s.StepSize }, set: integer(func(s *Settings) *int { return &s.StepSize })},
	{Name: "gamma", Kind: study.Number, Spec: true, Doc: "decay factor (step schedule)", get: func(s *Settings) any { return s.Gamma }, set: number(func(s *Settings) *float64 { return &s.Gamma })},
	{Name: "min_lr", Kind: study.Number, Spec: true, Doc: "final learning rate (cosine schedule)", get: func(s *Settings) any { return s.MinLR }, set: number(func(s *Settings) *float64 { return &s.MinLR })},
	{Name: "epochs", Kind: study.Integer, Spec: true, Doc: "training epochs", get: func(s *Settings) any { return s.Epochs }, set: integer(func(s *Settings) *int { return &s.Epochs })},
	{Name: "batch", Kind: study.Integer, Spec: true, Doc: "minibatch size, 1 = per sample as in the notebook", get: func(s *Settings) any { return s.Batch }, set: integer(func(s *Settings) *int { return &s.Batch })},
	{Name: "dtype", Kind: study.String, Spec: true, Doc: "element type: float32 or float64", get: func(s *Settings) any { return s.DType }, set: str(func(s *Settings) *string { return &s.DType })},
	{Name: "seed", Kind: study.Integer, Doc: "seed of the split, the initial weights and the shuffling", get: func(s *Settings) any { return s.Seed }, set: setSeed},
	{Name: "subset", Kind: study.Integer, Doc: "use the first N training images (0 = all 60,000)", get: func(s *Settings) any { return s.Subset }, set: integer(func(s *Settings) *int { return &s.Subset })},
	{Name: "folds", Kind: study.Integer, Doc: "cross-validate: train K stratified folds, each validated on the images the others train on, and report their mean (0: hold out --val instead)", get: func(s *Settings) any { return s.Folds }, set: integer(func(s *Settings) *int { return &s.Folds })},
	{Name: "validation", Flag: "val", Kind: study.Number, Doc: "fraction held out for validation, stratified by label", get: func(s *Settings) any { return s.Validation }, set: number(func(s *Settings) *float64 { return &s.Validation })},
}

func join[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

// The setters by kind. A value of the wrong type is refused.

func mismatch(v any) error { return fmt.Errorf("%v does not fit", v) }

func str[T ~string](field func(*Settings) *T) func(*Settings, any) error {
	return func(s *Settings, v any) error {
		x, ok := v.(string)
		if !ok {
			return mismatch(v)
		}
		*field(s) = T(x)
		return nil
	}
}

func boolean(field func(*Settings) *bool) func(*Settings, any) error {
	return func(s *Settings, v any) error {
		x, ok := v.(bool)
		if !ok {
			return mismatch(v)
		}
		*field(s) = x
		return nil
	}
}

func number(field func(*Settings) *float64) func(*Settings, any) error {
	return func(s *Settings, v any) error {
		switch x := v.(type) {
		case float64:
			*field(s) = x
		case int64:
			*field(s) = float64(x)
		default:
			return mismatch(v)
		}
		return nil
	}
}

func integer(field func(*Settings) *int) func(*Settings, any) error {
	return func(s *Settings, v any) error {
		x, ok := v.(int64)
		if !ok || x != int64(int(x)) {
			return mismatch(v)
		}
		*field(s) = int(x)
		return nil
	}
}

func setSizes(s *Settings, v any) error {
	x, ok := v.(string)
	if !ok {
		return mismatch(v)
	}
	sizes, err := ParseSizes(x)
	if err == nil {
		s.Sizes = sizes
	}
	return err
}

// setSeed sets the seed of the weights and shuffling and of the split.
func setSeed(s *Settings, v any) error {
	x, ok := v.(int64)
	if !ok || x < 0 {
		return mismatch(v)
	}
	s.Seed, s.SplitSeed = uint64(x), uint64(x)
	return nil
}

// Lookup finds a setting by name.
func (t SettingTable) Lookup(name string) (Def, bool) {
	i := slices.IndexFunc(t, func(d Def) bool { return d.Name == name })
	if i < 0 {
		return Def{}, false
	}
	return t[i], true
}

// Names lists the settings a spec may fix or sweep, sorted.
func (t SettingTable) Names() []string {
	var out []string
	for _, d := range t {
		if d.Spec {
			out = append(out, d.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Kind says what values a spec setting takes.
func (t SettingTable) Kind(name string) (study.Kind, bool) {
	d, ok := t.Lookup(name)
	return d.Kind, ok && d.Spec
}

// Apply starts from the defaults of the architecture the settings choose
// (the last arch among them, else the MLP's) and applies them in order.
func (t SettingTable) Apply(settings []study.Setting) (Settings, error) {
	arch := ArchMLP
	for _, kv := range settings {
		if kv.Key == "arch" {
			arch, _ = kv.Value.(string)
		}
	}
	out := Defaults(arch)
	for _, kv := range settings {
		d, ok := t.Lookup(kv.Key)
		if !ok {
			return out, fmt.Errorf("setting %s: unknown", kv.Key)
		}
		if err := d.set(&out, kv.Value); err != nil {
			return out, fmt.Errorf("setting %s: %w", kv.Key, err)
		}
	}
	return out, nil
}

// Check applies the settings and validates the result.
func (t SettingTable) Check(settings []study.Setting) error {
	s, err := t.Apply(settings)
	if err != nil {
		return err
	}
	return s.Validate()
}

// Get is a setting's value once the settings are applied.
func (t SettingTable) Get(settings []study.Setting, name string) any {
	s, err := t.Apply(settings)
	d, ok := t.Lookup(name)
	if err != nil || !ok {
		return nil
	}
	return d.get(&s)
}

var _ study.SettingTable = Table
