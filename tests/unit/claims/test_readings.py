"""How the book reads figures that two sources state: pinned, so a misreading cannot come back.

- The article's "over 74%" (from HMI Probation 2021) is worded as service users managed; the Webster
  summary's "74 per cent" is the rise in the post-release supervision caseload from 31 March 2015 to
  31 March 2020. The book reads them as one statistic (every claim about the 74% resolves to one figure
  row), and says that the reading is its own: the article's claim does not name the caseload.
- The article's 45,000 (people added to CRC caseloads) and the 50,000 in the title of the MoJ (2014b)
  press release (prisoners to whom support is extended) are not related by any source, so the book
  relates them neither as rivals nor as share and whole (release 1.3.0 on; 1.2.0 read them as a share).

These read the newest release and the committed chapters; no expected text is copied from a run.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from analysis import claims, paths
from analysis.book import figures, quantities, quotes
from analysis.data import sources
from analysis.data.release import available_releases, load_release
from analysis.words import parse_source

# Readings the book once gave and the sources do not support.
MISREADINGS = [
    r"different statistics?",
    r"do(es)? not agree",
    r"disagree",
    r"rival",
]
# Relations between the 45,000 and the 50,000 that no source states (releases 1.0.0-1.2.0 gave them).
RELATIONS = MISREADINGS + [r"\bshare\b", r"part of", r"fit together", r"\bfit\b", r"\bwhole\b"]


@pytest.fixture(scope="module")
def release():
    """The newest release (draft or frozen): the readings pinned here are those of 1.3.0 on."""
    return load_release(available_releases()[-1])


def figure_claims(release, unit: str, value: float) -> list[claims.Claim]:
    """Claims checked against a figures row whose published value is ``value`` ``unit``."""
    found = [
        c
        for c in claims.read_claims(release.table("claims"))
        if c.kind == "figure" and c.unit == unit and c.value == value
    ]
    return found


def source_file(claim: claims.Claim) -> str:
    return parse_source(claim.source)[0]


def test_the_74_per_cent_claims_resolve_to_one_statistic(release):
    table = release.table("figures")
    found = figure_claims(release, "percent", 74)
    # The article and the summary each state it.
    assert {source_file(c) for c in found} >= {claims.ARTICLE, "webster-2022-on-the-treadmill-summary.txt"}
    statistics = {quantities.same_statistic(table, c.args[0]) for c in found}
    assert len(statistics) == 1, f"the 74% claims point at different statistics: {statistics}"
    (statistic,) = statistics
    row = table.set_index("figure_id").loc[statistic]
    # That statistic is the post-release caseload's rise, ending on the date of the 2020 count.
    assert "post-release" in row["label"]
    end = table.set_index("figure_id").loc["postrelease_caseload_2020", "as_of"]
    assert str(row["as_of"]).split("/")[-1] == end
    # ... and no claim note calls it a different basis.
    for claim in found:
        assert not re.search("|".join(MISREADINGS + [r"different basis"]), claim.note or "", re.IGNORECASE)


def test_the_article_s_74_per_cent_claim_keeps_the_article_s_words(release):
    """C006 states what the article states: service users managed, no caseload named; the link is the book's."""
    (claim,) = [c for c in figure_claims(release, "percent", 74) if source_file(c) == claims.ARTICLE]
    phrase = claims.normalise(parse_source(claim.source).phrase)
    lines = sources.read_source(claims.ARTICLE).splitlines()
    paragraph = next(claims.normalise(line) for line in lines if phrase in claims.normalise(line))
    assert "post-release" not in paragraph  # the article does not name the caseload ...
    assert "post-release" not in claim.statement  # ... so the claim does not either
    wording = re.search(r"number of ([a-z ]+?) managed", paragraph)
    assert wording and f"{wording[1]} managed" in claim.statement, claim.statement
    assert re.search(r"\bbook's\b", claim.note or ""), "the same-statistic reading must be labelled as the book's"
    label = release.table("figures").set_index("figure_id").loc[claim.args[0], "label"]
    assert "post-release" not in label.split(";")[0] and "book" in label


def test_the_45000_and_the_50000_are_not_related(release):
    table = release.table("figures")
    (part,) = figure_claims(release, "people", 45000)
    (whole,) = figure_claims(release, "people", 50000)
    assert (part.args[0], whole.args[0]) not in quantities.part_of_pairs(table)
    rows = table.set_index("figure_id")
    # Each says what it counts, as its source words it.
    assert "caseloads" in rows.loc[part.args[0], "label"] and "caseloads" in part.statement
    assert "support" in rows.loc[whole.args[0], "label"] and "support" in whole.statement
    for claim in (part, whole):
        note = claim.note or ""
        assert "does not relate" in note, note
        assert not re.search("|".join(RELATIONS), note, re.IGNORECASE), note
    caption = figures.national_context(table).caption
    assert "does not relate" in caption and not re.search("|".join(RELATIONS), caption, re.IGNORECASE)
    # The chart puts a standing caseload beside two additions: its labels say which is which.
    spec = figures.national_context(table).chart.to_dict()
    labels = [row["figure"] for row in next(iter(spec["datasets"].values()))]
    assert sum(label.startswith("Caseload") for label in labels) == 1
    assert all(label.startswith(("Caseload", "Added")) for label in labels), labels


def test_same_statistic_follows_the_link_and_defaults_to_the_row_itself():
    frame = pd.DataFrame({"figure_id": ["a", "b", "c"], "same_as": ["b", pd.NA, ""]})
    assert quantities.same_statistic(frame, "a") == "b"
    assert quantities.same_statistic(frame, "b") == "b"
    assert quantities.same_statistic(frame, "c") == "c"
    assert quantities.same_statistic(frame.drop(columns="same_as"), "a") == "a"  # releases before 1.2.0


def test_part_of_pairs_only_pairs_shown_together():
    frame = pd.DataFrame({"figure_id": ["x", "y", "z"], "part_of": ["y", pd.NA, "y"]})
    assert quantities.part_of_pairs(frame) == [("x", "y"), ("z", "y")]
    assert quantities.part_of_pairs(frame, ("x", "y")) == [("x", "y")]
    assert quantities.part_of_pairs(frame.drop(columns="part_of")) == []


GLUES = {"caseload_rise", "ora_additional", "ora_title", "article_rise", "pr_rise"}


@pytest.mark.parametrize("path", sorted(paths.CHAPTERS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_chapter_sets_the_two_sources_against_each_other(path):
    """A paragraph that states the 74% or the 45,000/50,000 never calls them different or in disagreement,
    and one that states the 45,000 or the 50,000 never relates them as share and whole."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for paragraph in cell.source.split("\n\n"):
            named = set(re.findall(r"\{glue(?::text)?\}`(\w+)`", paragraph))
            if named & GLUES:
                assert not re.search("|".join(MISREADINGS), paragraph, re.IGNORECASE), paragraph
            if named & {"ora_additional", "ora_title"}:
                assert not re.search("|".join(RELATIONS), paragraph, re.IGNORECASE), paragraph
                assert "does not relate" in paragraph, paragraph


# --- short quotations and counts in running prose (issue 12, items 3 and 8) -----------------


def test_short_documentary_quotes_are_inline_with_their_page(release):
    table = release.table("documentary_quotes")
    for row in table.itertuples():
        text = quotes.inline(table, row.quote_id)
        assert text.startswith("\u2018" + row.text + "\u2019")
        if not pd.isna(row.page):
            assert text.endswith(f"(p. {row.page})")
        assert quotes.inline(table, row.quote_id, page=False) == "\u2018" + row.text + "\u2019"
    with pytest.raises(KeyError):
        quotes.inline(table, "no such quote")


def test_article_phrases_are_verbatim_and_quoted(release):
    table = release.table("article_phrases")
    article = claims.normalise(sources.read_source(claims.ARTICLE))
    for row in table.itertuples():
        assert claims.normalise(row.text) in article
        assert quotes.phrase(table, row.phrase_id) == "\u2018" + row.text + "\u2019"


def test_how_many_says_none_for_zero():
    assert quantities.how_many(0) == "none"
    assert quantities.how_many(3) == quantities.in_words(3)
    assert quantities.how_many(1007) == "1,007"


# --- the end of Transforming Rehabilitation (issue 12, item 5) ------------------------------


def test_the_end_of_tr_is_a_sourced_table_with_citations_and_bibliography_keys(release):
    table = release.table("tr_end")
    bib = release.text("references")
    for row in table.itertuples():
        file, section, phrase = parse_source(row.source)
        text = sources.read_source(file)
        assert f"## {section}" in text, row.item_id
        assert claims.normalise(phrase) in claims.normalise(text), row.item_id
        assert row.citation, row.item_id
        assert "{" + row.reference_key + "," in bib.replace(" ", ""), row.reference_key
    # The caseload split adds up, as the report gives it.
    values = table.set_index("item_id")["value"]
    assert values["caseload_nps_2020"] + values["caseload_crc_2020"] == values["caseload_total_2020"]
    assert abs(values["caseload_nps_2020_pct"] + values["caseload_crc_2020_pct"] - 100) < 0.05


def test_tr_end_prose_helpers_follow_the_rows(release):
    table = release.table("tr_end")
    row = table.set_index("item_id").loc["announce_early_end"]
    assert quantities.tr_end_value(table, "announce_early_end").startswith(f"{int(row['value'])} ")
    year = row["date"].split("-")[0]
    assert quantities.tr_end_date(table, "announce_early_end").endswith(year)
    shown = quantities.tr_end_table(table)
    assert len(shown) == len(table)
    for date, item_id, raw in zip(shown["date"], table["item_id"], table["date"], strict=True):
        assert date == ("no date given" if pd.isna(raw) else quantities.tr_end_date(table, item_id))
    with pytest.raises(ValueError):
        quantities.tr_end_value(table, "model_published")  # an event without a number


def test_same_or_later_compares_at_the_common_precision():
    assert quantities.same_or_later("2018", "2018-07")
    assert quantities.same_or_later("2018-07", "2018")  # a year holds its months
    assert quantities.same_or_later("2021-06-26", "2021-06")
    assert quantities.same_or_later("2020-06-30", "2021-02")
    assert not quantities.same_or_later("2021-02", "2020-06-30")
    assert not quantities.same_or_later("2019", "2018-07")


def test_an_event_an_older_release_lacks_reads_as_not_recorded(release):
    table = release.table("tr_end")
    older = table[table["item_id"] != "announce_early_end"]
    assert quantities.tr_end_date(older, "announce_early_end") == quantities.NOT_RECORDED
    assert quantities.tr_end_value(older, "announce_early_end") == quantities.NOT_RECORDED
    assert quantities.tr_end_date(table, "announce_early_end") != quantities.NOT_RECORDED


def test_tr_end_table_keeps_an_approximate_figure_approximate():
    """A count its source words with "some" (qualifier about) is shown as about that count, an exact one bare."""
    rows = [
        {
            "item_id": "a",
            "kind": "caseload",
            "date": "2020-06-30",
            "description": "d",
            "value": 1200.0,
            "unit": "people",
            "qualifier": "about",
            "publisher": "p",
            "tense": "past",
        },
        {
            "item_id": "b",
            "kind": "caseload",
            "date": "2020-06-30",
            "description": "d",
            "value": 700.0,
            "unit": "people",
            "qualifier": "exact",
            "publisher": "p",
            "tense": "past",
        },
    ]
    shown = quantities.tr_end_table(pd.DataFrame(rows))
    assert shown["figure"].iloc[0] == "about " + quantities.tr_end_value(pd.DataFrame(rows), "a")
    assert shown["figure"].iloc[1] == quantities.tr_end_value(pd.DataFrame(rows), "b")
    assert not shown["figure"].iloc[1].startswith("about")
