"""Every path the project uses, in one place (after showyourwork's ``paths.py``).

Notebooks, tests and the build import these names instead of writing
relative strings, so a chapter runs the same from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# The build's own tests run chapters of a scratch copy of the project; they
# point the kernels at it with TREADMILL_ROOT. Unset, this is the checkout.
ROOT = Path(os.environ.get("TREADMILL_ROOT", PACKAGE_ROOT)).resolve()
ANALYSIS = PACKAGE_ROOT / "analysis"
CHAPTERS = ROOT / "chapters"
DATA = ROOT / "data"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
STATIC = ROOT / "_static"
REQUIREMENTS = ROOT / "requirements.txt"
# The source documents the data cite, verified by analysis.data.sources (see its README).
SOURCES = DATA / "sources"
# In each release folder, its Frictionless descriptor; in data/, the registry of frozen releases
# (written by analysis.releases.registry).
DESCRIPTOR = "datapackage.json"
REGISTRY = "RELEASES.json"
# The single place that names the default data release.
DEFAULT_RELEASE_FILE = DATA / "DEFAULT_RELEASE"
# The REFI-QDA exports in the site's data/<version>/ folder: written by analysis.releases.refiqda,
# linked from the codebook appendix (analysis.book.downloads), so the name lives below both.
QDA_CODEBOOK_FILE = "codebook.qdc"
QDA_PROJECT_FILE = "coded-excerpts.qdpx"


def default_release() -> str:
    """The version of the data release the book builds from by default."""
    return DEFAULT_RELEASE_FILE.read_text(encoding="utf-8").strip()


def release_dir(version: str, data_dir: Path = DATA) -> Path:
    """Folder of one immutable data release, e.g. ``data/1.0.0``."""
    return data_dir / version
