package study

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// Spec is a parsed, validated sweep specification. See docs/spec.md for
// the YAML reference.
type Spec struct {
	// Name names the results directory and the study: Title, the spec's
	// name, made safe (SafeName).
	Name, Title string
	Seed        uint64
	Data        DataSpec
	Fixed       []Setting // in spec order
	// Metric is what trials are ranked by; with several objectives
	// (metrics:), the first, and More the others.
	Metric         Metric
	More           []Metric
	Method         Method
	Parameters     []Parameter // in spec order: the order of suggestion
	Budget         Budget
	EarlyTerminate EarlyTerminate
	Repeats        int
	Confirm        Confirm
	// Command, when set, is the program every run starts (package
	// command) instead of a built-in network: no training settings apply.
	Command []string
	// Program is W&B's program:, which ${program} in the command names.
	// Unless NoWandbModule, its runs import this tool's wandb module.
	Program       string
	NoWandbModule bool
	// NoEffect lists the W&B keys given that mean nothing here.
	NoEffect []string
	// Forbid lists combinations no trial may have.
	Forbid []Forbidden
	// GPUs are the devices a command's runs share, GPUsPerTrial to each
	// running run ([]string{"all"}: every one nvidia-smi lists). Where the
	// runs train changes no result: the study does not keep them
	// (sweep run --gpus overrides them).
	GPUs         []string
	GPUsPerTrial int

	file      string
	lines     map[string]int // key path → line, for errors found after parsing
	settings  SettingTable   // what the spec was checked against
	searchEnd atomic.Int64   // see EndSearch
	grid      grid           // a conditional grid's points, once enumerated
}

// DataSpec selects the data every trial trains on.
type DataSpec struct {
	Source     string  // "mnist" (embedded) or a directory of IDX files
	Subset     int     // first N training images, 0 = all
	Validation float64 // fraction held out, stratified, split with the sweep's seed
	// Folds > 1 cross-validates instead: each trial trains Folds stratified
	// folds of the subset, each validated on the images it did not train
	// on; its metric is their mean.
	Folds int
	// Resplit draws a new stratified validation split for each
	// confirmation seed, so that the confirmed figure does not rest on one
	// split.
	Resplit bool
}

// Confirm is the confirmation stage: after the search, the Top distinct
// configurations by the search metric, and with Baseline the spec's
// fixed settings on their defaults, each trained again with Seeds fresh
// seeds. Top 0 means no confirmation.
type Confirm struct {
	Top      int
	Seeds    int
	Baseline bool
}

// Setting is one named training setting and its value.
type Setting struct {
	Key   string
	Value any // string, int64, float64 or bool
}

// Budget bounds the sweep.
type Budget struct {
	Trials       int // configurations to try (for grid: at most the grid's size)
	Batch        int // trials proposed blind to each other: the window (see package sweep)
	TrialTimeout time.Duration
	MaxFailed    int // failed trials that stop the sweep
}

// EarlyTerminate configures the pruner.
type EarlyTerminate struct {
	Type      PrunerType
	MinEpochs int // successive halving: first rung; median: warm-up epochs
	Eta       int // successive halving: reduction factor
	MinTrials int // median: earlier trials needed before pruning
	// Hyperband (W&B's): the bands, in iterations (reports of the metric),
	// ascending; Eta as above; Strict compares the value at the band,
	// else the best so far.
	Bands  []int
	Strict bool
}

// Method is how the search space is searched.
type Method string

// The methods.
const (
	Grid   Method = "grid"
	Random Method = "random"
	Sobol  Method = "sobol"
	TPE    Method = "tpe"
	CMAES  Method = "cmaes"
	// NSGA2 is NSGA-II, for several objectives (sweep's own, deterministic).
	NSGA2 Method = "nsga2"
	// Bayes is W&B's model-based method; here it is TPE (docs/programs.md).
	Bayes Method = "bayes"
)

// Methods lists the valid methods.
var Methods = []Method{Grid, Random, Sobol, TPE, CMAES, NSGA2, Bayes}

// PrunerType names a pruner.
type PrunerType string

// The pruners.
const (
	NoPruner          PrunerType = "none"
	SuccessiveHalving PrunerType = "successive_halving"
	MedianPruner      PrunerType = "median"
	Hyperband         PrunerType = "hyperband" // W&B's
)

// PrunerTypes lists the valid pruner types.
var PrunerTypes = []PrunerType{NoPruner, SuccessiveHalving, MedianPruner, Hyperband}

// Distribution names how a parameter's values are drawn, in W&B's words.
type Distribution string

// The distributions.
const (
	Constant         Distribution = "constant"
	Categorical      Distribution = "categorical"
	IntUniform       Distribution = "int_uniform"
	Uniform          Distribution = "uniform"
	QUniform         Distribution = "q_uniform"
	LogUniformValues Distribution = "log_uniform_values"
	// W&B's others: log_uniform's and inv_log_uniform's bounds are natural
	// logarithms; the inv_ ones are the same distributions, mirrored; q_
	// rounds to a multiple of q (half to even); normal's are mu and sigma.
	LogUniform          Distribution = "log_uniform"
	InvLogUniform       Distribution = "inv_log_uniform"
	InvLogUniformValues Distribution = "inv_log_uniform_values"
	QLogUniform         Distribution = "q_log_uniform"
	QLogUniformValues   Distribution = "q_log_uniform_values"
	Normal              Distribution = "normal"
	QNormal             Distribution = "q_normal"
	LogNormal           Distribution = "log_normal"
	QLogNormal          Distribution = "q_log_normal"
	Beta                Distribution = "beta" // in W&B's schema, not its docs: a and b
	QBeta               Distribution = "q_beta"
	// CategoricalWeighted is W&B's name for values with probabilities:
	// read as categorical.
	CategoricalWeighted Distribution = "categorical_w_probabilities"
)

// Distributions lists the valid distributions.
var Distributions = []Distribution{Constant, Categorical, IntUniform, Uniform, QUniform, LogUniformValues,
	LogUniform, InvLogUniform, InvLogUniformValues, QLogUniform, QLogUniformValues, Normal, QNormal, LogNormal, QLogNormal,
	Beta, QBeta, CategoricalWeighted}

// Parameter is one dimension of the search space.
type Parameter struct {
	Name         string
	Distribution Distribution
	Values       []any // categorical (and constant: one value)
	Min, Max, Q  float64
	// Integer is true when a numeric parameter's values are integers:
	// int_uniform, q_uniform over an integer setting, or a W&B q_
	// distribution whose q is written as an integer.
	Integer bool
	// Probabilities, when given, weigh a categorical's values (W&B's).
	Probabilities []float64
	Mu, Sigma     float64 // normal and its kin
	A, B          float64 // beta
	// Path is the parameter's place in nested parameters: groups, then its
	// own name; Name is Path joined by '.'.
	Path []string
	// When makes the parameter conditional: it exists only in trials
	// where every condition holds (conditions.go).
	When []Condition
}

// Kind is what values a setting takes.
type Kind string

// The kinds of settings.
const (
	Number  Kind = "number"
	Integer Kind = "integer"
	Boolean Kind = "boolean"
	String  Kind = "string"
	Sizes   Kind = "sizes" // layer widths written as a string, e.g. "784,128,64,10"
)

// SettingTable is what a spec's fixed: and parameters: may name: the settings
// of what a sweep trains, their kinds, and the rules a combination of them
// must follow. recipe.Table is the built-in networks'. A nil SettingTable
// accepts any name, the kind of its values taken from the YAML.
type SettingTable interface {
	// Names lists the valid names, sorted.
	Names() []string
	// Kind says what values a setting takes; ok is false for an unknown
	// name.
	Kind(name string) (k Kind, ok bool)
	// Check applies settings in order, on the defaults they select, and
	// reports the first that is invalid.
	Check(settings []Setting) error
	// Get is the value a setting takes once settings are applied, nil if
	// unknown.
	Get(settings []Setting, name string) any
}

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

// Errorf is an error at the spec's key path (e.g. "data.source"), on its
// line in the file.
func (s *Spec) Errorf(key, format string, args ...any) error {
	line := s.lines[key]
	for k := key; line == 0 && k != ""; {
		k = parent(k)
		line = s.lines[k]
	}
	return &SpecError{File: s.file, Line: max(line, 1), Key: key, Msg: fmt.Sprintf(format, args...)}
}

func parent(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' || key[i] == '[' {
			return key[:i]
		}
	}
	return ""
}

// FixedValue is the value the spec fixes a setting to.
func (s *Spec) FixedValue(key string) (any, bool) {
	for _, f := range s.Fixed {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// TrialSettings are the settings of a trial with the given parameters:
// the fixed ones, then the parameters, in spec order.
func (s *Spec) TrialSettings(params []ParamValue) []Setting {
	out := make([]Setting, 0, len(s.Fixed)+len(params))
	out = append(out, s.Fixed...)
	for _, p := range Active(params) {
		out = append(out, Setting{Key: p.Name, Value: p.Value})
	}
	return out
}

// TotalTrials is the number of search trials the sweep runs when not
// stopped: fewer once metric.target has ended the search (EndSearch).
func (s *Spec) TotalTrials() int {
	n := s.Budget.Trials
	if s.Method == Grid && (s.Budget.Trials == 0 || s.Budget.Trials > s.GridSize()) {
		n = s.GridSize()
	}
	if end := int(s.searchEnd.Load()); end > 0 && end < n {
		return end
	}
	return n
}

// EndSearch ends the search before trial n: a trial below n reached the
// metric's target, so no trial from n on is a search trial (the final
// stage is numbered from n). The study keeps n (AttrSearchEnd); every
// reader of it applies it.
func (s *Spec) EndSearch(n int) { s.searchEnd.Store(int64(n)) }

// Settings is the table the spec was checked against (nil: anything).
func (s *Spec) Settings() SettingTable { return s.settings }

// DefaultCommand is W&B's command when a spec gives only program:.
var DefaultCommand = []string{"${env}", "${interpreter}", "${program}", "${args}"}

// SafeName makes a sweep's name safe as a directory's: runs of anything
// but letters, digits, '.', '_' and '-' become one '_', trimmed; "" if
// no letter or digit is left.
func SafeName(name string) string {
	var b strings.Builder
	under := false
	for _, r := range name {
		ok := r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-')
		switch {
		case ok:
			b.WriteRune(r)
			under = false
		case !under:
			b.WriteByte('_')
			under = true
		}
	}
	out := strings.Trim(b.String(), "_")
	if !strings.ContainsFunc(out, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) || len(out) > 200 {
		return ""
	}
	return out
}
