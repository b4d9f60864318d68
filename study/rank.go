package study

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sweepml/sweep/pyvalue"
)

// Ranked orders trials best first: complete trials by their metric, then
// pruned trials by their last metric, ties by trial number. Failed and
// running trials are left out. Without a metric nothing ranks them: the
// finished trials in number order.
func Ranked(spec *Spec, trials []Trial) []Trial {
	var out []Trial
	for _, t := range trials {
		if t.State.Finished() {
			out = append(out, t)
		}
	}
	if spec.Metric.None() {
		return out
	}
	slices.SortStableFunc(out, func(a, b Trial) int {
		if (a.State == Complete) != (b.State == Complete) {
			if a.State == Complete {
				return -1
			}
			return 1
		}
		sa, sb := spec.Metric.Score(a.Value), spec.Metric.Score(b.Value)
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return a.Number - b.Number
	})
	return out
}

// Counts says how many trials ended in each state, e.g. "40 trials:
// 31 complete, 8 pruned, 1 failed".
func Counts(trials []Trial) string {
	n := map[State]int{}
	for _, t := range trials {
		n[t.State]++
	}
	var parts []string
	for _, s := range States {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return fmt.Sprintf("%d trials: %s", len(trials), strings.Join(parts, ", "))
}

// FormatValue writes a parameter value compactly.
func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.4g", x)
	case []any, pyvalue.Map, nil:
		return pyvalue.Repr(x)
	}
	return fmt.Sprint(v)
}

// Describe writes a trial's parameters as "name=value, …", the inactive
// ones left out.
func Describe(params []ParamValue) string {
	var kv []string
	for _, p := range params {
		if !p.Inactive {
			kv = append(kv, pair(p.Name, p.Value))
		}
	}
	return strings.Join(kv, ", ")
}

// DescribeSettings writes settings as "key=value …".
func DescribeSettings(settings []Setting) string {
	kv := make([]string, len(settings))
	for i, s := range settings {
		kv[i] = pair(s.Key, s.Value)
	}
	return strings.Join(kv, " ")
}

func pair(name string, v any) string { return name + "=" + FormatValue(v) }

// Shown writes a parameter's value for a table: empty where inactive.
func (p ParamValue) Shown() string {
	if p.Inactive {
		return ""
	}
	return FormatValue(p.Value)
}

// FormatValues writes values compactly, joined by sep.
func FormatValues(values []any, sep string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = FormatValue(v)
	}
	return strings.Join(out, sep)
}
