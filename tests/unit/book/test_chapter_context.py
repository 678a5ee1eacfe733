"""What chapters display: glued text, escaped quotes and tables, provenance, chart HTML."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
from myst_nb.core.variables import format_plain_text

from analysis.book import figures, quotes
from analysis.book.chapter import Glued, HtmlBlock, open_chapter
from analysis.book.charts import Figure, FigureOutput, figure_html, spec_id
from analysis.book.source_paragraphs import ARTICLE, source_link
from analysis.data.release import load_release


@pytest.mark.parametrize("text", ["50,000", "74%", "just under 40,000", "2023", "(a)"])
def test_glued_text_survives_myst_nb_pasting(text):
    # myst-nb pastes text/plain through ast.literal_eval; we must get the text back.
    assert format_plain_text(repr(Glued(0, text)), "") == text


def test_quotes_are_escaped_never_raw_html():
    # A phrase the article prints (its methods section's first words), so the attribution has its pinpoint.
    source = f'{ARTICLE} § Methods: "This research is based on the findings from one empirical chapter"'
    table = pd.DataFrame(
        {
            "excerpt_id": ["E01"],
            "speaker_role": ["Probation <b>officer</b>"],
            "text": ['<script>x</script> & "y"'],
            "source": [source],
        }
    )
    quote = quotes.excerpt(table, "E01")
    rendered = quote._repr_html_()
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<b>" not in rendered
    assert 'id="excerpt-E01"' in rendered
    # The attribution carries the year and a pinpoint linked to the paragraph on the Sources page.
    assert quote.attribution.endswith("in Cracknell (2022: Methods, para. 1)")
    assert f'href="{source_link(source)}"' in rendered


def test_unknown_excerpt_is_an_error():
    table = pd.DataFrame({"excerpt_id": ["E01"], "speaker_role": ["x"], "text": ["y"]})
    with pytest.raises(KeyError, match="E99"):
        quotes.excerpt(table, "E99")


def test_tables_are_escaped_and_captioned():
    ctx = open_chapter("99_test")
    block = ctx.show_table(pd.DataFrame({"a": ["<i>x</i>"]}), "A <caption>")
    assert "<i>" not in block.html and "&lt;i&gt;" in block.html
    assert "<caption>A &lt;caption&gt;</caption>" in block.html


def test_provenance_names_release_tables_hash_and_notebook():
    ctx = open_chapter("99_test")
    ctx.table("sample")
    footer = ctx.footer().html
    assert f"Data release {ctx.release.label}" in footer  # the build fills in the name
    assert re.search(r'tables <a href="\.\./data/[^"]+/sample\.csv">sample</a>', footer)
    assert 'href="../_sources/chapters/99_test.ipynb"' in footer
    # Collapsed: the provenance is one click away, not in the reading text.
    assert footer.startswith("<details") and footer.endswith("</details>") and "<summary>" in footer
    assert re.search(r"sha256 [0-9a-f]{12}", footer)
    # The digest follows the recorded hash: a different table gives a different digest.
    assert ctx.inputs_digest(("sample",)) != ctx.inputs_digest(("excerpts",))


def chart(values):
    return alt.Chart(pd.DataFrame({"x": values})).mark_bar().encode(x="x:Q").properties(title="T")


def test_chart_ids_follow_the_spec_not_chance():
    a1, a2, b = (Figure(chart(v), "alt", "cap").spec() for v in ([1, 2], [1, 2], [1, 3]))
    assert spec_id(a1) == spec_id(a2) != spec_id(b)
    html = FigureOutput(Figure(chart([1, 2]), "alt", "cap"))._repr_mimebundle_()["text/html"]
    assert "altair-viz" not in html and "cdn" not in html.lower()
    embedded = re.search(r'<script type="application/json" id="(vis-[0-9a-f]+)-spec">(.*?)</script>', html, re.S)
    assert embedded.group(1) == spec_id(a1)
    assert json.loads(embedded.group(2).replace("<\\/", "</")) == a1


def test_figure_html_escapes_words_and_cannot_close_its_script():
    spec = {"title": "</script><script>alert(1)</script>"}
    html = figure_html(spec, 'alt "text" <b>', "caption <i>")
    assert html.count("</script>") == 2  # the spec block and the draw call, nothing injected
    assert 'aria-label="alt &quot;text&quot; &lt;b&gt;"' in html
    assert "caption &lt;i&gt;" in html


# --- reader comments and tables that only later releases have ---------------------------

COMMENTS = pd.DataFrame(
    {
        "comment_id": ["R01", "R02", "R03"],
        "reply_to": [None, "R01", None],
        "commenter": ["'Sig <b>", None, ""],
        "post_date": pd.to_datetime(["2022-07-03"] * 3),
        "text": ["First <script>x</script>\nsame paragraph\n\nSecond & last", "a reply", "cut off mid"],
        "complete": pd.array([True, True, False], dtype="boolean"),
    }
).astype({"reply_to": "string", "commenter": "string"})


def test_comments_are_escaped_with_their_paragraphs_and_attribution():
    comment = quotes.comment(COMMENTS, "R01")
    rendered = comment._repr_html_()
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<b>" not in rendered and "signed &#x27;Sig &lt;b&gt;" in rendered
    assert rendered.count("<p>") == 2 and "<br>same paragraph" in rendered
    assert 'id="comment-R01"' in rendered
    assert comment.attribution == "Reader comment under the On Probation post of 3 July 2022, signed 'Sig <b>"
    assert comment.note == ""


def test_comments_say_when_they_reply_or_break_off_and_nothing_else():
    reply, cut = quotes.comment(COMMENTS, "R02"), quotes.comment(COMMENTS, "R03")
    assert "reply to an earlier comment" in reply.note and "signed" not in reply.attribution
    assert "R01" not in reply.note + reply.attribution  # internal ids stay in the appendices
    assert "breaks off" in cut.note and "signed" not in cut.attribution  # an empty sign-off adds nothing
    assert "breaks off" in repr(cut) and "breaks off" in cut._repr_html_()
    with pytest.raises(KeyError, match="R09"):
        quotes.comment(COMMENTS, "R09")


def _releases_with_and_without(table: str):
    from analysis.data.release import available_releases

    versions = available_releases()
    has = [v for v in versions if table in load_release(v).resource_names]
    lacks = [v for v in versions if v not in has]
    assert has and lacks, f"expected releases with and without {table!r}: {versions}"
    return lacks[0], has[0], has[-1]


def test_a_release_without_a_table_says_so_and_names_the_release_that_added_it():
    old, first_with, _ = _releases_with_and_without("reception_comments")
    ctx = open_chapter("99_test", old)
    assert ctx.missing("reception_comments") == f"not in data release {ctx.release.label} (added in {first_with})"
    assert ctx.missing("sample") is None
    assert ctx.added_in("reception_comments") == first_with
    assert ctx.added_in("no_such_table") is None
    assert "not in data release" in ctx.missing("no_such_table") and "no release" in ctx.missing("no_such_table")
    assert ctx.availability("sample") == "all in this release"
    assert "reception_comments" in ctx.availability("sample", "reception_comments")


def test_release_aware_helpers_show_a_note_instead_of_failing():
    old, _, newest = _releases_with_and_without("community_sentences")
    ctx = open_chapter("99_test", old)

    def must_not_run(*_):
        raise AssertionError("the maker ran although its table is missing")

    glued = ctx.glue_from("x_missing", must_not_run, "community_sentences")
    assert glued.text == ctx.missing("community_sentences")
    block = ctx.show_from(must_not_run, "community_sentences")
    assert isinstance(block, HtmlBlock) and "Figure not shown" in block.html
    table = ctx.show_table_from(must_not_run, ("community_sentences", "sample"), "A <caption>")
    assert "not in data release" in table.html and "&lt;caption&gt;" in table.html
    comment = ctx.comment("R01")
    assert isinstance(comment, HtmlBlock) and "Reader comment not shown" in comment.html
    assert "community_sentences" not in ctx.release.reads  # nothing was read

    ctx = open_chapter("99_test", newest)
    counts = ctx.glue_from("x_rows", len, "community_sentences", fmt="{:,} rows")
    assert counts.text == f"{len(ctx.table('community_sentences')):,} rows"
    assert ctx.glue_from("x_extra", lambda t, k: k, "community_sentences", "extra").text == "extra"
    shown = ctx.show_from(figures.community_sentences, "community_sentences")
    assert isinstance(shown, FigureOutput) and "community_sentences" in shown.about
    assert isinstance(ctx.comment("R01"), quotes.Comment)


def test_a_tables_headers_sit_over_their_columns():
    """pandas right-aligns headers over left-aligned text unless told: every header is left-aligned."""
    ctx = open_chapter("99_test")
    page = ctx.show_table(pd.DataFrame({"a long header": ["x"], "n": [1]}), "Caption.").html
    assert "text-align: right" not in page and "text-align: left" in page


def test_about_this_figure_names_its_sources_in_words_before_any_hash_and_says_when_it_reads_none():
    from analysis.book import sourcing

    ctx = open_chapter("99_test")
    about = ctx.about_html(("figures",))
    works = sourcing.works_cited(ctx.table("figures"))
    # No rows declared: the block says these are what the tables cite, not what the figure uses.
    assert works and about.startswith("The tables it reads cite: " + "; ".join(works) + ".")
    assert about.index("cite:") < about.index("sha256")
    nothing = ctx.about_html(())
    assert "No table of the data release is read" in nothing and "sha256" not in nothing


def test_about_this_figure_links_every_source_phrase_to_its_paragraph_in_the_sources_appendix():
    """Each distinct phrase the figure's rows cite is one click from its paragraph, before any hash."""
    import re

    from analysis.book.source_paragraphs import resolve
    from analysis.words import parse_source

    ctx = open_chapter("99_test")
    about = ctx.about_html(("figures",))
    cells = {str(s) for s in ctx.table("figures")["source"].dropna()}
    anchors = {resolve(parse_source(c)).anchor for c in cells if _parses(c)}
    linked = set(re.findall(r'href="13_sources\.html#([^"]+)"', about))
    assert anchors and anchors <= linked
    assert about.index("Passages they cite:") < about.index("sha256")


def test_a_figures_sources_and_passages_are_only_those_of_the_rows_it_declares():
    """A figure that declares its rows credits their sources and passages, not the whole table's."""
    from analysis.book import sourcing

    ctx = open_chapter("99_test")
    frame = ctx.table("figures")
    cells = frame["source"].astype(str)
    parsed = frame[[_parses(c) for c in cells]]
    one = parsed.iloc[0]
    others = parsed[parsed["source"] != one["source"]]
    assert not others.empty  # else the test could not tell one row's passage from the table's
    about = ctx.about_html(("figures",), {"figures": (str(one["figure_id"]),)})
    assert about.startswith("Sources: ") and "Passages: " in about
    own = set(sourcing.passage_links(parsed.iloc[[0]]))
    linked = set(re.findall(r"<a href=\"13_sources[^\"]*\">.*?</a>", about))
    assert own and linked == own
    with pytest.raises(ValueError, match="column figure_id"):
        ctx.about_html(("figures",), {"figures": ("no such row",)})
    shown = ctx.show(figures.cohort_model(ctx.table("cohorts"), frame))
    assert shown.about.startswith("Sources: ")


def _parses(cell: str) -> bool:
    from analysis.words import parse_source

    try:
        parse_source(cell)
    except ValueError:
        return False
    return True


def test_a_quote_id_missing_or_twice_in_its_table_is_a_key_error_naming_the_table():
    import pandas as pd
    import pytest

    from analysis.book import quotes

    table = pd.DataFrame({"phrase_id": ["P1", "P2", "P2"], "text": ["a", "b", "c"]})
    assert quotes.phrase(table, "P1") == "\u2018a\u2019"
    with pytest.raises(KeyError, match="phrase_id 'P9' is not in the article_phrases table"):
        quotes.phrase(table, "P9")
    with pytest.raises(KeyError, match="phrase_id 'P2' is in the article_phrases table 2 times"):
        quotes.phrase(table, "P2")
