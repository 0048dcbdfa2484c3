"""SGD, SGD with momentum, RMSprop and Adam on one problem: which gets the loss down fastest?

Each optimizer trains the same 2-layer net (2 -> 100 ReLU -> 3, the same initial weights) on
the CS231n spiral set (300 points, 3 classes) with full-batch softmax cross-entropy, so the
only difference between the runs is the update rule. The learning rates are each rule's
usual ones (SGD needs a large step; RMSprop and Adam scale theirs per parameter). Prints the
final loss of each and, with ``--plot PATH``, saves the loss curves (needs matplotlib). With tqdm installed, a terminal
shows a progress bar per optimizer.

    python examples/optimizers.py --plot docs/images/optimizers.png   # 1,000 steps each
    python examples/optimizers.py --quick                             # 100 steps each, for CI
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable

import numpy as np
from _progress import progress

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F

OptimizerFactory = Callable[[Iterable[tl.Tensor]], optim.Optimizer]

OPTIMIZERS: dict[str, OptimizerFactory] = {
    "SGD (lr 0.1)": lambda params: optim.SGD(params, lr=0.1),
    "SGD + momentum 0.9 (lr 0.1)": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "RMSprop (lr 0.003)": lambda params: optim.RMSprop(params, lr=0.003),
    "Adam (lr 0.01)": lambda params: optim.Adam(params, lr=0.01),
}


def make_model() -> nn.Module:
    # fixed seeds: every optimizer starts from exactly the same weights
    return nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))


def loss_curve(
    make_optimizer: OptimizerFactory, X: np.ndarray, y: np.ndarray, steps: int, desc: str = "training"
) -> list[float]:
    """Train a fresh model for ``steps`` full-batch steps; the loss before each step."""
    model = make_model()
    opt = make_optimizer(model.parameters())
    losses = []
    for _ in progress(range(steps), desc=desc):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def save_plot(curves: dict[str, list[float]], path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")  # write a file, never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed, so the plot is skipped: pip install matplotlib")
        return
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for label, losses in curves.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, label=label, linewidth=1.6)
    ax.set_yscale("log")  # the interesting differences are late, at small losses
    ax.set_xlabel("step (full batch, 300 spiral points)")
    ax.set_ylabel("softmax cross-entropy loss")
    ax.set_title("Same 2-layer net, same start, four update rules")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f"loss curves saved to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 steps per optimizer instead of 1,000")
    parser.add_argument("--steps", type=int, default=None, help="steps per optimizer (overrides --quick)")
    parser.add_argument("--plot", metavar="PATH", help="save the loss curves here (.png, .svg, .pdf)")
    args = parser.parse_args(argv)
    steps = args.steps or (100 if args.quick else 1_000)

    X, y = data.spiral(n_per_class=100, n_classes=3, seed=0)
    print(f"2-layer net (100 ReLU units) on {len(X)} spiral points, {steps} full-batch steps per optimizer")
    curves = {}
    for label, make_optimizer in OPTIMIZERS.items():
        curves[label] = loss_curve(make_optimizer, X, y, steps, desc=label)
        print(f"{label:30s} loss: first {curves[label][0]:.4f}, final {curves[label][-1]:.4f}")
    if args.plot:
        save_plot(curves, args.plot)


if __name__ == "__main__":
    main()
