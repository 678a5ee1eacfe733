# The only entry point: CI runs `make test` (see .ci/run); nothing else is called directly.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
DATA_VERSION ?=
NAME ?=

.PHONY: help book chapter html test lint bench clean

help:
	@echo "make book                      set up .venv, execute stale chapters, build _build/html"
	@echo "make book DATA_VERSION=1.0.0   the same against another data release"
	@echo "make chapter NAME=treadmill    execute one chapter (if stale) and rebuild the HTML"
	@echo "make test                      set up, then run every test (unit, build, nbval, browser)"
	@echo "make lint                      ruff"
	@echo "make clean                     remove _build (keeps .venv and the committed chapters)"

# (Re)create the virtual environment whenever the pinned requirements change.
# The .pth file makes `analysis` importable from every kernel, wherever it runs.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'treadmill-book.pth').write_text('$(CURDIR)\n')"
	touch $@

book: $(STAMP)
	$(PY) -m analysis.build --data-version "$(DATA_VERSION)"

chapter: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=treadmill" >&2; exit 2; }
	$(PY) -m analysis.build --only "$(NAME)" --data-version "$(DATA_VERSION)"

# Render HTML from the committed notebooks without executing anything.
html: $(STAMP)
	$(PY) -m analysis.build --html-only --data-version "$(DATA_VERSION)"

lint: $(STAMP)
	$(PY) -m ruff check .

# Never executes the chapters in place: nbval re-runs them in its own kernel
# and compares with the committed outputs.
test: $(STAMP) lint
	$(PY) -m pytest

clean:
	rm -rf _build _static/vega-bundle.js
