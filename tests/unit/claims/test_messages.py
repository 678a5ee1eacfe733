"""The claims register's failure messages read as English and keep a period whole (issue 21, item 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.claims.evidence import Claim
from analysis.claims.register import REGISTER_COLUMNS, ClaimsFailed, require_all_hold, source_problems
from analysis.claims.vocabulary import numbers_in, numerals_as_written

PHRASE = "in the financial year 2021/22, 1,518 people enrolled on the trainee scheme, three weeks in"


class _Evidence:
    """Evidence whose phrase check passes: only the numbers of the phrase are under test."""

    def phrase_problem(self, source: str) -> None:
        return None


def claim(value: float) -> Claim:
    source = f'external-figures.md § Recruitment: "{PHRASE}"'
    return Claim("C1", "s", source, value, None, "exact", "people", "value", (), 0.0, None)


def test_a_financial_year_is_one_period_not_two_numbers():
    assert numerals_as_written(PHRASE) == ["2021/22", "1,518"]
    assert 22.0 not in numbers_in(PHRASE) and 2021.0 not in numbers_in(PHRASE)
    assert {1518.0, 3.0} <= numbers_in(PHRASE)


def test_a_value_the_phrase_does_not_state_lists_what_it_states_as_written():
    [problem] = source_problems(_Evidence(), claim(1581))
    assert problem == "the source phrase does not state 1,581 (it states: 2021/22, 1,518, 3)"
    assert source_problems(_Evidence(), claim(1518)) == []
    [problem] = source_problems(_Evidence(), claim(22))  # the "22" of "2021/22" is no count
    assert "does not state 22" in problem


def test_a_failing_integrity_check_reads_as_english():
    rows = [
        ["C200", "s", "src", "integrity", "none missing", "321 of 323 rows with a source", "fails", "2 rows"],
        ["C106", "s", "src", "value", "1,518 people", "1,519 people", "fails", "the data give 1,519 people"],
    ]
    register = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    with pytest.raises(ClaimsFailed) as raised:
        require_all_hold(register, "1.2.0")
    text = str(raised.value)
    assert "C200: expected none missing, but the data give 321 of 323 rows with a source (2 rows)" in text
    assert "published none missing" not in text
    assert "C106: published 1,518 people, computed 1,519 people" in text
