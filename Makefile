# `make demo` and `make test` create .venv/ on first use (and again when the dependencies change).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint layers typecheck pytest setup clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[dev]'
	$(VENV)/bin/python -m netsword.browser
	$(VENV)/bin/python -m netsword.redis_server
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/netsword demo

test: $(STAMP) lint layers typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The import contracts in pyproject.toml ([tool.importlinter]; docs/architecture.md). --no-cache: no cache folder
# in the work tree, and the graph takes under a second to build.
layers: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# ReplayWeb.page for the WACZ replay test (npm, pinned by integrity; kept in ~/.cache/netsword): tests reach no network.
pytest: $(STAMP)
	$(VENV)/bin/python tools/fetch_replaywebpage.py
	$(VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) var
