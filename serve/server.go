package serve

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sweepml/sweep/report"
)

// Server serves studies read-only: each one's live report page, its
// version (what the page polls) and its report JSON; with more than one
// study, a list of them.
type Server struct {
	// Token, when set, must come with every request: as ?token= or as
	// "Authorization: Bearer TOKEN". Without it a request gets 401.
	Token string
	// Studies finds the studies by name: called again at most once per
	// MinInterval, so that a sweep started later appears.
	Studies func() map[string]Source
	// Single serves one study at the root instead of a list.
	Single Source
	// MinInterval is the least time between two reads of one study (0:
	// 250 ms): however many pages poll, the study is read at most this
	// often.
	MinInterval time.Duration

	routes  sync.Once
	mux     *http.ServeMux
	mu      sync.Mutex
	cache   map[string]*view // by study name; "" for Single
	studies map[string]Source
	listed  time.Time // when studies was found
}

// view is the last rendering of one study.
type view struct {
	mu      sync.Mutex
	checked time.Time
	stamp   string
	version string
	page    []byte
	report  *report.Report // of this version
	json    []byte         // the report's JSON, written when first asked for
	err     error
}

// ServeHTTP answers GET and HEAD (a mux's method patterns answer any
// other method 405, an unknown path 404): with Single, "/" (page),
// "/version" and "/api/study"; otherwise "/" (list), "/api/studies" and
// the same three under "/s/NAME/". Every request needs the token, if set.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Token != "" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sweep serve"`)
		http.Error(w, "401 unauthorized: this server needs its token (?token=… or Authorization: Bearer …)", http.StatusUnauthorized)
		return
	}
	s.routes.Do(s.route)
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// route builds the mux. A GET pattern matches HEAD too.
func (s *Server) route() {
	s.mux = http.NewServeMux()
	if s.Single != nil {
		s.handleStudy("", func(*http.Request) (string, Source) { return "", s.Single })
		return
	}
	s.mux.HandleFunc("GET /{$}", s.list)
	s.mux.HandleFunc("GET /api/studies", func(w http.ResponseWriter, r *http.Request) { writeJSONList(w, s.names()) })
	s.mux.HandleFunc("GET /s/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/s/"+url.PathEscape(r.PathValue("name"))+"/"+query(r), http.StatusFound)
	})
	s.handleStudy("/s/{name}", func(r *http.Request) (string, Source) {
		name := r.PathValue("name")
		return name, s.studiesNow()[name]
	})
}

// handleStudy routes a study's three paths under prefix.
func (s *Server) handleStudy(prefix string, find func(*http.Request) (string, Source)) {
	for _, path := range []string{"/{$}", "/version", "/api/study"} {
		s.mux.HandleFunc("GET "+prefix+path, func(w http.ResponseWriter, r *http.Request) {
			name, src := find(r)
			if src == nil {
				http.Error(w, "no study named "+name, http.StatusNotFound)
				return
			}
			s.study(w, name, src, strings.TrimSuffix(path, "{$}"))
		})
	}
}

func (s *Server) authorized(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		got = strings.TrimPrefix(h, "Bearer ")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.Token)) == 1
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// study answers a study's three paths.
func (s *Server) study(w http.ResponseWriter, name string, src Source, path string) {
	v := s.view(name, src)
	v.mu.Lock()
	var jsonErr error
	if path == "/api/study" && v.json == nil && v.report != nil {
		var js bytes.Buffer
		if jsonErr = report.Write(&js, v.report, "json", 0); jsonErr == nil {
			v.json = js.Bytes()
		}
	}
	page, js, version, err := v.page, v.json, v.version, v.err
	v.mu.Unlock()
	if err != nil && page == nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	switch path {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	case "/version":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(version))
	case "/api/study":
		if jsonErr != nil {
			http.Error(w, "the report's JSON: "+jsonErr.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(js)
	}
}

// view brings a study's rendering up to date, reading the study at most
// once per MinInterval and rendering only when its version changed. The
// page is rendered at once (what an open page asks for next); the
// report's JSON only when a script asks for it.
func (s *Server) view(name string, src Source) *view {
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]*view{}
	}
	v := s.cache[name]
	if v == nil {
		v = &view{}
		s.cache[name] = v
	}
	s.mu.Unlock()
	interval := s.interval()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.page != nil && time.Since(v.checked) < interval {
		return v
	}
	v.checked = time.Now()
	stamp := src.Stamp()
	if v.page != nil && stamp != "" && stamp == v.stamp {
		return v
	}
	spec, trials, dir, err := src.Load()
	if err != nil {
		v.err = err // the last good page stays
		return v
	}
	v.stamp, v.err = stamp, nil
	ver := version(trials)
	if ver == v.version && v.page != nil {
		return v
	}
	rep := report.Analyze(spec, trials)
	var html bytes.Buffer
	html.Grow(len(v.page) + len(v.page)/8) // the last size and room to grow: no copying as it fills
	page := &report.Page{Report: rep, Figures: report.Plots(spec, rep), Live: true, Version: ver}
	if dir != "" {
		page.Logs = report.LogTails(dir, trials)
	}
	if err := page.WriteHTML(&html); err != nil {
		v.err = err
		return v
	}
	v.version, v.page, v.report, v.json = ver, html.Bytes(), rep, nil
	return v
}

// interval is MinInterval or its default.
func (s *Server) interval() time.Duration {
	if s.MinInterval <= 0 {
		return 250 * time.Millisecond
	}
	return s.MinInterval
}

// studiesNow is Studies, called again only once MinInterval has passed.
func (s *Server) studiesNow() map[string]Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.studies == nil || time.Since(s.listed) >= s.interval() {
		s.studies, s.listed = s.Studies(), time.Now()
	}
	return s.studies
}

func (s *Server) names() []string {
	var out []string
	for name := range s.studiesNow() {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func writeJSONList(w http.ResponseWriter, names []string) {
	w.Header().Set("Content-Type", "application/json")
	if names == nil {
		names = []string{}
	}
	json.NewEncoder(w).Encode(map[string][]string{"studies": names})
}

var listPage = template.Must(template.New("list").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweeps</title>
<style>body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }</style>
</head><body><h1>Sweeps</h1>
{{if .Names}}<ul id="studies">{{range .Names}}<li><a href="s/{{.}}/{{$.Query}}">{{.}}</a></li>{{end}}</ul>
{{else}}<p>No sweep here yet. Start one with sweep run SPEC; reload to see it.</p>{{end}}
</body></html>
`))

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q := ""
	if t := r.URL.Query().Get("token"); t != "" {
		q = "?token=" + url.QueryEscape(t)
	}
	listPage.Execute(w, struct {
		Names []string
		Query template.URL
	}{s.names(), template.URL(q)})
}
