"""The release chores ``registry freeze`` requires, done for a scratch release: a README and a changelog entry."""

from __future__ import annotations

from pathlib import Path


def describe(data_dir: Path, version: str) -> None:
    """Give release ``version`` a README of its own and a ``## <version>`` entry in ``CHANGELOG.md``."""
    (data_dir / version / "README.md").write_text(f"# Data release {version}\n\nWhat {version} holds.\n")
    changelog = data_dir / "CHANGELOG.md"
    before = changelog.read_text() if changelog.exists() else "# Changelog\n"
    changelog.write_text(before + f"\n## {version}\n\nWhat {version} changed, and why.\n")
