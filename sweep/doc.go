// Package sweep is the engine that runs hyperparameter sweeps: given a
// spec (package study), an Objective and a Storage (package storage), it asks a sampler for
// trials, runs them on parallel goroutines, prunes unpromising ones, and
// tells the results back — durably, resumably, and, for one process,
// with results that do not depend on the number of workers.
//
// Vocabulary follows Optuna: a Study is a set of Trials; a Sampler
// proposes a trial's parameters; a Pruner stops unpromising trials early;
// a Storage records everything; an Objective trains one run of a trial
// and reports each epoch. The engine knows nothing of networks: package
// recipe's Objective trains the built-in ones, and any Go function can be
// swept (see the example).
//
// One loop (engine.run) asks, runs, tells and heartbeats, over either
// trial source: a local journal (journal.Journal in the sweep's results
// directory), which one process owns, or a Storage shared by worker
// processes on many machines (package pgstore), where trials are created
// atomically within the budget and the running trials of a worker that
// stops heartbeating are taken over by another. Locally, trials are created
// in trial-number order with parameters in spec order; each trial's seed
// derives from the sweep's seed and its number, and its proposal and
// pruning see only the trials below its horizon, all finished before it
// starts (the window rule, horizon.go), so the same spec and seed give
// identical results whatever the number of workers, with no barrier
// between batches. Shared,
// each trial stays reproducible on its own, but which parameters are
// proposed depends on timing.
package sweep
