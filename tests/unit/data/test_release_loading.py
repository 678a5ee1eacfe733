"""Tests of the data loader on tiny releases built in tmp_path.

Each failure test breaks its own copy of a valid release in one way and checks
that the loader refuses it with a message naming the file and the problem.
Nothing here writes to the project's real ``data/`` folder.
"""

from __future__ import annotations

import copy
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.releases import FILES, SCHEMAS, VERSION, write_release

from analysis import paths
from analysis.data import reads
from analysis.data import release as data
from analysis.data.errors import DataError
from analysis.data.release import load_release, release_summary


def broken(tmp_path: Path, filename: str, text: str, **kwargs) -> data.Release:
    """A release whose ``filename`` is replaced by ``text`` (hashes kept consistent)."""
    write_release(tmp_path / "data", files={filename: text}, **kwargs)
    return load_release(VERSION, tmp_path / "data")


def replace_row(filename: str, row: int, new: str) -> str:
    """FILES[filename] with CSV row ``row`` (header = 1) replaced by ``new``."""
    lines = FILES[filename].splitlines()
    lines[row - 1] = new
    return "\n".join(lines) + "\n"


def add_row(filename: str, new: str) -> str:
    return FILES[filename] + new + "\n"


@pytest.fixture(autouse=True)
def _no_reads_log(monkeypatch):
    """Never append to a real build's reads log while testing."""
    monkeypatch.setattr(reads, "_LOG", None)


@pytest.fixture
def release(tmp_path) -> data.Release:
    write_release(tmp_path / "data")
    return load_release(VERSION, tmp_path / "data")


# -- a valid release ---------------------------------------------------------


def test_valid_release_loads(release):
    assert release.version == VERSION
    assert release.resource_names == ["excerpts", "codes", "coding", "references"]
    assert len(release.table("excerpts")) == 3
    assert len(release.table("codes")) == 2
    assert len(release.table("coding")) == 3
    assert release.text("references") == FILES["references.bib"]
    assert release.file_path("codes") == (release.path / "codes.csv").resolve()
    content = (release.path / "codes.csv").read_bytes()
    assert release.sha256("codes") == hashlib.sha256(content).hexdigest()


def test_dtypes_follow_the_schema_and_empty_cells_are_na(release):
    excerpts = release.table("excerpts")
    coding = release.table("coding")
    assert excerpts.dtypes.astype(str).to_dict() == {
        "excerpt_id": "Int64",
        "year": "Int64",
        "speaker_age": "Int64",
        "gender": "string",
        "text": "string",
        "source": "string",
    }
    assert str(coding["confident"].dtype) == "boolean"
    assert str(coding["weight"].dtype) == "Float64"
    assert pd.api.types.is_datetime64_dtype(coding["coded_on"])
    assert coding["coded_on"].iloc[1] == pd.Timestamp("2024-02-03")
    assert coding["confident"].tolist()[:2] == [True, False]
    assert coding["confident"].isna().iloc[2]
    assert excerpts["speaker_age"].isna().iloc[2]
    assert release.table("codes")["parent_id"].isna().iloc[0]  # not ""
    assert excerpts["text"].iloc[2] == "NA"  # only empty cells are missing
    assert excerpts["text"].iloc[1] == "world, again"


def test_table_returns_a_fresh_copy(release):
    first = release.table("excerpts")
    first.loc[0, "gender"] = "changed"
    assert release.table("excerpts").loc[0, "gender"] == "female"


def test_reads_records_exactly_what_was_read(release, tmp_path):
    assert release.reads == []
    release.table("codes")
    assert release.reads == ["codes"]
    release.text("references")
    assert release.reads == ["codes", "references"]
    # Foreign-key targets are read to validate coding, so they count.
    other = load_release(VERSION, tmp_path / "data")
    other.table("coding")
    assert other.reads == ["codes", "coding", "excerpts"]


def test_reads_log_gets_one_line_per_resource(release, tmp_path, monkeypatch):
    log = tmp_path / "reads.log"
    reads.configure(log)  # as the build does in a chapter's kernel
    release.table("codes")
    release.table("codes")
    release.text("references")
    load_release(VERSION, tmp_path / "data").table("codes")
    assert log.read_text() == f"{reads.CONFIGURED}\n1.0.0/codes\n1.0.0/references\n"
    assert reads.recorded(log) == ["1.0.0/codes", "1.0.0/references"]


def test_a_log_the_kernel_never_configured_is_refused(tmp_path):
    log = tmp_path / "reads.log"
    log.write_text("1.0.0/codes\n")
    with pytest.raises(RuntimeError, match="never configured"):
        reads.recorded(log)


def test_default_version_comes_from_default_release_file(tmp_path):
    write_release(tmp_path / "data", "1.0.0")
    write_release(tmp_path / "data", "1.1.0")  # also writes DEFAULT_RELEASE
    assert load_release(data_dir=tmp_path / "data").version == "1.1.0"
    (tmp_path / "data" / "DEFAULT_RELEASE").write_text("1.0.0\n")
    assert load_release(data_dir=tmp_path / "data").version == "1.0.0"


def test_release_summary_reads_every_resource(release):
    summary = release_summary(release)
    assert summary["name"].tolist() == release.resource_names
    assert summary["path"].tolist() == list(FILES)
    assert summary["rows"].tolist()[:3] == [3, 2, 3]
    assert summary["rows"].isna().iloc[3]  # references.bib is not a table
    assert summary["bytes"].tolist() == [len(t.encode()) for t in FILES.values()]
    assert summary["sha256"].iloc[1] == release.sha256("codes")[:12]
    assert release.reads == sorted(release.resource_names)


def test_importing_the_loader_does_not_import_frictionless():
    code = "import sys, analysis.data.release; print('frictionless' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


# -- broken releases -----------------------------------------------------------


def test_unknown_version(release, tmp_path):
    with pytest.raises(DataError) as info:
        load_release("9.9.9", tmp_path / "data")
    message = str(info.value)
    assert "9.9.9" in message and "unknown release" in message
    assert "['1.0.0']" in message  # lists what is available
    assert info.value.release == "9.9.9"


def test_missing_datapackage_json(release, tmp_path):
    (release.path / "datapackage.json").unlink()
    with pytest.raises(DataError) as info:
        load_release(VERSION, tmp_path / "data")
    assert "file datapackage.json" in str(info.value)
    assert "missing descriptor" in str(info.value)


def test_missing_file(release):
    (release.path / "codes.csv").unlink()
    with pytest.raises(DataError) as info:
        release.table("codes")
    assert "data release 1.0.0, file codes.csv: missing file" in str(info.value)
    assert info.value.file == "codes.csv"


def test_hash_mismatch_when_a_byte_is_edited_in_place(release):
    path = release.path / "excerpts.csv"
    path.write_bytes(path.read_bytes().replace(b"hello", b"hellp"))  # same size
    with pytest.raises(DataError) as info:
        release.table("excerpts")
    message = str(info.value)
    assert "file excerpts.csv" in message
    assert "hash mismatch" in message
    assert "analysis.releases.registry rehash 1.0.0" in message  # a draft: record the edit (frozen: see test_release)


def test_hash_mismatch_for_a_non_tabular_file(release):
    (release.path / "references.bib").write_text("@book{other}\n")
    with pytest.raises(DataError, match=r"file references\.bib: hash mismatch"):
        release.text("references")


def test_missing_column(tmp_path):
    text = "excerpt_id,year,speaker_age,text,source\n1,1998,34,hello,doc1\n"
    with pytest.raises(DataError) as info:
        broken(tmp_path, "excerpts.csv", text).table("excerpts")
    assert "file excerpts.csv" in str(info.value)
    assert "missing column 'gender'" in str(info.value)
    assert info.value.column == "gender"


def test_value_not_in_enum(tmp_path):
    text = replace_row("excerpts.csv", 4, "3,2003,,F,x,doc2")
    with pytest.raises(DataError) as info:
        broken(tmp_path, "excerpts.csv", text).table("excerpts")
    assert str(info.value) == (
        "data release 1.0.0, file excerpts.csv, row 4 (header = row 1), "
        "column gender: constraint 'enum' violated: "
        "expected one of ['female', 'male'] (got 'F')"
    )


# (table, how its file is broken, what the message must say): each names file, row and column,
# and the error carries the row and column too.
BROKEN_CELLS = {
    "wrong type": (
        "excerpts",
        lambda: replace_row("excerpts.csv", 2, "1,1998,abc,female,hello,doc1"),
        [
            "file excerpts.csv, row 2 (header = row 1), column speaker_age",
            "wrong type: expected a value of type integer (got 'abc')",
        ],
    ),
    "below minimum": (
        "excerpts",
        lambda: replace_row("excerpts.csv", 3, "2,2001,-1,male,x,doc2"),
        [
            "file excerpts.csv, row 3 (header = row 1), column speaker_age",
            "constraint 'minimum' violated: expected a value >= 0 (got '-1')",
        ],
    ),
    "pattern": (
        "codes",
        lambda: replace_row("codes.csv", 3, "X2,c1,Child,doc1"),
        ["file codes.csv, row 3 (header = row 1), column code_id", "pattern 'c[0-9]+'"],
    ),
    "duplicate primary key": (
        "excerpts",
        lambda: add_row("excerpts.csv", "2,2005,40,male,again,doc3"),
        [
            "file excerpts.csv, row 5 (header = row 1), column excerpt_id",
            "primary key violated (the same as in the row at position 3)",
            "(got '2')",
        ],
    ),
    "unknown excerpt": (
        "coding",
        lambda: add_row("coding.csv", "9,c1,true,0.5,2024-01-01,doc1"),
        [
            "file coding.csv, row 5 (header = row 1), column excerpt_id",
            "foreign key violated: expected a value present in excerpts.excerpt_id",
            "(got '9')",
        ],
    ),
    "unknown code": (
        "coding",
        lambda: add_row("coding.csv", "1,c9,true,0.5,2024-01-01,doc1"),
        [
            "file coding.csv, row 5 (header = row 1), column code_id",
            "expected a value present in codes.code_id (got 'c9')",
        ],
    ),
    "unknown parent": (
        "codes",
        lambda: add_row("codes.csv", "c3,c7,Orphan,doc1"),
        [
            "file codes.csv, row 4 (header = row 1), column parent_id",
            "expected a value present in codes.code_id (got 'c7')",
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_CELLS))
def test_a_broken_cell_is_named_by_file_row_and_column(tmp_path, case):
    table, text, expected = BROKEN_CELLS[case]
    with pytest.raises(DataError) as info:
        broken(tmp_path, f"{table}.csv", text()).table(table)
    for fragment in expected:
        assert fragment in str(info.value)
    row, column = re.search(r"row (\d+) \(header = row 1\), column (\w+)", expected[0]).groups()
    assert (info.value.row, info.value.column) == (int(row), column)


def test_invalid_foreign_key_target_is_reported_as_itself(tmp_path):
    # Frictionless would silently drop the bad excerpt from the lookup and
    # blame coding.csv; the loader validates excerpts first instead.
    text = replace_row("excerpts.csv", 2, "1,1998,abc,female,hello,doc1")
    with pytest.raises(DataError) as info:
        broken(tmp_path, "excerpts.csv", text).table("coding")
    assert "file excerpts.csv, row 2 (header = row 1), column speaker_age" in str(info.value)


@pytest.mark.parametrize(
    ("cell", "required"),
    [("", True), ("   ", True), ("", False)],
    ids=["empty-required", "whitespace-required", "empty-not-required"],
)
def test_empty_source(tmp_path, cell, required):
    schemas = copy.deepcopy(SCHEMAS)
    if not required:
        del schemas["codes"]["fields"][3]["constraints"]
    text = replace_row("codes.csv", 3, f"c2,c1,Child,{cell}")
    with pytest.raises(DataError) as info:
        broken(tmp_path, "codes.csv", text, schemas=schemas).table("codes")
    assert "file codes.csv, row 3 (header = row 1), column source" in str(info.value)
    assert (info.value.row, info.value.column) == (3, "source")


def test_several_errors_are_listed_in_one_message(tmp_path):
    bad = [f"{i},2000,-{i},female,x,doc" for i in range(1, 9)]
    text = FILES["excerpts.csv"].splitlines()[0] + "\n" + "\n".join(bad) + "\n"
    with pytest.raises(DataError) as info:
        broken(tmp_path, "excerpts.csv", text).table("excerpts")
    message = str(info.value)
    assert info.value.row == 2
    assert "row 6 (header = row 1), column speaker_age" in message
    assert "row 7 " not in message and "and 3 more" in message


def test_unknown_resource_and_non_table(release):
    with pytest.raises(DataError, match=r"unknown resource.*'excerpts', 'codes'"):
        release.table("nope")
    with pytest.raises(DataError, match=r"references\.bib: not a table"):
        release.table("references")
    assert release.reads == ["references"]


# -- the real release ------------------------------------------------------------


def test_real_default_release_loads_every_resource():
    """The project's own default release passes every check (read-only)."""
    release = load_release()
    for name in release.resource_names:
        if release.is_table(name):
            assert len(release.table(name)) > 0, name
        else:
            assert release.text(name), name
    assert release.reads == sorted(release.resource_names)
