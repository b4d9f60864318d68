package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"

	"github.com/sweepml/sweep/study"
)

// Formats lists the output formats of Write.
var Formats = []string{"table", "markdown", "csv", "json"}

// Write writes the report in a format: table (terminal), markdown, csv
// (one row per trial, every trial) or json (the whole report, every trial
// with its per-epoch history). top limits the ranked rows of table and
// markdown (0 = all).
func Write(w io.Writer, r *Report, format string, top int) error {
	switch format {
	case "table", "markdown":
		return writeText(w, r, format == "markdown", top)
	case "csv":
		return writeCSV(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// value formats a row's metric with its 95% interval, where there is one.
func value(row Row) string {
	if !row.Interval.Known() {
		return fmt.Sprintf("%.4f", row.Mean)
	}
	return fmt.Sprintf("%.4f [%.4f, %.4f]", row.Mean, row.Interval.Low, row.Interval.High)
}

// failed lists the failed trials: number, parameters, reason.
func (r *Report) failed() [][]string {
	var out [][]string
	for _, t := range r.Trials {
		if t.State == study.Failed {
			out = append(out, []string{fmt.Sprint(t.Number), study.Describe(t.Params), t.Reason})
		}
	}
	return out
}

// tie marks a row whose interval overlaps the best's.
func tie(row Row) string {
	if row.Tied {
		return "≈ best"
	}
	return ""
}

// ranking is the header and top rows of a table of ranked trials.
func (r *Report) ranking(rows []Row, top int) (header []string, body [][]string) {
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	header = []string{"rank", "trial", r.Metric + " [95% interval]", "vs best"}
	if r.Metric == "" { // nothing ranks them: the trials, in number order
		header = []string{"trial"}
	}
	header = append(header, r.moreNames()...)
	if len(r.Trials) > 0 {
		for _, p := range r.Trials[0].Params {
			header = append(header, p.Name)
		}
	}
	header = append(header, "runs", "epochs", "state", "seconds")
	for _, row := range rows {
		line := []string{fmt.Sprint(row.Rank), fmt.Sprint(row.Trial), value(row), tie(row)}
		if row.Stage == study.BaselineStage {
			line[1] += " (baseline)"
		}
		if r.Metric == "" {
			line = line[1:2]
		}
		line = append(line, r.moreValues(row)...)
		for _, p := range row.Params {
			line = append(line, p.Shown())
		}
		runs := len(r.trial(row.Trial).Runs)
		body = append(body, append(line, fmt.Sprint(runs), fmt.Sprint(row.Epochs), string(row.State), fmt.Sprintf("%.1f", row.Secs)))
	}
	return header, body
}

// WriteRanking writes the top ranked trials (all if top ≤ 0) as a
// terminal table, then how many trials ended in each state.
func WriteRanking(w io.Writer, r *Report, top int) error {
	header, body := r.ranking(r.Ranked, top)
	if err := table(w, header, body, false); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n", r.Counts)
	return err
}

func writeText(w io.Writer, r *Report, markdown bool, top int) error {
	header, body := r.ranking(r.Ranked, top)
	section := func(title string) {
		if markdown {
			fmt.Fprintf(w, "\n## %s\n", title)
		} else {
			fmt.Fprintf(w, "\n%s\n", title)
		}
	}
	if markdown {
		fmt.Fprintf(w, "# Sweep %s\n", r.Name)
	} else {
		fmt.Fprintf(w, "Sweep %s\n", r.Name)
	}
	section(map[bool]string{true: "Ranking", false: "Trials (no metric ranks them)"}[r.Metric != ""])
	fmt.Fprintln(w)
	if err := table(w, header, body, markdown); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", r.Counts)
	if r.ValidationImages > 0 {
		fmt.Fprintf(w, "A run validates on %d images; intervals are 95%%: Wilson's for one run's accuracy, Student's t over runs.\n", r.ValidationImages)
	}
	if len(r.Objectives) > 0 {
		section("Pareto front")
		fmt.Fprintln(w)
		header, body := r.front()
		if err := table(w, header, body, markdown); err != nil {
			return err
		}
		fmt.Fprintln(w, "\nThe front: the complete search trials no other dominates. Non-dominated at 95%: the intervals rule out every other trial dominating it; else the trials they cannot rule out.")
	}
	if failed := r.failed(); len(failed) > 0 {
		section("Failed")
		fmt.Fprintln(w)
		if err := table(w, []string{"trial", "parameters", "reason"}, failed, markdown); err != nil {
			return err
		}
	}
	if len(r.Confirmation) > 0 {
		section("Confirmation")
		fmt.Fprintln(w)
		header, body := r.ranking(r.Confirmation, 0)
		if err := table(w, header, body, markdown); err != nil {
			return err
		}
	}
	if r.Metric != "" {
		section(fmt.Sprintf("Parameters (%d trials that ran to the end)", r.Compared))
	}
	if r.Note != "" {
		fmt.Fprintf(w, "\n%s\n", r.Note)
	}
	for _, pe := range r.Parameters {
		if markdown {
			fmt.Fprintf(w, "\n### %s — importance %.2f%s\n\n", pe.Name, pe.Importance, over(pe))
		} else {
			fmt.Fprintf(w, "\n%s — importance %.2f%s\n", pe.Name, pe.Importance, over(pe))
		}
		var groups [][]string
		for _, g := range pe.Groups {
			groups = append(groups, []string{g.Label, fmt.Sprint(g.Count), value(Row{Mean: g.Mean, Interval: g.Interval}), fmt.Sprintf("%.4f", g.Best)})
		}
		if err := table(w, []string{pe.Name, "trials", "mean " + r.Metric + " [95% interval]", "best"}, groups, markdown); err != nil {
			return err
		}
	}
	section("Answer")
	_, err := fmt.Fprintf(w, "\n%s\n", r.Answer)
	return err
}

// table writes a table: tablewriter's box drawing on a terminal, a
// GitHub-flavoured pipe table in markdown.
func table(w io.Writer, header []string, rows [][]string, markdown bool) error {
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, row := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		return nil
	}
	t := tablewriter.NewTable(w)
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = s
	}
	t.Header(h...)
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}

func writeCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	header := []string{"trial", "stage", "state", r.Metric, "low", "high"}
	for _, name := range r.moreNames() {
		header = append(header, strings.ReplaceAll(name, " ", "_"))
	}
	if len(r.Trials) > 0 {
		for _, p := range r.Trials[0].Params {
			header = append(header, p.Name)
		}
	}
	header = append(header, "epochs", "seconds", "seeds", "reason")
	cw.Write(header)
	for _, t := range r.Trials {
		row := []string{fmt.Sprint(t.Number), string(t.Stage), string(t.State), "", "", ""}
		if t.State.Finished() {
			e := r.estimate(t)
			row[3] = fmt.Sprint(t.Value)
			if e.Known() {
				row[4], row[5] = fmt.Sprint(e.Low), fmt.Sprint(e.High)
			}
		}
		for i := range r.more() {
			if i+1 < len(t.Values) {
				row = append(row, fmt.Sprint(t.Values[i+1]))
			} else {
				row = append(row, "")
			}
		}
		for _, p := range t.Params {
			if p.Inactive { // empty: its when: did not hold
				row = append(row, "")
				continue
			}
			row = append(row, fmt.Sprint(p.Value))
		}
		seeds := make([]string, len(t.Seeds))
		for i, s := range t.Seeds {
			seeds[i] = fmt.Sprint(s)
		}
		row = append(row, fmt.Sprint(t.Epochs()), fmt.Sprintf("%.3f", t.Seconds), strings.Join(seeds, " "), t.Reason)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// over says which trials a conditional parameter was compared over.
func over(pe ParamEffect) string {
	if pe.Over == "" {
		return ""
	}
	return ", " + pe.Over
}
