"""The player in a real browser: headless Chromium, the page opened from file:// with the network cut off."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import tinygrad_lite as tl
from tests.browser import chromium, offline_page  # noqa: F401  (chromium is a fixture)
from tinygrad_lite.__main__ import main
from tinygrad_lite.chainrule import trace_backward
from tinygrad_lite.graph import summary

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

# Everything a learner could see change: each node's classes, shown lines and their text,
# each edge's and cluster's classes, and the side panel and counter.
SNAPSHOT = """() => {
  const svg = document.querySelector('#picture svg');
  const groups = [...svg.querySelectorAll('g.node, g.edge, g.cluster')].map(g =>
    g.getAttribute('class') + '|' + [...g.querySelectorAll('text')]
      .map(t => getComputedStyle(t).visibility + ':' + t.textContent).join(','));
  return {groups, side: document.querySelector('#side').innerText,
          counter: document.querySelector('#counter').innerText, slider: document.querySelector('#slider').value};
}"""


def step(opened: Any) -> int:
    return int(opened.page.inner_text("#counter").split()[1])


@pytest.fixture
def demo_page(tmp_path: Path) -> Path:
    page = tmp_path / "demo.html"
    assert main(["demo", "--steps", "0", "--out", str(tmp_path / "cost.dot"), "--html", str(page)]) == 0
    return page


def test_stepping_shows_w_grad_only_after_the_edges_that_produce_it(chromium, demo_page):  # noqa: F811
    opened = offline_page(chromium, demo_page)
    page = opened.page
    first = page.evaluate(SNAPSHOT)
    assert first["counter"] == "step 0 / 9" and "w.grad = nothing yet" in first["side"]
    # the step at which w has received everything: the replayed pass says which edge that is
    w = tl.tensor(0.0, requires_grad=True, name="w")
    edges, _ = trace_backward(w**2 - 10 * w + 25)
    expected = 4 + next(i for i, e in enumerate(edges, 1) if e.input is w and summary(e.total) == "-10")
    page.wait_for_timeout(1000)  # it never advances on its own
    assert step(opened) == 0
    seen = []
    for k in range(1, 10):
        page.keyboard.press("ArrowRight")
        assert step(opened) == k
        seen.append("w.grad = -10" in page.inner_text("body"))
    assert seen == [k >= expected for k in range(1, 10)]
    page.keyboard.press("ArrowRight")  # past the end: stays at the end
    assert step(opened) == 9
    for k in range(8, -1, -1):
        page.keyboard.press("ArrowLeft")
        assert step(opened) == k
    assert page.evaluate(SNAPSHOT) == first  # back to exactly the first state
    assert opened.requests == [] and opened.errors == []


def test_buttons_slider_play_and_inspecting_a_node(chromium, demo_page):  # noqa: F811
    opened = offline_page(chromium, demo_page)
    page = opened.page
    first = page.evaluate(SNAPSHOT)
    page.click("#last")
    assert step(opened) == 9 and "w.grad = -10" in page.inner_text("#grads")
    page.click("#prev")
    assert step(opened) == 8
    page.click("#first")
    assert page.evaluate(SNAPSHOT) == first
    page.click("#next")
    page.click("#next")
    assert step(opened) == 2 and "mul = mul(10, w)" in page.inner_text("#step")
    page.fill("#slider", "6")
    assert step(opened) == 6 and "Backward 2 of 5" in page.inner_text("#step")
    page.keyboard.press("End")
    assert step(opened) == 9
    page.keyboard.press("Home")
    assert page.evaluate(SNAPSHOT) == first
    # hovering a node shows its value and its gradient so far
    page.hover("#picture g.node:has(title:text-is('n0'))")
    assert "value: 0" in page.inner_text("#inspect") and "gradient: none yet" in page.inner_text("#inspect")
    page.click("#last")
    page.hover("#picture g.node:has(title:text-is('n0'))")
    assert "gradient: -10" in page.inner_text("#inspect")
    page.click("#first")
    page.click("#play")  # play runs to the end by itself
    for _ in range(100):  # the page's policy forbids eval, so poll from here instead of wait_for_function
        if step(opened) == 9:
            break
        page.wait_for_timeout(200)
    assert step(opened) == 9
    assert page.inner_text("#play") == "▶ play"
    assert opened.requests == [] and opened.errors == []


def test_clusters_collapse_and_expand_on_click(chromium, tmp_path):  # noqa: F811
    x = tl.tensor([[1.0, 2.0]], name="x")
    W = tl.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True, name="W")
    with tl.name_scope("layer"):
        y = (x @ W).tanh()
    loss = (y * y).sum()
    opened = offline_page(chromium, tl.animate(loss).save(tmp_path / "net.html"))
    page = opened.page
    hidden = "() => [...document.querySelectorAll('g.node.hide title')].map(t => t.textContent).sort()"
    assert page.evaluate(hidden) == []
    page.click("#picture g.cluster text")
    assert len(page.evaluate(hidden)) == 2  # matmul and tanh
    assert "▸ layer (2 nodes)" in page.inner_text("#picture")
    page.click("#picture g.cluster text")
    assert page.evaluate(hidden) == [] and "▾ layer" in page.inner_text("#picture")
    assert opened.requests == [] and opened.errors == []


def test_a_2000_op_graph_opens_collapsed_and_steps(chromium, tmp_path):  # noqa: F811
    x = tl.tensor(1.0, requires_grad=True, name="x")
    y = x
    for i in range(2000):
        with tl.name_scope(f"block{i // 100}"):
            y = y * 1.0001
    opened = offline_page(chromium, tl.animate(y).save(tmp_path / "big.html"))
    page = opened.page
    assert page.inner_text("#counter") == "step 0 / 4000"
    assert page.evaluate("document.querySelectorAll('g.node.hide').length") == 4000  # all but x, in 20 shut blocks
    page.keyboard.press("End")
    assert step(opened) == 4000 and "x.grad = 1.22" in page.inner_text("#grads")  # 1.0001**2000
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    assert step(opened) == 0 and "x.grad = nothing yet" in page.inner_text("#grads")
    assert opened.requests == [] and opened.errors == []
