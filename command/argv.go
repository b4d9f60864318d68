package command

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sweepml/sweep/pyvalue"
	"github.com/sweepml/sweep/study"
)

// placeholder matches ${name}.
var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// envvar matches W&B's ${envvar:NAME}.
var envvar = regexp.MustCompile(`^envvar:[A-Z0-9_]+$`)

// Builtin placeholders, beside the parameters' names: this tool's
// (seed, trial) and W&B's.
var builtin = []string{"seed", "trial", "env", "interpreter", "program"}

// argMacros are W&B's macros that expand to the parameters: each stands
// alone as an element, and becomes zero or more of them.
var argMacros = []string{"args", "args_no_hyphens", "args_no_boolean_flags", "args_json", "args_json_file",
	"args_no_equals", "args_append_hydra", "args_override_hydra"}

// Check reports the first placeholder of argv that names neither a
// parameter nor a built-in one, and an empty command. program is W&B's
// program: ("" if none).
func Check(argv []string, params []string, program string) error {
	if len(argv) == 0 || argv[0] == "" {
		return fmt.Errorf("an empty command: want the program and its arguments, e.g. [python3, train.py, \"${args}\"]")
	}
	for i, a := range argv {
		for _, m := range placeholder.FindAllStringSubmatch(a, -1) {
			name := m[1]
			switch {
			case slices.Contains(argMacros, name) && a != m[0]:
				return fmt.Errorf("element %d (%q): ${%s} expands to several arguments and must stand alone", i, a, name)
			case name == "program" && program == "":
				return fmt.Errorf("element %d (%q): ${program} needs program: in the spec", i, a)
			case slices.Contains(params, name), slices.Contains(builtin, name), slices.Contains(argMacros, name), envvar.MatchString(name):
			default:
				return fmt.Errorf("element %d (%q) names ${%s}, which is neither a parameter (%s) nor one of ${args}, ${seed}, ${trial} or W&B's macros",
					i, a, name, strings.Join(params, ", "))
			}
		}
	}
	return nil
}

// Format writes a parameter value as the program receives it, as W&B's
// agent writes it: Python's str() (floats such as 1e-05 or 3.0, True,
// None, lists and groups as Python writes them).
func Format(v any) string { return pyvalue.Str(v) }

// Config is a run's parameters as W&B hands them to a program: nested
// groups as mappings, in spec order. paths gives each nested parameter's
// place (study.Parameter.Path).
func Config(params []study.ParamValue, paths map[string][]string) pyvalue.Map {
	var root pyvalue.Map
	for _, p := range params {
		path := paths[p.Name]
		if len(path) == 0 {
			path = []string{p.Name}
		}
		root = insert(root, path, p.Value)
	}
	return root
}

func insert(m pyvalue.Map, path []string, v any) pyvalue.Map {
	if len(path) == 1 {
		return append(m, pyvalue.MapItem{Key: path[0], Value: v})
	}
	i := slices.IndexFunc(m, func(it pyvalue.MapItem) bool { return it.Key == path[0] })
	if i < 0 {
		m = append(m, pyvalue.MapItem{Key: path[0], Value: pyvalue.Map{}})
		i = len(m) - 1
	}
	sub, _ := m[i].Value.(pyvalue.Map)
	m[i].Value = insert(sub, path[1:], v)
	return m
}

// expandArgs is one of W&B's argument macros over a run's config.
func expandArgs(macro string, config pyvalue.Map, jsonFile string) []string {
	var out []string
	for _, it := range config {
		k, v := it.Key, Format(it.Value)
		switch macro {
		case "args":
			out = append(out, "--"+k+"="+v)
		case "args_no_hyphens":
			out = append(out, k+"="+v)
		case "args_no_boolean_flags":
			switch it.Value {
			case true:
				out = append(out, "--"+k)
			case false:
			default:
				out = append(out, "--"+k+"="+v)
			}
		case "args_no_equals":
			out = append(out, "--"+k, v)
		case "args_append_hydra":
			out = append(out, "+"+k+"="+v)
		case "args_override_hydra":
			out = append(out, "++"+k+"="+v)
		}
	}
	switch macro {
	case "args_json":
		out = []string{pyvalue.JSON(config)}
	case "args_json_file":
		out = []string{jsonFile}
	}
	return out
}

// Expand substitutes the run's values into argv (see the package's
// documentation): W&B's macros, this tool's ${seed} and ${trial}, and
// ${name} of a parameter inside any element.
func (o *Objective) Expand(run study.TrialRun, jsonFile string) []string {
	config := Config(run.Params, o.Paths)
	values := map[string]string{"seed": strconv.FormatUint(run.Seed, 10), "trial": strconv.Itoa(run.Number),
		"env": "/usr/bin/env", "interpreter": o.interpreter(), "program": o.Program}
	for _, p := range run.Params {
		values[p.Name] = Format(p.Value)
	}
	var out []string
	for _, a := range o.Argv {
		if m := placeholder.FindStringSubmatch(a); m != nil && m[0] == a && slices.Contains(argMacros, m[1]) {
			out = append(out, expandArgs(m[1], config, jsonFile)...)
			continue
		}
		out = append(out, placeholder.ReplaceAllStringFunc(a, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := strings.CutPrefix(name, "envvar:"); ok {
				if e, set := os.LookupEnv(v); set {
					return e
				}
				return v // as W&B's agent does
			}
			return values[name]
		}))
	}
	return out
}

// interpreter is W&B's ${interpreter}: python, or python3 where there is
// no python on PATH (Debian's).
func (o *Objective) interpreter() string {
	if _, err := exec.LookPath("python"); err != nil {
		return "python3"
	}
	return "python"
}

// Env is the run's environment beside the process's own.
func (o *Objective) Env(run study.TrialRun, dir string) []string {
	env := []string{"SWEEP_SEED=" + strconv.FormatUint(run.Seed, 10), "SWEEP_TRIAL=" + strconv.Itoa(run.Number), "SWEEP_TRIAL_DIR=" + dir,
		"SWEEP_CONFIG=" + pyvalue.JSON(Config(run.Params, o.Paths))}
	if run.Test {
		env = append(env, "SWEEP_TEST=1")
	}
	if run.Devices != "" { // the run's GPUs, and no other's: NVIDIA's and AMD's variables
		for _, v := range gpuVars {
			env = append(env, v+"="+run.Devices)
		}
	}
	for _, p := range run.Params {
		env = append(env, "SWEEP_PARAM_"+envName(p.Name)+"="+Format(p.Value))
	}
	if o.Sweep != "" {
		env = append(env, "WANDB_SWEEP_ID="+o.Sweep, fmt.Sprintf("WANDB_RUN_ID=%s-%d-%d", o.Sweep, run.Number, run.Repeat))
	}
	if o.ModuleDir != "" {
		path := o.ModuleDir
		if old := os.Getenv("PYTHONPATH"); old != "" {
			path += string(os.PathListSeparator) + old
		}
		env = append(env, "PYTHONPATH="+path, "SWEEP_WANDB=1")
	}
	return env
}

// gpuVars name a run's GPU devices to CUDA and to ROCm.
var gpuVars = []string{"CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"}

// envName is a parameter's name as an environment variable's: upper case,
// anything but letters and digits '_'.
func envName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// prepare is the run's argv and environment beside the sweep's, writing
// the run's config as JSON where ${args_json_file} asks for it.
func (o *Objective) prepare(run study.TrialRun, dir string) ([]string, []string, error) {
	jsonFile := filepath.Join(dir, fmt.Sprintf("run%d.config.json", run.Repeat))
	if slices.Contains(o.Argv, "${args_json_file}") {
		if err := os.WriteFile(jsonFile, []byte(pyvalue.JSON(Config(run.Params, o.Paths))+"\n"), 0o644); err != nil {
			return nil, nil, err
		}
	}
	return o.Expand(run, jsonFile), o.Env(run, dir), nil
}
