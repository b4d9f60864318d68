package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sweepml/sweep/internal/browsertest"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/report"
)

// TestCommittedNotebookReport: results/notebook/, the report the README
// links to, is what `sweep report` makes of its committed journal today,
// and its report.html works as a reader opens it from disk: it sorts, a
// hover names the trial under the pointer (on the Pareto front's figure
// too, with both objectives), it fetches nothing and logs no error; under
// 1.5 MB.
func TestCommittedNotebookReport(t *testing.T) {
	committed, err := filepath.Abs(filepath.Join("..", "..", "results", "notebook"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "notebook")
	os.MkdirAll(dir, 0o755)
	for _, f := range []string{journal.FileName, journal.SpecFile} {
		b, err := os.ReadFile(filepath.Join(committed, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	if code, _, errOut := cli("report", dir); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		want, _ := os.ReadFile(path)
		if got, err := os.ReadFile(filepath.Join(committed, rel)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("results/notebook/%s is not what sweep report writes today (make proof, or sweep report results/notebook)", rel)
		}
		return nil
	})
	page := filepath.Join(committed, report.HTMLFile)
	if st, err := os.Stat(page); err != nil || st.Size() > 1_500_000 {
		t.Fatalf("report.html: %v, %d bytes", err, st.Size())
	}

	b := browsertest.New(t, false)
	b.Do(chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.CSS("#controls")))
	order := func() []int {
		return browsertest.Eval[[]int](b, `[...document.querySelectorAll("#ranking tbody tr")].map(r => +r.dataset.trial)`)
	}
	ranked := order()
	b.Click(`#ranking th:nth-child(2)`) // "trial"
	byTrial := slices.Clone(ranked)
	slices.Sort(byTrial)
	if got := order(); len(ranked) < 2 || !slices.Equal(got, byTrial) {
		t.Errorf("sorted by trial: %v, want %v", got, byTrial)
	}
	b.Hover(fmt.Sprintf(`#fig-history circle[data-trial="%d"]`, ranked[0]))
	if tip := browsertest.Eval[string](b, `document.getElementById("tip").textContent`); !strings.HasPrefix(tip, fmt.Sprintf("Trial %d ·", ranked[0])) {
		t.Errorf("hovering trial %d's point shows %q", ranked[0], tip)
	}
	// The notebook's two objectives: the front's table, and its figure,
	// whose points name the trial and both its values.
	front := browsertest.Eval[[]int](b, `[...document.querySelectorAll("#pareto tbody tr")].map(r => +r.dataset.front)`)
	if len(front) == 0 {
		t.Fatal("no Pareto front table")
	}
	b.Hover(fmt.Sprintf(`#fig-pareto circle[data-trial="%d"]`, front[0]))
	if tip := browsertest.Eval[string](b, `document.getElementById("tip").textContent`); !strings.HasPrefix(tip, fmt.Sprintf("Trial %d ·", front[0])) || !strings.Contains(tip, "\nseconds ") {
		t.Errorf("hovering front trial %d's point shows %q", front[0], tip)
	}
	for _, r := range b.Requests() {
		if r != "file://"+page {
			t.Errorf("the page requested %s", r)
		}
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
}
