"""Check a release as ``freeze`` will, freezing nothing: ``python -m analysis.releases.registry validate 1.3.0``.

The one check of a release (docs/updating-data.md): every file through the loader (hash and size,
types, constraints, primary, foreign and reference keys, no link or stray file), the release's own
name in its README and descriptor, every row against its source phrase, no silenced claim, then
every claim against the data and the sources. It prints what it checked, with counts, or one
``release:`` message naming the file, row and column or the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import claims, paths
from analysis.data.errors import DataError
from analysis.data.release import DESCRIPTOR, Release, load_release, release_summary
from analysis.data.sources import SourceError
from analysis.releases import guards
from analysis.releases.record import ReleaseError, read_descriptor, read_registry


def stale_titles(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """Where a release's README title or descriptor text does not name its own version."""
    folder = Path(data_dir) / version
    problems = []
    descriptor = read_descriptor(folder)
    # The title, and the description's opening words, say which release this is.
    for key, text in (
        ("title", str(descriptor.get("title", ""))),
        ("description", str(descriptor.get("description", ""))[:40]),
    ):
        for other in re.findall(r"(?i)release\s+(\d+\.\d+\.\d+)", text):
            if other != version:
                problems.append(f"{folder / DESCRIPTOR}: {key} names release {other}; expected {version}")
    readme = folder / "README.md"
    title = readme.read_text(encoding="utf-8").partition("\n")[0] if readme.is_file() else version
    if version not in title:
        problems.append(f"{readme}: the first line should name release {version}; got {title!r}")
    return problems


def validate_release(version: str, data_dir: Path = paths.DATA, echo=print, chores: bool = False) -> None:
    """Everything ``freeze`` checks of the data (and, with ``chores``, of the README and changelog), freezing nothing.

    Raises :class:`ReleaseError` listing every problem; says what was checked, with counts, when there is none.
    """
    checked = require_freezable(version, Path(data_dir), chores)
    summary = checked.summary
    tables = int(summary["rows"].notna().sum())
    echo(
        f"release {version}: {len(summary)} files valid ({tables} tables, {int(summary['rows'].sum())} rows; "
        "hashes, schemas, keys and references checked); every row agrees with its source phrase; "
        "no checked claim was silenced"
    )
    if checked.register is None:
        echo(f"release {version}: no claims register")
        return
    verdicts = checked.register["verdict"].value_counts()
    said = ", ".join(f"{count} {verdict}" for verdict, count in verdicts.items())
    echo(f"release {version}: {len(checked.register)} claims checked, none fails ({said})")


@dataclass(frozen=True)
class Checked:
    """What :func:`require_freezable` read: the files' summary and, if the release has one, its verified register."""

    release: Release
    summary: pd.DataFrame
    register: pd.DataFrame | None


def require_freezable(version: str, data_dir: Path, chores: bool = True) -> Checked:
    """Raise :class:`ReleaseError` with everything that keeps ``version`` from being frozen; else what was checked."""
    folder = data_dir / version
    try:
        release = load_release(version, data_dir)
        summary = release_summary(release)  # every file: hash, size, schema, keys
    except DataError as exc:
        raise ReleaseError(f"release {version} does not validate, so it cannot be frozen: {exc}") from exc
    if release.descriptor.get("version") != version:
        raise ReleaseError(f"{folder / DESCRIPTOR} says version {release.descriptor.get('version')!r}, not {version!r}")
    problems = stale_titles(version, data_dir)
    if problems:
        raise ReleaseError(f"release {version} still carries another release's name:\n" + "\n".join(problems))
    problems = guards.chore_problems(version, data_dir) if chores else []
    problems += guards.publishable_problems(version, data_dir)
    register = None
    if "claims" in release.resource_names:
        try:  # a claim that does not hold would be frozen for good
            register = claims.verified_register(release, data_dir / "sources")
        except (claims.ClaimsFailed, SourceError) as exc:
            problems.append(str(exc))
    if problems:
        if version in read_registry(data_dir)["frozen"]:
            verdict = f"release {version} is frozen, and does not pass every check freeze makes now"
        else:
            verdict = f"release {version} cannot be frozen (nor published)"
        raise ReleaseError(f"{verdict}:\n" + "\n".join(problems))
    return Checked(release, summary, register)
