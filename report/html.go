package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"github.com/sweepml/sweep/internal/safefile"
	"github.com/sweepml/sweep/study"
)

// Files written by WriteFiles into a sweep's directory.
const (
	HTMLFile = "report.html"
	JSONFile = "report.json"
	PlotsDir = "plots"
)

// WriteFiles writes the report into a sweep's directory: every figure as
// plots/NAME.svg and plots/NAME.png, report.json, and report.html, one
// self-contained page (inline SVG and CSS, no scripts, nothing fetched).
func WriteFiles(dir string, spec *study.Spec, r *Report) error {
	figures, err := Plots(spec, r)
	if err != nil {
		return err
	}
	plots := filepath.Join(dir, PlotsDir)
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return err
	}
	for _, f := range figures {
		for ext, b := range map[string][]byte{".svg": f.SVG, ".png": f.PNG} {
			if err := safefile.Write(filepath.Join(plots, f.Name+ext), bytesWriter(b)); err != nil {
				return err
			}
		}
	}
	if err := safefile.Write(filepath.Join(dir, JSONFile), func(w io.Writer) error { return Write(w, r, "json", 0) }); err != nil {
		return err
	}
	return safefile.Write(filepath.Join(dir, HTMLFile), func(w io.Writer) error { return WriteHTML(w, r, figures) })
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// inlineSVG drops the XML prologue gonum writes before <svg>, which has
// no place inside an HTML document.
func inlineSVG(b []byte) template.HTML {
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:]
	}
	return template.HTML(b) // our own renderer's output, not user input
}

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report, figures []Figure) error {
	type fig struct {
		Name, Title string
		SVG         template.HTML
	}
	var figs []fig
	for _, f := range figures {
		figs = append(figs, fig{f.Name, f.Title, inlineSVG(f.SVG)})
	}
	var params []string
	if len(r.Trials) > 0 {
		for _, p := range r.Trials[0].Params {
			params = append(params, p.Name)
		}
	}
	return page.Execute(w, struct {
		*Report
		ParamNames []string
		Figures    []fig
		FailedRows [][]string
	}{r, params, figs, r.failed()})
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"value":  value,
	"tie":    tie,
	"runs":   func(r *Report, row Row) int { return len(r.trial(row.Trial).Runs) },
	"format": study.FormatValue,
	"f4":     func(v float64) string { return fmt.Sprintf("%.4f", v) },
	"row":    func(mean float64, iv study.Interval) Row { return Row{Mean: mean, Interval: iv} },
	"f2":     func(v float64) string { return fmt.Sprintf("%.2f", v) },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sweep {{.Name}}</title>
<style>
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
th { background: #f0f0f0; }
.answer { font-size: 1.1rem; background: #eef5ff; border-left: 4px solid #1f77b4; padding: 0.6rem 1rem; }
figure { margin: 1.5rem 0; }
figure svg { width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Sweep {{.Name}}</h1>
<p class="answer" id="answer">{{.Answer}}</p>
<p id="counts">{{.Counts}}</p>
{{if .ValidationImages}}<p id="noise">A run validates on {{.ValidationImages}} images; intervals are 95%: Wilson's for one run's accuracy, Student's t over runs. "≈ best" marks a trial whose interval overlaps the best's: the data cannot tell them apart.</p>{{end}}
<h2>Ranking</h2>
<table id="ranking">
<tr><th>rank</th><th>trial</th><th>{{.Metric}} [95% interval]</th><th>vs best</th>{{range .ParamNames}}<th>{{.}}</th>{{end}}<th>runs</th><th>epochs</th><th>state</th><th>seconds</th></tr>
{{range .Ranked}}<tr><td>{{.Rank}}</td><td>{{.Trial}}</td><td>{{value .}}</td><td>{{tie .}}</td>{{range .Params}}<td>{{format .Value}}</td>{{end}}<td>{{runs $.Report .}}</td><td>{{.Epochs}}</td><td>{{.State}}</td><td>{{printf "%.1f" .Secs}}</td></tr>
{{end}}</table>
{{with .FailedRows}}<h2>Failed</h2>
<table id="failed">
<tr><th>trial</th><th>parameters</th><th>reason</th></tr>
{{range .}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{if .Confirmation}}<h2>Confirmation</h2>
<table id="confirmation">
<tr><th>rank</th><th>trial</th><th>{{.Metric}} [95% interval]</th><th>vs best</th>{{range .ParamNames}}<th>{{.}}</th>{{end}}<th>runs</th><th>stage</th><th>state</th><th>seconds</th></tr>
{{range .Confirmation}}<tr><td>{{.Rank}}</td><td>{{.Trial}}</td><td>{{value .}}</td><td>{{tie .}}</td>{{range .Params}}<td>{{format .Value}}</td>{{end}}<td>{{runs $.Report .}}</td><td>{{.Stage}}</td><td>{{.State}}</td><td>{{printf "%.1f" .Secs}}</td></tr>
{{end}}</table>{{end}}
<h2>Parameters</h2>
<p>{{if .Note}}{{.Note}}{{else}}The {{.Compared}} trials that ran to their last epoch, compared on the values they are ranked by. Importance is the share of the variance of {{.Metric}} explained by the parameter's groups (η²).{{end}}</p>
{{range .Parameters}}<h3>{{.Name}}: importance {{f2 .Importance}}</h3>
<table class="parameter">
<tr><th>{{.Name}}</th><th>trials</th><th>mean {{$.Metric}} [95% interval]</th><th>best</th></tr>
{{range .Groups}}<tr><td>{{.Label}}</td><td>{{.Count}}</td><td>{{value (row .Mean .Interval)}}</td><td>{{f4 .Best}}</td></tr>
{{end}}</table>
{{end}}<h2>Figures</h2>
{{range .Figures}}<figure id="fig-{{.Name}}" aria-label="{{.Title}}">
{{.SVG}}
</figure>
{{end}}</body>
</html>
`))
