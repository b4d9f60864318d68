#!/usr/bin/env python3
"""The notebook's PyTorch network (its part B), with its setup fixed, as a
program a sweep can run.

The notebook trained 784-128-64-10 at batch 1 with sigmoid units, plain SGD
at learning rate 0.1 and inputs normalised to [-1, 1], and reached 55-69%
validation accuracy. This trains the same layer sizes as sweep's scratch MLP
does by default: ReLU, He initialisation, SGD with momentum 0.9, batch 4,
cosine annealing over 30 epochs, pixels scaled to [0, 1], cross-entropy.

Data: --data DIR holds the MNIST IDX files (gzip or raw; `sweep data export
DIR` writes the embedded copy); the first --subset training images, split as
--split FILE says (`sweep data split FILE` writes sweep train's own split),
else a stratified split of its own drawn from --split-seed.

Protocol (package command): one JSON line per epoch on stdout, with epoch,
lr, train_loss, train_accuracy, val_loss, val_accuracy; with --test or
SWEEP_TEST=1 the last line also has test_loss and test_accuracy on the
10,000 test images. Deterministic for a given --seed (one thread,
deterministic algorithms).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    sys.exit(f"{directory} has neither {name}.gz nor {name} (write them with: sweep data export {directory})")


def load(directory, prefix):
    images = read_idx(find(directory, prefix + "-images-idx3-ubyte"))
    labels = read_idx(find(directory, prefix + "-labels-idx1-ubyte"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def stratified_split(labels, fraction, seed):
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        val.extend(rng.choice(rows, size=int(round(fraction * len(rows))), replace=False))
    val = np.sort(np.array(val, dtype=np.int64))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return train, val


def network(sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = nn.functional.cross_entropy(out, y).item()
        accuracy = (out.argmax(1) == y).sum().item() / len(y)
    model.train()
    return loss, accuracy


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--subset", type=int, default=1000)
    p.add_argument("--validation", type=float, default=0.2)
    p.add_argument("--split", help="JSON from `sweep data split`")
    p.add_argument("--split-seed", type=int, default=42)
    p.add_argument("--sizes", default="784,128,64,10")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    p.add_argument("--seed", type=int, default=int(os.environ.get("SWEEP_SEED", "42")))
    p.add_argument("--test", action="store_true", default=os.environ.get("SWEEP_TEST") == "1")
    p.add_argument("--device", default="auto", help="cpu, cuda, or auto: cuda where one is visible (sweep run --gpus gives each run its own)")
    args = p.parse_args()
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.device.startswith("cuda"):
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    device = torch.device(args.device)

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed % 2**63)

    x, y = load(args.data, "train")
    x, y = x[: args.subset], y[: args.subset]
    if args.split:
        with open(args.split) as f:
            split = json.load(f)
        train_rows, val_rows = np.array(split["train"]), np.array(split["validation_rows"])
    else:
        train_rows, val_rows = stratified_split(y.numpy(), args.validation, args.split_seed)
    x_train, y_train = x[train_rows].to(device), y[train_rows].to(device)
    x_val, y_val = x[val_rows].to(device), y[val_rows].to(device)

    model = network([int(s) for s in args.sizes.split(",")]).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs) if args.schedule == "cosine" else None
    order = torch.Generator().manual_seed(args.seed % 2**63)
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        lr = optimizer.param_groups[0]["lr"]
        loss_sum, correct = 0.0, 0
        for batch in torch.randperm(len(x_train), generator=order).split(args.batch):
            out = model(x_train[batch])
            loss = nn.functional.cross_entropy(out, y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(batch)
            correct += (out.argmax(1) == y_train[batch]).sum().item()
        if schedule:
            schedule.step()
        val_loss, val_accuracy = evaluate(model, x_val, y_val)
        if not np.isfinite(loss_sum):
            sys.exit(f"training diverged in epoch {epoch} (learning rate {lr})")
        report = {"epoch": epoch, "lr": lr, "train_loss": loss_sum / len(x_train), "train_accuracy": correct / len(x_train),
                  "val_loss": val_loss, "val_accuracy": val_accuracy, "seconds": time.time() - start}
        if args.test and epoch == args.epochs:
            report["test_loss"], report["test_accuracy"] = evaluate(model, *(t.to(device) for t in load(args.data, "t10k")))
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
