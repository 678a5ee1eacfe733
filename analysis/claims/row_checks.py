"""Checks that read the rows of any table named in the check (values, falls, disagreements)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.claims.evidence import Claim, Computed, Evidence, check
from analysis.claims.intervals import Interval, accepted, readable
from analysis.claims.value_checks import _na, _qualifier_problems, _recorded_text
from analysis.claims.vocabulary import ClaimsError, fmt

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

    @property
    def value_column(self) -> str:
        """The column holding the value (``parse_row_spec`` requires one unless told otherwise)."""
        if self.column is None:
            raise ClaimsError(f"{self.text()}: names no value column")
        return self.column


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


def _row_interval(
    row: pd.Series, column: str, claim: Claim, where: str
) -> tuple[Interval | None, str, tuple[str, ...]]:
    """A row's number read with the row's own ``qualifier`` and ``unit`` where the table has them."""
    if _na(row[column]):
        return None, "no value", (f"{where}: {column} is empty",)
    value = float(row[column])
    qualifier = str(row["qualifier"]) if "qualifier" in row.index and not _na(row["qualifier"]) else "exact"
    unit = str(row["unit"]) if "unit" in row.index and not _na(row["unit"]) else claim.unit
    if not readable(qualifier):
        return (
            None,
            f"{fmt(value)} ({qualifier})",
            (f"{where} records the qualifier {qualifier!r}, which the register cannot read",),
        )
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
    interval, text, problems = _row_interval(row, spec.value_column, claim, spec.text())
    return Computed(interval, text, problems)


@check("percent_fall", 2, "consistency")
def check_percent_fall(ev: Evidence, claim: Claim) -> Computed:
    """How far a number fell, in percent of the first: ``100 * (from - to) / from``.

    Both arguments name one row each (``table/keys/column``); both must be
    exact counts.
    """
    values: list[float] = []
    texts: list[str] = []
    problems: list[str] = []
    for arg in claim.args:
        spec = parse_row_spec(arg, claim.claim_id)
        column = spec.value_column
        row, found = _one_row(ev, spec, claim.claim_id)
        if row is None:
            problems += found
            continue
        if _na(row[column]):
            problems.append(f"{spec.text()}: {column} is empty")
            continue
        if "qualifier" in row.index and not _na(row["qualifier"]) and str(row["qualifier"]) != "exact":
            problems.append(f"{spec.text()} is not an exact value ({row['qualifier']})")
        values.append(float(row[column]))
        texts.append(fmt(float(row[column])))
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
        return Computed(
            None,
            f"{len(rows)} row(s)",
            (f"{spec.text()}: {len(rows)} row(s), at least two sources are needed to compare",),
        )
    key_names = {k for k, _ in spec.keys}
    label_column = next(c for c in rows.columns if c not in key_names and c != spec.column)
    if any(_na(v) for v in rows[spec.column]):
        return Computed(None, "missing values", (f"{spec.text()}: a source's {spec.column} is empty",))
    values = [float(v) for v in rows[spec.column]]
    labels = [str(v) for v in rows[label_column]]
    listed = [f"{label} {fmt(v)}" for label, v in zip(labels, values, strict=True)]
    text = " vs ".join(listed) if len(set(values)) > 1 else f"{fmt(values[0])} in all {len(values)} sources"
    mismatch: list[str] = []
    if claim.value is not None and not any(math.isclose(claim.value, v) for v in values):
        mismatch.append(f"the published {fmt(claim.value)} is none of the sources' values ({'; '.join(listed)})")
    if len(set(values)) == 1:
        return Computed(Interval.point(values[0]), text, tuple(mismatch))
    described = []
    for label, value, (_, row) in zip(labels, values, rows.iterrows(), strict=True):
        basis = ""
        if "counting_basis" in row.index and not _na(row["counting_basis"]):
            basis = f" (counting basis: {row['counting_basis']})"
        described.append(f"{label} gives {fmt(value)}{basis}")
    published = next(
        (
            label
            for label, v in zip(labels, values, strict=True)
            if claim.value is not None and math.isclose(claim.value, v)
        ),
        None,
    )
    reason = (
        f"{spec.text()}: "
        + "; ".join(described)
        + (f". The published value is {published}'s" if published else "")
        + ". The register keeps every value and chooses none."
    )
    return Computed(None, text, tuple(mismatch), disagreement=reason)
