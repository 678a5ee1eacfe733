"""The end of Transforming Rehabilitation (release 1.2.0 on)."""

from __future__ import annotations

import re

import pandas as pd

from analysis.book.quantities.reported import row_by_id
from analysis.book.quantities.words import _UNIT_WORDS, _plain_number, number_text
from analysis.words import MONTHS, day_text


def _tr_row(tr_end: pd.DataFrame, item_id: str) -> pd.Series:
    return row_by_id(tr_end, item_id, "tr_end", column="item_id")


def tr_end_date(tr_end: pd.DataFrame, item_id: str) -> str:
    """The date of a row of ``tr_end`` as prose: "July 2018" for a month, "26 June 2021" for a day."""
    text = str(_tr_row(tr_end, item_id)["date"])
    if len(text) == len("2018-07"):
        year, month = text.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    return day_text(text)


def tr_end_value(tr_end: pd.DataFrame, item_id: str, noun: str | None = None) -> str:
    """The number of a row of ``tr_end`` with its unit: "14 months", "109,335 people", "48.7%", "21"."""
    row = _tr_row(tr_end, item_id)
    if pd.isna(row["value"]):
        raise ValueError(f"tr_end row {item_id!r} has no value")
    number = number_text(row["value"])
    unit = str(row["unit"])
    if unit == "percent":
        return number + "%"
    if noun:
        return f"{number} {noun}"
    if unit in _UNIT_WORDS:
        return f"{number} {_UNIT_WORDS[unit][0 if _plain_number(row['value']) == 1 else 1]}"
    return number


def tr_end_table(tr_end: pd.DataFrame) -> pd.DataFrame:
    """The end of TR for readers: date, what happened or was counted, the number, and who published it."""
    rows = []
    for _, row in tr_end.sort_values("date", kind="stable").iterrows():
        item_id = str(row["item_id"])
        figure = "" if pd.isna(row["value"]) else tr_end_value(tr_end, item_id)
        rows.append(
            {
                "date": tr_end_date(tr_end, item_id),
                "what": row["description"],
                "figure": figure,
                "published by": row["publisher"],
            }
        )
    return pd.DataFrame(rows)


def tr_end_source(tr_end: pd.DataFrame, item_id: str) -> str:
    """The public document a ``tr_end`` row comes from, as its citation names it (without the address)."""
    citation = str(_tr_row(tr_end, item_id)["citation"])
    return re.split(r"\.\s+https?://|\s+https?://", citation, maxsplit=1)[0].rstrip(".")
