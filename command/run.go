package command

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sweepml/sweep/internal/lineio"
	"github.com/sweepml/sweep/record"
	"github.com/sweepml/sweep/study"
)

// Defaults of Objective's settings.
const (
	DefaultGrace  = 5 * time.Second
	DefaultMaxLog = 1 << 20
	maxLine       = 1 << 20 // a longer stdout line is log, truncated
)

// Objective runs a command per run of a trial (see the package's
// documentation).
type Objective struct {
	Argv   []string      // the program and its arguments, with placeholders
	Dir    string        // the sweep's results directory: logs in Dir/trials/<number>/
	Grace  time.Duration // between SIGTERM and SIGKILL; 0 means DefaultGrace
	MaxLog int           // bytes of each stream kept; 0 means DefaultMaxLog
	// WorkDir is the program's working directory; "" is the sweep's.
	WorkDir string
	// Program is W&B's program:, for ${program}; Paths the places of
	// nested parameters (study.Parameter.Path) by name.
	Program string
	Paths   map[string][]string
	// Sweep, when set, names the sweep in W&B's variables (WANDB_SWEEP_ID,
	// WANDB_RUN_ID); ModuleDir, when set, holds this tool's wandb module,
	// put first on the program's PYTHONPATH.
	Sweep, ModuleDir string

	module    sync.Once
	moduleErr error
}

// Run runs the command for one run of a trial and reports each report it
// prints. It returns report's error (study.ErrPruned when pruned) once
// the program and all it started are gone, the context's error wrapped
// when it ended first, or an error naming the exit status and the end of
// stderr. The run ends when the program exits: what it started gets a
// moment for its output (exitGrace), then is stopped, pipes it holds open
// or not.
func (o *Objective) Run(ctx context.Context, run study.TrialRun, report func(study.Epoch) error) error {
	grace, maxLog := o.Grace, o.MaxLog
	if grace <= 0 {
		grace = DefaultGrace
	}
	if maxLog <= 0 {
		maxLog = DefaultMaxLog
	}
	dir := TrialDir(o.Dir, run.Number)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if o.module.Do(func() { o.moduleErr = o.WriteModule() }); o.moduleErr != nil {
		return o.moduleErr
	}
	argv, env, err := o.prepare(run, dir)
	if err != nil {
		return err
	}
	p, err := o.start(argv, env, grace, newToken(run))
	if err != nil {
		return err
	}
	defer p.g.kill() // a supervisor that did not end
	go func() {
		select {
		case <-ctx.Done():
			p.g.stop()
		case <-p.g.done:
		}
	}()
	stderr, out := &tail{max: maxLog}, &tail{max: maxLog}
	waitErr := p.collect(stderr, func() error { return o.read(p.stdout, out, p.started, report, p.g) })
	writeLogs(dir, run.Repeat, out, stderr)
	switch {
	case p.stopped != nil:
		return p.stopped
	case ctx.Err() != nil:
		return fmt.Errorf("%s stopped: %w", argv[0], ctx.Err())
	case waitErr != nil:
		return fmt.Errorf("%s: %v%s", argv[0], waitErr, stderr.last(5))
	}
	return nil
}

// process is a run's supervised program, started, with the read ends of
// its output.
type process struct {
	cmd            *exec.Cmd
	g              *group
	stdout, stderr *os.File
	started        time.Time
	stopped        error // report's error, once read
}

// start starts argv's program under its supervisor, its output in pipes.
func (o *Objective) start(argv, env []string, grace time.Duration, token string) (*process, error) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	cmd, err := supervised(append([]string{path}, argv[1:]...), grace, token)
	if err != nil {
		return nil, err
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = o.WorkDir
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	p := &process{cmd: cmd, stdout: outR, stderr: errR, started: time.Now()}
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	p.g = &group{pid: cmd.Process.Pid, grace: grace + exitGrace + 2*time.Second, done: make(chan struct{})}
	return p, nil
}

// collect reads the process's output to its end — stdout with read,
// stderr into stderr — and waits for it, returning its exit error. Pipes
// still held open a moment after the supervisor exits (by a process that
// escaped it) are closed.
func (p *process) collect(stderr io.Writer, read func() error) error {
	errDone, outDone := make(chan struct{}), make(chan struct{})
	go func() { io.Copy(stderr, p.stderr); close(errDone) }()
	var waitErr error
	go func() {
		waitErr = p.cmd.Wait()
		close(p.g.done)
		for _, pipe := range []struct {
			done chan struct{}
			f    *os.File
		}{{outDone, p.stdout}, {errDone, p.stderr}} {
			select {
			case <-pipe.done:
			case <-time.After(exitGrace):
				pipe.f.Close()
			}
		}
	}()
	p.stopped = read()
	close(outDone)
	<-p.g.done
	<-errDone
	p.stdout.Close()
	p.stderr.Close()
	return waitErr
}

// read reads the program's stdout to its end, keeping it in out and
// passing each report on; it returns report's first error, having
// stopped the run (g) then.
func (o *Objective) read(r io.Reader, out *tail, start time.Time, report func(study.Epoch) error, g *group) error {
	var stopped error
	n := 0 // reports
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, _, err := lineio.ReadLine(br, maxLine) // a longer line's rest is skipped
		out.Write(line)
		if rep, ok := parseLine(line); ok && stopped == nil {
			for _, p := range rep.problems {
				fmt.Fprintf(out, "[sweep] report %d: %s\n", n+1, p)
			}
			if n == record.MaxReports {
				fmt.Fprintf(out, "[sweep] more than %d reports: this one and those after it not recorded\n", record.MaxReports)
				n++
			} else if n < record.MaxReports {
				n++
				if v, ok := rep.metrics["epoch"]; ok && v == float64(n) {
					delete(rep.metrics, "epoch") // the record's own number
				}
				e := study.Epoch{Epoch: n, Metrics: rep.metrics, Seconds: time.Since(start).Seconds()}
				for _, name := range clockFields { // the program's own clock: the record's time
					if v, ok := rep.metrics[name]; ok {
						if name != "_timestamp" {
							e.Seconds = v
						}
						delete(rep.metrics, name)
					}
				}
				if stopped = report(e); stopped != nil {
					g.stop()
				}
			}
		}
		if err != nil {
			return stopped
		}
	}
}

// clockFields are a report's figures that read a clock: what differs
// from one run to the next. None is a figure: the time since the run
// began (W&B's _runtime, or seconds) is the record's Seconds, which
// comparisons of runs leave out; a timestamp is dropped.
var clockFields = []string{"_timestamp", "_runtime", "seconds"}

// tokens numbers the runs of this process, for their tokens.
var tokens atomic.Int64

// newToken is a run's token: unique on this machine while the run lasts.
func newToken(run study.TrialRun) string {
	return fmt.Sprintf("%d.%d.%d.%d", os.Getpid(), run.Number, run.Repeat, tokens.Add(1))
}

// group is a run's supervisor, stopped once: SIGTERM (which it passes on
// to all below it, killing them after its grace), then SIGKILL should it
// still be there long after.
type group struct {
	pid   int
	grace time.Duration
	once  sync.Once
	done  chan struct{} // closed when the command has been waited for
}

func (g *group) stop() {
	g.once.Do(func() {
		signalRun(g.pid, syscall.SIGTERM)
		go func() {
			select {
			case <-time.After(g.grace):
				signalRun(g.pid, syscall.SIGKILL)
			case <-g.done:
			}
		}()
	})
}

// kill ends the supervisor if it is still there.
func (g *group) kill() {
	select {
	case <-g.done:
	default:
		signalRun(g.pid, syscall.SIGKILL)
	}
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped int64
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > t.max { // compacted now and then, not at every write
		t.dropped += int64(over)
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// kept is what the tail holds: its last max bytes (t.mu held).
func (t *tail) kept() ([]byte, int64) {
	over := max(len(t.buf)-t.max, 0)
	return t.buf[over:], t.dropped + int64(over)
}

// last is the last n lines, as the end of an error message.
func (t *tail) last(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept, _ := t.kept()
	lines := strings.Split(strings.TrimRight(string(kept), "\n"), "\n")
	lines = lines[max(len(lines)-n, 0):]
	if len(lines) == 0 || lines[0] == "" {
		return ""
	}
	return ": " + strings.Join(lines, " | ")
}

func (t *tail) WriteTo(w io.Writer) (int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept, dropped := t.kept()
	var head int64
	if dropped > 0 {
		n, _ := fmt.Fprintf(w, "[… %d earlier bytes dropped]\n", dropped)
		head = int64(n)
	}
	n, err := io.Copy(w, bytes.NewReader(kept))
	return head + n, err
}

// TrialDir is where a command trial's files are kept in a sweep's
// directory: its working directory and its logs.
func TrialDir(sweepDir string, number int) string {
	return filepath.Join(sweepDir, "trials", strconv.Itoa(number))
}

// LogFile is the kept output (stream "stdout" or "stderr") of one run of
// a command trial.
func LogFile(sweepDir string, number, repeat int, stream string) string {
	return logPath(TrialDir(sweepDir, number), repeat, stream)
}

// LogTail reads the end of a run's log as kept under sweepDir: its last
// max bytes (max ≤ 0: all of it; writeLogs keeps at most a run's last
// output). A run without that log has "".
func LogTail(sweepDir string, number, repeat int, stream string, max int64) (string, error) {
	f, err := os.Open(LogFile(sweepDir, number, repeat, stream))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && max > 0 && st.Size() > max {
		if _, err := f.Seek(st.Size()-max, io.SeekStart); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(f)
	return string(b), err
}

func logPath(trialDir string, repeat int, stream string) string {
	return filepath.Join(trialDir, fmt.Sprintf("run%d.%s", repeat, stream))
}

// writeLogs keeps a run's output beside its trial.
func writeLogs(dir string, repeat int, out, errOut *tail) {
	for ext, t := range map[string]*tail{"stdout": out, "stderr": errOut} {
		if f, err := os.Create(logPath(dir, repeat, ext)); err == nil {
			t.WriteTo(f)
			f.Close()
		}
	}
}
