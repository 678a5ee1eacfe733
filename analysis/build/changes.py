"""The build's side of the release comparison: execute (or refuse) chapters, write the changes page, ``make diff``.

The comparison itself is pure and lives in :mod:`analysis.releases.diff`; this
module adds what needs the build: executing a release's stale chapters, the
"What changed between releases" page staged by the HTML build, and the command::

    make diff FROM=1.0.0 TO=1.1.0        # or: python -m analysis.build.changes 1.0.0 1.1.0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import paths
from analysis.build.editions import edition_files
from analysis.build.execute import check_release, execute_chapters, raise_failures, stale_chapters
from analysis.build.project import BuildError, Project
from analysis.data.command import run_command
from analysis.data.errors import DataError
from analysis.data.release import load_release
from analysis.data.sources import SourceError
from analysis.releases.changes_page import PAGE_STEM, plain_text, render_markdown
from analysis.releases.diff import ReleaseDiff, diff_claims, diff_glued_files, diff_releases


def executed_chapters(project, version: str, execute: bool = True, echo=print) -> dict[str, Path]:
    """The executed notebook of every chapter for ``version`` (file name -> path).

    With ``execute``, a non-default release's stale chapters are executed
    first into ``_build/executed/<version>/``; the default release's store is
    the committed record in ``chapters/``, which only ``make book`` writes.
    A chapter that fails, or one still stale, raises ``BuildError`` naming it:
    glued numbers are never compared from stale or missing executions.
    """
    if execute and version != project.default_release():
        raise_failures(execute_chapters(project, version, echo=echo), project, book=False)
    stale = stale_chapters(project, version)
    if stale:
        hint = "make book" if version == project.default_release() else f"make book DATA_VERSION={version}"
        raise BuildError(f"data release {version}: stale chapters {', '.join(stale)}; run `{hint}` first")
    return {c.name: project.store(c, version) for c in project.chapters()}


def compare_data(project, old_version: str, new_version: str) -> ReleaseDiff:
    """The comparison of the two releases' data alone: files, rows and claims (no executions)."""
    old = load_release(old_version, project.data_dir)
    new = load_release(new_version, project.data_dir)
    result = diff_releases(old, new)
    result.claims = diff_claims(old, new)
    return result


def compare(
    project,
    old_version: str,
    new_version: str,
    execute_old: bool = True,
    execute_new: bool = True,
    echo=print,
    data: ReleaseDiff | None = None,
) -> ReleaseDiff:
    """Full comparison for the report: data, claims and the chapters' glued numbers.

    ``execute_old`` / ``execute_new``: execute stale chapters of that release
    first (see :func:`executed_chapters`); otherwise its stored executions are
    compared as they are. ``data``: :func:`compare_data` of the same releases,
    made earlier (the build caches it by the data's content).
    """
    for version in (old_version, new_version):
        check_release(project, version)  # refuses a frozen release edited in place
    result = data if data is not None else compare_data(project, old_version, new_version)
    runs = {}
    for version, execute in ((old_version, execute_old), (new_version, execute_new)):
        if execute and version != project.default_release():  # the default's are only checked, never executed here
            echo(f"Chapters for data release {version}:")
        runs[version] = executed_chapters(project, version, execute=execute, echo=echo)
    result.glued = diff_glued_files(runs[old_version], runs[new_version])
    return result


def compare_with_edition(project, old: str, new: str, data: ReleaseDiff | None = None) -> ReleaseDiff:
    """The page's comparison: ``new``'s stored executions against ``old``'s committed edition.

    Nothing is executed: ``old``'s glued numbers are those its readers saw
    (:mod:`analysis.build.editions`). Without an edition of ``old``, the page
    says so in words and compares the data alone.
    """
    for version in (old, new):
        check_release(project, version)  # refuses a frozen release edited in place
    result = data if data is not None else compare_data(project, old, new)
    edition = edition_files(project, old)
    if not edition:
        result.glued, result.glued_note = (
            None,
            (
                f"No edition of data release {old} is recorded (its chapters as its readers saw them), so the "
                "chapters' numbers are not compared; the data are."
            ),
        )
        return result
    result.glued = diff_glued_files(edition, executed_chapters(project, new, execute=False))
    result.glued_note = (
        f"The numbers of {old} are those of its edition, the chapters as readers of {old} saw them; "
        f"those of {new} are the chapters of this book."
    )
    return result


def write_changes_page(project, version: str, stage: Path, echo=print, data: ReleaseDiff | None = None) -> Path | None:
    """The build's page: ``<stage>/chapters/changes.md`` and a staged table-of-contents entry.

    Only when ``version`` has a predecessor in ``data/``. ``version``'s stored
    executions are used as the build left them (it executed what was stale
    before staging; a stale one raises instead of being shown), the
    predecessor's committed edition as it was published.
    """
    import yaml

    from analysis.releases.registry import predecessor

    old = predecessor(version, project.data_dir)
    if old is None:
        return None
    result = compare_with_edition(project, old, version, data=data)
    page = stage / "chapters" / f"{PAGE_STEM}.md"
    from analysis.releases.registry import read_registry

    draft = version not in read_registry(project.data_dir)["frozen"]
    page.write_text(render_markdown(result, draft=draft), encoding="utf-8")
    toc_path = stage / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    entry = {"file": f"chapters/{PAGE_STEM}"}
    if "parts" in toc:
        appendices = next((p for p in toc["parts"] if p.get("caption") == "Appendices"), None)
        if appendices is None:
            appendices = {"caption": "Appendices", "chapters": []}
            toc["parts"].append(appendices)
        chapters = appendices.setdefault("chapters", [])
    else:
        chapters = toc.setdefault("chapters", [])
    last = len(chapters)
    if chapters and chapters[-1].get("file") == "chapters/references":
        last -= 1  # the bibliography stays last
    chapters.insert(last, entry)
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    echo(f"  wrote     {PAGE_STEM}.md ({old} -> {version})")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.changes", description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the earlier release, e.g. 1.0.0")
    parser.add_argument("new", help="the later release, e.g. 1.1.0")
    parser.add_argument(
        "--no-execute",
        action="store_true",
        help="compare the stored executed chapters as they are (do not execute stale ones)",
    )
    args = parser.parse_args(argv)
    if not args.old or not args.new:
        parser.error("usage: make diff FROM=1.0.0 TO=1.1.0")
    project = Project(paths.ROOT)
    execute = not args.no_execute

    def report() -> None:
        result = compare(
            project,
            args.old,
            args.new,
            execute_old=execute,
            execute_new=execute,
            echo=lambda m: print(m, file=sys.stderr),
        )
        print(plain_text(render_markdown(result)), end="")

    return run_command(report, (DataError, BuildError, SourceError), "diff: ")


if __name__ == "__main__":
    sys.exit(main())
