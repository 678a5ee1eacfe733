"""The book's figures: one function per figure, each returning a ``charts.Figure``.

Every figure is titled, has labelled axes, alt text and a caption, names the
tables it was made from, and uses the greyscale-safe house palette.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import quantities, whatif
from analysis.book.charts import MISSING_COLOUR, PALETTE, Figure

# --- Chapters 00-04: introduction, methods and the first three findings ------

# Short axis labels for national figures (the table's labels are sentences).
_NATIONAL_LABELS = {
    "crc_cases": "Low/medium-risk people CRCs took on",
    "ora_additional": "Added to CRC caseloads by the ORA 2014",
    "ora_support_extended_title": "Prisoners named in the MoJ (2014b) press-release title",
}
_SAMPLE_DIMENSIONS = {"role": "Role", "gender": "Gender", "experience": "Joined probation"}


def _band_axis(label_limit: int) -> alt.Axis:
    """A y axis for long category labels: its title sits level, above the labels, never across them."""
    return alt.Axis(
        labelLimit=label_limit,
        titleAngle=0,
        titleAlign="right",
        titleBaseline="bottom",
        titleX=0,
        titleY=-6,
    )


def _qualifier_legend(qualifiers: list[str]) -> alt.Scale:
    """Greyscale-safe colours for the qualifiers present, darkest for exact figures."""
    order = ["exact", "about", "estimated", "over", "at least", "just under", "less than", "range"]
    present = [q for q in order if q in qualifiers]
    return alt.Scale(domain=present, range=PALETTE[: len(present)])


def national_context(
    figures_table: pd.DataFrame,
    figure_ids: tuple[str, ...] = ("crc_cases", "ora_additional", "ora_support_extended_title"),
) -> Figure:
    """National caseload figures in people, each labelled with its qualifier as worded."""
    rows = []
    for fid in figure_ids:
        row = figures_table[figures_table["figure_id"] == fid].iloc[0]
        if row["unit"] != "people":
            raise ValueError(f"national_context shows people only; {fid!r} is in {row['unit']!r}")
        rows.append(
            {
                "figure": _NATIONAL_LABELS.get(fid, str(row["label"])),
                "people": quantities.figure_value(figures_table, fid),
                "as_stated": quantities.figure_phrase(figures_table, fid, with_unit=False),
                "qualifier": str(row["qualifier"]),
                "definition": str(row["label"]),
            }
        )
    frame = pd.DataFrame(rows)
    order = list(frame["figure"])
    y = alt.Y("figure:N", title="Figure", sort=order, axis=_band_axis(320))
    x = alt.X(
        "people:Q",
        title="People (as stated in the source)",
        axis=alt.Axis(format=",.0f"),
        scale=alt.Scale(domain=[0, 1.3 * max(frame["people"])], nice=False),
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "qualifier:N",
                title="Qualifier in the source",
                scale=_qualifier_legend(list(frame["qualifier"])),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("as_stated:N", title="As stated"),
                alt.Tooltip("qualifier:N", title="Qualifier"),
                alt.Tooltip("definition:N", title="What it counts"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color=PALETTE[0]).encode(
        x=x, text="as_stated:N", color=alt.value(PALETTE[0])
    )
    chart = (bars + labels).properties(
        width=360, title="National scale of the reform: the figures the article gives, with their qualifiers"
    )
    stated = "; ".join(f"{r.figure}: {r.as_stated}" for r in frame.itertuples())
    alt_text = (
        f"Horizontal bar chart of {len(frame)} national figures, each labelled as worded in the source. {stated}."
    )
    caption = "Each bar is one number the article states about England and Wales, labelled as worded."
    for part, whole in quantities.part_of_pairs(figures_table, figure_ids):
        caption += (
            f" The {quantities.figure_phrase(figures_table, part, with_unit=False)} is part of the "
            f"{quantities.figure_phrase(figures_table, whole, with_unit=False)}, not a rival count: the CRC share."
        )
    return Figure(chart, alt_text, caption, inputs=("figures",))


def sample_composition(sample: pd.DataFrame) -> Figure:
    """Interviewees by role, by gender and by when they joined: three separate counts."""
    total = quantities.sample_count(sample, "interviews", "this paper")
    frame = sample[sample["dimension"].isin(list(_SAMPLE_DIMENSIONS))].copy()
    frame = pd.DataFrame(
        {
            "panel": [_SAMPLE_DIMENSIONS[str(d)] for d in frame["dimension"]],
            "category": [str(c)[:1].upper() + str(c)[1:] for c in frame["category"]],
            "participants": [int(n) for n in frame["count"]],
            "order": list(range(len(frame))),
        }
    )
    base = alt.Chart().encode(
        y=alt.Y("category:N", title="Category", sort=alt.EncodingSortField("order"), axis=_band_axis(220)),
        x=alt.X(
            "participants:Q",
            title="Participants",
            scale=alt.Scale(domain=[0, total]),
            axis=alt.Axis(tickMinStep=1),
        ),
    )
    bars = base.mark_bar(color=PALETTE[1])
    labels = base.mark_text(align="left", dx=4, color=PALETTE[0]).encode(text="participants:Q")
    chart = (
        alt.layer(bars, labels, data=frame)
        .properties(width=300, height=alt.Step(22))
        .facet(
            row=alt.Row(
                "panel:N",
                title=None,
                sort=list(_SAMPLE_DIMENSIONS.values()),
                header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelFontWeight="bold"),
            )
        )
        .resolve_scale(y="independent")
        .properties(title=f"The {total} interviews at the CRC office, counted three separate ways")
    )
    parts = "; ".join(
        f"{p}: " + ", ".join(f"{c} {n}" for c, n in zip(g["category"], g["participants"], strict=True))
        for p, g in frame.groupby("panel", sort=False)
    )
    alt_text = f"Three bar panels, each summing to the {total} participants. {parts}."
    caption = f"The same {total} participants counted three ways, as the article reports them."
    detail = (
        "The article gives no cross-tabulation, so the chart cannot say, for example, how many probation officers "
        "were women or which roles joined before Transforming Rehabilitation."
    )
    return Figure(chart, alt_text, caption, inputs=("sample",), detail=detail)


def quoted_vs_interviewed(sample: pd.DataFrame, excerpts: pd.DataFrame) -> Figure:
    """Per role group: participants interviewed against excerpts the article prints."""
    table = quantities.quoted_vs_interviewed(sample, excerpts)
    measures = {"interviewed": "Participants interviewed", "excerpts_quoted": "Excerpts quoted"}
    frame = table.melt(
        id_vars=["role_group", "assumed"], value_vars=list(measures), var_name="measure", value_name="count"
    )
    frame["measure"] = frame["measure"].map(measures)
    frame["group"] = [
        f"{g} (assumed mapping)" if a else str(g) for g, a in zip(frame["role_group"], frame["assumed"], strict=True)
    ]
    frame = frame[["group", "measure", "count"]]
    order = list(dict.fromkeys(frame["group"]))
    base = alt.Chart(frame).encode(
        y=alt.Y("group:N", title="Role group in the sample", sort=order, axis=_band_axis(260)),
        yOffset=alt.YOffset("measure:N", sort=list(measures.values())),
        x=alt.X("count:Q", title="Number (people or excerpts)", axis=alt.Axis(tickMinStep=1)),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "measure:N",
            title=None,
            sort=list(measures.values()),
            scale=alt.Scale(domain=list(measures.values()), range=[PALETTE[0], PALETTE[2]]),
        ),
        tooltip=["group:N", "measure:N", "count:Q"],
    )
    labels = (
        base.mark_text(align="left", dx=4, color=PALETTE[0])
        .encode(text=alt.Text("label:N"))
        .transform_calculate(
            label="datum.measure === 'Excerpts quoted' ? datum.count + ' excerpts' : datum.count + ' people'"
        )
    )
    chart = (bars + labels).properties(
        width=320, height=alt.Step(18), title="Who is heard: people interviewed and excerpts quoted, by role"
    )
    silent = quantities.roles_not_quoted(sample, excerpts)
    managers = quantities.sample_count(sample, "role", "Middle manager")
    listing = "; ".join(
        f"{r.role_group}: {r.interviewed} interviewed, {r.excerpts_quoted} excerpts" for r in table.itertuples()
    )
    alt_text = f"Paired bars per role group. {listing}."
    caption = "Excerpts and interviewees per role: excerpts are not people."
    detail = (
        "One participant can be quoted several times, so a role can have more excerpts than interviewees. "
        + (f"No excerpt comes from the group(s): {'; '.join(g.lower() for g in silent)}. " if silent else "")
        + "Assumption: excerpts the article attributes to a CRC business manager or a CRC partnership manager are "
        f"counted under the sample's middle managers; the article says {quantities.in_words(managers)} interviewees "
        "had middle-management responsibilities but does not say that these are the managers it quotes."
    )
    return Figure(chart, alt_text, caption, inputs=("excerpts", "sample"), detail=detail)


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
                f"{t} (a manager's estimate); under {v:.2f}% of {caseload} (our derived bound)"
                if k == "derived upper bound"
                else (f"{t} (a manager's estimate)" if k == "reported estimate" else "not reported")
                for t, v, k in zip(table["size_text"], table["share_pct"], table["share_kind"], strict=True)
            ],
        }
    )
    order = list(frame["cohort"])
    y = alt.Y("cohort:N", title="Cohort", sort=order, axis=_band_axis(200))
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
    described = "; ".join(f"{c}: {a}" for c, a in zip(frame["cohort"], frame["as_reported"], strict=True))
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
    return Figure(chart, alt_text, caption, inputs=("cohorts", "figures"), detail=detail)


def appointment_models(appointment_models: pd.DataFrame) -> Figure:
    """Minutes per appointment model, before TR and in the CRC."""
    periods = {"pre-TR": "before TR", "CRC": "in the CRC"}
    frame = pd.DataFrame(
        {
            "model": [f"{n} ({periods.get(str(p), str(p))})" for n, p in
                      zip(appointment_models["name"], appointment_models["period"], strict=True)],
            "period": [periods.get(str(p), str(p)) for p in appointment_models["period"]],
            "minutes": [int(m) for m in appointment_models["minutes"]],
            "description": [str(d) for d in appointment_models["description"]],
        }
    )
    frame["label"] = [f"{m} minutes" for m in frame["minutes"]]
    order = list(frame["model"])
    base = alt.Chart(frame).encode(
        y=alt.Y("model:N", title="Appointment model", sort=order, axis=_band_axis(300)),
        x=alt.X("minutes:Q", title="Minutes per appointment", scale=alt.Scale(domain=[0, max(frame["minutes"])])),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "period:N", title="Period", scale=alt.Scale(domain=list(periods.values()), range=[PALETTE[0], PALETTE[1]])
        ),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("minutes:Q"), alt.Tooltip("description:N")],
    )
    labels = base.mark_text(align="right", dx=-6, color=PALETTE[4]).encode(text="label:N")
    chart = (bars + labels).properties(
        width=360, height=alt.Step(34), title="How long an appointment could be, before TR and in the CRC"
    )
    listing = "; ".join(f"{m}: {n} minutes" for m, n in zip(frame["model"], frame["minutes"], strict=True))
    alt_text = f"Horizontal bars of minutes per appointment model. {listing}."
    caption = "Appointment lengths the article describes, before TR and in the CRC."
    detail = (
        "The hour before TR is one officer's recollection of how long he saw each person. The plan, meet and "
        "record window is not contact time: planning and writing up had to fit into the same hour, so the meeting "
        "itself was shorter. The check-in length is a manager's description of the CRC's model."
    )
    return Figure(chart, alt_text, caption, inputs=("appointment_models",), detail=detail)


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
        y=alt.Y("code:N", title="Open code", sort=alt.EncodingSortField("order"), axis=_band_axis(280)),
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
    chart = (
        alt.layer(bars, labels, data=frame)
        .properties(width=260, height=alt.Step(20))
        .facet(
            row=alt.Row(
                "category:N",
                title=None,
                sort=categories,
                header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top", labelFontWeight="bold",
                                  labelLimit=520),
            )
        )
        .resolve_scale(y="independent")
        .properties(title=f"Codes of the theme {theme_name}")
    )
    listing = "; ".join(f"{c}: {n}" for c, n in zip(frame["code"], frame["codings"], strict=True))
    alt_text = (
        f"Bars of codings per open code in the theme {theme_name}, one panel per category "
        f"({len(categories)} in all). {listing}."
    )
    caption = "How often each code of the theme is applied to the printed excerpts, by category."
    detail = (
        "Each label gives the count; an excerpt printed under another theme can carry a code of this one. "
        "The codebook appendix lists the codes with their definitions and the excerpts each is applied to."
    )
    return Figure(chart, alt_text, caption, inputs=("codes", "coding"), detail=detail)


def codes_by_role(
    codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str | None = None
) -> Figure:
    """Codings per published speaker role and category, as a labelled heat map."""
    table = quantities.codes_by_role(codes, coding, excerpts, theme_id)
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
        y=alt.Y("category:N", title="Category of the codebook", sort=categories, axis=_band_axis(340)),
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


# --- the treadmill, the discussion and the codebook (chapters 05, 06, 08) ---------

# A y axis whose title sits above its (long) labels instead of beside them.
_TOP_TITLE_AXIS = alt.Axis(labelLimit=420, titleAngle=0, titleAlign="right", titleX=0, titleY=-12)


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
    y = alt.Y("row:N", sort=order, title="Date, and what the mark shows", axis=_TOP_TITLE_AXIS)
    # The row labels say what each mark is; colour only repeats it (no legend needed).
    colour = alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=[PALETTE[1], PALETTE[1], PALETTE[0]]), legend=None)
    x_title = "People under post-release supervision, England and Wales"
    base = alt.Chart(data).encode(y=y)
    x_start = alt.X("start:Q", title=x_title)
    bound = base.transform_filter(alt.datum.kind == kinds[0]).mark_bar(
        fillOpacity=0, strokeWidth=2, strokeDash=[6, 3], height=22
    ).encode(x=x_start, x2="end:Q", stroke=colour)
    derived_range = base.transform_filter(alt.datum.kind == kinds[1]).mark_rule(strokeWidth=3).encode(
        x=x_start, x2="end:Q", color=colour
    )
    derived_point = base.transform_filter(alt.datum.kind == kinds[1]).mark_point(
        filled=True, size=80, shape="diamond", opacity=1
    ).encode(x=alt.X("point:Q", title=x_title), color=colour)
    published = base.transform_filter(alt.datum.kind == kinds[2]).mark_bar(height=22).encode(
        x=x_start, x2="end:Q", color=colour
    )
    labels = base.mark_text(align="left", dx=6, fontSize=11, color=PALETTE[0]).encode(
        x=alt.X("end:Q", title=x_title), text="label:N"
    )
    chart = (
        alt.layer(bound, derived_range, derived_point, published, labels)
        .properties(
            width=380,
            height=170,
            title=alt.Title(
                "Post-release supervision caseload, England and Wales",
                subtitle=f"{start_day} and {end_day} (Webster 2022); the {start_day} count is only bounded",
            ),
        )
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
    return Figure(chart, alt_text, caption, inputs=("figures",), detail=detail)


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
    line = alt.Chart(line_data).mark_line(color=PALETTE[1], strokeWidth=2.5).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("growth_pct:Q", title="growth (per cent)", format=",.0f"),
            alt.Tooltip("caseload:Q", title="caseload", format=",.1f"),
            alt.Tooltip("minutes_per_person:Q", title="minutes per person", format=",.1f"),
        ],
    )
    appointment = pd.DataFrame(
        {
            "minutes_per_person": [scenario.appointment_minutes],
            "label": [f"one {scenario.appointment_minutes:g}-minute appointment a month"],
        }
    )
    rule = alt.Chart(appointment).mark_rule(color=PALETTE[0], strokeDash=[6, 3], strokeWidth=1.5).encode(y=y)
    rule_label = alt.Chart(appointment).mark_text(align="left", dy=-7, x=4, fontSize=11, color=PALETTE[0]).encode(
        y=y, text="label:N"
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
    point_label = alt.Chart(marked).mark_text(align="left", dx=8, dy=-10, fontSize=11, color=PALETTE[0]).encode(
        x=x, y=y, text="label:N"
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


def measures_vs_harms(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> Figure:
    """The Target Operating Model's measures set against the four themes, as the book reads them."""
    themes = codes[codes["level"] == 3].sort_values("code_id")
    measures = policy_measures.sort_values("measure_id")
    theme_labels = [str(t.name) for t in themes.itertuples()]
    measure_labels = [str(m.name) for m in measures.itertuples()]
    rows = []
    for t, t_label in zip(themes.itertuples(), theme_labels, strict=True):
        for m, m_label in zip(measures.itertuples(), measure_labels, strict=True):
            hit = m.addresses_theme == t.code_id
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
        y=alt.Y("theme:N", sort=theme_labels, title="Harm (findings theme)", axis=_TOP_TITLE_AXIS),
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
            "Policy measures set against the harms",
            subtitle="Which measure addresses which theme is the book's reading, not the article's statement",
        ),
    )
    pairs = "; ".join(
        f"{m.name} to {themes.loc[themes['code_id'] == m.addresses_theme, 'name'].iloc[0]}"
        for m in measures.itertuples()
    )
    unaddressed = [t.name for t in themes.itertuples() if t.code_id not in set(measures["addresses_theme"])]
    alt_text = (
        f"A grid of {len(measures)} measures by {len(themes)} themes. The book reads each measure as addressing one "
        f"theme: {pairs}. "
        + (f"No measure is read as addressing: {'; '.join(unaddressed)}." if unaddressed else "")
    )
    caption = "The measures the article discusses against the harms: the book's reading of the Discussion."
    detail = (
        "The mapping is the book's reading, not one the article states; the data appendix gives the phrase of the "
        "Discussion each reading rests on. A grey cell means the book does not read that measure as addressing "
        "that harm."
    )
    return Figure(chart, alt_text, caption, inputs=("policy_measures", "codes"), detail=detail)


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
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("category:N", sort=order, title="Category (theme in brackets)", axis=_TOP_TITLE_AXIS),
        x=alt.X("count:Q", title="Count", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color(
            "theme:N",
            scale=alt.Scale(domain=theme_order, range=PALETTE[: len(theme_order)]),
            legend=alt.Legend(title="Theme", orient="bottom", columns=1, labelLimit=420),
        ),
        stroke=alt.value(PALETTE[0]),
        strokeWidth=alt.value(0.5),
    )
    labels = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11, color=PALETTE[0]).encode(
        y=alt.Y("category:N", sort=order, title="Category (theme in brackets)"),
        x=alt.X("count:Q", title="Count"),
        text="count:Q",
    )
    chart = (
        alt.layer(bars, labels, data=data)
        .properties(width=220, height=200)
        .facet(column=alt.Column("measure:N", title=None, sort=["open codes in the category",
                                                               "times applied to excerpts"]))
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


# --- Chapter 06, "After the article": tables added in release 1.1.0 ------------------

# Each source series of community_sentences gets a mark shape and a palette blue: dark enough on
# white (3:1 or more) and told apart in greyscale by shape and by the direct labels.
_SERIES_SHAPES = ("circle", "square", "triangle-up", "diamond")
_SERIES_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[0], PALETTE[1])
_STANCE_LABELS = {
    "agrees": "Agrees with the article",
    "extends": "Accepts it and adds to it",
    "critical": "Disputes it",
    "other": "Not about the article",
}


def community_sentences(community: pd.DataFrame) -> Figure:
    """Community sentences per year from every source; the years in which the sources disagree marked."""
    series = list(dict.fromkeys(community.sort_values(["year", "series"])["series"]))
    labels = {s: quantities.series_publisher(community, s) for s in series}
    disputed = quantities.community_disagreements(community)
    disputed_years = sorted({int(y) for y in disputed["year"]})
    rows = []
    for s in series:
        own = community[community["series"] == s].sort_values("year")
        segment, previous = 0, None
        for r in own.itertuples():
            year = int(r.year)
            if previous is not None and year != previous + 1:
                segment += 1  # a gap in the years: the line stops, nothing is drawn across it
            previous = year
            rows.append({
                "year": year,
                "count": int(r.count),
                "source": labels[s],
                "segment": f"{s}-{segment}",
                "counting_basis": str(r.counting_basis),
                "disputed": year in disputed_years,
            })
    frame = pd.DataFrame(rows)
    # Each disputed point is labelled, to its right, with its value and source: the highest a little above
    # its point, the others level with theirs (the space right of a disputed year is above the later years).
    frame["label"] = ""
    frame["place"] = ""
    for year in disputed_years:
        here = frame[frame["year"] == year].sort_values("count", ascending=False)
        for rank, index in enumerate(here.index):
            frame.loc[index, "label"] = f"{frame.loc[index, 'count']:,} — {frame.loc[index, 'source']}"
            frame.loc[index, "place"] = "above" if rank == 0 else "level"
    domain = [labels[s] for s in series]
    colour = alt.Color("source:N", title="Source",
                       scale=alt.Scale(domain=domain, range=list(_SERIES_COLOURS[: len(series)])),
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=420))
    shape = alt.Shape("source:N", title="Source",
                      scale=alt.Scale(domain=domain, range=list(_SERIES_SHAPES[: len(series)])))
    years = [int(frame["year"].min()) - 1, int(frame["year"].max()) + 1]
    x = alt.X("year:Q", title="Year", scale=alt.Scale(domain=years, nice=False),
              axis=alt.Axis(format="d", tickMinStep=1, labelOverlap=True))
    y = alt.Y("count:Q", title="Community sentences handed down", scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(format=",.0f"))
    tooltip = [alt.Tooltip("source:N", title="Source"), alt.Tooltip("year:Q", format="d", title="Year"),
               alt.Tooltip("count:Q", format=",", title="Community sentences"),
               alt.Tooltip("counting_basis:N", title="Counting basis")]
    base = alt.Chart(frame)
    lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, detail="segment:N")
    points = base.mark_point(filled=True, size=90, opacity=1, stroke=PALETTE[0], strokeWidth=1).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    above = base.transform_filter("datum.place === 'above'").mark_text(
        align="left", baseline="bottom", dx=10, dy=-4, fontSize=11, color=PALETTE[0]).encode(x=x, y=y, text="label:N")
    level = base.transform_filter("datum.place === 'level'").mark_text(
        align="left", baseline="middle", dx=10, fontSize=11, color=PALETTE[0]).encode(x=x, y=y, text="label:N")
    layers = [lines, points, above, level]
    if disputed_years:
        marks = pd.DataFrame({"year": disputed_years,
                              "note": [f"{y}: the sources disagree" for y in disputed_years]})
        rule = alt.Chart(marks).mark_rule(color=MISSING_COLOUR, strokeDash=[4, 3], strokeWidth=1.5).encode(x=x)
        note = alt.Chart(marks).mark_text(align="left", dx=4, dy=-6, baseline="bottom", fontStyle="italic",
                                          color=PALETTE[0]).encode(x=x, y=alt.value(320), text="note:N")
        layers = [rule, note, *layers]
    chart = alt.layer(*layers).properties(
        width=460, height=320,
        title=alt.Title(
            f"Community sentences handed down each year, as {quantities.in_words(len(series))} sources count them",
            subtitle="Each series as its source gives it; "
            + (f"in {', '.join(map(str, disputed_years))} they disagree" if disputed_years else "they do not disagree"),
        ),
    )
    listing = "; ".join(
        f"{labels[s]}: " + ", ".join(f"{int(r.year)} {int(r.count):,}" for r in
                                     community[community["series"] == s].sort_values("year").itertuples())
        for s in series
    )
    overlap = quantities.community_overlap_phrase(community)
    alt_text = (f"Line and point chart of community sentences per year from {quantities.in_words(len(series))} "
                f"sources. {listing}. Where the sources cover the same year: {overlap}.")
    caption = "Community sentences per year, as each of two sources gives them."
    detail = (
        "Each source's figures are shown as it gives them, with its own mark shape. A line joins only figures "
        "of consecutive years from the same source; a source with gaps between its years has separate points, "
        "not joined to each other or to the other source, because the release has nothing for the years between. "
        f"Where both sources give a figure: {overlap}. Both values are drawn and labelled, and the book prefers "
        "neither, averages nothing and corrects nothing. The notes kept with these external figures suggest a "
        "different counting basis as the likely reason; the sources do not confirm it. Counting basis, as each "
        f"source gives it: {quantities.community_bases_phrase(community)}. The vertical axis does not start at zero."
    )
    return Figure(chart, alt_text, caption, inputs=("community_sentences",), detail=detail)


def reception_stances(comments: pd.DataFrame) -> Figure:
    """Reader comments per stance towards the article (the book's coding), replies counted in."""
    table = quantities.stance_counts(comments)
    frame = pd.DataFrame({
        "stance": [_STANCE_LABELS.get(s, s) for s in table["stance"]],
        "comments": [int(n) for n in table["comments"]],
        "label": [
            f"{n} ({r} of them {'a reply' if r == 1 else 'replies'})" if r else str(n)
            for n, r in zip(table["comments"], table["replies"], strict=True)
        ],
    })
    order = list(frame["stance"])
    base = alt.Chart(frame).encode(
        y=alt.Y("stance:N", title="Stance towards the article (the book's coding)", sort=order, axis=_band_axis(220)),
        x=alt.X("comments:Q", title="Reader comments", axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(domain=[0, max(1, int(frame["comments"].max())) + 1])),
    )
    bars = base.mark_bar(color=PALETTE[1]).encode(tooltip=["stance:N", "comments:Q"])
    labels = base.mark_text(align="left", dx=4, color=PALETTE[0]).encode(text="label:N")
    chart = (bars + labels).properties(
        width=320, height=alt.Step(30),
        title="How readers of the On Probation copy of the article responded",
    )
    listing = "; ".join(f"{s}: {n}" for s, n in zip(frame["stance"], frame["comments"], strict=True))
    alt_text = (f"Horizontal bar chart of the {quantities.in_words(len(comments))} reader comments by stance towards "
                f"the article, as the book codes them. {listing}.")
    caption = "Reader comments on the reproduced article, by the stance the book reads in each."
    detail = (
        "The stance of each comment is the book's coding of what it says, not a label the commenters chose. "
        "Replies to other comments are counted under the stance of their own text (the brackets say how many "
        "are replies). The comments are anonymous as posted: nothing is known about who wrote them, and a few "
        "comments on one blog are not a sample of practitioners."
    )
    return Figure(chart, alt_text, caption, inputs=("reception_comments",), detail=detail)
