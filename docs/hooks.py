"""MkDocs hook: serve KaTeX from the built site itself, so that the pages need no network.

`make docs` installs the KaTeX package from the npm registry into ``.venv/npm`` (see the
Makefile's ``KATEX_VERSION``); after the build this hook copies its ``katex.min.js``,
``katex.min.css`` and ``fonts/`` into ``site/assets/katex``, where ``mkdocs.yml``'s
``extra_javascript`` and ``extra_css`` point. ``KATEX_DIST`` may name another copy of KaTeX's
``dist`` folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

FILES = ("katex.min.js", "katex.min.css", "fonts")


def katex_dist(config: Any) -> Path:
    root = Path(config["config_file_path"]).resolve().parent
    dist = Path(os.environ.get("KATEX_DIST", root / ".venv" / "npm" / "node_modules" / "katex" / "dist"))
    missing = [name for name in FILES if not (dist / name).exists()]
    if missing:
        raise PluginError(
            f"KaTeX not found in {dist} (missing {', '.join(missing)}): run `make docs`, which installs it "
            "with `npm install --prefix .venv/npm katex`, or set KATEX_DIST to KaTeX's dist folder"
        )
    return dist


def on_config(config: Any) -> Any:
    katex_dist(config)  # fail before building when KaTeX is missing, not after
    return config


def on_post_build(config: Any) -> None:
    dist = katex_dist(config)
    target = Path(config["site_dir"]) / "assets" / "katex"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        source = dist / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / name)
