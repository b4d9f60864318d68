// Package sweeps measures whole jobs end to end, as a user runs them: the
// main job, configs/lr_sizes.yaml with 1 and 2 workers, and a study of
// 1,000 tiny trials kept locally and in PostgreSQL (with the server on
// the sweep's cores, then on a core of its own); and sweep serve on a
// 1,000-trial PostgreSQL study (serve_test.go). It is a benchmark,
// not a test: `make bench-sweeps` runs it (SWEEP_BENCH=1) and prints one
// table of ratios measured in one run; plain `go test` skips it.
package sweeps

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sweepml/sweep/internal/pgtest"
	"github.com/sweepml/sweep/journal"
	"github.com/sweepml/sweep/recipe"
	"github.com/sweepml/sweep/study"
)

// measured is one process's cost.
type measured struct {
	wall, user, sys time.Duration
	rssMB           float64       // peak resident memory (the kernel's)
	fileMB          float64       // of it, pages mapped from files: the binary's, most of them
	idle            time.Duration // the machine's cores idle meanwhile, together (/proc/stat)
	out             string
}

func (m measured) String() string {
	return fmt.Sprintf("%6.2f s wall  %6.2f s user  %5.2f s sys  %4.0f%% CPU  %4.0f MB peak RSS (%2.0f MB of files)",
		m.wall.Seconds(), m.user.Seconds(), m.sys.Seconds(), 100*(m.user+m.sys).Seconds()/m.wall.Seconds(), m.rssMB, m.fileMB)
}

func run(t *testing.T, bin string, args ...string) measured {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	idle := idleTime()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	fileKB := make(chan int)
	go func() { fileKB <- watchFileRSS(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	close(done)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, out.String())
	}
	wall, idle := time.Since(start), idleTime()-idle
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return measured{wall: wall, user: time.Duration(ru.Utime.Nano()), sys: time.Duration(ru.Stime.Nano()),
		rssMB: float64(ru.Maxrss) / 1024, fileMB: float64(<-fileKB) / 1024, idle: idle, out: out.String()}
}

// idleTime is how long the machine's cores have been idle since it
// started, together: /proc/stat's idle and iowait, in clock ticks of
// 1/100 s (Linux's USER_HZ).
func idleTime() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait ...
	var ticks int64
	for _, field := range f[4:min(6, len(f))] {
		n, _ := strconv.ParseInt(field, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// watchFileRSS samples the process's resident file pages (RssFile) every
// 20 ms until done, and returns the most seen, in kB. The kernel maps the
// binary's pages from its page cache, where they are shared, in pieces of
// up to 2 MB: they count in the peak RSS but are not the process's own
// memory.
func watchFileRSS(pid int, done <-chan struct{}) (most int) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssFile:" {
					kb, _ := strconv.Atoi(f[1])
					most = max(most, kb)
				}
			}
		}
		select {
		case <-done:
			return most
		case <-time.After(20 * time.Millisecond):
		}
	}
}

const tiny = `name: tiny
seed: 5
data: {subset: 100, validation: 0.2}
fixed: {sizes: "784,4,10", epochs: 2, batch: 20}
method: random
parameters:
  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
budget: {trials: 1000, batch: 4}
confirm: false
`

// echo is a command sweep whose program does nothing but report: what is
// left is a command trial's overhead (start, read its output, stop).
const echo = `name: echo
seed: 5
command: [/bin/echo, '{"epoch": 1, "val_accuracy": ${lr}}']
method: random
parameters:
  lr: {distribution: uniform, min: 0, max: 1}
budget: {trials: 1000, batch: 4}
confirm: false
`

func TestWholeSweeps(t *testing.T) {
	if os.Getenv("SWEEP_BENCH") == "" {
		t.Skip("a benchmark: make bench-sweeps")
	}
	bin, err := filepath.Abs("../../bin/sweep")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatal("build bin/sweep first (make build)")
	}
	dir := t.TempDir()
	spec := "../../configs/lr_sizes.yaml"

	main := run(t, bin, "train")
	m := regexp.MustCompile(`Epoch: 30, Training Time: ([0-9.]+)s`).FindStringSubmatch(main.out)
	if m == nil {
		t.Fatalf("no epoch 30 in:\n%s", main.out)
	}
	training, _ := strconv.ParseFloat(m[1], 64)
	full := run(t, bin, "train", "--subset", "0", "--epochs", "1", "--batch", "64")

	// lr_sizes with 1 and 2 workers in turn, inTurn times: the CPU the
	// same work takes moves by 5–15% between runs on this machine. Every
	// study is compared with the first.
	var lrRuns [][2]measured
	same := true
	for i := range inTurn {
		w1, w2 := filepath.Join(dir, fmt.Sprint("w1-", i)), filepath.Join(dir, fmt.Sprint("w2-", i))
		one := run(t, bin, "run", "--workers", "1", "--results", w1, spec)
		two := run(t, bin, "run", "--workers", "2", "--results", w2, spec)
		lrRuns = append(lrRuns, [2]measured{one, two})
		first := filepath.Join(dir, "w1-0", "lr_sizes")
		same = same && identical(t, first, filepath.Join(w2, "lr_sizes")) && identical(t, first, filepath.Join(w1, "lr_sizes"))
	}

	tinySpec := filepath.Join(dir, "tiny.yaml")
	os.WriteFile(tinySpec, []byte(tiny), 0o644)
	server := pgtest.Start(t)
	// The tiny study local and shared in turn, inTurn times: a run of
	// a second moves by ±20% on this machine. First on the same cores,
	// then with the server on a core of its own, as on a machine of its
	// own, the two sweeps alike on the others.
	var tinyRuns, pinnedRuns [][2]measured
	var pgCPU []time.Duration // by round, on the same cores
	for i := range inTurn {
		local := run(t, bin, "run", "--workers", "2", "--results", filepath.Join(dir, fmt.Sprint("local", i)), tinySpec)
		pg0 := serverCPU(server.PID())
		shared := run(t, bin, "run", "--workers", "2", "--storage", server.URL(fmt.Sprint("bench", i)), tinySpec)
		pgCPU = append(pgCPU, serverCPU(server.PID())-pg0)
		server.Drop(fmt.Sprint("bench", i)) // its autovacuum would run in the next rounds
		tinyRuns = append(tinyRuns, [2]measured{local, shared})
	}
	cores := fmt.Sprintf("0-%d", runtime.NumCPU()-2)
	pinned := runtime.NumCPU() >= 2 && pin(server.PID(), runtime.NumCPU()-1)
	for i := range inTurn {
		if !pinned {
			break
		}
		local := run(t, "taskset", "-c", cores, bin, "run", "--workers", "2", "--results", filepath.Join(dir, fmt.Sprint("local-pinned", i)), tinySpec)
		shared := run(t, "taskset", "-c", cores, bin, "run", "--workers", "2", "--storage", server.URL(fmt.Sprint("pinned", i)), tinySpec)
		server.Drop(fmt.Sprint("pinned", i))
		pinnedRuns = append(pinnedRuns, [2]measured{local, shared})
	}

	echoSpec := filepath.Join(dir, "echo.yaml")
	os.WriteFile(echoSpec, []byte(echo), 0o644)
	commands := run(t, bin, "run", "--workers", "2", "--results", filepath.Join(dir, "echo"), echoSpec)

	fmt.Printf("\nWhole jobs, one run, %s\n\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Printf("main job (sweep train)           %v\n", main)
	fmt.Printf("  end to end ÷ its training time  %.2f (training %.2f s)\n", main.wall.Seconds()/training, training)
	fmt.Printf("sweep train --subset 0 (1 epoch) %v\n", full)
	mid, speedups := medianRound(lrRuns, speedUp)
	one, two := lrRuns[mid][0], lrRuns[mid][1]
	fmt.Printf("lr_sizes, 1 worker               %v\n", one)
	fmt.Printf("lr_sizes, 2 workers              %v\n", two)
	fmt.Printf("  speed-up                        %s (the two rows: the median round)\n", speedups)
	fmt.Printf("  results identical: %v, sys ÷ user %.1f%%, CPU the 2 workers took ÷ 1 worker's %s\n", same,
		100*two.sys.Seconds()/two.user.Seconds(), ratiosOf(lrRuns, cpuTwoOverOne))
	fmt.Printf("  2 workers' peak RSS             %.0f MB, %.0f MB without the files' pages\n", two.rssMB, two.rssMB-two.fileMB)
	idle := ratiosOf(lrRuns, func(r [2]measured) float64 { return r[1].idle.Seconds() })
	fmt.Printf("  cores idle, 2 workers           %.2f s of the 2 cores' %.2f s (%.2f–%.2f s over the rounds)\n",
		two.idle.Seconds(), 2*two.wall.Seconds(), slices.Min(idle), slices.Max(idle))
	mid, ratios := medianRound(tinyRuns, sharedOverLocal)
	local, shared := tinyRuns[mid][0], tinyRuns[mid][1]
	fmt.Printf("1,000 tiny trials, local         %v\n", local)
	fmt.Printf("1,000 tiny trials, PostgreSQL    %v\n", shared)
	fmt.Printf("  shared ÷ local                  %s (the two rows: the median round)\n", ratios)
	var cpu, pg, localWall time.Duration
	for i, r := range tinyRuns {
		cpu += r[1].user + r[1].sys
		pg += pgCPU[i]
		localWall += r[0].wall
	}
	cpuTotal := (cpu + pg).Seconds() / inTurn
	fmt.Printf("  PostgreSQL's own CPU meanwhile  %.2f s %v: worker and server together %.2f s on %d cores, so at best %.2f s, %.2f× local (means of the rounds)\n",
		pg.Seconds()/inTurn, pgCPU, cpuTotal, runtime.NumCPU(), cpuTotal/float64(runtime.NumCPU()), cpuTotal/float64(runtime.NumCPU())/(localWall.Seconds()/inTurn))
	if pinned {
		mid, ratios := medianRound(pinnedRuns, sharedOverLocal)
		fmt.Printf("  PostgreSQL on core %d alone, the sweeps on cores %s: local %.2f s, shared %.2f s; shared ÷ local %s\n",
			runtime.NumCPU()-1, cores, pinnedRuns[mid][0].wall.Seconds(), pinnedRuns[mid][1].wall.Seconds(), ratios)
	} else {
		fmt.Printf("  (no taskset, or one core: the server was not measured on a core of its own)\n")
	}
	fmt.Printf("1,000 command trials (echo)      %v\n", commands)
	fmt.Printf("  per command trial               %.2f ms of wall time (start, read, record), against %.2f ms per tiny built-in trial\n",
		commands.wall.Seconds(), local.wall.Seconds())
}

// inTurn is how many times the benchmark runs lr_sizes with 1 and 2
// workers, and the tiny study local and shared, in turn.
const inTurn = 3

// ratioRange is a ratio measured in each round: printed as the median and
// the range.
type ratioRange []float64

func (r ratioRange) String() string {
	s := slices.Sorted(slices.Values(r))
	return fmt.Sprintf("%.2f× (%.2f–%.2f over %d rounds in turn)", s[len(s)/2], s[0], s[len(s)-1], len(s))
}

// ratiosOf is a ratio of each round's two runs.
func ratiosOf(rounds [][2]measured, ratio func([2]measured) float64) ratioRange {
	r := make(ratioRange, len(rounds))
	for i, pair := range rounds {
		r[i] = ratio(pair)
	}
	return r
}

// medianRound returns the round whose ratio is the median, and the
// ratios.
func medianRound(rounds [][2]measured, ratio func([2]measured) float64) (int, ratioRange) {
	r := ratiosOf(rounds, ratio)
	s := slices.Sorted(slices.Values(r))
	return slices.Index(r, s[len(s)/2]), r
}

// speedUp is a round's 1-worker ÷ 2-worker wall time.
func speedUp(r [2]measured) float64 { return r[0].wall.Seconds() / r[1].wall.Seconds() }

// cpuTwoOverOne is the CPU a round's 2 workers took ÷ the 1 worker's.
func cpuTwoOverOne(r [2]measured) float64 {
	return (r[1].user + r[1].sys).Seconds() / (r[0].user + r[0].sys).Seconds()
}

// sharedOverLocal is a round's shared ÷ local wall time.
func sharedOverLocal(r [2]measured) float64 { return r[1].wall.Seconds() / r[0].wall.Seconds() }

// serverCPU is the user and system time so far of the PostgreSQL server
// whose postmaster is pid: the postmaster's own, that of the backends it
// has reaped (which the kernel adds to its children's times) and that of
// its children still running. A backend that exits keeps counting.
func serverCPU(pid int) time.Duration {
	_, _, own, reaped := processCPU(strconv.Itoa(pid))
	total := own + reaped
	procs, _ := os.ReadDir("/proc")
	for _, d := range procs {
		if _, ppid, cpu, _ := processCPU(d.Name()); ppid == pid {
			total += cpu
		}
	}
	return total
}

// pin binds the PostgreSQL server whose postmaster is pid, and its
// children (the backends it forks later inherit it), to one core; false
// if it cannot (no taskset).
func pin(pid, core int) bool {
	pids := []string{strconv.Itoa(pid)}
	procs, _ := os.ReadDir("/proc")
	for _, d := range procs {
		if _, ppid, _, _ := processCPU(d.Name()); ppid == pid {
			pids = append(pids, d.Name())
		}
	}
	for _, p := range pids {
		if exec.Command("taskset", "-a", "-p", "-c", strconv.Itoa(core), p).Run() != nil && p == pids[0] {
			return false
		}
	}
	return true
}

// processCPU is a process's name, its parent's id, its own user and system
// time so far, and that of its children that have exited and been waited
// for, from /proc/PID/stat; "" if there is no such process.
func processCPU(pid string) (comm string, ppid int, cpu, children time.Duration) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if err != nil || open < 0 || closing < open {
		return "", 0, 0, 0
	}
	f := strings.Fields(s[closing+1:]) // from the third field, state
	if len(f) < 15 {
		return "", 0, 0, 0
	}
	n := make([]int, 15)
	for i := range n {
		n[i], _ = strconv.Atoi(f[i])
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return s[open+1 : closing], n[1], time.Duration(n[11]+n[12]) * tick, time.Duration(n[13]+n[14]) * tick
}

// identical reports whether two sweeps recorded the same trials: numbers,
// parameters, states, values and every epoch's figures (times aside).
func identical(t *testing.T, a, b string) bool {
	load := func(dir string) []study.Trial {
		_, trials, err := journal.Load(dir, recipe.Table)
		if err != nil {
			t.Fatal(err)
		}
		return study.Untimed(trials)
	}
	return reflect.DeepEqual(load(a), load(b))
}
