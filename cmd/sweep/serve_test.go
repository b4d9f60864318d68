package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sweepml/sweep/internal/browsertest"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/report"
	"github.com/sweepml/sweep/study"
)

// lockedBuffer is a buffer two goroutines may use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `sweep serve ARGS` in this process until the test ends
// and returns the address it printed, token included.
func startServe(t *testing.T, args ...string) (link string, stderr *lockedBuffer) {
	var stdout lockedBuffer
	stderr = &lockedBuffer{}
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), stop, append([]string{"serve"}, args...), &stdout, stderr) }()
	t.Cleanup(func() {
		close(stop)
		if code := <-done; code != 0 {
			t.Errorf("sweep serve exited %d: %s", code, stderr)
		}
	})
	re := regexp.MustCompile(`on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stderr
		}
		select {
		case code := <-done:
			t.Fatalf("sweep serve exited %d: %s", code, stderr)
		default:
		}
	}
	t.Fatalf("sweep serve printed no address: %s", stderr)
	return "", nil
}

func get(t *testing.T, method, u string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeToken: bound beyond the loopback, serve makes up a token and
// prints it; a request without it, or with a wrong one, gets 401; with it
// (as ?token= or a bearer header) the page, the version and the report
// JSON. A given token is required on the loopback too. Serving never
// writes to the study.
func TestServeToken(t *testing.T) {
	results := t.TempDir()
	if code, _, errOut := cli("run", writeSpec(t, tinySpec), "--results", results); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	dir := filepath.Join(results, "tiny")
	journal, _ := os.ReadFile(filepath.Join(dir, study.JournalFile))

	link, stderr := startServe(t, "--addr", "0.0.0.0:0", dir)
	if !strings.Contains(stderr.String(), "is not a loopback address: every request needs the token") {
		t.Errorf("stderr: %s", stderr)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	if len(token) != 32 {
		t.Fatalf("printed %s: want a 32-digit token", link)
	}
	base := "http://127.0.0.1:" + u.Port()
	for _, path := range []string{"/", "/version", "/api/study", "/?token=wrong"} {
		if code, _ := get(t, "GET", base+path, nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, code)
		}
	}
	if code, body := get(t, "GET", base+"/?token="+token, nil); code != 200 || strings.Count(body, "<tr data-trial=") != 4 {
		t.Errorf("GET / with the token: %d, %d rows", code, strings.Count(body, "<tr data-trial="))
	}
	if code, body := get(t, "GET", base+"/api/study", http.Header{"Authorization": {"Bearer " + token}}); code != 200 || !strings.Contains(body, `"name": "tiny"`) {
		t.Errorf("GET /api/study with a bearer token: %d %.100s", code, body)
	}
	if code, _ := get(t, "POST", base+"/?token="+token, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", code)
	}

	link, _ = startServe(t, "--addr", "127.0.0.1:0", "--token", "s3cret", results)
	if strings.Contains(link, "s3cret") == false {
		t.Errorf("printed %s", link)
	}
	base = strings.TrimSuffix(link, "?token=s3cret")
	if code, _ := get(t, "GET", base+"s/tiny/", nil); code != http.StatusUnauthorized {
		t.Errorf("loopback with --token, no token: %d", code)
	}
	if code, body := get(t, "GET", base+"api/studies?token=s3cret", nil); code != 200 || !strings.Contains(body, `"tiny"`) {
		t.Errorf("GET /api/studies: %d %s", code, body)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, study.JournalFile)); !bytes.Equal(after, journal) {
		t.Error("serving changed the journal")
	}
}

// liveSpec is a sweep of several seconds: 12 trials one after another.
const liveSpec = `name: live
seed: 3
data: {subset: 400}
fixed: {sizes: "784,32,10", epochs: 100}
method: grid
parameters:
  lr: {values: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12]}
budget: {batch: 1}
confirm: false
`

// TestServeLive opens the live page of a sweep that a separate process
// is running: rows appear without a reload as trials finish, and when the
// sweep ends the page shows its final ranking and answer; the page asks
// only its server and logs no error.
func TestServeLive(t *testing.T) {
	b := browsertest.New(t, false) // started first: it takes seconds
	results := t.TempDir()
	dir := filepath.Join(results, "live")
	sweep, errOut := sweepProcess(t, "run", writeSpec(t, liveSpec), "--results", results, "--workers", "1")
	defer sweep.Process.Kill()
	for deadline := time.Now().Add(time.Minute); !fileExists(filepath.Join(dir, study.JournalFile)); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the sweep did not start: %s", errOut)
		}
	}
	link, _ := startServe(t, "--addr", "127.0.0.1:0", dir)
	b.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#live")))

	exited := make(chan error, 1)
	go func() { exited <- sweep.Wait() }()
	rows := func() int {
		return browsertest.Eval[int](b, `document.querySelectorAll("#ranking tr[data-trial]").length`)
	}
	seen := []int{rows()}
	var final []study.Trial
	var settle time.Time
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := rows(); n != seen[len(seen)-1] {
			seen = append(seen, n)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("sweep: %v: %s", err, errOut)
			}
			_, trials, err := study.Load(dir, recipe.Table)
			if err != nil {
				t.Fatal(err)
			}
			final, settle = trials, time.Now().Add(5*time.Second)
		default:
		}
		if final != nil && time.Now().After(settle) {
			break
		}
	}
	if final == nil {
		t.Fatal("the sweep did not finish")
	}
	spec, _, _ := study.Load(dir, recipe.Table)
	want := report.Analyze(spec, final)
	if got := seen[len(seen)-1]; got != len(want.Ranked) {
		t.Errorf("the page ends with %d ranked rows, want %d (seen %v)", got, len(want.Ranked), seen)
	}
	if len(seen) < 3 {
		t.Errorf("row counts seen %v: the page did not grow while the sweep ran", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Errorf("row counts went down: %v", seen)
		}
	}
	if got := browsertest.Eval[string](b, `document.getElementById("answer").textContent`); got != want.Answer {
		t.Errorf("the page's answer is not the final one:\n%s\nwant\n%s", got, want.Answer)
	}
	for _, r := range b.Requests() {
		if !strings.HasPrefix(r, strings.TrimSuffix(link, "/")) {
			t.Errorf("the page requested %s", r)
		}
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
	t.Logf("ranked rows seen: %v", seen)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
