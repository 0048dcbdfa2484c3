"""Why initialization matters: activation statistics through a 10-layer net (CS231n lecture 6).

Unit-Gaussian data goes through 10 layers of 500 units. With weights ``0.01 * randn`` the
activations shrink by a constant factor per layer and collapse towards 0 (and so do the
gradients of the weights, which are proportional to them). Xavier initialization
(``Var(w) = 1 / fan_in`` up to the gain) keeps tanh activations of order 1, and He
initialization (``Var(w) = 2 / fan_in``) does the same for ReLU, which zeroes half of its
inputs. The standard deviation of each layer's activations is printed for every scheme.

    python examples/initialization.py                 # 1000 samples
    python examples/initialization.py --quick         # 200 samples
    python examples/initialization.py --plot hist.png # also the per-layer histograms (matplotlib)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import nn

LAYERS, WIDTH = 10, 500


def small_randn(w: tl.Tensor) -> None:
    """``0.01 * randn``: the lecture's first try."""
    nn.init.normal_(w, 0.0, 0.01)


def xavier_tanh(w: tl.Tensor) -> None:
    """Xavier normal with tanh's gain."""
    nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh"))


def he_relu(w: tl.Tensor) -> None:
    """He (Kaiming) normal for ReLU: std = sqrt(2 / fan_in)."""
    nn.init.kaiming_normal_(w, nonlinearity="relu")


SCHEMES: dict[str, tuple[Callable[[tl.Tensor], None], str]] = {
    "0.01 * randn, tanh": (small_randn, "tanh"),
    "Xavier, tanh": (xavier_tanh, "tanh"),
    "0.01 * randn, ReLU": (small_randn, "relu"),
    "He, ReLU": (he_relu, "relu"),
}


def activations(init: Callable[[tl.Tensor], None], nonlinearity: str, samples: int, seed: int = 0) -> list[np.ndarray]:
    """The activations of each of the 10 layers for unit-Gaussian inputs."""
    tl.manual_seed(seed)
    h = tl.randn(samples, WIDTH, rng=seed)
    out = []
    with tl.no_grad():
        for _ in range(LAYERS):
            layer = nn.Linear(WIDTH, WIDTH)
            init(layer.weight)
            nn.init.zeros_(layer.bias)
            h = layer(h)
            h = h.tanh() if nonlinearity == "tanh" else h.relu()
            out.append(h.data)
    return out


def run(samples: int) -> dict[str, list[float]]:
    """``{scheme: [std of layer 1, ..., std of layer 10]}``."""
    return {name: [float(a.std()) for a in activations(init, f, samples)] for name, (init, f) in SCHEMES.items()}


def save_plot(samples: int, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")  # write a file, never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed, so the plot is skipped: pip install matplotlib")
        return
    fig, axes = plt.subplots(len(SCHEMES), LAYERS, figsize=(18, 8), sharey="row", layout="constrained")
    for row, (name, (init, f)) in zip(axes, SCHEMES.items()):
        for i, (ax, a) in enumerate(zip(row, activations(init, f, samples))):
            ax.hist(a.ravel(), bins=30, color="tab:blue")
            ax.set_yticks([])
            ax.set_title(f"layer {i + 1}" if name == next(iter(SCHEMES)) else "", fontsize=8)
        row[0].set_ylabel(name, fontsize=8)
    fig.savefig(path)
    print(f"histograms saved to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 samples instead of 1000")
    parser.add_argument("--plot", metavar="PATH", help="save per-layer histograms of the activations")
    args = parser.parse_args()
    samples = 200 if args.quick else 1000
    print(f"std of the activations of each layer ({LAYERS} layers of {WIDTH} units, {samples} samples)")
    print(" " * 20 + "".join(f"{i:>9d}" for i in range(1, LAYERS + 1)))
    for name, stds in run(samples).items():
        print(f"{name:20s}" + "".join(f"{s:9.2g}" for s in stds))
    if args.plot:
        save_plot(samples, args.plot)


if __name__ == "__main__":
    main()
