"""The cohort model and the appointment models behind the treadmill's arithmetic."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import quantities
from analysis.book.charts import MISSING_COLOUR, PALETTE, Figure, band_axis, bar_listing
from analysis.book.figures.registry import figure


@figure("cohorts", "figures")
def cohort_model(cohorts: pd.DataFrame, figures_table: pd.DataFrame) -> Figure:
    """The five cohorts: reported sizes as shares of the caseload, the rest shown as not reported."""
    table = quantities.cohort_shares(cohorts, figures_table)
    caseload = quantities.figure_phrase(figures_table, "caseload_case_study", with_unit=False)
    frame = pd.DataFrame(
        {
            "cohort": list(table["label"]),
            "share_pct": [None if pd.isna(v) else round(float(v), 4) for v in table["share_pct"]],
            "kind": list(table["share_kind"]),
            "as_reported": [
                f"{t} (a manager's estimate); the bar is the book's derived bound, a share of {caseload}"
                if k == "derived upper bound"
                else (f"{t} (a manager's estimate)" if k == "reported estimate" else "not reported")
                for t, v, k in zip(table["size_text"], table["share_pct"], table["share_kind"], strict=True)
            ],
        }
    )
    order = list(frame["cohort"])
    y = alt.Y("cohort:N", title="Cohort", sort=order, axis=band_axis(200))
    x_title = "Share of the area's caseload (%)"
    reported = alt.Chart(frame).transform_filter("datum.share_pct !== null")
    missing = alt.Chart(frame).transform_filter("datum.share_pct === null")
    bars = reported.mark_bar().encode(
        x=alt.X("share_pct:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
        y=y,
        color=alt.Color(
            "kind:N",
            title="Size",
            scale=alt.Scale(
                domain=["reported estimate", "derived upper bound", "not reported"],
                range=[PALETTE[1], PALETTE[2], MISSING_COLOUR],
            ),
        ),
        tooltip=[alt.Tooltip("cohort:N"), alt.Tooltip("as_reported:N", title="Size")],
    )
    bar_labels = reported.mark_text(align="left", dx=6, color=PALETTE[0]).encode(
        x=alt.X("share_pct:Q", title=x_title), y=y, text="as_reported:N"
    )
    marks = missing.mark_point(shape="circle", filled=False, size=70, strokeWidth=2, opacity=1).encode(
        x=alt.value(6), y=y, color=alt.Color("kind:N", title="Size")
    )
    missing_labels = missing.mark_text(align="left", dx=16, fontStyle="italic", color=PALETTE[0]).encode(
        x=alt.value(0), y=y, text="as_reported:N"
    )
    chart = alt.layer(bars, bar_labels, marks, missing_labels).properties(
        width=380, height=alt.Step(30), title="The cohort model: sizes the article reports, and where it reports none"
    )
    unreported = [c for c, k in zip(frame["cohort"], frame["kind"], strict=True) if k == "not reported"]
    described = bar_listing(frame["cohort"], frame["as_reported"])
    alt_text = f"One row per cohort ({len(frame)}). {described}."
    caption = (
        f"The five cohorts: only {quantities.in_words(len(frame) - len(unreported))} sizes are reported, both as "
        "managers' estimates."
    )
    detail = (
        f"{', '.join(unreported)}: no size is reported and none is estimated here; they carry a grey "
        "ring and no bar. The mental health share is our derived upper bound: the reported head count divided by "
        f"the area's caseload of {caseload}. It assumes that the manager's count for the entire CRC and the "
        "area's caseload describe the same population, which the article does not state."
    )
    drawn = {"cohorts": tuple(table["cohort_id"]), "figures": ("caseload_case_study",)}
    return Figure(chart, alt_text, caption, inputs=("cohorts", "figures"), detail=detail, rows=drawn)


@figure("appointment_models")
def appointment_models(appointment_models: pd.DataFrame) -> Figure:
    """Minutes per appointment model, with the period each applied to (or that the article gives no date)."""
    labels = {"pre-TR": "before TR", "undated": "date not given", "CRC": "in the CRC"}
    periods = {p: labels[p] for p in labels if p in set(appointment_models["period"].astype(str))}
    frame = pd.DataFrame(
        {
            "model": [
                f"{n} ({periods.get(str(p), str(p))})"
                for n, p in zip(appointment_models["name"], appointment_models["period"], strict=True)
            ],
            "period": [periods.get(str(p), str(p)) for p in appointment_models["period"]],
            "minutes": [int(m) for m in appointment_models["minutes"]],
            "description": [str(d) for d in appointment_models["description"]],
        }
    )
    frame["label"] = [f"{m} minutes" for m in frame["minutes"]]
    order = list(frame["model"])
    base = alt.Chart(frame).encode(
        y=alt.Y("model:N", title="Appointment model", sort=order, axis=band_axis(300)),
        x=alt.X("minutes:Q", title="Minutes per appointment", scale=alt.Scale(domain=[0, max(frame["minutes"])])),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "period:N", title="Period", scale=alt.Scale(domain=list(periods.values()), range=PALETTE[: len(periods)])
        ),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("minutes:Q"), alt.Tooltip("description:N")],
    )
    labels = base.mark_text(align="right", dx=-6, color=PALETTE[4]).encode(text="label:N")
    chart = (bars + labels).properties(width=360, height=alt.Step(34), title="How long an appointment could be")
    listing = bar_listing(frame["model"], frame["minutes"], " minutes")
    alt_text = f"Horizontal bars of minutes per appointment model. {listing}."
    caption = "Appointment lengths the article describes."
    detail = (
        "The hour is one officer's recollection of how long he used to see each person; the article gives no date "
        "for it. The plan, meet and "
        "record window is not contact time: planning and writing up had to fit into the same hour, so the meeting "
        "itself was shorter. The check-in length is a manager's description of the CRC's model."
    )
    drawn = {"appointment_models": tuple(appointment_models["model_id"].astype(str))}
    return Figure(chart, alt_text, caption, inputs=("appointment_models",), detail=detail, rows=drawn)
