"""Reads the repository's MNIST training images, as sweep's Go code does."""
import gzip
import os
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
