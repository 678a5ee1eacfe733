"""``python -m analysis.build.validate``: the documented check of a release prints a result either way (issue 21)."""

from __future__ import annotations

from support.releases import FILES, VERSION, write_release
from support.scratch import run_tool


def test_a_valid_release_prints_what_was_checked(tmp_path):
    write_release(tmp_path / "data")
    result = run_tool(tmp_path, "analysis.build.validate", VERSION)
    assert result.returncode == 0, result.stderr
    tables = [text for name, text in FILES.items() if name.endswith(".csv")]
    rows = sum(len(text.splitlines()) - 1 for text in tables)
    assert f"data release {VERSION}: {len(FILES)} files valid ({len(tables)} tables, {rows} rows" in result.stdout
    assert f"data release {VERSION}: no claims register" in result.stdout


def test_an_invalid_release_prints_one_message_naming_the_cell_and_no_traceback(tmp_path):
    write_release(
        tmp_path / "data", files={"codes.csv": "code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c9,Child,doc1\n"}
    )
    result = run_tool(tmp_path, "analysis.build.validate", VERSION)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("INVALID: data release 1.0.0, file codes.csv, row 3")
    assert "column parent_id" in lines[0]
