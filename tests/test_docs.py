"""Every ```python block in README.md and docs/*.md runs, and shows what it prints (so the docs cannot rot).

Blocks of one page run in order in one namespace, like a reader typing them in, in a scratch
folder (some write files). A block that defines a ``test_*`` function has it called.

**Printed values in comments are checked.** Each top-level statement of a block runs on its
own with its standard output captured; the output must match

- the comment at the end of the statement's line, when the statement is one line
  (``print(x.grad)   # [2. 4. 6.] = 2x``): the comment starts with the output, and anything
  after it that does not continue a number (``: ...``, ``= ...``, words) is commentary;
- or the comment lines right below the statement (no blank line between), one per output line,
  each again the output plus optional commentary; when their number differs from the number of
  output lines (a long line wrapped in two comments), all of them together must be exactly the
  output.

Matching compares tokens, so runs of spaces do not matter; a number matches when it differs by
at most one unit in the last digit the comment shows (integers exactly); ``…`` in a comment
stands for anything (``0.9933…``); a comment starting with ``about`` accepts 5% (or, for
magnitudes below 1e-6, a factor of 10).

A ```text block right after a python block (nothing but blank lines between) shows what the
block's last statement printed, line by line.

**Example runs are checked too.** A ```console block whose first line is
``$ python examples/NAME.py [options]`` runs that command (in a scratch folder) and must print
the lines below it, matched line by line in the same way.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import io
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
TEXT_AFTER = re.compile(r"\s*^```text\n(.*?)^```", re.DOTALL | re.MULTILINE)
CONSOLE = re.compile(r"^```console\n\$ python (examples/\S+\.py)([^\n]*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
TOKEN = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\w+|…|[^\w\s]")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def python_blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def shown_outputs(page: Path) -> dict[int, str]:
    """Python block number -> the ```text block right after it (nothing but blank lines between)."""
    text = page.read_text(encoding="utf-8")
    found = {}
    for number, block in enumerate(BLOCK.finditer(text), start=1):
        after = TEXT_AFTER.match(text, block.end())
        if after:
            found[number] = after.group(1)
    return found


# --- matching printed output against what a comment says -------------------------------------


def _number_matches(actual: str, expected: str, approx: bool) -> bool:
    a, e = float(actual), float(expected)
    if approx:
        if abs(e) < 1e-6:
            return abs(a) > 0 and abs(e) / 10 <= abs(a) <= abs(e) * 10
        return math.isclose(a, e, rel_tol=0.05)
    mantissa, _, exponent = expected.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if decimals == 0 and not exponent:
        return a == e  # an integer, or NumPy's `6.`, is exact
    unit = 10.0 ** (int(exponent or 0) - decimals)  # one unit in the last digit shown
    return abs(a - e) <= unit * (1 + 1e-9) or math.isclose(a, e, rel_tol=1e-12)


def _token_matches(actual: str, expected: str, approx: bool) -> bool:
    if actual == expected:
        return True
    if NUMBER.fullmatch(actual) and NUMBER.fullmatch(expected):
        return _number_matches(actual, expected, approx)
    return False


def output_matches(output: str, comment: str, prefix: bool) -> bool:
    """Whether ``comment`` shows ``output`` (``prefix``: followed by optional commentary)."""
    approx = comment.lstrip().startswith("about ")
    if approx:
        comment = comment.lstrip()[len("about ") :]
    actual, expected = TOKEN.findall(output), TOKEN.findall(comment)

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(actual):
            rest = [t for t in expected[j:]]
            while rest and rest[0] == "…":
                rest.pop(0)
            return not rest or (prefix and not NUMBER.fullmatch(rest[0]))
        if j == len(expected):
            return False
        if expected[j] == "…":
            return match(i, j + 1) or match(i + 1, j)
        return _token_matches(actual[i], expected[j], approx) and match(i + 1, j + 1)

    return bool(actual) and match(0, 0)


def lines_match(output_lines: list[str], comment_lines: list[str]) -> bool:
    if len(output_lines) == len(comment_lines):
        return all(output_matches(o, c, prefix=True) for o, c in zip(output_lines, comment_lines))
    return output_matches(" ".join(output_lines), " ".join(comment_lines), prefix=False)


def test_output_matching_rules() -> None:
    assert output_matches("[2. 4. 6.]", "[2. 4. 6.] = 2x", prefix=True)
    assert output_matches("[0.1192 0.5    0.9526]", "[0.1192 0.5 0.9526]: sigmoid(x)", prefix=True)
    assert output_matches("0.9933333333333333", "0.9933…: the training accuracy", prefix=True)
    assert output_matches("1.2e-17", "about 1e-17: the same numbers", prefix=True)
    assert output_matches("2.30258", "2.3026", prefix=True)  # rounding differs by one unit at most
    assert not output_matches("[2. 4. 7.]", "[2. 4. 6.] = 2x", prefix=True)
    assert not output_matches("57", "58 steps", prefix=True)
    assert not output_matches("1", "1 0.0", prefix=True)  # the output must not stop inside the values
    assert not output_matches("2.3046", "2.3026", prefix=True)
    assert not output_matches("0.0", "about 1e-17", prefix=True)
    assert lines_match(["a 1 b 2"], ["a 1", "b 2"]) and not lines_match(["a 1 b 3"], ["a 1", "b 2"])


# --- running a page's python blocks statement by statement ------------------------------------


@dataclass
class Expectation:
    line: int  # of the statement, in the block
    comment_lines: list[str]


def comments_of(block: str) -> dict[int, tuple[str, bool]]:
    """Line number -> (comment text, whether the line has nothing but the comment)."""
    found = {}
    lines = block.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(block).readline):
        if token.type == tokenize.COMMENT:
            line = token.start[0]
            alone = lines[line - 1][: token.start[1]].strip() == ""
            found[line] = (token.string[1:].strip(), alone)
    return found


def expectations(block: str, statement: ast.stmt, comments: dict[int, tuple[str, bool]]) -> Expectation | None:
    """What the comments say ``statement`` prints: its trailing comment, or the comment lines below it."""
    end = statement.end_lineno or statement.lineno
    below = []
    line = end + 1
    while line in comments and comments[line][1]:
        below.append(comments[line][0])
        line += 1
    if below:
        return Expectation(statement.lineno, below)
    if statement.lineno == end and end in comments and not comments[end][1]:
        return Expectation(statement.lineno, [comments[end][0]])
    return None


def unchecked_print_comments(block: str, tree: ast.Module, comments: dict[int, tuple[str, bool]]) -> list[int]:
    """Lines inside a compound statement that print and carry a comment: that comment cannot be checked."""
    top_level_single = {s.lineno for s in tree.body if s.lineno == s.end_lineno}
    lines = block.splitlines()
    return [
        n for n, (_, alone) in comments.items() if not alone and "print(" in lines[n - 1] and n not in top_level_single
    ]


def starts(statement: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def run_page(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": "docs_example"}
    shown = shown_outputs(page)
    for number, block in enumerate(python_blocks(page), start=1):
        where = f"{page.name}, python block {number}"
        tree = ast.parse(block)
        comments = comments_of(block)
        stray = unchecked_print_comments(block, tree, comments)
        assert not stray, (
            f"{where}: line(s) {stray} print inside a loop or function and say the value in a comment; "
            "show the output in comment lines below the whole statement instead, where it is checked"
        )
        outputs: list[str] = []
        for index, statement in enumerate(tree.body):
            code = compile(ast.Module(body=[statement], type_ignores=[]), where, "exec")
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(code, namespace)
            except Exception as error:
                raise AssertionError(
                    f"{where} failed at line {statement.lineno}: {error!r}\n{block}\n--- printed ---\n{out.getvalue()}"
                ) from error
            printed = out.getvalue()
            sys.stdout.write(printed)
            outputs.append(printed)
            expected = expectations(block, statement, comments)
            if expected is None:
                continue
            if statement.lineno != statement.end_lineno or (statement.end_lineno or 0) + 1 in comments:
                # comment lines below: they show what this statement and the ones right above it
                # (no blank line between, none with its own comment) printed together
                first = index
                while first > 0 and starts(tree.body[first]) == (tree.body[first - 1].end_lineno or 0) + 1:
                    if expectations(block, tree.body[first - 1], comments) is not None:
                        break
                    first -= 1
                printed = "".join(outputs[first : index + 1])
            if not printed.strip():
                continue
            output_lines = [line for line in printed.splitlines() if line.strip()]
            assert lines_match(output_lines, expected.comment_lines), (
                f"{where}, line {expected.line}: the comment says\n  "
                + "\n  ".join(expected.comment_lines)
                + "\nbut the code printed\n  "
                + "\n  ".join(output_lines)
                + "\n"
            )
        if number in shown:  # a ```text block right below shows what the block's last statement printed
            printed_lines = [line for line in outputs[-1].splitlines() if line.strip()]
            shown_lines = [line for line in shown[number].splitlines() if line.strip()]
            assert len(printed_lines) == len(shown_lines) and lines_match(printed_lines, shown_lines), (
                f"{where}: the text block below it shows\n" + shown[number] + "\nbut the code printed\n" + outputs[-1]
            )
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
                del namespace[name]


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run_and_print_what_they_say(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_page(page)


def test_a_wrong_comment_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = [1, 2]\nprint(sum(x))   # 3\nprint(len(x))   # 3: wrong\n```\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AssertionError, match=r"line 3: the comment says\s+3: wrong\s+but the code printed\s+2\s"):
        run_page(page)
    page.write_text("```python\nfor i in range(2):\n    print(i)\n# 0\n# 2\n```\n")
    with pytest.raises(AssertionError, match="the comment says"):
        run_page(page)
    page.write_text("```python\nfor i in range(2):\n    print(i)   # 0\n```\n")
    with pytest.raises(AssertionError, match="print inside a loop"):
        run_page(page)
    page.write_text("```python\nprint('a 1')\nprint('b 2')\n```\n\n```text\nb 3\n```\n")
    with pytest.raises(AssertionError, match="the text block below it shows"):
        run_page(page)


def test_the_readme_has_code_to_run() -> None:
    assert len(python_blocks(ROOT / "README.md")) >= 3


# --- example runs quoted in the docs ----------------------------------------------------------

CONSOLE_BLOCKS = [
    (page, script, options.strip(), body)
    for page in PAGES
    for script, options, body in CONSOLE.findall(page.read_text(encoding="utf-8"))
    if body.strip()
]


@functools.cache
def example_output(script: str, options: str) -> str:
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory() as scratch:  # files an example writes land here
        result = subprocess.run(
            [sys.executable, str(ROOT / script), *shlex.split(options)],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert result.returncode == 0, f"{script} {options} exited with {result.returncode}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("page", "script", "options", "body"),
    CONSOLE_BLOCKS,
    ids=[f"{p.name}::{s.split('/')[-1]} {o}".strip() for p, s, o, _ in CONSOLE_BLOCKS],
)
def test_example_output_quoted_in_the_docs(page: Path, script: str, options: str, body: str) -> None:
    source = (ROOT / script).read_text(encoding="utf-8")
    if "load_digits" in source and importlib.util.find_spec("sklearn") is None:
        pytest.skip(f"{script} prints these figures for the digits data, which needs scikit-learn")
    if "save_graph" in source and shutil.which("dot") is None:
        pytest.skip(f"{script} draws a graph with Graphviz's dot, which is not installed")
    printed = [line for line in example_output(script, options).splitlines() if line.strip()]
    shown = [line for line in body.splitlines() if line.strip()]
    assert len(printed) == len(shown) and lines_match(printed, shown), (
        f"{page.name}: `python {script} {options}` now prints\n"
        + "\n".join(printed)
        + "\n\nbut the page shows\n"
        + "\n".join(shown)
    )


def test_the_docs_quote_example_runs() -> None:
    assert {Path(s).name for _, s, _, _ in CONSOLE_BLOCKS} >= {"optimizers.py"}


def test_the_examples_page_covers_every_example() -> None:
    page = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    scripts = sorted(p.name for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
    missing = [name for name in scripts if f"$ python examples/{name}" not in page]
    assert not missing, f"docs/examples.md shows no run of {missing}: add a section with its output"
    assert "tour.ipynb" in page
