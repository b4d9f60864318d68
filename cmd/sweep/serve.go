package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/serve"
	"github.com/sweepml/sweep/study"
)

var serveCmd = &subcommand{
	Name:      "serve",
	UsageLine: "serve [flags] [DIR | --storage URL [NAME]]",
	Short:     "serve live report pages of sweeps (read-only, 127.0.0.1:8080)",
	Long: `Serves the live report of a sweep (DIR = results/NAME) or a list of the sweeps under DIR
(default results/), or in a PostgreSQL storage. Pages update while sweeps run. Read-only.
Binding an address other than the loopback needs a token: --token, or one is generated
and printed; every request must carry it (?token=... or Authorization: Bearer ...).`,
	Flags: func(fs *flag.FlagSet) func(context.Context, *call) error {
		r := &serveRun{}
		fs.StringVar(&r.addr, "addr", "127.0.0.1:8080", "listen on `host:port` (port 0: any free port)")
		fs.StringVar(&r.token, "token", "", "require this `token` on every request (generated when --addr is not a loopback address)")
		fs.StringVar(&r.storage, "storage", "", "serve the sweeps in this PostgreSQL `URL`; the argument, if any, names one")
		return r.run
	},
}

// serveRun is what sweep serve's flags ask for.
type serveRun struct{ addr, token, storage string }

// run serves the live report of one sweep, or of every sweep under a
// directory or in a database, until Ctrl-C.
func (r *serveRun) run(ctx context.Context, c *call) error {
	arg, err := c.dir(false)
	if err != nil {
		return err
	}
	srv := &serve.Server{Token: r.token}
	what, closeStore, err := r.sources(ctx, srv, arg)
	if err != nil {
		return err
	}
	defer closeStore()
	if srv.Token == "" && !loopback(r.addr) {
		b := make([]byte, 16)
		rand.Read(b)
		srv.Token = hex.EncodeToString(b)
		fmt.Fprintf(c.stderr, "%s: %s is not a loopback address: every request needs the token printed below\n", c.fs.Name(), r.addr)
	}
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		return badUsage(err)
	}
	link := "http://" + ln.Addr().String() + "/"
	if srv.Token != "" {
		link += "?token=" + srv.Token
	}
	fmt.Fprintf(c.stdout, "Serving %s on %s\n", what, link)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-c.stop:
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

// sources gives the server its studies: the sweep directory arg, the
// sweeps under it (default results/), or the sweeps (or the one named
// arg) in --storage. It says what it serves, and what closes the store.
func (r *serveRun) sources(ctx context.Context, srv *serve.Server, arg string) (what string, closeStore func(), err error) {
	if r.storage == "" {
		if arg == "" {
			arg = "results"
		}
		if serve.IsSweep(arg) {
			srv.Single = serve.Journal{Dir: arg, Settings: recipe.Table}
			return arg, func() {}, nil
		}
		srv.Studies = func() map[string]serve.Source {
			out := map[string]serve.Source{}
			for _, name := range serve.Sweeps(arg) {
				out[name] = serve.Journal{Dir: filepath.Join(arg, name), Settings: recipe.Table}
			}
			return out
		}
		return arg, func() {}, nil
	}
	st, err := pgstore.Open(ctx, r.storage, pgstore.Options{RetryFor: 30 * time.Second})
	if err != nil {
		return "", nil, err
	}
	if arg != "" {
		srv.Single = newPGSource(st, arg)
		return st.Redacted() + " " + arg, func() { st.Close() }, nil
	}
	var mu sync.Mutex
	sources := map[string]*pgSource{} // kept: each reads its study incrementally
	srv.Studies = func() map[string]serve.Source {
		sums, _ := st.GetAllStudySummaries()
		mu.Lock()
		defer mu.Unlock()
		out := map[string]serve.Source{}
		for _, s := range sums {
			if sources[s.Name] == nil {
				sources[s.Name] = newPGSource(st, s.Name)
			}
			out[s.Name] = sources[s.Name]
		}
		return out
	}
	return st.Redacted(), func() { st.Close() }, nil
}

// loopback reports whether addr binds only the local machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pgSource is a study in PostgreSQL. It has no cheap stamp: every check
// reads the study, which costs only its changes: the store fetches the
// running and new trials (finished ones are cached), and the reader
// builds only their records.
type pgSource struct {
	mu sync.Mutex
	r  study.StoredReader
}

func newPGSource(st *pgstore.Store, name string) *pgSource {
	return &pgSource{r: study.StoredReader{Storage: st, Name: name, Where: st.Redacted(), Settings: recipe.Table}}
}

func (p *pgSource) Stamp() string { return "" }

func (p *pgSource) Load() (*study.Spec, []study.Trial, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	spec, trials, err := p.r.Read()
	if pgstore.Permanent(err) {
		err = fmt.Errorf("sweep %s: %w", p.r.Name, err)
	}
	return spec, trials, "", err
}
