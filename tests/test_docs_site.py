"""The built documentation site works offline and typesets its formulas (headless Chromium).

Builds the site with ``mkdocs build --strict`` into a scratch folder (or uses the one named by
``TINYGRAD_LITE_SITE``), serves it on 127.0.0.1 and opens every page with every request to
another host aborted. Each page must load without one such attempt (no Google Fonts, no CDN)
and without a failed local request (KaTeX's scripts, styles and fonts are served by the site)
or a script error,
and the pages with formulas must show them typeset by KaTeX.

Needs the ``docs`` extra, KaTeX installed by ``make docs`` (npm), Chromium at /usr/bin/chromium
and the ``playwright`` Python package (never ``playwright install``: the system's Chromium is used).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .browser import skip_unless_ci

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
KATEX = ROOT / ".venv" / "npm" / "node_modules" / "katex" / "dist" / "katex.min.js"
# pages whose formulas must be typeset, and a few they must contain (in TeX)
MATH_PAGES = {
    "losses/index.html": 20,
    "optimization/index.html": 15,
    "gradient_checking/index.html": 8,
    "quadratic/index.html": 5,
    "autodiff/index.html": 3,
    "examples/index.html": 5,
}

if (importlib.util.find_spec("playwright") is None or not CHROMIUM.exists()) and not os.environ.get("CI"):
    pytest.skip(
        "the docs-site browser test needs Chromium at /usr/bin/chromium (apt-get install chromium) "
        "and the playwright package (pip install playwright)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("TINYGRAD_LITE_SITE")
    if given:
        return Path(given)
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocs_jupyter") is None:
        skip_unless_ci('building the site needs the docs extra: pip install -e ".[docs]" (make docs does it)')
    if not KATEX.exists() and "KATEX_DIST" not in os.environ:
        skip_unless_ci("building the site needs KaTeX from npm: run `make docs` once")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def pages_of(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.glob("**/index.html"))


def visit(browser, base: str, path: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Open one page offline: the external requests it attempted, its failed local ones, its math."""
    host = urlparse(base).netloc
    external: list[str] = []
    failed: list[str] = []
    script_errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(route, request) -> None:  # type: ignore[no-untyped-def]
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about") or url.netloc == host:
            route.continue_()
        else:
            external.append(request.url)
            route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda request: failed.append(request.url) if host in request.url else None)
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(base + path, wait_until="networkidle")
    page.wait_for_timeout(200)
    found = {
        "external": external,
        "failed": failed,
        "script_errors": script_errors,
        "katex": page.locator(".arithmatex .katex").count(),
        "untypeset": page.locator(".arithmatex:not(:has(.katex))").count(),
        "errors": page.locator(".katex-error").count(),
        "font_family": page.evaluate("getComputedStyle(document.body).fontFamily"),
    }
    context.close()
    return found


@pytest.fixture(scope="module")
def visits(browser, server: str, site: Path) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    return {path: visit(browser, server, path) for path in pages_of(site)}


def test_every_page_opens_offline(visits: dict[str, dict[str, object]]) -> None:
    assert set(MATH_PAGES) <= set(visits), f"pages missing from the site: {set(MATH_PAGES) - set(visits)}"
    for path, found in visits.items():
        assert not found["external"], f"{path} tried to reach the network: {found['external']}"
        assert not found["failed"], f"{path}: local requests failed: {found['failed']}"
        assert not found["script_errors"], f"{path}: script errors: {found['script_errors']}"
        assert "Roboto" not in str(found["font_family"]), f"{path} asks for the Roboto web font"


@pytest.mark.parametrize("path", sorted(MATH_PAGES))
def test_formulas_are_typeset(visits: dict[str, dict[str, object]], path: str) -> None:
    found = visits[path]
    assert int(found["katex"]) >= MATH_PAGES[path], f"{path}: only {found['katex']} typeset formulas"  # type: ignore[call-overload]
    assert found["untypeset"] == 0, f"{path}: {found['untypeset']} formulas left as raw TeX"
    assert found["errors"] == 0, f"{path}: KaTeX could not parse {found['errors']} formulas"
