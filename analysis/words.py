"""English words the book and the claims register share: month names, small numbers, dates in prose,
and the source-cell format (``<file> § <section>: "<phrase>"``).

One home for them, below every layer, so the prose the book writes and the phrases the
register reads agree (no locale is involved anywhere).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Words for 0..20, as English prose spells small counts.
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


def day_text(value) -> str:
    """A date as prose: 2022-07-03 -> "3 July 2022"."""
    day = pd.Timestamp(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# The ``source`` column of every table (see a release's README, "The source column").
SOURCE_FORM = '<file> § <section>: "<phrase>"'


class SourceCell(NamedTuple):
    """A ``source`` cell's parts: the source document's file name, its section, the verbatim phrase."""

    file: str
    section: str
    phrase: str

    def __str__(self) -> str:
        return f'{self.file} § {self.section}: "{self.phrase}"'


def parse_source(text: str) -> SourceCell:
    """``<file> § <section>: "<phrase>"`` -> its parts; any other shape raises ValueError.

    The section ends at the first ``: "``; the phrase runs to the final quote mark, so it may
    hold quote marks itself.
    """
    file, sep, rest = str(text).partition(" § ")
    section, sep2, quoted = rest.partition(': "')
    if not (sep and sep2 and quoted.endswith('"') and file and section):
        raise ValueError(f"a source of the form {SOURCE_FORM}, got {text!r}")
    return SourceCell(file, section, quoted[:-1])
