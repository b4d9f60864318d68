"""A training script written for W&B sweeps, in the style of W&B's
documented examples: its parameters come from wandb.config (or its
flags), its metrics go to wandb.log. Nothing in it knows about `sweep`,
except that, for the tests, it also writes every row it logs to
$SWEEP_TRIAL_DIR/logged.jsonl, and the config it saw.

The "model" is a closed form: its loss falls with the epochs at a rate
set by the learning rate, so the values are a deterministic function of
the configuration.
"""
import argparse
import json
import math
import os
import sys

import wandb


def log(row, **kwargs):
    trial_dir = os.environ.get("SWEEP_TRIAL_DIR")
    if trial_dir:  # first: a pruned run is stopped once its report is read
        with open(os.path.join(trial_dir, "logged.jsonl"), "a") as f:
            f.write(json.dumps({"row": row, "kwargs": kwargs}) + "\n")
    wandb.log(row, **kwargs)


def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flat(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--augment", action="store_true")
    args, _ = parser.parse_known_args()
    defaults = {"epochs": args.epochs, "learning_rate": 0.01, "optimizer": {"name": "sgd", "momentum": 0.9}, "style": "epoch"}
    with wandb.init(project="sweep-tests", config=defaults) as run:
        config = wandb.config
        assert dict(config)["epochs"] == config.epochs == config["epochs"]
        trial_dir = os.environ.get("SWEEP_TRIAL_DIR")
        if trial_dir:
            with open(os.path.join(trial_dir, "config.json"), "w") as f:
                json.dump({"config": dict(config), "argv": sys.argv[1:], "run_id": run.id, "sweep_id": run.sweep_id}, f)
        params = flat(dict(config))
        lr = float(params.get("learning_rate", params.get("lr", 0.01)))
        shift = sum(float(v) for k, v in sorted(params.items()) if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("epochs", "learning_rate")) % 1
        if args.augment or params.get("augment") is True:
            shift += 0.05
        rate = min(5.0, abs(math.log10(max(lr, 1e-12)) + 2.5)) / 2 + 0.1
        for epoch in range(int(config.epochs)):
            loss = math.exp(-(epoch + 1) / (1 + 4 * rate)) + shift / 10
            metrics = {"val_loss": loss, "val loss": loss, "val/loss": loss, "mAP_0.5": 1 - loss, "rollout": {"ep_rew_mean": 100 * (1 - loss)}}
            if config.get("style") == "step":
                log({"train/batch_loss": loss * 1.1}, commit=False)
                log(metrics, step=epoch)
            else:
                log(dict(metrics, epoch=epoch))
        run.summary["final_loss"] = loss


if __name__ == "__main__":
    main()
