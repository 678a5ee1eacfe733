"""The model's inputs: each published (with its source), assumed, or set for the run."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.book.quantities.reported import row_by_id
from analysis.book.quantities.words import number_text
from analysis.book.whatif.assumptions import (
    ASSUMED,
    ASSUMPTION_NOTES,
    CHECK_IN_MODEL,
    DEFINITION_NOTE,
    GROWTH_FIGURE,
    GROWTH_NOTE,
    MONTHS_FIGURE,
    PUBLISHED,
    SET_FOR_RUN,
    STATUS_PHRASES,
    WEEKS_PER_MONTH,
)
from analysis.book.whatif.model import Scenario
from analysis.words import parse_source


@dataclass(frozen=True)
class Input:
    """One input of the model, with where its value comes from."""

    name: str
    label: str
    value: float
    unit: str
    status: str
    basis: str


@dataclass(frozen=True)
class Inputs:
    """A resolved :class:`Scenario` and the record of where each input came from."""

    scenario: Scenario
    inputs: tuple[Input, ...]

    def table(self) -> pd.DataFrame:
        """The assumptions table for readers: one row per input, plus the month definition."""
        rows = [
            {
                "input": i.label,
                "value": number_text(i.value),
                "unit": i.unit,
                "status": i.status,
                "basis": i.basis,
            }
            for i in self.inputs
        ]
        rows.append(
            {
                "input": "Weeks per month",
                "value": f"{WEEKS_PER_MONTH:.2f}",
                "unit": "weeks",
                "status": "definition",
                "basis": DEFINITION_NOTE,
            }
        )
        return pd.DataFrame(rows, columns=["input", "value", "unit", "status", "basis"]).astype("string")

    def status(self, name: str) -> str:
        """``published``, ``assumption`` or ``set for this run`` for the input ``name``."""
        for i in self.inputs:
            if i.name == name:
                return i.status
        raise KeyError(f"no input named {name!r}")

    def status_phrase(self, name: str) -> str:
        """The status of one input in words for the prose."""
        return STATUS_PHRASES[self.status(name)]


def _published_or_set(name: str, label: str, unit: str, given: float | None, row: pd.Series, column: str) -> Input:
    """The published value (``row[column]``, with the row's source in words), or ``given`` in its place."""
    published, source = float(row[column]), _source_words(row["source"])
    if given is None:
        return Input(name, label, published, unit, PUBLISHED, source)
    basis = f"Set for this run in place of the published {number_text(published)} ({source})"
    return Input(name, label, float(given), unit, SET_FOR_RUN, basis)


# How a reader knows the source files (the data appendix names the files themselves).
SOURCE_NAMES = {
    "cracknell-2022-running-on-the-treadmill.txt": "Cracknell (2022)",
    "webster-2022-on-the-treadmill-summary.txt": "Webster (2022), summary of the article",
}


def _assumed_from_published(name: str, label: str, unit: str, given: float | None, row: pd.Series) -> Input:
    """A published figure used as an assumption about one practitioner (``GROWTH_NOTE``), or ``given`` in its place."""
    published, source = float(row["value"]), _source_words(row["source"])
    if given is None:
        return Input(name, label, published, unit, ASSUMED, GROWTH_NOTE.format(source=source))
    basis = f"Set for this run in place of the assumed {number_text(published)} ({source})"
    return Input(name, label, float(given), unit, SET_FOR_RUN, basis)


def _source_words(source: str) -> str:
    """A ``source`` cell for readers: 'Cracknell (2022), Methods: "…"' instead of the file name."""
    try:
        cell = parse_source(source)
    except ValueError:
        return str(source)
    return f'{SOURCE_NAMES.get(cell.file, cell.file)}, {cell.section}: "{cell.phrase}"'


def _assumed(name: str, label: str, unit: str, value: float) -> Input:
    return Input(name, label, float(value), unit, ASSUMED, ASSUMPTION_NOTES[name])


def resolve(
    figures: pd.DataFrame,
    appointment_models: pd.DataFrame,
    caseload_growth_pct: float | None = None,
    staff_hours_per_week: float = 37.0,
    contact_share: float = 0.5,
    appointment_minutes: float | None = None,
    starts_per_month: float = 4.0,
    months_supervised: float | None = None,
) -> Inputs:
    """The chapter's parameters as a :class:`Scenario`; ``None`` takes the published value."""
    growth_row = row_by_id(figures, GROWTH_FIGURE)
    months_row = row_by_id(figures, MONTHS_FIGURE)
    models = appointment_models[appointment_models["model_id"] == CHECK_IN_MODEL]
    if len(models) != 1:
        raise KeyError(f"appointment model {CHECK_IN_MODEL!r} is not in the appointment_models table")
    check_in = models.iloc[0]
    inputs = (
        _assumed_from_published(
            "caseload_growth_pct",
            "Caseload growth at the same staffing",
            "per cent",
            caseload_growth_pct,
            growth_row,
        ),
        _assumed("staff_hours_per_week", "Working hours per week", "hours", staff_hours_per_week),
        _assumed("contact_share", "Share of working time for meeting people", "share", contact_share),
        _published_or_set(
            "appointment_minutes", "Length of one appointment", "minutes", appointment_minutes, check_in, "minutes"
        ),
        _assumed("starts_per_month", "New cases per practitioner per month", "people", starts_per_month),
        _published_or_set(
            "months_supervised", "Months each case is supervised", "months", months_supervised, months_row, "value"
        ),
    )
    scenario = Scenario(**{i.name: i.value for i in inputs})
    return Inputs(scenario, inputs)
