"""`make book` refuses to publish a wrong number (issue 21, items 1-3), on a scratch copy of the project.

The project's data (frozen releases, registry, sources) with one scratch chapter that reads the
changed table. A draft made from the default release gets the issue's scenario; `make book
DATA_VERSION=<draft>` executes it and then refuses to publish, naming the row and the claim.
A frozen release re-stamped by hand and committed is refused before anything executes.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from support.chores import quiet
from support.scenario import change_value, checked_row, silence
from support.scratch import run_tool, write_chapter

from analysis import paths
from analysis.releases import registry as rel

DRAFT = "9.0.0"


def scratch(tmp_path, table: str):
    root = tmp_path / "book"
    shutil.copytree(paths.DATA, root / "data", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "chapters").mkdir()
    write_chapter(root / "chapters" / "01_reads.md", table)
    shutil.copy(paths.REQUIREMENTS, root / "requirements.txt")
    return root


def test_make_book_refuses_the_silenced_claim_scenario_naming_the_row_and_the_claim(tmp_path):
    root = scratch(tmp_path, "claims")
    data = root / "data"
    rel.new_release(DRAFT, paths.default_release(), data, echo=quiet)
    claim_id, table, path, number, column = checked_row(data / DRAFT)
    change_value(path, number, column)
    silence(data / DRAFT, claim_id)
    rel.rehash_release(DRAFT, data, echo=quiet)
    result = run_tool(root, "analysis.build", "--data-version", DRAFT, "--no-html", timeout=900)
    assert result.returncode != 0, result.stdout[-2000:]
    assert f"BUILD FAILED: data release {DRAFT} cannot be published" in result.stderr
    assert f"file {path.name}, row {number}, column {column}: " in result.stderr
    assert f"claim {claim_id}: its check " in result.stderr


def test_make_book_refuses_a_frozen_release_restamped_and_committed(tmp_path):
    root = scratch(tmp_path, None)
    data = root / "data"
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "the project's releases, frozen")
    version = paths.default_release()
    folder = data / version
    readme = folder / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA sentence added after freezing.\n", encoding="utf-8")
    registry = json.loads((data / "RELEASES.json").read_text(encoding="utf-8"))
    registry["frozen"][version]["files"]["README.md"] = rel.sha256_file(readme)
    (data / "RELEASES.json").write_text(json.dumps(registry, indent=2), encoding="utf-8")
    git("commit", "-qam", "re-stamp")
    assert not [p for p in rel.check_frozen(data) if "edited in place" in p]  # the registry's hashes agree
    result = run_tool(root, "analysis.build", "--no-html", timeout=900)
    assert result.returncode != 0
    assert f"frozen release {version}: README.md changed since the commit that froze it" in result.stderr
