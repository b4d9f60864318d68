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
    print(json.dumps({"seconds": secs, "cpu_seconds": cpu, "kernels": kernels()}))


def kernels():
    """Which kernels this process multiplies with: each OpenBLAS loaded, by
    the core it chose for the processor (or the one OPENBLAS_CORETYPE
    forced), and PyTorch's CPU capability and BLAS where it is loaded."""
    import ctypes
    import sys
    out, seen = [], set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "openblas" not in path or path in seen:
                continue
            seen.add(path)
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                found = "OpenBLAS %s kernels (%s)" % (lib.openblas_get_corename().decode(), lib.openblas_get_config().decode())
                if found not in out:
                    out.append(found)
            except (OSError, AttributeError):
                pass
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
        if capability:
            out.append("PyTorch CPU capability " + capability())
        import re
        blas = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
        if blas:
            out.append("PyTorch BLAS_INFO=" + blas.group(1))
    return "; ".join(out) or "unknown"
