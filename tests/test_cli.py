"""Tests for the command line (tinygrad_lite/__main__.py) and examples/quadratic.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_lite.__main__ import main

REPO = Path(__file__).resolve().parents[1]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def run(args: list[str], cwd: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def printed_w(output: str) -> list[float]:
    return [float(w) for w in re.findall(r"w = (-?\d+\.\d+)", output)]


@pytest.mark.slow
@pytest.mark.integration
@needs_dot
def test_demo_prints_the_course_numbers_and_writes_the_svg(tmp_path):
    result = run(["-m", "tinygrad_lite", "demo", "--out", "tmp/x.svg"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    after_one, after_many = printed_w(result.stdout)
    assert after_one == 0.1
    assert after_many == pytest.approx(4.99999999, abs=1e-8)
    assert "after     1 step : w = 0.10000000" in result.stdout
    assert "after  1001 steps: w = 4.99999999" in result.stdout
    svg = tmp_path / "tmp" / "x.svg"
    assert str(svg.resolve()) in result.stdout
    text = svg.read_text(encoding="utf-8")
    assert text.count('class="node"') == 8  # w, 2, 10, 25, pow, mul, sub, add
    assert "grad &#45;10" in text and "value 0" in text  # drawn after the first backward, before the update


@pytest.mark.slow
@pytest.mark.integration
@needs_dot
def test_demo_writes_cost_graph_svg_in_the_current_directory_by_default(tmp_path):
    result = run(["-m", "tinygrad_lite", "demo", "--steps", "0"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cost_graph.svg").stat().st_size > 0
    assert "cost_graph.svg" in result.stdout


def test_demo_learning_rate_and_steps(tmp_path, capsys):
    # w <- w - 0.1 (2w - 10) = 0.8 w + 1: w_n = 5 (1 - 0.8**n), so 1 after one step, 3.68928 after 6
    assert main(["demo", "--lr", "0.1", "--steps", "5", "--out", str(tmp_path / "g.dot")]) == 0
    out = capsys.readouterr().out
    assert "learning rate 0.1" in out
    assert printed_w(out) == [1.0, pytest.approx(5 * (1 - 0.8**6), abs=1e-8)]
    assert "after     6 steps: w = 3.68928000" in out
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")


def test_demo_explain_prints_the_chain_rule(tmp_path, capsys):
    assert main(["demo", "--steps", "0", "--explain", "--out", str(tmp_path / "g.dot")]) == 0
    out = capsys.readouterr().out
    assert "w.grad = step 4 + step 5 = (-10) + 0 = -10" in out


def test_demo_rejects_bad_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--steps", "-1"])
    assert exit_info.value.code == 2 and "--steps must be >= 0" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "graph.jpeg")])
    assert exit_info.value.code == 2 and ".svg, .png, .pdf, .dot" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.integration
def test_demo_without_dot_writes_the_dot_file_and_a_hint(tmp_path):
    empty = tmp_path / "no-programs-here"
    empty.mkdir()
    result = run(["-m", "tinygrad_lite", "demo", "--out", "x.svg"], cwd=tmp_path, path=str(empty))
    assert result.returncode == 0, result.stderr
    assert printed_w(result.stdout)[0] == 0.1  # the demo itself still runs
    assert (tmp_path / "x.dot").read_text(encoding="utf-8").startswith("digraph tinygrad_lite {")
    assert not (tmp_path / "x.svg").exists()
    for install in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert install in result.stdout
    assert str((tmp_path / "x.dot").resolve()) in result.stdout


@pytest.mark.slow
@pytest.mark.integration
@needs_dot
def test_quadratic_example_step_by_step(tmp_path):
    result = run([str(REPO / "examples" / "quadratic.py"), "--quick", "--out", "graphs/q.svg"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dcost/dw = -10.0" in result.stdout
    assert "w.grad = step 4 + step 5 = (-10) + 0 = -10" in result.stdout
    assert "after 1 step: w = 0.10000000" in result.stdout
    assert f"after 11 steps: w = {5 * (1 - 0.98**11):.8f}" in result.stdout
    assert (tmp_path / "graphs" / "q.svg").read_text(encoding="utf-8").count('class="node"') == 8
