package command

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sweepml/sweep/study"
)

// placeholder matches ${name}.
var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// Builtin placeholders, beside the parameters' names.
var builtin = []string{"args", "seed", "trial"}

// Check reports the first placeholder of argv that names neither a
// parameter nor a built-in one, and an empty command.
func Check(argv []string, params []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return fmt.Errorf("an empty command: want the program and its arguments, e.g. [python3, train.py, \"${args}\"]")
	}
	for i, a := range argv {
		for _, m := range placeholder.FindAllStringSubmatch(a, -1) {
			if !slices.Contains(params, m[1]) && !slices.Contains(builtin, m[1]) {
				return fmt.Errorf("element %d (%q) names ${%s}, which is neither a parameter (%s) nor one of ${args}, ${seed}, ${trial}",
					i, a, m[1], strings.Join(params, ", "))
			}
		}
		if strings.Contains(a, "${args}") && a != "${args}" {
			return fmt.Errorf("element %d (%q): ${args} expands to several arguments and must stand alone", i, a)
		}
	}
	return nil
}

// Format writes a parameter value as the program receives it: floats in
// the shortest form that reads back exactly.
func Format(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}

// Expand substitutes the run's values into argv (see the package's
// documentation).
func Expand(argv []string, run study.TrialRun) []string {
	values := map[string]string{"seed": strconv.FormatUint(run.Seed, 10), "trial": strconv.Itoa(run.Number)}
	for _, p := range run.Params {
		values[p.Name] = Format(p.Value)
	}
	var out []string
	for _, a := range argv {
		if a == "${args}" {
			for _, p := range run.Params {
				out = append(out, "--"+p.Name+"="+Format(p.Value))
			}
			continue
		}
		out = append(out, placeholder.ReplaceAllStringFunc(a, func(m string) string { return values[m[2:len(m)-1]] }))
	}
	return out
}

// Env is the run's environment beside the process's own.
func Env(run study.TrialRun, dir string) []string {
	env := []string{"SWEEP_SEED=" + strconv.FormatUint(run.Seed, 10), "SWEEP_TRIAL=" + strconv.Itoa(run.Number), "SWEEP_TRIAL_DIR=" + dir}
	if run.Test {
		env = append(env, "SWEEP_TEST=1")
	}
	for _, p := range run.Params {
		env = append(env, "SWEEP_PARAM_"+strings.ToUpper(p.Name)+"="+Format(p.Value))
	}
	return env
}

// prepare is the run's argv and environment beside the sweep's.
func (o *Objective) prepare(run study.TrialRun, dir string) ([]string, []string, error) {
	return Expand(o.Argv, run), Env(run, dir), nil
}
