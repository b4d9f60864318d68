"""Reads the repository's MNIST training images, as sweep's Go code does,
and times the baselines' epochs as bench/epoch times ours."""
import gzip
import json
import os
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def train_images(n, dtype):
    """The first n training images scaled to [0, 1], and their labels."""
    d = os.path.join(HERE, "..", "dataset", "mnist")
    with gzip.open(os.path.join(d, "train-images-idx3-ubyte.gz")) as f:
        pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
    with gzip.open(os.path.join(d, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:n]
    return (pixels.astype(dtype) / dtype(255)), labels.astype(np.int64)


def time_epochs(step, first, permutation, subset, batch, epochs):
    """Runs a warm-up step on the indices first, then epochs of steps over
    batches of a fresh permutation of range(subset), and prints the seconds
    of each epoch and the CPU seconds they took as JSON."""
    step(first)  # warm-up
    secs, cpu = [], 0.0
    for _ in range(epochs):
        perm = permutation(subset)
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(0, subset, batch):
            step(perm[i:i + batch])
        secs.append(time.perf_counter() - start)
        cpu += time.process_time() - start_cpu
    print(json.dumps({"seconds": secs, "cpu_seconds": cpu}))
