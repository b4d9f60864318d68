"""NumPy baseline for go run ./bench: the same network, He initialisation
and momentum SGD written with NumPy (OpenBLAS, one thread), batched, or
per sample (batch 1) as the notebook trains. Prints the seconds of each
timed epoch as JSON."""
import sys

import numpy as np

from mnist import time_epochs, train_images

dtype, batch, epochs, subset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
dt = np.float32 if dtype == "float32" else np.float64
x, y = train_images(subset, dt)
rng = np.random.default_rng(1)
sizes = [784, 128, 64, 10]
W = [(rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(dt) for i, o in zip(sizes, sizes[1:])]
b = [np.zeros(o, dt) for o in sizes[1:]]
vW = [np.zeros_like(w) for w in W]
vb = [np.zeros_like(v) for v in b]
lr, mu = dt(0.01), dt(0.9)


def step(idx):
    a = [x[idx]]
    for l in range(3):
        z = a[-1] @ W[l].T + b[l]
        a.append(np.maximum(z, 0) if l < 2 else z)
    z = a[-1] - a[-1].max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    d = p
    d[np.arange(len(idx)), y[idx]] -= 1
    d /= dt(len(idx))
    for l in range(2, -1, -1):
        gW, gb = d.T @ a[l], d.sum(axis=0)
        if l > 0:
            d = (d @ W[l]) * (a[l] > 0)
        vW[l] *= mu
        vW[l] += gW
        vb[l] *= mu
        vb[l] += gb
        W[l] -= lr * vW[l]
        b[l] -= lr * vb[l]


time_epochs(step, np.arange(batch), rng.permutation, subset, batch, epochs)
