"""A chart's spec in its <script> block cannot end or swallow the script that draws it (issue 21, item 6).

HTML's tokenizer treats "<!--" followed by "<script" inside a script element as the start
of an escaped block in which "</script>" no longer closes it: a chart label holding
"<!--<script>" then swallowed the drawing script, and no chart was drawn. The spec's JSON
must hold no "<" at all.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from analysis.book.charts import _script_json, figure_html, specs_in_html

HOSTILE = ["<!--<script>", "</script><script>alert(1)</script>", "a < b && c > d", "<!-- x -->"]


class Scripts(HTMLParser):
    """The text of every <script> element, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def ends_where_it_should(script_text: str) -> bool:
    """Whether HTML's script-data states end this text at the next "</script>": no "<" means no escape state."""
    return not re.search(r"<!--|<script|</script", script_text, flags=re.IGNORECASE)


@pytest.mark.parametrize("label", HOSTILE)
def test_a_chart_label_cannot_swallow_the_drawing_script(label):
    spec = {"mark": "bar", "title": label, "data": {"values": [{"label": label, "n": 1}]}}
    page = figure_html(spec, alt_text=label, caption=label)
    parser = Scripts()
    parser.feed(page)
    spec_text, draw = parser.scripts  # both scripts, each whole
    assert "<" not in spec_text and ends_where_it_should(spec_text)
    assert json.loads(spec_text) == spec  # the same spec: the escapes are JSON's own
    assert "treadmillChart(" in draw  # the drawing script calls the book's chart loader, whole
    assert list(specs_in_html(page).values()) == [spec]


def test_the_check_would_catch_the_old_escaping():
    """Escaping only "</" (as before) leaves "<!--<script" in the block: the check above fails on it."""
    old = json.dumps({"title": "<!--<script>"}).replace("</", "<\\/")
    assert not ends_where_it_should(old)
    assert ends_where_it_should(_script_json({"title": "<!--<script>"}))
