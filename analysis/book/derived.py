"""The book's own arithmetic on published figures, gathered for the claims appendix.

The chapters state what the sources publish. Small sums the book could do with those
figures (a share, an implied starting count, a difference in percentage points) are not
findings of the article, so they stay out of the running prose and are listed here
instead, each with what it is computed from, how, and what it assumes. Rows whose tables
a release lacks are left out (the later tables arrived in release 1.1.0).
"""

from __future__ import annotations

import pandas as pd

from analysis.book import quantities, whatif
from analysis.data.release import Release

DERIVED_COLUMNS = ["quantity", "result", "computed from", "how", "caveat"]


def _figures_phrased(figures: pd.DataFrame, *ids: str) -> str:
    """Where a derived quantity comes from: "figures: <id> (<the figure as published>), ..."."""
    return "figures: " + ", ".join(f"{i} ({quantities.figure_phrase(figures, i)})" for i in ids)


def _has(release: Release, *names: str) -> bool:
    return all(release.has(n) for n in names)


def derived_arithmetic(release: Release) -> pd.DataFrame:
    """One row per derived quantity: what, the result, its inputs (table rows), the operation, the caveat."""
    figures = release.table("figures")
    models = release.table("appointment_models")
    rows = []

    bound = quantities.share_upper_bound_pct(figures, "mental_health_cohort_size", "caseload_case_study")
    rows.append(
        {
            "quantity": "Share of the case study area's caseload in the mental health cohort",
            "result": f"less than {bound:.2f}%",
            "computed from": _figures_phrased(figures, "mental_health_cohort_size", "caseload_case_study"),
            "how": "100 × cohort bound ÷ caseload",
            "caveat": "Assumes that the manager's count for the entire CRC and the area's caseload describe the same "
            "population, which the article does not say; no more precise than the approximate caseload.",
        }
    )

    pr = whatif.postrelease(figures)
    imp = pr.implied
    rows.append(
        {
            "quantity": f"Post-release caseload on {pr.start_date.day} {pr.start_date:%B %Y} implied by the rise",
            "result": f"{imp.central:,.0f} ({imp.low:,.0f} to {imp.high:,.0f})",
            "computed from": _figures_phrased(figures, "postrelease_caseload_2020", "postrelease_rise_pct"),
            "how": f"end count ÷ (1 + rise); the range for any rise from {imp.rise_low_pct:g} to {imp.rise_high_pct:g} "
            "per cent, which all round to the published whole number",
            "caveat": "Not published: the summary gives only a bound, and the whole range " + pr.bound_check + ".",
        }
    )

    rows.append(
        {
            "quantity": "Short check-ins that fit in the hour an officer once gave each person",
            "result": quantities.in_words(quantities.appointments_per(models, "A1", "A3")),
            "computed from": f"appointment_models: A1 ({quantities.appointment_minutes(models, 'A1')} minutes), "
            f"A3 ({quantities.appointment_minutes(models, 'A3')} minutes)",
            "how": "A1 minutes ÷ A3 minutes",
            "caveat": "An illustration; the article makes no such comparison.",
        }
    )

    rows.append(
        {
            "quantity": "Calendar months spanned by the fieldwork",
            "result": quantities.in_words(quantities.figure_value(figures, "fieldwork_months")),
            "computed from": "figures: fieldwork_months (as_of "
            + str(figures.set_index("figure_id").loc["fieldwork_months", "as_of"])
            + ")",
            "how": "first to last month of the stated period, both counted",
            "caveat": "The article gives the months, not their number.",
        }
    )

    inputs = whatif.resolve(figures, models)
    outcome = whatif.run(inputs.scenario)
    rows.append(
        {
            "quantity": "What-if: caseload growth at the same staffing before each person gets one check-in a month",
            "result": f"{outcome.growth_to_one_appointment_pct:,.0f} per cent",
            "computed from": "the what-if's default inputs (later-evidence chapter): published and assumed",
            "how": "growth at which minutes per person per month fall to one appointment",
            "caveat": "An illustration resting on assumptions (working hours, share of time for meeting people, "
            "intake), not an estimate.",
        }
    )

    if _has(release, "community_sentences"):
        community = release.table("community_sentences")
        series = community[community["series"] == "hl4476"].sort_values("year")
        rows.append(
            {
                "quantity": "Fall in community sentences over the written answer's series",
                "result": f"{quantities.community_fall_pct(community, 'hl4476'):.1f}%",
                "computed from": f"community_sentences: hl4476, {int(series['year'].iloc[0])} and "
                f"{int(series['year'].iloc[-1])}",
                "how": "100 × (first − last) ÷ first",
                "caveat": "The answer itself gives a rounded fall (claim C104).",
            }
        )
    if _has(release, "kirton_survey"):
        kirton = release.table("kirton_survey")
        gap = quantities.kirton_gap_points(kirton, "kg_agree_allocation_nps_pct", "kg_agree_allocation_crc_pct")
        rows.append(
            {
                "quantity": "Gap between NPS and CRC staff who agreed with their allocation (Kirton and Guillaume)",
                "result": f"{gap} percentage points",
                "computed from": "kirton_survey: kg_agree_allocation_nps_pct, kg_agree_allocation_crc_pct",
                "how": "difference of the two percentages",
                "caveat": "Two groups of different sizes; a difference in points, not a ratio.",
            }
        )
    return pd.DataFrame(rows, columns=DERIVED_COLUMNS).astype("string")
