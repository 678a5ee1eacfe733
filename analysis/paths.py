"""Every path the project uses, in one place (after showyourwork's ``paths.py``).

Notebooks, tests and the build import these names instead of writing
relative strings, so a chapter runs the same from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = PACKAGE_ROOT / "analysis"
# In each release folder, its Frictionless descriptor; in data/, the registry of frozen releases
# (written by analysis.releases.registry).
DESCRIPTOR = "datapackage.json"
REGISTRY = "RELEASES.json"


def configure(root: Path | str) -> None:
    """Point every project path at the project in ``root``.

    The build injects this call into each chapter's kernel, before the
    chapter's first cell and before any other ``analysis`` module is imported
    (their defaults, such as ``data_dir=paths.DATA``, are read at import), so
    a scratch copy of the project in the build's tests runs on its own data.
    """
    global ROOT, CHAPTERS, EDITIONS, DATA, BUILD, HTML, STATIC, REQUIREMENTS, SOURCES, DEFAULT_RELEASE_FILE
    ROOT = Path(root).resolve()
    CHAPTERS = ROOT / "chapters"
    # One folder per release that has been the default: its executed chapters as published
    # (written once by analysis.build.editions, read by the "What changed" page; never executed).
    EDITIONS = ROOT / "editions"
    DATA = ROOT / "data"
    BUILD = ROOT / "_build"
    HTML = BUILD / "html"
    STATIC = ROOT / "_static"
    REQUIREMENTS = ROOT / "requirements.txt"
    # The source documents the data cite, verified by analysis.data.sources (see its README).
    SOURCES = DATA / "sources"
    # The single place that names the default data release.
    DEFAULT_RELEASE_FILE = DATA / "DEFAULT_RELEASE"


# The checkout, or for the command-line tools (`python -m analysis.build` and the like) the project
# named by TREADMILL_ROOT: the build's tests run them on scratch copies. Kernels are configured by
# the build instead (see analysis.build.execute).
ROOT: Path
CHAPTERS: Path
EDITIONS: Path
DATA: Path
BUILD: Path
HTML: Path
STATIC: Path
REQUIREMENTS: Path
SOURCES: Path
DEFAULT_RELEASE_FILE: Path
configure(os.environ.get("TREADMILL_ROOT", PACKAGE_ROOT))
# The REFI-QDA exports in the site's data/<version>/ folder: written by analysis.releases.refiqda,
# linked from the codebook appendix (analysis.book.downloads), so the name lives below both.
QDA_CODEBOOK_FILE = "codebook.qdc"
QDA_PROJECT_FILE = "coded-excerpts.qdpx"


def default_release() -> str:
    """The version of the data release the book builds from by default."""
    return DEFAULT_RELEASE_FILE.read_text(encoding="utf-8").strip()


def release_dir(version: str, data_dir: Path | None = None) -> Path:
    """Folder of one immutable data release, e.g. ``data/1.0.0``."""
    return (data_dir or DATA) / version


def edition_dir(version: str, editions_dir: Path | None = None) -> Path:
    """Folder of one release's edition, e.g. ``editions/1.2.0``: its chapters as published."""
    return (editions_dir or EDITIONS) / version
