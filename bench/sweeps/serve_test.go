package sweeps

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/pgstore"
)

// served is a 1,000-trial study with curves worth drawing: 9 epochs,
// three parameters, successive halving.
const served = `name: served
seed: 5
data: {subset: 200, validation: 0.2}
fixed: {sizes: "784,8,10", epochs: 9}
method: random
parameters:
  lr:       {distribution: log_uniform_values, min: 0.001, max: 0.3}
  batch:    {distribution: int_uniform, min: 4, max: 40}
  schedule: {values: [constant, cosine]}
budget: {trials: 1000, batch: 4}
early_terminate: {type: successive_halving, min_epochs: 3, eta: 3}
confirm: false
`

// update is one page update as the live page makes it: GET version,
// which found a new one, then GET the page.
type update struct {
	trials  int
	latency time.Duration
	bytes   int
}

// poller does what an open live page does: every second it asks for the
// version, and on a change fetches the page.
type poller struct {
	base    string
	mu      sync.Mutex
	updates []update
	last    string
}

// poll asks once; it returns the update it made, if any.
func (p *poller) poll() (update, bool, error) {
	start := time.Now()
	v, err := fetch(p.base + "version")
	if err != nil || v == p.last {
		return update{}, false, err
	}
	page, err := fetch(p.base)
	if err != nil {
		return update{}, false, err
	}
	n, _ := strconv.Atoi(strings.SplitN(v, "-", 2)[0])
	u := update{trials: n, latency: time.Since(start), bytes: len(page)}
	p.mu.Lock()
	p.last = v
	p.updates = append(p.updates, u)
	p.mu.Unlock()
	return u, true, nil
}

func fetch(u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return string(b), err
}

// startServe starts `sweep serve` as a process and returns its address
// and the process, stopped when the test ends.
func startServe(t *testing.T, bin string, args ...string) (string, *os.Process) {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`on (http://\S+)`).FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("sweep serve printed %q: %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return m[1], cmd.Process
}

// cpu is a process's user and system time so far.
func cpu(t *testing.T, p *os.Process) time.Duration {
	comm, _, cpu, _ := processCPU(strconv.Itoa(p.Pid))
	if comm == "" {
		t.Fatalf("no process %d", p.Pid)
	}
	return cpu
}

// rounds are the sweeps run alone and with a live page open, in turn.
type rounds struct {
	alone, watched []measured
	serveCPU       time.Duration // sweep serve's during the watched runs
	during         []update      // the page's updates during them
	url            string        // the last watched study's database
	page           *poller       // polling it
}

// watch runs the sweep alone and with a live page open, in turn, three
// times, each in a fresh database.
func watch(t *testing.T, bin, spec string, pg *pgtest.Server) (r rounds) {
	for round := range 3 {
		r.alone = append(r.alone, run(t, bin, "run", "--workers", "2", "--storage", pg.URL(fmt.Sprint("alone", round)), spec))
		r.url = pg.URL(fmt.Sprint("watched", round))
		base, proc := startServe(t, bin, "--storage", r.url, "served")
		r.page = &poller{base: base}
		stop, polled := make(chan struct{}), make(chan struct{})
		cpu0 := cpu(t, proc)
		go func() {
			defer close(polled)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					if _, _, err := r.page.poll(); err != nil {
						t.Error(err)
					}
				}
			}
		}()
		r.watched = append(r.watched, run(t, bin, "run", "--workers", "2", "--storage", r.url, spec))
		close(stop)
		<-polled
		r.serveCPU += cpu(t, proc) - cpu0
		r.during = append(r.during, r.page.updates...)
	}
	return r
}

// appended measures page updates of a finished study, the machine
// otherwise quiet: a trial appended, then the page's next poll, n times.
func appended(t *testing.T, r rounds, n int) (sorted []time.Duration, last update) {
	time.Sleep(300 * time.Millisecond)
	if _, _, err := r.page.poll(); err != nil {
		t.Fatal(err)
	}
	st, err := pgstore.Open(context.Background(), r.url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	studyID, err := st.GetStudyIDFromName("served")
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.GetAllTrials(studyID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := pgtest.CopyTrial(st, studyID, all[len(all)-1-i]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // past the server's MinInterval
		u, ok, err := r.page.poll()
		if err != nil || !ok {
			t.Fatalf("update %d: the version did not change (%v)", i, err)
		}
		sorted, last = append(sorted, u.latency), u
	}
	slices.Sort(sorted)
	return sorted, last
}

// TestServeLargeStudy measures `sweep serve` on a 1,000-trial study in
// PostgreSQL: how long a page update takes, during the sweep and after
// it, and whether an open page slows the workers.
func TestServeLargeStudy(t *testing.T) {
	if os.Getenv("SWEEP_BENCH") == "" {
		t.Skip("a benchmark: make bench-sweeps")
	}
	bin, err := filepath.Abs("../../bin/sweep")
	if err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(t.TempDir(), "served.yaml")
	os.WriteFile(spec, []byte(served), 0o644)
	r := watch(t, bin, spec, pgtest.Start(t))
	after, last := appended(t, r, 20)

	fmt.Printf("\nsweep serve on a 1,000-trial PostgreSQL study, one run, %s\n\n", time.Now().UTC().Format("2006-01-02"))
	var ratios []float64
	var workersCPU time.Duration
	for i := range r.alone {
		fmt.Printf("workers alone                    %v\n", r.alone[i])
		fmt.Printf("workers, a live page open        %v\n", r.watched[i])
		ratios = append(ratios, r.watched[i].wall.Seconds()/r.alone[i].wall.Seconds())
		workersCPU += r.watched[i].user + r.watched[i].sys
	}
	fmt.Printf("  watched ÷ alone, in turn        %.3f\n", ratios)
	fmt.Printf("  sweep serve's CPU meanwhile     %.2f s (%.1f%% of the workers' %.2f s)\n",
		r.serveCPU.Seconds(), 100*r.serveCPU.Seconds()/workersCPU.Seconds(), workersCPU.Seconds())
	fmt.Printf("page updates during the sweep (trials: GET version + GET page):")
	for _, u := range r.during {
		fmt.Printf(" %d: %.0f ms;", u.trials, 1000*u.latency.Seconds())
	}
	fmt.Printf("\npage updates of the finished study (%d trials, page %.2f MB), 20 trials appended one by one:\n",
		last.trials, float64(last.bytes)/1e6)
	fmt.Printf("  median %.0f ms, slowest %.0f ms\n", 1000*after[len(after)/2].Seconds(), 1000*after[len(after)-1].Seconds())
}
