"""The published post-release caseload rise, and the start it implies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.book.quantities.reported import row_by_id


@dataclass(frozen=True)
class ImpliedStart:
    """The starting count implied by an end count and a rounded percentage rise."""

    end_value: float
    rise_pct: float
    rise_low_pct: float
    rise_high_pct: float
    central: float
    low: float
    high: float


def implied_start(end_value: float, rise_pct: float, half_width: float = 0.5) -> ImpliedStart:
    """Work back from ``end_value`` and a rise of ``rise_pct`` per cent.

    A percentage published as a whole number stands for any true rise within
    ``half_width`` of it; a larger rise means a smaller start, so the bounds swap.
    """
    if end_value <= 0:
        raise ValueError(f"end_value must be positive, got {end_value}")
    if half_width < 0 or rise_pct - half_width <= -100:
        raise ValueError(f"a rise of {rise_pct} +/- {half_width} per cent does not give a positive start")
    rise_low, rise_high = rise_pct - half_width, rise_pct + half_width
    return ImpliedStart(
        end_value=end_value,
        rise_pct=rise_pct,
        rise_low_pct=rise_low,
        rise_high_pct=rise_high,
        central=end_value / (1 + rise_pct / 100),
        low=end_value / (1 + rise_high / 100),
        high=end_value / (1 + rise_low / 100),
    )


@dataclass(frozen=True)
class PostRelease:
    """The national post-release supervision caseload figures, as published, plus the derived start."""

    start_bound: float
    start_qualifier: str
    start_date: date
    end_value: float
    end_date: date
    rise_pct: float
    implied: ImpliedStart

    @property
    def implied_within_bound(self) -> bool:
        """Whether every start the rounded rise allows is below the published bound."""
        return self.implied.high < self.start_bound

    @property
    def bound_check(self) -> str:
        """The comparison in words, for the prose."""
        if self.implied_within_bound:
            return "lies wholly below the published bound, as the source's wording requires"
        return "does not lie wholly below the published bound, so the two published figures do not fully agree"


def _as_of(row: pd.Series) -> date:
    text = str(row["as_of"])
    return date.fromisoformat(text.split("/")[-1])


def postrelease(figures: pd.DataFrame) -> PostRelease:
    """The post-release caseload rows of ``figures`` and the start their rise implies."""
    start = row_by_id(figures, "postrelease_caseload_2015")
    end = row_by_id(figures, "postrelease_caseload_2020")
    rise = row_by_id(figures, "postrelease_rise_pct")
    end_value = float(end["value"])
    rise_pct = float(rise["value"])
    return PostRelease(
        start_bound=float(start["value"]),
        start_qualifier=str(start["qualifier"]),
        start_date=_as_of(start),
        end_value=end_value,
        end_date=_as_of(end),
        rise_pct=rise_pct,
        implied=implied_start(end_value, rise_pct),
    )
