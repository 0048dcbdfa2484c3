"""examples/tour.ipynb runs top to bottom in a kernel on this Python, and shows what it promises."""

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "tour.ipynb"
KERNEL = "tinygrad-lite-test"


def outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def test_tour_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the notebook's outputs"


@pytest.mark.skipif(shutil.which("dot") is None, reason="the inline graphs need Graphviz's dot")
def test_tour_notebook_runs(tmp_path, monkeypatch):
    # A kernelspec that starts this very interpreter (the venv's), whatever kernels are installed.
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (tinygrad_lite test)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))  # the package even when it is not installed

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL, timeout=60, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code_cells:
        errors = [out for out in cell.outputs if out.get("output_type") == "error"]
        assert not errors, f"cell errored:\n{cell.source}\n{errors}"

    text = "\n".join(outputs_text(cell) for cell in code_cells)
    match = re.search(r"training accuracy ([\d.]+)", text)
    assert match, f"no training accuracy printed:\n{text}"
    assert float(match.group(1)) >= 0.9

    w = re.search(r"w = ([\d.]+)", text)
    assert w and float(w.group(1)) == pytest.approx(5, abs=1e-3), text  # gradient descent found the minimum

    graph_cells = [cell for cell in code_cells if cell.source.rstrip().endswith("tl.draw_graph(cost)")]
    assert graph_cells, "no cell ends with tl.draw_graph(cost)"
    assert any("image/svg+xml" in out.get("data", {}) for out in graph_cells[0].outputs)
    scoped = [cell for cell in code_cells if cell.source.rstrip().endswith("tl.draw_graph(loss)")]
    assert scoped and any("image/svg+xml" in out.get("data", {}) for out in scoped[0].outputs)
