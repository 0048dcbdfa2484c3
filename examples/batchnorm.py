"""Batch normalization lets a deep net train where the plain one stalls (CS231n lecture 6/7).

The same 10-layer ReLU net (hidden width 64, PyTorch's default initialization) is trained
on the spiral set with full-batch SGD at a learning rate of 0.5, once as it is and once with a
`nn.BatchNorm1d` after every hidden linear layer. Without batch norm, the signal shrinks from
layer to layer, the gradients of the first layers are tiny, and the loss stays near its
starting value of log 3 = 1.0986; with it, every layer's inputs are normalized and the loss
falls. The loss is printed at a few steps of each run, and the final training accuracy.

    python examples/batchnorm.py           # 500 steps
    python examples/batchnorm.py --quick   # 100 steps
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F

DEPTH, WIDTH, LR = 10, 64, 0.5


def deep_net(batch_norm: bool) -> nn.Sequential:
    """``DEPTH`` linear layers with ReLU (and BatchNorm1d before each ReLU when asked)."""
    layers: list[nn.Module] = []
    width_in = 2
    for _ in range(DEPTH - 1):
        layers.append(nn.Linear(width_in, WIDTH))
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH))
        layers.append(nn.ReLU())
        width_in = WIDTH
    layers.append(nn.Linear(width_in, 3))
    return nn.Sequential(*layers)


def train(batch_norm: bool, steps: int, seed: int = 0) -> tuple[list[float], float]:
    """The loss at every step, and the final training accuracy (%, in eval mode)."""
    X, y = data.spiral(rng=0)
    tl.manual_seed(seed)
    model = deep_net(batch_norm)
    opt = optim.SGD(model.parameters(), lr=LR)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with tl.no_grad():
        accuracy = 100.0 * float((model(X).argmax(axis=1) == y).mean())
    return losses, accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 steps instead of 500")
    args = parser.parse_args()
    steps = 100 if args.quick else 500
    marks = sorted({0, steps // 4, steps // 2, 3 * steps // 4, steps - 1})
    print(f"{DEPTH}-layer ReLU net (width {WIDTH}) on the spiral set, full-batch SGD, lr {LR}, {steps} steps")
    print("loss at step" + " " * 15 + "".join(f"{m + 1:>8d}" for m in marks))
    for name, batch_norm in (("without batch norm", False), ("with batch norm", True)):
        losses, accuracy = train(batch_norm, steps)
        curve = "".join(f"{losses[m]:8.4f}" for m in marks)
        print(f"{name:27s}{curve}   final loss {np.mean(losses[-10:]):.4f}, training accuracy {accuracy:.1f}%")


if __name__ == "__main__":
    main()
