package sweep

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/sweepml/sweep/study"
)

// Plan writes what the sweep will run: data, method and budget, fixed
// settings, the search space in suggestion order, the pruner's rungs.
// settings are what the spec was checked against, for the epochs a trial
// runs.
func Plan(w io.Writer, spec *study.Spec, settings study.Settings, workers int, resultsDir string) error {
	epochs := spec.MaxEpochs(settings)
	b := &strings.Builder{}
	fmt.Fprintf(b, "Sweep %s → %s\n", spec.Name, filepath.Join(resultsDir, spec.Name))
	subset := "all training images"
	if spec.Data.Subset > 0 {
		subset = fmt.Sprintf("first %d training images", spec.Data.Subset)
	}
	fmt.Fprintf(b, "  data:    %s, %s, %g held out for validation (split seed %d)\n", spec.Data.Source, subset, spec.Data.Validation, spec.Seed)
	fmt.Fprintf(b, "  metric:  %s (%s), at the last epoch", spec.Metric, spec.Metric.Goal())
	if spec.Repeats > 1 {
		fmt.Fprintf(b, ", mean of %d seeds", spec.Repeats)
	}
	fmt.Fprintln(b)
	total := spec.TotalTrials()
	fmt.Fprintf(b, "  method:  %s, %d trials", spec.Method, total)
	if spec.Method == study.Grid {
		fmt.Fprintf(b, " (grid of %d points)", spec.GridSize())
	}
	fmt.Fprintf(b, ", asked in batches of %d, trained %d at a time\n", spec.Budget.Batch, workers)
	if len(spec.Fixed) > 0 {
		var kv []string
		for _, f := range spec.Fixed {
			kv = append(kv, fmt.Sprintf("%s=%s", f.Key, study.FormatValue(f.Value)))
		}
		fmt.Fprintf(b, "  fixed:   %s\n", strings.Join(kv, " "))
	}
	writeSpace(b, spec)
	switch et := spec.EarlyTerminate; et.Type {
	case study.SuccessiveHalving:
		var rungs []string
		for r := et.MinEpochs; r < epochs; r *= et.Eta {
			rungs = append(rungs, fmt.Sprint(r))
		}
		fmt.Fprintf(b, "  pruning: successive halving, rungs at epochs %s, keeping the top 1/%d\n", strings.Join(rungs, ", "), et.Eta)
	case study.MedianPruner:
		fmt.Fprintf(b, "  pruning: median, from epoch %d once %d trials have completed\n", et.MinEpochs, et.MinTrials)
	default:
		fmt.Fprintf(b, "  pruning: none\n")
	}
	fmt.Fprintf(b, "  each trial: up to %d epochs × %d run(s); at most %d epochs in all\n", epochs, spec.Repeats, epochs*spec.Repeats*total)
	if spec.Budget.TrialTimeout > 0 {
		fmt.Fprintf(b, "  a trial fails after %v; ", spec.Budget.TrialTimeout)
	} else {
		fmt.Fprintf(b, "  ")
	}
	fmt.Fprintf(b, "the sweep stops after %d failed trials\n", spec.Budget.MaxFailed)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSpace writes the search space in suggestion order.
func writeSpace(b *strings.Builder, spec *study.Spec) {
	fmt.Fprintf(b, "  space:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, prm := range spec.Parameters {
		switch prm.Distribution {
		case study.Categorical, study.Constant:
			vals := make([]string, len(prm.Values))
			for i, v := range prm.Values {
				vals[i] = study.FormatValue(v)
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", prm.Name, prm.Distribution, strings.Join(vals, " | "))
		case study.IntUniform, study.QUniform:
			fmt.Fprintf(tw, "    %s\t%s\t[%g, %g], %d values, both ends included\n", prm.Name, prm.Distribution, prm.Min, prm.Max, prm.Count())
		default:
			fmt.Fprintf(tw, "    %s\t%s\t[%g, %g]\n", prm.Name, prm.Distribution, prm.Min, prm.Max)
		}
	}
	tw.Flush()
}
