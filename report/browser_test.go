package report

import (
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// chromium finds Debian's headless-capable browser. Without it the test
// is skipped, except in CI, whose .ci/run installs it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// TestHTMLRendersInChromium opens report.html in headless Chromium, served
// by a local server that records every request: the page renders (a
// screenshot is taken), its DOM holds the tables and every figure, and it
// asks for nothing but itself.
func TestHTMLRendersInChromium(t *testing.T) {
	browser := chromium(t)
	spec, trials := fixedStudy(t)
	dir := t.TempDir()
	r := Analyze(spec, trials)
	if err := WriteFiles(dir, spec, r); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	// Nothing in the page can reach out: no scripts, no stylesheets or
	// images by reference, no URLs.
	if m := regexp.MustCompile(`(?i)<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|https?://[^w]`).Find(page); m != nil {
		// (http://www.w3.org/… appears only as SVG namespace names.)
		t.Errorf("the page refers to something outside itself: %q", m)
	}

	var mu sync.Mutex
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		requests = append(requests, req.URL.Path)
		mu.Unlock()
		if req.URL.Path == "/report.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
			return
		}
		http.NotFound(w, req)
	}))
	defer srv.Close()

	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + t.TempDir(), "--window-size=1200,3000"}
		out, err := exec.CommandContext(ctx, browser, append(append(base, args...), srv.URL+"/report.html")...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return string(out)
	}
	dom := run("--dump-dom")
	for _, want := range []string{`<table id="ranking">`, `<p class="answer" id="answer">In the search, trial #3`, `<table class="parameter">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	figures, _ := filepath.Glob(filepath.Join(dir, PlotsDir, "*.svg"))
	if len(figures) < 5 {
		t.Fatalf("only %d figures written", len(figures))
	}
	for _, f := range figures {
		name := strings.TrimSuffix(filepath.Base(f), ".svg")
		i := strings.Index(dom, `<figure id="fig-`+name+`"`)
		if i < 0 || !strings.Contains(dom[i:min(len(dom), i+400)], "<svg") {
			t.Errorf("figure %s is not in the rendered page as inline SVG", name)
		}
	}
	if n := strings.Count(dom, "<svg"); n != len(figures) {
		t.Errorf("%d inline SVGs for %d figures", n, len(figures))
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	run("--screenshot=" + shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 1200 {
		t.Errorf("screenshot: %v %v", err, img.Bounds())
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range requests {
		if p != "/report.html" && p != "/favicon.ico" {
			t.Errorf("the page requested %s", p)
		}
	}
	t.Logf("requests: %v", requests)
}
