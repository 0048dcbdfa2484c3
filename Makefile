# `make demo` and `make test` set everything up on a fresh machine, then run.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup graphviz chromium demo test lint bench docs clean

setup: $(STAMP) graphviz chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Graphviz's `dot` renders the graph pictures; install it when we can, else say how.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Graphviz (dot) with apt-get"; \
	    (apt-get install -y -qq graphviz >/dev/null || (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null)); \
	  else \
	    echo "hint: graph pictures need Graphviz's dot: sudo apt-get install graphviz (or brew/conda install graphviz)"; \
	  fi; }

# The player's browser tests drive Debian's chromium through playwright (never `playwright install`).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (for the player's browser tests) with apt-get"; \
	    (apt-get install -y -qq chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)); \
	  else \
	    echo "hint: the browser tests need chromium: sudo apt-get install chromium (they skip without it)"; \
	  fi; }

demo: setup
	$(PY) -m tinygrad_lite demo

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check tinygrad_lite tests examples benchmarks
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m benchmarks

# The documentation site (MkDocs + mkdocstrings) in site/; --strict turns every warning into an error.
# KaTeX (the formulas) comes from the npm registry and is copied into site/ by docs/hooks.py.
KATEX_VERSION := 0.19.1
KATEX := $(VENV)/npm/node_modules/katex/dist/katex.min.js

$(KATEX):
	@command -v npm >/dev/null 2>&1 || { echo "make docs needs npm (Node.js) to install KaTeX: sudo apt-get install npm"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm katex@$(KATEX_VERSION)

docs: setup $(KATEX)
	@$(PY) -c "import mkdocs, material, mkdocstrings, mkdocs_jupyter" 2>/dev/null || $(PY) -m pip install --quiet -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) build dist site .cache *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache
