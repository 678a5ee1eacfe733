"""Release chores done by the tools (issue 21, item 5): changelog, README, date, the version people cite."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support.chores import describe, quiet, scratch_release

from analysis import paths
from analysis.releases import cite, guards
from analysis.releases import registry as rel
from analysis.releases.registry import ReleaseError


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A scratch release 1.0.0, frozen, and a draft 1.1.0 made from it (README as `new` left it, no changelog entry)."""
    folder = scratch_release(tmp_path / "data")
    rel.freeze_release("1.0.0", folder, echo=quiet)
    rel.new_release("1.1.0", "1.0.0", folder, echo=quiet)
    return folder


def test_freeze_refuses_a_release_without_a_changelog_entry_or_with_its_bases_readme(data_dir):
    with pytest.raises(ReleaseError) as refused:
        rel.freeze_release("1.1.0", data_dir, echo=quiet)
    assert "no entry for release 1.1.0; add a section '## 1.1.0'" in str(refused.value)
    assert "still describes release 1.0.0 (only its title was changed)" in str(refused.value)
    assert "1.1.0" not in rel.read_registry(data_dir)["frozen"]
    changelog = data_dir / "CHANGELOG.md"
    changelog.write_text(changelog.read_text() + "\n## 1.1.0\n\nWhat changed.\n")
    with pytest.raises(ReleaseError, match="still describes release 1.0.0"):
        rel.freeze_release("1.1.0", data_dir, echo=quiet)


def test_the_changelog_entry_is_the_section_of_its_own_version(data_dir):
    (data_dir / "CHANGELOG.md").write_text("# Log\n\n## 1.1.0 — new\n\nNew things.\n\n## 1.1.01\n\nOther.\n")
    assert guards.changelog_entry("1.1.0", data_dir).strip() == "New things."
    assert guards.changelog_entry("1.1", data_dir) is None


def test_freeze_records_the_release_date_and_its_base_before_hashing(data_dir):
    describe(data_dir, "1.1.0")
    digest = rel.freeze_release("1.1.0", data_dir, echo=quiet)
    descriptor = json.loads((data_dir / "1.1.0" / "datapackage.json").read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", descriptor[rel.CREATED])
    entry = rel.read_registry(data_dir)["frozen"]["1.1.0"]
    assert entry["datapackage_sha256"] == digest and entry["from"] == "1.0.0"
    assert rel.check_frozen(data_dir) == []


def test_a_new_draft_drops_its_bases_date_and_source_record(data_dir):
    descriptor = json.loads((data_dir / "1.1.0" / "datapackage.json").read_text())
    assert rel.CREATED in json.loads((data_dir / "1.0.0" / "datapackage.json").read_text())
    assert rel.CREATED not in descriptor and "source_documents" not in descriptor


def test_citation_cff_and_the_readme_cite_the_default_release():
    """If this fails, run the command the message names (docs/updating-data.md, step 8)."""
    assert cite.out_of_date(paths.ROOT) == []


def test_cite_writes_the_default_release_into_both_files(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(paths.DATA, root / "data", ignore=shutil.ignore_patterns("sources"))
    for name in ("README.md", "CITATION.cff"):
        shutil.copy(paths.ROOT / name, root / name)
    older = rel.predecessor(paths.default_release(), root / "data")
    (root / "data" / "DEFAULT_RELEASE").write_text(f"{older}\n")
    assert [p.split(":")[0] for p in cite.out_of_date(root)] == [str(root / "CITATION.cff"), str(root / "README.md")]
    assert all(p.endswith(f"run `{cite.COMMAND}`") for p in cite.out_of_date(root))
    for path, text in cite.updated(root).items():
        path.write_text(text, encoding="utf-8")
    assert cite.out_of_date(root) == []
    assert f'version: "{older}"' in (root / "CITATION.cff").read_text()
