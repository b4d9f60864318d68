package command

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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
}

// Run runs the command for one run of a trial and reports each epoch it
// prints. It returns report's error (study.ErrPruned when pruned) once
// the process group is gone, the context's error wrapped when it ended
// first, or an error naming the exit status and the end of stderr.
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
	argv := Expand(o.Argv, run)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), Env(run, dir)...)
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = grace // stderr left open by an escaped grandchild is closed after this
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr := &tail{max: maxLog}
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", argv[0], err)
	}
	g := &group{pid: cmd.Process.Pid, grace: grace, done: make(chan struct{})}
	defer g.kill() // whatever it left behind
	go func() {
		select {
		case <-ctx.Done():
			g.stop()
		case <-g.done:
		}
	}()

	out := &tail{max: maxLog}
	var stopped error // report's error
	r := bufio.NewReaderSize(stdout, 64<<10)
	for {
		line, err := readLine(r)
		out.Write(line)
		if e, ok := parseLine(line); ok && stopped == nil {
			e.Seconds = time.Since(start).Seconds()
			if stopped = report(e); stopped != nil {
				g.stop()
			}
		}
		if err != nil {
			break
		}
	}
	waitErr := cmd.Wait()
	close(g.done)
	writeLogs(dir, run.Repeat, out, stderr)
	switch {
	case stopped != nil:
		return stopped
	case ctx.Err() != nil:
		return fmt.Errorf("%s stopped: %w", argv[0], ctx.Err())
	case waitErr != nil:
		return fmt.Errorf("%s: %v%s", argv[0], waitErr, stderr.last(5))
	}
	return nil
}

// readLine reads one line, at most maxLine bytes of it (the rest is
// skipped), with its newline; err is set at the end of the stream.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line) < maxLine {
			line = append(line, chunk[:min(len(chunk), maxLine-len(line))]...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// group is the command's process group, stopped once: SIGTERM, then
// SIGKILL after the grace period unless the command has ended.
type group struct {
	pid   int
	grace time.Duration
	once  sync.Once
	done  chan struct{} // closed when the command has been waited for
}

func (g *group) stop() {
	g.once.Do(func() {
		signalGroup(g.pid, syscall.SIGTERM)
		go func() {
			select {
			case <-time.After(g.grace):
				signalGroup(g.pid, syscall.SIGKILL)
			case <-g.done:
			}
		}()
	})
}

// kill ends whatever is left of the group.
func (g *group) kill() { signalGroup(g.pid, syscall.SIGKILL) }

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
