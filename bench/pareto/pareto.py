#!/usr/bin/env python3
"""Hypervolume of sweep's NSGA-II front against Optuna's NSGA-II and MOTPE.

The task is the notebook's: the first 1000 MNIST images, 80/20 split, an MLP
trained for EPOCHS epochs. sweep runs with its default budget.batch (4: each
trial proposed blind to the 3 before it) and sequentially (1), as Optuna's
optimize does. Two computed (deterministic) objectives:
validation accuracy (maximize) and the network's weights and biases
(minimize). Each method gets TRIALS trials over the same space (layer
widths, learning rate, batch size); Optuna's objective trains through
`sweep train`, the same code sweep's trials run, with the split of the same
seed. The hypervolume is that of the front of (1 - accuracy, params /
most params) against the reference point (1, 1.1). Reported: each seed's
hypervolumes and the median over SEEDS seeds.

Usage: /usr/bin/python3 bench/pareto/pareto.py [bin/sweep]   (Debian's python3-optuna)
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import optuna

SWEEP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "bin/sweep")
SEEDS = [1, 2, 3, 4, 5]
TRIALS = 40
EPOCHS = 30
SIZES = ["784,16,10", "784,32,10", "784,64,10", "784,128,10", "784,256,10",
         "784,32,32,10", "784,64,64,10", "784,128,64,10", "784,256,128,10"]
LR = (0.001, 0.3)
BATCHES = [4, 8, 16, 32]


def weights(sizes):
    w = [int(x) for x in sizes.split(",")]
    return sum(a * b + b for a, b in zip(w, w[1:]))


MOST = max(weights(s) for s in SIZES)


def hypervolume(points):
    """2-D hypervolume of (accuracy, params) points, both turned to minimize."""
    pts = sorted((1 - a, p / MOST) for a, p in points)
    hv, best = 0.0, 1.1
    for f1, f2 in pts:  # ascending f1: each non-dominated point lowers f2
        if f2 < best:
            hv += (1.0 - f1) * (best - f2)
            best = f2
    return hv


def sweep_front(seed, workdir, batch):
    spec = f"""name: bench_pareto
seed: {seed}
data: {{subset: 1000, validation: 0.2}}
fixed: {{epochs: {EPOCHS}}}
metrics:
  - {{name: val_accuracy, goal: maximize}}
  - {{name: params, goal: minimize}}
method: nsga2
parameters:
  sizes: {{values: {json.dumps(SIZES)}}}
  lr:    {{distribution: log_uniform_values, min: {LR[0]}, max: {LR[1]}}}
  batch: {{values: {BATCHES}}}
budget: {{trials: {TRIALS}, batch: {batch}}}
confirm: false
"""
    path = os.path.join(workdir, "bench_pareto.yaml")
    with open(path, "w") as f:
        f.write(spec)
    subprocess.run([SWEEP, "run", "--restart", "--workers", "2", path], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([SWEEP, "report", "--files=false", "--format", "json", "results/bench_pareto"],
                         cwd=workdir, check=True, capture_output=True, text=True).stdout
    trials = json.loads(out)["trials"]
    return [tuple(t["values"]) for t in trials if t["state"] == "complete" and not t.get("stage")]


def train(sizes, lr, batch, seed, workdir):
    out = os.path.join(workdir, "h.json")
    subprocess.run([SWEEP, "train", f"--sizes={sizes}", f"--lr={lr!r}", f"--batch={batch}", f"--epochs={EPOCHS}",
                    "--subset=1000", "--val=0.2", f"--seed={seed}", f"--json={out}"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["history"]["epochs"][-1]["val_accuracy"]


def optuna_front(sampler, seed, workdir):
    def objective(trial):
        sizes = trial.suggest_categorical("sizes", SIZES)
        lr = trial.suggest_float("lr", LR[0], LR[1], log=True)
        batch = trial.suggest_categorical("batch", BATCHES)
        return train(sizes, lr, batch, seed, workdir), weights(sizes)

    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=TRIALS)
    return [tuple(t.values) for t in study.trials if t.values is not None]


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    methods = {
        "sweep nsga2 (budget.batch 4)": lambda seed, d: sweep_front(seed, d, 4),
        "sweep nsga2 (budget.batch 1)": lambda seed, d: sweep_front(seed, d, 1),
        "optuna NSGA-II (population 10)": lambda seed, d: optuna_front(
            optuna.samplers.NSGAIISampler(population_size=10, seed=seed), seed, d),
        "optuna MOTPE": lambda seed, d: optuna_front(optuna.samplers.TPESampler(seed=seed), seed, d),
    }
    results = {m: [] for m in methods}
    print(f"optuna {optuna.__version__}; {TRIALS} trials, {EPOCHS} epochs, seeds {SEEDS}; hypervolume against (1, 1.1)")
    for seed in SEEDS:
        for name, run in methods.items():
            with tempfile.TemporaryDirectory() as d:
                hv = hypervolume(run(seed, d))
            results[name].append(hv)
            print(f"seed {seed}  {name:32s} {hv:.4f}", flush=True)
    print()
    for name, hvs in results.items():
        print(f"median  {name:32s} {statistics.median(hvs):.4f}   ({', '.join(f'{h:.4f}' for h in hvs)})")


if __name__ == "__main__":
    main()
