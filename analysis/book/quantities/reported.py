"""Figures the article and its sources report (the ``figures`` table): values, phrases, periods."""

from __future__ import annotations

import pandas as pd

from analysis.book.quantities.words import (
    _COUNTED_UNITS,
    _QUALIFIER_WORDS,
    _UNIT_WORDS,
    _plain_number,
    number_text,
)
from analysis.words import MONTHS


def row_by_id(table: pd.DataFrame, row_id: str, name: str = "figures", column: str = "figure_id") -> pd.Series:
    """The one row of ``table`` (called ``name`` in the error) whose ``column`` is ``row_id``."""
    rows = table[table[column] == row_id]
    if len(rows) != 1:
        raise KeyError(f"{name} has no single row {row_id!r}")
    return rows.iloc[0]


def same_statistic(figures: pd.DataFrame, figure_id: str) -> str:
    """The row that stands for ``figure_id``'s statistic: its ``same_as`` row, or itself.

    Two sources can word one statistic differently (the article's "over 74%" and the
    summary's "74 per cent"); since release 1.2.0 the ``same_as`` column links them.
    Releases without the column give every row its own statistic.
    """
    row = row_by_id(figures, figure_id)
    linked = row.get("same_as")
    return figure_id if linked is None or pd.isna(linked) or not str(linked) else str(linked)


def part_of_pairs(figures: pd.DataFrame, figure_ids=None) -> list[tuple[str, str]]:
    """(part, whole) figure ids linked by the ``part_of`` column (release 1.2.0 on), in table order.

    With ``figure_ids``, only pairs whose part and whole are both among them.
    """
    if "part_of" not in figures.columns:
        return []
    wanted = None if figure_ids is None else set(figure_ids)
    pairs = []
    for figure_id, whole in zip(figures["figure_id"], figures["part_of"], strict=True):
        if pd.isna(whole) or not str(whole):
            continue
        if wanted is None or (figure_id in wanted and str(whole) in wanted):
            pairs.append((str(figure_id), str(whole)))
    return pairs


def figure_value(figures: pd.DataFrame, figure_id: str) -> int | float:
    """The value of one row of ``figures`` (the lower bound for a range), as a plain number."""
    return _plain_number(row_by_id(figures, figure_id)["value"])


def qualifier_words(qualifier: str, unit: str) -> str:
    """The words a qualifier puts before a number ("" for exact), e.g. "an estimated"."""
    if qualifier not in _QUALIFIER_WORDS:
        raise ValueError(f"no wording for qualifier {qualifier!r}")
    words = _QUALIFIER_WORDS[qualifier]
    if qualifier == "less than" and unit in _COUNTED_UNITS:
        words = "fewer than"
    return words


def figure_phrase(figures: pd.DataFrame, figure_id: str, with_unit: bool = True, noun: str | None = None) -> str:
    """One figure as prose with its qualifier and unit, e.g. "an estimated 200,000 people".

    Percentages always keep their sign ("about 70%"); ranges read "40–60 minutes"; calendar
    years get no thousands separator and any qualifier after them ("2023 (estimated)").
    ``noun`` replaces the unit word ("50,000 more prisoners"); it also keeps a bare number
    such as "50,000" out of the glued text, which myst-nb would read as a Python tuple.
    """
    row = row_by_id(figures, figure_id)
    unit, qualifier = str(row["unit"]), str(row["qualifier"])
    value = _plain_number(row["value"])
    if unit == "year":
        text = str(value)
        return text if qualifier == "exact" else f"{text} ({qualifier})"
    if qualifier == "range":
        number = f"{number_text(value)}–{number_text(row['value_high'])}"
        plural = True
    else:
        number = number_text(value)
        plural = value != 1
    if unit == "percent":
        number += "%"
    elif noun:
        number += " " + noun
    elif with_unit and unit in _UNIT_WORDS:
        number += " " + _UNIT_WORDS[unit][1 if plural else 0]
    words = "" if qualifier == "range" else qualifier_words(qualifier, unit)
    return f"{words} {number}".strip()


def period_phrase(as_of: str) -> str:
    """An ISO date or period as prose: "2018-06/2018-09" -> "June to September 2018"."""

    def parts(text: str) -> tuple[int, int, int | None]:
        fields = [int(p) for p in text.split("-")]
        if len(fields) not in (2, 3):
            raise ValueError(f"not an ISO year-month or date: {text!r}")
        return fields[0], fields[1], fields[2] if len(fields) == 3 else None

    def one(year: int, month: int, day: int | None, with_year: bool = True) -> str:
        text = MONTHS[month - 1] + (f" {year}" if with_year else "")
        return f"{day} {text}" if day is not None else text

    start, _, end = str(as_of).partition("/")
    first = parts(start)
    if not end:
        return one(*first)
    last = parts(end)
    same_year = first[0] == last[0]
    return f"{one(*first, with_year=not same_year)} to {one(*last)}"


def figure_period(figures: pd.DataFrame, figure_id: str) -> str:
    """The date or period a figure refers to (its ``as_of``), as prose."""
    as_of = row_by_id(figures, figure_id)["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"figure {figure_id!r} has no as_of date")
    return period_phrase(str(as_of))


def figure_year(figures: pd.DataFrame, figure_id: str) -> int:
    """The (last) calendar year of a figure's ``as_of`` period."""
    as_of = row_by_id(figures, figure_id)["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"figure {figure_id!r} has no as_of date")
    return int(str(as_of).split("/")[-1][:4])
