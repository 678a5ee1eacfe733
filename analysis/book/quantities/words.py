"""Numbers as the prose says them: words for small counts, qualifiers, units."""

from __future__ import annotations

from analysis.words import NUMBER_WORDS

# How each `figures.qualifier` reads in front of a number (the qualifiers are the schema's enum;
# a test checks that each has its words here). "less than" reads "fewer than"
# before counts of whole things (people, offences), as English grammar asks.
_QUALIFIER_WORDS = {
    "exact": "",
    "about": "about",
    "estimated": "an estimated",
    "less than": "less than",
    "just under": "just under",
    "over": "over",
    "at least": "at least",
}
_COUNTED_UNITS = {"people", "offences", "count"}
# Singular and plural of each `figures.unit` that is written as a word after the number.
_UNIT_WORDS = {
    "people": ("person", "people"),
    "offences": ("offence", "offences"),
    "minutes": ("minute", "minutes"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}


def in_words(n: float) -> str:
    """A whole number as prose: words up to twenty ("nine"), digits with commas above."""
    n = int(n)
    if 0 <= n < len(NUMBER_WORDS):
        return NUMBER_WORDS[n]
    return f"{n:,}"


def how_many(n: int) -> str:
    """A count for running prose: "none" for zero, else :func:`in_words` ("one", "twelve", "1,007")."""
    return "none" if int(n) == 0 else in_words(n)


def _plain_number(value) -> int | float:
    """An integer when the value is whole (the figures table stores numbers as floats)."""
    value = float(value)
    return int(value) if value.is_integer() else value


def number_text(value) -> str:
    value = _plain_number(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,g}"
