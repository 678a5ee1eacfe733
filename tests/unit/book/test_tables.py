"""Reviewers' tables: stable ids, escaped cells, verdict badges that read without colour."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.book import tables


def test_ids_are_derived_from_names_not_chance():
    assert tables.table_id("claims register") == tables.table_id("claims register") == "table-claims-register"
    with pytest.raises(ValueError):
        tables.table_id("!!!")


def test_badges_carry_a_symbol_a_word_and_a_border_class_of_their_own():
    seen = set()
    for verdict, (symbol, css) in tables.VERDICT_BADGES.items():
        badge = tables.verdict_badge(verdict)
        assert symbol in badge and verdict in badge and css in badge
        seen.add(css)
    assert len(seen) == len(tables.VERDICT_BADGES)


def test_interactive_table_escapes_and_marks_its_filter_column_and_rows():
    frame = pd.DataFrame({"claim": ["C1", "C2"], "verdict": ["holds", "fails"], "why": ["<b>x</b>", None]})

    def make() -> str:
        ids = pd.Series(["claim-C1", "claim-C2"])
        return tables.interactive_table(
            frame, "t", "A <caption>", filter_column="verdict", badge_column="verdict", row_ids=ids
        )

    page = make()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "A &lt;caption&gt;" in page
    assert 'data-filter-column="1"' in page and 'id="claim-C2"' in page and 'data-value="fails"' in page
    assert page == make()  # the same page every time
    with pytest.raises(KeyError):
        tables.interactive_table(frame, "t", "c", filter_column="nope")
    with pytest.raises(ValueError):
        tables.interactive_table(frame, "t", "c", row_ids=pd.Series(["only one"]))


def test_every_cell_names_its_column_and_the_how_to_caption_is_for_the_screen_only():
    frame = pd.DataFrame({"claim": ["C1"], "verdict": ["holds"]})
    page = tables.interactive_table(frame, "t", "What it is.", badge_column="verdict", interaction="Sort it.")
    assert '<td data-label="claim">C1</td>' in page
    assert 'data-label="verdict" data-value="holds" data-search="holds" data-order="holds"' in page
    assert '<caption>What it is. <span class="treadmill-screen-only">Sort it.</span></caption>' in page
    assert "<caption>What it is.</caption>" in tables.interactive_table(frame, "t", "What it is.")


def test_datatables_comes_from_itables_as_a_classic_script_and_a_bundle_of_another_shape_is_refused(
    tmp_path, monkeypatch
):
    script, styles = tables.datatables_bundle_source()
    assert "export{" not in script and "window.treadmillDataTable = " in script
    assert script.rstrip().endswith("})();") and ".dt-container" in styles
    tables.write_datatables_bundle(tmp_path)
    assert (tmp_path / tables.DATATABLES_JS).read_text(encoding="utf-8") == script
    assert (tmp_path / tables.DATATABLES_CSS).read_text(encoding="utf-8") == styles
    monkeypatch.setattr(tables, "_EXPORT", tables.re.compile(r"no export statement here"))
    with pytest.raises(ValueError, match="one-export module"):
        tables.datatables_bundle_source()
