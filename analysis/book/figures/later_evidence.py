"""The evidence after the article (release 1.1.0 on): community sentences, reception of the findings."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.book import quantities
from analysis.book.charts import MISSING_COLOUR, PALETTE, Figure, band_axis, bar_listing
from analysis.book.figures.registry import figure

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


@figure("community_sentences")
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
            rows.append(
                {
                    "year": year,
                    "count": int(r.count),
                    "source": labels[s],
                    "segment": f"{s}-{segment}",
                    "counting_basis": str(r.counting_basis),
                    "disputed": year in disputed_years,
                }
            )
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
    colour = alt.Color(
        "source:N",
        title="Source",
        scale=alt.Scale(domain=domain, range=list(_SERIES_COLOURS[: len(series)])),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=420),
    )
    shape = alt.Shape(
        "source:N", title="Source", scale=alt.Scale(domain=domain, range=list(_SERIES_SHAPES[: len(series)]))
    )
    years = [int(frame["year"].min()) - 1, int(frame["year"].max()) + 1]
    x = alt.X(
        "year:Q",
        title="Year",
        scale=alt.Scale(domain=years, nice=False),
        axis=alt.Axis(format="d", tickMinStep=1, labelOverlap=True),
    )
    y = alt.Y(
        "count:Q",
        title="Community sentences handed down",
        scale=alt.Scale(zero=False, nice=True),
        axis=alt.Axis(format=",.0f"),
    )
    tooltip = [
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("year:Q", format="d", title="Year"),
        alt.Tooltip("count:Q", format=",", title="Community sentences"),
        alt.Tooltip("counting_basis:N", title="Counting basis"),
    ]
    base = alt.Chart(frame)
    lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, detail="segment:N")
    points = base.mark_point(filled=True, size=90, opacity=1, stroke=PALETTE[0], strokeWidth=1).encode(
        x=x, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    above = (
        base.transform_filter("datum.place === 'above'")
        .mark_text(align="left", baseline="bottom", dx=10, dy=-4, fontSize=11, color=PALETTE[0])
        .encode(x=x, y=y, text="label:N")
    )
    level = (
        base.transform_filter("datum.place === 'level'")
        .mark_text(align="left", baseline="middle", dx=10, fontSize=11, color=PALETTE[0])
        .encode(x=x, y=y, text="label:N")
    )
    layers = [lines, points, above, level]
    if disputed_years:
        marks = pd.DataFrame({"year": disputed_years, "note": [f"{y}: the sources disagree" for y in disputed_years]})
        rule = alt.Chart(marks).mark_rule(color=MISSING_COLOUR, strokeDash=[4, 3], strokeWidth=1.5).encode(x=x)
        note = (
            alt.Chart(marks)
            .mark_text(align="left", dx=4, dy=-6, baseline="bottom", fontStyle="italic", color=PALETTE[0])
            .encode(x=x, y=alt.value(320), text="note:N")
        )
        layers = [rule, note, *layers]
    chart = alt.layer(*layers).properties(
        width=460,
        height=320,
        title=alt.Title(
            f"Community sentences handed down each year, as {quantities.in_words(len(series))} sources count them",
            subtitle="Each series as its source gives it; "
            + (f"in {', '.join(map(str, disputed_years))} they disagree" if disputed_years else "they do not disagree"),
        ),
    )
    listing = "; ".join(
        f"{labels[s]}: "
        + ", ".join(
            f"{int(r.year)} {int(r.count):,}"
            for r in community[community["series"] == s].sort_values("year").itertuples()
        )
        for s in series
    )
    overlap = quantities.community_overlap_phrase(community)
    alt_text = (
        f"Line and point chart of community sentences per year from {quantities.in_words(len(series))} "
        f"sources. {listing}. Where the sources cover the same year: {overlap}."
    )
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
    drawn = {"community_sentences": tuple(series)}
    return Figure(chart, alt_text, caption, inputs=("community_sentences",), detail=detail, rows=drawn)


@figure("reception_comments")
def reception_stances(comments: pd.DataFrame) -> Figure:
    """Reader comments per stance towards the article (the book's coding), replies counted in."""
    table = quantities.stance_counts(comments)
    frame = pd.DataFrame(
        {
            "stance": [_STANCE_LABELS.get(s, s) for s in table["stance"]],
            "comments": [int(n) for n in table["comments"]],
            "label": [
                f"{n} ({r} of them {'a reply' if r == 1 else 'replies'})" if r else str(n)
                for n, r in zip(table["comments"], table["replies"], strict=True)
            ],
        }
    )
    order = list(frame["stance"])
    base = alt.Chart(frame).encode(
        y=alt.Y("stance:N", title="Stance towards the article (the book's coding)", sort=order, axis=band_axis(220)),
        x=alt.X(
            "comments:Q",
            title="Reader comments",
            axis=alt.Axis(tickMinStep=1),
            scale=alt.Scale(domain=[0, max(1, int(frame["comments"].max())) + 1]),
        ),
    )
    bars = base.mark_bar(color=PALETTE[1]).encode(tooltip=["stance:N", "comments:Q"])
    labels = base.mark_text(align="left", dx=4, color=PALETTE[0]).encode(text="label:N")
    chart = (bars + labels).properties(
        width=320,
        height=alt.Step(30),
        title="How readers of the On Probation copy of the article responded",
    )
    alt_text = (
        f"Horizontal bar chart of the {quantities.in_words(len(comments))} reader comments by stance towards "
        f"the article, as the book codes them. {bar_listing(frame['stance'], frame['comments'])}."
    )
    caption = "Reader comments under the blog post that quoted the article, by the stance the book reads in each."
    detail = (
        "The stance of each comment is the book's coding of what it says, not a label the commenters chose. "
        "Replies to other comments are counted under the stance of their own text (the brackets say how many "
        "are replies). The comments are anonymous as posted: nothing is known about who wrote them, and a few "
        "comments on one blog are not a sample of practitioners."
    )
    drawn = {"reception_comments": tuple(comments["comment_id"].astype(str))}
    return Figure(chart, alt_text, caption, inputs=("reception_comments",), detail=detail, rows=drawn)
