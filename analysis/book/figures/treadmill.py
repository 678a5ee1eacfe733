"""The treadmill (chapter 05): caseload after release, the what-if minutes."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import whatif
from analysis.book.charts import PALETTE, TOP_TITLE_AXIS, Figure
from analysis.book.figures.registry import figure


@figure("figures")
def postrelease_caseload(figures: pd.DataFrame) -> Figure:
    """The national post-release caseload: 2020 as published, 2015 as a bound and as derived."""
    pr = whatif.postrelease(figures)
    imp = pr.implied
    start_day = f"{pr.start_date:%d %B %Y}"
    end_day = f"{pr.end_date:%d %B %Y}"
    rows = [
        {
            "row": f"{start_day}: published bound",
            "kind": f"published bound ({pr.start_qualifier})",
            "start": 0.0,
            "end": pr.start_bound,
            "point": None,
            "label": f"{pr.start_qualifier} {pr.start_bound:,.0f}: an upper bound, the exact count is not published",
        },
        {
            "row": f"{start_day}: implied by the rise",
            "kind": "derived by the book",
            "start": imp.low,
            "end": imp.high,
            "point": imp.central,
            "label": (
                f"{imp.low:,.0f} to {imp.high:,.0f} (derived: {pr.end_value:,.0f} after a rise of "
                f"{imp.rise_low_pct:g} to {imp.rise_high_pct:g} per cent)"
            ),
        },
        {
            "row": f"{end_day}: published",
            "kind": "published count",
            "start": 0.0,
            "end": pr.end_value,
            "point": None,
            "label": f"{pr.end_value:,.0f}",
        },
    ]
    data = pd.DataFrame(rows)
    order = list(data["row"])
    kinds = list(data["kind"])
    y = alt.Y("row:N", sort=order, title="Date, and what the mark shows", axis=TOP_TITLE_AXIS)
    # The row labels say what each mark is; colour only repeats it (no legend needed).
    colour = alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=[PALETTE[1], PALETTE[1], PALETTE[0]]), legend=None)
    x_title = "People under post-release supervision, England and Wales"
    base = alt.Chart(data).encode(y=y)
    x_start = alt.X("start:Q", title=x_title)
    bound = (
        base.transform_filter(alt.datum.kind == kinds[0])
        .mark_bar(fillOpacity=0, strokeWidth=2, strokeDash=[6, 3], height=22)
        .encode(x=x_start, x2="end:Q", stroke=colour)
    )
    derived_range = (
        base.transform_filter(alt.datum.kind == kinds[1])
        .mark_rule(strokeWidth=3)
        .encode(x=x_start, x2="end:Q", color=colour)
    )
    derived_point = (
        base.transform_filter(alt.datum.kind == kinds[1])
        .mark_point(filled=True, size=80, shape="diamond", opacity=1)
        .encode(x=alt.X("point:Q", title=x_title), color=colour)
    )
    published = (
        base.transform_filter(alt.datum.kind == kinds[2])
        .mark_bar(height=22)
        .encode(x=x_start, x2="end:Q", color=colour)
    )
    labels = base.mark_text(align="left", dx=6, fontSize=11, color=PALETTE[0]).encode(
        x=alt.X("end:Q", title=x_title), text="label:N"
    )
    chart = alt.layer(bound, derived_range, derived_point, published, labels).properties(
        width=380,
        height=170,
        title=alt.Title(
            "Post-release supervision caseload, England and Wales",
            subtitle=f"{start_day} and {end_day} (Webster 2022); the {start_day} count is only bounded",
        ),
    )
    alt_text = (
        f"Horizontal marks for the national post-release supervision caseload. On {end_day} it was "
        f"{pr.end_value:,.0f} (published). On {start_day} the source gives only '{pr.start_qualifier} "
        f"{pr.start_bound:,.0f}', drawn as a dashed outline ending at that bound; a rise of {pr.rise_pct:g} "
        f"per cent to {pr.end_value:,.0f} implies {imp.low:,.0f} to {imp.high:,.0f} (derived by the book)."
    )
    caption = f"The post-release caseload on {start_day} (a bound) and {end_day}."
    detail = (
        f"The {end_day} count is published exactly; the {start_day} count is published only as a bound "
        f"('{pr.start_qualifier}'), so it is drawn as an open outline, not a bar. The diamond and its line are "
        f"derived by the book, not published: the {end_day} count divided by one plus the published "
        f"rise, with the range allowed by rounding that rise to a whole per cent."
    )
    drawn: dict[str, tuple[str, ...]] = {
        "figures": ("postrelease_caseload_2015", "postrelease_caseload_2020", "postrelease_rise_pct")
    }
    return Figure(chart, alt_text, caption, inputs=("figures",), detail=detail, rows=drawn)


def _whatif_arguments(table) -> tuple:
    """The curve and the scenario of the chapter's published inputs (as the chapter builds them)."""
    inputs = whatif.resolve(table("figures"), table("appointment_models"))
    return whatif.curve(inputs.scenario), inputs.scenario


@figure("figures", "appointment_models", arguments=_whatif_arguments)
def whatif_minutes(curve: pd.DataFrame, scenario: whatif.Scenario) -> Figure:
    """Minutes per person per month against caseload growth at the same staffing (an illustration)."""
    chosen = curve[curve["scenario"]].iloc[0]
    start = curve.iloc[0]
    line_data = curve.assign(kind="minutes each person gets")
    top = float(curve["growth_pct"].max())
    x = alt.X(
        "growth_pct:Q",
        title="Caseload growth at the same staffing (per cent)",
        scale=alt.Scale(domain=[0, top], nice=False),
    )
    y = alt.Y("minutes_per_person:Q", title="Minutes per person per month", scale=alt.Scale(zero=True))
    line = (
        alt.Chart(line_data)
        .mark_line(color=PALETTE[1], strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("growth_pct:Q", title="growth (per cent)", format=",.0f"),
                alt.Tooltip("caseload:Q", title="caseload", format=",.1f"),
                alt.Tooltip("minutes_per_person:Q", title="minutes per person", format=",.1f"),
            ],
        )
    )
    appointment = pd.DataFrame(
        {
            "minutes_per_person": [scenario.appointment_minutes],
            "label": [f"one {scenario.appointment_minutes:g}-minute appointment a month"],
        }
    )
    rule = alt.Chart(appointment).mark_rule(color=PALETTE[0], strokeDash=[6, 3], strokeWidth=1.5).encode(y=y)
    rule_label = (
        alt.Chart(appointment)
        .mark_text(align="left", dy=-7, x=4, fontSize=11, color=PALETTE[0])
        .encode(y=y, text="label:N")
    )
    marked = pd.DataFrame(
        {
            "growth_pct": [chosen["growth_pct"]],
            "minutes_per_person": [chosen["minutes_per_person"]],
            "label": [f"chosen: +{chosen['growth_pct']:g}%, {chosen['minutes_per_person']:,.1f} minutes"],
        }
    )
    point = alt.Chart(marked).mark_point(filled=True, size=120, shape="diamond", color=PALETTE[0], opacity=1)
    point = point.encode(x=x, y=y)
    point_label = (
        alt.Chart(marked)
        .mark_text(align="left", dx=8, dy=-10, fontSize=11, color=PALETTE[0])
        .encode(x=x, y=y, text="label:N")
    )
    chart = alt.layer(line, rule, rule_label, point, point_label).properties(
        width=520,
        height=280,
        title=alt.Title(
            "What if: minutes per person as the caseload grows",
            subtitle="An illustration resting on assumptions; see the table of inputs above",
        ),
    )
    alt_text = (
        f"A falling curve: with no growth each person gets {start['minutes_per_person']:,.1f} minutes a month; "
        f"at the chosen growth of {chosen['growth_pct']:g} per cent, {chosen['minutes_per_person']:,.1f} minutes. "
        f"A dashed line marks one {scenario.appointment_minutes:g}-minute appointment a month."
    )
    caption = "Illustration, not an estimate: minutes per person as the caseload grows at unchanged staffing."
    detail = (
        "The curve is the what-if model of one practitioner's month "
        "(minutes for meeting people divided by the caseload), with the caseload growing at unchanged "
        "staffing. Several inputs are assumptions, listed with their status in the table above; the "
        "diamond marks the scenario this page was built with."
    )
    return Figure(chart, alt_text, caption, inputs=("figures", "appointment_models"), detail=detail)
