"""Hostile and careless data is refused by the loader and the registry, by name (issue 21, item 6).

Each test builds a tiny valid release in tmp_path (tests/support/releases.py),
breaks it the way a careless or hostile author could, and checks that every
command refuses it with a message naming the file (and row and column where
there is one). Nothing here reads or writes outside tmp_path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.chores import describe, quiet
from support.releases import FILES, VERSION, rehash, write_release

from analysis.data import release as data
from analysis.data.bibtex import BibtexError, read_bibtex
from analysis.data.errors import DataError
from analysis.data.files import UnsafePathError, regular_files, safe_file
from analysis.data.release import load_release, release_summary
from analysis.releases import registry as rel


@pytest.fixture
def data_dir(tmp_path) -> Path:
    write_release(tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the release (as /etc/passwd would be), which nothing may read, hash or delete."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    return secret


def set_path(folder: Path, name: str, path: str) -> None:
    """Point resource ``name``'s descriptor entry at ``path`` (hashes left as they were)."""
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            resource["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(descriptor))


# --- one helper: a regular file inside the folder -------------------------------------


@pytest.mark.parametrize("relative", ["../secret.txt", "a/../../secret.txt", "/etc/passwd", "", "a\\..\\b"])
def test_safe_file_refuses_paths_that_leave_the_folder(tmp_path, relative):
    with pytest.raises(UnsafePathError):
        safe_file(tmp_path, relative)


def test_safe_file_refuses_a_link_on_the_way_and_accepts_a_plain_file(tmp_path, outside):
    folder = tmp_path / "release"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "plain.csv").write_text("x\n")
    assert safe_file(folder, "sub/plain.csv") == folder / "sub" / "plain.csv"
    assert safe_file(folder, "missing.csv") == folder / "missing.csv"  # the caller says it is missing
    (folder / "linked").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="linked is a symbolic link"):
        safe_file(folder, "linked/secret.txt")
    (folder / "file-link.csv").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="file-link.csv is a symbolic link"):
        safe_file(folder, "file-link.csv")
    with pytest.raises(UnsafePathError, match="not a regular file"):
        safe_file(folder, "sub")


def test_regular_files_lists_plain_files_and_refuses_links(tmp_path, outside):
    folder = tmp_path / "release"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_text("x\n")
    (folder / "sub" / "b.csv").write_text("x\n")
    (folder / ".c.partial").write_text("x\n")
    assert regular_files(folder) == ["a.csv", "sub/b.csv"]
    (folder / "sub" / "etc").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UnsafePathError, match=r"sub/etc is a symbolic link"):
        regular_files(folder)


# --- links and paths in every command ---------------------------------------------------


@pytest.mark.parametrize("to_folder", [False, True])
def test_a_link_in_a_release_folder_is_refused_by_the_loader_naming_it(data_dir, outside, to_folder):
    folder = data_dir / VERSION
    link = folder / ("etc" if to_folder else "passwd.txt")
    link.symlink_to(outside.parent if to_folder else outside, target_is_directory=to_folder)
    with pytest.raises(DataError, match=rf"data release {VERSION}: .*{link.name} is a symbolic link"):
        load_release(VERSION, data_dir)


def test_a_resource_that_is_a_link_is_refused_even_when_its_hash_matches(data_dir, outside):
    folder = data_dir / VERSION
    outside.write_bytes((folder / "codes.csv").read_bytes())
    (folder / "codes.csv").unlink()
    (folder / "codes.csv").symlink_to(outside)
    with pytest.raises(DataError, match="codes.csv is a symbolic link"):
        load_release(VERSION, data_dir)
    with pytest.raises(rel.ReleaseError, match="codes.csv is a symbolic link"):
        rel.rehash_release(VERSION, data_dir, echo=quiet)


@pytest.mark.parametrize("path", ["../../secret.txt", "/etc/passwd"])
def test_a_path_outside_the_release_is_never_read_hashed_or_removed(data_dir, outside, path):
    folder = data_dir / VERSION
    target = path if path.startswith("/") else str(outside)
    set_path(folder, "references", path)
    # The loader names the resource's file and reads nothing outside.
    with pytest.raises(DataError, match=r"file datapackage.json: .*not a relative path inside"):
        load_release(VERSION, data_dir)
    # rehash does not hash it, remove does not delete it, and the descriptor is left as it was.
    descriptor = (folder / "datapackage.json").read_text()
    with pytest.raises(rel.ReleaseError, match="not a relative path inside"):
        rel.rehash_release(VERSION, data_dir, echo=quiet)
    with pytest.raises(rel.ReleaseError, match="not a relative path inside"):
        rel.remove_resource(VERSION, "references", data_dir, echo=quiet)
    assert Path(target).exists()
    assert (folder / "datapackage.json").read_text() == descriptor


def test_a_schema_file_outside_the_release_is_not_opened(data_dir, outside):
    folder = data_dir / VERSION
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] == "codes":
            resource["schema"] = "../../secret.txt"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(DataError, match=r"file codes.csv: .*not a relative path inside"):
        load_release(VERSION, data_dir).table("codes")


def test_a_stray_file_the_descriptor_does_not_list_is_refused(data_dir):
    """Else it is published in the downloads but missing from the appendix's list of the release's files."""
    (data_dir / VERSION / "stray.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"file stray.csv: a file the descriptor does not list"):
        load_release(VERSION, data_dir)
    (data_dir / VERSION / "stray.csv").unlink()
    (data_dir / VERSION / "README.md").write_text("# Data release 1.0.0\n")  # a release's README is expected
    assert sorted(release_summary(load_release(VERSION, data_dir))["path"]) == sorted(FILES)


# --- release names ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["9.9.9<img src=x onerror=alert(1)>", "1.2", "v1.2.0", "1.2.0-rc1", "../1.0.0"])
def test_a_release_name_that_is_not_major_minor_patch_is_refused_wherever_it_is_named(tmp_path, name):
    data_dir = tmp_path / "data"
    write_release(data_dir)
    with pytest.raises(DataError, match="MAJOR.MINOR.PATCH"):
        load_release(name, data_dir)
    (data_dir / "DEFAULT_RELEASE").write_text(name + "\n")
    with pytest.raises(DataError, match=r"MAJOR.MINOR.PATCH.*DEFAULT_RELEASE|DEFAULT_RELEASE.*MAJOR.MINOR.PATCH"):
        load_release(None, data_dir)


def test_a_folder_with_a_descriptor_and_a_bad_name_is_refused_by_the_scans(tmp_path):
    data_dir = tmp_path / "data"
    write_release(data_dir)
    write_release(data_dir, "9.9.9<img src=x onerror=alert(1)>", default=False)
    with pytest.raises(DataError, match=r"invalid release name in the folder .*9\.9\.9<img"):
        data.available_releases(data_dir)
    with pytest.raises(DataError, match="MAJOR.MINOR.PATCH"):
        rel.predecessor("1.0.0", data_dir)  # the "release before" lookup


# --- the bibliography -----------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["url = {javascript:alert(1)}", "url = {data:text/html,<b>x</b>}", "howpublished = {\\url{file:///etc/passwd}}"],
)
def test_a_bibliography_link_that_is_not_http_or_doi_is_refused_naming_file_entry_and_field(tmp_path, field):
    bib = FILES["references.bib"] + "@misc{evil, title = {T}, year = {2020}, " + field + "}\n"
    write_release(tmp_path / "data", files={"references.bib": bib})
    release = load_release(VERSION, tmp_path / "data")
    name = field.split(" ")[0]
    with pytest.raises(DataError, match=rf"file references.bib: .*entry 'evil', field '{name}'"):
        release.text("references")
    with pytest.raises(DataError, match=r"file references.bib: .*entry 'evil'"):
        release.bibliography_keys()


def test_http_https_and_doi_links_are_accepted():
    entries = read_bibtex(
        "@misc{a, url = {https://example.org/x}}\n@misc{b, url = {http://example.org}}\n@misc{c, url = {doi:10.1/x}}\n"
        "@misc{d, note = {Accessed on 1 May 2021}}\n"
    )
    assert list(entries) == ["a", "b", "c", "d"]
    with pytest.raises(BibtexError, match="entry 'e', field 'url'"):
        read_bibtex("@misc{e, url = {  JavaScript:alert(1)}}")


# --- numbers, text and size ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["INF", "NaN", "inf", "-Infinity", "nan"])
def test_a_non_finite_number_is_refused_naming_file_row_and_column(tmp_path, value):
    lines = FILES["coding.csv"].splitlines()
    lines[2] = lines[2].replace(",1,", f",{value},")
    write_release(tmp_path / "data", files={"coding.csv": "\n".join(lines) + "\n"})
    release = load_release(VERSION, tmp_path / "data")
    with pytest.raises(DataError, match=r"file coding.csv, row 3 \(header = row 1\), column weight: .*finite number"):
        release.table("coding")


def test_a_non_finite_integer_is_refused_naming_file_row_and_column(tmp_path):
    text = FILES["excerpts.csv"].replace("2,2001,51,", "2,2001,NaN,")
    write_release(tmp_path / "data", files={"excerpts.csv": text})
    with pytest.raises(DataError, match=r"file excerpts.csv, row 3 \(header = row 1\), column speaker_age"):
        load_release(VERSION, tmp_path / "data").table("excerpts")


def test_a_value_pandas_cannot_type_is_named_by_file_row_and_column(data_dir, monkeypatch):
    """Frictionless and pandas can disagree on a value: the error still names the cell, not 'position 2'."""
    release = load_release(VERSION, data_dir)
    monkeypatch.setattr(release, "_validate", lambda name: None)  # as if Frictionless had let it through
    folder = data_dir / VERSION
    (folder / "excerpts.csv").write_text(FILES["excerpts.csv"].replace("3,2003,", "3,20x3,"))
    rehash(folder)
    release = load_release(VERSION, data_dir)
    monkeypatch.setattr(release, "_validate", lambda name: None)
    with pytest.raises(DataError, match=r"file excerpts.csv, row 4 \(header = row 1\), column year: .*'20x3'"):
        release.table("excerpts")


def test_invalid_utf8_is_named_by_line_and_byte_offset(data_dir):
    folder = data_dir / VERSION
    content = FILES["codes.csv"].encode("utf-8").replace(b"Child", b"Ch\xffild")
    (folder / "codes.csv").write_bytes(content)
    rehash(folder)
    offset = content.index(b"\xff")
    with pytest.raises(DataError, match=rf"file codes.csv, row 3 .*byte offset {offset} \(line 3\)"):
        load_release(VERSION, data_dir).table("codes")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(data_dir, monkeypatch):
    monkeypatch.setattr(data, "MAX_RESOURCE_BYTES", 10)
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or original(self))
    with pytest.raises(DataError, match=r"file codes.csv: file too large: expected at most 10 bytes"):
        load_release(VERSION, data_dir).text("codes")
    assert "codes.csv" not in read


def test_the_size_limit_is_sensible():
    assert 1_000_000 <= data.MAX_RESOURCE_BYTES <= 100 * 1024 * 1024
    assert os.path.getsize(__file__) < data.MAX_RESOURCE_BYTES


# --- the undo hint ---------------------------------------------------------------------------


def test_the_undo_hint_is_git_checkout_only_for_a_committed_file(tmp_path):
    import subprocess

    from analysis.data.errors import undo_hint

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "test@example.org")
    git("config", "user.name", "Test")
    committed = tmp_path / "data" / "1.0.0" / "codes.csv"
    committed.parent.mkdir(parents=True)
    committed.write_text("a\n")
    git("add", "-A")
    git("commit", "-q", "-m", "freeze 1.0.0")
    fresh = tmp_path / "data" / "1.1.0" / "codes.csv"  # frozen, not yet committed
    fresh.parent.mkdir(parents=True)
    fresh.write_text("a\n")
    assert undo_hint(committed) == f"git checkout -- {committed}"
    hint = undo_hint(fresh)
    assert "git checkout" not in hint and "is not committed" in hint and "RELEASES.json" in hint


def test_the_frozen_check_hashes_nothing_outside_a_release(data_dir, outside):
    describe(data_dir, VERSION)
    rel.freeze_release(VERSION, data_dir, echo=quiet)
    set_path(data_dir / VERSION, "references", "../../secret.txt")
    read = []
    original = Path.read_bytes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_bytes", lambda self: read.append(self.resolve()) or original(self))
        problems = _problems_or_refusal(data_dir)
    assert outside.resolve() not in read
    assert any("not a relative path inside" in p for p in problems)


def _problems_or_refusal(data_dir: Path) -> list[str]:
    """What ``check_frozen`` reports, whether as a list of problems or as a refusal."""
    try:
        return rel.check_frozen(data_dir)
    except rel.ReleaseError as exc:
        return [str(exc)]
