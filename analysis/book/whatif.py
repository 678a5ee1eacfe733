"""The treadmill chapter's arithmetic: the published caseload rise, and a what-if.

Two separate things live here, both pure functions (data in, frozen dataclass out):

1. **The national post-release supervision caseload** (:func:`postrelease`). The Webster
   summary gives the 31 March 2020 count exactly, the 31 March 2015 count only as
   "just under" a round number (a bound, not a value), and the rise as a whole
   percentage. :func:`implied_start` works back from the 2020 count and the rise to
   the 2015 count the rise implies, with the range that rounding the percentage to a
   whole number leaves open. That range is *derived* by the book; no source states it.

2. **A what-if model of one practitioner's month** (:class:`Scenario` in,
   :class:`Outcome` out, :func:`run`). It is an illustration, not an estimate:

   - caseload = new cases per month x months each case is supervised (a steady state:
     every case stays for the whole period, none ends early);
   - staff minutes per month = hours per week x 60 x weeks per month (52 / 12);
   - minutes for contact = staff minutes x the share of time left for meeting people;
   - minutes per person per month = minutes for contact / caseload;
   - at the same staffing, a caseload ``(1 + growth)`` times larger leaves each person
     ``1 / (1 + growth)`` of the minutes.

   :func:`resolve` fills the published inputs from the data release (when the
   chapter's parameter is ``None``) and records, for every input, whether it is
   published (with its source), an assumption, or a value set for the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
WEEKS_PER_MONTH = WEEKS_PER_YEAR / MONTHS_PER_YEAR
MINUTES_PER_HOUR = 60

# Rows of the data release the what-if takes its published inputs from.
GROWTH_FIGURE = "postrelease_rise_pct"
MONTHS_FIGURE = "ora_supervision_months"
CHECK_IN_MODEL = "A3"

# Why each assumed input has the value the chapter gives it (our words).
ASSUMPTION_NOTES = {
    "staff_hours_per_week": "ASSUMPTION: one full-time working week; no source here gives practitioners' hours.",
    "contact_share": (
        "ASSUMPTION: the share of working time left for meeting the people supervised; the rest goes on "
        "recording, assessments, other agencies, travel and training. No source here gives this share."
    ),
    "starts_per_month": (
        "ASSUMPTION: new post-release cases allocated to one practitioner each month; an illustration, "
        "not a published figure."
    ),
}
DEFINITION_NOTE = "Definition: a year's 52 weeks spread evenly over its 12 months."

PUBLISHED = "published"
ASSUMED = "assumption"
SET_FOR_RUN = "set for this run"
STATUS_PHRASES = {
    PUBLISHED: "the published figure",
    ASSUMED: "an assumption",
    SET_FOR_RUN: "a value set for this run in place of the published figure",
}


# --- the published caseload rise -------------------------------------------------


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
    article_rise_pct: float
    article_rise_qualifier: str
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


def _figure_row(figures: pd.DataFrame, figure_id: str) -> pd.Series:
    """The one row of the ``figures`` table with ``figure_id``."""
    rows = figures[figures["figure_id"] == figure_id]
    if len(rows) != 1:
        raise KeyError(f"figure {figure_id!r} is not in the figures table")
    return rows.iloc[0]


def _as_of(row: pd.Series) -> date:
    text = str(row["as_of"])
    return date.fromisoformat(text.split("/")[-1])


def postrelease(figures: pd.DataFrame) -> PostRelease:
    """The post-release caseload rows of ``figures`` and the start their rise implies."""
    start = _figure_row(figures, "postrelease_caseload_2015")
    end = _figure_row(figures, "postrelease_caseload_2020")
    rise = _figure_row(figures, "postrelease_rise_pct")
    article = _figure_row(figures, "caseload_rise_pct_hmi2021")
    end_value = float(end["value"])
    rise_pct = float(rise["value"])
    return PostRelease(
        start_bound=float(start["value"]),
        start_qualifier=str(start["qualifier"]),
        start_date=_as_of(start),
        end_value=end_value,
        end_date=_as_of(end),
        rise_pct=rise_pct,
        article_rise_pct=float(article["value"]),
        article_rise_qualifier=str(article["qualifier"]),
        implied=implied_start(end_value, rise_pct),
    )


# --- the what-if model -----------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """Every input of the what-if model for one practitioner."""

    caseload_growth_pct: float
    staff_hours_per_week: float
    contact_share: float
    appointment_minutes: float
    starts_per_month: float
    months_supervised: float

    def __post_init__(self) -> None:
        positive = ("staff_hours_per_week", "appointment_minutes", "starts_per_month", "months_supervised")
        for name in positive:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        if not 0 < self.contact_share <= 1:
            raise ValueError(f"contact_share must be in (0, 1], got {self.contact_share!r}")
        if not self.caseload_growth_pct > -100:
            raise ValueError(f"caseload_growth_pct must be above -100, got {self.caseload_growth_pct!r}")


@dataclass(frozen=True)
class Outcome:
    """What the model gives for one :class:`Scenario`."""

    caseload: float
    staff_minutes_per_month: float
    contact_minutes_per_month: float
    minutes_per_person: float
    appointments_per_person: float
    growth_factor: float
    grown_caseload: float
    grown_minutes_per_person: float
    grown_appointments_per_person: float
    share_left_pct: float
    growth_to_one_appointment_pct: float


def run(scenario: Scenario) -> Outcome:
    """The model, step by step as described in the module docstring."""
    caseload = scenario.starts_per_month * scenario.months_supervised
    staff_minutes = scenario.staff_hours_per_week * MINUTES_PER_HOUR * WEEKS_PER_MONTH
    contact_minutes = staff_minutes * scenario.contact_share
    per_person = contact_minutes / caseload
    factor = 1 + scenario.caseload_growth_pct / 100
    grown_per_person = per_person / factor
    return Outcome(
        caseload=caseload,
        staff_minutes_per_month=staff_minutes,
        contact_minutes_per_month=contact_minutes,
        minutes_per_person=per_person,
        appointments_per_person=per_person / scenario.appointment_minutes,
        growth_factor=factor,
        grown_caseload=caseload * factor,
        grown_minutes_per_person=grown_per_person,
        grown_appointments_per_person=grown_per_person / scenario.appointment_minutes,
        share_left_pct=100 / factor,
        # The growth at which each person's minutes fall to one appointment a month
        # (zero when they are already at or below it before any growth).
        growth_to_one_appointment_pct=max(0.0, (per_person / scenario.appointment_minutes - 1) * 100),
    )


def curve(scenario: Scenario, step_pct: float = 5.0, max_growth_pct: float | None = None) -> pd.DataFrame:
    """Minutes per person per month across caseload growth from zero, the scenario's point marked.

    The grid runs in ``step_pct`` steps up to ``max_growth_pct`` (default: the larger of
    150 per cent and one and a half times the scenario's growth) and always contains the
    scenario's own growth, flagged in the ``scenario`` column.
    """
    if step_pct <= 0:
        raise ValueError(f"step_pct must be positive, got {step_pct}")
    chosen = scenario.caseload_growth_pct
    top = max_growth_pct if max_growth_pct is not None else max(150.0, 1.5 * chosen)
    n_steps = int(math.floor(top / step_pct + 1e-9))
    grid = sorted({round(i * step_pct, 9) for i in range(n_steps + 1)} | {float(chosen)})
    rows = []
    for growth in grid:
        outcome = run(replace(scenario, caseload_growth_pct=growth))
        rows.append(
            {
                "growth_pct": growth,
                "caseload": outcome.grown_caseload,
                "minutes_per_person": outcome.grown_minutes_per_person,
                "appointments_per_person": outcome.grown_appointments_per_person,
                "scenario": growth == chosen,
            }
        )
    return pd.DataFrame(rows)


# Appointment models whose minutes are time spent meeting the person. The plan, meet and
# record window (A2) also holds planning and recording, so it is not set against contact time.
MEETING_MODELS = ("A1", "A3")


def appointment_lengths(
    scenario: Scenario, appointment_models: pd.DataFrame, model_ids: tuple[str, ...] = MEETING_MODELS
) -> pd.DataFrame:
    """How many meetings of each published length fit each person's minutes, before and after growth.

    One row per listed appointment model (the lengths are published; the minutes per person
    come from the scenario, so they carry its assumptions).
    """
    outcome = run(scenario)
    models = appointment_models[appointment_models["model_id"].isin(model_ids)].sort_values("model_id")
    if len(models) != len(set(model_ids)):
        raise KeyError(f"appointment models {model_ids} are not all in the appointment_models table")
    return pd.DataFrame(
        {
            "model": [str(m.name) for m in models.itertuples()],
            "period": [str(m.period) for m in models.itertuples()],
            "minutes": [int(m.minutes) for m in models.itertuples()],
            "per person per month, before growth": [
                round(outcome.minutes_per_person / m.minutes, 1) for m in models.itertuples()
            ],
            "per person per month, after growth": [
                round(outcome.grown_minutes_per_person / m.minutes, 1) for m in models.itertuples()
            ],
        }
    )


# --- inputs: published, assumed, or set for the run --------------------------------


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
                "value": _plain(i.value),
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


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def _published_or_set(
    name: str, label: str, unit: str, given: float | None, published: float, source: str
) -> Input:
    if given is None:
        return Input(name, label, published, unit, PUBLISHED, source)
    basis = f"Set for this run in place of the published {_plain(published)} ({source})"
    return Input(name, label, float(given), unit, SET_FOR_RUN, basis)


# How a reader knows the source files (the data appendix names the files themselves).
SOURCE_NAMES = {
    "cracknell-2022-running-on-the-treadmill.txt": "Cracknell (2022)",
    "webster-2022-on-the-treadmill-summary.txt": "Webster (2022), summary of the article",
}


def _source_words(source: str) -> str:
    """A ``source`` cell for readers: 'Cracknell (2022), Methods: "…"' instead of the file name."""
    file, _, rest = str(source).partition(" § ")
    return f"{SOURCE_NAMES.get(file, file)}, {rest}" if rest else str(source)


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
    growth_row = _figure_row(figures, GROWTH_FIGURE)
    months_row = _figure_row(figures, MONTHS_FIGURE)
    models = appointment_models[appointment_models["model_id"] == CHECK_IN_MODEL]
    if len(models) != 1:
        raise KeyError(f"appointment model {CHECK_IN_MODEL!r} is not in the appointment_models table")
    check_in = models.iloc[0]
    inputs = (
        _published_or_set(
            "caseload_growth_pct",
            "Caseload growth at the same staffing",
            "per cent",
            caseload_growth_pct,
            float(growth_row["value"]),
            _source_words(growth_row["source"]),
        ),
        _assumed("staff_hours_per_week", "Working hours per week", "hours", staff_hours_per_week),
        _assumed("contact_share", "Share of working time for meeting people", "share", contact_share),
        _published_or_set(
            "appointment_minutes",
            "Length of one appointment",
            "minutes",
            appointment_minutes,
            float(check_in["minutes"]),
            _source_words(check_in["source"]),
        ),
        _assumed("starts_per_month", "New cases per practitioner per month", "people", starts_per_month),
        _published_or_set(
            "months_supervised",
            "Months each case is supervised",
            "months",
            months_supervised,
            float(months_row["value"]),
            _source_words(months_row["source"]),
        ),
    )
    scenario = Scenario(**{i.name: i.value for i in inputs})
    return Inputs(scenario, inputs)
