"""Every ```python block in README.md and docs/*.md runs (so the docs cannot rot).

Blocks of one page run in order in one namespace, like a reader typing them in, in a
scratch folder (some write files). A block that defines a ``test_*`` function has it called.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for number, block in enumerate(python_blocks(page), start=1):
        try:
            exec(compile(block, f"{page.name}, python block {number}", "exec"), namespace)
            for name, value in list(namespace.items()):
                if name.startswith("test_") and callable(value):
                    value()
                    del namespace[name]
        except Exception as error:
            raise AssertionError(f"{page.name}, python block {number} failed: {error!r}\n{block}") from error


def test_the_readme_has_code_to_run() -> None:
    assert len(python_blocks(ROOT / "README.md")) >= 3
