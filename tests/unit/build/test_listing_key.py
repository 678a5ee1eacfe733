"""The release folder's listing is in its readers' keys (issue 21, item 6: the stray file case).

The data appendix lists every file of the release with its size; a chapter that
shows the listing logs it as read (``<version>/@files``), and the key of such a
read changes when a file is added, removed or resized.
"""

from __future__ import annotations

from support.releases import VERSION, write_release

from analysis.build import Project
from analysis.build.keys import data_fingerprint
from analysis.data import reads
from analysis.data.reads import FILES_READ
from analysis.data.release import load_release


def test_the_listing_is_logged_as_read_and_shows_every_file(tmp_path, monkeypatch):
    write_release(tmp_path / "data")
    log = tmp_path / "reads.log"
    monkeypatch.setattr(reads, "_LOGGED", set())
    reads.configure(log)
    try:
        listing = load_release(VERSION, tmp_path / "data").files()
    finally:
        reads.configure(None)
    folder = tmp_path / "data" / VERSION
    assert listing == sorted((p.name, p.stat().st_size) for p in folder.iterdir())
    assert f"{VERSION}/{FILES_READ}" in reads.recorded(log)


def test_the_key_of_the_listing_changes_with_a_file_added_or_resized(tmp_path):
    write_release(tmp_path / "data")
    project = Project(tmp_path)
    read = [f"{VERSION}/{FILES_READ}"]
    before = data_fingerprint(project, read, VERSION)
    assert data_fingerprint(project, [f"{VERSION}/codes"], VERSION) == data_fingerprint(
        project, [f"{VERSION}/codes"], VERSION
    )
    readme = tmp_path / "data" / VERSION / "README.md"
    readme.write_text("# Data release 1.0.0\n")
    added = data_fingerprint(project, read, VERSION)
    assert added != before
    readme.write_text("# Data release 1.0.0, with a longer line\n")
    assert data_fingerprint(project, read, VERSION) != added
    # A reader of one table only is not concerned by the README.
    codes = data_fingerprint(project, [f"{VERSION}/codes"], VERSION)
    readme.write_text("# Data release 1.0.0\n")
    assert data_fingerprint(project, [f"{VERSION}/codes"], VERSION) == codes
