"""The checks can fail: break a copy of the release in one small way and watch them catch it.

Each test copies the default data release into tmp_path, applies one
mutation -- a changed sample count, a dropped interview excerpt, one altered
word of an excerpt -- and records the new hashes (``rehash``) so that the
loader's hash check does not hide the change. Then

* the claims register of the mutated copy must report exactly the affected
  claims as failing, and
* nbval, re-running the chapters that show the mutated data against the copy
  (``TREADMILL_ROOT`` points their kernels at it), must report output mismatches.

A control run checks that the same chapters pass nbval on an unmutated copy,
so that a failure under mutation is the mutation's doing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.releases import rehash

from analysis import claims, paths
from analysis.data.release import load_release

# Chapters that show the data each mutation touches (the claims register shows all of it).
SAMPLE_CHAPTERS = ["01_methods", "11_claims"]
T1_CHAPTERS = ["02_innovation_harms", "11_claims"]  # E01-E05 are theme T1 excerpts


def copy_release(root: Path) -> tuple[Path, str]:
    """The project's default release, copied to ``root/data`` with its DEFAULT_RELEASE."""
    version = paths.default_release()
    folder = root / "data" / version
    shutil.copytree(paths.DATA / version, folder)
    shutil.copytree(paths.SOURCES, root / "data" / paths.SOURCES.name)  # what the claims are checked against
    (root / "data" / "DEFAULT_RELEASE").write_text(version + "\n", encoding="utf-8")
    return folder, version


def edit(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    """Rewrite a CSV file line by line (every line not changed stays byte for byte)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(change(lines)), encoding="utf-8")


def change_count(folder: Path) -> None:
    """Probation officers 3 -> 4 in sample.csv."""

    def change(lines: list[str]) -> list[str]:
        hits = [i for i, line in enumerate(lines) if line.startswith("role,Probation officer,3,")]
        assert len(hits) == 1
        lines[hits[0]] = lines[hits[0]].replace(",3,", ",4,", 1)
        return lines

    edit(folder / "sample.csv", change)


def drop_excerpt(folder: Path) -> None:
    """Remove excerpt E03 and its coding rows (so that the foreign keys still hold)."""

    def change(lines: list[str]) -> list[str]:
        kept = [line for line in lines if not line.startswith("E03,")]
        assert len(kept) < len(lines)
        return kept

    edit(folder / "excerpts.csv", change)
    edit(folder / "coding.csv", change)


def alter_word(folder: Path) -> None:
    """One word of E02's text: 'problematic' -> 'difficult' (its source phrase is untouched)."""

    def change(lines: list[str]) -> list[str]:
        (i,) = [i for i, line in enumerate(lines) if line.startswith("E02,")]
        text_end = lines[i].index("cracknell-2022")  # the text column comes before the source
        assert "more problematic than" in lines[i][:text_end]
        lines[i] = lines[i].replace("more problematic than", "more difficult than", 1)
        return lines

    edit(folder / "excerpts.csv", change)


MUTATIONS = {
    # name: (mutation, the checks whose claims must fail, a word the reason must contain, chapters)
    "sample count": (
        change_count,
        {"sample:role/Probation officer", "sample_sum:role=interviews/this paper"},
        "4",
        SAMPLE_CHAPTERS,
    ),
    "dropped excerpt": (drop_excerpt, {"excerpt_coverage"}, "It is a lot harder", T1_CHAPTERS),
    "altered word": (alter_word, {"excerpt_verbatim", "excerpt_coverage"}, "E02", T1_CHAPTERS),
}


def failing_checks(data_dir: Path, version: str) -> dict[str, str]:
    """check expression -> reason, for every failing claim of the release in ``data_dir``."""
    release = load_release(version, data_dir)
    register = claims.evaluate(release)
    checks = dict(zip(release.table("claims")["claim_id"], release.table("claims")["check"], strict=True))
    return {checks[r.claim_id]: r.reason for r in claims.failing(register).itertuples()}


def run_nbval(root: Path, chapters: list[str]) -> tuple[int, str, dict[str, dict[int, str]]]:
    """nbval on scratch copies of ``chapters`` whose kernels read ``root``'s data.

    Returns the exit code, the output and, per chapter, the report of each failing cell.
    """
    (root / "chapters").mkdir(exist_ok=True)
    for name in chapters:
        shutil.copy(paths.CHAPTERS / f"{name}.ipynb", root / "chapters" / f"{name}.ipynb")
    env = {**os.environ, "TREADMILL_ROOT": str(root)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--color=no",
        "-rf",
        *(f"chapters/{name}.ipynb" for name in chapters),
    ]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900, check=False)
    output = result.stdout + result.stderr
    parts = re.split(r"^_{3,} chapters/(\S+?)\.ipynb::Cell (\d+) _{3,}$", output, flags=re.MULTILINE)
    failures: dict[str, dict[int, str]] = {}
    for name, cell, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        failures.setdefault(name, {})[int(cell)] = body
    return result.returncode, output, failures


CHAPTERS = sorted({chapter for *_, chapters in MUTATIONS.values() for chapter in chapters})


@pytest.fixture(scope="module")
def control(tmp_path_factory):
    """The claims and nbval on an unmutated copy of the release."""
    root = tmp_path_factory.mktemp("control")
    _, version = copy_release(root)
    return failing_checks(root / "data", version), run_nbval(root, CHAPTERS)


def test_an_unmutated_copy_passes_the_claims_and_nbval(control):
    """Control: without a mutation nothing fails (else the committed chapters are stale)."""
    failing, (code, output, _) = control
    assert failing == {}
    assert code == 0, f"the committed chapters do not pass nbval on an unmutated copy:\n{output[-3000:]}"


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_mutation_fails_its_claims_and_the_chapters_showing_it(tmp_path, control, name):
    mutate, expected, clue, chapters = MUTATIONS[name]
    folder, version = copy_release(tmp_path)
    mutate(folder)
    rehash(folder)

    failing = failing_checks(tmp_path / "data", version)
    assert set(failing) == expected, f"{name}: failing checks {failing}"
    assert any(clue in reason for reason in failing.values()), failing

    code, output, failures = run_nbval(tmp_path, chapters)
    assert code != 0, f"{name}: nbval passed on the mutated data:\n{output[-3000:]}"
    _, (_, _, control_failures) = control
    for chapter in chapters:
        # Cells that fail (an output mismatch, or the claims register refusing a claim that does
        # not hold) but pass on the unmutated copy: the mutation's doing.
        new = {
            cell
            for cell, report in failures.get(chapter, {}).items()
            if "mismatch '" in report or "ClaimsFailed" in report
        }
        new -= set(control_failures.get(chapter, {}))
        assert new, f"{name}: nbval reports no new output mismatch in {chapter}:\n{output[-3000:]}"
