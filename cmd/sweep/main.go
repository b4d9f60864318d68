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
// Run "sweep COMMAND -h" for a command's flags. Exit status: 0 on success,
// 1 when training or a sweep fails, 2 on bad flags, specs or input data,
// 130 when interrupted (a sweep resumes where it stopped).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/sweepml/sweep/internal/linalg"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitSignal  = 130
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

const usage = `sweep trains shallow neural networks on MNIST and sweeps their hyperparameters.

Usage:

	sweep train [flags]      train one network and print one line per epoch
	sweep run [flags] SPEC   run (or resume) the sweep a YAML spec describes
	sweep plan SPEC          check a spec and show what it would run
	sweep report [DIR]       rank a sweep's trials and say which hyperparameters work best
	sweep replay DIR --trial N   train a recorded trial again and compare, epoch by epoch
	sweep serve [DIR]        serve live report pages of sweeps (read-only, 127.0.0.1:8080)
	sweep data export DIR    write the embedded MNIST's four IDX files (gzip) into DIR
	sweep data split FILE    write sweep train's training and validation rows to FILE (JSON)

Run "sweep COMMAND -h" for a command's flags.
`

func run(ctx context.Context, stop <-chan struct{}, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "train":
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		return cmdTrain(ctx, args[1:], stdout, stderr)
	case "run":
		return cmdRun(ctx, stop, args[1:], stdout, stderr)
	case "plan":
		return cmdPlan(args[1:], stdout, stderr)
	case "report":
		return cmdReport(args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(ctx, args[1:], stdout, stderr)
	case "serve":
		return cmdServe(ctx, stop, args[1:], stdout, stderr)
	case "data":
		return cmdData(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "sweep: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
