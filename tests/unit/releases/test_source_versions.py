"""Sources per release (issue 21, item 4): each frozen release reads the versions it records.

On a scratch copy of ``data/``, a paragraph is added to a source document for a new draft (as a
colleague does for the next release). The frozen default release must still read the old
bytes, its chapters' keys must not move, and the new draft reads the new paragraph.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from support.chores import describe, draft_of_default, quiet
from support.releases import write_release

from analysis import paths
from analysis.claims.evidence import Evidence
from analysis.data import sources
from analysis.data.release import load_release
from analysis.releases import registry as rel
from analysis.releases.changes_page import sources_section
from analysis.releases.diff import diff_releases

DRAFT = "9.0.0"
PARAGRAPH = "\n\nA paragraph added for the next release, which no frozen release cites.\n"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return draft_of_default(tmp_path / "data", DRAFT)


def edited_document(data_dir: Path, name: str | None = None) -> str:
    """Add a paragraph to one source document (by default the first the default release pins) and record it."""
    name = name or sorted(sources.pinned(paths.default_release(), data_dir) or {})[0]
    path = data_dir / "sources" / name
    path.write_text(path.read_text(encoding="utf-8") + PARAGRAPH, encoding="utf-8")
    sources.rehash(data_dir / "sources")
    sources.store(data_dir / "sources")
    return name


def test_every_frozen_release_of_the_project_records_its_sources_and_every_version_is_kept():
    for version in rel.read_registry(paths.DATA)["frozen"]:
        pins = sources.pinned(version, paths.DATA)
        assert pins, f"release {version} records no source versions"
        for name, digest in pins.items():
            stored = sources.stored(name, digest, paths.SOURCES)
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest, (version, name)
    sources.verify_all()


def test_a_paragraph_for_a_new_release_changes_only_that_releases_inputs(data_dir):
    default = paths.default_release()
    before = {name: sources.read_digest(name, default, data_dir) for name in sources.pinned(default, data_dir) or {}}
    old_texts = {
        name: sources.read_source(name, data_dir / "sources", sources.pinned(default, data_dir)) for name in before
    }
    name = edited_document(data_dir)
    pins = sources.pinned(default, data_dir)
    assert {n: sources.read_digest(n, default, data_dir) for n in before} == before  # the default's keys do not move
    assert sources.read_source(name, data_dir / "sources", pins) == old_texts[name]  # byte for byte
    assert PARAGRAPH.strip() not in Evidence.from_release(
        load_release(default, data_dir), data_dir / "sources"
    ).raw_source(name)
    draft = Evidence.from_release(load_release(DRAFT, data_dir), data_dir / "sources")
    assert PARAGRAPH.strip() in draft.raw_source(name)  # the draft reads the working copy
    assert sources.read_digest(name, DRAFT, data_dir) != before[name]


def test_the_default_releases_chapter_keys_do_not_move_when_a_source_gains_a_paragraph(data_dir):
    """The committed record stays fresh: every chapter's data key, as the build computes it, is unchanged."""
    import nbformat

    from analysis.build import Project, data_fingerprint
    from analysis.data.reads import META_KEY

    project = Project(data_dir.parent)
    default = paths.default_release()
    recorded = [
        nbformat.read(p, as_version=4).metadata[META_KEY]["reads"] for p in sorted(paths.CHAPTERS.glob("*.ipynb"))
    ]
    read = sorted(r for reads in recorded for r in reads if r.startswith(sources.LOG_PREFIX))
    assert read, "no chapter reads a source document"
    before = [data_fingerprint(project, reads, default) for reads in recorded]
    edited_document(data_dir, read[-1].removeprefix(sources.LOG_PREFIX))
    assert [data_fingerprint(project, reads, default) for reads in recorded] == before


def test_freezing_pins_the_versions_read_and_the_changes_page_lists_them(tmp_path):
    """On a scratch release (the fixture of tests/support) with one source document of its own."""
    data_dir = tmp_path / "data"
    write_release(data_dir, "1.0.0")
    package = data_dir / "1.0.0" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": "1.0.0"}, indent=2))
    (data_dir / "sources").mkdir()
    document = data_dir / "sources" / "doc.txt"
    document.write_text("The first version.\n", encoding="utf-8")
    sources.rehash(data_dir / "sources")
    describe(data_dir, "1.0.0")
    rel.freeze_release("1.0.0", data_dir, echo=quiet)
    first = sources.pinned("1.0.0", data_dir)
    assert first == {"doc.txt": hashlib.sha256(b"The first version.\n").hexdigest()}
    rel.new_release("1.1.0", "1.0.0", data_dir, echo=quiet)
    assert sources.pinned("1.1.0", data_dir) is None  # a draft reads the working copies
    document.write_text("The first version.\n" + PARAGRAPH, encoding="utf-8")
    sources.rehash(data_dir / "sources")
    describe(data_dir, "1.1.0")
    rel.freeze_release("1.1.0", data_dir, echo=quiet)
    assert sources.pinned("1.0.0", data_dir) == first
    assert sources.read_source("doc.txt", data_dir / "sources", first) == "The first version.\n"
    assert PARAGRAPH in sources.read_source("doc.txt", data_dir / "sources", sources.pinned("1.1.0", data_dir))
    assert rel.check_frozen(data_dir) == []
    diff = diff_releases(load_release("1.0.0", data_dir), load_release("1.1.0", data_dir))
    assert diff.sources == [("doc.txt", "changed")]
    assert "- `doc.txt`: changed in 1\\.1\\.0." in sources_section(diff)


def test_a_stored_version_that_was_altered_is_refused(data_dir):
    default = paths.default_release()
    name, digest = sorted((sources.pinned(default, data_dir) or {}).items())[0]
    stored = sources.stored(name, digest, data_dir / "sources")
    stored.write_bytes(stored.read_bytes() + b"x")
    with pytest.raises(sources.SourceError, match="altered"):
        sources.read_source(name, data_dir / "sources", sources.pinned(default, data_dir))
    with pytest.raises(sources.SourceError, match="altered"):
        sources.verify_all(data_dir / "sources")
