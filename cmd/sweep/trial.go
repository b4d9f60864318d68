package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/study"
)

// logLines is how many of a log's last lines showTrial prints.
const logLines = 20

// showTrial prints one trial in full: `sweep report --trial N`.
func showTrial(stdout io.Writer, spec *study.Spec, trials []study.Trial, number int, dir string) error {
	if number >= len(trials) {
		return badUsage(fmt.Errorf("sweep %s has trials 0 to %d, not %d", spec.Name, len(trials)-1, number))
	}
	t := trials[number]
	fmt.Fprintf(stdout, "Trial %d of %s (%s stage): %s\n", t.Number, spec.Name, t.Stage, t.State)
	fmt.Fprintf(stdout, "  parameters: %s\n", study.Describe(t.Params))
	if t.State.Finished() {
		fmt.Fprintf(stdout, "  %s: %.6g (%s over %d runs), %.1f s\n", spec.Metric, t.Value, spec.Metric.Goal(), len(t.Seeds), t.Seconds)
		for i, m := range spec.More {
			if i+1 < len(t.Values) {
				fmt.Fprintf(stdout, "  %s: %.6g (%s)\n", m, t.Values[i+1], m.Goal())
			}
		}
	}
	if t.Reason != "" {
		fmt.Fprintf(stdout, "  failed: %s\n", t.Reason)
	}
	for r, seed := range t.Seeds {
		fmt.Fprintf(stdout, "\nRun %d, seed %d", r+1, seed)
		if r < len(t.Devices) && t.Devices[r] != "" {
			fmt.Fprintf(stdout, ", GPU %s", t.Devices[r])
		}
		if r < len(t.Runs) && len(t.Runs[r]) > 0 {
			fmt.Fprint(stdout, lastOf(t.Runs[r]))
		}
		fmt.Fprintln(stdout)
		for _, stream := range []string{"stdout", "stderr"} {
			b, err := command.LogTail(dir, t.Number, r, stream, 0)
			if err != nil || len(b) == 0 {
				continue
			}
			lines := strings.Split(strings.TrimRight(b, "\n"), "\n")
			fmt.Fprintf(stdout, "  %s, last %d of %d lines:\n", stream, min(logLines, len(lines)), len(lines))
			for _, l := range lines[max(len(lines)-logLines, 0):] {
				fmt.Fprintf(stdout, "    %s\n", l)
			}
		}
	}
	return nil
}

// lastOf writes how far a run got and its last record.
func lastOf(run []study.Epoch) string {
	e := run[len(run)-1]
	if e.Metrics != nil { // a program's figures
		return fmt.Sprintf(": %d reports; last: %s", len(run), figures(e))
	}
	s := fmt.Sprintf(": %d epochs; last: train loss %.4g, train accuracy %.4f, val loss %.4g, val accuracy %.4f", len(run), e.TrainLoss, e.TrainAccuracy, e.ValLoss, e.ValAccuracy)
	if e.TestAccuracy != 0 {
		s += fmt.Sprintf(", test accuracy %.4f", e.TestAccuracy)
	}
	return s
}

// figures writes a program's report: every figure, name=value.
func figures(e study.Epoch) string {
	var kv []string
	for _, n := range e.Names() {
		kv = append(kv, fmt.Sprintf("%s=%.6g", n, e.Value(n)))
	}
	return strings.Join(kv, ", ")
}
