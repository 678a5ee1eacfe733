"""English words the book and the claims register share: month names, small numbers, dates in prose.

One home for them, below every layer, so the prose the book writes and the phrases the
register reads agree (no locale is involved anywhere).
"""

from __future__ import annotations

import pandas as pd

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# Words for 0..20, as English prose spells small counts.
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)


def day_text(value) -> str:
    """A date as prose: 2022-07-03 -> "3 July 2022"."""
    day = pd.Timestamp(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
