"""Learning-rate decay: a constant rate vs the course's 1 / (1 + decay_rate * epoch) vs step decay.

The deeplearning.ai course (course 2, week 2) decays the learning rate of mini-batch gradient
descent so that the steps, large at first to make progress, shrink later so that the noise of
the mini-batches stops throwing the weights around the minimum:

    lr(epoch) = lr0 / (1 + decay_rate * epoch)          # optim.lr_scheduler.LambdaLR
    lr(epoch) = lr0 * gamma ** (epoch // step_size)     # optim.lr_scheduler.StepLR

Each schedule trains the same 2-layer net (2 -> 100 ReLU -> 3, the same initial weights, the
same mini-batches in the same order) on the CS231n spiral set with mini-batch SGD, and the
script prints the final full-batch training loss and accuracy of each (and, with ``--plot
PATH``, saves the loss curves; needs matplotlib).

    python examples/lr_decay.py                     # 200 epochs
    python examples/lr_decay.py --quick             # 40 epochs, for CI
    python examples/lr_decay.py --lr 1 --batch-size 30   # a gentler rate: decay matters less
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import data, nn, optim
from tinygrad_lite import functional as F
from tinygrad_lite.optim import lr_scheduler

LR0 = 2.0  # high on purpose: large steps make fast progress, and bounce around at the end
BATCH_SIZE = 10
DECAY_RATE = 0.1  # the course's decay_rate, per epoch

ScheduleFactory = Callable[[optim.Optimizer, int], lr_scheduler.LRScheduler | None]

SCHEDULES: dict[str, ScheduleFactory] = {
    "constant": lambda opt, epochs: None,
    f"1 / (1 + {DECAY_RATE} * epoch)": lambda opt, epochs: lr_scheduler.LambdaLR(
        opt, lambda epoch: 1 / (1 + DECAY_RATE * epoch)
    ),
    "step decay (x0.5 every 1/6 of the run)": lambda opt, epochs: lr_scheduler.StepLR(
        opt, step_size=max(1, epochs // 6), gamma=0.5
    ),
}


def make_model() -> nn.Module:
    # fixed seeds: every schedule starts from exactly the same weights
    return nn.Sequential(nn.Linear(2, 100, rng=0), nn.ReLU(), nn.Linear(100, 3, rng=1))


def train(
    make_schedule: ScheduleFactory,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    lr0: float = LR0,
    batch_size: int = BATCH_SIZE,
) -> tuple[list[float], nn.Module]:
    """Mini-batch SGD for ``epochs`` epochs; the full-batch loss after each epoch, and the model."""
    model = make_model()
    opt = optim.SGD(model.parameters(), lr=lr0)
    schedule = make_schedule(opt, epochs)
    losses = []
    for epoch in range(epochs):
        for X_batch, y_batch in data.minibatches(X, y, batch_size, rng=epoch):  # the same batches for all
            opt.zero_grad()
            F.cross_entropy(model(X_batch), y_batch).backward()
            opt.step()
        if schedule is not None:
            schedule.step()
        with tl.no_grad():
            losses.append(F.cross_entropy(model(X), y).item())
    return losses, model


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
        ax.plot(np.arange(1, len(losses) + 1), losses, label=label, linewidth=1.4)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("full-batch training loss")
    ax.set_title("Same net, same mini-batches, three learning-rate schedules")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f"loss curves saved to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 epochs instead of 200")
    parser.add_argument("--epochs", type=int, default=None, help="number of epochs (overrides --quick)")
    parser.add_argument("--lr", type=float, default=LR0, help=f"the initial learning rate lr0 (default {LR0})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"mini-batch size (default {BATCH_SIZE})")
    parser.add_argument("--plot", metavar="PATH", help="save the loss curves here (.png, .svg, .pdf)")
    args = parser.parse_args(argv)
    epochs = args.epochs or (40 if args.quick else 200)

    X, y = data.spiral(n_per_class=100, n_classes=3, seed=0)
    print(
        f"2-layer net (100 ReLU units) on {len(X)} spiral points, mini-batch SGD (batch {args.batch_size}, "
        f"lr0 {args.lr}), {epochs} epochs per schedule"
    )
    curves = {}
    for label, make_schedule in SCHEDULES.items():
        losses, model = train(make_schedule, X, y, epochs, args.lr, args.batch_size)
        curves[label] = losses
        accuracy = float((model(X).data.argmax(axis=1) == y).mean())
        tail = np.std(losses[-max(2, epochs // 10) :])
        print(
            f"{label:40s} final loss {losses[-1]:.4f}, training accuracy {accuracy:.1%}, "
            f"spread of the last 10% of epochs {tail:.4f}"
        )
    if args.plot:
        save_plot(curves, args.plot)


if __name__ == "__main__":
    main()
