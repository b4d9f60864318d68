package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sweepml/sweep/record"
	"github.com/sweepml/sweep/stats"
	"github.com/sweepml/sweep/study"
)

// recommend picks the answer: the final stage's best trial by its
// validation mean, else the search's best, with the baseline's figures.
func recommend(spec *study.Spec, r *Report) *Recommendation {
	rows := r.Confirmation
	if len(rows) == 0 {
		rows = r.Ranked
	}
	if len(rows) == 0 {
		return nil
	}
	rec := &Recommendation{Figures: figures(spec, r.trial(rows[0].Trial)), Stage: rows[0].Stage, Command: trainCommand(spec, r.trial(rows[0].Trial))}
	for _, row := range r.Confirmation {
		if row.Stage == study.BaselineStage {
			b := figures(spec, r.trial(row.Trial))
			rec.Baseline = &b
			rec.BeatsBaseline = row.Trial != rec.Trial && !rec.Metric.Overlaps(b.Metric)
		}
	}
	return rec
}

// trainCommand is the sweep train command line that trains a trial's settings
// again (add --seed N), for specs of the built-in networks: a flag per
// setting, its name with '-' for '_'.
func trainCommand(spec *study.Spec, t study.Trial) string {
	if spec.Settings() == nil {
		return ""
	}
	args := []string{"sweep train"}
	for _, kv := range spec.TrialSettings(t.Params) {
		args = append(args, fmt.Sprintf("--%s=%v", strings.ReplaceAll(kv.Key, "_", "-"), kv.Value))
	}
	if spec.Data.Source != "mnist" {
		args = append(args, "--data="+spec.Data.Source)
	}
	args = append(args, fmt.Sprintf("--subset=%d", spec.Data.Subset), fmt.Sprintf("--val=%g", spec.Data.Validation), "--test")
	return strings.Join(args, " ")
}

// figures are a trial's validation and test figures.
func figures(spec *study.Spec, t study.Trial) Figures {
	f := Figures{Trial: t.Number, Params: map[string]any{}, Metric: spec.Estimate(t), Seeds: t.Seeds}
	for _, p := range t.Params {
		f.Params[p.Name] = p.Value
	}
	var acc, loss []float64
	for _, run := range t.Runs {
		if a, ok := record.Last(run, record.TestAccuracy); ok && a > 0 {
			l, _ := record.Last(run, record.TestLoss)
			acc, loss = append(acc, a), append(loss, l)
		}
	}
	if len(acc) > 0 && len(acc) == len(t.Runs) {
		a, l := stats.TInterval(acc), stats.TInterval(loss)
		f.TestAccuracy, f.TestLoss, f.Test = &a.Mean, &l.Mean, a
	}
	return f
}

// interval writes an estimate with its interval and what it rests on.
func interval(m study.Metric, e stats.Interval) string {
	switch e.Kind {
	case stats.KindT:
		return fmt.Sprintf("%s (95%% interval %s–%s, %d runs)", m.Format(e.Mean), m.Format(e.Low), m.Format(e.High), e.N)
	case stats.KindWilson:
		return fmt.Sprintf("%s (95%% interval %s–%s on %d images)", m.Format(e.Mean), m.Format(e.Low), m.Format(e.High), e.N)
	case stats.KindEpochs:
		return fmt.Sprintf("%s (95%% interval %s–%s from its %d epochs' times)", m.Format(e.Mean), m.Format(e.Low), m.Format(e.High), e.N)
	}
	return m.Format(e.Mean)
}

// answer says, from the numbers above, what the data can and cannot tell
// apart: the search's best and how many trials it cannot be told from,
// the confirmation's verdict against the baseline, the test figures, and
// which parameter matters most.
func answer(spec *study.Spec, r *Report) string {
	if len(r.Ranked) == 0 {
		if n := countState(r.Trials, study.Failed); n > 0 {
			return fmt.Sprintf("No trial has finished: %d failed (see their reasons).", n)
		}
		return "No trial has finished yet."
	}
	m := spec.Metric
	var b strings.Builder
	best := r.Ranked[0]
	tied := 0
	for _, row := range r.Ranked {
		if row.Tied {
			tied++
		}
	}
	fmt.Fprintf(&b, "In the search, trial #%d (%s) scored best: %s %s.", best.Trial, study.Describe(best.Params), m, interval(m, best.Interval))
	switch {
	case tied == 1:
		b.WriteString(" 1 other trial is within that interval: the search alone cannot tell them apart.")
	case tied > 1:
		fmt.Fprintf(&b, " %d other trials are within that interval: the search alone cannot tell them apart.", tied)
	case len(r.Ranked) > 1 && best.Interval.Known():
		b.WriteString(" No other trial's interval reaches it.")
	}
	confirmation(&b, m, r)
	parameters(&b, m, r)
	return b.String()
}

// confirmation writes the final stage's verdict and the test figures.
func confirmation(b *strings.Builder, m study.Metric, r *Report) {
	rec := r.Recommendation
	if rec == nil || rec.Stage == study.SearchStage {
		return
	}
	test := " On the 10,000 test images, which played no part in choosing it, it scores"
	if rec.Stage == study.TestStage {
		test = " Trained again with its seeds and measured on the 10,000 test images, which played no part in choosing it, it scores"
	} else {
		fmt.Fprintf(b, " Trained again with %d fresh seeds each, the best of the %d confirmed configurations is #%d (%s): %s %s.",
			len(rec.Seeds), len(r.Confirmation), rec.Trial, study.Describe(r.trial(rec.Trial).Params), m, interval(m, rec.Metric))
		if bl := rec.Baseline; bl != nil && bl.Trial != rec.Trial {
			fmt.Fprintf(b, " The baseline (the defaults) reaches %s", interval(m, bl.Metric))
			if rec.BeatsBaseline {
				b.WriteString(": the recommendation is better beyond the noise.")
			} else {
				b.WriteString(": the data cannot tell the two apart.")
			}
		} else if bl != nil {
			b.WriteString(" It is the baseline itself: no configuration found beats the defaults.")
		}
	}
	if rec.TestAccuracy != nil {
		fmt.Fprintf(b, "%s %.2f%% test accuracy (loss %.4f", test, 100**rec.TestAccuracy, *rec.TestLoss)
		if rec.Test.Kind == stats.KindT {
			fmt.Fprintf(b, "; 95%% interval %.2f–%.2f%% over its %d models", 100*rec.Test.Low, 100*rec.Test.High, rec.Test.N)
		}
		b.WriteString(")")
		if bl := rec.Baseline; bl != nil && bl.Trial != rec.Trial && bl.TestAccuracy != nil {
			fmt.Fprintf(b, "; the baseline %.2f%%", 100**bl.TestAccuracy)
		}
		b.WriteString(".")
	}
}

// parameters writes which parameter matters most, with its best and worst
// group, and whether their intervals separate them.
func parameters(b *strings.Builder, m study.Metric, r *Report) {
	if r.Note != "" {
		b.WriteString(" " + r.Note)
		return
	}
	ordered := slices.Clone(r.Parameters)
	slices.SortStableFunc(ordered, func(a, b ParamEffect) int {
		switch {
		case a.Importance > b.Importance:
			return -1
		case a.Importance < b.Importance:
			return 1
		}
		return 0
	})
	if len(ordered) == 0 || len(ordered[0].Groups) < 2 {
		return
	}
	top := ordered[0]
	bestG, worstG := top.Groups[0], top.Groups[0]
	for _, g := range top.Groups[1:] {
		if m.Better(g.Mean, bestG.Mean) {
			bestG = g
		}
		if m.Better(worstG.Mean, g.Mean) {
			worstG = g
		}
	}
	fmt.Fprintf(b, " Over the %d trials that ran to the end, %s matters most (it explains %.0f%% of the variance of %s): %s %s averages %s, against %s for %s %s",
		r.Compared, top.Name, 100*top.Importance, m, top.Name, bestG.Label, m.Format(bestG.Mean), m.Format(worstG.Mean), top.Name, worstG.Label)
	if bestG.Interval.Overlaps(worstG.Interval) {
		b.WriteString(", but their 95% intervals overlap: no setting of it is clearly better")
	}
	b.WriteString(".")
	if len(ordered) > 1 {
		fmt.Fprintf(b, " Next: %s (%.0f%%).", ordered[1].Name, 100*ordered[1].Importance)
	}
}

// estimate is a ranked trial's interval (none for unranked ones).
func (r *Report) estimate(t study.Trial) stats.Interval {
	for _, rows := range [][]Row{r.Ranked, r.Confirmation} {
		for _, row := range rows {
			if row.Trial == t.Number {
				return row.Interval
			}
		}
	}
	return stats.Interval{Kind: stats.KindNone}
}
