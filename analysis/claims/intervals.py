"""Computed values as intervals, and the region a published statement (with its qualifier) accepts."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from analysis.claims.vocabulary import ABOUT_RELATIVE, JUST_UNDER_MARGIN, ClaimsError, fmt, with_unit


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


def _about(value: float, high: float | None, tolerance: float, unit: str | None) -> Interval:
    allowance = tolerance + (0.0 if unit == "year" else ABOUT_RELATIVE * abs(value))
    return Interval(value - allowance, value + allowance)


def _range(value: float, high: float | None, tolerance: float, unit: str | None) -> Interval:
    if high is None:
        raise ClaimsError(f"a range needs an upper bound (value {value})")
    return Interval(value - tolerance, high + tolerance)


# How the register reads each qualifier: (value, high, tolerance, unit) -> the accepted interval.
# The qualifiers themselves are the schema's (the ``enum`` of the claims table's ``qualifier``
# in datapackage.json); tests check that every one of them has a reading here.
_READINGS: dict[str, Callable[[float, float | None, float, str | None], Interval]] = {
    "exact": lambda v, h, t, u: Interval(v - t, v + t),
    "about": _about,
    "estimated": _about,
    "less than": lambda v, h, t, u: Interval(-math.inf, v, hi_open=True),
    "just under": lambda v, h, t, u: Interval(v * (1 - JUST_UNDER_MARGIN), v, hi_open=True),
    "over": lambda v, h, t, u: Interval(v, math.inf, lo_open=True),
    "at least": lambda v, h, t, u: Interval(v, math.inf),
    "at most": lambda v, h, t, u: Interval(-math.inf, v),
    "range": _range,
}


def readable(qualifier: str) -> bool:
    """Whether the register knows how to read a number with this qualifier."""
    return qualifier in _READINGS


def accepted(
    qualifier: str, value: float, high: float | None = None, tolerance: float = 0.0, unit: str | None = None
) -> Interval:
    """The values a statement "<qualifier> <value>" accepts.

    exact: value ± tolerance; about / estimated: value ± (tolerance + 5% of the
    value; calendar years: tolerance only); less than: below value; just under:
    below value and at least 95% of it; over: above value; at least / at most:
    the closed bounds; range: value - tolerance .. high + tolerance. The data's
    own hedged records are read the same way (with no tolerance).
    """
    if not readable(qualifier):
        raise ClaimsError(f"unknown qualifier {qualifier!r}; the register reads {sorted(_READINGS)}")
    return _READINGS[qualifier](value, high, tolerance, unit)


def published_text(qualifier: str, value: float, high: float | None, unit: str | None) -> str:
    """How the register prints a published value, e.g. ``just under 40,000``."""
    if qualifier == "range":
        if high is None:
            raise ClaimsError(f"a range needs an upper bound (value {value})")
        return with_unit(f"{fmt(value, unit)}–{fmt(high, unit)}", unit)
    prefix = "" if qualifier == "exact" else f"{qualifier} "
    return prefix + with_unit(fmt(value, unit), unit, value)
