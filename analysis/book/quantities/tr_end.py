"""The end of Transforming Rehabilitation (release 1.2.0 on)."""

from __future__ import annotations

import re

import pandas as pd

from analysis.book.quantities.reported import row_by_id
from analysis.book.quantities.words import _UNIT_WORDS, _plain_number, number_text
from analysis.words import MONTHS, day_text


def _tr_row(tr_end: pd.DataFrame, item_id: str) -> pd.Series:
    return row_by_id(tr_end, item_id, "tr_end", column="item_id")


# What the prose shows for an event that an older release does not record (rows added in 1.3.0).
NOT_RECORDED = "(not recorded in this data release)"


def _recorded(tr_end: pd.DataFrame, item_id: str) -> bool:
    return bool((tr_end["item_id"] == item_id).any())


def tr_end_date(tr_end: pd.DataFrame, item_id: str) -> str:
    """The date of a row of ``tr_end`` as prose: "2018", "July 2018", "26 June 2021"; an undated row raises.

    A row that this release does not hold (an older release, before the row was added) reads ``NOT_RECORDED``.
    """
    if not _recorded(tr_end, item_id):
        return NOT_RECORDED
    value = _tr_row(tr_end, item_id)["date"]
    if pd.isna(value):
        raise ValueError(f"tr_end row {item_id!r} has no date: its source gives none")
    text = str(value)
    if len(text) == len("2018"):
        return text
    if len(text) == len("2018-07"):
        year, month = text.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    return day_text(text)


def same_or_later(earlier: str, later: str) -> bool:
    """Whether ISO date ``later`` is not before ``earlier``, at the precision both give.

    "2021-06" holds "2021-06-26", and "2018" holds "2018-07": neither is before the other.
    """
    n = min(len(earlier), len(later))
    return later[:n] >= earlier[:n]


def tr_end_value(tr_end: pd.DataFrame, item_id: str, noun: str | None = None) -> str:
    """The number of a row of ``tr_end`` with its unit: "14 months", "109,335 people", "48.7%", "21".

    A row that this release does not hold reads ``NOT_RECORDED``.
    """
    if not _recorded(tr_end, item_id):
        return NOT_RECORDED
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


# How the table shows a row's tense (``tr_end.tense``, release 1.3.0 on).
_TENSE_WORDS = {"past": "reported as done", "planned": "announced as planned"}


def _qualified(row: pd.Series) -> str:
    """Prefix "about" to a number its source words approximately (``qualifier`` about, e.g. "some 224,587")."""
    return "about " if str(row.get("qualifier", "")) == "about" else ""


def tr_end_table(tr_end: pd.DataFrame) -> pd.DataFrame:
    """The end of TR for readers, in the release's order (chronological; an undated event where its source places it).

    Columns: date, what happened or was counted, the number, how the source words it (release 1.3.0 on), and
    who published it.
    """
    ordered = tr_end if "tense" in tr_end.columns else tr_end.sort_values("date", kind="stable")  # 1.2.0: by date
    rows = []
    for _, row in ordered.iterrows():
        item_id = str(row["item_id"])
        record = {
            "date": "no date given" if pd.isna(row["date"]) else tr_end_date(tr_end, item_id),
            "what": row["description"],
            "figure": "" if pd.isna(row["value"]) else _qualified(row) + tr_end_value(tr_end, item_id),
        }
        if "tense" in tr_end.columns:
            tense = "a count" if row["kind"] == "caseload" else _TENSE_WORDS[str(row["tense"])]
            record["as the source words it"] = tense
        record["published by"] = row["publisher"]
        rows.append(record)
    return pd.DataFrame(rows)


def tr_end_source(tr_end: pd.DataFrame, item_id: str) -> str:
    """The public document a ``tr_end`` row comes from, as its citation names it (without the address)."""
    citation = str(_tr_row(tr_end, item_id)["citation"])
    return re.split(r"\.\s+https?://|\s+https?://", citation, maxsplit=1)[0].rstrip(".")
