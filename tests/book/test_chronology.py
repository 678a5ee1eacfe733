"""The end of Transforming Rehabilitation, in order and sourced (issue 19, item 2).

The dated events live in the release's ``tr_end`` table, each with its source phrase and the tense
in which the source words it. The chapters state them only through glued dates taken from that
table, so a date in the prose cannot drift from its source; these tests check that

- the table itself runs in date order, and tells a planned event from a done one as its source
  phrase does;
- within each section of every chapter, the dated events the prose names come in the table's order;
- a paragraph that states an event from a source published after the article says so.

They read the newest release (the chronology table gained its tense and its later rows in 1.3.0)
and the committed chapters' cells, not their outputs.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import pytest

from analysis import claims, paths
from analysis.book import quantities
from analysis.data import sources
from analysis.data.release import available_releases, load_release
from analysis.words import parse_source

CHAPTERS = sorted(paths.CHAPTERS.glob("*.ipynb"))
# Source documents published after the article (the December 2022 On Probation posts).
LATER_SOURCES = {"onprobation-2022-12-digest.txt"}
# How a source words an event still to come.
PLANNED_WORDING = r"\bwill\b|\bon track\b|\bto launch\b"
# Orderings of the chronology that issue 19 found in the prose and the sources contradict.
KNOWN_WRONG = [r"After the two halves", r"Shortly before reunification"]


@pytest.fixture(scope="module")
def tr_end() -> pd.DataFrame:
    release = load_release(available_releases()[-1])
    if "tense" not in release.table("tr_end").columns:
        pytest.fail(f"release {release.version}: tr_end has no tense column (added in 1.3.0)")
    return release.table("tr_end")


def date_glues(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Glue name -> ``tr_end`` item id, for every ``ctx.glue_from(name, quantities.tr_end_*, "tr_end", item)``."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "glue_from"):
                continue
            args = [a.value if isinstance(a, ast.Constant) else ast.unparse(a) for a in node.args]
            if len(args) >= 4 and args[2] == "tr_end" and str(args[1]).startswith("quantities.tr_end_"):
                found[str(args[0])] = str(args[3])
    return found


def sections(nb: nbformat.NotebookNode) -> list[str]:
    """The chapter's markdown, cut at its headings."""
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return re.split(r"(?m)^#+ ", text)


def glued_names(text: str) -> list[str]:
    return re.findall(r"\{glue(?::text)?\}`(\w+)`", text)


def test_the_table_runs_in_date_order(tr_end):
    dated = [str(d) for d in tr_end["date"] if not pd.isna(d)]
    assert len(dated) >= 2
    for earlier, later in zip(dated, dated[1:], strict=False):
        assert quantities.same_or_later(earlier, later), f"{later} comes after {earlier} in tr_end"


def test_each_row_s_tense_is_the_tense_of_its_source_phrase(tr_end):
    for row in tr_end.itertuples():
        file, _, phrase = parse_source(row.source)
        text, phrase = claims.normalise(sources.read_source(file)), claims.normalise(phrase)
        assert phrase in text, row.item_id
        at = text.index(phrase)
        sentence = text[text.rfind(". ", 0, at) + 1 : at + len(phrase)]  # from the sentence's start to the phrase
        planned = bool(re.search(PLANNED_WORDING, sentence))
        assert row.tense == ("planned" if planned else "past"), f"{row.item_id}: {sentence!r} is {row.tense}"
    # The unification is stated both ways, by different sources: as planned before it and as done after it.
    assert {"planned", "past"} <= set(tr_end.loc[tr_end["kind"] == "event", "tense"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_dated_events_come_in_the_table_s_order_in_every_section(path, tr_end):
    nb = nbformat.read(path, as_version=4)
    glues = date_glues(nb)
    dates = tr_end.set_index("item_id")["date"]
    for section in sections(nb):
        items = [glues[n] for n in glued_names(section) if n in glues]
        stated = [(i, str(dates[i])) for i in dict.fromkeys(items) if not pd.isna(dates[i])]
        for (a, earlier), (b, later) in zip(stated, stated[1:], strict=False):
            assert quantities.same_or_later(earlier, later), (
                f"{path.stem}: the prose names {b} ({later}) after {a} ({earlier}):\n{section[:300]}"
            )
        for wrong in KNOWN_WRONG:
            assert not re.search(wrong, section), f"{path.stem}: {wrong!r} contradicts the table's order"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_later_sources_are_introduced_as_later(path, tr_end):
    """A paragraph that states an event from a source published after the article says that it is."""
    nb = nbformat.read(path, as_version=4)
    glues = date_glues(nb)
    later = {str(r.item_id) for r in tr_end.itertuples() if parse_source(r.source).file in LATER_SOURCES}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for paragraph in cell.source.split("\n\n"):
            if any(glues.get(n) in later for n in glued_names(paragraph)):
                assert "after the article" in paragraph, f"{path.stem}: {paragraph[:300]}"


def test_the_chapters_state_the_chronology_through_the_table():
    """The introduction and the discussion glue the unification from both kinds of source."""
    for stem in ("00_introduction", "06_discussion"):
        nb = nbformat.read(paths.CHAPTERS / f"{stem}.ipynb", as_version=4)
        used = set(date_glues(nb).values())
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        shown = {date_glues(nb)[n] for n in glued_names(markdown) if n in date_glues(nb)}
        assert used <= shown | {"reunification"}, f"{stem}: glued but never shown: {used - shown}"
        assert {"announce_early_end", "model_published", "reunification", "unified"} <= used, stem
