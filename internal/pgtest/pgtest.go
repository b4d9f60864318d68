// Package pgtest runs a throwaway PostgreSQL server on 127.0.0.1 for
// integration tests: Debian's postgresql package, a fresh cluster in a
// temporary directory, password authentication over TCP. Without
// PostgreSQL installed the tests are skipped, except in CI (CI=true),
// whose .ci/run installs it.
package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/c-bata/goptuna"
)

// Password is the password of the server's postgres user.
const Password = "s3cret-Pa55"

// Server is a running test server.
type Server struct {
	t         testing.TB
	bin, data string
	dir       string
	port      int
	asUser    []string // runuser prefix when running as root
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL is not installed; .ci/run installs Debian's postgresql package")
		}
		t.Skip("PostgreSQL not installed (apt-get install postgresql)")
	}
	slices.Sort(bins)
	s := &Server{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		t.Fatal(err)
	}
	s.dir, s.data = dir, filepath.Join(dir, "data")
	if u, _ := user.Current(); u != nil && u.Uid == "0" {
		// PostgreSQL refuses to run as root: run it as Debian's postgres user.
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root and there is no postgres user")
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		os.Chmod(dir, 0o755)
		os.Chown(dir, uid, gid)
		s.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	pwfile := filepath.Join(dir, "pw")
	os.WriteFile(pwfile, []byte(Password), 0o644)
	s.run("initdb", "-D", s.data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-N")
	os.Remove(pwfile)
	s.Start()
	t.Cleanup(func() {
		s.cmd("pg_ctl", "-D", s.data, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	return s
}

func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(slices.Clone(s.asUser), filepath.Join(s.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (s *Server) run(name string, args ...string) {
	s.t.Helper()
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// Start starts the server (again).
func (s *Server) Start() {
	s.t.Helper()
	s.run("pg_ctl", "-D", s.data, "-l", filepath.Join(s.dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", s.port, s.dir), "start")
}

// Stop stops the server, cutting its connections.
func (s *Server) Stop() {
	s.t.Helper()
	s.run("pg_ctl", "-D", s.data, "-m", "fast", "-w", "stop")
}

// PID is the process id of the server's postmaster, from its data
// directory; 0 if the server is not running.
func (s *Server) PID() int {
	b, _ := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	first, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(first)
	return pid
}

// URL is the address of a fresh database on the server.
func (s *Server) URL(db string) string {
	s.run("psql", "-h", s.dir, "-p", strconv.Itoa(s.port), "-U", "postgres", "-q", "-c", "CREATE DATABASE "+db)
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", Password, s.port, db)
}

// Drop drops a database made by URL, so that nothing of it (autovacuum)
// runs on.
func (s *Server) Drop(db string) {
	s.run("psql", "-h", s.dir, "-p", strconv.Itoa(s.port), "-U", "postgres", "-q", "-c", "DROP DATABASE "+db+" WITH (FORCE)")
}

// CopyTrial appends a copy of a finished trial to a study through the
// storage, as a worker records a new one: a change of the study for tests
// and benchmarks of its readers.
func CopyTrial(st goptuna.Storage, studyID int, src goptuna.FrozenTrial) error {
	id, err := st.CreateNewTrial(studyID)
	for name, x := range src.InternalParams {
		err = errors.Join(err, st.SetTrialParam(id, name, x, src.Distributions[name]))
	}
	for k, v := range src.SystemAttrs {
		err = errors.Join(err, st.SetTrialSystemAttr(id, k, v))
	}
	for k, v := range src.UserAttrs {
		err = errors.Join(err, st.SetTrialUserAttr(id, k, v))
	}
	for step, v := range src.IntermediateValues {
		err = errors.Join(err, st.SetTrialIntermediateValue(id, step, v))
	}
	err = errors.Join(err, st.SetTrialValue(id, src.Value))
	return errors.Join(err, st.SetTrialState(id, src.State))
}
