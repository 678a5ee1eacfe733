"""The codes of each theme and who voiced them (chapters 02-05)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import quantities
from analysis.book.charts import PALETTE, Figure, band_axis, bar_listing, bar_panels
from analysis.book.figures.registry import figure


@figure("codes", "coding", variants=[("T1",), ("T2",), ("T3",)])
def theme_codes(codes: pd.DataFrame, coding: pd.DataFrame, theme_id: str) -> Figure:
    """Codings per open code of one theme, grouped by category (the book's reconstruction)."""
    table = quantities.theme_code_counts(codes, coding, theme_id)
    theme_name = str(codes.loc[codes["code_id"] == theme_id, "name"].iloc[0])
    frame = pd.DataFrame(
        {
            "code": [str(n) for n in table["code_name"]],
            "category": [str(n) for n in table["category_name"]],
            "codings": list(table["codings"]),
            "label": [str(n) for n in table["codings"]],
            "order": list(range(len(table))),
        }
    )
    categories = list(dict.fromkeys(frame["category"]))
    if len(categories) > len(PALETTE) - 1:
        raise ValueError(f"theme {theme_id!r} has more categories than the palette has dark colours")
    base = alt.Chart().encode(
        y=alt.Y("code:N", title="Open code", sort=alt.EncodingSortField("order"), axis=band_axis(280)),
        x=alt.X(
            "codings:Q",
            title="Codings (excerpts given this code)",
            scale=alt.Scale(domain=[0, max(frame["codings"].max() + 1, 3)]),
            axis=alt.Axis(tickMinStep=1),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "category:N",
            title="Category",
            scale=alt.Scale(domain=categories, range=PALETTE[: len(categories)]),
            legend=None,  # the panel headers name the categories
        ),
        tooltip=["category:N", "code:N", "codings:Q"],
    )
    labels = base.mark_text(align="left", dx=4, color=PALETTE[0]).encode(text="label:N")
    chart = bar_panels(
        (bars, labels),
        frame,
        "category",
        categories,
        width=260,
        step=20,
        title=f"Codes of the theme {theme_name}",
        label_limit=520,
    )
    alt_text = (
        f"Bars of codings per open code in the theme {theme_name}, one panel per category "
        f"({len(categories)} in all). {bar_listing(frame['code'], frame['codings'])}."
    )
    caption = "How often each code of the theme is applied to the printed excerpts, by category."
    detail = (
        "Each label gives the count; an excerpt printed under another theme can carry a code of this one. "
        "The codebook appendix lists the codes with their definitions and the excerpts each is applied to."
    )
    return Figure(chart, alt_text, caption, inputs=("codes", "coding"), detail=detail)


@figure("codes", "coding", "excerpts", variants=[(), ("T3",)])
def codes_by_role(
    codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str | None = None
) -> Figure:
    """Codings per published speaker role and category, as a labelled heat map."""
    table = quantities.codes_by_role_counts(codes, coding, excerpts, theme_id)
    frame = pd.DataFrame(
        {
            "role": list(table["speaker_role"]),
            "category": [str(n) for n in table["category_name"]],
            "codings": list(table["codings"]),
        }
    )
    group_order = list(quantities.SPEAKER_ROLE_GROUPS)
    roles = sorted(dict.fromkeys(frame["role"]), key=lambda r: group_order.index(r) if r in group_order else 99)
    categories = list(dict.fromkeys(frame["category"]))
    base = alt.Chart(frame).encode(
        x=alt.X("role:N", title="Speaker role as published", sort=roles, axis=alt.Axis(labelAngle=0, labelLimit=160)),
        y=alt.Y("category:N", title="Category of the codebook", sort=categories, axis=band_axis(340)),
    )
    cells = base.mark_rect(stroke=PALETTE[0], strokeWidth=1).encode(
        color=alt.Color(
            "codings:Q",
            title="Codings",
            scale=alt.Scale(type="threshold", domain=[1, 2, 3, 4], range=PALETTE[::-1]),
            legend=alt.Legend(format="d"),
        ),
        tooltip=["role:N", "category:N", "codings:Q"],
    )
    labels = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="codings:Q",
        color=alt.condition("datum.codings >= 3", alt.value(PALETTE[4]), alt.value(PALETTE[0])),
    )
    scope = "all themes" if theme_id is None else "one theme"
    chart = (cells + labels).properties(
        width=alt.Step(165),
        height=alt.Step(34),
        title=f"Who speaks to which category? Codings by speaker role, {scope}",
    )
    top = frame.sort_values("codings", ascending=False, kind="stable").head(3)
    busiest = "; ".join(f"{r.role} × {r.category}: {r.codings}" for r in top.itertuples())
    alt_text = (
        f"Grid of speaker roles ({len(roles)}) by categories ({len(categories)}), each cell labelled with its count "
        f"of codings ({int(frame['codings'].sum())} in all). Largest cells: {busiest}."
    )
    caption = "Codings per category of the codebook and speaker role: counts of codings, not of people."
    detail = (
        "One excerpt can carry several codes of a category. Roles are as the article prints them after each "
        "excerpt; a zero means no printed excerpt from that role was given a code of that category."
    )
    return Figure(chart, alt_text, caption, inputs=("codes", "coding", "excerpts"), detail=detail)
