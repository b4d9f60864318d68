package main

import (
	"bytes"
	"context"
	"fmt"
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
	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/pgstore"
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
// and returns the address it printed, token included, and all it prints.
func startServe(t *testing.T, args ...string) (link string, output *lockedBuffer) {
	output = &lockedBuffer{}
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), stop, append([]string{"serve"}, args...), output, output) }()
	t.Cleanup(func() {
		close(stop)
		if code := <-done; code != 0 {
			t.Errorf("sweep serve exited %d: %s", code, output)
		}
	})
	re := regexp.MustCompile(`on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(output.String()); m != nil {
			return m[1], output
		}
		select {
		case code := <-done:
			t.Fatalf("sweep serve exited %d: %s", code, output)
		default:
		}
	}
	t.Fatalf("sweep serve printed no address: %s", output)
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
	jpath, _ := os.ReadFile(filepath.Join(dir, journal.FileName))

	link, output := startServe(t, "--addr", "0.0.0.0:0", dir)
	if !strings.Contains(output.String(), "is not a loopback address: every request needs the token") {
		t.Errorf("printed: %s", output)
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
	if after, _ := os.ReadFile(filepath.Join(dir, journal.FileName)); !bytes.Equal(after, jpath) {
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
	for deadline := time.Now().Add(time.Minute); !fileExists(filepath.Join(dir, journal.FileName)); time.Sleep(10 * time.Millisecond) {
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
			_, trials, err := journal.Load(dir, recipe.Table)
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
	spec, _, _ := journal.Load(dir, recipe.Table)
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

// TestServeStorage serves a PostgreSQL storage: a sweep run after the
// server started appears in its list; its page and report JSON are those
// `sweep report` makes from the same storage; a trial recorded later
// reaches the page; the password is never shown.
func TestServeStorage(t *testing.T) {
	url := pgtest.Start(t).URL("served")
	link, output := startServe(t, "--addr", "127.0.0.1:0", "--storage", url)
	base := strings.TrimSuffix(link, "/")
	if code, body := get(t, "GET", base+"/api/studies", nil); code != 200 || strings.TrimSpace(body) != `{"studies":[]}` {
		t.Errorf("GET /api/studies before any sweep: %d %s", code, body)
	}
	if code, _, errOut := cli("run", "--storage", url, writeSpec(t, tinySpec)); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	var list string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, list = get(t, "GET", base+"/", nil); strings.Contains(list, `<a href="s/tiny/">tiny</a>`) {
			break
		}
	}
	if !strings.Contains(list, `<a href="s/tiny/">tiny</a>`) {
		t.Errorf("GET / after the sweep: %s", list)
	}
	_, page := get(t, "GET", base+"/s/tiny/", nil)
	_, js := get(t, "GET", base+"/s/tiny/api/study", nil)
	t.Chdir(t.TempDir())
	code, want, errOut := cli("report", "--storage", url, "--format", "json", "--files=false", "tiny")
	if code != 0 || js != want {
		t.Errorf("/api/study differs from sweep report's JSON (exit %d: %s):\n%.300s\nwant\n%.300s", code, errOut, js, want)
	}
	rows := strings.Count(page, "<tr data-trial=")
	if rows == 0 || !strings.Contains(page, `"trials"`) {
		t.Errorf("the page has %d ranked rows", rows)
	}

	// A trial recorded through the storage, as a worker records one.
	st, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := st.GetStudyIDFromName("tiny")
	all, err := st.GetAllTrials(id)
	if err != nil {
		t.Fatal(err)
	}
	_, before := get(t, "GET", base+"/s/tiny/version", nil)
	if err := pgtest.CopyTrial(st, id, all[0]); err != nil {
		t.Fatal(err)
	}
	var after string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, after = get(t, "GET", base+"/s/tiny/version", nil); after != before {
			break
		}
	}
	n := len(all)
	if !strings.HasPrefix(before, fmt.Sprintf("%d-", n)) || !strings.HasPrefix(after, fmt.Sprintf("%d-", n+1)) {
		t.Errorf("versions %q then %q: want %d trials, then %d", before, after, n, n+1)
	}
	if _, page = get(t, "GET", base+"/s/tiny/", nil); !strings.Contains(page, fmt.Sprintf(`data-version="%s"`, after)) || !strings.Contains(page, fmt.Sprintf(`data-trial="%d"`, n)) {
		t.Errorf("the page after a new trial is not of version %s or lacks trial %d", after, n)
	}
	if !strings.Contains(output.String(), "Serving postgres://postgres@127.0.0.1:") {
		t.Errorf("printed %q", output)
	}
	for _, s := range []string{output.String(), page, js} {
		if strings.Contains(s, pgtest.Password) {
			t.Error("the password was shown")
		}
	}
}
