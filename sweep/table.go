package sweep

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
)

// Ranked orders trials best first: complete trials by their metric, then
// pruned trials by their last metric, ties by trial number. Failed and
// running trials are left out.
func Ranked(spec *Spec, trials []Trial) []Trial {
	var out []Trial
	for _, t := range trials {
		if t.State == StateComplete || t.State == StatePruned {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b Trial) int {
		if (a.State == StateComplete) != (b.State == StateComplete) {
			if a.State == StateComplete {
				return -1
			}
			return 1
		}
		sa, sb := spec.score(a.Value), spec.score(b.Value)
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

// WriteTable writes the top ranked trials (all if top ≤ 0) as a table:
// rank, trial, metric, parameters, epochs run, state; then how many
// trials ended in each state.
func WriteTable(w io.Writer, spec *Spec, trials []Trial, top int) error {
	ranked := Ranked(spec, trials)
	if top > 0 && len(ranked) > top {
		ranked = ranked[:top]
	}
	header := []any{"rank", "trial", spec.Metric.Name}
	for _, prm := range spec.Parameters {
		header = append(header, prm.Name)
	}
	header = append(header, "epochs", "state")
	table := tablewriter.NewTable(w)
	table.Header(header...)
	for i, t := range ranked {
		row := []string{fmt.Sprint(i + 1), fmt.Sprint(t.Number), fmt.Sprintf("%.4f", t.Value)}
		for _, p := range t.Params {
			row = append(row, FormatValue(p.Value))
		}
		row = append(row, fmt.Sprint(t.Epochs()), t.State)
		if err := table.Append(row); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, Counts(trials))
	return err
}

// Counts says how many trials ended in each state, e.g. "40 trials:
// 31 complete, 8 pruned, 1 failed".
func Counts(trials []Trial) string {
	n := map[string]int{}
	for _, t := range trials {
		n[t.State]++
	}
	var parts []string
	for _, s := range []string{StateComplete, StatePruned, StateFailed, StateRunning} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return fmt.Sprintf("%d trials: %s", len(trials), strings.Join(parts, ", "))
}

// FormatValue writes a parameter value compactly.
func FormatValue(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.4g", f)
	}
	return fmt.Sprint(v)
}
