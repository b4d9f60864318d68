package serve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sweepml/sweep/study"
)

// fakeSource is a study held in memory, counting its loads.
type fakeSource struct {
	spec   *study.Spec
	trials []study.Trial
	loads  int
}

func (f *fakeSource) Stamp() string { return "" }
func (f *fakeSource) Load() (*study.Spec, []study.Trial, string, error) {
	f.loads++
	return f.spec, f.trials, "", nil
}

func trial(n int, epochs int) study.Trial {
	run := make([]study.Epoch, epochs)
	for e := range run {
		run[e] = study.Epoch{Epoch: e + 1, ValAccuracy: 0.5 + float64(e)/100}
	}
	return study.Trial{Number: n, State: study.Running, Params: []study.ParamValue{{Name: "lr", Value: 0.01 * float64(n+1)}}, Seeds: []uint64{1}, Runs: [][]study.Epoch{run}}
}

// TestVersionAndReads: the version changes with a new epoch and a new
// trial and not otherwise; polls within MinInterval do not read the study.
func TestVersionAndReads(t *testing.T) {
	spec, err := study.ParseSpec("s.yaml", []byte("name: s\nmethod: grid\nparameters:\n  lr: {values: [0.01, 0.02]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{spec: spec, trials: []study.Trial{trial(0, 1)}}
	s := &Server{Single: src, MinInterval: time.Hour}
	get := func(path string) string { return getOK(t, s, path) }
	v1 := get("/version")
	for range 10 {
		get("/version")
	}
	if src.loads != 1 {
		t.Errorf("%d loads within the interval, want 1", src.loads)
	}
	s.MinInterval = time.Nanosecond
	time.Sleep(time.Millisecond)
	if v := get("/version"); v != v1 {
		t.Errorf("unchanged study: version %s, then %s", v1, v)
	}
	src.trials[0] = trial(0, 2)
	time.Sleep(time.Millisecond)
	v2 := get("/version")
	src.trials = append(src.trials, trial(1, 1))
	time.Sleep(time.Millisecond)
	v3 := get("/version")
	if v2 == v1 || v3 == v2 || !strings.HasPrefix(v3, "2-") {
		t.Errorf("versions %s, %s, %s: want a change per epoch and per trial", v1, v2, v3)
	}
	if page := get("/"); !strings.Contains(page, `data-version="`+v3+`"`) || !strings.Contains(page, `data-live="1"`) {
		t.Error("the page does not carry its version or live mode")
	}
}

// TestListReads: however many requests come, the list of studies is
// looked up at most once per MinInterval; a study's report JSON is
// written only when asked for, and is the report of the study read.
func TestListReads(t *testing.T) {
	spec, err := study.ParseSpec("s.yaml", []byte("name: s\nmethod: grid\nparameters:\n  lr: {values: [0.01, 0.02]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{spec: spec, trials: []study.Trial{trial(0, 3)}}
	lists := 0
	s := &Server{MinInterval: time.Hour, Studies: func() map[string]Source {
		lists++
		return map[string]Source{"s": src}
	}}
	get := func(path string) string { return getOK(t, s, path) }
	for range 5 {
		get("/")
		get("/api/studies")
		get("/s/s/version")
	}
	if lists != 1 {
		t.Errorf("the list looked up %d times within the interval, want 1", lists)
	}
	if v := s.cache["s"]; v == nil || v.json != nil {
		t.Error("the report JSON was written before anyone asked for it")
	}
	if js := get("/s/s/api/study"); !strings.Contains(js, `"name": "s"`) || !strings.Contains(js, `"val_accuracy": 0.52`) {
		t.Errorf("/api/study: %.300s", js)
	}
}

// getOK answers a GET of path from s, failing the test unless it is 200 OK.
func getOK(t *testing.T, s *Server, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.String()
}

// TestRoutes: the mux answers what it routes and nothing else: GET and
// HEAD; other methods 405 with an Allow header; unknown paths and
// studies 404; a study's name without its slash redirects.
func TestRoutes(t *testing.T) {
	spec, err := study.ParseSpec("s.yaml", []byte("name: s\nmethod: grid\nparameters:\n  lr: {values: [0.01, 0.02]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{spec: spec, trials: []study.Trial{trial(0, 1)}}
	single := &Server{Single: src}
	multi := &Server{Studies: func() map[string]Source { return map[string]Source{"s": src} }}
	for _, tt := range []struct {
		s            *Server
		method, path string
		code         int
	}{
		{single, "GET", "/", 200}, {single, "HEAD", "/version", 200}, {single, "GET", "/api/study", 200},
		{single, "POST", "/", 405}, {single, "DELETE", "/version", 405}, {single, "GET", "/nope", 404},
		{single, "GET", "/s/s/", 404},
		{multi, "GET", "/", 200}, {multi, "GET", "/api/studies", 200}, {multi, "GET", "/s/s/", 200},
		{multi, "GET", "/s/s/version", 200}, {multi, "GET", "/s/s", 302}, {multi, "GET", "/s/t/", 404},
		{multi, "PUT", "/s/s/api/study", 405}, {multi, "GET", "/s/s/other", 404}, {multi, "GET", "/version", 404},
	} {
		rec := httptest.NewRecorder()
		tt.s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.code {
			t.Errorf("%s %s (single %v): %d, want %d", tt.method, tt.path, tt.s == single, rec.Code, tt.code)
		}
		if tt.code == 405 && !strings.Contains(rec.Header().Get("Allow"), "GET") {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, rec.Header().Get("Allow"))
		}
	}
}
