"""The discussion and the codebook appendix: policy measures against harms, the codebook overview."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book.charts import PALETTE, TOP_TITLE_AXIS, Figure
from analysis.book.figures.registry import figure


@figure("policy_measures", "codes")
def measures_vs_harms(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> Figure:
    """The Target Operating Model's measures set against the four themes, as the book reads them."""
    themes = codes[codes["level"] == 3].sort_values("code_id")
    measures = policy_measures.sort_values("measure_id")
    theme_labels = [str(t.name) for t in themes.itertuples()]
    measure_labels = [str(m.name) for m in measures.itertuples()]
    rows = []
    for theme_id, t_label in zip(themes["code_id"], theme_labels, strict=True):
        for addressed, m_label in zip(measures["addresses_theme"], measure_labels, strict=True):
            hit = addressed == theme_id
            rows.append(
                {
                    "theme": t_label,
                    "measure": m_label,
                    "reading": "read as addressing" if hit else "not read as addressing",
                    "mark": "addresses (book's reading)" if hit else "–",
                }
            )
    data = pd.DataFrame(rows)
    readings = ["read as addressing", "not read as addressing"]
    base = alt.Chart(data).encode(
        x=alt.X(
            "measure:N",
            sort=measure_labels,
            title="Target Operating Model measure (HMPPS 2021)",
            axis=alt.Axis(labelAngle=0, labelLimit=200, labelExpr="split(datum.label, ' · ')"),
        ),
        y=alt.Y("theme:N", sort=theme_labels, title="Findings theme", axis=TOP_TITLE_AXIS),
    )
    # Light fills with a dark outline and dark text: readable, and every mark keeps 3:1 contrast.
    cells = base.mark_rect(stroke=PALETTE[0], strokeWidth=1).encode(
        color=alt.Color(
            "reading:N",
            scale=alt.Scale(domain=readings, range=[PALETTE[2], PALETTE[4]]),
            legend=alt.Legend(title="The book's reading", orient="bottom"),
        )
    )
    text = base.mark_text(fontSize=11, color=PALETTE[0]).encode(text="mark:N")
    chart = (cells + text).properties(
        width=600,
        height=220,
        title=alt.Title(
            "Policy measures set against the findings themes",
            subtitle="Which measure addresses which theme is the book's reading, not the article's statement",
        ),
    )
    pairs = "; ".join(
        f"{m.name} to {themes.loc[themes['code_id'] == m.addresses_theme, 'name'].iloc[0]}"
        for m in measures.itertuples()
    )
    unaddressed = [str(t.name) for t in themes.itertuples() if t.code_id not in set(measures["addresses_theme"])]
    alt_text = (
        f"A grid of {len(measures)} measures by {len(themes)} themes. The book reads each measure as addressing one "
        f"theme: {pairs}. " + (f"No measure is read as addressing: {'; '.join(unaddressed)}." if unaddressed else "")
    )
    caption = (
        "The measures the article discusses against its findings themes: the book's reading of the Discussion. "
        "The first three themes are the harms the article names; the treadmill has a findings section of its own, "
        "and the article's outline attaches it to the third harm (reading it as drawing the harms together is the "
        "book's reading)."
    )
    detail = (
        "The mapping is the book's reading, not one the article states; the data appendix gives the phrase of the "
        "Discussion each reading rests on. A grey cell means the book does not read that measure as addressing "
        "that theme."
    )
    return Figure(chart, alt_text, caption, inputs=("policy_measures", "codes"), detail=detail)


@figure("codes", "coding")
def codebook_overview(codes: pd.DataFrame, coding: pd.DataFrame) -> Figure:
    """Open codes per category, and how often they are applied to excerpts (the book's reconstruction)."""
    themes = codes[codes["level"] == 3].sort_values("code_id")
    categories = codes[codes["level"] == 2].sort_values("code_id")
    opens = codes[codes["level"] == 1]
    applied = coding.merge(opens[["code_id", "parent_id"]], on="code_id", how="inner")
    theme_names = {t.code_id: f"{t.code_id} {t.name}" for t in themes.itertuples()}
    labels_of = {k.code_id: f"{k.code_id} {k.name} ({k.parent_id})" for k in categories.itertuples()}
    rows = []
    for k in categories.itertuples():
        label = labels_of[k.code_id]
        n_codes = int((opens["parent_id"] == k.code_id).sum())
        n_applied = int((applied["parent_id"] == k.code_id).sum())
        for measure, count in (("open codes in the category", n_codes), ("times applied to excerpts", n_applied)):
            rows.append({"category": label, "theme": theme_names[k.parent_id], "measure": measure, "count": count})
    data = pd.DataFrame(rows)
    order = list(labels_of.values())
    theme_order = list(theme_names.values())
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title="Category (theme in brackets)", axis=TOP_TITLE_AXIS),
            x=alt.X("count:Q", title="Count", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "theme:N",
                scale=alt.Scale(domain=theme_order, range=PALETTE[: len(theme_order)]),
                legend=alt.Legend(title="Theme", orient="bottom", columns=1, labelLimit=420),
            ),
            stroke=alt.value(PALETTE[0]),
            strokeWidth=alt.value(0.5),
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=11, color=PALETTE[0])
        .encode(
            y=alt.Y("category:N", sort=order, title="Category (theme in brackets)"),
            x=alt.X("count:Q", title="Count"),
            text="count:Q",
        )
    )
    chart = (
        alt.layer(bars, labels, data=data)
        .properties(width=220, height=200)
        .facet(
            column=alt.Column("measure:N", title=None, sort=["open codes in the category", "times applied to excerpts"])
        )
        .properties(
            title=alt.Title(
                "The reconstructed codebook: open codes and their use, by category",
                subtitle="The book's reconstruction from the published text, not the author's coding",
            )
        )
    )
    per_category = data[data["measure"] == "open codes in the category"]
    pairs = zip(per_category["category"], per_category["count"], strict=True)
    listing = ", ".join(f"{c.split(' ', 1)[0]} {n}" for c, n in pairs)
    alt_text = (
        f"Two bar panels over the {len(categories)} categories of the reconstructed codebook. Left: open codes per "
        f"category ({listing}); right: how many times the category's open codes are applied to excerpts, "
        f"{len(applied)} applications in all."
    )
    caption = (
        "Counts from the book's reconstructed codebook and coding (the codes and coding tables), not from "
        "the author's own coding, which is unpublished. Each label names the category and, in brackets, its "
        "theme; the colour repeats the theme."
    )
    return Figure(chart, alt_text, caption, inputs=("codes", "coding"))
