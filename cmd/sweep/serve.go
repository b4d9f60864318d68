package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
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

// cmdServe is `sweep serve`: the live report of one sweep, or of every
// sweep under a directory or in a database.
func cmdServe(ctx context.Context, stop <-chan struct{}, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: sweep serve [flags] [DIR | --storage URL [NAME]]

Serves the live report of a sweep (DIR = results/NAME) or a list of the sweeps under DIR
(default results/), or in a PostgreSQL storage. Pages update while sweeps run. Read-only.
Binding an address other than the loopback needs a token: --token, or one is generated
and printed; every request must carry it (?token=... or Authorization: Bearer ...).

Flags:
`)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `host:port` (port 0: any free port)")
	token := fs.String("token", "", "require this `token` on every request (generated when --addr is not a loopback address)")
	storage := fs.String("storage", "", "serve the sweeps in this PostgreSQL `URL`; the argument, if any, names one")
	arg, code := parseDir(fs, args, stderr, false)
	if code >= 0 {
		return code
	}
	srv := &serve.Server{Token: *token}
	what := ""
	if *storage == "" {
		if arg == "" {
			arg = "results"
		}
		what = arg
		if serve.IsSweep(arg) {
			srv.Single = serve.Journal{Dir: arg, Settings: recipe.Table}
		} else {
			root := arg
			srv.Studies = func() map[string]serve.Source {
				out := map[string]serve.Source{}
				for _, name := range serve.Sweeps(root) {
					out[name] = serve.Journal{Dir: filepath.Join(root, name), Settings: recipe.Table}
				}
				return out
			}
		}
	} else {
		st, err := pgstore.Open(ctx, *storage, pgstore.Options{RetryFor: 30 * time.Second})
		if err != nil {
			fmt.Fprintf(stderr, "sweep serve: %v\n", err)
			return exitFor(err)
		}
		defer st.Close()
		what = st.Redacted()
		if arg != "" {
			srv.Single = newPGSource(st, arg)
			what += " " + arg
		} else {
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
		}
	}
	if srv.Token == "" && !loopback(*addr) {
		b := make([]byte, 16)
		rand.Read(b)
		srv.Token = hex.EncodeToString(b)
		fmt.Fprintf(stderr, "sweep serve: %s is not a loopback address: every request needs the token printed below\n", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "sweep serve: %v\n", err)
		return exitUsage
	}
	link := "http://" + ln.Addr().String() + "/"
	if srv.Token != "" {
		link += "?token=" + srv.Token
	}
	fmt.Fprintf(stdout, "Serving %s on %s\n", what, link)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-stop:
	case <-ctx.Done():
	case err := <-done:
		fmt.Fprintf(stderr, "sweep serve: %v\n", err)
		return exitFailure
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	hs.Shutdown(shutdown)
	return exitOK
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
