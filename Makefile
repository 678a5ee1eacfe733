# The only entry point: CI runs `make test` (see .ci/run); nothing else is called directly.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
# The browser tests drive Debian's Chromium; no browser is ever downloaded by Playwright.
CHROMIUM := /usr/bin/chromium
DATA_VERSION ?=
NAME ?=
PORT ?= 8000
FROM ?=
TO ?=

.PHONY: help book chapter html pdf preview test test-fast lint hooks bench bench-pageload clean browser diff

help:
	@echo "make book                      set up .venv, execute stale chapters, build _build/html"
	@echo "make book DATA_VERSION=1.0.0   the same against another data release"
	@echo "make chapter NAME=treadmill    bring one chapter's record up to date with its text (chapters/05_treadmill.md), rebuild the HTML"
	@echo "make test                      set up, then run every test (unit, build, nbval, browser)"
	@echo "make html                      render the committed notebooks to HTML (executes nothing)"
	@echo "make preview [PORT=8000]       serve the book, rebuild on every save, reload the open page"
	@echo "make test-fast                 the unit tests only (the inner loop; make test runs everything)"
	@echo "make pdf                       the whole book as one PDF -> _build/pdf/treadmill-book.pdf (and _build/html)"
	@echo "make bench                     benchmarks against Jupyter Book's execution -> BENCHMARKS.md"
	@echo "make bench-pageload            only the page-load case (Lighthouse, mobile and desktop)"
	@echo "make browser                   install Debian's chromium for the browser tests (if missing)"
	@echo "make lint                      ruff, the pre-commit hooks (mypy, nbQA, JSON/YAML), import-linter, workflows"
	@echo "make hooks                     install the pre-commit git hook (runs the same checks on each commit)"
	@echo "make clean                     remove _build (keeps .venv and the committed chapters)"
	@echo "make diff FROM=1.0.0 TO=1.1.0  what changed between two data releases (tables, rows, claims, glued numbers)"

# (Re)create the virtual environment whenever the pinned requirements change.
# The project is installed editable (pyproject.toml), so every kernel imports this checkout's `analysis`.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/treadmill-book.pth"
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

book: $(STAMP)
	$(PY) -m analysis.build --data-version "$(DATA_VERSION)"

chapter: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=treadmill" >&2; exit 2; }
	$(PY) -m analysis.build --only "$(NAME)" --data-version "$(DATA_VERSION)"

# What changed between two data releases. Executes a non-default release's stale
# chapters into _build/executed/<version>/; refuses a stale default release (run
# make book), a failing chapter, or a frozen release edited in place.
diff: $(STAMP)
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make diff FROM=1.0.0 TO=1.1.0" >&2; exit 2; }
	$(PY) -m analysis.build.changes "$(FROM)" "$(TO)"

# Render HTML from the committed notebooks without executing anything.
html: $(STAMP)
	$(PY) -m analysis.build --html-only --data-version "$(DATA_VERSION)"

# Serve on 127.0.0.1:$(PORT); rebuild (as make book) on each change; pages reload by themselves.
preview: $(STAMP)
	$(PY) -m analysis.build.preview --port $(PORT)

# The whole book as one PDF, printed offline by Debian's Chromium from the committed
# notebooks (never executed; like `make html`, it refuses stale chapters).
# Published next to the HTML when built.
pdf: $(STAMP) browser
	$(PY) -m analysis.build.pdf --data-version "$(DATA_VERSION)"

# ruff over every file (tracked or not), then every pre-commit hook on every tracked file
# (.pre-commit-config.yaml: ruff, ruff-format, nbQA on the chapters, mypy on the package,
# JSON/YAML/TOML, whitespace), so the hooks' configuration cannot rot.
# The GitHub workflows are checked against the schema check-jsonschema ships (offline);
# they only publish and run CI, no local command needs them.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure
	$(VENV)/bin/lint-imports
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# The git hook: `git commit` then runs .pre-commit-config.yaml's hooks on the staged files.
hooks: $(STAMP)
	$(VENV)/bin/pre-commit install

# Chromium for tests/test_browser.py, from apt (CI runs as root on a fresh clone).
# Installed only when missing; fails loudly if it cannot be (the tests never skip).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium fonts-liberation; \
	}
	@test -x $(CHROMIUM) || { echo "make browser: $(CHROMIUM) is missing and could not be installed" >&2; exit 1; }

# Never executes the chapters in place: nbval re-runs them in its own kernel
# and compares with the committed outputs. The browser tests render _build/html
# from the committed notebooks first (nothing is executed) and test that.
test: $(STAMP) lint browser
	$(PY) -m pytest -n 2 --dist loadfile

# The inner loop: the unit tests only, on both cores (no chapters executed, no browser).
test-fast: $(STAMP)
	$(PY) -m pytest -m unit -n 2

# Not part of `make test`: times our builds against Jupyter Book's execution on
# scratch copies (about 10 minutes) and writes BENCHMARKS.md.
bench: $(STAMP)
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.pageload

# Only the page-load case (Lighthouse, pinned, from npm into benchmarks/.node; Debian's Chromium).
bench-pageload: $(STAMP) browser
	$(PY) -m benchmarks.pageload

clean:
	rm -rf _build _static/vega-bundle.js
