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
