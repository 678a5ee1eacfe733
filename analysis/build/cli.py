"""``make book``: execute what is stale in the release built (the default), then the HTML."""

from __future__ import annotations

import argparse
from typing import TypedDict, Unpack

from analysis import paths
from analysis.build import publish
from analysis.build.execute import Outcome, default_version, execute_chapters, raise_failures
from analysis.build.keys import _sha, file_digest
from analysis.build.project import BuildError, Project
from analysis.build.site import build_html
from analysis.data.command import run_command
from analysis.data.errors import DataError
from analysis.data.files import write_atomic
from analysis.releases.guards import publishable_problems


class Selection(TypedDict, total=False):
    """Which chapters of the release :func:`build_book` executes: passed on to ``execute_chapters`` as they are."""

    only: str | None  # one chapter (``make chapter NAME=...``)
    force: bool  # re-execute even the fresh ones


@publish.holding_lock
def build_book(
    project: Project, version: str | None = None, html: bool = True, echo=print, **selection: Unpack[Selection]
) -> list[Outcome]:
    """Execute stale chapters of ``version``, then build the HTML.

    Only ``version`` is executed: the "What changed" page reads the previous
    release's committed edition (:mod:`analysis.build.editions`). A chapter
    that fails raises :class:`BuildError` before anything is published.
    """
    version = version or default_version(project)
    publish.recover(project.build_dir, project.chapters_dir)
    echo(f"Building the book from data release {version}")
    outcomes = execute_chapters(project, version, echo=echo, **selection)
    echo(summary(outcomes, version))
    raise_failures(outcomes, project)
    if problems := _publishable(project, version):  # rows their sources contradict, claims silenced
        joined = problems[0] if len(problems) == 1 else "\n" + "\n".join(problems)  # one problem, one line
        raise BuildError(f"data release {version} cannot be published: {joined}")
    if html:
        build_html(project, version, echo=echo)
    return outcomes


CHECKED = "checked"  # _build/checked/<version>: the inputs of the last check that found the release publishable


def _publishable(project: Project, version: str) -> list[str]:
    """:func:`publishable_problems`, skipped when the data and the code are those it last passed on.

    The check reads every table and source (about a second); its inputs are the
    data folder (every release, the sources, the changelog) and the package. A
    failure is never recorded, so the next build checks again.
    """
    files = [*sorted(paths.ANALYSIS.rglob("*.py")), *sorted(p for p in project.data_dir.rglob("*") if p.is_file())]
    key = _sha(version, *(part for path in files for part in (str(path), file_digest(path))))
    stamp = project.build_dir / CHECKED / version
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return []
    problems = publishable_problems(version, project.data_dir)
    if not problems:
        write_atomic(stamp, key)
    return problems


def summary(outcomes: list[Outcome], version: str | None = None) -> str:
    """The table of ``version``'s chapters, then one count line per release: every execution is counted."""
    version = version or (outcomes[0].version if outcomes else "")
    lines = ["", f"{'chapter':<28}{'seconds':>9}  result"]
    for o in outcomes:
        if o.version == version:
            lines.append(f"{o.chapter.stem:<28}{o.seconds:>9.1f}  {o.status}")
    releases = list(dict.fromkeys([version, *(o.version for o in outcomes)]))
    for release in releases:
        mine = [o for o in outcomes if o.version == release]
        if not mine:
            continue
        counts = ", ".join(f"{sum(o.status == s for o in mine)} {s}" for s in ("executed", "reused", "failed"))
        lines.append(f"data release {release}: {counts}")
    return "\n".join(lines)


def describe_os_error(err: OSError) -> str:
    """One line for an error of the operating system (full disk, read-only folder, a rename across file systems)."""
    paths_named = " -> ".join(str(p) for p in (err.filename, err.filename2) if p is not None)
    reason = err.strerror or type(err).__name__
    return f"{reason}{f': {paths_named}' if paths_named else ''} (the previous book is untouched)"


def _or_build_error(action):
    """``action``, with an OSError or a data error met outside a build step turned into a
    :class:`BuildError` naming the path: one line, no traceback."""

    def run():
        try:
            return action()
        except OSError as err:
            raise BuildError(describe_os_error(err)) from err
        except DataError as err:
            raise BuildError(str(err)) from err

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build", description=__doc__.splitlines()[0])
    parser.add_argument("--data-version", default="", help="data release to build from (default: data/DEFAULT_RELEASE)")
    parser.add_argument("--only", default="", help="execute just this chapter (e.g. treadmill)")
    parser.add_argument("--force", action="store_true", help="re-execute even if nothing changed")
    parser.add_argument("--no-html", action="store_true", help="execute chapters but do not build HTML")
    parser.add_argument("--html-only", action="store_true", help="render the stored notebooks; execute nothing")
    args = parser.parse_args(argv)
    project = Project(paths.ROOT)
    if args.html_only:
        action = _or_build_error(lambda: build_html(project, args.data_version or None))
        return run_command(action, BuildError, "\nBUILD FAILED: ")
    version, only = args.data_version or None, args.only or None
    return run_command(
        _or_build_error(lambda: build_book(project, version, not args.no_html, only=only, force=args.force)),
        BuildError,
        "\nBUILD FAILED: ",
    )
