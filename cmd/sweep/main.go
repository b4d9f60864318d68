// Command sweep trains shallow neural networks on MNIST and runs
// hyperparameter sweeps over them.
//
// Usage:
//
//	sweep train [flags]        train one network, one line per epoch
//	sweep run [flags] SPEC     run (or resume) the sweep a YAML spec describes
//	sweep plan SPEC            check a spec and show what it would run
//	sweep report [DIR]         rank a sweep's trials, say which hyperparameters work best
//	sweep replay DIR --trial N train a recorded trial again and compare with the record
//	sweep serve [DIR]          a live web view of sweeps while they run
//	sweep data export DIR      write the embedded MNIST's four files into DIR
//	sweep data split FILE      write sweep train's training/validation rows as JSON
//
// Run "sweep help COMMAND" for a command's flags; commands.go holds the
// table the usage is made from and maps errors to exit statuses: 0 on success,
// 1 when training or a sweep fails, 2 on bad flags, specs or input data,
// 130 when interrupted (a sweep resumes where it stopped).
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/sweepml/sweep/internal/linalg"
)

// gcPercent is the heap growth, in percent of the live heap, that starts
// a garbage collection (GOGC; Go's default is 100). sweep's heap is almost
// all float buffers, which hold no pointers and cost a collection nothing
// to scan; collecting at half the default growth leaves the time of a
// sweep as it was and lowers its peak memory by a fifth
// (docs/performance.md). GOGC in the environment overrides it.
const gcPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	linalg.ReserveSpareProcs()
	// The first Ctrl-C closes stop (a sweep starts no new trials and lets
	// running ones finish; training stops); the second cancels everything.
	// SIGTERM — a scheduler's cancel or preemption, which SIGKILL follows —
	// cancels everything at once: a shared study's other workers take the
	// running trials over.
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for n := 0; ; n++ {
			sig := <-signals
			if n == 0 {
				close(stop)
			}
			if n > 0 || sig == syscall.SIGTERM {
				cancel()
			}
		}
	}()
	os.Exit(run(ctx, stop, os.Args[1:], os.Stdout, os.Stderr))
}
