"""The register's vocabulary (qualifiers, verdicts, roles, units) and its text helpers."""

from __future__ import annotations

import math
import re

from analysis import words

ARTICLE = "cracknell-2022-running-on-the-treadmill.txt"
# "about" / "approximately" / "estimated": within this share of the value
# (plus the rounding tolerance). Calendar years get no relative allowance.
ABOUT_RELATIVE = 0.05
# "just under X": below X and at least (1 - margin) * X.
JUST_UNDER_MARGIN = 0.05
VERDICTS = ("holds", "fails", "sources disagree", "not checkable")
DISAGREE = "sources disagree"
CATEGORIES = ("value", "consistency", "integrity", "not checkable")
# Qualifiers that repeat a hedge of the source: the phrase must contain its wording.
HEDGE_WORDS = {
    "about": r"\b(about|approximately|around|roughly)\b|\bsome (?=\d)",  # "some 224,587 people"
    "estimated": r"\bestimat",
    "less than": r"\b(less than|fewer than|under|below|before)\b",
    "just under": r"\bjust under\b",
    "over": r"\b(over|more than|above)\b",
    "at least": r"(\d\+|\bat least\b)",
    # Qualifiers only data rows use (workload_surveys, kirton_survey): their phrase must word them too.
    "almost": r"\b(almost|nearly)\b",
    "more than": r"\b(more than|over|above)\b",
}
# Roles as published after the excerpts -> the sample's role categories.
# ASSUMPTION: the CRC business and partnership managers who speak in the
# excerpts are the sample's two middle managers.
ROLE_IN_SAMPLE = {
    "Probation officer": "Probation officer",
    "Probation service officer": "Probation service officer",
    "CRC business manager": "Middle manager",
    "CRC partnership manager": "Middle manager",
}
EXPERIENCE_CODE = {"joined before TR": "pre-TR", "joined after TR": "post-TR"}
# Wording that supports an attribution in excerpts.attribution_basis.
ATTRIBUTION_WORDS = {
    ("gender", "female"): r"\b(her|she|herself)\b",
    ("gender", "male"): r"\b(his|he|him|himself)\b",
    ("experience", "pre-TR"): r"(pre-TR|before TR|\bexperience|\bexperienced)",
    ("experience", "post-TR"): r"(after TR|post-TR|joined)",
}
UNIT_FROM_MINUTES = {"minutes": 1.0, "hours": 60.0}
COHORT_UNITS = {"people": "people", "percent of caseload": "percent"}
NUMBER_VALUES = {word: n for n, word in enumerate(words.NUMBER_WORDS)}  # word -> value, for reading phrases
MONTH_NUMBERS = {month: i for i, month in enumerate(words.MONTHS, 1)}
_MONTH = "|".join(MONTH_NUMBERS)
# A role label closing a printed excerpt: "... (Probation officer)."
_PRINTED_ROLE = re.compile(r"\(((?:CRC )?[A-Za-z -]*?(?:officer|manager|practitioner|worker))\)\.\s*$", re.IGNORECASE)
# A stray citation left at the end of a printed excerpt, e.g. "(cracknell, 2018)".
_TRAILING_CITATION = re.compile(r"\(\s*[A-Za-z][\w .&]*,\s*\d{4}[a-z]?\s*\)\s*$")


class ClaimsError(ValueError):
    """The claims table cannot be evaluated (unknown check kind, bad arguments)."""


def normalise(text: str) -> str:
    """Collapse whitespace and turn typographic quote marks into straight ones."""
    text = text.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})
    return re.sub(r"\s+", " ", text).strip()


# A period written as years ("2021/22", a financial year) and a number in digits, as a phrase writes them.
_PERIOD = r"\d{4}/\d{2}(?!\d)"
_NUMERAL = rf"{_PERIOD}|\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?"


def numerals_as_written(text: str) -> list[str]:
    """The numbers and periods a phrase writes in digits, as written and in order ("2021/22", "1,518"), for messages."""
    return list(dict.fromkeys(re.findall(_NUMERAL, normalise(text))))


def numbers_in(text: str) -> set[float]:
    """Every number a phrase states: digits, number words, 'a week', month spans.

    ``68,863`` -> 68863; ``60-70`` -> 60 and 70; ``three`` -> 3; ``an hour`` ->
    1; a month range such as ``June – September`` -> 4, the number of calendar
    months it spans (inclusive).
    """
    text = normalise(text)
    found: set[float] = set()
    for written in re.findall(_NUMERAL, text):
        if not re.fullmatch(_PERIOD, written):  # "2021/22" is one period, not the numbers 2021 and 22
            found.add(float(written.replace(",", "")))
    for match in re.finditer(r"\b(" + "|".join(NUMBER_VALUES) + r")\b", text, re.IGNORECASE):
        found.add(float(NUMBER_VALUES[match.group(1).lower()]))
    if re.search(r"\ban? (minute|hour|day|week|month|year)\b", text, re.IGNORECASE):
        found.add(1.0)
    for match in re.finditer(rf"\b({_MONTH})\s*[–-]\s*({_MONTH})\b", text):
        start, end = MONTH_NUMBERS[match.group(1)], MONTH_NUMBERS[match.group(2)]
        found.add(float((end - start) % 12 + 1))
    return found


def fmt(value: float, unit: str | None = None) -> str:
    """A number as the register prints it: thousands separators (not in calendar years), one decimal at most."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value))) if unit == "year" else f"{int(round(value)):,}"
    return f"{value:,.1f}"


def with_unit(text: str, unit: str | None, value: float | None = None) -> str:
    if not unit or unit in ("count", "year"):
        return text
    if unit == "percent":
        return f"{text}%"
    if value is not None and value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{text} {unit}"
