package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/sweepml/sweep/pgstore"
	"github.com/sweepml/sweep/study"
	"github.com/sweepml/sweep/sweep"
)

// A subcommand is one of sweep's commands, in the manner of cmd/go's: its
// name, usage line, help, flags and what runs it. The usage of sweep and
// of each command, and `sweep help CMD`, are made from this table.
type subcommand struct {
	Name      string
	UsageLine string // after "sweep ", e.g. "run [flags] SPEC"
	Short     string // a line in sweep's usage
	Long      string // the help, after the usage line
	// Flags declares the command's flags on fs and returns what runs the
	// command once they are parsed.
	Flags func(fs *flag.FlagSet) func(ctx context.Context, c *call) error
}

// commands lists the subcommands in the order sweep's usage gives them.
func commands() []*subcommand {
	return []*subcommand{trainCmd, runCmd, planCmd, reportCmd, replayCmd, serveCmd, dataCmd}
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitSignal  = 130
)

// call is one invocation of a command: its flag set, arguments and
// streams.
type call struct {
	cmd            *subcommand
	fs             *flag.FlagSet
	args           []string
	stdout, stderr io.Writer
	stop           <-chan struct{} // closed by the first Ctrl-C
}

// newFlagSet is a command's flag set, its usage the command's help.
func newFlagSet(cmd *subcommand, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sweep "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: sweep %s\n\n%s\n", cmd.UsageLine, cmd.Long)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// usage is sweep's own usage, made from the table.
func usage() string {
	var b strings.Builder
	b.WriteString("sweep trains shallow neural networks on MNIST and sweeps their hyperparameters.\n\nUsage:\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, cmd := range commands() {
		fmt.Fprintf(tw, "\tsweep %s\t%s\n", cmd.UsageLine, cmd.Short)
	}
	tw.Flush()
	b.WriteString("\nRun \"sweep help COMMAND\" (or \"sweep COMMAND -h\") for a command's flags.\n")
	return b.String()
}

// run runs the command args name and returns the exit status.
func run(ctx context.Context, stop <-chan struct{}, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdout, stderr)
	}
	for _, cmd := range commands() {
		if cmd.Name == args[0] {
			c := &call{cmd: cmd, fs: newFlagSet(cmd, stderr), args: args[1:], stdout: stdout, stderr: stderr, stop: stop}
			runner := cmd.Flags(c.fs)
			return c.exit(runner(ctx, c))
		}
	}
	fmt.Fprintf(stderr, "sweep: unknown command %q\n\n%s", args[0], usage())
	return exitUsage
}

// help writes sweep's usage, or a command's help with its flags.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage())
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.Name == args[0] && len(args) == 1 {
			fs := newFlagSet(cmd, stdout)
			cmd.Flags(fs)
			fs.Usage()
			return exitOK
		}
	}
	fmt.Fprintf(stderr, "sweep help: unknown command %q\n\n%s", strings.Join(args, " "), usage())
	return exitUsage
}

// exit writes a command's error, "sweep NAME: …", unless it was written
// already, and returns its exit status.
func (c *call) exit(err error) int {
	var shown exited
	if errors.As(err, &shown) {
		return int(shown)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.fs.Name(), err)
	}
	return exitStatus(err)
}

// exitStatus is the exit status of the error a command ends with, the
// same for the same cause in every command: 0 for none; 2 for what it was
// given (flags, arguments, a spec, data, a connection string, a results
// directory); 130 when interrupted; 1 for what went wrong while running (a
// server that cannot be reached, a disk that fails, training that
// diverged).
func exitStatus(err error) int {
	var (
		shown exited
		use   *usageError
		spec  *study.SpecError
		input *sweep.InputError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &shown):
		return int(shown)
	case errors.Is(err, errInterrupted):
		return exitSignal
	case errors.As(err, &use), errors.As(err, &spec), errors.As(err, &input), errors.Is(err, pgstore.ErrConnString), errors.Is(err, fs.ErrNotExist):
		return exitUsage
	}
	return exitFailure
}

// exited is the end of a command whose messages are written: only its
// exit status is left to give.
type exited int

func (e exited) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is an error in what a command was given: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// badUsage marks err as one of what the command was given.
func badUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// errInterrupted ends a command that Ctrl-C or SIGTERM stopped: exit
// status 130.
var errInterrupted = errors.New("interrupted")

// parse parses the flags, given before, between and after the arguments
// (users type both orders; "--" ends the flags), and returns the
// arguments. -h ends the command with status 0, a bad flag with 2 (the
// flag package has written why).
func (c *call) parse() ([]string, error) {
	var positional []string
	args := c.args
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exited(exitOK)
			}
			return nil, exited(exitUsage)
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// wrong writes what is wrong with the arguments, then the usage: exit
// status 2.
func (c *call) wrong(format string, args ...any) error {
	fmt.Fprintf(c.stderr, "%s: %s\n", c.fs.Name(), fmt.Sprintf(format, args...))
	c.fs.Usage()
	return exited(exitUsage)
}

// one parses the flags and exactly one argument, what it is named.
func (c *call) one(what string) (string, error) {
	positional, err := c.parse()
	if err != nil {
		return "", err
	}
	if len(positional) != 1 {
		return "", c.wrong("want one %s, got %d arguments", what, len(positional))
	}
	return positional[0], nil
}

// none parses the flags of a command that takes no argument.
func (c *call) none() error {
	positional, err := c.parse()
	if err == nil && len(positional) > 0 {
		err = c.wrong("unexpected argument %q", positional[0])
	}
	return err
}

// dir parses the flags and at most one results directory ("" for none);
// required, exactly one.
func (c *call) dir(required bool) (string, error) {
	positional, err := c.parse()
	switch {
	case err != nil:
		return "", err
	case len(positional) > 1:
		fmt.Fprintf(c.stderr, "%s: unexpected argument %q\n", c.fs.Name(), positional[1])
		return "", exited(exitUsage)
	case len(positional) == 0 && required:
		return "", c.wrong("want a sweep's results directory, e.g. results/lr_sizes")
	case len(positional) == 0:
		return "", nil
	}
	return positional[0], nil
}
