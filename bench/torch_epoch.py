"""PyTorch baseline for go run ./bench: the same network, initialisation,
optimiser and batches as bench/epoch, one thread. Prints the seconds of
each timed epoch as JSON."""
import sys

import numpy as np
import torch

from mnist import time_epochs, train_images

dtype, batch, epochs, subset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(1)
torch.manual_seed(1)
tdtype = torch.float32 if dtype == "float32" else torch.float64
x, y = train_images(subset, np.float32 if dtype == "float32" else np.float64)
x, y = torch.from_numpy(x).to(tdtype), torch.from_numpy(y)
layers = []
for fan_in, fan_out in [(784, 128), (128, 64), (64, 10)]:
    lin = torch.nn.Linear(fan_in, fan_out).to(tdtype)
    torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")  # He, as ours
    torch.nn.init.zeros_(lin.bias)
    layers += [lin, torch.nn.ReLU()]
model = torch.nn.Sequential(*layers[:-1])
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()


def step(idx):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x[idx]), y[idx])
    loss.backward()
    opt.step()


time_epochs(step, torch.arange(batch), torch.randperm, subset, batch, epochs)
