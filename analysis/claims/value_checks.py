"""Checks that compute one published value from the tables (figures, samples, periods, cohorts, people)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import pandas as pd

from analysis.claims.evidence import Claim, Computed, Evidence, check
from analysis.claims.intervals import Interval, accepted, published_text
from analysis.claims.vocabulary import (
    COHORT_UNITS,
    EXPERIENCE_CODE,
    ROLE_IN_SAMPLE,
    UNIT_FROM_MINUTES,
    ClaimsError,
    fmt,
    numbers_in,
    with_unit,
)


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


def _period_ends(row: pd.Series) -> tuple[list[tuple[int, int]], tuple[str, ...]]:
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


@check("figure", 1, "value")
def check_figure(ev: Evidence, claim: Claim) -> Computed:
    """The figures row named by the argument, read with its own qualifier."""
    row, problems = _figure(ev, claim.args[0])
    if row is None:
        return Computed(None, "no such figure", problems)
    interval = _figure_interval(row)
    problems = _qualifier_problems(claim, str(row["qualifier"]), str(row["unit"]), f"figure {claim.args[0]}")
    return Computed(
        interval,
        _recorded_text(str(row["qualifier"]), row["value"], row["value_high"], str(row["unit"]), interval),
        problems,
    )


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
            problems = (
                f"the {dimension} counts sum to {total_sum} but the release's {total} is {int(rows.iloc[0]['count'])}",
            )
    return Computed(Interval.point(total_sum), text, problems)


def _with_period(
    ev: Evidence, claim: Claim, no_period: str, compute: Callable[[pd.Series, list[tuple[int, int]]], Computed]
) -> Computed:
    """``compute(row, ends)`` for the figure the claim names and the (year, month) ends of its as_of;
    or the failed result, when there is no such figure or no such period."""
    row, problems = _figure(ev, claim.args[0])
    if row is None:
        return Computed(None, "no such figure", problems)
    ends, problems = _period_ends(row)
    if problems:
        return Computed(None, no_period, problems)
    return compute(row, ends)


@check("period_months", 1, "consistency")
def check_period_months(ev: Evidence, claim: Claim) -> Computed:
    """Calendar months spanned (inclusive) by a figure's as_of period."""

    def months(row: pd.Series, ends: list[tuple[int, int]]) -> Computed:
        (y1, m1), (y2, m2) = ends[0], ends[-1]
        if not (m1 and m2):
            return Computed(None, "no months", (f"figure {claim.args[0]}: as_of {row['as_of']!r} gives no months",))
        count = (y2 - y1) * 12 + (m2 - m1) + 1
        return Computed(Interval.point(count), f"{count} ({row['as_of']})")

    return _with_period(ev, claim, "no period", months)


@check("period_year", 1, "value")
def check_period_year(ev: Evidence, claim: Claim) -> Computed:
    """Calendar year(s) of a figure's as_of date or period."""

    def years(row: pd.Series, ends: list[tuple[int, int]]) -> Computed:
        interval = Interval(ends[0][0], ends[-1][0])
        return Computed(interval, f"{interval.text('year')} ({row['as_of']})")

    return _with_period(ev, claim, "no date", years)


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
    text = f"{interval.text()} ({end_interval.text()} ÷ (1 + {fmt(rise_interval.lo)}–{fmt(rise_interval.hi)}%))"
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
    return Computed(
        interval, _recorded_text(str(row["size_qualifier"]), row["size_value"], None, unit, interval), problems
    )


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
        raise ClaimsError(
            f"{claim.claim_id}: appointment lengths convert to {sorted(UNIT_FROM_MINUTES)}, not {claim.unit!r}"
        )
    value = int(row["minutes"]) / UNIT_FROM_MINUTES[claim.unit]
    return Computed(
        Interval.point(value),
        with_unit(fmt(value), claim.unit, value)
        + ("" if claim.unit == "minutes" else f" ({int(row['minutes'])} minutes)"),
    )


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
    ends, problems = _period_ends(fieldwork)
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
