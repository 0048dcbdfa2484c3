"""Tests for tinygrad_lite/viz.py: the graph's structure, its DOT source, files, and explain()."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import graphviz  # the tests draw, so they need it (the package itself imports it lazily)
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tinygrad_lite as tl
from tinygrad_lite import functional as F
from tinygrad_lite.viz import GraphvizNotFoundError, describe_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def quadratic(w0: float = 0.0) -> tuple[tl.Tensor, tl.Tensor]:
    w = tl.tensor(w0, requires_grad=True, name="w")
    return w, w**2 - 10 * w + 25


def layout(digraph: graphviz.Digraph) -> dict[str, Any]:
    """Let dot lay the graph out (JSON output) and fail on any warning; nodes, edges and clusters by name."""
    result = subprocess.run(["dot", "-Tjson"], input=digraph.source.encode("utf-8"), capture_output=True)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stderr == b"", result.stderr.decode(errors="replace")
    data = json.loads(result.stdout)
    objects = data.get("objects", [])
    clusters = objects[: data["_subgraph_cnt"]]
    nodes = {o["name"]: o for o in objects[data["_subgraph_cnt"] :]}
    by_gvid = {o["_gvid"]: o["name"] for o in objects}
    inside: dict[str, list[str]] = {name: [] for name in nodes}
    for cluster in clusters:  # outer clusters come first, so each list reads outermost first
        for gvid in cluster.get("nodes", []):
            inside[by_gvid[gvid]].append(html.unescape(cluster["label"]).replace("<B>", "").replace("</B>", ""))
    edges = [(by_gvid[e["tail"]], by_gvid[e["head"]], e.get("label", "").strip()) for e in data.get("edges", [])]
    return {"nodes": nodes, "edges": edges, "clusters": inside, "graph": data}


def label_text(node: dict[str, Any]) -> str:
    """A node's label as plain text: tags dropped, entities decoded, lines joined by newlines."""
    text = node["label"].replace("<BR/>", "\n")
    for tag in ("B", "I"):
        text = text.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    while "<FONT" in text:
        start = text.index("<FONT")
        text = text[:start] + text[text.index(">", start) + 1 :]
    return html.unescape(text.replace("</FONT>", ""))


# ----- structure -----------------------------------------------------------------------------------


def test_quadratic_graph_has_the_tensorflow_nodes_and_edges():
    _, cost = quadratic()
    graph = describe_graph(cost)
    kinds = {node.title: node.kind for node in graph.nodes}
    assert kinds == {
        "w": "variable",
        "2": "constant",
        "10": "constant",
        "25": "constant",
        "pow": "op",
        "mul": "op",
        "sub": "op",
        "cost": "op",
    }
    assert sorted(graph.titled_edges()) == sorted(
        [
            ("w", "pow", ""),
            ("2", "pow", ""),
            ("10", "mul", ""),
            ("w", "mul", ""),
            ("pow", "sub", ""),
            ("mul", "sub", ""),
            ("sub", "cost", ""),
            ("25", "cost", ""),
        ]
    )
    assert [node.title for node in graph.nodes if node.is_root] == ["cost"]
    assert graph.node("cost").tensor is cost and cost.op == "add"
    assert graph.left_out == 0


@needs_dot
def test_quadratic_dot_source_draws_kinds_differently_flowing_bottom_to_top():
    w, cost = quadratic()
    cost.backward()
    digraph = tl.draw_graph(cost)
    assert isinstance(digraph, graphviz.Digraph)
    laid_out = layout(digraph)
    assert laid_out["graph"]["rankdir"] == "BT"
    graph = describe_graph(cost)
    nodes = laid_out["nodes"]
    assert len(nodes) == 8 and len(laid_out["edges"]) == 8
    shape = {n.title: nodes[n.id]["shape"] for n in graph.nodes}
    fill = {n.title: nodes[n.id]["fillcolor"] for n in graph.nodes}
    assert {shape[t] for t in ("pow", "mul", "sub", "cost")} == {"ellipse"}
    assert shape["w"] == "box" and "rounded" in nodes[graph.node("w").id]["style"]
    assert shape["25"] == "box" and "rounded" not in nodes[graph.node("25").id]["style"]
    assert len({fill["w"], fill["25"], fill["mul"], fill["cost"]}) == 4  # variable, constant, op, root
    assert float(nodes[graph.node("cost").id]["penwidth"]) > 2  # the cost stands out
    # bottom to top: each input lies below the op that uses it (dot's y grows upwards)
    y = {name: float(node["pos"].split(",")[1]) for name, node in nodes.items()}
    for tail, head, _ in laid_out["edges"]:
        assert y[tail] < y[head]


def test_labels_show_values_and_gradients_only_when_asked():
    w, cost = quadratic()
    before = describe_graph(cost)
    assert ">grad " not in tl.draw_graph(cost).source  # no backward yet: nothing to show
    cost.backward()
    with_all = tl.draw_graph(cost).source
    assert "grad -10" in with_all and "value 25" in with_all
    assert ">grad " not in tl.draw_graph(cost, show_grads=False).source
    assert ">value " not in tl.draw_graph(cost, show_values=False).source
    assert len(before.nodes) == len(describe_graph(cost).nodes)


@needs_dot
def test_values_and_gradients_of_each_node_after_backward():
    w, cost = quadratic()
    cost.backward()
    graph = describe_graph(cost)
    nodes = layout(tl.draw_graph(cost))["nodes"]
    text = {n.title: label_text(nodes[n.id]) for n in graph.nodes}
    assert text["w"] == "w\nvalue 0\ngrad -10"
    assert text["mul"] == "mul\nvalue 0\ngrad -1"
    assert text["pow"] == "pow\na ** b\nvalue 0\ngrad 1"  # the operand order: w is a, 2 is b
    assert text["cost"] == "cost\nadd\nvalue 25\ngrad 1"
    assert text["10"] == "10" and text["25"] == "25" and text["2"] == "2"


@needs_dot
def test_arrays_show_shapes_on_edges_and_a_summary_not_their_numbers():
    rng = np.random.default_rng(0)
    X = tl.tensor(rng.normal(size=(500, 3072)), name="X")
    W = tl.tensor(0.0001 * rng.normal(size=(3072, 10)), requires_grad=True, name="W")
    loss = F.cross_entropy(X @ W, rng.integers(0, 10, size=500))
    loss.backward()
    digraph = tl.draw_graph(loss)
    assert len(digraph.source) < 5_000  # 1.5 million numbers, summarised
    laid_out = layout(digraph)
    titles = {n.id: n.title for n in describe_graph(loss).nodes}
    edges = {(titles[t], titles[h], label) for t, h, label in laid_out["edges"]}
    assert ("X", "matmul", "a: 500×3072") in edges  # X @ W: X is the left operand
    assert ("W", "matmul", "b: 3072×10") in edges
    assert ("matmul", "cost", "500×10") in edges
    graph = describe_graph(loss)
    w_label = label_text(laid_out["nodes"][graph.node("W").id])
    assert w_label.startswith("W\nvalue 3072×10, mean ") and "\ngrad 3072×10, mean " in w_label
    assert graph.node("cost").tensor.op == "cross_entropy"
    assert "cross_entropy" in label_text(laid_out["nodes"][graph.node("cost").id])


def test_unnamed_tensors_get_readable_unique_titles():
    a = tl.tensor([1.0, 2.0], requires_grad=True)
    b = tl.tensor([3.0, 4.0], requires_grad=True)
    c = tl.tensor(np.ones(2))
    y = ((a * b) * (a + c)).sum()
    titles = [node.title for node in describe_graph(y).nodes]
    assert titles == ["variable", "variable_1", "mul", "constant", "add", "mul_1", "cost"]
    y.name = "total"
    assert describe_graph(y).nodes[-1].title == "total"


def test_a_leaf_root_and_a_tensor_used_twice():
    x = tl.tensor(3.0, requires_grad=True, name="x")
    assert [(n.title, n.kind, n.is_root) for n in describe_graph(x).nodes] == [("x", "variable", True)]
    square = x * x
    assert describe_graph(square).titled_edges() == [("x", "cost", ""), ("x", "cost", "")]


# ----- name scopes ---------------------------------------------------------------------------------


def two_layer_net() -> tl.Tensor:
    rng = np.random.default_rng(1)
    X = tl.tensor(rng.normal(size=(8, 2)), name="X")
    W1 = tl.tensor(rng.normal(size=(2, 5)), requires_grad=True, name="W1")
    W2 = tl.tensor(rng.normal(size=(5, 3)), requires_grad=True, name="W2")
    with tl.name_scope("net"):
        with tl.name_scope("layer1"):
            hidden = (X @ W1).relu()
        with tl.name_scope("layer2"):
            scores = hidden @ W2
    with tl.name_scope("loss"):
        loss = F.cross_entropy(scores, rng.integers(0, 3, size=8))
    loss.backward()
    return loss


@needs_dot
def test_name_scopes_become_nested_clusters():
    loss = two_layer_net()
    graph = describe_graph(loss)
    clusters = layout(tl.draw_graph(loss))["clusters"]
    where = {node.title: clusters[node.id] for node in graph.nodes}
    assert where["relu"] == ["net", "layer1"]
    assert where["matmul"] == ["net", "layer1"]
    assert where["matmul_1"] == ["net", "layer2"]
    assert where["cost"] == ["loss"]
    assert where["W1"] == [] and where["X"] == []  # made outside any scope


@needs_dot
def test_collapsed_scopes_and_max_nodes_keep_big_graphs_small():
    loss = two_layer_net()
    collapsed = describe_graph(loss, collapse_scopes=True)
    assert {(n.title, n.kind) for n in collapsed.nodes} == {
        ("X", "constant"),
        ("W1", "variable"),
        ("W2", "variable"),
        ("net", "scope"),
        ("loss", "scope"),
    }
    assert collapsed.node("loss").is_root and collapsed.node("net").count == 3  # matmul, relu, matmul_1
    assert ("net", "loss", "8×3") in collapsed.titled_edges()
    layout(tl.draw_graph(loss, collapse_scopes=True))
    inner = describe_graph(loss, collapse_scopes=["net/layer1"])
    assert inner.node("layer1").scope == "net" and inner.node("matmul_1").kind == "op"
    layout(tl.draw_graph(loss, collapse_scopes=["net/layer1"]))
    with pytest.raises(ValueError, match="layer3"):
        describe_graph(loss, collapse_scopes=["net/layer3"])


@needs_dot
def test_max_nodes_keeps_the_nodes_nearest_the_root_and_counts_the_rest():
    x = tl.tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(5000):  # 10,001 tensors: an op and a constant per step
        y = y * 1.0001
    full = describe_graph(y)
    assert len(full.nodes) == 10_001
    assert len(tl.draw_graph(y).source) > 10_001 * 50
    small = describe_graph(y, max_nodes=20)
    assert small.left_out == 10_001 - 20 and len(small.nodes) == 21
    assert small.nodes[0].kind == "omitted" and small.nodes[0].count == small.left_out
    assert {n.title for n in small.nodes if n.kind == "op"} >= {"cost", "mul_4998", "mul_4990"}
    assert [e for e in small.edges if e.tail == "omitted"]  # the cut is visible
    laid_out = layout(tl.draw_graph(y, max_nodes=20))
    assert len(laid_out["nodes"]) == 21
    assert "9,981 left out" in html.unescape(laid_out["graph"]["label"])


def test_bad_arguments_are_named():
    _, cost = quadratic()
    with pytest.raises(ValueError, match="rankdir"):
        tl.draw_graph(cost, rankdir="up")
    with pytest.raises(ValueError, match="max_nodes"):
        tl.draw_graph(cost, max_nodes=0)
    with pytest.raises(TypeError, match="Tensor"):
        tl.draw_graph(np.ones(3))  # type: ignore[arg-type]


# ----- escaping ------------------------------------------------------------------------------------

nasty = st.sampled_from(['"', "\\", "<", ">", "{", "}", "|", "\n", "];", "[", "&amp;", "<B>", "\\N", "\x00", "-->"])
names = st.lists(st.one_of(st.text(max_size=8), nasty), max_size=6).map("".join)


@needs_dot
@given(variable=names, constant=names, root=names, scope=names.filter(lambda s: s and "/" not in s))
@example(variable='w"]; evil [shape=star', constant="\\", root="<<B>x</B>>", scope="a\\")
@example(variable="\ud800", constant="\n\r\t", root="}", scope="{")
def test_any_name_gives_valid_dot_without_injection(variable, constant, root, scope):
    with tl.name_scope(scope):
        w = tl.tensor([1.0, -2.0], requires_grad=True, name=variable)
        c = tl.tensor(3.0, name=constant)
        y = (w * c).sum()
    y.name = root
    y.backward()
    graph = describe_graph(y)
    laid_out = layout(tl.draw_graph(y))  # no error, no warning
    assert len(laid_out["nodes"]) == len(graph.nodes) == 4
    assert len(laid_out["edges"]) == len(graph.edges) == 3
    assert all(clusters == [laid_out["clusters"][graph.nodes[0].id][0]] for clusters in laid_out["clusters"].values())
    shown = label_text(laid_out["nodes"][graph.nodes[0].id]).split("\n")[0]
    if variable and variable.isprintable() and len(variable) < 40:
        assert shown == variable


# ----- files -------------------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_graph_picks_the_format_from_the_suffix(tmp_path, suffix, magic):
    _, cost = quadratic()
    cost.backward()
    path = tl.save_graph(cost, tmp_path / "pictures" / f"cost{suffix.upper()}")
    assert path.read_bytes().startswith(magic)


def test_save_graph_writes_dot_source_and_rejects_unknown_suffixes(tmp_path):
    _, cost = quadratic()
    path = tl.save_graph(cost, tmp_path / "cost.dot", show_values=False)
    assert path.read_text(encoding="utf-8") == tl.draw_graph(cost, show_values=False).source
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        tl.save_graph(cost, tmp_path / "cost.jpeg")
    with pytest.raises(ValueError, match="gif"):
        tl.save_graph(cost, tmp_path / "cost.svg", format="gif")
    assert tl.save_graph(cost, tmp_path / "graph.txt", format="dot").read_text(encoding="utf-8").startswith("digraph")


@needs_dot
def test_render_and_jupyter_display_work_as_in_the_graphviz_package(tmp_path):
    _, cost = quadratic()
    cost.backward()
    digraph = tl.draw_graph(cost)
    rendered = Path(digraph.render(tmp_path / "cost", format="svg"))
    assert rendered.read_text(encoding="utf-8").count('class="node"') == 8
    assert "image/svg+xml" in digraph._repr_mimebundle_()


def test_without_dot_the_dot_file_is_written_and_the_error_says_how_to_install(tmp_path, monkeypatch):
    _, cost = quadratic()
    cost.backward()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` to be found
    with pytest.raises(GraphvizNotFoundError) as caught:
        tl.save_graph(cost, tmp_path / "cost.svg")
    message = str(caught.value)
    for install in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert install in message
    assert isinstance(caught.value, graphviz.ExecutableNotFound)
    assert caught.value.dot_path == tmp_path / "cost.dot"
    assert (tmp_path / "cost.dot").read_text(encoding="utf-8") == tl.draw_graph(cost).source
    assert not (tmp_path / "cost.svg").exists()
    assert tl.draw_graph(cost).source.startswith("digraph")  # the source needs no dot


@pytest.mark.slow
@pytest.mark.integration
def test_the_package_imports_without_dot(tmp_path):
    script = "import tinygrad_lite as tl; w = tl.tensor(1.0, requires_grad=True); print(tl.draw_graph(w * 2).source)"
    env = {"PATH": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("digraph tinygrad_lite {")


# ----- explain -------------------------------------------------------------------------------------


def test_explain_writes_out_the_chain_rule_of_the_quadratic(capsys):
    w, cost = quadratic()
    cost.backward()
    table = tl.explain(cost)
    assert capsys.readouterr().out == table + "\n"
    rows = [(r.node, r.input, r.upstream.item(), r.local.item(), r.contribution.item()) for r in table.rows]
    assert rows[:3] == [("cost (add)", "sub", 1, 1, 1), ("sub", "pow", 1, 1, 1), ("sub", "mul", 1, -1, -1)]
    assert sorted(rows[3:]) == [("mul", "w", -1, 10, -10), ("pow", "w", 1, 0, 0)]
    # d cost / dw = 2*0 - 10 = -10: 0 from the pow path and -10 from the mul path
    assert sum(r.contribution for r in table.rows if r.input == "w") == w.grad == -10
    assert "w.grad = step 4 + step 5 = " in table and table.rstrip().endswith("= -10")
    assert w.grad == -10 and cost.grad == 1  # explaining changes nothing


def test_explain_at_another_point_and_after_two_backward_calls():
    w, cost = quadratic(3.0)  # d cost / dw = 2*3 - 10 = -4 = 6 (pow path) - 10 (mul path)
    cost.backward()
    to_w = {r.node: r.contribution.item() for r in tl.explain(cost, quiet=True).rows if r.input == "w"}
    assert to_w == {"pow": 6, "mul": -10}
    cost.backward()  # gradients accumulate; the table shows the accumulated ones
    table = tl.explain(cost, quiet=True)
    assert {r.node: r.contribution.item() for r in table.rows if r.input == "w"} == {"pow": 12, "mul": -20}
    assert "(its .grad also holds" not in table


def test_explain_notes_gradients_from_another_graph():
    w, cost = quadratic()
    (w * 3).backward()
    cost.backward()
    assert "w.grad = step 4 + step 5 = " in tl.explain(cost, quiet=True)
    assert "(its .grad also holds gradients from other backward passes)" in tl.explain(cost, quiet=True)


def test_explain_on_arrays_summarises_and_adds_up():
    rng = np.random.default_rng(2)
    x = tl.tensor(rng.normal(size=(4, 3)), requires_grad=True, name="x")
    W = tl.tensor(rng.normal(size=(3, 2)), requires_grad=True, name="W")
    y = ((x @ W).tanh() + x.sum(axis=1, keepdims=True)).sum()
    y.backward()
    table = tl.explain(y, quiet=True)
    to_x = [r for r in table.rows if r.input == "x"]
    assert len(to_x) == 2
    np.testing.assert_allclose(to_x[0].contribution + to_x[1].contribution, x.grad)
    (to_w,) = [r for r in table.rows if r.input == "W"]
    np.testing.assert_allclose(to_w.contribution, W.grad)
    tanh = next(r for r in table.rows if r.node == "tanh")
    np.testing.assert_allclose(tanh.local, 1 - np.tanh(x.data @ W.data) ** 2)  # elementwise: the derivative
    assert "4×3, mean" in table and "x.grad = step" in table


def test_explain_before_backward_says_what_to_do():
    _, cost = quadratic()
    with pytest.raises(RuntimeError, match=r"call \.backward\(\)"):
        tl.explain(cost)


# ----- clearer pictures: operand order, names, tiny arrays, model paths ------------------------------


@needs_dot
def test_operand_order_is_labelled_and_the_first_operand_drawn_first():
    w, cost = quadratic()
    graph = describe_graph(cost)
    titles = {n.id: n.title for n in graph.nodes}
    operands = {(titles[e.tail], titles[e.head]): e.operand for e in graph.edges}
    assert operands[("w", "pow")] == "a" and operands[("2", "pow")] == "b"
    assert operands[("pow", "sub")] == "a" and operands[("mul", "sub")] == "b"
    assert operands[("10", "mul")] == "" and operands[("w", "mul")] == ""  # mul commutes: no labels
    assert graph.node("sub").formula == "a − b" and graph.node("mul").formula is None
    laid_out = layout(tl.draw_graph(cost))
    x = {name: float(node["pos"].split(",")[0]) for name, node in laid_out["nodes"].items()}
    assert x[graph.node("w").id] < x[graph.node("2").id]  # pow(w, 2): w on the left
    assert x[graph.node("pow").id] < x[graph.node("mul").id]  # sub(pow, mul)
    assert {(t, h, label) for t, h, label in laid_out["edges"]} >= {
        (graph.node("w").id, graph.node("pow").id, "a"),
        (graph.node("2").id, graph.node("pow").id, "b"),
    }


def test_tiny_arrays_read_unambiguously():
    from tinygrad_lite.graph import summary

    assert summary(np.array([1.0, 2.0])) == "[1, 2]"
    assert summary(np.array([[1.0], [2.0]])) == "[[1], [2]]"
    assert summary(np.array([[1.0, 2.0]])) == "[[1, 2]]"
    assert summary(np.zeros((0, 3))) == "0×3 (empty)"
    assert summary(np.arange(6.0).reshape(2, 3)) == "2×3, mean 2.5 in [0, 5]"
    x = tl.tensor([1.0, 2.0], requires_grad=True, name="x")
    assert "value [1, 2]" in tl.draw_graph((x * x).sum()).source


def test_the_root_is_titled_by_its_name():
    w, cost = quadratic()
    cost.name = "J"
    graph = describe_graph(cost)
    assert graph.node("J").is_root and "cost" not in [n.title for n in graph.nodes]
    assert tl.draw_graph(cost).source.count("<B>J</B>") == 1
    cost.backward()
    assert tl.explain(cost, quiet=True).startswith("backward pass from J (add), in the order it ran (dJ/dJ = 1)")


def parameter(data: Any, path: str, name: str | None = None) -> tl.Tensor:
    """A parameter as nn.Module leaves it: ``_model_path`` says where it sits in the model."""
    p = tl.tensor(data, requires_grad=True, name=name)
    p._model_path = path
    return p


@needs_dot
def test_parameters_are_named_by_their_model_path_inside_their_modules_cluster():
    x = tl.tensor(np.ones((2, 3)), name="x")
    weight = parameter(np.ones((3, 4)), "fc1.weight")
    bias = parameter(np.zeros(4), "fc1.bias")
    inner = parameter(np.ones((4, 1)), "blocks.0.weight")
    named = parameter(np.ones(1), "blocks.0.bias", name="my_bias")  # a name the user gave wins
    with tl.name_scope("net"):  # the model was called inside a scope of the user's
        with tl.name_scope("fc1"):
            hidden = (x @ weight + bias).relu()
        with tl.name_scope("blocks.0"):
            out = hidden @ inner + named
    loss = out.sum()
    graph = describe_graph(loss)
    assert graph.node("fc1.weight").scope == "net/fc1" and graph.node("fc1.bias").scope == "net/fc1"
    assert graph.node("blocks.0.weight").scope == "net/blocks.0" and graph.node("my_bias").scope == "net/blocks.0"
    assert graph.cluster_titles == {"net": "net", "net/fc1": "fc1", "net/blocks.0": "blocks.0"}
    clusters = layout(tl.draw_graph(loss))["clusters"]
    assert clusters[graph.node("fc1.weight").id] == ["net", "fc1"]
    assert clusters[graph.node("my_bias").id] == ["net", "blocks.0"]
    # without an op scope of the module, the parameter gets its module's cluster of its own
    lone = parameter(np.ones(2), "head.0.weight")
    alone = describe_graph((lone * 2).sum())
    assert alone.node("head.0.weight").scope == "head/0"
    assert alone.cluster_titles == {"head": "head", "head/0": "head.0"}
    layout(tl.draw_graph((lone * 2).sum()))


# ----- without the graphviz package -----------------------------------------------------------------


def test_the_engine_works_without_the_graphviz_package_and_drawing_says_how_to_install_it():
    script = (
        "import sys; sys.modules['graphviz'] = None\n"
        "import tinygrad_lite as tl\n"
        "w = tl.tensor(0.0, requires_grad=True, name='w'); cost = w**2 - 10*w + 25; cost.backward()\n"
        "print(float(w.grad)); tl.explain(cost, quiet=True); print(len(tl.viz.describe_graph(cost).nodes))\n"
        "for draw in (lambda: tl.draw_graph(cost), lambda: tl.save_graph(cost, 'x.svg')):\n"
        "    try: draw()\n"
        "    except ImportError as error: print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["-10.0", "8"]
    assert len(lines) == 4 and all("needs the `graphviz` Python package" in line for line in lines[2:])
    assert all("pip install graphviz" in line and "apt-get install graphviz" in line for line in lines[2:])
