"""Check one data release as the book will read it: ``python -m analysis.build.validate 1.2.0``.

The documented way to validate a draft before building it (docs/updating-data.md): every
file through the loader (hash and size, types, constraints, primary, foreign and
reference keys, no link or stray file), then every claim against the data and the
sources. On success it prints what it checked; on failure, one message naming the
file, row and column or the claim, and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import claims, paths
from analysis.data.command import run_command
from analysis.data.errors import DataError
from analysis.data.release import load_release, release_summary
from analysis.data.sources import SourceError


def validate(version: str | None = None, data_dir: Path = paths.DATA, echo=print) -> None:
    """Load and check every file of release ``version`` (default: data/DEFAULT_RELEASE), then its claims."""
    release = load_release(version, data_dir)
    summary = release_summary(release)
    tables = int(summary["rows"].notna().sum())
    echo(
        f"data release {release.version}: {len(summary)} files valid "
        f"({tables} tables, {int(summary['rows'].sum())} rows; hashes, types and keys checked)"
    )
    if "claims" not in summary["name"].tolist():
        echo(f"data release {release.version}: no claims register")
        return
    register = claims.verified_register(release, Path(data_dir) / paths.SOURCES.name)
    verdicts = register["verdict"].value_counts()
    said = ", ".join(f"{count} {verdict}" for verdict, count in verdicts.items())
    echo(f"data release {release.version}: {len(register)} claims checked, none fails ({said})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.validate", description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", default=None, help="the release, e.g. 1.2.0 (default: the default)")
    parser.add_argument("--data-dir", type=Path, default=paths.DATA, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return run_command(
        lambda: validate(args.version, args.data_dir), (DataError, SourceError, claims.ClaimsFailed), "INVALID: "
    )


if __name__ == "__main__":
    sys.exit(main())
