"""Regularization on a deliberately small training set: none vs L2 vs dropout.

A wide 2-layer net (64 -> 256 ReLU units -> 10) sees only 100 of the 8x8 digits (scikit-learn's,
bundled, no download) and is scored on 500 others. Without regularization it learns its 100
samples by heart (training accuracy 100%) and does clearly worse on the validation set; an L2
penalty on the weights, or dropout on the hidden units, is meant to shrink that gap. Every run
starts from the same weights (``tl.manual_seed``) and takes the same full-batch Adam steps.

    python examples/regularization.py           # 400 steps per model
    python examples/regularization.py --quick   # 150 steps per model: a few seconds

Needs scikit-learn for the digits: pip install tinygrad-lite[digits].
"""

from __future__ import annotations

import argparse

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F

N_TRAIN, N_VAL, HIDDEN = 100, 500, 256
L2 = 1e-2  # lam in lam * sum(W**2), over both weight matrices
DROPOUT = 0.5


class TwoLayerNet(nn.Module):
    """``fc2(dropout(relu(fc1(x))))``; with ``p = 0`` the dropout layer is the identity."""

    def __init__(self, p: float) -> None:
        self.fc1 = nn.Linear(64, HIDDEN)
        self.drop = nn.Dropout(p)
        self.fc2 = nn.Linear(HIDDEN, 10)

    def forward(self, x: tl.Tensor) -> tl.Tensor:
        return self.fc2(self.drop(self.fc1(x).relu()))


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """The percentage of samples whose highest score is the true class, in eval mode."""
    model.eval()
    with tl.no_grad():
        correct = float((model(X).argmax(axis=1) == y).mean())
    model.train()
    return 100.0 * correct


def run(steps: int, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Train the three variants; ``{name: (train accuracy %, validation accuracy %)}``."""
    X, y = data.load_digits()
    order = np.random.default_rng(seed).permutation(len(X))
    train_idx, val_idx = order[:N_TRAIN], order[N_TRAIN : N_TRAIN + N_VAL]
    X_train, y_train, X_val, y_val = X[train_idx], y[train_idx], X[val_idx], y[val_idx]
    results = {}
    for name, lam, p in (("no regularization", 0.0, 0.0), (f"L2 (lam={L2:g})", L2, 0.0),
                         (f"dropout (p={DROPOUT:g})", 0.0, DROPOUT)):
        tl.manual_seed(seed)  # the same initial weights for all three
        model = TwoLayerNet(p)
        opt = optim.Adam(model.parameters(), lr=1e-3)
        weights = [model.fc1.weight, model.fc2.weight]
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(X_train), y_train)
            if lam:
                loss = loss + F.l2_penalty(weights, lam)
            loss.backward()
            opt.step()
        results[name] = (accuracy(model, X_train, y_train), accuracy(model, X_val, y_val))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 steps per model instead of 400")
    args = parser.parse_args()
    steps = 150 if args.quick else 400
    print(f"{N_TRAIN} training and {N_VAL} validation digits, 64-{HIDDEN}-10 ReLU net, {steps} Adam steps each")
    for name, (train, val) in run(steps).items():
        print(f"{name:22s} training accuracy {train:5.1f}%, validation accuracy {val:5.1f}%, gap {train - val:4.1f}")


if __name__ == "__main__":
    main()
