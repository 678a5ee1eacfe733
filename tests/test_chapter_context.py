"""What chapters display: glued text, escaped quotes and tables, provenance, chart HTML."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
from myst_nb.core.variables import format_plain_text

from analysis import quotes
from analysis.chapter import Glued, open_chapter
from analysis.charts import Figure, FigureOutput, figure_html, spec_id


@pytest.mark.parametrize("text", ["50,000", "74%", "just under 40,000", "2023", "(a)"])
def test_glued_text_survives_myst_nb_pasting(text):
    # myst-nb pastes text/plain through ast.literal_eval; we must get the text back.
    assert format_plain_text(repr(Glued(0, text)), "") == text


def test_quotes_are_escaped_never_raw_html():
    table = pd.DataFrame(
        {"excerpt_id": ["E01"], "speaker_role": ["Probation <b>officer</b>"], "text": ['<script>x</script> & "y"']}
    )
    rendered = quotes.excerpt(table, "E01")._repr_html_()
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<b>" not in rendered
    assert 'id="excerpt-E01"' in rendered


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
    assert f"Data release {ctx.release.version}" in footer
    assert "tables sample" in footer and "chapters/99_test.ipynb" in footer
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
