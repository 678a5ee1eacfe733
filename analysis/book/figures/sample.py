"""The national context and the interview sample (chapters 00-01): who was interviewed, who is quoted."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import quantities
from analysis.book.charts import PALETTE, Figure, band_axis, bar_panels
from analysis.book.figures.registry import figure

# Short axis labels for national figures (the table's labels are sentences).
# Each says what the number counts: a standing caseload, or people added by the Act.
_NATIONAL_LABELS = {
    "crc_cases": "Caseload: CRCs' low/medium-risk people",
    "ora_additional": "Added: people the ORA 2014 put on CRC caseloads",
    "ora_support_extended_title": "Added: prisoners given support, in the MoJ (2014b) title",
}
# What the bars count, for the caption: the figures are of two kinds, and the article relates none of them.
_NATIONAL_CAPTION = (
    "Each bar is one number the article states about England and Wales, labelled as worded. They count "
    "different things: the first is a standing caseload (the people the CRCs were made responsible for, an "
    "estimate); the other two are people added by the ORA 2014, one as the article words it (to the caseloads "
    "of CRC practitioners) and one as the title of the Ministry of Justice press release words it (prisoners to "
    "whom support is extended). The article does not relate the two additions to each other, and the book "
    "does not either."
)
_SAMPLE_DIMENSIONS = {"role": "Role", "gender": "Gender", "experience": "Joined probation"}


def _qualifier_legend(qualifiers: list[str]) -> alt.Scale:
    """Greyscale-safe colours for the qualifiers present: darkest for exact figures, then in order of the rows.

    The qualifiers themselves are the schema's (``figures.qualifier``'s enum); none is listed here.
    """
    present = sorted(dict.fromkeys(qualifiers), key=lambda q: q != "exact")
    return alt.Scale(domain=present, range=PALETTE[: len(present)])


@figure("figures")
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
    y = alt.Y("figure:N", title="Figure", sort=order, axis=band_axis(320))
    x = alt.X(
        "people:Q",
        title="People (as stated; the bars count different things)",
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
        width=360, title="National scale of the reform: a caseload and two additions, as the article gives them"
    )
    stated = "; ".join(f"{r.figure}: {r.as_stated}" for r in frame.itertuples())
    alt_text = (
        f"Horizontal bar chart of {len(frame)} national figures, each labelled as worded in the source. {stated}."
    )
    return Figure(chart, alt_text, _NATIONAL_CAPTION, inputs=("figures",), rows={"figures": tuple(figure_ids)})


@figure("sample")
def sample_composition(sample: pd.DataFrame) -> Figure:
    """Interviewees by role, by gender and by when they joined: three separate counts."""
    total = quantities.sample_count(sample, "interviews", "this paper")
    frame = sample[sample["dimension"].isin(list(_SAMPLE_DIMENSIONS))].copy()
    frame_dimensions = list(frame["dimension"])  # the rows drawn, for "About this figure"
    frame = pd.DataFrame(
        {
            "panel": [_SAMPLE_DIMENSIONS[str(d)] for d in frame["dimension"]],
            "category": [str(c)[:1].upper() + str(c)[1:] for c in frame["category"]],
            "participants": [int(n) for n in frame["count"]],
            "order": list(range(len(frame))),
        }
    )
    base = alt.Chart().encode(
        y=alt.Y("category:N", title="Category", sort=alt.EncodingSortField("order"), axis=band_axis(220)),
        x=alt.X(
            "participants:Q",
            title="Participants",
            scale=alt.Scale(domain=[0, total]),
            axis=alt.Axis(tickMinStep=1),
        ),
    )
    bars = base.mark_bar(color=PALETTE[1])
    labels = base.mark_text(align="left", dx=4, color=PALETTE[0]).encode(text="participants:Q")
    chart = bar_panels(
        (bars, labels),
        frame,
        "panel",
        list(_SAMPLE_DIMENSIONS.values()),
        width=300,
        step=22,
        title=f"The {total} interviews at the CRC office, counted three separate ways",
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
    drawn = {"sample": tuple(dict.fromkeys(["interviews", *(str(d) for d in frame_dimensions)]))}
    return Figure(chart, alt_text, caption, inputs=("sample",), detail=detail, rows=drawn)


@figure("sample", "excerpts")
def quoted_vs_interviewed(sample: pd.DataFrame, excerpts: pd.DataFrame) -> Figure:
    """Per role group: participants interviewed against excerpts the article prints."""
    table = quantities.quoted_vs_interviewed_counts(sample, excerpts)
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
        y=alt.Y("group:N", title="Role group in the sample", sort=order, axis=band_axis(260)),
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
