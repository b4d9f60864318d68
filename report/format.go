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

// value formats a metric, with its interval when there is one.
func (r *Report) value(mean, half float64) string {
	if half > 0 {
		return fmt.Sprintf("%.4f ± %.4f", mean, half)
	}
	return fmt.Sprintf("%.4f", mean)
}

// ranking is the ranked table's header and top rows.
func (r *Report) ranking(top int) (header []string, body [][]string) {
	rows := r.Ranked
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	metric := r.Metric
	if r.Repeats > 1 {
		metric += fmt.Sprintf(" (mean ± 95%%, %d seeds)", r.Repeats)
	}
	header = []string{"rank", "trial", metric}
	if len(r.Trials) > 0 {
		for _, p := range r.Trials[0].Params {
			header = append(header, p.Name)
		}
	}
	header = append(header, "epochs", "state", "seconds")
	for _, row := range rows {
		line := []string{fmt.Sprint(row.Rank), fmt.Sprint(row.Trial), r.value(row.Mean, row.Half)}
		for _, p := range row.Params {
			line = append(line, study.FormatValue(p.Value))
		}
		body = append(body, append(line, fmt.Sprint(row.Epochs), string(row.State), fmt.Sprintf("%.1f", row.Secs)))
	}
	return header, body
}

// WriteRanking writes the top ranked trials (all if top ≤ 0) as a
// terminal table, then how many trials ended in each state.
func WriteRanking(w io.Writer, r *Report, top int) error {
	header, body := r.ranking(top)
	if err := table(w, header, body, false); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n", r.Counts)
	return err
}

func writeText(w io.Writer, r *Report, markdown bool, top int) error {
	header, body := r.ranking(top)
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
	section("Ranking")
	fmt.Fprintln(w)
	if err := table(w, header, body, markdown); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", r.Counts)
	section(fmt.Sprintf("Parameters (all %d finished trials at epoch %d)", r.Compared, r.Epoch))
	for _, pe := range r.Parameters {
		if markdown {
			fmt.Fprintf(w, "\n### %s — importance %.2f\n\n", pe.Name, pe.Importance)
		} else {
			fmt.Fprintf(w, "\n%s — importance %.2f\n", pe.Name, pe.Importance)
		}
		var groups [][]string
		for _, g := range pe.Groups {
			groups = append(groups, []string{g.Label, fmt.Sprint(g.Count), fmt.Sprintf("%.4f", g.Mean), fmt.Sprintf("%.4f", g.Best)})
		}
		if err := table(w, []string{pe.Name, "trials", "mean " + r.Metric, "best"}, groups, markdown); err != nil {
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
	header := []string{"trial", "state", r.Metric}
	if len(r.Trials) > 0 {
		for _, p := range r.Trials[0].Params {
			header = append(header, p.Name)
		}
	}
	header = append(header, "epochs", "seconds", "seeds", "reason")
	cw.Write(header)
	for _, t := range r.Trials {
		row := []string{fmt.Sprint(t.Number), string(t.State), ""}
		if t.State == study.Complete || t.State == study.Pruned {
			row[2] = fmt.Sprint(t.Value)
		}
		for _, p := range t.Params {
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
