package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/study"
)

// open opens a store on a fresh database of a server of its own, closed
// when the test ends, and returns it with the database's address.
func open(t *testing.T, db string) (*Store, string) {
	t.Helper()
	url := pgtest.Start(t).URL(db)
	s, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func TestStorageBasics(t *testing.T) {
	s, _ := open(t, "basics")
	id, err := s.CreateNewStudy("st")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.CreateNewStudy("st"); again != id {
		t.Errorf("a second create of the same study gave ID %d, want %d", again, id)
	}
	s.SetStudyDirection(id, goptuna.StudyDirectionMaximize)
	tid, err := s.CreateNewTrial(id)
	if err != nil {
		t.Fatal(err)
	}
	dist := goptuna.CategoricalDistribution{Choices: []string{"a", "b"}}
	if err := s.SetTrialParam(tid, "c", 1, dist); err != nil {
		t.Fatal(err)
	}
	s.SetTrialSystemAttr(tid, "k", "v")
	s.SetTrialUserAttr(tid, "u", "w")
	s.SetTrialIntermediateValue(tid, 3, 0.5)
	s.SetTrialValue(tid, 0.75)
	if err := s.SetTrialState(tid, goptuna.TrialStateComplete); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTrialState(tid, goptuna.TrialStateComplete); err != nil {
		t.Errorf("setting the same final state again: %v", err)
	}
	if err := s.SetTrialState(tid, goptuna.TrialStateFail); err != goptuna.ErrTrialCannotBeUpdated {
		t.Errorf("changing a finished trial: %v", err)
	}
	ft, err := s.GetTrial(tid)
	if err != nil {
		t.Fatal(err)
	}
	if ft.Number != 0 || ft.State != goptuna.TrialStateComplete || ft.Value != 0.75 || ft.Params["c"] != "b" || ft.InternalParams["c"] != 1 ||
		ft.SystemAttrs["k"] != "v" || ft.UserAttrs["u"] != "w" || ft.IntermediateValues[3] != 0.5 {
		t.Errorf("trial %+v", ft)
	}
	// goptuna loads the study through the interface.
	study, err := goptuna.LoadStudy("st", goptuna.StudyOptionStorage(s), goptuna.StudyOptionLogger(nil))
	if err != nil || study.ID != id || study.Direction() != goptuna.StudyDirectionMaximize {
		t.Errorf("LoadStudy: %v", err)
	}
	if v, err := study.GetBestValue(); err != nil || v != 0.75 {
		t.Errorf("best value %v, %v", v, err)
	}
}

// TestCreateWithinIsAtomic: 8 goroutines race to create trials within a
// budget of 50: exactly 50, numbered 0 to 49.
func TestCreateWithinIsAtomic(t *testing.T) {
	s, _ := open(t, "atomic")
	id, _ := s.CreateNewStudy("st")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, _, ok, err := s.CreateTrialWithin(id, 50, "w"+string(rune('0'+w)))
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
			}
		}()
	}
	wg.Wait()
	trials, err := s.GetAllTrials(id)
	if err != nil || len(trials) != 50 {
		t.Fatalf("%d trials, %v", len(trials), err)
	}
	for i, tr := range trials {
		if tr.Number != i {
			t.Fatalf("trial %d has number %d", i, tr.Number)
		}
	}
}

func TestStaleTrialsAreClaimedOnce(t *testing.T) {
	s, _ := open(t, "stale")
	id, _ := s.CreateNewStudy("st")
	dead, _, _, _ := s.CreateTrialWithin(id, -1, "dead")
	alive, _, _, _ := s.CreateTrialWithin(id, -1, "alive")
	time.Sleep(1200 * time.Millisecond)
	if a, err := s.Begin(alive, "alive"); err != nil || a.Heartbeat() != nil {
		t.Fatalf("alive worker's heartbeat: %v", err)
	}
	claims, err := s.ClaimStale(id, time.Second, "rescuer")
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].ID != dead || claims[0].From != "dead" {
		t.Fatalf("claims %+v", claims)
	}
	if again, _ := s.ClaimStale(id, time.Second, "other"); len(again) != 0 {
		t.Errorf("claimed twice: %+v", again)
	}
}

func TestBadURLsAndPasswordsStayHidden(t *testing.T) {
	srv := pgtest.Start(t)
	good := srv.URL("pw")
	bad := strings.Replace(good, pgtest.Password, "wrong-Secret-77", 1)
	_, err := Open(context.Background(), bad, Options{RetryFor: time.Second})
	if err == nil || strings.Contains(err.Error(), "wrong-Secret-77") || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("bad password: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "storage postgres://postgres@127.0.0.1:") {
		t.Errorf("the URL is not shown redacted: %v", err)
	}
	_, err = Open(context.Background(), "mysql://root:hunter2@db/x", Options{})
	if err == nil || err.Error() != "storage URL: this mysql:// string is not a PostgreSQL connection string (want postgres://user@host[:port]/database, or host=… user=… dbname=…; the password in PGPASSWORD or ~/.pgpass)" {
		t.Errorf("wrong scheme: %v", err)
	}
	// Every form a password can take in a connection string stays hidden.
	for _, conn := range []string{
		strings.Replace(good, pgtest.Password, "w0rd%3Fwith%40odd", 1),                                                  // escaped characters
		strings.Replace(good, ":"+pgtest.Password+"@", "@", 1) + "&password=query-Secret-88",                            // a query parameter
		fmt.Sprintf("host=127.0.0.1 port=%s user=postgres password=kv-Secret-99 dbname=pw sslmode=disable", port(good)), // key=value
	} {
		_, err := Open(context.Background(), conn, Options{RetryFor: time.Second})
		for _, secret := range []string{"w0rd", "odd", "query-Secret-88", "kv-Secret-99"} {
			if err == nil || strings.Contains(err.Error(), secret) {
				t.Errorf("%s: %v", secret, err)
			}
		}
	}
	// A port that accepts and never answers: the connect timeout ends it.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	start := time.Now()
	_, err = Open(context.Background(), fmt.Sprintf("postgres://u:x@%s/db?sslmode=disable&connect_timeout=1", l.Addr()), Options{RetryFor: time.Second})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("silent server: %v after %v", err, time.Since(start))
	}
	// Nothing listens on port 1: the fault is transient, retried, then reported.
	var retries int
	_, err = Open(context.Background(), "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable", Options{RetryFor: 2 * time.Second,
		OnRetry: func(string, error, time.Duration) { retries++ }})
	if err == nil || retries == 0 || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "connect") {
		t.Errorf("unreachable server: %d retries, %v", retries, err)
	}
}

// TestServerRestart: an operation issued while the server is down
// retries until it is back.
func TestServerRestart(t *testing.T) {
	srv := pgtest.Start(t)
	var mu sync.Mutex
	var retries int
	s, err := Open(context.Background(), srv.URL("restart"), Options{OnRetry: func(string, error, time.Duration) { mu.Lock(); retries++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, _ := s.CreateNewStudy("st")
	srv.Stop()
	done := make(chan error)
	go func() { _, err := s.CreateNewTrial(id); done <- err }()
	time.Sleep(1500 * time.Millisecond)
	srv.Start()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if retries == 0 {
		t.Error("no retry was reported")
	}
}

// port is a URL's port.
func port(u string) string {
	parsed, _ := url.Parse(u)
	return parsed.Port()
}

// TestNotPostgreSQL: a server that answers HTTP, not PostgreSQL, is an
// error within the connect timeout, with no gigabyte "message" read.
func TestNotPostgreSQL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Open(context.Background(), "postgres://u@"+strings.TrimPrefix(srv.URL, "http://")+"/db?sslmode=disable&connect_timeout=3", Options{RetryFor: time.Second})
	runtime.ReadMemStats(&after)
	if err == nil || time.Since(start) > 20*time.Second || after.TotalAlloc-before.TotalAlloc > 100<<20 {
		t.Errorf("an HTTP server: %v after %v, %d MB allocated", err, time.Since(start), (after.TotalAlloc-before.TotalAlloc)>>20)
	}
}

// TestReadsAreIncremental: once a study's finished trials have been read,
// reading it again fetches only the trials unfinished then and the new
// ones, and still returns every trial as it stands; an attempt's user
// attributes reach the server together, before its state.
func TestReadsAreIncremental(t *testing.T) {
	s, url := open(t, "incr")
	id, _ := s.CreateNewStudy("st")
	var ids []int
	for i := range 40 {
		tid, _, _, _ := s.CreateTrialWithin(id, -1, "w")
		ids = append(ids, tid)
		if i < 38 {
			s.SetTrialValue(tid, float64(i))
			s.SetTrialState(tid, goptuna.TrialStateComplete)
		}
	}
	if all, err := s.GetAllTrials(id); err != nil || len(all) != 40 || s.cache.fetched != 40 {
		t.Fatalf("first read: %d trials, %d fetched, %v", len(all), s.cache.fetched, err)
	}
	a, err := s.Begin(ids[38], "w")
	if err != nil {
		t.Fatal(err)
	}
	for e := range 3 {
		if err := a.SetUserAttr(study.EpochKey(1, 0, e+1), "{}"); err != nil {
			t.Fatal(err)
		}
	}
	if ft, _ := s.GetTrial(ids[38]); len(ft.UserAttrs) != 0 {
		t.Errorf("epoch records sent one by one: %v", ft.UserAttrs)
	}
	if err := a.SetValue(7); err != nil {
		t.Fatal(err)
	}
	if err := a.SetState(goptuna.TrialStateComplete); err != nil {
		t.Fatal(err)
	}
	s.CreateTrialWithin(id, -1, "w")
	all, err := s.GetAllTrials(id)
	if err != nil || len(all) != 41 || s.cache.fetched != 40+3 {
		t.Fatalf("second read: %d trials, %d fetched in all (want the 2 unfinished and the new one), %v", len(all), s.cache.fetched, err)
	}
	for i, ft := range all {
		if ft.Number != i {
			t.Fatalf("trial %d in place %d", ft.Number, i)
		}
	}
	if ft := all[38]; ft.State != goptuna.TrialStateComplete || ft.Value != 7 || len(ft.UserAttrs) != 3 {
		t.Errorf("the trial finished since: %s, value %v, %d epoch records", ft.State, ft.Value, len(ft.UserAttrs))
	}
	if all[39].State != goptuna.TrialStateRunning || all[40].State != goptuna.TrialStateRunning {
		t.Error("running trials")
	}
	// Another worker's view agrees.
	other, _ := Open(context.Background(), url, Options{})
	defer other.Close()
	if fresh, _ := other.GetAllTrials(id); !reflect.DeepEqual(fresh, all) {
		t.Error("a fresh read differs from the incremental one")
	}
}

// TestBadRowsAreErrors: a parameter row edited by hand to an index its
// distribution does not have is an error naming the trial, not a panic;
// parameter values read back bit for bit.
func TestBadRowsAreErrors(t *testing.T) {
	s, _ := open(t, "rows")
	id, _ := s.CreateNewStudy("st")
	tid, _, _, _ := s.CreateTrialWithin(id, -1, "w")
	third := 1.0 / 3
	if err := errors.Join(s.SetTrialParam(tid, "lr", third, goptuna.UniformDistribution{Low: 0, High: 1}),
		s.SetTrialParam(tid, "act", 1, goptuna.CategoricalDistribution{Choices: []string{"relu", "tanh"}})); err != nil {
		t.Fatal(err)
	}
	if ft, err := s.GetTrial(tid); err != nil || ft.InternalParams["lr"] != third || ft.Params["act"] != "tanh" {
		t.Fatalf("read back: %v %v", ft.InternalParams, err)
	}
	if _, err := s.exec(`UPDATE trial_params SET value = 7 WHERE trial_id = $1 AND name = 'act'`, tid); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetTrial(tid)
	if want := fmt.Sprintf("trial %d: parameter act has index 7, but its distribution lists 2 choices", tid); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}

	// Trial numbers edited into a gap: an error, not records out of place.
	s.exec(`DELETE FROM trial_params`)
	for range 2 {
		s.CreateTrialWithin(id, -1, "w")
	}
	if _, err := s.exec(`UPDATE trials SET number = 5 WHERE study_id = $1 AND number = 1`, id); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAllTrials(id)
	if want := fmt.Sprintf("study %d: trial 2 (ID %d) read before trial 1: numbers are not dense", id, tid+2); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// A new trial is numbered past the largest number, not by the count
	// of trials, which here is a number taken: creating it neither hangs
	// nor fills the gap, and the budget counts numbers.
	if _, err := s.exec(`DELETE FROM trials WHERE study_id = $1 AND number = 5`, id); err != nil {
		t.Fatal(err)
	}
	type created struct {
		number int
		ok     bool
		err    error
	}
	create := func(limit int) created {
		c := make(chan created, 1)
		go func() {
			_, n, ok, err := s.CreateTrialWithin(id, limit, "w")
			c <- created{n, ok, err}
		}()
		select {
		case r := <-c:
			return r
		case <-time.After(30 * time.Second):
			t.Fatalf("CreateTrialWithin(limit %d) on numbers 0 and 2 has not returned in 30 s", limit)
			return created{}
		}
	}
	if got := create(3); got != (created{-1, false, nil}) {
		t.Errorf("limit 3 on numbers 0 and 2: got %+v, want the budget spent", got)
	}
	if got := create(-1); got != (created{3, true, nil}) {
		t.Errorf("on numbers 0 and 2: got %+v, want number 3", got)
	}
}
