package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sweepml/sweep/internal/pgtest"
)

const tinySpec = `name: tiny
seed: 3
data: {subset: 200}
fixed: {sizes: "784,16,10", epochs: 2}
method: grid
parameters:
  lr: {values: [0.01, 0.05]}
  batch: {distribution: int_uniform, min: 8, max: 9}
`

func writeSpec(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunPrintsRankedTable(t *testing.T) {
	results := t.TempDir()
	code, out, errOut := cli("run", writeSpec(t, tinySpec), "--workers", "2", "--results", results) // flags after the spec too
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Sweep tiny → " + filepath.Join(results, "tiny"), "RANK", "VAL ACCURACY", "LR", "BATCH", "EPOCHS", "STATE",
		"5 trials: 5 complete", "Results: " + filepath.Join(results, "tiny")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Count(errOut, " complete: val_accuracy "); got != 5 { // 4 and the best again, measuring the test set
		t.Errorf("want a progress line per trial on stderr, got:\n%s", errOut)
	}
	for _, f := range []string{"journal.jsonl", "spec.yaml"} {
		if _, err := os.Stat(filepath.Join(results, "tiny", f)); err != nil {
			t.Error(err)
		}
	}
}

func TestPlanAndRunUsageErrors(t *testing.T) {
	results := t.TempDir()
	bad := writeSpec(t, strings.Replace(tinySpec, "method: grid", "method: annealing", 1))
	badSizes := writeSpec(t, strings.Replace(tinySpec, `"784,16,10"`, `"784,16,3"`, 1))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan"}, "sweep plan: want one spec file, got 0 arguments"},
		{[]string{"run", "a.yaml", "b.yaml"}, "sweep run: want one spec file, got 2 arguments"},
		{[]string{"run", "--workers", "many", "x.yaml"}, `invalid value "many" for flag -workers: parse error`},
		{[]string{"plan", "/no/such.yaml"}, "sweep plan: open /no/such.yaml: no such file or directory"},
		{[]string{"plan", bad}, `sweep plan: ` + bad + `:5: method: "annealing" is not one of grid, random, sobol, tpe, cmaes, nsga2, bayes`},
		{[]string{"run", "--results", results, bad}, `sweep run: ` + bad + `:5: method: "annealing" is not one of grid, random, sobol, tpe, cmaes, nsga2, bayes`},
		{[]string{"run", "--storage", "mysql://root:hunter2@db/x", writeSpec(t, tinySpec)},
			"sweep run: storage URL: this mysql:// string is not a PostgreSQL connection string (want postgres://user@host[:port]/database, or host=… user=… dbname=…; the password in PGPASSWORD or ~/.pgpass)"},
		{[]string{"plan", badSizes}, // plan checks against the data as run does
			"sweep plan: " + badSizes + ":4: fixed.sizes: sizes 784,16,3: the output layer has 3 units but mnist has 10 classes"},
		{[]string{"run", "--results", results, badSizes},
			"sweep run: " + badSizes + ":4: fixed.sizes: sizes 784,16,3: the output layer has 3 units but mnist has 10 classes"},
	}
	for _, tt := range tests {
		code, _, errOut := cli(tt.args...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != 2 || first != tt.want {
			t.Errorf("%v: exit %d, %q\nwant exit 2 and %q", tt.args, code, first, tt.want)
		}
	}
	if entries, _ := os.ReadDir(results); len(entries) != 0 {
		t.Errorf("bad specs wrote %v", entries)
	}
}

func TestRunRefusesChangedSpec(t *testing.T) {
	results := t.TempDir()
	path := writeSpec(t, tinySpec)
	if code, _, errOut := cli("run", "--results", results, path); code != 0 {
		t.Fatal(errOut)
	}
	os.WriteFile(path, []byte(strings.Replace(tinySpec, "0.05", "0.1", 1)), 0o644)
	code, _, errOut := cli("run", "--results", results, path)
	if code != 2 || !strings.Contains(errOut, "holds a sweep run with a different spec (parameters.lr.values was [0.01, 0.05], is now [0.01, 0.1])") || !strings.Contains(errOut, "run with --restart") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := cli("run", "--restart", "--results", results, path); code != 0 {
		t.Errorf("--restart: exit %d: %s", code, errOut)
	}
}

// TestShippedConfigsPlan: every spec in configs/ is valid as shipped.
func TestShippedConfigsPlan(t *testing.T) {
	specs, _ := filepath.Glob("../../configs/*.yaml")
	if len(specs) < 3 {
		t.Fatalf("found %v", specs)
	}
	for _, s := range specs {
		if code, out, errOut := cli("plan", s, "--workers", "3"); code != 0 || !strings.Contains(out, "3 runs trained at a time") {
			t.Errorf("%s: exit %d: %s\n%s", s, code, errOut, out)
		}
	}
}

func TestReportAndReplay(t *testing.T) {
	results := t.TempDir()
	if code, _, errOut := cli("run", "--results", results, writeSpec(t, tinySpec)); code != 0 {
		t.Fatal(errOut)
	}
	dir := filepath.Join(results, "tiny")
	for format, want := range map[string]string{
		"table":    "Answer\n\nIn the search, trial #",
		"markdown": "# Sweep tiny\n\n## Ranking\n\n| rank | trial | val_accuracy [95% interval] |",
		"csv":      "trial,stage,state,val_accuracy,low,high,lr,batch,epochs,seconds,seeds,reason\n0,,complete,",
		"json":     `"name": "tiny"`,
	} {
		code, out, errOut := cli("report", "--format", format, dir)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d %s\n%s", format, code, errOut, out)
		}
	}
	code, out, errOut := cli("replay", dir, "--trial", "2")
	if code != 0 || !strings.Contains(out, "Trial 2 of tiny (lr=0.05, batch=8): complete") || !strings.Contains(out, "identical: all 2 epochs") {
		t.Errorf("replay: exit %d %s\n%s", code, errOut, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--format", "pdf", dir}, `sweep report: unknown format "pdf" (want one of table, markdown, csv, json)`},
		{[]string{"report", results}, "sweep report: " + results + " is not a sweep's results directory: open " + filepath.Join(results, "spec.yaml") + ": no such file or directory"},
		{[]string{"replay", dir}, "sweep replay: --trial N is required"},
		{[]string{"replay", "--trial", "1"}, "sweep replay: want a sweep's results directory, e.g. results/lr_sizes"},
		{[]string{"replay", dir, "--trial", "9"}, "sweep replay: sweep tiny has trials 0 to 4, not 9"},
	} {
		code, _, errOut := cli(tt.args...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != 2 || !strings.HasPrefix(first, tt.want) {
			t.Errorf("%v: exit %d, %q, want 2 and %q", tt.args, code, first, tt.want)
		}
	}
}

// TestSharedStorage runs a sweep in PostgreSQL, then reports and replays
// it from there.
func TestSharedStorage(t *testing.T) {
	url := pgtest.Start(t).URL("cli")
	spec := writeSpec(t, tinySpec)
	code, out, errOut := cli("run", "--storage", url, spec)
	if code != 0 || !strings.Contains(out, "5 trials: 5 complete") || !strings.Contains(out, "Results: postgres://postgres@127.0.0.1:") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if strings.Contains(out+errOut, pgtest.Password) {
		t.Error("the password was printed")
	}
	t.Chdir(t.TempDir()) // report writes its files under results/
	code, out, errOut = cli("report", "--storage", url, "--format", "csv", "tiny")
	if code != 0 || strings.Count(out, ",complete,") != 5 {
		t.Errorf("report: exit %d: %s\n%s", code, errOut, out)
	}
	code, out, errOut = cli("replay", "--storage", url, "tiny", "--trial", "1")
	if code != 0 || !strings.Contains(out, "identical: all 2 epochs") {
		t.Errorf("replay: exit %d: %s\n%s", code, errOut, out)
	}
	code, _, errOut = cli("report", "--storage", url, "nosuch")
	if code != 2 || !strings.Contains(errOut, `holds no sweep named "nosuch"`) || strings.Contains(errOut, pgtest.Password) {
		t.Errorf("missing sweep: exit %d: %s", code, errOut)
	}
}

// TestReportNeedsNoData: a report reads the study only — the spec's data
// directory may be gone — and a journal edited by hand into nonsense (a
// categorical index out of range) is an input error, not a panic.
func TestReportNeedsNoData(t *testing.T) {
	results := t.TempDir()
	if code, _, errOut := cli("run", "--results", results, writeSpec(t, tinySpec)); code != 0 {
		t.Fatal(errOut)
	}
	dir := filepath.Join(results, "tiny")
	spec, _ := os.ReadFile(filepath.Join(dir, "spec.yaml"))
	os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(strings.Replace(string(spec), "data: {subset: 200}", "data: {subset: 200, source: /no/such/dir}", 1)), 0o644)
	if code, _, errOut := cli("report", "--files=false", dir); code != 0 {
		t.Errorf("report without the data: exit %d: %s", code, errOut)
	}
	journal := filepath.Join(dir, "journal.jsonl")
	b, _ := os.ReadFile(journal)
	edited := strings.Replace(string(b), `"name":"lr","value":1,`, `"name":"lr","value":99,`, 1)
	if edited == string(b) {
		t.Fatal("no categorical parameter to edit in the journal")
	}
	os.WriteFile(journal, []byte(edited), 0o644)
	code, _, errOut := cli("report", "--files=false", dir)
	if code != 2 || !strings.Contains(errOut, "parameter lr has index 99, but its distribution lists 2 choices") {
		t.Errorf("edited journal: exit %d: %s", code, errOut)
	}
}
