// Package sweep runs hyperparameter sweeps: a YAML spec names a search
// space over the training settings of package recipe, a method to search it
// (grid, random, Sobol, TPE, CMA-ES) and a budget; trials train in parallel
// goroutines and their results are recorded durably as they happen.
//
// Vocabulary follows Optuna: a Study is a set of Trials; a Sampler
// proposes a trial's parameters; a Pruner stops unpromising trials early;
// a Storage records everything. One coordinator goroutine asks the sampler
// for a batch of trials, in trial-number order with parameters in spec
// order; workers train the batch; results are told back in trial-number
// order. Each trial's seed derives from the sweep's seed and the trial's
// number, and pruning decisions look only at trials of earlier batches.
// Hence the same spec and seed give identical results whatever the number
// of workers.
//
// The study is stored behind goptuna's Storage interface, in an
// append-only journal (journal.jsonl in the sweep's results directory): a
// sweep killed at any moment resumes from it, keeping every finished trial
// and rerunning interrupted ones with the same parameters and seed. With
// Options.Storage the study lives in PostgreSQL instead (package pgstore)
// and worker processes on many machines share it: trials are created
// atomically within the budget, and the running trials of a worker that
// stops heartbeating are taken over by another. Each trial stays
// reproducible on its own, but which parameters are proposed then depends
// on timing.
//
// The package knows nothing of gradients: trials are recipe.Settings, and
// recipe trains them.
package sweep
