"""The evidence after the article (release 1.1.0 on): community sentences, recruitment, workload, surveys, comments."""

from __future__ import annotations

import re

import pandas as pd

from analysis.book.quantities.reported import figure_value, period_phrase, row_by_id
from analysis.book.quantities.words import _plain_number, in_words, number_text
from analysis.words import day_text

# Each function reads one or two of the later tables (community_sentences, recruitment,
# workload_surveys, kirton_survey, reception_comments). Chapters call them through
# ``ctx.glue_from`` / ``ctx.show_table_from``, which print a note instead on releases
# that lack the tables.

# The stances of ``reception_comments`` (the book's coding, see data/1.1.0/README.md), in the
# order the README defines them, with how each reads in a sentence (one comment, several).
STANCE_WORDS = {
    "agrees": ("agrees with it", "agree with it"),
    "extends": ("accepts its account and adds to it", "accept its account and add to it"),
    "critical": ("disputes it", "dispute it"),
    "other": ("is not about the article", "are not about the article"),
}


def publisher_words(publisher: str) -> str:
    """A publisher as prose outside brackets: "The Times (via On Probation)" -> "The Times, via On Probation"."""
    match = re.fullmatch(r"(.+?) \((.+)\)", str(publisher).strip())
    return f"{match.group(1)}, {match.group(2)}" if match else str(publisher).strip()


def _lower_first(text: str) -> str:
    text = str(text).strip()
    return text[:1].lower() + text[1:]


def _series(community: pd.DataFrame, series: str) -> pd.DataFrame:
    rows = community[community["series"] == series].sort_values("year")
    if rows.empty:
        raise KeyError(f"community_sentences has no series {series!r}")
    return rows


def series_publisher(community: pd.DataFrame, series: str) -> str:
    """Who published one series of community_sentences, as prose."""
    publishers = set(_series(community, series)["publisher"])
    if len(publishers) != 1:
        raise ValueError(f"series {series!r} has {len(publishers)} publishers")
    return publisher_words(publishers.pop())


def community_series_span(community: pd.DataFrame, series: str) -> str:
    """First and last figure of one series with its publisher and date, e.g.
    "190,172 in 2008 to 102,938 in 2016 (nine figures; Ministry of Justice, …, dated 23 January 2018)"."""
    rows = _series(community, series)
    first, last = rows.iloc[0], rows.iloc[-1]
    published = sorted({day_text(d) for d in rows["published"]})
    count = f"{in_words(len(rows))} figure{'s' if len(rows) != 1 else ''}"
    return (
        f"{int(first['count']):,} in {int(first['year'])} to {int(last['count']):,} in {int(last['year'])} "
        f"({count}; {series_publisher(community, series)}, dated {' and '.join(published)})"
    )


def community_fall_pct(community: pd.DataFrame, series: str) -> float:
    """How far one series fell from its first to its last year, in percent of the first."""
    rows = _series(community, series)
    start, end = float(rows.iloc[0]["count"]), float(rows.iloc[-1]["count"])
    return 100 * (start - end) / start


def community_disagreements(community: pd.DataFrame) -> pd.DataFrame:
    """Rows of the years in which the series give different counts (every series of such a year)."""
    spread = community.groupby("year")["count"].nunique()
    years = set(spread[spread > 1].index)
    rows = community[community["year"].isin(years)].sort_values(["year", "series"])
    return rows.reset_index(drop=True)


def community_overlap_phrase(community: pd.DataFrame) -> str:
    """Each year that several series cover, with every source's value; the difference where they disagree."""
    covered = community.groupby("year")["series"].nunique()
    years = sorted(covered[covered > 1].index)
    if not years:
        return "none: no year is covered by more than one source"
    parts = []
    for year in years:
        rows = community[community["year"] == year].sort_values("series")
        values = [int(v) for v in rows["count"]]
        listed = " against ".join(
            f"{v:,} ({publisher_words(p)})" for v, p in zip(values, rows["publisher"], strict=True)
        )
        gap = max(values) - min(values)
        verdict = f"a difference of {gap:,}" if gap else "the sources agree"
        parts.append(f"{int(year)}: {listed}, {verdict}")
    return "; ".join(parts)


def community_bases_phrase(community: pd.DataFrame) -> str:
    """The counting basis each source states (or says it does not state), as prose."""
    rows = community.drop_duplicates("series").sort_values("series")
    return "; ".join(
        f"{publisher_words(p)}: {_lower_first(b)}"
        for p, b in zip(rows["publisher"], rows["counting_basis"], strict=True)
    )


def community_table(community: pd.DataFrame) -> pd.DataFrame:
    """Community sentences per year, one column per source (blank where a source gives no figure)."""
    labels = {s: series_publisher(community, s) for s in community["series"].unique()}
    table = community.pivot(index="year", columns="series", values="count").sort_index()
    out = pd.DataFrame({"year": [str(int(y)) for y in table.index]})
    for series, label in labels.items():
        out[label] = ["" if pd.isna(v) else f"{int(v):,}" for v in table[series]]
    return out


def recruitment_table(recruitment: pd.DataFrame) -> pd.DataFrame:
    """Trainee intake and targets per financial year, as each source words them."""
    rows = recruitment.sort_values(["period", "kind"])
    return pd.DataFrame(
        {
            "financial year": [str(p) for p in rows["period"]],
            "actual or target": [str(k) for k in rows["kind"]],
            "number": [f"{int(c):,}" for c in rows["count"]],
            "what is counted": [str(d) for d in rows["description"]],
            "source": [
                f"{publisher_words(p)}, {day_text(d)}"
                for p, d in zip(rows["publisher"], rows["published"], strict=True)
            ],
        }
    )


def recruitment_phrase(recruitment: pd.DataFrame, kind: str) -> str:
    """The ``kind`` rows ("actual" or "target") as prose, each with what it counts."""
    rows = recruitment[recruitment["kind"] == kind].sort_values("period")
    if rows.empty:
        raise KeyError(f"recruitment has no {kind!r} rows")
    word = "in" if kind == "actual" else "for"
    return "; ".join(
        f"{int(c):,} {word} {p} — {_lower_first(d)}"
        for c, p, d in zip(rows["count"], rows["period"], rows["description"], strict=True)
    )


def recruitment_above(recruitment: pd.DataFrame, figures: pd.DataFrame, figure_id: str) -> str:
    """Which recorded years' actual intake is larger than a planned number (a figure), as prose."""
    plan = figure_value(figures, figure_id)
    rows = recruitment[recruitment["kind"] == "actual"].sort_values("period")
    above = [str(p) for p, c in zip(rows["period"], rows["count"], strict=True) if int(c) > plan]
    listed = f"({' and '.join(above)})"
    if not above:
        return f"none of the {in_words(len(rows))} recorded years"
    if len(above) == len(rows):
        every = "both" if len(rows) == 2 else f"all {in_words(len(rows))}"
        return f"{every} recorded years {listed}"
    return f"{in_words(len(above))} of the {in_words(len(rows))} recorded years {listed}"


def _stated_value(value, unit: str, qualifier: str) -> str:
    """A number with its unit and the source's qualifier, e.g. "almost 2,000", "46%", "more than 50 cases"."""
    number = number_text(value) + ("%" if unit == "percent" else "")
    if unit not in ("percent", "people"):
        number += f" {unit}"
    return number if qualifier == "exact" else f"{qualifier} {number}"


def workload_finding(workload: pd.DataFrame, figure_id: str, base_id: str | None = None) -> str:
    """One inspectorate figure as prose, of its base where given, e.g.
    "46% of almost 2,000 probation practitioners interviewed".

    No citation is typed here: the chapter cites the row's ``reference_key`` with the citation role, so
    the year label (2021a, 2021b) is the bibliography's, the same on every page."""
    row = row_by_id(workload, figure_id, "workload_surveys")
    text = _stated_value(row["value"], str(row["unit"]), str(row["qualifier"]))
    if base_id is not None:
        base = row_by_id(workload, base_id, "workload_surveys")
        if base["survey"] != row["survey"]:
            raise ValueError(f"{base_id} is from another survey than {figure_id}")
        text += (
            f" of {_stated_value(base['value'], str(base['unit']), str(base['qualifier']))} "
            f"{_lower_first(base['measure'])}"
        )
    return text


def kirton_phrase(kirton: pd.DataFrame, figure_id: str) -> str:
    """A Kirton and Guillaume figure with whom it is about, e.g. "87% of survey respondents placed in the NPS"."""
    row = row_by_id(kirton, figure_id, "kirton_survey")
    text = _stated_value(row["value"], str(row["unit"]), str(row["qualifier"]))
    return f"{text} of {row['group']}" if str(row["unit"]) == "percent" else text


def kirton_gap_points(kirton: pd.DataFrame, first_id: str, second_id: str) -> int | float:
    """The difference between two percentages of the survey, in percentage points."""
    rows = [row_by_id(kirton, i, "kirton_survey") for i in (first_id, second_id)]
    if any(str(r["unit"]) != "percent" or str(r["qualifier"]) != "exact" for r in rows):
        raise ValueError("percentage points need two exact percentages")
    return _plain_number(float(rows[0]["value"]) - float(rows[1]["value"]))


def kirton_period(kirton: pd.DataFrame, figure_id: str) -> str:
    """The period of a survey row's ``as_of`` as prose ("January to June 2015")."""
    as_of = row_by_id(kirton, figure_id, "kirton_survey")["as_of"]
    if pd.isna(as_of):
        raise ValueError(f"kirton_survey {figure_id!r} has no as_of period")
    return period_phrase(str(as_of))


def stance_counts(comments: pd.DataFrame) -> pd.DataFrame:
    """Comments per stance (the book's coding), in ``STANCE_WORDS`` order, with how many are replies."""
    unknown = set(comments["stance"]) - set(STANCE_WORDS)
    if unknown:
        raise KeyError(f"no wording for stance(s) {sorted(unknown)}")
    replies = comments["reply_to"].notna()
    return pd.DataFrame(
        {
            "stance": list(STANCE_WORDS),
            "comments": [int((comments["stance"] == s).sum()) for s in STANCE_WORDS],
            "replies": [int(((comments["stance"] == s) & replies).sum()) for s in STANCE_WORDS],
        }
    )


def stance_phrase(comments: pd.DataFrame) -> str:
    """How many comments take each stance towards the article, in words: "one agrees with it, four …"."""
    table = stance_counts(comments)
    parts = [
        f"{in_words(n)} {STANCE_WORDS[s][0 if n == 1 else 1]}"
        for s, n in zip(table["stance"], table["comments"], strict=True)
        if n
    ]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def reception_counts(comments: pd.DataFrame) -> str:
    """The date of the post and its comments: "posted on 3 July 2022; eight comments (six comments and two replies)"."""
    dates = sorted({day_text(d) for d in comments["post_date"]})
    replies = int(comments["reply_to"].notna().sum())
    return (
        f"posted on {' and '.join(dates)}; {in_words(len(comments))} comments in all "
        f"({in_words(len(comments) - replies)} on the post and {in_words(replies)} replies to other comments)"
    )


def context_sources(*tables: pd.DataFrame) -> pd.DataFrame:
    """Every distinct public citation of the given tables (their ``citation`` column), in order of first use."""
    citations = []
    for table in tables:
        for citation in table["citation"]:
            if not pd.isna(citation) and str(citation) not in citations:
                citations.append(str(citation))
    return pd.DataFrame({"source as the release cites it": citations})
