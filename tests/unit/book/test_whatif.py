"""The treadmill chapter's arithmetic (analysis.book.whatif).

Expectations are derived independently (by hand from the model's definitions, or as
relations the model must satisfy), never copied from the module's output.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from analysis.book import whatif
from analysis.data.release import load_release


@pytest.fixture(scope="module")
def release():
    return load_release()


@pytest.fixture
def scenario() -> whatif.Scenario:
    return whatif.Scenario(
        caseload_growth_pct=74.0,
        staff_hours_per_week=37.0,
        contact_share=0.5,
        appointment_minutes=15.0,
        starts_per_month=4.0,
        months_supervised=12.0,
    )


# --- implied start ---------------------------------------------------------------


def test_implied_start_undoes_the_rise():
    implied = whatif.implied_start(174.0, 74.0)
    assert implied.central == pytest.approx(100.0)
    assert implied.central * (1 + implied.rise_pct / 100) == pytest.approx(174.0)


def test_rounding_range_brackets_the_central_value_and_swaps_bounds():
    implied = whatif.implied_start(68863.0, 74.0)
    assert implied.low < implied.central < implied.high
    # the low start goes with the high rise, and vice versa
    assert implied.low * (1 + implied.rise_high_pct / 100) == pytest.approx(68863.0)
    assert implied.high * (1 + implied.rise_low_pct / 100) == pytest.approx(68863.0)
    assert (implied.rise_low_pct, implied.rise_high_pct) == (73.5, 74.5)


def test_zero_half_width_collapses_the_range():
    implied = whatif.implied_start(150.0, 50.0, half_width=0.0)
    assert implied.low == implied.central == implied.high == pytest.approx(100.0)


def test_a_larger_rise_implies_a_smaller_start():
    assert whatif.implied_start(1000.0, 80.0).central < whatif.implied_start(1000.0, 20.0).central


@pytest.mark.parametrize("end, rise, half", [(0.0, 10.0, 0.5), (100.0, -100.0, 0.5), (100.0, 10.0, -1.0)])
def test_implied_start_rejects_impossible_inputs(end, rise, half):
    with pytest.raises(ValueError):
        whatif.implied_start(end, rise, half)


def test_postrelease_reads_the_published_rows(release):
    figures = release.table("figures")
    pr = whatif.postrelease(figures)
    row = figures.set_index("figure_id")
    assert pr.end_value == row.loc["postrelease_caseload_2020", "value"]
    assert pr.start_bound == row.loc["postrelease_caseload_2015", "value"]
    assert pr.start_qualifier == row.loc["postrelease_caseload_2015", "qualifier"]
    assert pr.rise_pct == row.loc["postrelease_rise_pct", "value"]
    assert pr.start_date == date.fromisoformat(str(row.loc["postrelease_caseload_2015", "as_of"]))
    assert pr.end_date > pr.start_date
    assert pr.implied.central == pytest.approx(pr.end_value / (1 + pr.rise_pct / 100))


def test_bound_check_follows_the_comparison(release):
    figures = release.table("figures")
    pr = whatif.postrelease(figures)
    assert pr.implied_within_bound == (pr.implied.high < pr.start_bound)
    # Lower the published bound below the derived range: the check must say so.
    lowered = figures.copy()
    lowered.loc[lowered["figure_id"] == "postrelease_caseload_2015", "value"] = pr.implied.low - 1
    broken = whatif.postrelease(lowered)
    assert not broken.implied_within_bound
    assert broken.bound_check != pr.bound_check
    assert "not" in broken.bound_check


def test_postrelease_names_a_missing_row(release):
    figures = release.table("figures")
    with pytest.raises(KeyError, match="postrelease_rise_pct"):
        whatif.postrelease(figures[figures["figure_id"] != "postrelease_rise_pct"])


# --- the model -------------------------------------------------------------------


def test_model_by_hand(scenario):
    outcome = whatif.run(scenario)
    staff = 37 * 60 * 52 / 12
    assert outcome.caseload == 48
    assert outcome.staff_minutes_per_month == pytest.approx(staff)
    assert outcome.contact_minutes_per_month == pytest.approx(staff / 2)
    assert outcome.minutes_per_person == pytest.approx(staff / 2 / 48)
    assert outcome.appointments_per_person == pytest.approx(staff / 2 / 48 / 15)
    assert outcome.grown_caseload == pytest.approx(48 * 1.74)
    assert outcome.grown_minutes_per_person == pytest.approx(staff / 2 / (48 * 1.74))
    assert outcome.share_left_pct == pytest.approx(100 / 1.74)


def test_minutes_times_caseload_is_the_contact_time(scenario):
    outcome = whatif.run(scenario)
    assert outcome.minutes_per_person * outcome.caseload == pytest.approx(outcome.contact_minutes_per_month)
    assert outcome.grown_minutes_per_person * outcome.grown_caseload == pytest.approx(outcome.contact_minutes_per_month)


def test_share_left_depends_on_growth_alone(scenario):
    base = whatif.run(scenario).share_left_pct
    for change in (
        {"staff_hours_per_week": 20.0},
        {"contact_share": 0.2},
        {"starts_per_month": 9.0},
        {"months_supervised": 3.0},
        {"appointment_minutes": 60.0},
    ):
        assert whatif.run(replace(scenario, **change)).share_left_pct == pytest.approx(base), change
    assert whatif.run(replace(scenario, caseload_growth_pct=100.0)).share_left_pct == pytest.approx(50.0)


def test_no_growth_changes_nothing(scenario):
    outcome = whatif.run(replace(scenario, caseload_growth_pct=0.0))
    assert outcome.grown_caseload == outcome.caseload
    assert outcome.grown_minutes_per_person == outcome.minutes_per_person
    assert outcome.share_left_pct == 100


def test_doubling_hours_doubles_minutes_and_doubling_intake_halves_them(scenario):
    base = whatif.run(scenario).minutes_per_person
    assert whatif.run(replace(scenario, staff_hours_per_week=74.0)).minutes_per_person == pytest.approx(2 * base)
    assert whatif.run(replace(scenario, starts_per_month=8.0)).minutes_per_person == pytest.approx(base / 2)


def test_headroom_is_the_growth_that_leaves_one_appointment(scenario):
    outcome = whatif.run(scenario)
    assert outcome.growth_to_one_appointment_pct > 0
    at_limit = whatif.run(replace(scenario, caseload_growth_pct=outcome.growth_to_one_appointment_pct))
    assert at_limit.grown_minutes_per_person == pytest.approx(scenario.appointment_minutes)


def test_headroom_is_zero_when_already_below_one_appointment(scenario):
    tight = replace(scenario, appointment_minutes=10_000.0)
    assert whatif.run(tight).appointments_per_person < 1
    assert whatif.run(tight).growth_to_one_appointment_pct == 0


@pytest.mark.parametrize(
    "change",
    [
        {"staff_hours_per_week": 0.0},
        {"staff_hours_per_week": -5.0},
        {"appointment_minutes": math.nan},
        {"starts_per_month": 0.0},
        {"months_supervised": math.inf},
        {"contact_share": 0.0},
        {"contact_share": 1.5},
        {"caseload_growth_pct": -100.0},
    ],
)
def test_scenario_rejects_impossible_inputs(scenario, change):
    with pytest.raises(ValueError):
        replace(scenario, **change)


def test_shrinking_caseload_is_allowed(scenario):
    outcome = whatif.run(replace(scenario, caseload_growth_pct=-50.0))
    assert outcome.grown_minutes_per_person == pytest.approx(2 * outcome.minutes_per_person)


# --- the curve -------------------------------------------------------------------


def test_curve_marks_the_scenario_once_and_falls(scenario):
    data = whatif.curve(scenario)
    assert data["scenario"].sum() == 1
    marked = data[data["scenario"]].iloc[0]
    assert marked["growth_pct"] == scenario.caseload_growth_pct
    assert marked["minutes_per_person"] == pytest.approx(whatif.run(scenario).grown_minutes_per_person)
    assert data["growth_pct"].iloc[0] == 0
    assert data["minutes_per_person"].iloc[0] == pytest.approx(whatif.run(scenario).minutes_per_person)
    assert data["growth_pct"].is_monotonic_increasing
    assert data["minutes_per_person"].is_monotonic_decreasing


def test_curve_reaches_past_a_large_scenario(scenario):
    big = replace(scenario, caseload_growth_pct=300.0)
    data = whatif.curve(big)
    assert data["growth_pct"].max() >= 300
    assert data["scenario"].sum() == 1


def test_curve_includes_an_off_grid_scenario(scenario):
    odd = replace(scenario, caseload_growth_pct=12.3)
    data = whatif.curve(odd, step_pct=5.0)
    assert 12.3 in set(data["growth_pct"])
    assert {0.0, 10.0, 15.0} <= set(data["growth_pct"])


# --- inputs and their status -----------------------------------------------------


def test_none_takes_the_published_values(release):
    figures, models = release.table("figures"), release.table("appointment_models")
    inputs = whatif.resolve(figures, models)
    by_id = figures.set_index("figure_id")["value"]
    check_in = models.set_index("model_id").loc[whatif.CHECK_IN_MODEL, "minutes"]
    assert inputs.scenario.caseload_growth_pct == by_id["postrelease_rise_pct"]
    assert inputs.scenario.months_supervised == by_id["ora_supervision_months"]
    assert inputs.scenario.appointment_minutes == check_in
    for name in ("months_supervised", "appointment_minutes"):
        assert inputs.status(name) == whatif.PUBLISHED
    # The growth is a national figure applied to one practitioner: an assumption built on it (issue 19).
    for name in ("caseload_growth_pct", "staff_hours_per_week", "contact_share", "starts_per_month"):
        assert inputs.status(name) == whatif.ASSUMED


def test_given_values_override_and_are_marked(release):
    inputs = whatif.resolve(
        release.table("figures"),
        release.table("appointment_models"),
        caseload_growth_pct=50.0,
        appointment_minutes=60.0,
        staff_hours_per_week=30.0,
    )
    assert inputs.scenario.caseload_growth_pct == 50.0
    assert inputs.scenario.appointment_minutes == 60.0
    assert inputs.scenario.staff_hours_per_week == 30.0
    assert inputs.status("caseload_growth_pct") == whatif.SET_FOR_RUN
    assert inputs.status("months_supervised") == whatif.PUBLISHED
    assert inputs.status_phrase("caseload_growth_pct") == whatif.STATUS_PHRASES[whatif.SET_FOR_RUN]
    with pytest.raises(KeyError):
        inputs.status("no_such_input")


def test_assumptions_table_labels_every_input(release):
    inputs = whatif.resolve(release.table("figures"), release.table("appointment_models"))
    table = inputs.table()
    assert len(table) == len(inputs.inputs) + 1  # plus the weeks-per-month definition
    assumed = table[table["status"] == whatif.ASSUMED]
    assert len(assumed) == 4
    assert all(str(b).startswith("ASSUMPTION") for b in assumed["basis"])
    # The growth row names the national figure it is built on, with its source phrase.
    growth = table[table["input"] == "Caseload growth at the same staffing"]["basis"].iloc[0]
    phrase = release.table("figures").set_index("figure_id").loc["postrelease_rise_pct", "source"].split(": ", 1)[1]
    assert "national" in growth and phrase in growth, growth
    published = table[table["status"] == whatif.PUBLISHED]
    # published rows cite their source (named for readers, not by file) and the verbatim source phrase
    for basis in published["basis"]:
        assert re.search(r'\(20\d\d\).*: ".+"$', str(basis)) and ".txt" not in str(basis), basis
    assert table.notna().all().all()


def test_resolve_names_a_missing_appointment_model(release):
    models = release.table("appointment_models")
    with pytest.raises(KeyError, match=whatif.CHECK_IN_MODEL):
        whatif.resolve(release.table("figures"), models[models["model_id"] != whatif.CHECK_IN_MODEL])


def test_appointment_lengths_convert_the_same_minutes(release, scenario):
    models = release.table("appointment_models")
    table = whatif.appointment_lengths(scenario, models)
    outcome = whatif.run(scenario)
    assert len(table) == len(whatif.MEETING_MODELS)
    for row in table.itertuples(index=False):
        before, after = row[3], row[4]
        assert before == pytest.approx(outcome.minutes_per_person / row.minutes, abs=0.05)
        assert after == pytest.approx(outcome.grown_minutes_per_person / row.minutes, abs=0.05)
    # a longer meeting always fits fewer times
    ordered = table.sort_values("minutes")
    assert ordered.iloc[:, 3].is_monotonic_decreasing


def test_appointment_lengths_need_the_models(scenario):
    empty = pd.DataFrame({"model_id": [], "name": [], "minutes": [], "period": []})
    with pytest.raises(KeyError):
        whatif.appointment_lengths(scenario, empty)
