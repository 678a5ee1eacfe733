"""The claims register: every number the sources state, checked against the data.

The release's ``claims`` table lists each quantitative statement the article
or the Webster summary makes (and a few the book derives from them), with the
phrase it comes from, the published value and how the source hedges it, and a
``check``: a small expression ``kind:arguments`` naming how the value is
computed from the other tables. :func:`evaluate` runs every check and gives
each claim a verdict:

* ``holds`` -- the value computed from the data satisfies the published
  statement, read with its qualifier (see :func:`accepted`);
* ``fails`` -- it does not; or the source phrase is not in its file; or the
  published value is not among the numbers of that phrase (the values in the
  register are transcribed by us, so they are checked against the source too);
* ``sources disagree`` -- two sources in the release give different values
  for the same quantity (the ``disagreement`` check): the register lists every
  value with its source and chooses none. This is reported, not a failure; the
  claim still fails if its phrase is wrong or its published value is none of
  the sources' values;
* ``not checkable`` -- the release holds no data for the number (``check`` is
  ``none``); the claim's ``note`` says why. Its phrase is still checked.

Computed values are intervals: a figure the data records as "less than 90" is
the interval below 90, an exact count is a single point. A claim holds when
the whole computed interval lies inside the region the published statement
accepts. An unknown check kind or malformed arguments raise
:class:`ClaimsError`: a register that cannot be read is an error, not a verdict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.data import sources
from analysis.data.release import Release

ARTICLE = "cracknell-2022-running-on-the-treadmill.txt"
# "about" / "approximately" / "estimated": within this share of the value
# (plus the rounding tolerance). Calendar years get no relative allowance.
ABOUT_RELATIVE = 0.05
# "just under X": below X and at least (1 - margin) * X.
JUST_UNDER_MARGIN = 0.05
QUALIFIERS = ("exact", "about", "estimated", "less than", "just under", "over", "at least", "at most", "range")
VERDICTS = ("holds", "fails", "sources disagree", "not checkable")
DISAGREE = "sources disagree"
CATEGORIES = ("value", "consistency", "integrity", "not checkable")
# Qualifiers that repeat a hedge of the source: the phrase must contain its wording.
HEDGE_WORDS = {
    "about": r"\b(about|approximately|around|roughly)\b",
    "estimated": r"\bestimat",
    "less than": r"\b(less than|fewer than|under|below|before)\b",
    "just under": r"\bjust under\b",
    "over": r"\b(over|more than|above)\b",
    "at least": r"(\d\+|\bat least\b)",
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
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
MONTHS = {
    m: i
    for i, m in enumerate(
        "January February March April May June July August September October November December".split(), 1
    )
}
_MONTH = "|".join(MONTHS)
# A role label closing a printed excerpt: "... (Probation officer)."
_PRINTED_ROLE = re.compile(
    r"\(((?:CRC )?[A-Za-z -]*?(?:officer|manager|practitioner|worker))\)\.\s*$", re.IGNORECASE
)
# A stray citation left at the end of a printed excerpt, e.g. "(cracknell, 2018)".
_TRAILING_CITATION = re.compile(r"\(\s*[A-Za-z][\w .&]*,\s*\d{4}[a-z]?\s*\)\s*$")


class ClaimsError(ValueError):
    """The claims table cannot be evaluated (unknown check kind, bad arguments)."""


# --- text helpers -------------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse whitespace and turn typographic quote marks into straight ones."""
    text = text.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})
    return re.sub(r"\s+", " ", text).strip()


def parse_source(source: str) -> tuple[str, str, str]:
    """``<file> § <section>: "<phrase>"`` -> (file, section, phrase)."""
    file, sep, rest = source.partition(" § ")
    section, sep2, quoted = rest.partition(': "')
    if not (sep and sep2 and quoted.endswith('"') and file and section):
        raise ClaimsError(f'a source of the form <file> § <section>: "<phrase>", got {source!r}')
    return file, section, quoted[:-1]


def numbers_in(text: str) -> set[float]:
    """Every number a phrase states: digits, number words, 'a week', month spans.

    ``68,863`` -> 68863; ``60-70`` -> 60 and 70; ``three`` -> 3; ``an hour`` ->
    1; a month range such as ``June – September`` -> 4, the number of calendar
    months it spans (inclusive).
    """
    text = normalise(text)
    found: set[float] = set()
    for match in re.finditer(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?", text):
        found.add(float(match.group().replace(",", "")))
    for match in re.finditer(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", text, re.IGNORECASE):
        found.add(float(NUMBER_WORDS[match.group(1).lower()]))
    if re.search(r"\ban? (minute|hour|day|week|month|year)\b", text, re.IGNORECASE):
        found.add(1.0)
    for match in re.finditer(rf"\b({_MONTH})\s*[–-]\s*({_MONTH})\b", text):
        start, end = MONTHS[match.group(1)], MONTHS[match.group(2)]
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


# --- intervals ------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A set of values: ``lo``..``hi``, each end open or closed (infinite ends are open)."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        if math.isinf(self.lo):
            object.__setattr__(self, "lo_open", True)
        if math.isinf(self.hi):
            object.__setattr__(self, "hi_open", True)

    @classmethod
    def point(cls, value: float) -> Interval:
        return cls(float(value), float(value))

    def within(self, other: Interval) -> bool:
        """True when every value of ``self`` is in ``other``."""
        lo_ok = other.lo < self.lo or (other.lo == self.lo and (self.lo_open or not other.lo_open))
        hi_ok = self.hi < other.hi or (self.hi == other.hi and (self.hi_open or not other.hi_open))
        return lo_ok and hi_ok

    def negated(self) -> Interval:
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def shifted(self, by: float) -> Interval:
        return Interval(self.lo + by, self.hi + by, self.lo_open, self.hi_open)

    @property
    def bound(self) -> float:
        """A finite end (for choosing 'week' or 'weeks')."""
        return self.hi if math.isinf(self.lo) else self.lo

    def text(self, unit: str | None = None) -> str:
        lo, hi = fmt(self.lo, unit), fmt(self.hi, unit)
        if self.lo == self.hi:
            return lo
        if math.isinf(self.lo):
            return f"less than {hi}" if self.hi_open else f"at most {hi}"
        if math.isinf(self.hi):
            return f"over {lo}" if self.lo_open else f"at least {lo}"
        if not self.lo_open and not self.hi_open:
            return f"{lo}–{hi}"
        if not self.lo_open:
            return f"{lo} to under {hi}"
        if not self.hi_open:
            return f"over {lo} up to {hi}"
        return f"between {lo} and {hi} (exclusive)"


def accepted(qualifier: str, value: float, high: float | None = None, tolerance: float = 0.0,
             unit: str | None = None) -> Interval:
    """The values a statement "<qualifier> <value>" accepts.

    exact: value ± tolerance; about / estimated: value ± (tolerance + 5% of the
    value; calendar years: tolerance only); less than: below value; just under:
    below value and at least 95% of it; over: above value; at least / at most:
    the closed bounds; range: value - tolerance .. high + tolerance. The data's
    own hedged records are read the same way (with no tolerance).
    """
    inf = math.inf
    if qualifier == "exact":
        return Interval(value - tolerance, value + tolerance)
    if qualifier in ("about", "estimated"):
        allowance = tolerance + (0.0 if unit == "year" else ABOUT_RELATIVE * abs(value))
        return Interval(value - allowance, value + allowance)
    if qualifier == "less than":
        return Interval(-inf, value, hi_open=True)
    if qualifier == "just under":
        return Interval(value * (1 - JUST_UNDER_MARGIN), value, hi_open=True)
    if qualifier == "over":
        return Interval(value, inf, lo_open=True)
    if qualifier == "at least":
        return Interval(value, inf)
    if qualifier == "at most":
        return Interval(-inf, value)
    if qualifier == "range":
        if high is None:
            raise ClaimsError(f"a range needs an upper bound (value {value})")
        return Interval(value - tolerance, high + tolerance)
    raise ClaimsError(f"unknown qualifier {qualifier!r}; expected one of {QUALIFIERS}")


def published_text(qualifier: str, value: float, high: float | None, unit: str | None) -> str:
    """How the register prints a published value, e.g. ``just under 40,000``."""
    if qualifier == "range":
        return with_unit(f"{fmt(value, unit)}–{fmt(high, unit)}", unit)
    prefix = "" if qualifier == "exact" else f"{qualifier} "
    return prefix + with_unit(fmt(value, unit), unit, value)


# --- what the checks read --------------------------------------------------------


class Evidence:
    """The tables and source texts that claims are checked against."""

    def __init__(self, tables: Callable[[str], pd.DataFrame], table_names: Sequence[str],
                 sources_dir: Path = paths.SOURCES) -> None:
        self._tables = tables
        self.table_names = list(table_names)
        self.sources_dir = Path(sources_dir)
        self._texts: dict[str, str | None] = {}

    @classmethod
    def from_release(cls, release: Release, sources_dir: Path = paths.SOURCES) -> Evidence:
        names = [n for n in release.resource_names if release.is_table(n)]
        return cls(release.table, names, sources_dir)

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], sources_dir: Path) -> Evidence:
        return cls(lambda name: frames[name].copy(), list(frames), sources_dir)

    def table(self, name: str) -> pd.DataFrame:
        return self._tables(name)

    def source_text(self, file: str) -> str | None:
        """Normalised text of a source file; None if ``file`` is not a source document.

        A listed source that is missing or altered raises
        :class:`analysis.data.sources.SourceError`: never a quiet "not found" verdict.
        """
        if file not in self._texts:
            known = sources.known(file, self.sources_dir)
            self._texts[file] = normalise(self.raw_source(file)) if known else None
        return self._texts[file]

    def raw_source(self, file: str) -> str:
        return sources.read_source(file, self.sources_dir)

    def phrase_problem(self, source: str) -> str | None:
        """Why a ``source`` cell does not point at a real phrase (None if it does)."""
        try:
            file, _, phrase = parse_source(source)
        except ClaimsError:
            return f"source {source!r} is not of the form <file> § <section>: \"<phrase>\""
        text = self.source_text(file)
        if text is None:
            return f"no source file {file!r}"
        if normalise(phrase) not in text:
            return f"phrase {phrase!r} not found in {file}"
        return None


@dataclass(frozen=True)
class Claim:
    claim_id: str
    statement: str
    source: str
    value: float | None
    high: float | None
    qualifier: str | None
    unit: str | None
    kind: str
    args: tuple[str, ...]
    tolerance: float
    note: str | None


@dataclass(frozen=True)
class Computed:
    """What a check found: an interval (None for integrity checks), its text, problems.

    ``disagreement`` is set (to the reason) when the sources of the value
    disagree; the claim's verdict is then ``sources disagree``.
    """

    interval: Interval | None
    text: str
    problems: tuple[str, ...] = ()
    disagreement: str | None = None


@dataclass(frozen=True)
class Check:
    kind: str
    run: Callable[[Evidence, Claim], Computed]
    nargs: int | None  # None: no arguments; else exactly this many
    needs_value: bool  # compares a number (else an integrity check)
    category: str  # "value", "consistency" or "integrity"


CHECKS: dict[str, Check] = {}
NOT_CHECKABLE = "none"


def check(kind: str, nargs: int | None, category: str) -> Callable:
    """Register a check function under ``kind``."""

    def register(fn: Callable[[Evidence, Claim], Computed]) -> Callable[[Evidence, Claim], Computed]:
        CHECKS[kind] = Check(kind, fn, nargs, category != "integrity", category)
        return fn

    return register


def parse_check(expression: str) -> tuple[str, tuple[str, ...]]:
    """``kind:arg1,arg2`` -> (kind, args); raises ClaimsError on an unknown kind."""
    kind, _, rest = expression.partition(":")
    if kind == NOT_CHECKABLE and not rest:
        return kind, ()
    if kind not in CHECKS:
        raise ClaimsError(f"unknown check kind {kind!r} in {expression!r}; known: {sorted(CHECKS)} and 'none'")
    spec = CHECKS[kind]
    args = tuple(a.strip() for a in rest.split(",")) if rest else ()
    if spec.nargs is None and args:
        raise ClaimsError(f"check {kind!r} takes no arguments, got {expression!r}")
    if spec.nargs is not None and (len(args) != spec.nargs or not all(args)):
        raise ClaimsError(f"check {kind!r} takes {spec.nargs} argument(s), got {expression!r}")
    return kind, args


# --- lookups --------------------------------------------------------------------


def _row(frame: pd.DataFrame, column: str, key: str, table: str) -> tuple[pd.Series | None, tuple[str, ...]]:
    rows = frame[frame[column] == key]
    if len(rows) != 1:
        return None, (f"{table} has {len(rows)} rows with {column} = {key!r}, expected one",)
    return rows.iloc[0], ()


def _na(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _figure(ev: Evidence, figure_id: str) -> tuple[pd.Series | None, tuple[str, ...]]:
    return _row(ev.table("figures"), "figure_id", figure_id, "figures")


def _figure_interval(row: pd.Series) -> Interval:
    high = None if _na(row["value_high"]) else float(row["value_high"])
    return accepted(str(row["qualifier"]), float(row["value"]), high, 0.0, str(row["unit"]))


def _as_of(row: pd.Series) -> tuple[list[tuple[int, int]], tuple[str, ...]]:
    """The (year, month) of each end of a figure's as_of date or period."""
    if _na(row["as_of"]):
        return [], (f"figure {row['figure_id']} has no as_of date",)
    ends = []
    for part in str(row["as_of"]).split("/"):
        match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-\d{2})?", part)
        if not match:
            return [], (f"figure {row['figure_id']}: unreadable as_of {row['as_of']!r}",)
        ends.append((int(match.group(1)), int(match.group(2) or 0)))
    return ends, ()


def _qualifier_problems(claim: Claim, recorded: str, unit: str, where: str) -> tuple[str, ...]:
    problems = []
    if recorded != claim.qualifier:
        problems.append(f"{where} records the qualifier {recorded!r}, the source says {claim.qualifier!r}")
    if unit != claim.unit:
        problems.append(f"{where} is in {unit!r}, the claim in {claim.unit!r}")
    return tuple(problems)


def _recorded_text(qualifier: str, value, high, unit: str, interval: Interval) -> str:
    """How the data record a value, and the values that record allows if it is hedged."""
    text = published_text(qualifier, float(value), None if _na(high) else float(high), unit)
    if qualifier in ("about", "estimated", "just under"):
        text += f" (read as {interval.text(unit)})"
    return text


# --- value checks ------------------------------------------------------------------


@check("figure", 1, "value")
def check_figure(ev: Evidence, claim: Claim) -> Computed:
    """The figures row named by the argument, read with its own qualifier."""
    row, problems = _figure(ev, claim.args[0])
    if row is None:
        return Computed(None, "no such figure", problems)
    interval = _figure_interval(row)
    problems = _qualifier_problems(claim, str(row["qualifier"]), str(row["unit"]), f"figure {claim.args[0]}")
    return Computed(interval, _recorded_text(str(row["qualifier"]), row["value"], row["value_high"],
                                             str(row["unit"]), interval), problems)


@check("sample", 1, "value")
def check_sample(ev: Evidence, claim: Claim) -> Computed:
    """One count of the sample table: ``dimension/category``."""
    dimension, _, category = claim.args[0].partition("/")
    frame = ev.table("sample")
    rows = frame[(frame["dimension"] == dimension) & (frame["category"] == category)]
    if len(rows) != 1:
        return Computed(None, "no such count", (f"sample has {len(rows)} rows for {claim.args[0]!r}, expected one",))
    count = int(rows.iloc[0]["count"])
    return Computed(Interval.point(count), f"{count:,}")


@check("sample_sum", 1, "consistency")
def check_sample_sum(ev: Evidence, claim: Claim) -> Computed:
    """Sum of a dimension's counts (``dimension=total_dimension/total_category``).

    The sum is compared with the published total; it must also equal the
    release's own count for the total, else the check reports the difference.
    """
    dimension, _, total = claim.args[0].partition("=")
    frame = ev.table("sample")
    parts = frame[frame["dimension"] == dimension]
    if parts.empty:
        return Computed(None, "no counts", (f"sample has no rows for dimension {dimension!r}",))
    total_sum = int(parts["count"].sum())
    text = f"{total_sum:,} (" + " + ".join(f"{int(c)}" for c in parts["count"]) + ")"
    problems: tuple[str, ...] = ()
    if total:
        total_dim, _, total_cat = total.partition("/")
        rows = frame[(frame["dimension"] == total_dim) & (frame["category"] == total_cat)]
        if len(rows) != 1:
            problems = (f"sample has no single count for {total!r}",)
        elif int(rows.iloc[0]["count"]) != total_sum:
            problems = (f"the {dimension} counts sum to {total_sum} but the release's {total} is "
                        f"{int(rows.iloc[0]['count'])}",)
    return Computed(Interval.point(total_sum), text, problems)


@check("period_months", 1, "consistency")
def check_period_months(ev: Evidence, claim: Claim) -> Computed:
    """Calendar months spanned (inclusive) by a figure's as_of period."""
    row, problems = _figure(ev, claim.args[0])
    if row is None:
        return Computed(None, "no such figure", problems)
    ends, problems = _as_of(row)
    if problems:
        return Computed(None, "no period", problems)
    (y1, m1), (y2, m2) = ends[0], ends[-1]
    if not (m1 and m2):
        return Computed(None, "no months", (f"figure {claim.args[0]}: as_of {row['as_of']!r} gives no months",))
    months = (y2 - y1) * 12 + (m2 - m1) + 1
    return Computed(Interval.point(months), f"{months} ({row['as_of']})")


@check("period_year", 1, "value")
def check_period_year(ev: Evidence, claim: Claim) -> Computed:
    """Calendar year(s) of a figure's as_of date or period."""
    row, problems = _figure(ev, claim.args[0])
    if row is None:
        return Computed(None, "no such figure", problems)
    ends, problems = _as_of(row)
    if problems:
        return Computed(None, "no date", problems)
    interval = Interval(ends[0][0], ends[-1][0])
    return Computed(interval, f"{interval.text('year')} ({row['as_of']})")


@check("implied_baseline", 3, "consistency")
def check_implied_baseline(ev: Evidence, claim: Claim) -> Computed:
    """Start value implied by an end value and a rounded percentage rise.

    Arguments: the end figure, the rise figure (percent), and the rise's
    rounding (0.5 for a whole percentage). Baseline = end / (1 + r) for every
    r the rounded rise allows, an interval. The rise's period must end on the
    end figure's date.
    """
    end_id, rise_id, rounding = claim.args
    try:
        rounding_value = float(rounding)
    except ValueError:
        raise ClaimsError(f"{claim.claim_id}: rounding {rounding!r} is not a number") from None
    end, problems_end = _figure(ev, end_id)
    rise, problems_rise = _figure(ev, rise_id)
    if end is None or rise is None:
        return Computed(None, "no such figure", problems_end + problems_rise)
    problems = []
    if str(rise["unit"]) != "percent":
        problems.append(f"figure {rise_id} is not a percentage")
    end_interval = _figure_interval(end)
    rise_interval = _figure_interval(rise)
    if str(rise["qualifier"]) == "exact":
        rise_interval = Interval(rise_interval.lo - rounding_value, rise_interval.hi + rounding_value)
    if _na(end["as_of"]) or _na(rise["as_of"]) or str(rise["as_of"]).split("/")[-1] != str(end["as_of"]):
        problems.append(f"the rise {rise_id} ({rise['as_of']}) does not end on the date of {end_id} ({end['as_of']})")
    lo = end_interval.lo / (1 + rise_interval.hi / 100)
    hi = end_interval.hi / (1 + rise_interval.lo / 100)
    interval = Interval(lo, hi)
    text = (f"{interval.text()} ({end_interval.text()} ÷ (1 + {fmt(rise_interval.lo)}–"
            f"{fmt(rise_interval.hi)}%))")
    return Computed(interval, text, tuple(problems))


@check("cohort", 1, "value")
def check_cohort(ev: Evidence, claim: Claim) -> Computed:
    """A cohort's reported size, read with its qualifier."""
    row, problems = _row(ev.table("cohorts"), "cohort_id", claim.args[0], "cohorts")
    if row is None:
        return Computed(None, "no such cohort", problems)
    if _na(row["size_reported"]) or not bool(row["size_reported"]) or _na(row["size_value"]):
        return Computed(None, "no size recorded", (f"cohort {claim.args[0]} has no reported size",))
    unit = COHORT_UNITS.get(str(row["size_unit"]), str(row["size_unit"]))
    interval = accepted(str(row["size_qualifier"]), float(row["size_value"]), None, 0.0, unit)
    problems = _qualifier_problems(claim, str(row["size_qualifier"]), unit, f"cohort {claim.args[0]}")
    return Computed(interval, _recorded_text(str(row["size_qualifier"]), row["size_value"], None, unit, interval),
                    problems)


@check("cohort_age", 1, "value")
def check_cohort_age(ev: Evidence, claim: Claim) -> Computed:
    """A cohort's age band (``18–24`` or ``50+``) as an interval of ages."""
    row, problems = _row(ev.table("cohorts"), "cohort_id", claim.args[0], "cohorts")
    if row is None:
        return Computed(None, "no such cohort", problems)
    band = "" if _na(row["age_range"]) else str(row["age_range"])
    if match := re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", band):
        interval = Interval(float(match.group(1)), float(match.group(2)))
    elif match := re.fullmatch(r"(\d+)\+", band):
        interval = Interval(float(match.group(1)), math.inf)
    else:
        return Computed(None, "no age band", (f"cohort {claim.args[0]} has no readable age range ({band!r})",))
    return Computed(interval, interval.text())


@check("table_rows", 1, "consistency")
def check_table_rows(ev: Evidence, claim: Claim) -> Computed:
    """The number of rows of a table."""
    if claim.args[0] not in ev.table_names:
        return Computed(None, "no such table", (f"the release has no table {claim.args[0]!r}",))
    n = len(ev.table(claim.args[0]))
    return Computed(Interval.point(n), f"{n:,} rows")


@check("appointment", 1, "value")
def check_appointment(ev: Evidence, claim: Claim) -> Computed:
    """An appointment model's length, in the claim's unit (minutes or hours)."""
    row, problems = _row(ev.table("appointment_models"), "model_id", claim.args[0], "appointment_models")
    if row is None:
        return Computed(None, "no such model", problems)
    if claim.unit not in UNIT_FROM_MINUTES:
        raise ClaimsError(f"{claim.claim_id}: appointment lengths convert to {sorted(UNIT_FROM_MINUTES)}, "
                          f"not {claim.unit!r}")
    value = int(row["minutes"]) / UNIT_FROM_MINUTES[claim.unit]
    return Computed(Interval.point(value), with_unit(fmt(value), claim.unit, value)
                    + ("" if claim.unit == "minutes" else f" ({int(row['minutes'])} minutes)"))


@check("joined_before", 2, "consistency")
def check_joined_before(ev: Evidence, claim: Claim) -> Computed:
    """Year someone joined: last fieldwork year minus their years of experience.

    Arguments: the experience figure (years) and the fieldwork figure (its
    as_of period). ``over 14`` years in 2018 gives a joining year before 2004.
    """
    experience, problems_exp = _figure(ev, claim.args[0])
    fieldwork, problems_fw = _figure(ev, claim.args[1])
    if experience is None or fieldwork is None:
        return Computed(None, "no such figure", problems_exp + problems_fw)
    ends, problems = _as_of(fieldwork)
    if problems:
        return Computed(None, "no fieldwork period", problems)
    if str(experience["unit"]) != "years":
        return Computed(None, "no experience in years", (f"figure {claim.args[0]} is not in years",))
    last_year = ends[-1][0]
    joined = _figure_interval(experience).negated().shifted(last_year)
    return Computed(joined, f"{joined.text('year')} ({last_year} − {_figure_interval(experience).text()} years)")


def min_speakers(people: Sequence[tuple]) -> int:
    """Fewest distinct people who could have said these excerpts.

    Each item is a tuple of attributes (None = unknown); two excerpts can
    come from one person only if no attribute known for both differs.
    """
    items = list(people)
    best = [len(items)]

    def compatible(a: tuple, b: tuple) -> bool:
        return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))

    def place(i: int, groups: list[list[tuple]]) -> None:
        if len(groups) >= best[0]:
            return
        if i == len(items):
            best[0] = len(groups)
            return
        for group in groups:
            if all(compatible(items[i], other) for other in group):
                group.append(items[i])
                place(i + 1, groups)
                group.pop()
        groups.append([items[i]])
        place(i + 1, groups)
        groups.pop()

    if items:
        place(0, [])
    return best[0]


@check("excerpt_speakers", 1, "consistency")
def check_excerpt_speakers(ev: Evidence, claim: Claim) -> Computed:
    """Fewest distinct speakers of the excerpts in one sample group.

    The argument names the group as in the sample table (``role/...``,
    ``gender/...``, ``experience/...``, or ``interviews/this paper`` for all).
    """
    dimension, _, category = claim.args[0].partition("/")
    frame = ev.table("excerpts")
    unknown = sorted(set(frame["speaker_role"]) - set(ROLE_IN_SAMPLE))
    if unknown:
        return Computed(None, "unmapped role", (f"excerpt roles {unknown} have no sample role",))
    role = frame["speaker_role"].map(ROLE_IN_SAMPLE)
    if dimension == "role":
        chosen = frame[role == category]
    elif dimension == "gender":
        chosen = frame[frame["gender"] == category]
    elif dimension == "experience" and category in EXPERIENCE_CODE:
        chosen = frame[frame["experience"] == EXPERIENCE_CODE[category]]
    elif dimension == "interviews":
        chosen = frame
    else:
        raise ClaimsError(f"{claim.claim_id}: no excerpt group {claim.args[0]!r}")
    people = [
        (r.speaker_role, None if _na(r.gender) else r.gender, None if _na(r.experience) else r.experience)
        for r in chosen.itertuples()
    ]
    n = min_speakers(people)
    ids = ", ".join(chosen["excerpt_id"])
    return Computed(Interval.point(n), f"at least {n} speaker{'s' if n != 1 else ''} ({ids or 'no excerpts'})")


@check("text_number", 1, "consistency")
def check_text_number(ev: Evidence, claim: Claim) -> Computed:
    """The number(s) written in one text cell: ``table/row_id/column``.

    The row is found by the table's first column.
    """
    table, row_id, column = (claim.args[0].split("/") + ["", ""])[:3]
    if table not in ev.table_names:
        return Computed(None, "no such table", (f"the release has no table {table!r}",))
    frame = ev.table(table)
    if column not in frame.columns:
        raise ClaimsError(f"{claim.claim_id}: table {table} has no column {column!r}")
    row, problems = _row(frame, frame.columns[0], row_id, table)
    if row is None:
        return Computed(None, "no such row", problems)
    numbers = numbers_in(str(row[column]))
    if not numbers:
        return Computed(None, "no number", (f"{table} {row_id} {column} states no number",))
    interval = Interval(min(numbers), max(numbers))
    return Computed(interval, f"{interval.text()} (in {column!r})")



# --- checks that read the rows of any table -----------------------------------------------
# A row is named ``<table>/<column>=<value>[&<column>=<value>...]/<column>``: the table, the
# key cells that select the row(s), and the column holding the number. Key values are compared
# as text and may contain "/" (``period=2020/21``); table and column names may not.


@dataclass(frozen=True)
class RowSpec:
    table: str
    keys: tuple[tuple[str, str], ...]
    column: str | None

    def text(self) -> str:
        return f"{self.table} " + ", ".join(f"{k} = {v}" for k, v in self.keys)


def parse_row_spec(spec: str, claim_id: str, column_required: bool = True) -> RowSpec:
    """``table/key=value&key=value/column`` -> RowSpec (the column may be optional)."""
    parts = spec.split("/")
    if len(parts) < 2 or not parts[0]:
        raise ClaimsError(f"{claim_id}: expected <table>/<key>=<value>[&...]/<column>, got {spec!r}")
    column = None
    if len(parts) >= 3 and "=" not in parts[-1]:
        column, parts = parts[-1], parts[:-1]
    elif column_required:
        raise ClaimsError(f"{claim_id}: {spec!r} names no value column (<table>/<keys>/<column>)")
    keys = []
    for pair in "/".join(parts[1:]).split("&"):
        name, sep, value = pair.partition("=")
        if not (sep and name and value):
            raise ClaimsError(f"{claim_id}: key {pair!r} in {spec!r} is not of the form <column>=<value>")
        keys.append((name, value))
    return RowSpec(parts[0], tuple(keys), column)


def _select(ev: Evidence, spec: RowSpec, claim_id: str) -> tuple[pd.DataFrame | None, tuple[str, ...]]:
    """The rows of ``spec.table`` whose key cells (as text) equal the spec's values."""
    if spec.table not in ev.table_names:
        return None, (f"the release has no table {spec.table!r}",)
    frame = ev.table(spec.table)
    for name in [k for k, _ in spec.keys] + ([spec.column] if spec.column else []):
        if name not in frame.columns:
            raise ClaimsError(f"{claim_id}: table {spec.table} has no column {name!r}")
    chosen = pd.Series(True, index=frame.index)
    for name, value in spec.keys:
        chosen &= frame[name].astype("string").fillna("") == value
    return frame[chosen], ()


def _one_row(ev: Evidence, spec: RowSpec, claim_id: str) -> tuple[pd.Series | None, tuple[str, ...]]:
    rows, problems = _select(ev, spec, claim_id)
    if rows is None:
        return None, problems
    if len(rows) != 1:
        return None, (f"{spec.text()}: {len(rows)} rows, expected one",)
    return rows.iloc[0], ()


def _row_interval(row: pd.Series, column: str, claim: Claim, where: str) -> tuple[Interval | None, str,
                                                                                  tuple[str, ...]]:
    """A row's number read with the row's own ``qualifier`` and ``unit`` where the table has them."""
    if _na(row[column]):
        return None, "no value", (f"{where}: {column} is empty",)
    value = float(row[column])
    qualifier = str(row["qualifier"]) if "qualifier" in row.index and not _na(row["qualifier"]) else "exact"
    unit = str(row["unit"]) if "unit" in row.index and not _na(row["unit"]) else claim.unit
    if qualifier not in QUALIFIERS:
        return None, f"{fmt(value)} ({qualifier})", (f"{where} records the qualifier {qualifier!r}, which the "
                                                      "register cannot read",)
    interval = accepted(qualifier, value, None, 0.0, unit)
    problems = _qualifier_problems(claim, qualifier, unit or "", where)
    return interval, _recorded_text(qualifier, value, None, unit or "count", interval), problems


@check("value", 1, "value")
def check_value(ev: Evidence, claim: Claim) -> Computed:
    """One number of any table: ``table/key=value[&key=value]/column``, read with the row's qualifier."""
    spec = parse_row_spec(claim.args[0], claim.claim_id)
    row, problems = _one_row(ev, spec, claim.claim_id)
    if row is None:
        return Computed(None, "no such row", problems)
    interval, text, problems = _row_interval(row, spec.column, claim, spec.text())
    return Computed(interval, text, problems)


@check("percent_fall", 2, "consistency")
def check_percent_fall(ev: Evidence, claim: Claim) -> Computed:
    """How far a number fell, in percent of the first: ``100 * (from - to) / from``.

    Both arguments name one row each (``table/keys/column``); both must be
    exact counts.
    """
    values, texts, problems = [], [], []
    for arg in claim.args:
        spec = parse_row_spec(arg, claim.claim_id)
        row, found = _one_row(ev, spec, claim.claim_id)
        if row is None:
            problems += found
            continue
        if _na(row[spec.column]):
            problems.append(f"{spec.text()}: {spec.column} is empty")
            continue
        if "qualifier" in row.index and not _na(row["qualifier"]) and str(row["qualifier"]) != "exact":
            problems.append(f"{spec.text()} is not an exact value ({row['qualifier']})")
        values.append(float(row[spec.column]))
        texts.append(fmt(float(row[spec.column])))
    if problems or len(values) != 2:
        return Computed(None, "no such rows", tuple(problems))
    start, end = values
    if start == 0:
        return Computed(None, "no base", (f"{claim.args[0]} is zero",))
    fall = 100 * (start - end) / start
    return Computed(Interval.point(fall), f"{fall:.1f}% (({texts[0]} − {texts[1]}) ÷ {texts[0]})")


@check("disagreement", 1, "consistency")
def check_disagreement(ev: Evidence, claim: Claim) -> Computed:
    """The same quantity from several sources: ``table/key=value[&...][/column]`` (column ``count`` if omitted).

    Every row the keys select is one source's value (labelled by the table's
    first column not among the keys, with its ``counting_basis`` where the
    table has one). When the values differ, the verdict is ``sources
    disagree`` and the register chooses none of them; when they agree, the
    common value is compared with the published one as usual. Either way the
    published value must be one of the sources' values, and there must be at
    least two rows to compare.
    """
    spec = parse_row_spec(claim.args[0], claim.claim_id, column_required=False)
    spec = RowSpec(spec.table, spec.keys, spec.column or "count")
    rows, problems = _select(ev, spec, claim.claim_id)
    if rows is None:
        return Computed(None, "no such table", problems)
    if len(rows) < 2:
        return Computed(None, f"{len(rows)} row(s)", (f"{spec.text()}: {len(rows)} row(s), at least two sources "
                                                       "are needed to compare",))
    key_names = {k for k, _ in spec.keys}
    label_column = next(c for c in rows.columns if c not in key_names and c != spec.column)
    values = [None if _na(v) else float(v) for v in rows[spec.column]]
    if any(v is None for v in values):
        return Computed(None, "missing values", (f"{spec.text()}: a source's {spec.column} is empty",))
    labels = [str(v) for v in rows[label_column]]
    listed = [f"{label} {fmt(v)}" for label, v in zip(labels, values, strict=True)]
    text = " vs ".join(listed) if len(set(values)) > 1 else f"{fmt(values[0])} in all {len(values)} sources"
    problems = []
    if claim.value is not None and not any(math.isclose(claim.value, v) for v in values):
        problems.append(f"the published {fmt(claim.value)} is none of the sources' values ({'; '.join(listed)})")
    if len(set(values)) == 1:
        return Computed(Interval.point(values[0]), text, tuple(problems))
    described = []
    for label, value, (_, row) in zip(labels, values, rows.iterrows(), strict=True):
        basis = ""
        if "counting_basis" in row.index and not _na(row["counting_basis"]):
            basis = f" (counting basis: {row['counting_basis']})"
        described.append(f"{label} gives {fmt(value)}{basis}")
    published = next((label for label, v in zip(labels, values, strict=True)
                      if claim.value is not None and math.isclose(claim.value, v)), None)
    reason = (f"{spec.text()}: " + "; ".join(described)
              + (f". The published value is {published}'s" if published else "")
              + ". The register keeps every value and chooses none.")
    return Computed(None, text, tuple(problems), disagreement=reason)


# --- integrity checks -----------------------------------------------------------------


def printed_excerpts(article: str) -> list[tuple[int, str, str]]:
    """The interview excerpts an article prints: (line number, speech, role).

    A printed excerpt is a paragraph ending with its speaker's role in
    parentheses, e.g. ``... that you've got to do. (Probation officer).``;
    a stray citation before the role is dropped.
    """
    found = []
    for number, line in enumerate(article.splitlines(), 1):
        match = _PRINTED_ROLE.search(line.strip())
        if not match:
            continue
        speech = line.strip()[: match.start()].rstrip()
        speech = _TRAILING_CITATION.sub("", speech).rstrip()
        found.append((number, speech, match.group(1)))
    return found


def _integrity(total: int, bad: int, what: str, problems: list[str]) -> Computed:
    return Computed(None, f"{total - bad} of {total} {what}", tuple(problems))


@check("excerpt_verbatim", None, "integrity")
def check_excerpt_verbatim(ev: Evidence, claim: Claim) -> Computed:
    """Every excerpt's text occurs in the article (normalised)."""
    article = ev.source_text(ARTICLE) or ""
    frame = ev.table("excerpts")
    problems = [f"{r.excerpt_id}: text not found verbatim in the article"
                for r in frame.itertuples() if normalise(str(r.text)) not in article]
    return _integrity(len(frame), len(problems), "excerpts found verbatim", problems)


@check("excerpt_coverage", None, "integrity")
def check_excerpt_coverage(ev: Evidence, claim: Claim) -> Computed:
    """Every excerpt the article prints is a row, with the printed role, in article order."""
    printed = printed_excerpts(ev.raw_source(ARTICLE))
    frame = ev.table("excerpts")
    by_text = {normalise(str(r.text)): r for r in frame.itertuples()}
    problems, positions, covered = [], [], 0
    for number, speech, role in printed:
        label = f"article line {number}"
        row = by_text.get(normalise(speech))
        if row is None:
            problems.append(f"{label}: excerpt {normalise(speech)[:50]!r}… ({role}) is not in the excerpts table")
            continue
        if row.speaker_role != role:
            problems.append(f"{label}: {row.excerpt_id} is attributed to {row.speaker_role!r}, the article "
                            f"prints {role!r}")
            continue
        covered += 1
        positions.append(int(row.position))
    if positions != sorted(positions):
        problems.append("order: the excerpts' positions do not follow the article's order")
    if not printed:
        problems.append("article: no printed excerpts found")
    return _integrity(len(printed), len(printed) - covered, "printed excerpts in the release", problems)


@check("documentary_verbatim", None, "integrity")
def check_documentary_verbatim(ev: Evidence, claim: Claim) -> Computed:
    """Every documentary quote is in the article, on a line that cites its page."""
    lines = [normalise(line) for line in ev.raw_source(ARTICLE).splitlines()]
    frame = ev.table("documentary_quotes")
    problems = []
    for r in frame.itertuples():
        text = normalise(str(r.text))
        holding = [line for line in lines if text in line]
        if not holding:
            problems.append(f"{r.quote_id}: text not found verbatim in the article")
        elif not _na(r.page) and not any(re.search(rf":\s*{re.escape(str(r.page))}\b", line) for line in holding):
            problems.append(f"{r.quote_id}: no line with the quote cites page {r.page}")
    return _integrity(len(frame), len(problems), "documentary quotations found with their page", problems)


@check("source_phrases", None, "integrity")
def check_source_phrases(ev: Evidence, claim: Claim) -> Computed:
    """Every ``source`` cell of every table points at a phrase of its file."""
    problems, total = [], 0
    for name in ev.table_names:
        frame = ev.table(name)
        if "source" not in frame.columns:
            continue
        for position, source in enumerate(frame["source"], start=2):
            total += 1
            problem = ev.phrase_problem(str(source))
            if problem:
                problems.append(f"{name} row {position}: {problem}")
    return _integrity(total, len(problems), "source phrases found", problems)


def _quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


@check("attribution_phrases", None, "integrity")
def check_attribution_phrases(ev: Evidence, claim: Claim) -> Computed:
    """Phrases quoted to justify attributions are in the article and fit their use.

    excerpts.attribution_basis (``gender: "…"; experience: "…"``): each
    phrase is in the article, a gender phrase uses a matching pronoun, an
    experience phrase speaks of experience; every stated gender or experience
    has a phrase. cohorts.size_basis and the phrases quoted in
    policy_measures.mapping_basis are in the article.
    """
    article = ev.source_text(ARTICLE) or ""
    problems, total = [], 0
    for r in ev.table("excerpts").itertuples():
        basis = "" if _na(r.attribution_basis) else str(r.attribution_basis)
        pairs = re.findall(r'(gender|experience): "([^"]+)"', basis)
        for attribute in ("gender", "experience"):
            stated = getattr(r, attribute)
            phrases = [p for a, p in pairs if a == attribute]
            if not _na(stated) and not phrases:
                problems.append(f"{r.excerpt_id}: {attribute} {stated!r} has no supporting phrase")
            for phrase in phrases:
                total += 1
                if normalise(phrase) not in article:
                    problems.append(f"{r.excerpt_id}: {attribute} phrase {phrase!r} not found in the article")
                elif _na(stated) or not re.search(ATTRIBUTION_WORDS.get((attribute, str(stated)), r"$^"),
                                                  normalise(phrase), re.IGNORECASE):
                    problems.append(f"{r.excerpt_id}: {attribute} phrase {phrase!r} does not support {stated!r}")
    for r in ev.table("cohorts").itertuples():
        if not _na(r.size_basis):
            total += 1
            if normalise(str(r.size_basis)) not in article:
                problems.append(f"{r.cohort_id}: size basis {str(r.size_basis)!r} not found in the article")
    for r in ev.table("policy_measures").itertuples():
        for phrase in _quoted(str(r.mapping_basis)):
            total += 1
            if normalise(phrase) not in article:
                problems.append(f"{r.measure_id}: mapping phrase {phrase!r} not found in the article")
    bad = sum(1 for p in problems if "has no supporting phrase" not in p)
    return _integrity(total, bad, "attribution phrases found and fitting", problems)


# --- evaluation ---------------------------------------------------------------------


def _number(value) -> float | None:
    return None if _na(value) else float(value)


def _text(value) -> str | None:
    return None if _na(value) or str(value) == "" else str(value)


def read_claims(frame: pd.DataFrame) -> list[Claim]:
    """Rows of the claims table as Claims; malformed rows raise ClaimsError."""
    claims = []
    for row in frame.itertuples():
        kind, args = parse_check(str(row.check))
        claim = Claim(
            claim_id=str(row.claim_id),
            statement=str(row.statement),
            source=str(row.source),
            value=_number(row.published_value),
            high=_number(row.published_high),
            qualifier=_text(row.qualifier),
            unit=_text(row.unit),
            kind=kind,
            args=args,
            tolerance=float(row.tolerance),
            note=_text(row.note),
        )
        needs_value = kind == NOT_CHECKABLE or CHECKS[kind].needs_value
        if needs_value and (claim.value is None or claim.qualifier is None):
            raise ClaimsError(f"{claim.claim_id}: check {kind!r} needs a published value and a qualifier")
        if not needs_value and claim.value is not None:
            raise ClaimsError(f"{claim.claim_id}: integrity check {kind!r} takes no published value")
        if (claim.high is not None) != (claim.qualifier == "range"):
            raise ClaimsError(f"{claim.claim_id}: published_high is for ranges, and ranges need it")
        if claim.qualifier is not None and claim.qualifier not in QUALIFIERS:
            raise ClaimsError(f"{claim.claim_id}: unknown qualifier {claim.qualifier!r}")
        if claim.tolerance and claim.qualifier not in ("exact", "about", "estimated", "range"):
            raise ClaimsError(f"{claim.claim_id}: a tolerance only applies to exact, about, estimated or range values")
        if kind == NOT_CHECKABLE and not claim.note:
            raise ClaimsError(f"{claim.claim_id}: a claim that cannot be checked needs a note saying why")
        claims.append(claim)
    return claims


def source_problems(ev: Evidence, claim: Claim) -> list[str]:
    """The claim's phrase must be in its file and state the published value (and hedge)."""
    problem = ev.phrase_problem(claim.source)
    if problem:
        return [problem]
    if claim.value is None:
        return []
    _, _, phrase = parse_source(claim.source)
    stated = numbers_in(phrase)
    problems = []
    for value in (claim.value, claim.high):
        if value is not None and not any(math.isclose(value, n) for n in stated):
            listed = ", ".join(fmt(n) for n in sorted(stated)) or "none"
            problems.append(f"the source phrase does not state {fmt(value)} (it states: {listed})")
    hedge = HEDGE_WORDS.get(claim.qualifier or "")
    if hedge and not re.search(hedge, normalise(phrase), re.IGNORECASE):
        problems.append(f"the source phrase has no wording for {claim.qualifier!r}")
    return problems


def judge(ev: Evidence, claim: Claim) -> dict:
    """One register row: what was published, what the data give, the verdict and why."""
    published = ("none missing" if claim.value is None
                 else published_text(claim.qualifier or "exact", claim.value, claim.high, claim.unit))
    row = {"claim_id": claim.claim_id, "statement": claim.statement, "source": claim.source,
           "kind": claim.kind, "published": published}
    problems = source_problems(ev, claim)
    if claim.kind == NOT_CHECKABLE:
        computed = Computed(None, "—")
    else:
        computed = CHECKS[claim.kind].run(ev, claim)
        problems += list(computed.problems)
    row["computed"] = computed.text
    if problems:
        shown = problems[:3] + ([f"and {len(problems) - 3} more"] if len(problems) > 3 else [])
        return {**row, "verdict": "fails", "reason": "; ".join(shown)}
    if claim.kind == NOT_CHECKABLE:
        return {**row, "verdict": "not checkable", "reason": claim.note}
    if computed.disagreement:
        return {**row, "verdict": DISAGREE, "reason": computed.disagreement}
    if computed.interval is None:
        return {**row, "verdict": "holds", "reason": computed.text}
    region = accepted(claim.qualifier or "exact", claim.value, claim.high, claim.tolerance, claim.unit)
    ok = computed.interval.within(region)
    found, allowed = computed.interval.text(claim.unit), region.text(claim.unit)
    if region.lo == region.hi:
        reason = f"the data give {found}, {'as published' if ok else 'not ' + allowed}"
    else:
        reason = f"the data give {found}, {'within' if ok else 'outside'} the accepted {allowed}"
    return {**row, "verdict": "holds" if ok else "fails", "reason": reason}


COLUMNS = ["claim_id", "statement", "source", "kind", "published", "computed", "verdict", "reason"]


def evaluate_claims(claims: pd.DataFrame, ev: Evidence) -> pd.DataFrame:
    """Judge every row of a claims table against the evidence."""
    rows = [judge(ev, claim) for claim in read_claims(claims)]
    return pd.DataFrame(rows, columns=COLUMNS).astype("string")


def evaluate(release: Release, sources_dir: Path = paths.SOURCES) -> pd.DataFrame:
    """The register of a release: one row per claim with its verdict and reason."""
    ev = Evidence.from_release(release, sources_dir)
    return evaluate_claims(release.table("claims"), ev)


class ClaimsFailed(AssertionError):
    """Claims that do not hold: the book must not be published with them."""


def require_all_hold(register: pd.DataFrame, release: str = "") -> pd.DataFrame:
    """``register`` unchanged if no claim fails; else :class:`ClaimsFailed` naming each one.

    A claim the sources cannot settle carries an explicit verdict instead
    (``sources disagree``, with both values, or check ``none`` with a note
    saying why), and those pass; a plain "fails" never does.
    """
    bad = failing(register)
    if bad.empty:
        return register
    lines = [
        f"{r.claim_id}: published {r.published}, computed {r.computed} ({r.reason})"
        for r in bad.itertuples()
    ]
    where = f"data release {release}: " if release else ""
    raise ClaimsFailed(
        f"{where}{len(lines)} claim(s) do not hold; correct the data or the claim, or give it an explicit "
        "verdict (check 'none' with a note, or a disagreement between sources):\n" + "\n".join(lines)
    )


def verified_register(release: Release, sources_dir: Path = paths.SOURCES) -> pd.DataFrame:
    """The register of ``release``; raises :class:`ClaimsFailed` if any claim does not hold."""
    return require_all_hold(evaluate(release, sources_dir), release.version)


# --- for the appendix page -----------------------------------------------------------


def short_source(source: str) -> str:
    """``article § Methods: "…"`` instead of the full file name."""
    file, section, phrase = parse_source(source)
    name = {ARTICLE: "article", "webster-2022-on-the-treadmill-summary.txt": "summary",
            "README.md": "sources README"}.get(file, file)
    return f'{name} § {section}: "{phrase}"'


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """The register as readers see it."""
    return pd.DataFrame({
        "claim": register["claim_id"],
        "statement": register["statement"],
        "source": register["source"].map(short_source),
        "check": register["kind"],
        "published": register["published"],
        "computed": register["computed"],
        "verdict": register["verdict"],
        "why": register["reason"],
    })


def verdict_counts(register: pd.DataFrame) -> dict[str, int]:
    """Claims per verdict (every verdict present, zero if none) and the total."""
    counts = {v: int((register["verdict"] == v).sum()) for v in VERDICTS}
    counts["total"] = len(register)
    return counts


def category_of(kind: str) -> str:
    return "not checkable" if kind == NOT_CHECKABLE else CHECKS[kind].category


def summary_table(register: pd.DataFrame) -> pd.DataFrame:
    """Claims by kind of check and verdict, for the appendix."""
    frame = pd.DataFrame({"kind": register["kind"], "verdict": register["verdict"]})
    frame["category"] = frame["kind"].map(category_of)
    table = pd.crosstab([frame["category"], frame["kind"]], frame["verdict"])
    table = table.reindex(columns=list(VERDICTS), fill_value=0).reset_index()
    table.columns.name = None
    table["claims"] = table[list(VERDICTS)].sum(axis=1)
    order = table["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    table = table.assign(_order=order).sort_values(["_order", "kind"], kind="stable")
    return table[["category", "kind", "claims", *VERDICTS]].reset_index(drop=True)


def failing(register: pd.DataFrame) -> pd.DataFrame:
    return register[register["verdict"] == "fails"]


def disagreeing(register: pd.DataFrame) -> pd.DataFrame:
    """Claims whose sources disagree (reported on the register page, never a failure)."""
    return register[register["verdict"] == DISAGREE]


def disagreeing_ids(register: pd.DataFrame) -> str:
    """The ids of the claims whose sources disagree, for prose ("none" if there are none)."""
    ids = list(disagreeing(register)["claim_id"])
    return ", ".join(ids) if ids else "none"


def reading_rules() -> dict[str, float]:
    """The allowances behind the qualifiers, in percent, for the appendix prose."""
    return {"about_pct": ABOUT_RELATIVE * 100, "just_under_pct": (1 - JUST_UNDER_MARGIN) * 100}


def computed_for(register: pd.DataFrame, kind: str) -> str:
    """The computed value of the first claim checked by ``kind``, without its working (for prose)."""
    rows = register[register["kind"] == kind]
    if rows.empty:
        raise KeyError(f"no claim in the register is checked by {kind!r}")
    return str(rows.iloc[0]["computed"]).split(" (", 1)[0]


def kinds_used(register: pd.DataFrame) -> int:
    """How many different check kinds the register uses (``none`` excluded)."""
    return int(register.loc[register["kind"] != NOT_CHECKABLE, "kind"].nunique())
