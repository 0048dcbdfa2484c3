"""Headless Chromium for the tests: Playwright driving the system's browser, never downloading one.

`chromium` is a pytest fixture (one browser for the whole session); `offline_page` opens a
page that blocks and records every network request and collects script errors. When
Playwright or Chromium is missing the tests using them skip, saying how to get them.
Import the fixture into a test module: ``from tests.browser import chromium, offline_page``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_GET = (
    "the browser tests need Debian's chromium and the playwright package: `make setup` installs both "
    "(as root it runs `apt-get install chromium`; otherwise `sudo apt-get install chromium` and "
    "`pip install -e '.[dev]'`); never `playwright install`, the system browser is used"
)


def skip_unless_ci(reason: str) -> None:
    """Skip with ``reason`` on a developer's machine; in CI (``CI`` set) a missing tool is a failure,
    so the browser tests can never silently not run there."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), or a skip saying how to get one."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_unless_ci(f"playwright is not installed: {HOW_TO_GET}")
    if not Path(CHROMIUM).exists():
        skip_unless_ci(f"no chromium at {CHROMIUM}: {HOW_TO_GET}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflinePage:
    """A page whose every network request is aborted and recorded, with the script errors it raised."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def offline_page(browser: Any, path: Path, width: int = 1200, height: int = 800) -> OfflinePage:
    """Open ``path`` (a local file) with the network cut off: any request but the file itself is
    aborted and listed in ``.requests``; page errors and console errors go to ``.errors``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = OfflinePage(page)
    url = path.resolve().as_uri()

    def route(request_route: Any) -> None:
        if request_route.request.url == url:
            request_route.continue_()
        else:
            opened.requests.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and opened.errors.append(f"console: {message.text}"))
    page.goto(url)
    return opened
