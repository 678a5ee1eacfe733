"""Editions: a release's executed chapters as its readers saw them, committed once, never executed again.

The "What changed" page compares the default release's record (``chapters/``)
with the edition of the release before it (``editions/<version>/``), so a
normal build, a clean build, a code edit and ``make test`` execute only the
default release. ``make book DATA_VERSION=…`` still executes an older release
on request, into ``_build/executed/<version>/``.

A release's edition is recorded when it stops being the default: its chapters
are executed as the default first, so ``freeze`` cannot record them. Before
making a newer release the default (docs/updating-data.md, steps 7–11)::

    python -m analysis.build.editions 1.2.0                  # from chapters/, fresh, while 1.2.0 is the default
    python -m analysis.build.editions 1.2.0 --commit 28c42af # from chapters/ as committed when 1.2.0 was the default

An edition is history: the command refuses to overwrite one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis import paths
from analysis.build.execute import stale_chapters
from analysis.build.project import BuildError, Project
from analysis.data.command import run_command
from analysis.data.reads import META_KEY


def edition_files(project: Project, version: str) -> dict[str, Path]:
    """The chapters of ``version``'s edition (file name -> path); empty when none is recorded."""
    folder = paths.edition_dir(version, project.editions_dir)
    return {p.name: p for p in sorted(folder.glob("*.ipynb"))} if folder.is_dir() else {}


def _check_recorded_for(version: str, name: str, text: str) -> None:
    """Refuse a chapter that is not an execution for ``version`` (naming the file)."""
    try:
        recorded = json.loads(text).get("metadata", {}).get(META_KEY, {}).get("data_version")
    except json.JSONDecodeError as err:
        raise BuildError(f"chapters/{name}: not a notebook ({err})") from err
    if recorded != version:
        raise BuildError(f"chapters/{name} was executed for data release {recorded!r}, not {version}")


def _write_edition(project: Project, version: str, chapters: dict[str, str], echo) -> Path:
    """Write ``chapters`` (file name -> notebook text) as ``version``'s edition, all at once."""
    target = paths.edition_dir(version, project.editions_dir)
    if target.exists():
        raise BuildError(f"{target.relative_to(project.root)} exists: an edition is recorded once and never replaced")
    if not chapters:
        raise BuildError(f"no chapters to record as the edition of data release {version}")
    for name, text in chapters.items():
        _check_recorded_for(version, name, text)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{version}.", dir=target.parent) as tmp:
        staged = Path(tmp) / version
        staged.mkdir()
        for name, text in chapters.items():
            (staged / name).write_text(text, encoding="utf-8")
        staged.rename(target)  # atomic: a half-written edition is never seen
    echo(f"Recorded the edition of data release {version}: {len(chapters)} chapters in {target}")
    return target


def record_from_chapters(project: Project, version: str, echo=print) -> Path:
    """Record the committed record in ``chapters/`` as ``version``'s edition (it must be the fresh default)."""
    if version != project.default_release():
        raise BuildError(
            f"data release {version} is not the default ({project.default_release()}); record its edition from "
            f"the commit where it was: python -m analysis.build.editions {version} --commit <commit>"
        )
    if stale := stale_chapters(project, version):
        raise BuildError(f"stale chapters {', '.join(stale)}: run `make book` first, then record the edition")
    chapters = {c.name: c.read_text(encoding="utf-8") for c in project.chapters()}
    return _write_edition(project, version, chapters, echo)


def _git(project: Project, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True, check=False)
    if done.returncode:
        raise BuildError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def record_from_commit(project: Project, version: str, commit: str, echo=print) -> Path:
    """Record the chapters committed at ``commit``, when ``version`` was the default, as its edition."""
    chapters_rel = project.chapters_dir.relative_to(project.root).as_posix()
    default_rel = (project.data_dir / "DEFAULT_RELEASE").relative_to(project.root).as_posix()
    then = _git(project, "show", f"{commit}:{default_rel}").strip()
    if then != version:
        raise BuildError(f"at commit {commit} the default release was {then}, not {version}")
    listed = _git(project, "ls-tree", "--name-only", commit, f"{chapters_rel}/").split()
    names = [n for n in listed if n.endswith(".ipynb")]
    chapters = {Path(n).name: _git(project, "show", f"{commit}:{n}") for n in names}
    return _write_edition(project, version, chapters, echo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.editions", description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the data release whose edition to record, e.g. 1.2.0")
    parser.add_argument("--commit", default="", help="record the chapters committed at this commit (git)")
    args = parser.parse_args(argv)
    project = Project(paths.ROOT)

    def record() -> None:
        if args.commit:
            record_from_commit(project, args.version, args.commit)
        else:
            record_from_chapters(project, args.version)

    return run_command(record, BuildError, "editions: ")


if __name__ == "__main__":
    sys.exit(main())
