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
func Plan(w io.Writer, spec *study.Spec, settings study.SettingTable, workers int, resultsDir string) error {
	epochs := 0 // a program's are its own
	if spec.Command == nil {
		epochs = spec.MaxEpochs(settings)
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "Sweep %s → %s\n", spec.Title, filepath.Join(resultsDir, spec.Name))
	subset := "all training images"
	if spec.Data.Subset > 0 {
		subset = fmt.Sprintf("first %d training images", spec.Data.Subset)
	}
	if spec.Command != nil {
		fmt.Fprintf(b, "  command: %s (run directly, no shell)\n", strings.Join(spec.Command, " "))
		writeProgram(b, spec)
	} else if spec.Data.Folds > 1 {
		fmt.Fprintf(b, "  data:    %s, %s, cross-validated over %d stratified folds (fold seed %d)\n", spec.Data.Source, subset, spec.Data.Folds, spec.Seed)
	} else {
		fmt.Fprintf(b, "  data:    %s, %s, %g held out for validation (split seed %d)\n", spec.Data.Source, subset, spec.Data.Validation, spec.Seed)
	}
	if spec.Metric.None() {
		fmt.Fprintf(b, "  metric:  none: the trials are run and recorded, and nothing ranks them\n")
	} else {
		writeMetric(b, spec)
	}
	total := spec.TotalTrials()
	fmt.Fprintf(b, "  method:  %s, %d trials", spec.Method, total)
	if spec.Method == study.Bayes {
		fmt.Fprintf(b, " (bayes: TPE, a model-based sampler)")
	}
	if spec.Method == study.NSGA2 {
		p := nsgaPopulation(total)
		fmt.Fprintf(b, " (NSGA-II, population %d: the first %d are Sobol points, then each is bred from the best %d)", p, p, p)
	}
	if spec.Method == study.Grid {
		fmt.Fprintf(b, " (grid of %d points", spec.GridSize())
		if spec.Conditional() {
			fmt.Fprintf(b, " of %s combinations of the values; when: and forbid: leave out the rest", combinations(spec))
		}
		fmt.Fprint(b, ")")
	}
	if spec.Budget.Batch > 1 {
		fmt.Fprintf(b, ", each proposed blind to the %d before it", spec.Budget.Batch-1)
	}
	fmt.Fprintf(b, ", %d runs trained at a time\n", workers)
	if len(spec.Fixed) > 0 {
		fmt.Fprintf(b, "  fixed:   %s\n", study.DescribeSettings(spec.Fixed))
	}
	writeSpace(b, spec)
	writePruning(b, spec, epochs)
	runs := spec.Runs(study.SearchStage)
	search := epochs * runs * total
	if epochs == 0 { // a program's
		fmt.Fprintf(b, "  each trial: %d run(s) of the program, %d runs in the search\n", runs, runs*total)
		writeFinal(b, spec, epochs)
	} else {
		fmt.Fprintf(b, "  each trial: up to %d epochs × %d run(s); the search at most %d epochs\n", epochs, runs, search)
		final := writeFinal(b, spec, epochs)
		fmt.Fprintf(b, "  in all:  at most %d epochs\n", search+final)
	}
	if spec.Budget.TrialTimeout > 0 {
		fmt.Fprintf(b, "  a trial fails after %v; ", spec.Budget.TrialTimeout)
	} else {
		fmt.Fprintf(b, "  ")
	}
	fmt.Fprintf(b, "the sweep stops after %d failed trials\n", spec.Budget.MaxFailed)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFinal writes what the final stage trains and returns its epochs.
func writeFinal(b *strings.Builder, spec *study.Spec, epochs int) int {
	c := spec.Confirm
	if !spec.HasFinal() {
		fmt.Fprintf(b, "  then:    nothing (no final stage%s)\n", map[bool]string{true: ": no metric", false: ": a W&B spec confirms only if it says confirm: {top: …, seeds: …}"}[spec.Metric.None()])
		return 0
	}
	if c.Top == 0 {
		runs := spec.Runs(study.SearchStage)
		fmt.Fprintf(b, "  then:    the best trial trained again with its seeds, measured on the test set: %d epochs\n", epochs*runs)
		return epochs * runs
	}
	configs, baseline := c.Top, ""
	if c.Baseline {
		configs++
		baseline = " and the baseline (the defaults)"
	}
	split := "the same validation split"
	if spec.Data.Resplit {
		split = "a new validation split each"
	}
	which := fmt.Sprintf("the top %d configurations", c.Top)
	if spec.MultiObjective() {
		which = fmt.Sprintf("the Pareto front's configurations (at most %d)", c.Top)
	}
	fmt.Fprintf(b, "  confirm: %s%s, %d fresh seeds each with %s, measured on the test set at the end: up to %d epochs\n",
		which, baseline, c.Seeds, split, configs*c.Seeds*epochs)
	return configs * c.Seeds * epochs
}

// writeSpace writes the search space in suggestion order.
func writeSpace(b *strings.Builder, spec *study.Spec) {
	fmt.Fprintf(b, "  space:\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, prm := range spec.Parameters {
		switch prm.Distribution {
		case study.Categorical, study.Constant:
			probs := ""
			if prm.Probabilities != nil {
				probs = fmt.Sprintf(", probabilities %v", prm.Probabilities)
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s%s\n", prm.Name, prm.Distribution, study.FormatValues(prm.Values, " | "), probs)
		case study.IntUniform, study.QUniform:
			fmt.Fprintf(tw, "    %s\t%s\t[%g, %g], %d values, both ends included\n", prm.Name, prm.Distribution, prm.Min, prm.Max, prm.Count())
		case study.Normal, study.QNormal, study.LogNormal, study.QLogNormal:
			fmt.Fprintf(tw, "    %s\t%s\tmu %g, sigma %g%s\n", prm.Name, prm.Distribution, prm.Mu, prm.Sigma, quantum(prm))
		case study.LogUniform, study.QLogUniform, study.InvLogUniform:
			lo, hi := prm.Range()
			fmt.Fprintf(tw, "    %s\t%s\t[%g, %g] (e^%g to e^%g)%s\n", prm.Name, prm.Distribution, lo, hi, prm.Min, prm.Max, quantum(prm))
		default:
			fmt.Fprintf(tw, "    %s\t%s\t[%g, %g]%s\n", prm.Name, prm.Distribution, prm.Min, prm.Max, quantum(prm))
		}
		if c := prm.Condition(); c != "" {
			fmt.Fprintf(tw, "    \t\t(only %s)\n", c)
		}
	}
	tw.Flush()
	for _, f := range spec.Forbid {
		var parts []string
		for _, c := range f {
			if c.Values != nil {
				parts = append(parts, c.Param+"="+study.FormatValues(c.Values, "|"))
				continue
			}
			lo, hi := "-inf", "inf"
			if c.Min != nil {
				lo = fmt.Sprint(*c.Min)
			}
			if c.Max != nil {
				hi = fmt.Sprint(*c.Max)
			}
			parts = append(parts, fmt.Sprintf("%s in [%s, %s]", c.Param, lo, hi))
		}
		fmt.Fprintf(b, "    forbidden: %s\n", strings.Join(parts, " and "))
	}
}

// combinations is the number of combinations of the parameters' values,
// as a grid without conditions multiplies them out.
func combinations(spec *study.Spec) string {
	n := 1.0
	for _, prm := range spec.Parameters {
		n *= float64(prm.Count())
	}
	return fmt.Sprintf("%.4g", n)
}

// writeMetric writes the metric line: what a trial's value is.
func writeMetric(b *strings.Builder, spec *study.Spec) {
	at := "at the last epoch"
	if spec.Command != nil {
		at = "at the last report that carries it"
	}
	fmt.Fprintf(b, "  metric:  %s (%s), %s", spec.Metric, spec.Metric.Goal(), at)
	switch runs := spec.Runs(study.SearchStage); {
	case spec.Data.Folds > 1:
		fmt.Fprintf(b, ", mean of %d folds", runs)
	case runs > 1:
		fmt.Fprintf(b, ", mean of %d seeds", runs)
	}
	if n := spec.ValidationImages(); n > 0 {
		fmt.Fprintf(b, "; a run validates on %d images", n)
	}
	if t := spec.Metric.Target; t != nil {
		fmt.Fprintf(b, "; target %s: no new trial starts once one reaches it", spec.Metric.Format(*t))
	}
	fmt.Fprintln(b)
	for _, m := range spec.More {
		fmt.Fprintf(b, "  and:     %s (%s)%s\n", m, m.Goal(), objectiveNote(spec, m))
	}
	if spec.MultiObjective() {
		fmt.Fprintf(b, "           several objectives: the report gives their Pareto front, and the final stage retrains the front's configurations; %s alone orders the tables and is what pruning judges\n", spec.Metric)
	}
	if spec.Measured() {
		fmt.Fprintf(b, "           measured: %s is this machine's training time, so the study depends on its speed and load: only the computed objectives reproduce bit for bit, and the window rule's promise (the same study for any number of workers) holds only for them\n", study.Seconds.Name)
	}
}

// objectiveNote says what a built-in objective is.
func objectiveNote(spec *study.Spec, m study.Metric) string {
	switch {
	case spec.Command != nil && !m.Measured():
		return ", at the last report that carries it"
	case m.Name == study.Params.Name:
		return ": the network's weights and biases, fixed by its configuration"
	case m.Name == study.Flops.Name:
		return ": arithmetic of one training epoch, 6 × weights × training images, fixed by its configuration"
	case m.Measured():
		return ": measured training time of a run, in seconds"
	}
	return ", at the last epoch"
}

// writeProgram writes what a W&B spec's program gets, and the keys that
// mean nothing here.
func writeProgram(b *strings.Builder, spec *study.Spec) {
	if spec.Program != "" {
		module := "this tool's wandb module (its import wandb reports into the sweep; wandb_module: false turns it off)"
		if spec.NoWandbModule {
			module = "no wandb module of this tool's (wandb_module: false): an installed wandb runs as configured"
		}
		fmt.Fprintf(b, "  program: %s, with %s\n", spec.Program, module)
	}
	if len(spec.NoEffect) > 0 {
		fmt.Fprintf(b, "  no effect here: %s (W&B's server and launch settings; the sweep runs offline)\n", strings.Join(spec.NoEffect, ", "))
	}
}

// quantum writes a W&B q_ distribution's step.
func quantum(prm study.Parameter) string {
	switch prm.Distribution {
	case study.QLogUniform, study.QLogUniformValues, study.QNormal, study.QLogNormal:
		return fmt.Sprintf(", rounded to multiples of %g", prm.Q)
	}
	return ""
}

// writePruning writes the pruner's rule and where it applies.
func writePruning(b *strings.Builder, spec *study.Spec, epochs int) {
	switch et := spec.EarlyTerminate; et.Type {
	case study.SuccessiveHalving:
		var rungs []string
		for r := et.MinEpochs; r < epochs; r *= et.Eta {
			rungs = append(rungs, fmt.Sprint(r))
		}
		fmt.Fprintf(b, "  pruning: successive halving, rungs at epochs %s, keeping the top 1/%d\n", strings.Join(rungs, ", "), et.Eta)
	case study.MedianPruner:
		fmt.Fprintf(b, "  pruning: median, from epoch %d once %d trials have completed\n", et.MinEpochs, et.MinTrials)
	case study.Hyperband:
		var bands []string
		for i, band := range et.Bands {
			if i == 6 {
				bands = append(bands, "…")
				break
			}
			bands = append(bands, fmt.Sprint(band))
		}
		how := "its value there"
		if !et.Strict {
			how = "its best so far"
		}
		fmt.Fprintf(b, "  pruning: hyperband (W&B's), bands at reports %s of %s; at a band a run goes on if %s is within the top 1/%d of the values there\n",
			strings.Join(bands, ", "), spec.Metric, how, et.Eta)
	default:
		fmt.Fprintf(b, "  pruning: none\n")
	}
}
