"""What a chapter learns of its release is logged, so that its execution is keyed on exactly that.

Showing the release's name (``label``) is not a read; using it (``version``),
the descriptor, the list of resources or the presence of one resource is.
"""

from __future__ import annotations

import pytest
from support.releases import VERSION, write_release

from analysis.data import reads
from analysis.data.release import RELEASE_MARK, fill_release_name, load_release


@pytest.fixture
def logged(tmp_path, monkeypatch):
    """A release and a function returning what has been logged so far."""
    write_release(tmp_path / "data")
    log = tmp_path / "reads.log"
    monkeypatch.setattr(reads, "_LOG", None)  # restored after the test
    reads.configure(log)
    return load_release(VERSION, tmp_path / "data"), lambda: log.read_text().splitlines()[1:]


def test_showing_the_name_is_not_a_read(logged):
    release, lines = logged
    assert release.label == RELEASE_MARK
    assert lines() == []


def test_using_the_name_the_descriptor_or_the_resource_list_is_a_read(logged):
    release, lines = logged
    assert release.version == VERSION
    assert lines() == [f"{VERSION}/{reads.VERSION_READ}"]
    assert release.resource_names[0] == "excerpts"
    assert lines()[1:] == [f"{VERSION}/{reads.RESOURCES_READ}"]


def test_a_field_of_the_descriptor_is_a_read_of_that_field_and_iterating_is_a_read_of_all(logged):
    release, lines = logged
    descriptor = release.descriptor
    assert descriptor["version"] == VERSION and descriptor.get("created") is None
    assert lines() == [f"{VERSION}/{reads.DESCRIPTOR_READ}:version", f"{VERSION}/{reads.DESCRIPTOR_READ}:created"]
    assert "name" in dict(descriptor.items())
    assert lines()[-1] == f"{VERSION}/{reads.DESCRIPTOR_READ}"
    descriptor["resources"].clear()  # a copy: the release's own descriptor is untouched
    assert release.resource_names


def test_a_resource_entry_is_a_read_of_that_resource(logged):
    release, lines = logged
    assert release.entry("codes")["path"] == "codes.csv"
    assert lines() == [f"{VERSION}/codes"]


def test_asking_whether_a_resource_exists_reads_it_present_or_not(logged):
    release, lines = logged
    assert release.has("codes") and not release.has("claims")
    assert lines() == [f"{VERSION}/codes", f"{VERSION}/claims"]
    assert release.reads == []  # nothing was read as a table


def test_the_mark_is_filled_with_the_name_everywhere_and_survives_escaping():
    import html
    import json
    from urllib.parse import quote

    for escaped in (html.escape(RELEASE_MARK), quote(RELEASE_MARK), json.dumps(RELEASE_MARK)[1:-1]):
        assert escaped == RELEASE_MARK
    text = f"Data release {RELEASE_MARK}; ../data/{RELEASE_MARK}/codes.csv"
    assert fill_release_name(text, "2.0.0") == "Data release 2.0.0; ../data/2.0.0/codes.csv"
