package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/stats"
	"github.com/sweepml/sweep/study"
)

// Files written by WriteFiles into a sweep's directory.
const (
	HTMLFile = "report.html"
	JSONFile = "report.json"
	PlotsDir = "plots"
)

// WriteFiles writes the report into a sweep's directory: every figure as
// plots/NAME.svg, report.json, and report.html, one self-contained
// interactive page.
func WriteFiles(dir string, spec *study.Spec, r *Report) error {
	figures := Plots(spec, r)
	plots := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return err
	}
	for _, f := range figures {
		if err := safefile.Write(filepath.Join(plots, f.Name+".svg"), bytesWriter(f.SVG)); err != nil {
			return err
		}
	}
	if err := safefile.Write(filepath.Join(dir, JSONFile), func(w io.Writer) error { return Write(w, r, "json", 0) }); err != nil {
		return err
	}
	page := &Page{Report: r, Figures: figures, Logs: LogTails(dir, r.Trials)}
	return safefile.Write(filepath.Join(dir, HTMLFile), page.WriteHTML)
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// Page is report.html: the report, its figures, command trials' log
// tails, and for `sweep serve` the live mode, in which the page's script
// polls for changes and swaps in the new page without reloading.
type Page struct {
	Report  *Report
	Figures []Figure
	Logs    map[int]string // a command trial's log tail, by trial number
	Live    bool
	// Version names the state of the study the page shows; the live page
	// compares it with the server's to know when to update.
	Version string
}

//go:embed page.html
var pageSource string

//go:embed page.js
var pageScript string

//go:embed page.css
var pageStyle string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"value":  value,
	"tie":    tie,
	"runs":   func(r *Report, row Row) int { return len(r.trial(row.Trial).Runs) },
	"more":   (*Report).moreValues,
	"format": study.FormatValue,
	"f4":     func(v float64) string { return fmt.Sprintf("%.4f", v) },
	"row":    func(mean float64, iv stats.Interval) Row { return Row{Mean: mean, Interval: iv} },
	"f2":     func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"script": func() template.JS { return template.JS(pageScript) }, // our own file
	"style":  func() template.CSS { return template.CSS(pageStyle) },
}).Parse(pageSource))

// WriteHTML writes the page: one HTML document that fetches nothing. The
// tables and figures are static; the inline script adds sorting,
// filtering, hover, highlighting and the trial detail.
func (p *Page) WriteHTML(w io.Writer) error {
	type fig struct {
		Name, Title string
		SVG         template.HTML
	}
	var figs []fig
	for _, f := range p.Figures {
		figs = append(figs, fig{f.Name, f.Title, template.HTML(f.SVG)}) // our own renderer's output, values escaped
	}
	r := p.Report
	var params []string
	if len(r.Trials) > 0 {
		for _, prm := range r.Trials[0].Params {
			params = append(params, prm.Name)
		}
	}
	data, err := json.Marshal(p.data())
	if err != nil {
		return err
	}
	frontHeader, frontRows := r.front()
	return page.Execute(w, struct {
		*Report
		ParamNames  []string
		Figures     []fig
		More        []string
		FrontHeader []string
		FrontRows   [][]string
		FailedRows  [][]string
		Live        bool
		Version     string
		Data        template.JS
		// json.Marshal escapes <, > and &: no </script> can occur in data.
	}{r, params, figs, r.moreNames(), frontHeader, frontRows, r.failed(), p.Live, p.Version, template.JS(data)})
}

// LogTails reads the end of each command trial's logs under
// dir/trials/N/ for the page's trial detail: the last lines of every run's
// stdout and stderr, at most maxLogTail bytes a trial.
func LogTails(dir string, trials []study.Trial) map[int]string {
	out := map[int]string{}
	for _, t := range trials {
		var b bytes.Buffer
		for run := range max(len(t.Seeds), 1) {
			for _, stream := range []string{"stdout", "stderr"} {
				data, err := command.LogTail(dir, t.Number, run, stream, maxLogTail/2)
				if err != nil || len(data) == 0 {
					continue
				}
				fmt.Fprintf(&b, "── run %d, %s ──\n", run+1, stream)
				b.WriteString(data)
				if data[len(data)-1] != '\n' {
					b.WriteByte('\n')
				}
			}
		}
		if b.Len() > 0 {
			s := b.String()
			out[t.Number] = s[max(0, len(s)-maxLogTail):]
		}
	}
	return out
}

// maxLogTail bounds the log text the page carries for one trial.
const maxLogTail = 2048
