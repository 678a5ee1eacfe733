"""An interrupted build loses nothing (issue 11, item 5).

The build is killed with SIGKILL, its whole process group at once (as the
out-of-memory killer or a Ctrl-C to the terminal would stop it), at several
points: in a chapter's execution, half-way through writing a file, during the
HTML build, and in the middle of publishing. After each kill, every chapter
notebook is complete (its old or its new version), the published site is the
previous one byte for byte, and the next ``make book`` recovers by itself.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import nbformat
import pytest
from support.chores import quiet
from support.releases import rehash
from support.scratch import make_project, run_tool

from analysis.build import Project, build_book
from analysis.build.publish import SITES, STAGE_PREFIX
from analysis.data.files import KILL_AT_ENV, TMP_SUFFIX

# Where the build is killed: analysis.data.files.checkpoint() names.
POINTS = {
    "execute": "a chapter has run, before its notebook is stored",
    "write": "a file's new content is on disk, before it replaces the old one",
    "html": "the site is staged, before Sphinx runs",
    "publish": "the new site is in place, before the link to it is switched",
}


def digest(folder: Path) -> dict[str, str]:
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(project: Project, kill_at: str | None = None) -> subprocess.CompletedProcess:
    # In its own process group (start_new_session), so the kill reaches the kernels too.
    return run_tool(project.root, "analysis.build", env={KILL_AT_ENV: kill_at}, timeout=600, start_new_session=True)


def leftovers(project: Project) -> list[str]:
    found = [p for p in project.build_dir.rglob(f".*{TMP_SUFFIX}")]
    found += [p for p in project.chapters_dir.glob(f".*{TMP_SUFFIX}")]
    found += list(project.build_dir.glob(f"{STAGE_PREFIX}*"))
    found += list((project.build_dir / SITES).iterdir())[1:]  # more than the one published site
    return [str(p.relative_to(project.root)) for p in found]


@pytest.mark.parametrize("point", list(POINTS))
def test_a_build_killed_midway_leaves_the_previous_book_and_the_next_build_recovers(tmp_path, point):
    project = make_project(tmp_path / "book")
    build_book(project, echo=quiet)
    site, chapters = digest(project.html_dir), {p.name: p.read_bytes() for p in project.chapters()}
    codes = project.data_dir / "1.0.0" / "codes.csv"  # a change that 02_codes (only) must show
    codes.write_text(codes.read_text() + "c3,c1,Another,doc1\n")
    rehash(project.data_dir / "1.0.0")

    killed = build(project, kill_at=point)
    assert killed.returncode == -9, f"not killed at {point} ({POINTS[point]}):\n{killed.stdout}\n{killed.stderr}"
    assert digest(project.html_dir) == site, f"the published site changed after a kill at {point}"
    for path in project.chapters():
        nbformat.validate(nbformat.read(path, as_version=4))  # complete, never truncated
        if path.name != "02_codes.ipynb":
            assert path.read_bytes() == chapters[path.name]

    recovered = build(project)
    assert recovered.returncode == 0, recovered.stderr
    assert "built     HTML" in recovered.stdout
    assert digest(project.html_dir) != site
    assert leftovers(project) == []
    assert "(3, 4)" in json_outputs(project.chapters_dir / "02_codes.ipynb")  # the new codes table shows
    again = build(project)
    assert "0 executed" in again.stdout and "reused    HTML" in again.stdout  # nothing left to redo


def json_outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells for o in c.get("outputs", []))
