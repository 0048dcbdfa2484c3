"""examples/tour.ipynb is stored with its outputs, runs top to bottom, and still shows what a fresh run shows.

The notebook is stored executed, so that a code host shows its outputs. After changing it, store
fresh outputs with

    .venv/bin/python tests/test_notebook.py --store
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "tour.ipynb"
KERNEL = "tinygrad-lite-test"
# The figures a reader checks against the text, by the pattern that finds them in the outputs.
KEY_VALUES = {
    "w.grad at w = 0": r"^(-?[\d.]+)$",
    "w after gradient descent": r"w = ([\d.]+)",
    "training accuracy": r"training accuracy ([\d.]+)",
    "the drawn loss": r"loss ([\d.]+), norm",
    "the first layer's weight gradient": r"weight gradient ([\d.]+)",
}
# Run after the notebook: are the gradients the last cell drew those of its one loss?
FRESH_GRADIENTS_CHECK = """
import numpy as np
drawn = [p.grad.copy() for p in model.parameters()]
model.zero_grad()
F.cross_entropy(model(X), y).backward()
print("fresh gradients:", all(np.allclose(a, p.grad, rtol=0, atol=1e-12) for a, p in zip(drawn, model.parameters())))
"""


def outputs_text(cell: Any) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def key_values(nb: Any) -> dict[str, str]:
    text = "\n".join(outputs_text(cell) for cell in nb.cells if cell.cell_type == "code")
    found = {}
    for name, pattern in KEY_VALUES.items():
        match = re.search(pattern, text, re.MULTILINE)
        assert match, f"the notebook's outputs do not show {name} (pattern {pattern!r}):\n{text}"
        found[name] = match.group(1)
    return found


def execute(nb: Any, workdir: Path) -> None:
    """Run ``nb`` in place in a kernel on this very interpreter (the venv's), whatever kernels are installed."""
    spec_dir = workdir / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "MPLBACKEND", "PYTHONPATH")}
    os.environ["JUPYTER_PATH"] = str(workdir / "jupyter")
    os.environ["MPLBACKEND"] = "Agg"
    paths = [str(ROOT), *filter(None, (saved["PYTHONPATH"] or "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)  # the package even when it is not installed
    try:
        client = nbclient.NotebookClient(
            nb, kernel_name=KERNEL, timeout=120, record_timing=False, resources={"metadata": {"path": str(workdir)}}
        )
        client.execute()  # raises CellExecutionError if any cell fails
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for cell in nb.cells:  # a picture's text form holds a memory address that changes with every run
        for out in cell.get("outputs", []):
            if "image/svg+xml" in out.get("data", {}):
                out["data"].pop("text/plain", None)


def test_tour_notebook_is_stored_with_its_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), f"store it run top to bottom once: {counts}"
    assert all(cell.outputs for cell in code_cells[1:]), "every cell after the imports shows an output"
    assert not [o for c in code_cells for o in c.outputs if o.get("output_type") == "error"]
    assert "0x7f" not in NOTEBOOK.read_text(encoding="utf-8"), "memory addresses make every run a diff"
    assert key_values(nb)["w.grad at w = 0"] == "-10.0"  # 2w - 10 at w = 0


def test_the_last_cell_draws_fresh_gradients() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    last = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    lines = last.source.splitlines()
    zero = [i for i, line in enumerate(lines) if "zero_grad()" in line]
    backward = [i for i, line in enumerate(lines) if ".backward()" in line]
    assert zero and backward and zero[0] < backward[0], "clear the training step's gradients before backward"


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.skipif(shutil.which("dot") is None, reason="the inline graphs need Graphviz's dot")
def test_tour_notebook_runs_and_its_stored_outputs_match(tmp_path: Path) -> None:
    stored = nbformat.read(NOTEBOOK, as_version=4)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FRESH_GRADIENTS_CHECK))
    execute(nb, tmp_path)

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code_cells:
        errors = [out for out in cell.outputs if out.get("output_type") == "error"]
        assert not errors, f"cell errored:\n{cell.source}\n{errors}"
    assert "fresh gradients: True" in outputs_text(code_cells[-1]), outputs_text(code_cells[-1])

    fresh = key_values(nb)
    assert fresh == key_values(stored), "the stored outputs are stale: run tests/test_notebook.py --store"
    assert float(fresh["training accuracy"]) >= 0.9
    assert float(fresh["w after gradient descent"]) == pytest.approx(5, abs=1e-3)  # the minimum
    assert float(fresh["w.grad at w = 0"]) == -10.0

    graph_cells = [cell for cell in code_cells if cell.source.rstrip().endswith("tl.draw_graph(cost)")]
    assert graph_cells, "no cell ends with tl.draw_graph(cost)"
    assert any("image/svg+xml" in out.get("data", {}) for out in graph_cells[0].outputs)
    scoped = [cell for cell in code_cells if cell.source.rstrip().endswith("tl.draw_graph(loss)")]
    assert scoped and any("image/svg+xml" in out.get("data", {}) for out in scoped[0].outputs)


if __name__ == "__main__" and sys.argv[1:] == ["--store"]:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        execute(notebook, Path(scratch))
    nbformat.validate(notebook)
    nbformat.write(notebook, NOTEBOOK)
    print(f"stored {NOTEBOOK.relative_to(ROOT)} with fresh outputs")
