"""The docs name only commands that run and files that exist (issue 21, item 8).

Every ``python -m <module>`` command and every repository path named in the
README, ``docs/``, ``data/sources/README.md``, the README of each release not
yet frozen (a frozen one is history), ``data/RELEASES.json`` and ``CITATION.cff``
is checked: the module must be importable (found by importlib) and the path
must exist. The self-checks at the end show that the extraction finds a wrong
name, so this test can fail.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from analysis import paths

# Where a path may start: the repository's top-level folders and files that docs name.
_TOP = ("analysis", "benchmarks", "chapters", "data", "docs", "tests", "_static", ".github")
_ROOT_FILES = (
    "README.md",
    "CITATION.cff",
    "Makefile",
    "BENCHMARKS.md",
    "LICENSE",
    "LICENSE-CC-BY-4.0.md",
    "requirements.txt",
    "requirements.in",
    "pyproject.toml",
    "_config.yml",
    "_toc.yml",
)
MODULE = re.compile(r"(?:python3?|\$PY|PYTHON) -m ([A-Za-z_][\w.]*)")
PATH = re.compile(
    r"(?<![\w./<>{}-])((?:"
    + "|".join(re.escape(t) for t in _TOP)
    + r")/[\w./@-]*[\w/]|"
    + "|".join(re.escape(f) for f in _ROOT_FILES)
    + r")(?![\w<>{}*-])"
)
# Modules that are tools of the environment, not of this repository.
EXTERNAL_MODULES = {"pytest", "pip", "venv", "http.server", "jupyter", "jupyter_book", "papermill", "playwright"}


def documents() -> list[Path]:
    """The documents whose commands and paths must run and exist."""
    registry = json.loads((paths.DATA / paths.REGISTRY).read_text(encoding="utf-8"))
    drafts = [paths.DATA / version / "README.md" for version in registry.get("drafts", {})]
    found = [
        paths.ROOT / "README.md",
        *sorted((paths.ROOT / "docs").glob("*.md")),
        paths.SOURCES / "README.md",
        paths.DATA / paths.REGISTRY,
        paths.ROOT / "CITATION.cff",
        paths.ROOT / "benchmarks" / "README.md",
        *(d for d in drafts if d.is_file()),
    ]
    return [d for d in found if d.is_file()]


def modules_named(text: str) -> list[str]:
    return sorted({m.rstrip(".") for m in MODULE.findall(text)})


def paths_named(text: str) -> list[str]:
    return sorted({m.rstrip("./") or m for m in PATH.findall(text)})


def missing_modules(text: str) -> list[str]:
    wrong = []
    for module in modules_named(text):
        if module.split(".")[0] in EXTERNAL_MODULES or module in EXTERNAL_MODULES:
            continue
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            wrong.append(module)
    return wrong


def generated(root: Path = paths.ROOT) -> set[str]:
    """Files the build makes, which git ignores by their exact path (e.g. ``_static/vega-bundle.js``)."""
    lines = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and not re.search(r"[*?\[!#]", line)}


def exists(path: str, root: Path = paths.ROOT) -> bool:
    """Whether ``path`` is in the repository; ``NN`` in a file name stands for a chapter's two digits."""
    if "NN" in path:
        return any(root.glob(path.replace("NN", "[0-9][0-9]").replace("_name", "_*")))
    return (root / path).exists() or path in generated(root)


def missing_paths(text: str, root: Path = paths.ROOT) -> list[str]:
    return [p for p in paths_named(text) if not exists(p, root)]


@pytest.mark.parametrize("document", documents(), ids=lambda p: p.relative_to(paths.ROOT).as_posix())
def test_every_documented_command_imports_and_every_path_exists(document):
    text = document.read_text(encoding="utf-8")
    assert not missing_modules(text), f"{document}: no such module: {missing_modules(text)}"
    assert not missing_paths(text), f"{document}: no such path: {missing_paths(text)}"


def test_the_documents_are_found():
    names = {d.relative_to(paths.ROOT).as_posix() for d in documents()}
    assert {"README.md", "docs/CONVENTIONS.md", "data/sources/README.md", "data/RELEASES.json", "CITATION.cff"} <= names


def test_the_checks_catch_a_wrong_module_and_a_wrong_path():
    """Negative self-check: the wrong names the issue found are caught, the right ones pass."""
    wrong = (
        "Run `python -m analysis.source check` or `$PY -m analysis.release`; see tests/test_citation.py, "
        "analysis/build.py and tests/test_release.py."
    )
    assert missing_modules(wrong) == ["analysis.release", "analysis.source"]
    assert missing_paths(wrong) == ["analysis/build.py", "tests/test_citation.py", "tests/test_release.py"]
    right = (
        "Run `python -m analysis.data.sources` (see analysis/data/sources.py, data/sources/README.md, Makefile); "
        "a chapter is chapters/NN_name.ipynb; the build writes _static/vega-bundle.js."
    )
    assert not missing_modules(right) and not missing_paths(right)
    assert paths_named(right) == [
        "Makefile",
        "_static/vega-bundle.js",
        "analysis/data/sources.py",
        "chapters/NN_name.ipynb",
        "data/sources/README.md",
    ]
    assert missing_paths("chapters/NN_nowhere.ipynb and _static/none.js") == [
        "_static/none.js",
        "chapters/NN_nowhere.ipynb",
    ]


@pytest.mark.parametrize(
    "document", sorted((paths.SOURCES / "versions").glob("*.md")), ids=lambda p: p.name[:12]
)  # fmt: skip
def test_every_command_a_kept_version_of_a_document_names_still_runs(document):
    """A document kept verbatim for the releases that pin it cannot be edited: the commands it names keep working."""
    assert not missing_modules(document.read_text(encoding="utf-8")), f"{document}: no such module"
