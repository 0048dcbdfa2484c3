"""benchmarks/: the smoke run works end to end (step-0 checks pass, the table is printed).

No timing is asserted anywhere: the numbers depend on the machine and on its load.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_benchmarks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )


def test_quick_run_passes_its_checks_and_prints_the_table(tmp_path: Path) -> None:
    markdown = tmp_path / "table.md"
    result = run_benchmarks("--quick", "--markdown", str(markdown))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "BLAS pinning" in out and "OPENBLAS_NUM_THREADS" in out
    assert "step-0 checks" in out and "FAILED" not in out
    header = next(line for line in out.splitlines() if line.startswith("workload"))
    for column in ("unit", "numpy", "tinygrad_lite", "vs NumPy", "target", "result"):
        assert column in header
    for row in ("W1 ", "W2 ", "W3 ", "W4 ", "W5 ", "W6 ", "MEM "):
        assert any(line.startswith(row) for line in out.splitlines()), f"no {row.strip()} row in:\n{out}"
    assert "| workload |" in markdown.read_text(encoding="utf-8")


def test_only_selects_workloads_and_unknown_names_are_refused() -> None:
    result = run_benchmarks("--quick", "--only", "w1")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line[:2] in ("W1", "W2", "W3", "W4", "W5", "W6", "ME")]
    assert rows and all(line.startswith("W1") for line in rows)

    refused = run_benchmarks("--only", "W9")
    assert refused.returncode == 2 and "W9" in refused.stderr


def test_missing_optional_contenders_are_reported_not_fatal(tmp_path: Path) -> None:
    # Modules earlier on the path that fail to import stand in for packages that are not installed.
    for name in ("torch", "autograd", "micrograd"):
        (tmp_path / f"{name}.py").write_text("raise ImportError('hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = run_benchmarks("--quick", "--only", "W1,W5", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("torch", "autograd", "micrograd"):
        assert f"{name}: not installed" in result.stdout
    assert "not installed" in next(line for line in result.stdout.splitlines() if line.startswith("W1"))


def test_a_wrong_gradient_fails_the_step0_check_and_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import optional, quadratic, runner
    from benchmarks.harness import Gradients, check_step0, relative_difference

    assert relative_difference([1.0, np.array([2.0, -4.0])], [1.0, np.array([2.0, -4.0])]) == 0.0
    assert abs(relative_difference([1.0, np.array([2.0, -4.0 + 4e-8])], [1.0, np.array([2.0, -4.0])]) - 1e-8) < 1e-15
    assert relative_difference([np.zeros(2)], [np.zeros(3)]) == float("inf")

    class Wrong(quadratic.TinygradQuadratic):
        def loss_and_grads(self) -> tuple[float, Gradients]:
            loss, (grad,) = super().loss_and_grads()
            return loss, [np.asarray(grad) * (1 + 1e-6)]

    checks = check_step0({"numpy": quadratic.NumpyQuadratic(), "tinygrad_lite": Wrong()})
    difference = checks["tinygrad_lite"].difference
    assert not checks["tinygrad_lite"].passed and difference is not None and 9e-7 < difference < 1.1e-6

    monkeypatch.setattr(quadratic, "TinygradQuadratic", Wrong)
    monkeypatch.setattr(optional, "PACKAGES", {})  # no optional contenders: keep this in-process run small
    assert runner.main(["--quick", "--only", "W1"]) == 1
    assert "step-0 equality check FAILED for: tinygrad_lite in W1" in capsys.readouterr().out
