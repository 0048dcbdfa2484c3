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
docs: setup
	@test -x $(VENV)/bin/mkdocs || $(PY) -m pip install --quiet -e ".[docs]"
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) build dist site *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache
