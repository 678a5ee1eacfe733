"""Evaluating the register: read the claims, judge each, require that all hold."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.claims import integrity_checks, row_checks, value_checks  # noqa: F401  (registers the checks)
from analysis.claims.evidence import CHECKS, NOT_CHECKABLE, Claim, Computed, Evidence, parse_check
from analysis.claims.intervals import accepted, published_text, readable
from analysis.claims.report import failing
from analysis.claims.value_checks import _na
from analysis.claims.vocabulary import (
    DISAGREE,
    HEDGE_WORDS,
    ClaimsError,
    fmt,
    normalise,
    numbers_in,
    numerals_as_written,
)
from analysis.data.release import Release
from analysis.words import parse_source

# What the register says was published for an integrity check, which publishes no value.
NONE_MISSING = "none missing"


def _number(value) -> float | None:
    return None if _na(value) else float(value)


def _text_or_none(value) -> str | None:
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
            qualifier=_text_or_none(row.qualifier),
            unit=_text_or_none(row.unit),
            kind=kind,
            args=args,
            # pandas-stubs types an itertuples field as any scalar; the schema makes tolerance a number.
            tolerance=float(row.tolerance),  # type: ignore[arg-type]
            note=_text_or_none(row.note),
        )
        needs_value = kind == NOT_CHECKABLE or CHECKS[kind].needs_value
        if needs_value and (claim.value is None or claim.qualifier is None):
            raise ClaimsError(f"{claim.claim_id}: check {kind!r} needs a published value and a qualifier")
        if not needs_value and claim.value is not None:
            raise ClaimsError(f"{claim.claim_id}: integrity check {kind!r} takes no published value")
        if (claim.high is not None) != (claim.qualifier == "range"):
            raise ClaimsError(f"{claim.claim_id}: published_high is for ranges, and ranges need it")
        if claim.qualifier is not None and not readable(claim.qualifier):
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
    return unstated(parse_source(claim.source).phrase, claim.value, claim.high, claim.qualifier)


def unstated(
    phrase: str,
    value: float,
    high: float | None = None,
    qualifier: str | None = None,
    scales: tuple[float, ...] = (1.0,),
) -> list[str]:
    """Why ``phrase`` does not state ``value`` (and ``high``) with its qualifier's wording (empty if it does).

    One reading for claims and for data rows alike. ``scales`` are the factors by which the phrase
    may state the value in another unit (a value in minutes stated as "an hour": 1/60).
    """
    stated = numbers_in(phrase)
    problems = []
    for number in (value, high):
        if number is not None and not any(math.isclose(number * s, n) for n in stated for s in scales):
            written = numerals_as_written(phrase)  # as the phrase writes them: "2021/22" stays one period
            in_words = sorted(stated - {float(w.replace(",", "")) for w in written if "/" not in w})
            listed = ", ".join(written + [fmt(n) for n in in_words]) or "none"
            problems.append(f"the source phrase does not state {fmt(number)} (it states: {listed})")
    hedge = HEDGE_WORDS.get(qualifier or "")
    if hedge and not re.search(hedge, normalise(phrase), re.IGNORECASE):
        problems.append(f"the source phrase has no wording for {qualifier!r}")
    return problems


def judge(ev: Evidence, claim: Claim) -> dict:
    """One register row: what was published, what the data give, the verdict and why."""
    published = (
        NONE_MISSING
        if claim.value is None
        else published_text(claim.qualifier or "exact", claim.value, claim.high, claim.unit)
    )
    row = {
        "claim_id": claim.claim_id,
        "statement": claim.statement,
        "source": claim.source,
        "kind": claim.kind,
        "published": published,
    }
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
    if claim.value is None:  # read_claims refuses a checked value claim without one
        raise ClaimsError(f"{claim.claim_id}: no published value to compare with")
    region = accepted(claim.qualifier or "exact", claim.value, claim.high, claim.tolerance, claim.unit)
    ok = computed.interval.within(region)
    found, allowed = computed.interval.text(claim.unit), region.text(claim.unit)
    if region.lo == region.hi:
        reason = f"the data give {found}, {'as published' if ok else 'not ' + allowed}"
    else:
        reason = f"the data give {found}, {'within' if ok else 'outside'} the accepted {allowed}"
    return {**row, "verdict": "holds" if ok else "fails", "reason": reason}


REGISTER_COLUMNS = ["claim_id", "statement", "source", "kind", "published", "computed", "verdict", "reason"]


def evaluate_claims(claims: pd.DataFrame, ev: Evidence) -> pd.DataFrame:
    """Judge every row of a claims table against the evidence."""
    rows = [judge(ev, claim) for claim in read_claims(claims)]
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS).astype("string")


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
    lines = [_failure_line(r) for r in bad.itertuples()]
    where = f"data release {release}: " if release else ""
    raise ClaimsFailed(
        f"{where}{len(lines)} claim(s) do not hold; correct the data or the claim, or give it an explicit "
        "verdict (check 'none' with a note, or a disagreement between sources):\n" + "\n".join(lines)
    )


def _failure_line(row) -> str:
    """One failing claim in words: a value claim compares two values; an integrity check (which publishes
    no value, "none missing") says what the data give instead of "published none missing, computed …"."""
    if row.published == NONE_MISSING:
        return f"{row.claim_id}: expected none missing, but the data give {row.computed} ({row.reason})"
    return f"{row.claim_id}: published {row.published}, computed {row.computed} ({row.reason})"


def verified_register(release: Release, sources_dir: Path = paths.SOURCES) -> pd.DataFrame:
    """The register of ``release``; raises :class:`ClaimsFailed` if any claim does not hold."""
    register = evaluate(release, sources_dir)
    if failing(register).empty:
        return register
    return require_all_hold(register, release.version)  # the name, only when it is needed
