// Package command sweeps any program: a trial's run starts a command with
// the trial's parameters in its arguments and environment, reads the
// reports it prints, and stops it — and whatever it started — when the
// pruner says so, its time is up, or it exits. Objective implements the
// engine's Objective (package sweep), so a command sweep keeps what a
// sweep of the built-in networks has: results independent of the worker
// count (for a program deterministic with its seed), resume, replay.
//
// The protocol, as W&B's and Katib's users expect it (docs/programs.md):
//
//   - Arguments: W&B's macros (${args} as --name=value for every
//     parameter in spec order, ${args_no_hyphens}, ${args_json}, …,
//     ${env}, ${interpreter}, ${program}); "${name}" inside any element is
//     one parameter's value, "${seed}" the run's seed, "${trial}" the
//     trial's number. Values are written as Python's str() writes them.
//     The command is run directly, never through a shell.
//   - Environment: SWEEP_PARAM_<NAME> per parameter, SWEEP_CONFIG (all of
//     them as JSON), SWEEP_SEED, SWEEP_TRIAL, SWEEP_TRIAL_DIR, SWEEP_TEST=1
//     for a final-stage run, and W&B's WANDB_SWEEP_ID and WANDB_RUN_ID for a
//     W&B spec. Standard input is empty.
//   - Reports: every stdout line that is a JSON object with an integer
//     "epoch", "step" or "_step" and another number is a report; every
//     finite number on it is recorded under its own name (record.Epoch's
//     Metrics), within record's bounds. Every other line is log.
//   - Supervision: each run's program is started by a supervisor, this
//     executable in a mode of its own (see supervise_linux.go), a child
//     subreaper that stops everything below it when the program exits or
//     the run is stopped: SIGTERM, then SIGKILL after Grace.
//   - Failures: a non-zero exit is a failure whose reason is the end of
//     stderr.
//   - Logs: each run's stdout and stderr, their last MaxLog bytes, in
//     <Dir>/trials/<number>/run<r>.stdout and .stderr.
//
// For a spec with W&B's program:, FromSpec also writes this tool's wandb
// module (pylib/wandb) where the program's import wandb finds it.
package command
