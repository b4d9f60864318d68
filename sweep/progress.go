package sweep

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sweepml/sweep/study"
)

// progress reports a running sweep: on a terminal one status line redrawn
// in place (runs done/total, running, pruned, failed, best so far, time
// left); otherwise one line per finished run. Workers call it
// concurrently.
type progress struct {
	mu                     sync.Mutex
	w                      io.Writer
	live                   bool
	spec                   *study.Spec
	total, done, doneFirst int
	running, pruned, fail  int
	best                   float64
	bestTrial              int
	start                  time.Time
}

func newProgress(w io.Writer, live bool, spec *study.Spec, runs int, trials []study.Trial) *progress {
	p := &progress{w: w, live: live, spec: spec, total: runs, bestTrial: -1, start: time.Now()}
	for _, t := range trials {
		switch t.State {
		case study.Complete, study.Pruned:
			p.done += len(t.Seeds)
			if t.State == study.Pruned {
				p.pruned++
			}
			p.consider(t.Number, t.Value)
		case study.Failed:
			p.done += len(t.Seeds)
			p.fail++
		}
	}
	p.doneFirst = p.done
	return p
}

func (p *progress) consider(number int, v float64) {
	if p.bestTrial < 0 || p.spec.Metric.Better(v, p.best) {
		p.best, p.bestTrial = v, number
	}
}

// grow sets the number of runs in all, once the final stage is planned.
func (p *progress) grow(runs int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = runs
}

func (p *progress) started() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	p.redraw()
}

func (p *progress) finishedRun(number, repeat int, o outcome) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
	if o.end == runInterrupted {
		return
	}
	if o.end == runAbandoned {
		if !p.live {
			fmt.Fprintf(p.w, "trial %d run %d: taken over by another worker; abandoned\n", number, repeat+1)
		}
		return
	}
	p.done++
	spec := p.spec
	state, detail := study.Complete, ""
	switch o.end {
	case runFailed:
		state, detail = study.Failed, ": "+o.err.Error()
		p.fail++
	case runPruned:
		state = study.Pruned
		p.pruned++
	}
	if v, ok := spec.Metric.Last(o.epochs); o.end != runFailed && ok {
		p.consider(number, v)
		detail = fmt.Sprintf(": %s %s after %d epochs", spec.Metric, spec.Metric.Format(v), len(o.epochs))
	} else if o.end != runFailed {
		detail = fmt.Sprintf(": %d reports", len(o.epochs))
	}
	if !p.live {
		run := ""
		if o.stage != study.SearchStage {
			run = " (" + string(o.stage) + ")"
		}
		if o.runs > 1 {
			run += fmt.Sprintf(" run %d/%d", repeat+1, o.runs)
		}
		fmt.Fprintf(p.w, "trial %d%s %s%s (%.1fs)\n", number, run, state, detail, o.seconds)
		return
	}
	p.redraw()
}

func (p *progress) redraw() {
	if !p.live {
		return
	}
	const width = 24
	filled := width * p.done / max(p.total, 1)
	line := fmt.Sprintf("[%s%s] %d/%d done, %d running, %d pruned, %d failed",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), p.done, p.total, p.running, p.pruned, p.fail)
	if p.bestTrial >= 0 {
		line += fmt.Sprintf(", best %.4f (trial %d)", p.best, p.bestTrial)
	}
	if n := p.done - p.doneFirst; n > 0 && p.done < p.total {
		left := time.Duration(float64(time.Since(p.start)) / float64(n) * float64(p.total-p.done))
		line += ", " + left.Round(time.Second).String() + " left"
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// end ends the status line.
func (p *progress) end() {
	if p == nil || p.w == nil || !p.live {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w)
}
