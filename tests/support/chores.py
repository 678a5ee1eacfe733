"""The release chores ``registry freeze`` requires, done for a scratch release: a README and a changelog entry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def describe(data_dir: Path, version: str) -> None:
    """Give release ``version`` a README of its own and a ``## <version>`` entry in ``CHANGELOG.md``."""
    (data_dir / version / "README.md").write_text(f"# Data release {version}\n\nWhat {version} holds.\n")
    changelog = data_dir / "CHANGELOG.md"
    before = changelog.read_text() if changelog.exists() else "# Changelog\n"
    changelog.write_text(before + f"\n## {version}\n\nWhat {version} changed, and why.\n")


def quiet(*_args) -> None:
    """An ``echo`` for the release tools that prints nothing."""


def scratch_release(data_dir: Path) -> Path:
    """``data_dir`` holding a tiny release 1.0.0 (support.releases), versioned and described, ready to freeze."""
    from support.releases import write_release

    write_release(data_dir, "1.0.0")
    package = data_dir / "1.0.0" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": "1.0.0"}, indent=2))
    describe(data_dir, "1.0.0")
    return data_dir


def draft_of_default(data_dir: Path, draft: str = "9.0.0") -> Path:
    """The repository's data/ copied to ``data_dir``, with release ``draft`` made from the default release."""
    from analysis import paths
    from analysis.releases import registry

    shutil.copytree(paths.DATA, data_dir, ignore=shutil.ignore_patterns("__pycache__"))
    registry.new_release(draft, paths.default_release(), data_dir, echo=quiet)
    return data_dir
