// Package command sweeps any program: a trial's run starts a command with
// the trial's parameters in its arguments and environment, reads its
// metrics from the JSON lines it prints, and stops it when the pruner says
// so or its time is up. Objective implements the engine's Objective
// (package sweep), so a command sweep keeps what a sweep of the built-in
// networks has: results independent of the worker count (for a program
// deterministic with its seed), resume, replay.
//
// The protocol, as W&B's and Katib's users expect it:
//
//   - Arguments: an element "${args}" expands to --name=value for every
//     parameter, in spec order; "${name}" inside any element to one
//     parameter's value, "${seed}" to the run's seed, "${trial}" to the
//     trial's number. The command is run directly, never through a shell:
//     a value cannot be interpreted as shell syntax.
//   - Environment: SWEEP_PARAM_<NAME> per parameter (upper case),
//     SWEEP_SEED, SWEEP_TRIAL, SWEEP_TRIAL_DIR (a directory of the trial's
//     own), and SWEEP_TEST=1 when the run should also measure the test set
//     (a final-stage run).
//   - Metrics: every stdout line that is a JSON object with an integer
//     "epoch" (or "step") is a report, read into study.Epoch (lr,
//     train_loss, train_accuracy, val_loss, val_accuracy, test_loss,
//     test_accuracy; other fields are kept in the log only). Every other
//     line is log.
//   - Stopping: when the pruner stops a run, or its time is up, the
//     process group gets SIGTERM, then SIGKILL after Grace: no orphans.
//     A non-zero exit is a failure whose reason is the end of stderr.
//   - Logs: each run's stdout and stderr, their last MaxLog bytes, in
//     <Dir>/trials/<number>/run<r>.stdout and .stderr.
package command
