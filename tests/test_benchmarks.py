"""benchmarks/: every contender computes the NumPy reference's loss and gradients at step 0, and the
smoke run writes its results. No timing is asserted anywhere: the numbers depend on the machine
and its load. The optional contenders (torch, HIPS autograd, micrograd) are skipped when absent.
"""

import importlib
import json
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_lite as tl
from benchmarks import arrays, report, scalar
from benchmarks.harness import (
    CHECK_TOLERANCE,
    OPTIONAL,
    Training,
    relative_difference,
    step0_difference,
    tracked_objects,
)

ROOT = Path(__file__).resolve().parent.parent

WORKLOADS = {  # id -> (build, dtype)
    "W1": (scalar.build_quadratic, np.float64),
    "W2": (partial(arrays.build_linear, "softmax", np.float64), np.float64),
    "W2-float32": (partial(arrays.build_linear, "softmax", np.float32), np.float32),
    "W3": (partial(arrays.build_linear, "hinge", np.float64), np.float64),
    "W3-float32": (partial(arrays.build_linear, "hinge", np.float32), np.float32),
    "W4": (partial(arrays.build_net, np.float64), np.float64),
    "W4-float32": (partial(arrays.build_net, np.float32), np.float32),
    "W5": (scalar.build_small, np.float64),
    "W6": (partial(scalar.build_chain, 10**3), np.float64),
}


def optional_module(name: str) -> dict[str, Any]:
    """{name: module} for an optional contender, skipping the test when it is not installed."""
    if name not in OPTIONAL:
        return {}
    pytest.importorskip(OPTIONAL[name])
    return {name: importlib.import_module(name)}


@pytest.mark.parametrize("contender", ["best numpy", "minimal engine", "tinygrad_lite", *OPTIONAL])
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_step0_loss_and_gradients_equal_the_numpy_reference(workload: str, contender: str) -> None:
    build, dtype = WORKLOADS[workload]
    built = build(optional_module(contender))
    if contender not in built:
        pytest.skip(f"{contender} has no {workload}")
    if isinstance(built[contender], str):
        pytest.skip(f"{contender}: {built[contender]}")
    difference = step0_difference(built[contender], built["numpy"])
    assert difference < CHECK_TOLERANCE[np.dtype(dtype)], f"{contender} differs from NumPy by {difference:.2e}"


@pytest.mark.parametrize("workload", ["W2-float32", "W3-float32", "W4-float32"])
def test_tinygrad_lite_keeps_float32_end_to_end(workload: str) -> None:
    build, _ = WORKLOADS[workload]
    contender = build({})["tinygrad_lite"]
    loss, grads = contender.check()
    assert all(np.asarray(g).dtype == np.float32 for g in grads)
    contender.run()  # SGD steps keep the parameters float32 too
    assert all(np.asarray(g).dtype == np.float32 for g in contender.check()[1])


def test_relative_difference_and_a_wrong_gradient_fails_the_check() -> None:
    a = [1.0, np.array([2.0, -4.0])]
    assert relative_difference(a, a) == 0.0
    assert relative_difference([1.0, np.array([2.0, -4.0 + 4e-8])], a) == pytest.approx(1e-8, rel=1e-6)
    assert relative_difference([np.zeros(2)], [np.zeros(3)]) == float("inf")
    assert relative_difference([np.array([np.nan])], [np.array([1.0])]) == float("inf")

    built = scalar.build_quadratic({})
    right = built["tinygrad_lite"]
    wrong = Training(lambda: (right.check()[0], [right.check()[1][0] * (1 + 1e-6)]), lambda: None)
    assert step0_difference(wrong, built["numpy"]) == pytest.approx(1e-6, rel=1e-3)


def test_the_float64_weight_gradient_of_a_tall_product_takes_the_faster_orientation() -> None:
    # ops.MatMul.backward computes a.T @ grad as (grad.T @ a).T for a long reduction into a tall,
    # thin float64 result (W2's shape): equal up to rounding, bit for bit the second orientation.
    rng = np.random.default_rng(0)
    X, g = rng.standard_normal((500, 3073)), rng.standard_normal((500, 10))
    W = tl.tensor(np.zeros((3073, 10)), requires_grad=True)
    (tl.tensor(X) @ W).backward(g)
    assert W.grad is not None and W.grad.flags.c_contiguous
    np.testing.assert_array_equal(W.grad, (g.T @ X).T)
    np.testing.assert_allclose(W.grad, X.T @ g, rtol=0, atol=1e-12 * np.abs(X.T @ g).max())
    X32, g32 = X.astype(np.float32), g.astype(np.float32)  # float32 keeps X.T @ grad
    W32 = tl.tensor(np.zeros((3073, 10), dtype=np.float32), requires_grad=True)
    (tl.tensor(X32) @ W32).backward(g32)
    np.testing.assert_array_equal(W32.grad, X32.T @ g32)


def test_tracked_objects_counts_what_the_result_keeps_alive() -> None:
    assert tracked_objects(lambda: [[] for _ in range(10)]) == 11  # the outer list and ten inner ones
    assert tracked_objects(lambda: "text" * 1000) == 0  # strings hold no references: never tracked


def test_missing_optional_contenders_are_reported_not_fatal() -> None:
    workload = next(w for w in scalar.workloads(quick=True) if w.key == "W1")
    row = report.run_workload(workload, {}, rounds=1)
    assert set(row["cells"]) == {"numpy", "minimal engine", "tinygrad_lite"}
    assert row["targets"] == [{"versus": "micrograd", "name": "micrograd", "limit": 1.0, "ratio": None, "met": None}]
    line = report.table([row], {})[1]
    assert line[0].startswith("W1") and line.count("not installed") == 3 and line[-1] == "n/a"


def test_only_refuses_unknown_workloads(capsys: pytest.CaptureFixture[str]) -> None:
    assert report.parse_arguments(["--quick", "--only", "w2, mem"]).only == {"W2", "MEM"}
    with pytest.raises(SystemExit) as exit_info:
        report.parse_arguments(["--only", "W9"])
    assert exit_info.value.code == 2 and "W9" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.integration
def test_quick_run_prints_the_ratios_and_writes_the_results_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "W1,W3,W6,MEM", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    header = next(line for line in result.stdout.splitlines() if line.startswith("workload"))
    for column in (
        "tinygrad_lite", "numpy", "best numpy", "minimal engine", "torch", "autograd", "micrograd", "target", "result"
    ):
        assert column in header
    rows = json.loads((tmp_path / "bench_results.json").read_text(encoding="utf-8"))["rows"]
    labels = [row["label"] for row in rows]
    assert [label.split()[0] for label in labels] == ["W1", "W3", "W3", "W6", "W6", "W6", "W6", "MEM"]
    assert "W6 per-op cost, 10^4 ÷ 10^3 ops" in labels
    objects = next(row for row in rows if "GC-tracked" in row["label"])["own"]
    assert objects["tinygrad_lite"]["value"] >= 1 and objects["numpy"]["value"] < 0.01
    w3 = rows[1]
    assert w3["step0"]["tinygrad_lite"] < 1e-9 and w3["ratios"]["best numpy"]["median"] > 0
    markdown = (tmp_path / "bench_results.md").read_text(encoding="utf-8")
    assert "| workload | unit | tinygrad_lite |" in markdown and "do not edit by hand" in markdown
