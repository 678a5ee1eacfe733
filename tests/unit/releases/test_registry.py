"""Tests of analysis.releases.registry: drafts, rehashing, freezing and the immutability check.

Everything works on tiny releases in tmp_path (tests/support/releases.py), except the
last tests, which read (never write) the project's own data/RELEASES.json.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.chores import describe, quiet, scratch_release
from support.releases import FILES, rehash, write_release

from analysis import paths
from analysis.data.errors import DataError
from analysis.data.release import load_release
from analysis.releases import registry as rel
from analysis.releases.registry import ReleaseError


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return scratch_release(tmp_path / "data")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


# -- new ---------------------------------------------------------------------------


def test_new_copies_every_file_of_a_frozen_release_into_a_valid_draft(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    old, new = data_dir / "1.0.0", data_dir / "1.1.0"
    for name in FILES:
        assert (new / name).read_bytes() == (old / name).read_bytes()
    assert descriptor(new)["version"] == "1.1.0"
    assert [r["name"] for r in descriptor(new)["resources"]] == [r["name"] for r in descriptor(old)["resources"]]
    assert rel.read_registry(data_dir)["drafts"]["1.1.0"] == {"from": "1.0.0"}
    loaded = load_release("1.1.0", data_dir)
    assert loaded.table("coding").equals(load_release("1.0.0", data_dir).table("coding"))


def test_new_refuses_a_base_that_is_not_frozen(data_dir):
    with pytest.raises(ReleaseError, match="not frozen"):
        rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    assert not (data_dir / "1.1.0").exists()


def test_new_refuses_to_overwrite_a_draft(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    edit(data_dir / "1.1.0" / "codes.csv", "Child", "Kid")
    with pytest.raises(ReleaseError, match="exists already"):
        rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    assert "Kid" in (data_dir / "1.1.0" / "codes.csv").read_text()


def test_new_names_the_new_version_in_the_readme_title_and_the_description(data_dir):
    folder = data_dir / "1.0.0"
    (folder / "README.md").write_text("# Data release 1.0.0\n\nUnlike release 1.0.0 before it...\n")
    package = descriptor(folder)
    package.update(title="Data release 1.0.0", description="Data release 1.0.0 of the fixture.")
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2))
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    new = data_dir / "1.1.0"
    readme = (new / "README.md").read_text()
    assert readme.startswith("# Data release 1.1.0\n") and "release 1.0.0 before it" in readme
    assert descriptor(new)["title"] == "Data release 1.1.0"
    assert descriptor(new)["description"] == "Data release 1.1.0 of the fixture."
    assert rel.stale_titles("1.1.0", data_dir) == []


def test_freeze_refuses_a_release_carrying_another_releases_title(data_dir):
    (data_dir / "1.0.0" / "README.md").write_text("# Data release 0.9.0\n")
    with pytest.raises(ReleaseError, match=r"first line should name release 1\.0\.0"):
        rel.freeze_release("1.0.0", data_dir, echo=quiet)
    assert rel.read_registry(data_dir)["frozen"] == {}


def test_remove_drops_a_resource_from_a_draft(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    rel.remove_resource("1.1.0", "references", data_dir, echo=quiet)
    assert not (data_dir / "1.1.0" / "references.bib").exists()
    assert "references" not in load_release("1.1.0", data_dir).resource_names


def test_a_hash_mismatch_advises_rehash_for_a_draft_and_undo_for_a_frozen_release(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    for version in ("1.0.0", "1.1.0"):
        edit(data_dir / version / "codes.csv", "Child", "Kid")
    with pytest.raises(DataError, match=r"analysis\.releases\.registry rehash 1\.1\.0") as draft:
        load_release("1.1.0", data_dir).table("codes")
    assert "immutable" not in str(draft.value) and "frozen" not in str(draft.value)
    # Frozen here but never committed (tmp_path is no git checkout): the hint cannot be `git checkout`.
    with pytest.raises(DataError, match=r"frozen release was edited in place; undo the edit \(.* is not committed"):
        load_release("1.0.0", data_dir).table("codes")


@pytest.mark.parametrize(("version", "base"), [("1.0.0", "1.0.0"), ("0.9.0", "1.0.0"), ("1.1", "1.0.0")])
def test_new_refuses_versions_that_do_not_move_forward(data_dir, version, base):
    with pytest.raises(ReleaseError):
        rel.new_release(version, base, data_dir, echo=quiet)


def test_new_names_the_frozen_releases_when_the_base_is_unknown(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    with pytest.raises(ReleaseError, match=r"release 0\.1\.0 is not frozen.*frozen: 1\.0\.0"):
        rel.new_release("1.1.0", "0.1.0", data_dir, echo=quiet)


# -- rehash -------------------------------------------------------------------------


def test_rehash_records_each_files_sha256_and_size(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    codes = data_dir / "1.1.0" / "codes.csv"
    edit(codes, "Child", "A much longer child label")
    with pytest.raises(DataError, match="hash mismatch"):
        load_release("1.1.0", data_dir).table("codes")
    assert rel.rehash_release("1.1.0", data_dir, echo=quiet) == ["codes"]
    entry = next(r for r in descriptor(data_dir / "1.1.0")["resources"] if r["name"] == "codes")
    assert entry["hash"] == "sha256:" + sha(codes)
    assert entry["bytes"] == codes.stat().st_size
    assert "A much longer child label" in load_release("1.1.0", data_dir).table("codes")["label"].tolist()
    assert rel.rehash_release("1.1.0", data_dir, echo=quiet) == []  # nothing left to record


# -- freeze and the immutability check -------------------------------------------------


def test_freeze_records_the_descriptor_hash(data_dir):
    digest = rel.freeze_release("1.0.0", data_dir, echo=quiet)
    assert digest == sha(data_dir / "1.0.0" / "datapackage.json")
    frozen = rel.read_registry(data_dir)["frozen"]["1.0.0"]
    assert frozen["datapackage_sha256"] == digest
    assert set(frozen["files"]) == set(FILES) | {"README.md"}
    assert rel.check_frozen(data_dir) == []
    assert rel.freeze_release("1.0.0", data_dir, echo=quiet) == digest  # idempotent


def test_an_edit_in_place_to_a_frozen_release_is_caught(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    edit(data_dir / "1.0.0" / "codes.csv", "Child", "Kid")
    problems = rel.check_frozen(data_dir)
    assert any("codes.csv was edited in place" in p for p in problems)
    assert any("codes.csv does not match its hash in datapackage.json" in p for p in problems)
    with pytest.raises(DataError, match="hash mismatch"):  # and the loader refuses the file
        load_release("1.0.0", data_dir).table("codes")


def test_rehashing_a_frozen_release_by_hand_is_caught_and_refused(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    edit(data_dir / "1.0.0" / "codes.csv", "Child", "Kid")
    rehash(data_dir / "1.0.0")  # consistent again, so the loader alone would accept it
    assert load_release("1.0.0", data_dir).table("codes")["label"].tolist() == ["Top", "Kid"]
    assert any("datapackage.json changed" in p for p in rel.check_frozen(data_dir))
    with pytest.raises(ReleaseError, match="edited in place"):
        rel.freeze_release("1.0.0", data_dir, echo=quiet)
    with pytest.raises(ReleaseError, match="frozen"):
        rel.rehash_release("1.0.0", data_dir, echo=quiet)
    with pytest.raises(ReleaseError, match="frozen"):
        rel.remove_resource("1.0.0", "codes", data_dir, echo=quiet)


def test_files_added_to_a_frozen_release_are_caught(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    (data_dir / "1.0.0" / "notes.txt").write_text("later\n")
    assert rel.check_frozen(data_dir) == ["frozen release 1.0.0: file notes.txt was added after freezing"]


def test_a_draft_cannot_be_made_over_a_frozen_version(data_dir):
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    describe(data_dir, "1.1.0")
    rel.freeze_release("1.1.0", data_dir, echo=quiet)
    assert "1.1.0" not in rel.read_registry(data_dir)["drafts"]
    with pytest.raises(ReleaseError, match="frozen"):
        rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)


def test_freeze_refuses_a_descriptor_naming_another_version(data_dir):
    package = data_dir / "1.0.0" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": "1.0.1"}, indent=2))
    with pytest.raises(ReleaseError, match="says version '1.0.1'"):
        rel.freeze_release("1.0.0", data_dir, echo=quiet)


def test_freeze_refuses_a_release_that_does_not_validate(data_dir):
    edit(data_dir / "1.0.0" / "coding.csv", "2,c2", "2,c7")  # unknown code
    rehash(data_dir / "1.0.0")
    with pytest.raises(ReleaseError, match="does not validate"):
        rel.freeze_release("1.0.0", data_dir, echo=quiet)
    assert rel.read_registry(data_dir)["frozen"] == {}


def test_predecessor_is_the_previous_version(data_dir):
    write_release(data_dir, "1.10.0", default=False)
    write_release(data_dir, "1.2.0", default=False)
    assert rel.predecessor("1.0.0", data_dir) is None
    assert rel.predecessor("1.2.0", data_dir) == "1.0.0"
    assert rel.predecessor("1.10.0", data_dir) == "1.2.0"


def test_command_line_check_fails_on_an_edited_frozen_release(data_dir):
    def run(*args):
        command = [sys.executable, "-m", "analysis.releases.registry", "--data-dir", str(data_dir), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd=paths.PACKAGE_ROOT)

    assert run("freeze", "1.0.0").returncode == 0
    assert run("check").returncode == 0
    edit(data_dir / "1.0.0" / "references.bib", "A title", "Another title")
    result = run("check")
    assert result.returncode == 1
    assert "references.bib was edited in place" in result.stderr


# -- the project's own registry (read-only) ---------------------------------------------


def test_the_project_registry_exists_and_is_valid_json():
    path = paths.DATA / rel.REGISTRY
    registry = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(registry.get("frozen"), dict)
    assert isinstance(registry.get("drafts"), dict)
    for version, entry in registry["frozen"].items():
        assert (paths.DATA / version / "datapackage.json").is_file(), version
        assert len(entry["datapackage_sha256"]) == 64


def test_every_frozen_release_of_the_project_is_unchanged():
    """Fails if a released data folder was edited: make a new release instead."""
    assert rel.check_frozen(paths.DATA) == []
