// Command sweep trains shallow neural networks on MNIST and runs
// hyperparameter sweeps over them.
//
// Usage:
//
//	sweep train [flags]   train one network, one line per epoch
//
// Run "sweep train -h" for the flags. Exit status: 0 on success, 1 when
// training fails (for example diverges), 2 on bad flags or bad input data.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `sweep trains shallow neural networks on MNIST and sweeps their hyperparameters.

Usage:

	sweep train [flags]   train one network and print one line per epoch

Run "sweep COMMAND -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "train":
		return cmdTrain(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "sweep: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
