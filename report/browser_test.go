package report

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sweepml/sweep/command"
	"github.com/sweepml/sweep/internal/browsertest"
	"github.com/sweepml/sweep/study"
)

// writePage writes a study's report files and returns their directory
// and report.html. logs are command trials' outputs (stdout of the first
// run, by trial number), written where sweep keeps them first.
func writePage(t *testing.T, spec *study.Spec, trials []study.Trial, logs map[int]string) (dir string, page []byte) {
	dir = t.TempDir()
	for n, text := range logs {
		file := command.LogFile(dir, n, 0, "stdout")
		os.MkdirAll(filepath.Dir(file), 0o755)
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFiles(dir, spec, Analyze(spec, trials)); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	return dir, page
}

// servePage writes the fixed study's report and serves its directory.
// Trial 1 has a log, as a command trial has, with markup in it.
func servePage(t *testing.T) (url string, page []byte) {
	spec, trials := fixedStudy(t)
	dir, page := writePage(t, spec, trials, map[int]string{1: logText})
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL + "/" + HTMLFile, page
}

// logText is trial 1's output: markup that must show as text.
const logText = "epoch 1 loss 0.9\n<script>document.title = 'injected'</script><b>not bold</b>\nepoch 2 loss 0.5\n"

// TestPageInBrowser opens report.html in headless Chromium as a user
// would: the ranked table sorts by a clicked column and back, hovering a
// point shows its trial, clicking it highlights the trial in every figure
// and in the table and opens its detail, a filter hides rows and marks;
// the page asks for nothing but itself and logs no error.
func TestPageInBrowser(t *testing.T) {
	url, page := servePage(t)
	// Nothing in the page refers outside it (w3.org appears only as SVG
	// namespace names).
	if m := regexp.MustCompile(`(?i)<link|<img|<iframe|\ssrc=|\shref=|url\(|https?://[^w]`).Find(page); m != nil {
		t.Errorf("the page refers to something outside itself: %q", m)
	}
	b := browsertest.New(t, false)
	b.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#controls")))

	order := func() []int {
		return browsertest.Eval[[]int](b, `[...document.querySelectorAll("#ranking tbody tr")].map(r => +r.dataset.trial)`)
	}
	if got, want := order(), []int{3, 2, 1, 0, 4}; !slices.Equal(got, want) {
		t.Fatalf("ranked order %v, want %v", got, want)
	}
	b.Click(`#ranking th:nth-child(2)`) // "trial"
	if got := order(); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("sorted by trial: %v", got)
	}
	b.Click(`#ranking th:nth-child(2)`)
	if got := order(); !slices.Equal(got, []int{4, 3, 2, 1, 0}) {
		t.Errorf("sorted by trial, descending: %v", got)
	}
	if got := browsertest.Eval[string](b, `document.querySelector("#ranking th:nth-child(2)").getAttribute("aria-sort")`); got != "descending" {
		t.Errorf("aria-sort %q", got)
	}

	// Hover: a point of the history shows its trial, parameters and value.
	b.Hover(`#fig-history circle[data-trial="2"]`)
	tip := browsertest.Eval[string](b, `document.getElementById("tip").hidden ? "" : document.getElementById("tip").textContent`)
	for _, want := range []string{"Trial 2 · complete", "lr = 0.1", "schedule = constant", "val_accuracy 0.905"} {
		if !strings.Contains(tip, want) {
			t.Errorf("hover text %q lacks %q", tip, want)
		}
	}

	// Click: the trial is highlighted everywhere and its detail opens.
	b.Click(`#fig-history circle[data-trial="2"]`)
	sel := browsertest.Eval[[]string](b, `[...document.querySelectorAll(".sel")].map(e => (e.closest("figure") || e.closest("table")).id + ":" + (e.dataset.trial || e.dataset.final))`)
	for _, want := range []string{"ranking:2", "fig-history:2", "fig-intermediate:2", "fig-parallel:2", "fig-slice_lr:2", "fig-ecdf:2"} {
		if !slices.Contains(sel, want) {
			t.Errorf("after the click, %s is not highlighted; highlighted: %v", want, sel)
		}
	}
	if slices.ContainsFunc(sel, func(s string) bool { return !strings.HasSuffix(s, ":2") }) {
		t.Errorf("another trial highlighted: %v", sel)
	}
	detail := browsertest.Eval[string](b, `document.getElementById("detail").hidden ? "" : document.getElementById("detail").innerText`)
	for _, want := range []string{"Trial 2", "lr\t0.1", "seeds", "val_accuracy per epoch"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
	// The failed trial's reason is in its detail.
	b.Click(`#failed tr[data-failed="5"] td`)
	if d := browsertest.Eval[string](b, `document.getElementById("detail").innerText`); !strings.Contains(d, "Failed: training diverged") {
		t.Errorf("failed trial's detail:\n%s", d)
	}

	// A command trial's detail ends with its log, shown as text.
	b.Click(`#ranking tr[data-trial="1"] td`)
	logShown := browsertest.Eval[string](b, `(document.querySelector("#detail pre.log") || {}).textContent || ""`)
	if want := "── run 1, stdout ──\n" + logText; logShown != want {
		t.Errorf("trial 1's log in its detail:\n%q\nwant\n%q", logShown, want)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll("#detail b, #detail script").length`); n != 0 || browsertest.Eval[string](b, `document.title`) == "injected" {
		t.Error("the log's markup was interpreted")
	}

	// Filter: schedule = cosine leaves trials 1 and 3 (and their marks).
	b.Do(chromedp.SetValue(chromedp.CSS(`select[name="p1"]`), "cosine"))
	browsertest.Eval[bool](b, `document.getElementById("controls").dispatchEvent(new Event("change")) || true`)
	shown := browsertest.Eval[[]int](b, `[...document.querySelectorAll("#ranking tbody tr:not(.out)")].map(r => +r.dataset.trial).sort()`)
	if !slices.Equal(shown, []int{1, 3}) {
		t.Errorf("filtered to cosine: %v", shown)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#fig-history circle.out[data-trial="2"]').length`); n != 1 {
		t.Errorf("trial 2's history point not hidden by the filter")
	}

	for _, u := range b.Requests() {
		if u != url && !strings.HasSuffix(u, "/favicon.ico") {
			t.Errorf("the page requested %s", u)
		}
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console errors: %v", p)
	}
}

// TestPageWithoutScript: with JavaScript disabled the page still shows
// the answer, the tables and every figure; only the controls stay hidden.
func TestPageWithoutScript(t *testing.T) {
	url, _ := servePage(t)
	b := browsertest.New(t, true)
	b.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#ranking")))
	html := browsertest.Eval[string](b, `document.documentElement.outerHTML`)
	if n := strings.Count(html, `<tr data-trial=`); n != 5 {
		t.Errorf("%d ranked rows, want 5", n)
	}
	if n := strings.Count(html, "<svg"); n < 8 {
		t.Errorf("%d figures", n)
	}
	visible := func(sel string) bool {
		return browsertest.Eval[bool](b, `(() => { const e = document.querySelector("`+sel+`"); return !!e && e.getClientRects().length > 0; })()`)
	}
	if !visible("#answer") || !visible("#fig-history svg") || visible("#controls") {
		t.Errorf("answer visible %v, figure visible %v, controls visible %v (want true, true, false)", visible("#answer"), visible("#fig-history svg"), visible("#controls"))
	}
}
