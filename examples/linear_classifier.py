"""Linear classifiers as in CS231n lecture 3: SVM (hinge) vs softmax loss, random search vs
gradient descent, on the 8x8 handwritten digits (the spiral set when scikit-learn is absent).

Scores are ``s = x W`` with the bias trick: a column of ones is appended to ``x``, so ``W``
has one row more than there are features. The full loss is the mean data loss plus the L2
regularization ``reg * sum(W²)``.

1. Sanity check: with small weights ``W = 0.0001 * randn`` every score is about 0, so the
   softmax loss is about ``log C`` and the hinge loss about ``C - 1`` (each wrong class
   contributes the margin 1; not ``-log(C - 1)``, as one set of notes says).
2. Random search: the best of 1,000 random ``W = 0.0001 * randn`` by training hinge loss.
3. Mini-batch SGD on each loss, from the same small start.

    python examples/linear_classifier.py           # 1,000 random tries, 50 epochs
    python examples/linear_classifier.py --quick   # 100 random tries, 10 epochs
    python examples/linear_classifier.py --plot curves.png   # also save loss and accuracy curves

``--plot PATH`` needs matplotlib; with tqdm installed, a terminal shows a progress bar per epoch.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import numpy as np
from _progress import progress

import tinygrad_lite as tl
from tinygrad_lite import Tensor, data, optim
from tinygrad_lite import functional as F

REG = 1e-3
BATCH_SIZE = 64
LOSSES: dict[str, tuple[Callable[..., Tensor], float]] = {  # name: (data loss, learning rate)
    "SVM (hinge)": (F.hinge_loss, 0.1),
    "softmax": (F.cross_entropy, 0.5),
}


def load(seed: int) -> tuple[str, np.ndarray, np.ndarray]:
    try:
        X, y = data.load_digits()
        return "8x8 digits", X, y
    except ImportError as error:
        print(f"({error}; using the spiral set instead)")
        X, y = data.spiral(seed=seed)
        return "spiral", X, y


def with_bias_column(X: np.ndarray) -> np.ndarray:
    """The bias trick: ``[x, 1] @ W`` is ``x @ W[:-1] + W[-1]``."""
    return np.hstack([X, np.ones((len(X), 1))])


def accuracy(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    return float(((X @ W).argmax(axis=1) == y).mean())


def small_weights(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    return 0.0001 * rng.standard_normal(shape)


def random_search(X: np.ndarray, y: np.ndarray, tries: int, rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """The lowest training hinge loss among ``tries`` random small W, and that W."""
    best_loss, best_W = math.inf, np.zeros(0)
    shape = (X.shape[1], int(y.max()) + 1)
    with tl.no_grad():
        for _ in range(tries):
            W = small_weights(shape, rng)
            loss = F.hinge_loss(X @ W, y).item()
            if loss < best_loss:
                best_loss, best_W = loss, W
    return best_loss, best_W


def train(
    loss_fn: Callable[..., Tensor],
    lr: float,
    W0: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int,
    seed: int,
) -> tuple[float, np.ndarray, dict[str, list[float]]]:
    """Mini-batch SGD on ``loss_fn(X W, y) + REG * sum(W²)``; the last batch's loss, W, and per epoch
    the mean batch loss and the training and validation accuracy."""
    W = Tensor(W0.copy(), requires_grad=True, name="W")
    opt = optim.SGD([W], lr=lr)
    rng = np.random.default_rng(seed)
    loss = math.nan
    history: dict[str, list[float]] = {"loss": [], "train": [], "val": []}
    for _ in progress(range(epochs), desc="epochs"):
        batch_losses = []
        for X_batch, y_batch in data.minibatches(X, y, BATCH_SIZE, rng=rng):
            opt.zero_grad()
            total = loss_fn(X_batch @ W, y_batch) + F.l2_penalty(W, REG)
            total.backward()
            opt.step()
            loss = total.item()
            batch_losses.append(loss)
        history["loss"].append(float(np.mean(batch_losses)))
        history["train"].append(accuracy(W.data, X, y))
        history["val"].append(accuracy(W.data, X_val, y_val))
    return loss, W.data, history


def save_plot(histories: dict[str, dict[str, list[float]]], path: str) -> None:
    """Loss and training/validation accuracy per epoch of each classifier."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # write a file, never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed, so the plot is skipped: pip install matplotlib")
        return
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110, layout="constrained")
    for (label, history), color in zip(histories.items(), ["tab:blue", "tab:orange"]):
        epochs = np.arange(1, len(history["loss"]) + 1)
        loss_ax.plot(epochs, history["loss"], color=color, label=label, linewidth=1.6)
        acc_ax.plot(epochs, 100 * np.array(history["train"]), color=color, label=f"{label}, training", linewidth=1.6)
        acc_ax.plot(epochs, 100 * np.array(history["val"]), color=color, linestyle="--", label=f"{label}, validation")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel(f"mean batch loss (data loss + L2, reg {REG:g})")
    loss_ax.set_title("loss")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy (%)")
    acc_ax.set_title("accuracy after each epoch")
    for ax in (loss_ax, acc_ax):
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.savefig(path)
    plt.close(fig)
    print(f"loss and accuracy curves saved to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 random tries and 10 epochs instead of 1,000 and 50")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", metavar="PATH", help="save the loss and accuracy curves here (.png, .svg, .pdf)")
    args = parser.parse_args(argv)
    tries, epochs = (100, 10) if args.quick else (1_000, 50)
    rng = np.random.default_rng(args.seed)

    name, X, y = load(args.seed)
    X = with_bias_column(X)
    order = rng.permutation(len(X))
    n_val = len(X) // 5
    X_val, y_val = X[order[:n_val]], y[order[:n_val]]
    X_train, y_train = X[order[n_val:]], y[order[n_val:]]
    C = int(y.max()) + 1
    print(
        f"{name}: {len(X_train)} training and {len(X_val)} validation samples, "
        f"{X.shape[1] - 1} features + 1 bias input, C = {C} classes"
    )

    W0 = small_weights((X.shape[1], C), rng)
    with tl.no_grad():
        softmax_loss = F.cross_entropy(X_train @ W0, y_train).item()
        hinge_loss = F.hinge_loss(X_train @ W0, y_train).item()
    print("sanity check with W = 0.0001 * randn (all scores near 0):")
    print(f"  initial softmax loss {softmax_loss:.4f}, expected log C = {math.log(C):.4f}")
    print(f"  initial hinge loss {hinge_loss:.4f}, expected C - 1 = {C - 1}")

    best_loss, best_W = random_search(X_train, y_train, tries, rng)
    print(
        f"random search, best of {tries} random W: hinge loss {best_loss:.4f}, "
        f"training accuracy {100 * accuracy(best_W, X_train, y_train):.1f}%, "
        f"validation accuracy {100 * accuracy(best_W, X_val, y_val):.1f}% (chance: {100 / C:.1f}%)"
    )

    print(f"gradient descent: mini-batch SGD, batch {BATCH_SIZE}, L2 reg {REG:g}, {epochs} epochs:")
    histories = {}
    for loss_name, (loss_fn, lr) in LOSSES.items():
        loss, W, histories[loss_name] = train(loss_fn, lr, W0, X_train, y_train, X_val, y_val, epochs, args.seed)
        print(
            f"  {loss_name}, lr {lr:g}: loss {loss:.3f}, training accuracy {100 * accuracy(W, X_train, y_train):.1f}%, "
            f"validation accuracy {100 * accuracy(W, X_val, y_val):.1f}%"
        )
    if args.plot:
        save_plot(histories, args.plot)


if __name__ == "__main__":
    main()
