"""Regenerate the pictures of docs/graphs.md and the player pages it links to.

Run from the repository root: ``.venv/bin/python docs/images/make_images.py``. Needs
Graphviz's ``dot``. The code is the code shown on the page, so picture and text agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite import nn

DOCS = Path(__file__).resolve().parents[1]
IMAGES = DOCS / "images"


def quadratic() -> tuple[tl.Tensor, tl.Tensor]:
    w = tl.tensor(0.0, requires_grad=True, name="w")
    return w, w**2 - 10 * w + 25


class TwoLayerNet(nn.Module):
    def __init__(self) -> None:
        self.fc1 = nn.Linear(2, 100, rng=0)
        self.fc2 = nn.Linear(100, 3, rng=1)

    def forward(self, x: tl.Tensor) -> tl.Tensor:
        return self.fc2(self.fc1(x).relu())


def two_layer_net(n: int = 300) -> tl.Tensor:
    rng = np.random.default_rng(0)
    X = tl.tensor(rng.normal(size=(n, 2)), name="X")
    y = rng.integers(0, 3, size=n)
    model = TwoLayerNet()
    with tl.name_scope("net"):
        scores = model(X)
    with tl.name_scope("loss"):
        loss = F.cross_entropy(scores, y)
    loss.name = "loss"
    return loss


def main() -> None:
    _, cost = quadratic()
    for suffix in (".svg", ".png"):
        tl.save_graph(cost, IMAGES / f"quadratic_forward{suffix}")
    cost.backward()
    for suffix in (".svg", ".png"):
        tl.save_graph(cost, IMAGES / f"quadratic_backward{suffix}")
    _, cost = quadratic()
    tl.save_graph(cost, DOCS / "player" / "quadratic.html")  # the page of `tinygrad-lite demo --html`
    loss = two_layer_net()
    tl.save_graph(loss, DOCS / "player" / "two_layer_net.html")
    loss.backward()
    for suffix in (".svg", ".png"):
        tl.save_graph(loss, IMAGES / f"two_layer_net{suffix}")
        tl.save_graph(loss, IMAGES / f"two_layer_net_collapsed{suffix}", collapse_scopes=True)


if __name__ == "__main__":
    main()
