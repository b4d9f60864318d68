package command

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A run's program is started by a supervisor: this same executable,
// started again with supervisorEnv set, which makes itself the child
// subreaper of what it starts (prctl PR_SET_CHILD_SUBREAPER). Every
// process the program starts stays below it — one whose parent exits,
// a daemon that double-forks or calls setsid, is handed to the supervisor
// rather than to init — so that when the program exits, or the run is
// stopped, the supervisor finds them all in /proc and kills them. Each
// also carries the run's token in its environment (tokenEnv): a process
// that left the tree with it (through a daemon of its own) is found by it.
//
// The supervisor dies with the sweep: it gets SIGTERM when the sweep does
// (kill -9 included, by the parent-death signal), and then kills what is
// below it as on a stop.
const (
	supervisorEnv = "SWEEP_SUPERVISOR" // grace in nanoseconds: between SIGTERM and SIGKILL
	tokenEnv      = "SWEEP_RUN_TOKEN"
	// exitGrace is how long what the program started may go on once it
	// has exited, to finish its output, before it is stopped.
	exitGrace = time.Second
)

func init() {
	if v, ok := os.LookupEnv(supervisorEnv); ok && len(os.Args) > 1 {
		grace, _ := strconv.ParseInt(v, 10, 64)
		os.Exit(supervise(os.Args[1:], time.Duration(grace)))
	}
}

// supervised is how the sweep starts argv (its program resolved to a
// path): its supervisor, with the run's token.
func supervised(argv []string, grace time.Duration, token string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this executable to supervise %s: %w", argv[0], err)
	}
	cmd := exec.Command(self, argv...)
	cmd.Env = append(os.Environ(), supervisorEnv+"="+strconv.FormatInt(int64(grace), 10), tokenEnv+"="+token)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	return cmd, nil
}

// supervise runs the program and returns its exit status once nothing it
// started is left. SIGTERM (a stop) goes to every process below; those
// still there after grace are killed.
func supervise(argv []string, grace time.Duration) int {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	token := os.Getenv(tokenEnv)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, supervisorEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Args[0] = filepath.Base(argv[0])
	cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdout, os.Stderr, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "starting %s: %v\n", argv[0], err)
		return 127
	}
	// Reap every child, the program and whatever is handed down; the
	// program's status is kept.
	pid := cmd.Process.Pid
	exited := make(chan syscall.WaitStatus, 1)
	go func() {
		for {
			var ws syscall.WaitStatus
			p, err := syscall.Wait4(-1, &ws, 0, nil)
			if err == syscall.EINTR {
				continue
			}
			if err != nil { // no child left
				return
			}
			if p == pid {
				exited <- ws
			}
		}
	}()
	var status syscall.WaitStatus
	select {
	case status = <-exited:
		if len(below(token)) > 0 { // what it started may finish its output, briefly
			waitGone(token, exitGrace, stop)
			terminate(token, grace)
		}
	case <-stop:
		terminate(token, grace)
		status = <-exited
	}
	if status.Signaled() {
		signal.Reset()
		syscall.Kill(os.Getpid(), status.Signal())
		time.Sleep(time.Second)
	}
	return status.ExitStatus()
}

// terminate sends SIGTERM to every process below, then SIGKILL after grace
// to those left, until none is.
func terminate(token string, grace time.Duration) {
	if signalAll(token, syscall.SIGTERM) == 0 {
		return
	}
	waitGone(token, grace, nil)
	for range 100 {
		if signalAll(token, syscall.SIGKILL) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits up to d for every process below to exit; a signal on
// stop ends the wait early.
func waitGone(token string, d time.Duration, stop chan os.Signal) {
	deadline := time.Now().Add(d)
	for len(below(token)) > 0 && time.Now().Before(deadline) {
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// signalAll sends sig to every live process below, and returns how many.
func signalAll(token string, sig syscall.Signal) int {
	pids := below(token)
	for _, p := range pids {
		syscall.Kill(p, sig)
	}
	return len(pids)
}

// below lists the live processes below this one — descendants, and any
// process that carries the run's token — zombies aside.
func below(token string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	parent := map[int]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == self {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		parent[p], _ = strconv.Atoi(f[1])
	}
	var out []int
	for p := range parent {
		in := false
		for q, n := p, 0; q > 1 && n < 1000 && !in; q, n = parent[q], n+1 {
			in = parent[q] == self
		}
		if in || token != "" && parent[p] != 2 && hasToken(strconv.Itoa(p), token) { // 2: kthreadd's, no environment
			out = append(out, p)
		}
	}
	return out
}

// hasToken reports whether process pid's environment holds the token.
func hasToken(pid, token string) bool {
	env, err := os.ReadFile("/proc/" + pid + "/environ")
	if err != nil {
		return false
	}
	return bytes.Contains(env, []byte("\x00"+tokenEnv+"="+token+"\x00")) || bytes.HasPrefix(env, []byte(tokenEnv+"="+token+"\x00"))
}
