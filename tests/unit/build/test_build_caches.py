"""What a no-op build no longer recomputes: the publishable check, and the code's digests (issue 22: no-op ≤ 1 s)."""

from __future__ import annotations

import json

import pytest
from support.scratch import make_project

from analysis import paths
from analysis.build import cli, code_keys


def test_the_publishable_check_runs_again_only_when_data_or_code_changed_and_a_failure_is_never_kept(
    tmp_path, monkeypatch
):
    project = make_project(tmp_path / "book")
    version = project.default_release()
    calls: list[str] = []
    verdicts = [[], ["file codes.csv, row 2: not what its source states"], []]

    def check(v, data_dir):
        calls.append(v)
        return verdicts[len(calls) - 1]

    monkeypatch.setattr(cli, "publishable_problems", check)
    assert cli._publishable(project, version) == [] and len(calls) == 1
    assert cli._publishable(project, version) == [] and len(calls) == 1  # nothing changed: not checked again
    codes = project.data_dir / version / "codes.csv"
    codes.write_text(codes.read_text() + "c9,,Another,doc1\n")
    assert cli._publishable(project, version) == verdicts[1] and len(calls) == 2
    assert cli._publishable(project, version) == [] and len(calls) == 3  # the failure was not recorded


def test_code_digests_are_kept_on_disk_by_content_and_a_damaged_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD", tmp_path)
    code_keys._disk_digests.cache_clear()
    code_keys._text_digests.cache_clear()
    text = b"LIMIT = 3\n\n\ndef f(x):\n    '''Why.'''\n    return x + LIMIT\n"
    fresh = code_keys._parse_digests(text)
    try:
        assert code_keys._text_digests(text) == fresh
        stored = json.loads((tmp_path / code_keys.DIGESTS_FILE).read_text())
        assert list(stored.values())[0]  # one syntax version, one entry
        code_keys._disk_digests.cache_clear()
        code_keys._text_digests.cache_clear()
        monkeypatch.setattr(code_keys, "_parse_digests", lambda _t: pytest.fail("parsed again"))
        assert code_keys._text_digests(text) == fresh  # read back from disk
        (tmp_path / code_keys.DIGESTS_FILE).write_text("{ damaged")
        code_keys._disk_digests.cache_clear()
        code_keys._text_digests.cache_clear()
        monkeypatch.undo()
        monkeypatch.setattr(paths, "BUILD", tmp_path)
        assert code_keys._text_digests(text) == fresh  # computed again
    finally:
        code_keys._disk_digests.cache_clear()
        code_keys._text_digests.cache_clear()
