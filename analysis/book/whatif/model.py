"""The what-if model: a scenario, its run, its curve over growth, the appointment lengths."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from analysis.book.whatif.assumptions import MINUTES_PER_HOUR, WEEKS_PER_MONTH


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
class Projection:
    """What the model gives for one :class:`Scenario`."""

    caseload: float
    staff_minutes_per_month: float
    contact_minutes_per_month: float
    minutes_per_person: float
    appointments_per_person: float
    grown_caseload: float
    grown_minutes_per_person: float
    grown_appointments_per_person: float
    share_left_pct: float
    growth_to_one_appointment_pct: float


def run(scenario: Scenario) -> Projection:
    """The model, step by step as described in the module docstring."""
    caseload = scenario.starts_per_month * scenario.months_supervised
    staff_minutes = scenario.staff_hours_per_week * MINUTES_PER_HOUR * WEEKS_PER_MONTH
    contact_minutes = staff_minutes * scenario.contact_share
    per_person = contact_minutes / caseload
    factor = 1 + scenario.caseload_growth_pct / 100
    grown_per_person = per_person / factor
    return Projection(
        caseload=caseload,
        staff_minutes_per_month=staff_minutes,
        contact_minutes_per_month=contact_minutes,
        minutes_per_person=per_person,
        appointments_per_person=per_person / scenario.appointment_minutes,
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
    minutes = [int(m) for m in models["minutes"]]
    return pd.DataFrame(
        {
            "model": [str(name) for name in models["name"]],
            "period": [str(period) for period in models["period"]],
            "minutes": minutes,
            "per person per month, before growth": [round(outcome.minutes_per_person / m, 1) for m in minutes],
            "per person per month, after growth": [round(outcome.grown_minutes_per_person / m, 1) for m in minutes],
        }
    )
