"""Figures and numbers of chapters 05-08 (treadmill, discussion, codebook), from the real release.

What the charts and tables show is checked against the tables independently of the code that
made them; the house rules every figure keeps are tested once, over the registry, in test_figures.py.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from support.specs import records, walk

from analysis.book import figures, quantities, whatif
from analysis.book.charts import Figure
from analysis.book.figures import FIGURES
from analysis.book.quantities.words import number_text
from analysis.data.release import load_release


@pytest.fixture(scope="module")
def release():
    return load_release()


def build(release, name: str) -> Figure:
    """A registered figure (see test_figures.py for the house rules every one of them keeps)."""
    return FIGURES[name].build(release.table)


# --- what each figure shows --------------------------------------------------------


def test_postrelease_shows_2015_only_as_a_bound_and_derives_the_rest(release):
    table = release.table("figures").set_index("figure_id")
    end = float(table.loc["postrelease_caseload_2020", "value"])
    bound = float(table.loc["postrelease_caseload_2015", "value"])
    rise = float(table.loc["postrelease_rise_pct", "value"])
    figure = build(release, "postrelease_caseload")
    rows = records(figure.spec())
    by_kind = {r["kind"]: r for r in rows}
    published = [r for r in rows if r["kind"] == "published count"]
    assert len(published) == 1 and published[0]["end"] == end
    bounds = [r for r in rows if r["kind"].startswith("published bound")]
    assert len(bounds) == 1 and bounds[0]["end"] == bound and bounds[0]["point"] is None
    assert "just under" in bounds[0]["label"]
    derived = by_kind["derived by the book"]
    assert derived["point"] == pytest.approx(end / (1 + rise / 100))
    assert derived["start"] == pytest.approx(end / (1 + (rise + 0.5) / 100))
    assert derived["end"] == pytest.approx(end / (1 + (rise - 0.5) / 100))
    assert "derived" in derived["label"] and "derived" in figure.detail
    assert f"{end:,.0f}" in figure.alt_text and f"{bound:,.0f}" in figure.alt_text


def test_whatif_figure_marks_the_scenario_and_says_it_is_an_illustration(release):
    figure = build(release, "whatif_minutes")
    rows = records(figure.spec())
    marked = [r for r in rows if str(r.get("label", "")).startswith("chosen")]
    assert len(marked) == 1
    inputs = whatif.resolve(release.table("figures"), release.table("appointment_models"))
    assert marked[0]["growth_pct"] == inputs.scenario.caseload_growth_pct
    assert "Illustration" in figure.caption and "assumption" in figure.detail


def test_measures_grid_marks_exactly_the_published_mapping(release):
    measures, codes = release.table("policy_measures"), release.table("codes")
    figure = build(release, "measures_vs_harms")
    rows = records(figure.spec())
    themes = codes[codes["level"] == 3]
    assert len(rows) == len(measures) * len(themes)
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    marked = {(r["measure"], r["theme"]) for r in rows if r["reading"] == "read as addressing"}
    assert marked == {(m, names[t]) for m, t in zip(measures["name"], measures["addresses_theme"], strict=True)}
    assert "book's reading" in figure.caption and "book's reading" in figure.detail


def test_codebook_overview_counts_match_the_tables(release):
    codes, coding = release.table("codes"), release.table("coding")
    rows = records(build(release, "codebook_overview").spec())
    parent = dict(zip(codes["code_id"], codes["parent_id"], strict=True))
    for category in codes.loc[codes["level"] == 2, "code_id"]:
        mine = [r for r in rows if r["category"].startswith(f"{category} ")]
        counts = {r["measure"]: r["count"] for r in mine}
        expected_codes = int((codes["parent_id"] == category).sum())
        expected_uses = sum(1 for c in coding["code_id"] if parent[c] == category)
        assert counts == {"open codes in the category": expected_codes, "times applied to excerpts": expected_uses}
        assert all(f"({parent[category]})" in r["category"] for r in mine), "the theme is in the label, not only colour"


# --- numbers for chapters 06-08 ----------------------------------------------------


def test_measures_table_keeps_the_books_reading_visible(release):
    measures, codes = release.table("policy_measures"), release.table("codes")
    table = quantities.measures_table(measures, codes)
    assert len(table) == len(measures)
    assert any("book's reading" in str(c) for c in table.columns)  # the reading is labelled as the book's
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    themes = measures.sort_values("measure_id")["addresses_theme"]
    for row, theme in zip(table.itertuples(index=False), themes, strict=True):
        assert row[2] == names[theme]
    # Readers see names; the identifiers stay in the appendices.
    ids = set(measures["measure_id"]) | set(codes["code_id"])
    assert not any(i in str(cell).split() for i in ids for cell in table.to_numpy().ravel())


def test_theme_code_table_names_codes_and_speakers_without_ids(release):
    codes, coding, excerpts = release.table("codes"), release.table("coding"), release.table("excerpts")
    table = quantities.theme_code_table(codes, coding, excerpts, "T4")
    counts = quantities.theme_code_counts(codes, coding, "T4")
    assert list(table["times applied"]) == list(counts["codings"])
    roles = set(excerpts["speaker_role"])
    for cell in table["in excerpts from"]:
        for part in cell.split("; "):
            assert part.split(" (")[0] in roles
    assert not table.astype(str).apply(lambda col: col.str.contains(r"\b[EOKT]\d+\b")).any().any()


def test_themes_without_measure(release):
    codes, measures = release.table("codes"), release.table("policy_measures")
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    themes = set(codes.loc[codes["level"] == 3, "code_id"])
    expected = sorted(themes - set(measures["addresses_theme"]))
    assert quantities.themes_without_measure(measures, codes) == [names[t] for t in expected]
    everything = pd.concat([measures, measures.head(1).assign(measure_id="M9", addresses_theme=expected[0])])
    assert names[expected[0]] not in quantities.themes_without_measure(everything, codes)


def test_level_counts_add_up(release):
    codes = release.table("codes")
    assert sum(quantities.level_count(codes, level) for level in (1, 2, 3)) == len(codes)


def test_literature_labels():
    bib = """@book{solo2001,
  author = {Solo, A.},
  year   = {2001}
}

@article{pair2002,
  author = {One, A. and Two, B.},
  title  = {Nested {B}races},
  year   = {2002}
}

@techreport{corp2003,
  author = {{Department of Things and Stuff}},
  year   = {2003}
}

@article{many2004,
  author = {Alpha, A. and Beta, B. and Gamma, C.},
  year   = {2004}
}
"""
    assert quantities.literature_labels(bib) == {
        "solo2001": "Solo (2001)",
        "pair2002": "One and Two (2002)",
        "corp2003": "Department of Things and Stuff (2003)",
        "many2004": "Alpha et al. (2004)",
    }


def test_every_reference_gets_a_label(release):
    bib = release.text("references")
    labels = quantities.literature_labels(bib)
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.MULTILINE)
    assert set(labels) == set(keys)
    assert all(re.search(r"\(\d{4}\)$", label) for label in labels.values())


def test_codebook_table_lists_each_category_then_its_codes(release):
    codes, bib = release.table("codes"), release.text("references")
    table = quantities.codebook_table(codes, "T1", bib)
    categories = codes[(codes["level"] == 2) & (codes["parent_id"] == "T1")]
    children = codes[codes["parent_id"].isin(categories["code_id"])]
    assert len(table) == len(categories) + len(children)
    current = None
    for row in table.itertuples(index=False):
        if row.level == "category":
            current = row.code
        else:
            assert codes.set_index("code_id").loc[row.code, "parent_id"] == current
    with_key = codes.set_index("code_id")["literature_key"]
    for row in table.itertuples(index=False):
        key = with_key[row.code]
        assert (row.literature == "") == pd.isna(key)


def test_cross_theme_codings_are_exactly_those_that_cross(release):
    codes, coding, excerpts = release.table("codes"), release.table("coding"), release.table("excerpts")
    table = quantities.cross_theme_codings(codes, coding, excerpts)
    parent = dict(zip(codes["code_id"], codes["parent_id"], strict=True))
    own = dict(zip(excerpts["excerpt_id"], excerpts["theme_id"], strict=True))
    pairs = zip(coding["excerpt_id"], coding["code_id"], strict=True)
    expected = {(e, c) for e, c in pairs if parent[parent[c]] != own[e]}
    assert {(r.excerpt, r[2].split(" ")[0]) for r in table.itertuples(index=False)} == expected
    assert (table["excerpt's theme"] != table["code's theme"]).all()


def test_literature_code_count(release):
    codes = release.table("codes")
    assert quantities.literature_code_count(codes) == sum(1 for k in codes["literature_key"] if not pd.isna(k))


# --- chapter 06, "After the article": figures and numbers of the tables added in 1.1.0 ----


@pytest.fixture(scope="module")
def later():
    """The newest frozen release (never a draft in progress) that has the tables added in 1.1.0."""
    from analysis.releases.registry import read_registry

    frozen = sorted(read_registry()["frozen"], key=lambda v: tuple(int(p) for p in v.split(".")))
    for version in reversed(frozen):
        candidate = load_release(version)
        if "community_sentences" in candidate.resource_names:
            return candidate
    raise AssertionError("no frozen release has the community_sentences table")


def _disputed(community: pd.DataFrame) -> dict[int, list[int]]:
    by_year = community.groupby("year")["count"].agg(lambda c: sorted({int(v) for v in c}))
    return {int(y): v for y, v in by_year.items() if len(v) > 1}


def test_community_sentences_shows_both_disputed_values_with_their_sources(later):
    community = later.table("community_sentences")
    disputed = _disputed(community)
    assert disputed, "the release records a year in which the sources disagree"
    figure = build(later, "community_sentences")
    spec = figure.spec()
    rows = records(spec)
    for year, values in disputed.items():
        points = [r for r in rows if r.get("year") == year and "count" in r]
        assert sorted(r["count"] for r in points) == values  # every source's value, none dropped or merged
        assert len({r["source"] for r in points}) == len(values)
        for r in points:
            publisher = community.loc[
                (community["year"] == year) & (community["count"] == r["count"]), "publisher"
            ].iloc[0]
            assert r["label"].startswith(f"{r['count']:,}") and quantities.publisher_words(publisher) in r["label"]
            assert f"{r['count']:,}" in figure.alt_text and f"{r['count']:,}" in figure.detail
        assert any(r.get("note", "").startswith(f"{year}: the sources disagree") for r in rows)
    # Each source has its own shape as well as its own colour (greyscale-safe).
    shapes = [n["encoding"]["shape"]["scale"]["range"] for n in walk(spec) if "shape" in n.get("encoding", {})]
    assert shapes and len(set(shapes[0])) == community["series"].nunique()
    assert "prefers" in figure.detail and "counting basis" in figure.detail


def test_community_sentences_never_joins_a_source_across_missing_years(later):
    community = later.table("community_sentences")
    rows = [r for r in records(build(later, "community_sentences").spec()) if "segment" in r]
    for series in community["series"].unique():
        years = sorted(int(y) for y in community.loc[community["series"] == series, "year"])
        segments = [
            r["segment"]
            for r in sorted((r for r in rows if r["segment"].startswith(f"{series}-")), key=lambda r: r["year"])
        ]
        assert len(segments) == len(years)
        breaks = sum(1 for a, b in zip(years, years[1:], strict=False) if b != a + 1)
        assert len(set(segments)) == breaks + 1


def test_community_sentences_flags_nothing_when_the_sources_agree(later):
    community = later.table("community_sentences")
    disputed = _disputed(community)
    agreed = community.copy()
    for year, values in disputed.items():
        agreed.loc[agreed["year"] == year, "count"] = values[0]
    figure = figures.community_sentences(agreed)
    rows = records(figure.spec())
    assert not any(r.get("label") for r in rows)
    assert not any("note" in r for r in rows)
    assert "the sources agree" in figure.detail
    assert quantities.community_disagreements(agreed).empty
    assert set(quantities.community_disagreements(community)["year"]) == set(disputed)


def test_community_numbers_follow_the_table(later):
    community = later.table("community_sentences")
    for series in community["series"].unique():
        own = community[community["series"] == series].sort_values("year")
        first, last = int(own["count"].iloc[0]), int(own["count"].iloc[-1])
        assert quantities.community_fall_pct(community, series) == pytest.approx(100 * (first - last) / first)
        span = quantities.community_series_span(community, series)
        assert span.startswith(f"{first:,} in {int(own['year'].iloc[0])} to {last:,}")
    overlap = quantities.community_overlap_phrase(community)
    for year, values in _disputed(community).items():
        assert f"{year}:" in overlap and f"a difference of {values[-1] - values[0]:,}" in overlap
    table = quantities.community_table(community)
    assert len(table) == community["year"].nunique()
    assert (table.iloc[:, 1:] != "").sum().sum() == len(community)
    with pytest.raises(KeyError):
        quantities.community_series_span(community, "no_such_series")


def test_recruitment_against_the_plan(later):
    recruitment, figures_table = later.table("recruitment"), later.table("figures")
    plan = quantities.figure_value(figures_table, "new_probation_officers")
    actual = recruitment[recruitment["kind"] == "actual"]
    above = [str(p) for p, c in zip(actual["period"], actual["count"], strict=True) if int(c) > plan]
    text = quantities.recruitment_above(recruitment, figures_table, "new_probation_officers")
    assert all(p in text for p in above)
    highest = int(actual["count"].max())
    raised = figures_table.copy()
    raised.loc[raised["figure_id"] == "new_probation_officers", "value"] = highest
    assert quantities.recruitment_above(recruitment, raised, "new_probation_officers").startswith("none of the")
    phrase = quantities.recruitment_phrase(recruitment, "actual")
    assert all(f"{int(c):,} in {p}" in phrase for p, c in zip(actual["period"], actual["count"], strict=True))
    assert (
        "target"
        not in quantities.recruitment_table(recruitment[recruitment["kind"] == "actual"])["actual or target"].tolist()
    )


def _qualified(row: pd.Series) -> str:
    """The qualifier word a source gives a number ("almost ", "more than "), or nothing for an exact one."""
    return "" if row["qualifier"] == "exact" else f"{row['qualifier']} "


def test_workload_and_kirton_phrases(later):
    workload, kirton = later.table("workload_surveys"), later.table("kirton_survey")
    row = workload.set_index("figure_id").loc["hmi2021_manageable_pct"]
    base = workload.set_index("figure_id").loc["hmi2021_respondents"]
    text = quantities.workload_finding(workload, "hmi2021_manageable_pct", "hmi2021_respondents")
    # Each number with the source's own qualifier word, if it gives one ("exact" is said by no word).
    assert text.startswith(
        f"{_qualified(row)}{number_text(row['value'])}% of {_qualified(base)}{number_text(base['value'])}"
    )
    assert "exact" not in text
    with pytest.raises(ValueError):
        quantities.workload_finding(workload, "hmi2021_manageable_pct", "hmi2022_respondents")  # another survey
    k = kirton.set_index("figure_id")
    gap = quantities.kirton_gap_points(kirton, "kg_agree_allocation_nps_pct", "kg_agree_allocation_crc_pct")
    assert gap == k.loc["kg_agree_allocation_nps_pct", "value"] - k.loc["kg_agree_allocation_crc_pct", "value"]
    with pytest.raises(ValueError):
        quantities.kirton_gap_points(kirton, "kg_agree_allocation_nps_pct", "kg_branch_interviews")  # not percentages
    appealed = k.loc["kg_appealed_pct"]
    assert quantities.kirton_phrase(kirton, "kg_appealed_pct") == (
        f"{_qualified(appealed)}{number_text(appealed['value'])}% of {appealed['group']}"
    )


def test_reception_stances_count_the_coded_comments(later):
    comments = later.table("reception_comments")
    expected = comments["stance"].value_counts()
    rows = records(build(later, "reception_stances").spec())
    shown = {r["stance"]: r["comments"] for r in rows}
    assert sum(shown.values()) == len(comments)
    table = quantities.stance_counts(comments)
    assert dict(zip(table["stance"], table["comments"], strict=True)) == {
        s: int(expected.get(s, 0)) for s in quantities.STANCE_WORDS
    }
    replies = comments[comments["reply_to"].notna()]
    assert table["replies"].sum() == len(replies)
    # Recoding one comment moves it from one bar to another.
    moved = comments.copy()
    first = moved.index[moved["stance"] != "critical"][0]
    old = moved.loc[first, "stance"]
    moved.loc[first, "stance"] = "critical"
    again = quantities.stance_counts(moved).set_index("stance")["comments"]
    assert again["critical"] == int(expected.get("critical", 0)) + 1
    assert again[old] == int(expected[old]) - 1
    phrase = quantities.stance_phrase(comments)
    assert quantities.in_words(int(expected.max())) in phrase
    with pytest.raises(KeyError):
        quantities.stance_counts(moved.assign(stance="undecided"))
