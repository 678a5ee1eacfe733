"""``registry validate``: the one documented check of a release prints a result either way (issue 21)."""

from __future__ import annotations

import pytest
from support.chores import describe
from support.releases import FILES, VERSION, write_release
from support.scratch import run_tool


def test_a_valid_release_prints_what_was_checked(tmp_path):
    write_release(tmp_path / "data")
    describe(tmp_path / "data", VERSION)
    result = run_tool(tmp_path, "analysis.releases.registry", "validate", VERSION)
    assert result.returncode == 0, result.stderr
    tables = [text for name, text in FILES.items() if name.endswith(".csv")]
    rows = sum(len(text.splitlines()) - 1 for text in tables)
    assert f"release {VERSION}: {len(FILES)} files valid ({len(tables)} tables, {rows} rows" in result.stdout
    assert f"release {VERSION}: no claims register" in result.stdout


def test_an_invalid_release_prints_one_message_naming_the_cell_and_no_traceback(tmp_path):
    write_release(
        tmp_path / "data", files={"codes.csv": "code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c9,Child,doc1\n"}
    )
    result = run_tool(tmp_path, "analysis.releases.registry", "validate", VERSION)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    refused = f"release: release {VERSION} does not validate, so it cannot be frozen: data release {VERSION}"
    assert len(lines) == 1 and lines[0].startswith(refused + ", file codes.csv, row 3")
    assert "column parent_id" in lines[0]


def test_a_frozen_release_that_fails_a_later_check_is_called_frozen_not_unfreezable():
    """1.2.0 was frozen before the row-source check existed, and two of its rows fail it (fixed in 1.3.0).

    A frozen release never changes, so what it fails stays as it is.
    """
    from analysis import paths
    from analysis.releases import validation
    from analysis.releases.record import ReleaseError

    with pytest.raises(ReleaseError) as refused:
        validation.validate_release("1.2.0", paths.DATA, echo=lambda *_: None)
    first = str(refused.value).splitlines()[0]
    assert first == "release 1.2.0 is frozen, and does not pass every check freeze makes now:"
    assert "file cohorts.csv, row 4, column size_value" in str(refused.value)
