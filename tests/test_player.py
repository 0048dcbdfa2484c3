"""Tests for the step-through player (tl.animate) without a browser: its steps, numbers and page."""

from __future__ import annotations

import html
import json
import re
import shutil

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite.__main__ import main
from tinygrad_lite.chainrule import trace_backward

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def quadratic() -> tuple[tl.Tensor, tl.Tensor]:
    w = tl.tensor(0.0, requires_grad=True, name="w")
    return w, w**2 - 10 * w + 25


def two_layer_net(backward: bool) -> tuple[tl.Tensor, list[tl.Tensor]]:
    rng = np.random.default_rng(3)
    X = tl.tensor(rng.normal(size=(6, 2)), name="X")
    W1 = tl.tensor(rng.normal(size=(2, 4)), requires_grad=True, name="W1")
    b1 = tl.zeros(4, requires_grad=True, name="b1")
    W2 = tl.tensor(rng.normal(size=(4, 3)), requires_grad=True, name="W2")
    with tl.name_scope("layer1"):
        hidden = (X @ W1 + b1).relu()
    with tl.name_scope("layer2"):
        scores = hidden @ W2
    loss = F.cross_entropy(scores, rng.integers(0, 3, size=6))
    if backward:
        loss.backward()
    return loss, [W1, b1, W2]


def page_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


# ----- the backward pass, replayed on the side ----------------------------------------------------


def test_trace_backward_gives_the_gradients_of_backward_without_touching_grad():
    loss, params = two_layer_net(backward=False)
    edges, grads = trace_backward(loss)
    assert all(p.grad is None for p in params) and loss.grad is None  # nothing changed
    loss.backward()
    for p in params:
        np.testing.assert_allclose(grads[id(p)], p.grad, rtol=1e-12)
    # each edge's total is the running sum of the contributions its input has received so far
    running: dict[int, np.ndarray] = {}
    for edge in edges:
        running[id(edge.input)] = running.get(id(edge.input), 0) + edge.contribution
        np.testing.assert_allclose(edge.total, running[id(edge.input)])


def test_trace_backward_follows_explains_rows_in_order():
    w, cost = quadratic()
    edges, _ = trace_backward(cost)
    cost.backward()
    rows = tl.explain(cost, quiet=True).rows
    assert len(edges) == len(rows) == 5
    for edge, row in zip(edges, rows):
        assert (edge.upstream.item(), edge.local.item(), edge.contribution.item()) == (
            row.upstream.item(),
            row.local.item(),
            row.contribution.item(),
        )
    assert [e.total.item() for e in edges if e.input is w] == [-10, -10]  # mul brings -10, pow then 0


# ----- the page ---------------------------------------------------------------------------------------


@needs_dot
def test_animate_changes_no_grad_before_or_after_backward():
    w, cost = quadratic()
    tl.animate(cost)
    assert w.grad is None and cost.grad is None
    cost.backward()
    cost.backward()  # accumulated: w.grad = -20
    page = tl.animate(cost).html
    assert w.grad == -20 and cost.grad == 2
    data = page_data(page)
    w_node = next(n for n in data["nodes"].values() if n["name"] == "w")
    assert w_node["g"][-1][1] == "-10"  # the player shows one pass from a seed of 1, not the .grad fields


@needs_dot
def test_steps_are_the_forward_ops_then_the_backward_edges_with_running_sums():
    w, cost = quadratic()
    player = tl.animate(cost)
    data = page_data(player.html)
    steps = data["steps"]
    assert player.steps == len(steps) == 4 + 5 and data["forward"] == 4
    assert [s["t"] for s in steps[:4]] == ["pow = pow(w, 2)", "mul = mul(10, w)", "sub = sub(pow, mul)",
                                           "cost (add) = add(sub, 25)"]
    assert [s["v"] for s in steps[:4]] == ["0", "0", "0", "25"]
    backward = [(s["t"], s["u"], s["l"], s["c"], s["g"]) for s in steps[4:]]
    assert backward == [
        ("cost (add) → sub", "1", "1", "1", "1"),
        ("sub → pow", "1", "1", "1", "1"),
        ("sub → mul", "1", "-1", "-1", "-1"),
        ("mul → w", "-1", "10", "-10", "-10"),
        ("pow → w", "1", "0", "0", "-10"),
    ]
    nodes = {n["name"]: n for n in data["nodes"].values()}
    assert nodes["w"]["c"] == 0 and nodes["pow"]["c"] == 1 and nodes["cost (add)"]["c"] == 4  # when each value appears
    assert nodes["w"]["g"] == [[8, "-10"], [9, "-10"]] and nodes["cost (add)"]["g"] == [[5, "1"]]


@needs_dot
def test_the_page_is_one_offline_file_with_the_graphviz_picture(tmp_path):
    w, cost = quadratic()
    cost.backward()
    path = tl.animate(cost).save(tmp_path / "sub" / "cost.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 1
    # nothing is fetched: no external script, style, link, image or font, and a policy that forbids them
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)=", page)
    assert not re.search(r"url\(|@import|fetch\(|XMLHttpRequest|https?://(?!www\.w3\.org/)", page)
    assert "default-src 'none'" in page
    # the picture is draw_graph's: every node of the graph model, with the same labels
    assert page.count('class="node"') == 8 and "a ** b" in page
    assert tl.save_graph(cost, tmp_path / "same.html").read_text(encoding="utf-8") == page


@needs_dot
def test_jupyter_shows_the_page_in_an_iframe():
    _, cost = quadratic()
    player = tl.animate(cost)
    shown = player._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and html.unescape(shown.split('"')[1]) == player.html
    assert "9 steps" in repr(player)


@needs_dot
def test_big_graphs_start_with_their_scopes_collapsed():
    x = tl.tensor(1.0, requires_grad=True, name="x")
    y = x
    for i in range(200):
        with tl.name_scope(f"block{i // 50}"):
            y = y * 1.001
    data = page_data(tl.animate(y).html)
    assert len(data["nodes"]) == 401 and data["collapsed"] is True
    assert sorted(c["title"] for c in data["clusters"].values()) == ["block0", "block1", "block2", "block3"]
    _, cost = quadratic()
    assert page_data(tl.animate(cost).html)["collapsed"] is False
    assert page_data(tl.animate(y, collapse_scopes=False).html)["collapsed"] is False


def test_animate_needs_a_tensor():
    with pytest.raises(TypeError, match="animate needs a Tensor, got list"):
        tl.animate([1.0])  # type: ignore[arg-type]


@needs_dot
def test_demo_html_writes_the_player_of_the_demos_cost(tmp_path, capsys):
    page = tmp_path / "demo.html"
    assert main(["demo", "--steps", "0", "--out", str(tmp_path / "g.dot"), "--html", str(page)]) == 0
    assert f"(open it in a browser): {page.resolve()}" in capsys.readouterr().out
    data = page_data(page.read_text(encoding="utf-8"))
    assert data["steps"][-2]["t"] == "mul → w" and data["steps"][-2]["g"] == "-10"
    with pytest.raises(SystemExit):
        main(["demo", "--html", str(tmp_path / "demo.svg")])
    assert "--html must end in .html" in capsys.readouterr().err


@needs_dot
def test_the_pages_in_the_docs_are_those_the_code_makes_today():
    """docs/player/*.html are built into the site; regenerate them with docs/images/make_images.py."""
    from pathlib import Path

    from tinygrad_lite import player

    docs = Path(__file__).resolve().parents[1] / "docs" / "player"
    _, cost = quadratic()
    fresh = tl.animate(cost).html
    for page in (docs / "quadratic.html", docs / "two_layer_net.html"):
        text = page.read_text(encoding="utf-8")
        assert player._SCRIPT in text and player._STYLE in text, f"{page.name} is stale: run docs/images/make_images.py"
    stored = page_data((docs / "quadratic.html").read_text(encoding="utf-8"))
    assert stored == page_data(fresh)


@needs_dot
def test_a_graph_without_gradients_plays_its_forward_pass_only():
    x = tl.tensor([1.0, 2.0], name="x")
    y = (x * 3).sum()
    data = page_data(tl.animate(y).html)
    assert [s["k"] for s in data["steps"]] == ["f", "f"] and data["forward"] == 2
    assert [s["v"] for s in data["steps"]] == ["[3, 6]", "9"]
    assert all(node["g"] == [] for node in data["nodes"].values())
