"""The package as users get it: build the wheel, install it into a fresh venv, run the CLI.

This proves what the editable install of the test venv cannot: the wheel holds every module
and ``py.typed``, its declared dependencies (numpy, graphviz) are enough to run, and the
``tinygrad-lite`` console script works. Needs PyPI (or the machine's configured index) to
fetch the dependencies; skipped, saying so, only when pip cannot reach the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Words pip and its HTTP stack print when the index cannot be reached at all (not when a
# requirement is merely unsatisfiable, which is a real packaging error and must fail).
NETWORK_ERRORS = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Max retries exceeded",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ProxyError",
    "Connection refused",
)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def skip_if_offline(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Skip when ``result`` failed because the package index is unreachable; fail on anything else."""
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    if any(marker in output for marker in NETWORK_ERRORS):
        pytest.skip(f"{what}: the package index (PyPI) is unreachable, so the wheel's dependencies cannot be fetched")
    pytest.fail(f"{what} failed (exit {result.returncode}):\n{output}")


def clean_env() -> dict[str, str]:
    """The environment without this test venv's traces, so the fresh venv stands on its own."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (so no build/ or egg-info lands in the repo)."""
    pytest.importorskip("build", reason="the `build` package is not installed (pip install -e '.[dev]')")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "tinygrad_lite", src / "tinygrad_lite", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)], cwd=src, env=clean_env())
    skip_if_offline(result, "python -m build --wheel")
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, got {wheels}"
    return wheels[0]


@pytest.mark.slow
@pytest.mark.integration
def test_wheel_holds_the_package_the_type_marker_and_the_license(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tinygrad_lite/py.typed" in names
    modules = {f"tinygrad_lite/{p.name}" for p in (REPO / "tinygrad_lite").glob("*.py")}
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(metadata_name).decode()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Requires-Dist: numpy" in metadata and "Requires-Dist: graphviz" in metadata


@pytest.mark.slow
@pytest.mark.integration
def test_wheel_installs_into_a_fresh_venv_and_the_cli_runs(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = clean_env()
    result = run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")

    # bounded retries and timeout: an unreachable index fails in seconds, with pip's network warning
    pip_install = [str(python), "-m", "pip", "install", "--quiet", "--retries", "2", "--timeout", "15"]
    result = run([*pip_install, str(wheel)], cwd=tmp_path, env=env)
    skip_if_offline(result, "pip install of the wheel into a fresh venv")

    # the installed copy, not the repository's, is the one that runs
    result = run([str(python), "-c", "import tinygrad_lite, sys; print(tinygrad_lite.__file__)"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve().is_relative_to(venv.resolve())

    script = bin_dir / ("tinygrad-lite.exe" if os.name == "nt" else "tinygrad-lite")
    out = tmp_path / "g.svg"
    result = run([str(script), "demo", "--out", str(out)], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "after     1 step : w = 0.10000000" in result.stdout
    assert "after  1001 steps: w = 4.99999999" in result.stdout
    assert [float(w) for w in re.findall(r"w = (-?\d+\.\d+)", result.stdout)] == [0.1, 4.99999999]
    if shutil.which("dot") is not None:
        assert out.is_file() and "<svg" in out.read_text()
    else:  # without Graphviz the demo saves the DOT source instead and says so
        assert "Graphviz's dot program was not found" in result.stdout + result.stderr
